/**
 * The agent's configuration file: JSON with comments (`//` and `/* … *\/`) and trailing commas allowed, so
 * that the example written by `seatwise-agent init` can explain itself. Relative paths are read from the
 * config file's folder.
 *
 * What must stay true:
 * - The server URL is HTTPS, except for a loopback host (localhost, 127.0.0.1, ::1), where plain HTTP is
 *   allowed for trying things out on one machine (EN-01).
 * - Everything the agent will ever read is named here: the key file, each log file (and the rotated copies
 *   it may finish), and each status command as an argv list that is run without a shell (IN-05).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { API_KEY_PATTERN, IngestLicenseServer, TimeZoneName } from '@seatwise/protocol';
import { z } from 'zod';

export const DEFAULT_CONFIG_PATH = '/etc/seatwise-agent/agent.jsonc';
export const DEFAULT_STATE_DIR = '/var/lib/seatwise-agent';

export const LOG_FORMATS = ['flexlm-debug', 'rlm-debug'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
export const STATUS_FORMATS = ['lmstat', 'rlmstat', 'lmx'] as const;
export type StatusFormat = (typeof STATUS_FORMATS)[number];

/** A configuration problem, with the file and the field in its message. */
export class ConfigError extends Error {}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Why `value` is not an acceptable server URL, or null when it is: http(s) only, HTTPS unless the host is
 * loopback, no credentials, query or fragment in it.
 */
export function serverUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must start with https://';
  if (url.username || url.password) return 'must not carry a user name or password (the API key goes in apiKey or apiKeyFile)';
  if (url.search || url.hash) return 'must not have a query or fragment';
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname.toLowerCase())) {
    return 'must use https:// (plain http:// is accepted only for localhost, 127.0.0.1 and [::1])';
  }
  return null;
}

const ServerUrl = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    const problem = serverUrlProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  // One form: no trailing slash, so "{serverUrl}/api/…" is always right.
  .transform((value) => value.replace(/\/+$/, ''));

const AbsoluteOrRelativePath = z.string().trim().min(1).max(4096);

const LogSource = z.strictObject({
  path: AbsoluteOrRelativePath,
  format: z.enum(LOG_FORMATS).default('flexlm-debug'),
  /**
   * Where a rotated copy of this log may be found (e.g. lmgrd.log.1): read only to finish lines written
   * before a rotation that happened while the agent was stopped.
   */
  rotatedPaths: z.array(AbsoluteOrRelativePath).max(10).default([]),
  /** The date of the first lines when the log does not say it (YYYY-MM-DD). */
  startDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must look like 2022-06-09')
    .optional(),
  /** Where to start the first time the agent sees this file: its beginning (history too) or its end. */
  startAt: z.enum(['beginning', 'end']).default('beginning'),
});

const StatusCommand = z.strictObject({
  format: z.enum(STATUS_FORMATS).default('lmstat'),
  /** Program and arguments, run as they are: no shell, no globbing, no variables. */
  argv: z.array(z.string().min(1).max(4096)).min(1).max(64),
  intervalSeconds: z.number().int().min(1).max(86_400).default(300),
  timeoutSeconds: z.number().int().min(1).max(600).default(60),
  /**
   * Sessions from consecutive snapshots (start and end to the poll interval). Off by default when the same
   * license server has logs, whose sessions are exact.
   */
  sessions: z.boolean().optional(),
});

const LicenseServer = z
  .strictObject({
    /** The license server's name in Seatwise, e.g. "27000@flex1": created on first sight, matched by name. */
    name: z.string().trim().min(1).max(200),
    host: z.string().trim().max(256).default(''),
    port: z.number().int().min(1).max(65535).nullable().default(null),
    timeZone: TimeZoneName,
    statusCommand: StatusCommand.optional(),
    logs: z.array(LogSource).max(20).default([]),
  })
  .refine((server) => server.statusCommand !== undefined || server.logs.length > 0, {
    message: 'needs a statusCommand or at least one entry in logs',
  });

