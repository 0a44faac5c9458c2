/** The `seatwise-agent` command line: init | run | check | status. */
import { parseArgs } from 'node:util';
import { checkConfig, collectStatus, formatStatus, initConfig } from './commands.ts';
import { ConfigError, DEFAULT_CONFIG_PATH, loadConfig } from './config.ts';
import { createLogger, isLogLevel } from './logger.ts';
import { AgentLockedError, runAgent } from './runner.ts';
import { AGENT_VERSION } from './version.ts';

const USAGE = `Usage: seatwise-agent <command> [--config FILE]

Collects license usage on a license server and sends it to Seatwise over HTTPS.

Commands:
  init     write a commented example configuration (never replaces an existing file)
  check    validate the configuration, run each status command once, open each log, confirm the API key
  run      follow the logs and poll the status commands, sending batches (stop with Ctrl-C or SIGTERM)
           --once: read everything once, send what is waiting, and exit
  status   show the spool, the last successful send, each source's position and the last errors
           --json: as one JSON object

Options:
  --config, -c FILE    the configuration (default: $SEATWISE_AGENT_CONFIG or ${DEFAULT_CONFIG_PATH})
  --log-level LEVEL    debug, info (default), warn, error
  --version            print the version
`;

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

const defaultIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
};

/** Runs one command; resolves with the exit code. */
export async function main(argv: string[], io: Io = defaultIo, signal?: AbortSignal): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        json: { type: 'boolean', default: false },
        once: { type: 'boolean', default: false },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    io.stderr(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    io.stdout(`seatwise-agent ${AGENT_VERSION}\n`);
    return 0;
  }
  const [command, ...extra] = positionals;
  if (values.help || !command) {
    (values.help ? io.stdout : io.stderr)(USAGE);
    return values.help ? 0 : 2;
  }
  if (extra.length > 0 || !['init', 'run', 'check', 'status'].includes(command)) {
    io.stderr(`Unknown command: ${positionals.join(' ')}\n\n${USAGE}`);
    return 2;
  }
  const level = values['log-level'] ?? 'info';
  if (!isLogLevel(level)) {
    io.stderr(`--log-level must be debug, info, warn or error\n`);
    return 2;
  }
  const configFile = values.config ?? io.env.SEATWISE_AGENT_CONFIG ?? DEFAULT_CONFIG_PATH;

  try {
    if (command === 'init') {
      const result = await initConfig(configFile);
      (result.ok ? io.stdout : io.stderr)(`${result.message}\n`);
      return result.ok ? 0 : 1;
    }
    const config = await loadConfig(configFile);
    if (command === 'check') {
      const lines = await checkConfig(config);
      for (const line of lines) io.stdout(`${line.ok ? (line.warning ? 'WARN' : 'ok  ') : 'FAIL'}  ${line.text}\n`);
      const failed = lines.filter((line) => !line.ok).length;
      io.stdout(failed === 0 ? 'All checks passed.\n' : `${failed} check(s) failed.\n`);
      return failed === 0 ? 0 : 1;
    }
    if (command === 'status') {
      const report = await collectStatus(config);
      io.stdout(values.json ? JSON.stringify(report, null, 2) + '\n' : formatStatus(report));
      return 0;
    }
    const logger = createLogger(level, io.stderr);
    const stop = new AbortController();
    const onSignal = () => {
      if (stop.signal.aborted) process.exit(130);
      logger.info('stopping (the step in progress finishes first; a second signal exits at once)');
      stop.abort();
    };
    signal?.addEventListener('abort', () => stop.abort(), { once: true });
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const summary = await runAgent(config, { logger, once: values.once, signal: stop.signal });
      if (values.once) {
        io.stdout(`spooled ${summary.spooled} batch(es), sent ${summary.sent}${summary.failedSources ? `; ${summary.failedSources} source(s) failed` : ''}\n`);
        return summary.failedSources > 0 ? 1 : 0;
      }
      return 0;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  } catch (error) {
    if (error instanceof ConfigError || error instanceof AgentLockedError) {
      io.stderr(`seatwise-agent: ${error.message}\n`);
      return 1;
    }
    io.stderr(`seatwise-agent: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
