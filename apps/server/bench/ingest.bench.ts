// npm run bench:ingest — sessions per second stored end to end by Smart Upload (HTTP upload → parse to spool →
// store → roll up → answer), on embedded PGlite and on a PostgreSQL server, each next to a plain COPY of the
// very same session rows into the same engine (a scratch table with usage_sessions' columns, primary key and
// indexes) as the ceiling. A measurement, not a test: it prints figures and the method, and exits 0 whether
// the target (end to end ≥ ½ of COPY) is met or not.
//
// Environment: BENCH_INGEST_MB (40: size of the generated FlexLM debug log), BENCH_INGEST_SEED (1),
// BENCH_INGEST_COPY_RUNS (3), BENCH_INGEST_ENGINES ("pglite,postgres"), BENCH_INGEST_REINGEST (1: also upload
// the same log again with one more byte, so every row is already stored; 0 skips it), BENCH_INGEST_FK_COPY (1:
// also COPY once into a copy of the table with its foreign keys, for reference; 0 skips it), BENCH_DATABASE_URL
// (a PostgreSQL superuser URL; otherwise a throwaway PostgreSQL 15 cluster from scripts/pg-test-cluster.sh).
import { randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { generateFlexlmLog } from '../../../packages/usage-engine/bench/generate-flexlm-log.ts';
import { buildApp } from '../src/app.ts';
import type { Config } from '../src/config.ts';
import { copyText, openPostgres, type Database } from '../src/db/connect.ts';
import { openConfiguredDatabase, type OpenedDatabase } from '../src/db/open.ts';
import { assertSafeRoles, createTenancy } from '../src/db/tenant.ts';
import { hashPassword } from '../src/lib/password.ts';
import { createLogger } from '../src/logger.ts';
import { insertUser } from '../src/modules/auth/auth.repo.ts';
import { insertMembership } from '../src/modules/members/members.repo.ts';
import { insertOrganization } from '../src/modules/orgs/orgs.repo.ts';
import { createBenchDatabase, findPostgresServer } from './postgres.ts';
import { timeStatements, type TimedTransaction } from './statement-timer.ts';
import { busyShare, machineCpu, postgresCpuMs, summarize } from './stats.ts';
import { benchConfig, envNumber, num, out, packageVersion, pct, REPO_ROOT, withCleanup } from './common.ts';


const SIZE_MB = envNumber('BENCH_INGEST_MB', 40, 0.1);
const SEED = Math.round(envNumber('BENCH_INGEST_SEED', 1, 0));
const COPY_RUNS = Math.round(envNumber('BENCH_INGEST_COPY_RUNS', 3, 1));
const REINGEST = process.env.BENCH_INGEST_REINGEST !== '0';
const FK_COPY = process.env.BENCH_INGEST_FK_COPY !== '0';
const ENGINES = (process.env.BENCH_INGEST_ENGINES ?? 'pglite,postgres').split(',').map((name) => name.trim().toLowerCase());
const TIME_ZONE = 'Europe/Madrid';
/** The issue's target: sessions stored end to end per second ≥ this share of COPY's rows per second. */
const TARGET_RATIO = 0.5;

/** usage_sessions' columns, in table order: what the COPY ceiling loads. */
const SESSION_COLUMNS = [
  'org_id',
  'license_server_id',
  'feature_id',
  'user_id',
  'host_id',
  'started_at',
  'ordinal',
  'ended_at',
  'last_seen_at',
  'seats',
  'closed_by',
  'end_reason',
  'source',
] as const;

// ---------------------------------------------------------------------------------------------- output

const secs = (ms: number) => `${num(ms / 1000, 2)} s`;

// ------------------------------------------------------------------------------------- cleanup on exit

// ------------------------------------------------------------------------------------------- engines

interface Engine {
  label: string;
  config: Config;
  opened: OpenedDatabase;
  /** A connection that may do anything (PGlite's own superuser; the server's superuser on this database). */
  owner: Database;
  /** Process ids of this database's PostgreSQL backends, when they run on this machine. */
  backendPids?: () => Promise<number[]>;
  teardown(): Promise<void>;
}

async function openPgliteEngine(): Promise<Engine> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'seatwise-bench-ingest-'));
  try {
    const config = benchConfig({ DATA_DIR: dataDir });
    const opened = await openConfiguredDatabase(config);
    await opened.migrate();
    return {
      label: 'PGlite',
      config,
      opened,
      owner: opened.db,
      async teardown() {
        await opened.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

async function openPostgresEngine(superuserUrl: string): Promise<Engine> {
  const database = await createBenchDatabase(superuserUrl);
  let owner: Database | undefined;
  try {
    const config = benchConfig({ DATABASE_URL: database.appUrl, MIGRATION_DATABASE_URL: database.ownerUrl });
    const opened = await openConfiguredDatabase(config);
    await opened.migrate();
    await database.createLoginRole();
    owner = openPostgres(database.ownerUrl, 1);
    const local = ['127.0.0.1', 'localhost', '[::1]', ''].includes(new URL(superuserUrl).hostname) && process.platform === 'linux';
    const ownerDb = owner;
    return {
      label: 'PostgreSQL',
      config,
      opened,
      owner,
      ...(local
        ? {
            backendPids: async () =>
              (
                await ownerDb.transaction((tx) =>
                  tx.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()'),
                )
              ).rows.map((row) => row.pid),
          }
        : {}),
      async teardown() {
        await opened.close();
        await ownerDb.close();
        await database.drop();
      },
    };
  } catch (error) {
    await owner?.close();
    await database.drop();
    throw error;
  }
}

// -------------------------------------------------------------------------------------- HTTP client

interface Answer {
  status: number;
  body: string;
}

/** One request on loopback; the body is a string or streamed from a Readable (chunked). */
function request(base: string, method: string, url: string, token: string | null, body?: string | Readable): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'x-forwarded-proto': 'https' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (typeof body === 'string') headers['content-type'] = 'application/json';
    else if (body) headers['content-type'] = 'application/octet-stream';
    const req = http.request(new URL(url, base), { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body === undefined) req.end();
    else if (typeof body === 'string') req.end(body);
    else pipeline(body, req).catch(reject);
  });
}

function expectStatus(answer: Answer, status: number, what: string): Record<string, unknown> {
  if (answer.status !== status) throw new Error(`${what}: expected ${status}, got ${answer.status} ${answer.body.slice(0, 500)}`);
  return JSON.parse(answer.body) as Record<string, unknown>;
}

// --------------------------------------------------------------------------------------- measurement

interface UploadRun {
  label: string;
  status: string;
  sessions: number;
  denials: number;
  snapshots: number;
  bytes: number;
  totalMs: number;
  parseMs: number;
  storeMs: number;
  rollupMs: number;
  answerMs: number;
  /** The storing transaction's statements, by label: count and time waited (ms). */
  profile: Map<string, { count: number; ms: number }>;
  /** Time inside the storing transaction spent between statements (the application's own work), ms. */
  betweenMs: number;
  serverCpuMs: number;
  postgresCpuMs: number;
  machineBusy: number;
}

const isStoreWrite = (label: string) => /^(INSERT|COPY) (usage_sessions|usage_denials|usage_snapshots|staged_sessions|staged_denials|staged_snapshots)\b/.test(label);

/**
 * Splits one upload into phases with the statement timings of its storing transaction (the one that wrote
 * usage_sessions): parse = from the first byte sent until that transaction began (transfer, parsing and
 * spooling overlap); store = until its last write of sessions, denials or snapshots ended; roll-up = from
 * there until the transaction ended (roll-ups, the upload row, the audit record, COMMIT); answer = the rest.
 */
function phases(transactions: readonly TimedTransaction[], sentAt: number, answeredAt: number) {
  const store = transactions.find((tx) => tx.statements.some((s) => isStoreWrite(s.label)));
  if (!store) throw new Error('no transaction stored sessions');
  const lastWrite = store.statements.filter((s) => isStoreWrite(s.label)).at(-1)!;
  const storedAt = lastWrite.startedAt + lastWrite.ms;
  const profile = new Map<string, { count: number; ms: number }>();
  let inStatements = 0;
  for (const s of store.statements) {
    const entry = profile.get(s.label) ?? { count: 0, ms: 0 };
    entry.count += 1;
    entry.ms += s.ms;
    profile.set(s.label, entry);
    inStatements += s.ms;
  }
  return {
    parseMs: store.beganAt - sentAt,
    storeMs: storedAt - store.beganAt,
    rollupMs: store.endedAt - storedAt,
    answerMs: answeredAt - store.endedAt,
    profile,
    betweenMs: store.endedAt - store.beganAt - inStatements,
  };
}

/** Share of the machine busy over one second while this benchmark does nothing (other processes' load). */
async function backgroundLoad(): Promise<number> {
  const before = machineCpu();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  return busyShare(before, machineCpu());
}

interface CopyCeiling {
  /** Each run's time, ms. */
  runs: number[];
  /** One COPY into the same table with usage_sessions' foreign keys added (NaN when skipped), ms. */
  withForeignKeysMs: number;
  rows: number;
  bytes: number;
  prepareMs: number;
}

interface EngineReport {
  label: string;
  version: string;
  first: UploadRun;
  again?: UploadRun;
  copy: CopyCeiling;
}

async function benchEngine(engine: Engine, logFile: string): Promise<EngineReport> {
  const { config } = engine;
  const timer = timeStatements(engine.opened.db);
  const tenancy = createTenancy(engine.opened.db);
  await assertSafeRoles(engine.opened.db, tenancy);
  const version = (await engine.owner.transaction((tx) => tx.query<{ version: string }>('SELECT version()'))).rows[0]?.version ?? 'unknown';

  // One organisation with its Owner, inserted through the repositories as sign-up would.
  const orgId = randomUUID();
  const owner = { email: 'owner@ingest.bench.example', password: `Bench-${randomBytes(12).toString('base64url')}-lantern` };
  const passwordHash = await hashPassword(owner.password);
  await tenancy.withSystemTx('benchmark: seed an organisation', async (tx) => {
    const userId = randomUUID();
    await insertOrganization(tx, { id: orgId, name: 'Ingest bench company' });
    await insertUser(tx, { id: userId, email: owner.email, name: 'Bench Owner', passwordHash, emailVerified: true });
    await insertMembership(tx, { orgId, userId, role: 'owner' });
  });

  const { app } = await buildApp({ config, db: timer.db, logger: createLogger(config.logLevel) });
  return withCleanup(
    () => app.close(),
    async () => {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const signIn = expectStatus(await request(base, 'POST', '/api/auth/sign-in', null, JSON.stringify(owner)), 200, 'sign-in');
      const token = signIn.accessToken as string;
      const server = expectStatus(
        await request(base, 'POST', '/api/license-servers', token, JSON.stringify({ name: 'flex1', host: 'flex1', port: 27000, timeZone: TIME_ZONE })),
        201,
        'POST /api/license-servers',
      );
      const serverId = server.id as string;

      out();
      out(`== ${engine.label}: ${version}`);
      out(
        `   ${engine.opened.db.engine === 'postgres' ? `pool of ${config.databasePoolSize} connections as a non-superuser login role` : 'in this process, DATA_DIR in a temporary directory'}`,
      );

      const uploadOnce = async (label: string, body: () => Readable): Promise<UploadRun> => {
        const idle = await backgroundLoad();
        out(`  ${label}: machine busy before (1 s, nothing of ours running): ${pct(idle)}${idle > 0.1 ? ' — other work is running here; figures will be lower and noisier' : ''}`);
        const created = expectStatus(await request(base, 'POST', '/api/uploads', token, JSON.stringify({ licenseServerId: serverId, fileName: 'lmgrd.log' })), 201, 'POST /api/uploads');
        const pidsBefore = engine.backendPids ? await engine.backendPids() : [];
        const pgBefore = postgresCpuMs(pidsBefore);
        timer.transactions.length = 0;
        const cpuBefore = process.cpuUsage();
        const machineBefore = machineCpu();
        const sentAt = performance.now();
        const answer = await request(base, 'PUT', `/api/uploads/${created.id as string}/content`, token, body());
        const answeredAt = performance.now();
        const cpu = process.cpuUsage(cpuBefore);
        const machineBusy = busyShare(machineBefore, machineCpu());
        const pidsAfter = engine.backendPids ? await engine.backendPids() : [];
        const pgMs = postgresCpuMs(pidsBefore) - pgBefore + postgresCpuMs(pidsAfter.filter((pid) => !pidsBefore.includes(pid)));
        const done = expectStatus(answer, 200, `PUT /api/uploads/${created.id as string}/content`);
        if (done.status !== 'done') throw new Error(`the upload ended ${String(done.status)}: ${answer.body.slice(0, 500)}`);
        return {
          label,
          status: done.status,
          sessions: done.sessions as number,
          denials: done.denials as number,
          snapshots: done.snapshots as number,
          bytes: done.bytesDone as number,
          totalMs: answeredAt - sentAt,
          ...phases(timer.transactions, sentAt, answeredAt),
          serverCpuMs: (cpu.user + cpu.system) / 1000,
          postgresCpuMs: engine.backendPids ? pgMs : Number.NaN,
          machineBusy,
        };
      };

      const first = await uploadOnce('upload into an empty database', () => createReadStream(logFile));
      printUpload(first);
      const stored = await engine.owner.transaction((tx) =>
        tx.query<{ sessions: number }>('SELECT count(*)::int AS sessions FROM usage_sessions WHERE org_id = $1 AND license_server_id = $2', [orgId, serverId]),
      );
      if (stored.rows[0]?.sessions !== first.sessions) {
        throw new Error(`the upload reported ${first.sessions} sessions but ${stored.rows[0]?.sessions} are stored`);
      }

      let again: UploadRun | undefined;
      if (REINGEST) {
        // One more byte makes another SHA-256, so the upload is stored again rather than recognised: every
        // session is already there, and every upsert takes its conflict path.
        again = await uploadOnce('the same log again (+1 byte: every row already stored)', () =>
          Readable.from(
            (async function* () {
              yield* createReadStream(logFile);
              yield Buffer.from('\n');
            })(),
          ),
        );
        printUpload(again);
      }

      const copy = await copyCeiling(engine, orgId, serverId);
      const best = Math.min(...copy.runs);
      const median = summarize(copy.runs).p50;
      out(
        `  COPY ceiling: the same ${num(copy.rows)} session rows (${num(copy.bytes / 2 ** 20, 1)} MiB of COPY text, made beforehand in ${secs(copy.prepareMs)}) ` +
          `into a scratch table LIKE usage_sessions INCLUDING ALL (same primary key and indexes), one transaction each, ${COPY_RUNS} runs: ` +
          `${copy.runs.map((ms) => secs(ms)).join(', ')} → median ${num((copy.rows / median) * 1000)} rows/s (best ${num((copy.rows / best) * 1000)} rows/s)`,
      );
      if (Number.isFinite(copy.withForeignKeysMs)) {
        out(
          `  for reference, the same COPY into that table with usage_sessions' four foreign keys added: ${secs(copy.withForeignKeysMs)} → ` +
            `${num((copy.rows / copy.withForeignKeysMs) * 1000)} rows/s (checking the keys costs ${num((copy.withForeignKeysMs / median - 1) * 100)} % on top)`,
        );
      }
      return { label: engine.label, version, first, ...(again ? { again } : {}), copy };
    },
  );
}

function printUpload(run: UploadRun): void {
  const perSecond = (run.sessions / run.totalMs) * 1000;
  out(
    `    ${num(run.bytes / 2 ** 20, 1)} MiB, ${num(run.sessions)} sessions, ${num(run.denials)} denials, ${num(run.snapshots)} snapshots: ` +
      `${secs(run.totalMs)} end to end = ${num(perSecond)} sessions/s`,
  );
  out(
    `    phases: parse to spool ${secs(run.parseMs)} · store ${secs(run.storeMs)} · roll-up ${secs(run.rollupMs)} · answer ${secs(run.answerMs)}; ` +
      `store + roll-up alone ${num((run.sessions / (run.storeMs + run.rollupMs)) * 1000)} sessions/s`,
  );
  out(
    `    CPU: this process ${secs(run.serverCpuMs)}${Number.isFinite(run.postgresCpuMs) ? `, PostgreSQL backends ${secs(run.postgresCpuMs)}` : ''}; machine ${pct(run.machineBusy)} busy`,
  );
  const rows = [...run.profile.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const txMs = run.storeMs + run.rollupMs;
  out(`    the storing transaction (${secs(txMs)}), by statement (waited for, as the application sees it):`);
  for (const [label, entry] of rows.slice(0, 14)) {
    out(`      ${label.padEnd(34)} ${num(entry.count).padStart(6)} × ${secs(entry.ms).padStart(9)}  ${pct(entry.ms / txMs).padStart(5)}`);
  }
  const rest = rows.slice(14).reduce((sum, [, entry]) => sum + entry.ms, 0);
  if (rows.length > 14) out(`      ${'(others)'.padEnd(34)} ${''.padStart(6)}   ${secs(rest).padStart(9)}  ${pct(rest / txMs).padStart(5)}`);
  out(`      ${'between statements (application)'.padEnd(34)} ${''.padStart(6)}   ${secs(run.betweenMs).padStart(9)}  ${pct(run.betweenMs / txMs).padStart(5)}`);
}

/**
 * The ceiling: exactly the session rows the upload stored, read back as text and written in COPY text format
 * beforehand (not timed), then COPY'd into a fresh scratch table with the same columns, types, defaults,
 * checks, primary key and indexes as usage_sessions (LIKE … INCLUDING ALL; no foreign keys, no row-level
 * security), by the database owner, one transaction per run, emptied between runs.
 */
async function copyCeiling(engine: Engine, orgId: string, serverId: string): Promise<CopyCeiling> {
  const started = performance.now();
  const { rows } = await engine.owner.transaction((tx) =>
    tx.query<Record<(typeof SESSION_COLUMNS)[number], string | null>>(
      `SELECT ${SESSION_COLUMNS.map((column) => `${column}::text AS ${column}`).join(', ')}
         FROM usage_sessions WHERE org_id = $1 AND license_server_id = $2`,
      [orgId, serverId],
    ),
  );
  const lines: string[] = [];
  for (const row of rows) lines.push(SESSION_COLUMNS.map((column) => copyText(row[column])).join('\t'));
  const text = lines.join('\n') + '\n';
  const prepareMs = performance.now() - started;
  await engine.owner.transaction((tx) => tx.query('CREATE TABLE bench_copy_sessions (LIKE usage_sessions INCLUDING ALL)'));
  const runs: number[] = [];
  let withForeignKeysMs = Number.NaN;
  const copyOnce = async () => {
    await engine.owner.transaction((tx) => tx.query('TRUNCATE bench_copy_sessions'));
    const begin = performance.now();
    const loaded = await engine.owner.transaction((tx) => tx.copyFrom('bench_copy_sessions', SESSION_COLUMNS, text));
    const ms = performance.now() - begin;
    if (loaded !== rows.length) throw new Error(`COPY loaded ${loaded} rows, not ${rows.length}`);
    return ms;
  };
  try {
    for (let run = 0; run < COPY_RUNS; run += 1) runs.push(await copyOnce());
    if (FK_COPY) {
      // For reference, not the ceiling: the same COPY into a table that also has usage_sessions' four foreign
      // keys, which PostgreSQL checks row by row (one index lookup and row lock per key per row).
      await engine.owner.transaction((tx) =>
        tx.query(
          `ALTER TABLE bench_copy_sessions
             ADD FOREIGN KEY (org_id, license_server_id) REFERENCES license_servers (org_id, id),
             ADD FOREIGN KEY (org_id, feature_id) REFERENCES features (org_id, id),
             ADD FOREIGN KEY (org_id, user_id) REFERENCES usage_identities (org_id, id),
             ADD FOREIGN KEY (org_id, host_id) REFERENCES usage_identities (org_id, id)`,
        ),
      );
      withForeignKeysMs = await copyOnce();
    }
  } finally {
    await engine.owner.transaction((tx) => tx.query('DROP TABLE bench_copy_sessions'));
  }
  return { runs, withForeignKeysMs, rows: rows.length, bytes: Buffer.byteLength(text), prepareMs };
}

// ----------------------------------------------------------------------------------------------- main

async function main(): Promise<void> {
  const cpus = os.cpus();
  out('Seatwise ingest benchmark (npm run bench:ingest)');
  out();
  out(
    `Machine: ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${os.availableParallelism()} cores (nproc), ${num(os.totalmem() / 2 ** 30, 1)} GiB RAM, ` +
      `${os.type()} ${os.release()} ${os.arch()}; Node ${process.version}; PGlite ${packageVersion('@electric-sql/pglite')}, pg ${packageVersion('pg')}, ` +
      `pg-copy-streams ${packageVersion('pg-copy-streams')}, Fastify ${packageVersion('fastify')}`,
  );
  out('Method:');
  out(
    `  - data: a FlexLM debug log of ${SIZE_MB} MB from packages/usage-engine/bench/generate-flexlm-log.ts (seed ${SEED}), time zone ${TIME_ZONE}`,
  );
  out(
    '  - end to end: buildApp() + app.listen on 127.0.0.1:0 in this process (NODE_ENV production behind a trusted TLS proxy, plain HTTP on loopback with ' +
      'X-Forwarded-Proto: https; LOG_LEVEL silent), a fresh database per engine, ' +
      'one organisation; the Owner signs in through the API, adds a license server (POST /api/license-servers), starts an upload (POST /api/uploads) ' +
      'and streams the file from disk as the body of PUT /api/uploads/:id/content (chunked, loopback); timed from the first byte sent to the answer (the upload done)',
  );
  out(
    '  - phases: every statement of every transaction is timed by a thin wrapper around the Database; the storing transaction is the one that writes ' +
      'usage_sessions: parse = until it begins (transfer + parse + spool), store = until its last session/denial/snapshot write ends, roll-up = until it ends (incl. COMMIT)',
  );
  out(
    `  - ceiling: COPY … FROM STDIN (PostgreSQL: pg-copy-streams; PGlite: the same statement through its wire protocol) of exactly the session rows the upload stored ` +
      `into a scratch table LIKE usage_sessions INCLUDING ALL, ${COPY_RUNS} runs, median; target: end to end ≥ ${TARGET_RATIO} × COPY rows/s`,
  );

  const workDir = mkdtempSync(path.join(os.tmpdir(), 'seatwise-bench-ingest-log-'));
  const reports: EngineReport[] = [];
  let postgresNote = '';
  await withCleanup(
    async () => rmSync(workDir, { recursive: true, force: true }),
    async () => {
      const logFile = path.join(workDir, 'lmgrd.log');
      const generatedAt = performance.now();
      const generated = generateFlexlmLog(logFile, SIZE_MB * 1e6, SEED);
      out(
        `  - generated ${num(statSync(logFile).size / 2 ** 20, 1)} MiB, ${num(generated.lines)} lines, ${num(generated.events)} events over ${num(generated.days, 1)} days ` +
          `in ${secs(performance.now() - generatedAt)}`,
      );

      if (ENGINES.includes('pglite')) {
        const pglite = await openPgliteEngine();
        reports.push(await withCleanup(() => pglite.teardown(), () => benchEngine(pglite, logFile)));
      }
      if (ENGINES.includes('postgres')) {
        const server = await findPostgresServer(REPO_ROOT);
        if ('skipped' in server) {
          postgresNote = `PostgreSQL part skipped: ${server.skipped}.`;
          out();
          out(`== PostgreSQL: ${postgresNote}`);
          return;
        }
        postgresNote = `PostgreSQL: ${server.source}`;
        await withCleanup(server.stop, async () => {
          const postgres = await openPostgresEngine(server.url);
          reports.push(await withCleanup(() => postgres.teardown(), () => benchEngine(postgres, logFile)));
        });
      }
    },
  );

  out();
  out('Summary (sessions/s end to end = sessions stored ÷ time from first byte sent to the answer)');
  const columns = [12, 10, 9, 12, 9, 9, 9, 15, 13, 7, 16];
  const line = (cells: string[]) => `  ${cells.map((cell, i) => (i === 0 ? cell.padEnd(columns[0]!) : cell.padStart(columns[i]!))).join('')}`;
  out(line(['engine', 'sessions', 'e2e s', 'sessions/s', 'parse s', 'store s', 'roll-up', 're-upload s/s', 'COPY rows/s', 'ratio', 'verdict']));
  for (const report of reports) {
    const copyRate = (report.copy.rows / summarize(report.copy.runs).p50) * 1000;
    const rate = (report.first.sessions / report.first.totalMs) * 1000;
    const ratio = rate / copyRate;
    out(
      line([
        report.label,
        num(report.first.sessions),
        num(report.first.totalMs / 1000, 2),
        num(rate),
        num(report.first.parseMs / 1000, 2),
        num(report.first.storeMs / 1000, 2),
        num(report.first.rollupMs / 1000, 2),
        report.again ? num((report.again.sessions / report.again.totalMs) * 1000) : '–',
        num(copyRate),
        num(ratio, 2),
        ratio >= TARGET_RATIO ? 'MET' : `MISS (${num(ratio / TARGET_RATIO, 2)}×)`,
      ]),
    );
  }
  for (const report of reports) {
    const copyRate = (report.copy.rows / summarize(report.copy.runs).p50) * 1000;
    const storeRate = (report.first.sessions / (report.first.storeMs + report.first.rollupMs)) * 1000;
    out(
      `  ${report.label}: store + roll-up alone ${num(storeRate)} sessions/s = ${num(storeRate / copyRate, 2)} × COPY` +
        (Number.isFinite(report.copy.withForeignKeysMs) ? `; COPY with the foreign keys ${num((report.copy.rows / report.copy.withForeignKeysMs) * 1000)} rows/s` : ''),
    );
  }
  if (postgresNote) out(`  ${postgresNote}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:ingest failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