const ConfigSchema = z
  .strictObject({
    serverUrl: ServerUrl,
    apiKey: z.string().trim().min(1).optional(),
    apiKeyFile: AbsoluteOrRelativePath.optional(),
    stateDir: AbsoluteOrRelativePath.default(DEFAULT_STATE_DIR),
    /** How often followed logs are checked for new lines. */
    followIntervalSeconds: z.number().min(0.2).max(3600).default(5),
    /** Above this much data waiting in the spool, logs are not read further until it drains (nothing is dropped). */
    maxSpoolMegabytes: z.number().min(1).max(1_000_000).default(1024),
    retry: z
      .strictObject({
        /** Backoff after a failed send: doubles from min to max, each wait drawn at random in its upper half. */
        minSeconds: z.number().min(0.05).max(3600).default(2),
        maxSeconds: z.number().min(0.1).max(86_400).default(300),
      })
      .default({ minSeconds: 2, maxSeconds: 300 }),
    requestTimeoutSeconds: z.number().min(1).max(600).default(60),
    licenseServers: z.array(LicenseServer).min(1).max(100),
  })
  .refine((config) => (config.apiKey === undefined) !== (config.apiKeyFile === undefined), {
    message: 'give exactly one of apiKey and apiKeyFile',
  })
  .refine((config) => config.retry.minSeconds <= config.retry.maxSeconds, { message: 'retry.minSeconds must not exceed retry.maxSeconds' });

type ParsedConfig = z.infer<typeof ConfigSchema>;

export interface LogSourceConfig {
  kind: 'log';
  /** Stable id of this source in the state folder. */
  id: string;
  path: string;
  format: LogFormat;
  rotatedPaths: string[];
  startDate?: string;
  startAt: 'beginning' | 'end';
}

export interface CommandSourceConfig {
  kind: 'command';
  id: string;
  format: StatusFormat;
  argv: string[];
  intervalSeconds: number;
  timeoutSeconds: number;
  sessions: boolean;
}

export interface LicenseServerConfig {
  name: string;
  host: string;
  port: number | null;
  timeZone: string;
  sources: (LogSourceConfig | CommandSourceConfig)[];
}

export interface AgentConfig {
  /** The file this was read from. */
  file: string;
  serverUrl: string;
  apiKey?: string;
  apiKeyFile?: string;
  stateDir: string;
  followIntervalMs: number;
  maxSpoolBytes: number;
  retry: { minMs: number; maxMs: number };
  requestTimeoutMs: number;
  licenseServers: LicenseServerConfig[];
}

/** JSON with comments and trailing commas → JSON. Strings are left alone, whatever they hold. */
export function stripJsonComments(text: string): string {
  let out = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i] as string;
    if (c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end === -1) throw new SyntaxError('a /* comment is never closed');
      // Keep line breaks so that JSON.parse positions still point at the right line.
      out += text.slice(i, end + 2).replace(/[^\n]/g, ' ');
      i = end + 2;
    } else {
      out += c;
      i++;
    }
  }
  // Trailing commas before } or ] (outside strings: the scan above copied strings verbatim, so a pass that
  // skips strings again is needed).
  let result = '';
  i = 0;
  while (i < out.length) {
    const c = out[i] as string;
    if (c === '"') {
      let j = i + 1;
      while (j < out.length && out[j] !== '"') j += out[j] === '\\' ? 2 : 1;
      result += out.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === ',') {
      let j = i + 1;
      while (j < out.length && /\s/.test(out[j] as string)) j++;
      if (out[j] === '}' || out[j] === ']') {
        i++;
        continue;
      }
    }
    result += c;
    i++;
  }
  return result;
}

/** A short stable id for a source: readable part plus a hash of what identifies it. */
function sourceId(parts: string[]): string {
  const slug = parts
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(-40);
  return `${slug || 'source'}-${createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 10)}`;
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `  ${issue.path.length ? issue.path.join('.') : '(top level)'}: ${issue.message}`).join('\n');
}

/** Validates parsed JSON as a configuration; `file` resolves relative paths and names the source of errors. */
export async function parseConfig(raw: unknown, file: string): Promise<AgentConfig> {
  const result = ConfigSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(`${file} is not a valid seatwise-agent configuration:\n${describeIssues(result.error)}`);
  const parsed: ParsedConfig = result.data;
  const base = path.dirname(path.resolve(file));
  const resolve = (p: string) => path.resolve(base, p);

  const names = new Set<string>();
  const logPaths = new Set<string>();
  const licenseServers: LicenseServerConfig[] = [];
  for (const server of parsed.licenseServers) {
    const lower = server.name.toLowerCase();
    if (names.has(lower)) throw new ConfigError(`${file}: two license servers are named "${server.name}"`);
    names.add(lower);
    const described = IngestLicenseServer.safeParse({ name: server.name, host: server.host, port: server.port, timeZone: server.timeZone });
    if (!described.success) {
      throw new ConfigError(`${file}: license server "${server.name}": ${described.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
    }
    const sources: LicenseServerConfig['sources'] = [];
    for (const log of server.logs) {
      const logPath = resolve(log.path);
      if (logPaths.has(logPath)) throw new ConfigError(`${file}: ${logPath} is listed twice`);
      logPaths.add(logPath);
      const entry: LogSourceConfig = {
        kind: 'log',
        id: sourceId([server.name, logPath]),
        path: logPath,
        format: log.format,
        rotatedPaths: log.rotatedPaths.map(resolve),
        startAt: log.startAt,
      };
      if (log.startDate) entry.startDate = log.startDate;
      sources.push(entry);
    }
    if (server.statusCommand) {
      const command = server.statusCommand;
      sources.push({
        kind: 'command',
        id: sourceId([server.name, 'status', ...command.argv]),
        format: command.format,
        argv: [...command.argv],
        intervalSeconds: command.intervalSeconds,
        timeoutSeconds: command.timeoutSeconds,
        sessions: command.sessions ?? server.logs.length === 0,
      });
    }
    licenseServers.push({ name: server.name, host: server.host, port: server.port, timeZone: server.timeZone, sources });
  }

  const config: AgentConfig = {
    file: path.resolve(file),
    serverUrl: parsed.serverUrl,
    stateDir: resolve(parsed.stateDir),
    followIntervalMs: Math.round(parsed.followIntervalSeconds * 1000),
    maxSpoolBytes: Math.round(parsed.maxSpoolMegabytes * 1024 * 1024),
    retry: { minMs: Math.round(parsed.retry.minSeconds * 1000), maxMs: Math.round(parsed.retry.maxSeconds * 1000) },
    requestTimeoutMs: Math.round(parsed.requestTimeoutSeconds * 1000),
    licenseServers,
  };
  if (parsed.apiKey !== undefined) config.apiKey = parsed.apiKey;
  if (parsed.apiKeyFile !== undefined) config.apiKeyFile = resolve(parsed.apiKeyFile);
  return config;
}

/** Reads and validates the configuration file. */
export async function loadConfig(file: string): Promise<AgentConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConfigError(`${file} does not exist (write an example with: seatwise-agent init --config ${file})`);
    throw new ConfigError(`${file} cannot be read: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(stripJsonComments(text.replace(/^\uFEFF/, '')));
  } catch (error) {
    throw new ConfigError(`${file} is not valid JSON (comments and trailing commas are fine): ${(error as Error).message}`);
  }
  return parseConfig(raw, file);
}

/** The API key, from the config or the one file it names. */
export async function readApiKey(config: AgentConfig): Promise<string> {
  let key: string;
  if (config.apiKey !== undefined) {
    key = config.apiKey;
  } else {
    const file = config.apiKeyFile as string;
    try {
      key = (await readFile(file, 'utf8')).trim();
    } catch (error) {
      throw new ConfigError(`the API key file ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  // Anything else is a mistake worth saying early (never echoing the value).
  if (!API_KEY_PATTERN.test(key)) {
    throw new ConfigError(`the API key${config.apiKeyFile ? ` in ${config.apiKeyFile}` : ''} does not look like a Seatwise key (swk_…)`);
  }
  return key;
}
