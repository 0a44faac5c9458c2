// npm run bench:api — throughput and latency of the authenticated, RLS-scoped list endpoint GET /api/members
// against a bare Fastify route, with and without concurrent sign-ins, on PGlite and on a PostgreSQL server.
// A measurement, not a test: it prints figures and the method, and exits 0 whether the targets are met or not.
//
// Environment: BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (2), BENCH_PROFILE_SECONDS (3; 0 skips the profile
// ladder), BENCH_CONNECTIONS (10), BENCH_DATABASE_URL (a PostgreSQL superuser URL; otherwise a throwaway
// PostgreSQL 15 cluster is started with scripts/pg-test-cluster.sh when installed).
import { fork } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { MemberList } from '@seatwise/protocol';
import Fastify from 'fastify';
import { serializerCompiler } from 'fastify-type-provider-zod';
import { buildApp } from '../src/app.ts';
import type { Config } from '../src/config.ts';
import type { Queryable } from '../src/db/connect.ts';
import { openConfiguredDatabase, type OpenedDatabase } from '../src/db/open.ts';
import { assertSafeRoles, createTenancy } from '../src/db/tenant.ts';
import { BCRYPT_COST, verifyPassword } from '../src/lib/password.ts';
import { createLogger } from '../src/logger.ts';
import { findActiveMember } from '../src/modules/access/access.repo.ts';
import { createTokenService } from '../src/modules/auth/auth.tokens.ts';
import { findMembers } from '../src/modules/members/members.repo.ts';
import { probeDatabase, type DbWindow } from './db-probe.ts';
import type { LoadJob, LoadReply, LoadResult } from './load-protocol.ts';
import { createBenchDatabase, findPostgresServer } from './postgres.ts';
import { MEMBERS_PER_ORGANIZATION, ORGANIZATIONS, prepareCredentials, seedOrganizations, SIGN_IN_USERS, type BenchCredentials } from './seed.ts';
import { busyShare, machineCpu, postgresCpuMs, summarize, type MachineCpu } from './stats.ts';
import { benchConfig, envNumber, ms, num, out, packageVersion, pct, REPO_ROOT, withCleanup } from './common.ts';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));

const SECONDS = envNumber('BENCH_SECONDS', 10, 1);
const WARMUP_SECONDS = envNumber('BENCH_WARMUP_SECONDS', 2, 0);
const PROFILE_SECONDS = envNumber('BENCH_PROFILE_SECONDS', 3, 0);
const CONNECTIONS = Math.round(envNumber('BENCH_CONNECTIONS', 10, 1));
/** The issue's targets, checked on the PostgreSQL server. */
const TARGET_MIN_RATIO = 0.25;
const TARGET_MAX_P99_UNDER_SIGN_INS_MS = 50;

// ---------------------------------------------------------------------------------------------- output

// ------------------------------------------------------------------------------------- cleanup on exit

// --------------------------------------------------------------------------------------- load process

interface LoadProcess {
  /** Runs a job; onWindowEnd is called when the measured window closes (sign-ins may still be finishing). */
  run(job: Omit<LoadJob, 'id'>, onWindowEnd?: () => void): Promise<LoadResult>;
  stop(): Promise<void>;
}

/** Forks load-client.ts (with this process's tsx loader flags) and talks to it over IPC. */
function startLoadProcess(): LoadProcess {
  const child = fork(path.join(BENCH_DIR, 'load-client.ts'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, { resolve: (result: LoadResult) => void; reject: (error: Error) => void; onWindowEnd?: () => void }>();
  let nextId = 1;
  child.on('message', (reply: LoadReply) => {
    const waiter = pending.get(reply.id);
    if ('windowEnd' in reply) {
      waiter?.onWindowEnd?.();
      return;
    }
    pending.delete(reply.id);
    if ('error' in reply) waiter?.reject(new Error(`load process: ${reply.error}`));
    else waiter?.resolve(reply);
  });
  child.on('exit', (code, signal) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`load process exited (${code ?? signal})`));
    pending.clear();
  });
  return {
    run(job, onWindowEnd) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject, ...(onWindowEnd ? { onWindowEnd } : {}) });
        child.send({ ...job, id } satisfies LoadJob);
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      if (child.connected) child.disconnect();
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill();
    },
  };
}

// --------------------------------------------------------------------------------------- measurements

/** One measurement window: what the load process saw, and what this (the server) process and the machine did. */
interface Measurement {
  load: LoadResult;
  /** CPU this process used per 2xx response (µs): Fastify, the app, the pg driver, and PGlite when embedded. */
  serverCpuPerRequestUs: number;
  /** CPU of this database's PostgreSQL backends per 2xx response (µs); NaN when they cannot be read (PGlite, a remote server). */
  postgresCpuPerRequestUs: number;
  /** CPU of the load process per 2xx response (µs). */
  clientCpuPerRequestUs: number;
  /** Share of the whole machine (every core) busy during the window. */
  machineBusy: number;
  /** The server's event-loop delay, p99 (ms): how long a ready callback waited for the loop. */
  eventLoopP99Ms: number;
  db: DbWindow | undefined;
}

const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();

async function measure(
  load: LoadProcess,
  job: Omit<LoadJob, 'id'>,
  probe?: ReturnType<typeof probeDatabase>,
  backendPids?: () => Promise<number[]>,
): Promise<Measurement> {
  const pids = backendPids ? await backendPids() : [];
  const postgresBefore = postgresCpuMs(pids);
  probe?.reset();
  loopDelay.reset();
  const cpuBefore = process.cpuUsage();
  const machineBefore = machineCpu();
  let atEnd: { cpu: NodeJS.CpuUsage; machine: MachineCpu; postgresMs: number; loopP99: number; db: DbWindow | undefined } | undefined;
  const takeEnd = () => {
    atEnd ??= {
      cpu: process.cpuUsage(cpuBefore),
      machine: machineCpu(),
      postgresMs: postgresCpuMs(pids) - postgresBefore,
      loopP99: loopDelay.percentile(99),
      db: probe?.read(),
    };
  };
  const result = await load.run(job, takeEnd);
  takeEnd();
  const { cpu, machine: machineAfter, loopP99, db } = atEnd!;
  let { postgresMs } = atEnd!;
  // Backends the pool opened during the window did all their work in it (only possible without warm-up).
  if (backendPids) postgresMs += postgresCpuMs((await backendPids()).filter((pid) => !pids.includes(pid)));
  const requests = Math.max(1, result.ok);
  if (result.errors > 0 || result.non2xx > 0 || result.timeouts > 0) {
    out(`  ! ${job.url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  return {
    load: result,
    serverCpuPerRequestUs: (cpu.user + cpu.system) / requests,
    postgresCpuPerRequestUs: pids.length > 0 ? (postgresMs * 1000) / requests : Number.NaN,
    clientCpuPerRequestUs: (result.clientCpuSeconds * 1e6) / requests,
    machineBusy: busyShare(machineBefore, machineAfter),
    // monitorEventLoopDelay reports the timer's lateness including its own resolution.
    eventLoopP99Ms: Math.max(0, loopP99 / 1e6 - 5),
    db,
  };
}

async function warmUp(load: LoadProcess, url: string, headers: Record<string, string>, seconds = WARMUP_SECONDS): Promise<void> {
  if (seconds > 0) await load.run({ url, headers, connections: CONNECTIONS, seconds });
}

/** Share of the machine busy over one second while this benchmark does nothing (other processes' load). */
async function backgroundLoad(): Promise<number> {
  const before = machineCpu();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  return busyShare(before, machineCpu());
}

/** Mean time of one call, in microseconds, after a short warm-up. */
async function timePerCall(iterations: number, fn: () => unknown): Promise<number> {
  for (let i = 0; i < Math.min(200, Math.ceil(iterations / 10)); i += 1) await fn();
  const started = performance.now();
  for (let i = 0; i < iterations; i += 1) await fn();
  return ((performance.now() - started) * 1000) / iterations;
}

// ------------------------------------------------------------------------------------------- engines

interface Engine {
  label: string;
  config: Config;
  opened: OpenedDatabase;
  /** Process ids of the server backends serving this database, when they run on this machine. */
  backendPids?: () => Promise<number[]>;
  teardown(): Promise<void>;
}

/** Requests arrive as from a TLS-terminating proxy (production serves HTTPS only). */
const VIA_PROXY = { 'x-forwarded-proto': 'https' };

/** Embedded PGlite in a temporary DATA_DIR, opened and migrated the way main.ts does it. */
async function openPgliteEngine(): Promise<Engine> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'seatwise-bench-'));
  try {
    const config = benchConfig({ DATA_DIR: dataDir });
    const opened = await openConfiguredDatabase(config);
    await opened.migrate();
    return {
      label: 'PGlite',
      config,
      opened,
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

/** A fresh database on the server: migrated by the owner, served through a login role that owns nothing. */
async function openPostgresEngine(superuserUrl: string): Promise<Engine> {
  const database = await createBenchDatabase(superuserUrl);
  try {
    const config = benchConfig({ DATABASE_URL: database.appUrl, MIGRATION_DATABASE_URL: database.ownerUrl });
    const opened = await openConfiguredDatabase(config);
    await opened.migrate();
    await database.createLoginRole();
    const local = ['127.0.0.1', 'localhost', '[::1]', ''].includes(new URL(superuserUrl).hostname) && process.platform === 'linux';
    return {
      label: 'PostgreSQL',
      config,
      opened,
      ...(local
        ? {
            backendPids: async () =>
              (
                await opened.db.transaction((tx) =>
                  tx.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()'),
                )
              ).rows.map((row) => row.pid),
          }
        : {}),
      async teardown() {
        await opened.close();
        await database.drop();
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}

// ----------------------------------------------------------------------------------------- one engine

interface EngineReport {
  label: string;
  version: string;
  bare: Measurement;
  members: Measurement;
  loaded: Measurement;
}

/** Widths of the result table's columns; the first is left-aligned. */
const COLUMNS = [52, 9, 9, 9, 10, 8, 9, 8, 9];
const tableLine = (cells: string[]) => `  ${cells.map((cell, i) => (i === 0 ? cell.padEnd(COLUMNS[0]!) : cell.padStart(COLUMNS[i]!))).join('')}`;

function printRow(label: string, m: Measurement): void {
  const { load: result } = m;
  out(
    tableLine([
      label,
      num(result.requestsPerSecond),
      ms(result.latency.p50),
      ms(result.latency.p99),
      num(m.serverCpuPerRequestUs),
      num(m.postgresCpuPerRequestUs),
      num(m.clientCpuPerRequestUs),
      pct(m.machineBusy),
      ms(m.eventLoopP99Ms),
    ]),
  );
}

function printDb(label: string, db: DbWindow | undefined, requests: number): void {
  if (!db || db.transactions === 0) return;
  out(
    `  ${label}: ${num(db.transactions / Math.max(1, requests), 2)} transactions per request, ` +
      `${num(db.statements / db.transactions + 2, 1)} round trips each (BEGIN, ${num(db.statements / db.transactions, 1)} statements, COMMIT); ` +
      `waiting for the connection p50 ${ms(db.waitMs.p50)} / p99 ${ms(db.waitMs.p99)} ms, ` +
      `statements p50 ${ms(db.workMs.p50)} / p99 ${ms(db.workMs.p99)} ms, whole transaction p50 ${ms(db.totalMs.p50)} / p99 ${ms(db.totalMs.p99)} ms`,
  );
}

async function benchEngine(engine: Engine, load: LoadProcess, credentials: BenchCredentials): Promise<EngineReport> {
  const { config } = engine;
  const probe = probeDatabase(engine.opened.db);
  const tenancy = createTenancy(engine.opened.db);
  await assertSafeRoles(probe.db, createTenancy(probe.db));
  const version = (await engine.opened.db.transaction((tx) => tx.query<{ version: string }>('SELECT version()'))).rows[0]?.version ?? 'unknown';
  const { listedOrgId } = await seedOrganizations(tenancy, credentials);

  const { app } = await buildApp({ config, db: probe.db, logger: createLogger(config.logLevel) });
  const bare = Fastify({ logger: false });
  bare.get('/', async () => ({ hello: 'world' }));

  return withCleanup(
    async () => {
      await app.close();
      await bare.close();
    },
    async () => {
      await app.listen({ host: '127.0.0.1', port: 0 });
      await bare.listen({ host: '127.0.0.1', port: 0 });
      const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const bareUrl = `http://127.0.0.1:${(bare.server.address() as AddressInfo).port}/`;
      const membersUrl = `${base}/api/members`;

      // A real sign-in of the Owner through the API (again before each measurement, so that a long
      // BENCH_SECONDS never outlives the 15-minute access token), then one list to check the answer.
      const signInOwner = async () => {
        const signIn = await fetch(`${base}/api/auth/sign-in`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...VIA_PROXY },
          body: JSON.stringify(credentials.owner),
        });
        if (!signIn.ok) throw new Error(`the Owner could not sign in: ${signIn.status} ${await signIn.text()}`);
        const session = (await signIn.json()) as { accessToken: string; orgId: string; role: string };
        if (session.orgId !== listedOrgId || session.role !== 'owner') throw new Error('the Owner signed in to the wrong organisation');
        return { session, auth: { authorization: `Bearer ${session.accessToken}`, ...VIA_PROXY } };
      };
      let { session, auth } = await signInOwner();
      const listed = await fetch(membersUrl, { headers: auth });
      const listedBody = await listed.text();
      const members = MemberList.parse(JSON.parse(listedBody)).members;
      const allMemberships = await tenancy.withSystemTx('benchmark: count every membership', async (tx) =>
        Number((await tx.query<{ count: number }>('SELECT count(*)::int AS count FROM memberships')).rows[0]?.count ?? 0),
      );
      if (members.length !== MEMBERS_PER_ORGANIZATION || members.some((member) => !member.email.endsWith('@org-1.bench.example'))) {
        throw new Error(`GET /api/members listed ${members.length} members, not the ${MEMBERS_PER_ORGANIZATION} of the Owner's organisation`);
      }

      out();
      out(`== ${engine.label}: ${version}`);
      const serving =
        engine.opened.db.engine === 'postgres'
          ? `pool of ${config.databasePoolSize} connections as a non-superuser login role`
          : 'in this process, DATA_DIR in a temporary directory';
      out(
        `   ${serving}; ` +
          `GET /api/members answers ${members.length} of the ${allMemberships} memberships (${listedBody.length.toLocaleString('en-GB')} bytes of JSON)`,
      );

      const job = (url: string, headers: Record<string, string> = {}, seconds = SECONDS): Omit<LoadJob, 'id'> => ({ url, headers, connections: CONNECTIONS, seconds });

      const idle = await backgroundLoad();
      const noisy = idle > 0.1 ? ' — other work is running here; figures will be lower and noisier' : '';
      out(`  machine busy with nothing of ours running (1 s before the measurements): ${pct(idle)}${noisy}`);
      out();
      out(tableLine(['measurement', 'req/s', 'p50 ms', 'p99 ms', 'srv µs', 'pg µs', 'load µs', 'busy', 'loop ms']));

      await warmUp(load, bareUrl, {});
      const bareResult = await measure(load, job(bareUrl));
      printRow('bare Fastify GET / (reference)', bareResult);

      ({ session, auth } = await signInOwner());
      await warmUp(load, membersUrl, auth);
      const membersResult = await measure(load, job(membersUrl, auth), probe, engine.backendPids);
      printRow('GET /api/members (Bearer, RLS, 50 rows)', membersResult);

      // The profile ladder: each step adds one layer of what GET /api/members does.
      const ladder: [string, string, Record<string, string>][] = [
        ['  profile: GET /healthz (app plugins, no auth)', `${base}/healthz`, VIA_PROXY],
        ['  profile: GET /healthz + Bearer (+ JWT verify)', `${base}/healthz`, auth],
        ['  profile: GET /readyz + Bearer (+ 1 DB transaction)', `${base}/readyz`, auth],
      ];
      if (PROFILE_SECONDS > 0) {
        for (const [label, url, headers] of ladder) {
          await warmUp(load, url, headers, Math.min(1, WARMUP_SECONDS));
          printRow(label, await measure(load, job(url, headers, PROFILE_SECONDS), probe, engine.backendPids));
        }
      }

      // While the sign-ins run, this process also times a lone JWT verification five times a second: jose
      // verifies through WebCrypto, which Node runs on the libuv thread pool, the pool bcrypt uses too.
      const tokens = createTokenService({ keys: config.jwtKeys, issuer: config.publicOrigin, csrfSecret: config.csrfSecret });
      ({ session, auth } = await signInOwner());
      const jwtSamples: Promise<number>[] = [];
      const sampler = setInterval(() => {
        const started = performance.now();
        jwtSamples.push(tokens.verifyAccessToken(session.accessToken).then(() => performance.now() - started));
      }, 200);
      const loaded = await measure(
        load,
        { ...job(membersUrl, auth), signIns: { url: `${base}/api/auth/sign-in`, credentials: credentials.signIns } },
        probe,
        engine.backendPids,
      );
      clearInterval(sampler);
      const jwtUnderSignIns = summarize(await Promise.all(jwtSamples));
      printRow(`GET /api/members while ${SIGN_IN_USERS} sign-ins run`, loaded);
      out();

      const signIns = loaded.load.signIns;
      if (signIns) {
        out(
          `  sign-ins: ${signIns.waves} wave${signIns.waves === 1 ? '' : 's'} of ${SIGN_IN_USERS} at once, ${num(signIns.ok)} succeeded, ${num(signIns.failed)} failed` +
            `${signIns.failures.length ? ` (${signIns.failures.join(', ')})` : ''}; a wave took mean ${ms(signIns.wave.mean / 1000)} s ` +
            `(max ${ms(signIns.wave.max / 1000)} s); ` +
            `one sign-in p50 ${num(signIns.latency.p50)} ms, p99 ${num(signIns.latency.p99)} ms; ${num(signIns.ok / ((signIns.wave.mean * signIns.waves) / 1000), 1)} sign-ins/s`,
        );
      }
      if (loaded.load.stuckAtEnd > 0) {
        out(
          `  list requests still waiting when the window closed: ${loaded.load.stuckAtEnd} of ${CONNECTIONS}, the oldest for ${ms(loaded.load.oldestAtEndMs)} ms ` +
            '(counted in the percentiles at that age, a lower bound)',
        );
      }
      printDb('DB, GET /api/members', membersResult.db, membersResult.load.ok);
      printDb('DB, under sign-ins (all transactions)', loaded.db, loaded.load.ok);

      // Micro-measurements, in this process, one call at a time (no load running).
      const principal = await tokens.verifyAccessToken(session.accessToken);
      if (!principal) throw new Error('the access token did not verify');
      const jwtUs = await timePerCall(20_000, () => tokens.verifyAccessToken(session.accessToken));
      const [header, claims] = session.accessToken.split('.');
      const secret = config.jwtKeys[0]!.secret;
      const hmacUs = await timePerCall(20_000, () => createHmac('sha256', secret).update(`${header}.${claims}`).digest());
      const serialize = serializerCompiler({ schema: MemberList, method: 'GET', url: '/api/members' });
      const payload = JSON.parse(listedBody) as unknown;
      const serializeUs = await timePerCall(5_000, () => serialize(payload));
      const stringifyUs = await timePerCall(5_000, () => JSON.stringify(payload));
      const dbUs = await timePerCall(500, () =>
        tenancy.withTenantTx({ orgId: listedOrgId, userId: principal.userId }, async (tx) => {
          await findActiveMember(tx, principal.userId, principal.sessionId);
          return findMembers(tx);
        }),
      );
      // Planning and execution time of the request's two queries, as the application role (median of 20).
      const plans = new Map<string, { planning: number[]; execution: number[] }>();
      for (let i = 0; i < 20; i += 1) {
        await tenancy.withTenantTx({ orgId: listedOrgId, userId: principal.userId }, async (tx) => {
          const explaining: Queryable = {
            async query(sql, params) {
              const { rows } = await tx.query<{ 'QUERY PLAN': [{ 'Planning Time': number; 'Execution Time': number }] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params);
              const plan = rows[0]!['QUERY PLAN'][0];
              const entry = plans.get(sql) ?? { planning: [], execution: [] };
              entry.planning.push(plan['Planning Time']);
              entry.execution.push(plan['Execution Time']);
              plans.set(sql, entry);
              return { rows: [], rowCount: 0 };
            },
            exec: (sql) => tx.exec(sql),
            copyFrom: (table, columns, text) => tx.copyFrom(table, columns, text),
          };
          await findActiveMember(explaining, principal.userId, principal.sessionId);
          await findMembers(explaining);
        });
      }
      const [membership, list] = [...plans.values()].map((entry) => ({ planning: summarize(entry.planning).p50, execution: summarize(entry.execution).p50 }));
      out(
        `  EXPLAIN ANALYZE as the application role (median of 20): membership check planned in ${ms(membership?.planning ?? Number.NaN)} ms, ` +
          `ran in ${ms(membership?.execution ?? Number.NaN)} ms; list query planned in ${ms(list?.planning ?? Number.NaN)} ms, ran in ${ms(list?.execution ?? Number.NaN)} ms`,
      );
      out(
        `  a lone JWT verification while the sign-ins ran (${jwtUnderSignIns.count} samples): p50 ${ms(jwtUnderSignIns.p50)} ms, ` +
          `p99 ${ms(jwtUnderSignIns.p99)} ms, max ${ms(jwtUnderSignIns.max)} ms`,
      );
      out(
        `  one call, no load: JWT verify (jose) ${num(jwtUs, 1)} µs, the HMAC-SHA256 it checks done synchronously with node:crypto ` +
          `${num(hmacUs, 1)} µs; response serialisation (zod encode + JSON.stringify) ${num(serializeUs, 1)} µs ` +
          `(JSON.stringify alone ${num(stringifyUs, 1)} µs); the request's DB transaction ${num(dbUs)} µs`,
      );
      return { label: engine.label, version, bare: bareResult, members: membersResult, loaded };
    },
  );
}

// ----------------------------------------------------------------------------------------------- main

function printTargets(report: EngineReport, binding: boolean): void {
  const ratio = report.members.load.requestsPerSecond / report.bare.load.requestsPerSecond;
  const p99 = report.loaded.load.latency.p99;
  const verdict = (ok: boolean, miss: string) => (binding ? (ok ? 'PASS' : `MISS (${miss})`) : ok ? 'would pass' : `would miss (${miss})`);
  out(
    `  ${report.label}: throughput ratio ${num(ratio, 3)} (target ≥ ${TARGET_MIN_RATIO}) … ` +
      verdict(ratio >= TARGET_MIN_RATIO, `${num((1 - ratio / TARGET_MIN_RATIO) * 100)} % short: needs ${num(report.bare.load.requestsPerSecond * TARGET_MIN_RATIO)} req/s`),
  );
  out(
    `  ${report.label}: p99 while ${SIGN_IN_USERS} sign-ins run ${ms(p99)} ms (target < ${TARGET_MAX_P99_UNDER_SIGN_INS_MS} ms) … ` +
      verdict(p99 < TARGET_MAX_P99_UNDER_SIGN_INS_MS, `${ms(p99 - TARGET_MAX_P99_UNDER_SIGN_INS_MS)} ms over, ${num(p99 / TARGET_MAX_P99_UNDER_SIGN_INS_MS, 1)}×`),
  );
}

async function main(): Promise<void> {
  const cpus = os.cpus();
  out('Seatwise API benchmark (npm run bench:api)');
  out();
  out(
    `Machine: ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${os.availableParallelism()} cores, ${num(os.totalmem() / 2 ** 30, 1)} GiB RAM, ` +
      `${os.type()} ${os.release()} ${os.arch()}; Node ${process.version}; libuv thread pool ${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}`,
  );
  out('Method:');
  out(
    `  - load: autocannon ${packageVersion('autocannon')} (programmatic API) in a child process, so it has its own event loop and heap and ` +
      `the OS can run it on the other core; ${CONNECTIONS} connections, closed loop, ${SECONDS} s per measurement after a ${WARMUP_SECONDS} s warm-up`,
  );
  out('  - latency percentiles are exact (nearest rank over every 2xx response time autocannon reports, not its 1 ms histogram)');
  out(
    `  - server: buildApp() + app.listen on 127.0.0.1:0 in this process, NODE_ENV production, LOG_LEVEL silent, every plugin on ` +
      `(rate limit raised so it never trips); reference: a bare Fastify ${packageVersion('fastify')} server in this process on 127.0.0.1:0, GET / → {"hello":"world"}`,
  );
  out(
    `  - data: ${ORGANIZATIONS} organisations × ${MEMBERS_PER_ORGANIZATION} members inserted through the repositories; the Owner of ` +
      `organisation 1 signs in through POST /api/auth/sign-in and lists its ${MEMBERS_PER_ORGANIZATION} members with a Bearer token`,
  );
  out(
    `  - sign-in load: ${SIGN_IN_USERS} different users (${SIGN_IN_USERS / ORGANIZATIONS} per organisation, bcrypt cost ${BCRYPT_COST}, correct passwords) ` +
      'POST /api/auth/sign-in all at once, wave after wave for the whole window, sent by the load process alongside autocannon',
  );
  out(
    '  - columns: srv µs / pg µs / load µs = CPU per 2xx response of the server process (PGlite runs inside it) / of this database\'s ' +
      'PostgreSQL backends (local server only) / of the load process; busy = whole machine; loop ms = server event-loop delay p99',
  );

  const credentials = await prepareCredentials();
  const bcryptMs = (await timePerCall(3, () => verifyPassword(credentials.owner.password, credentials.hashes.get(credentials.owner.email)))) / 1000;
  out(`  - one bcrypt cost-${BCRYPT_COST} check takes ${num(bcryptMs)} ms here, one at a time`);
  const load = startLoadProcess();
  const reports: EngineReport[] = [];
  let postgresNote = '';
  await withCleanup(
    () => load.stop(),
    async () => {
      const pglite = await openPgliteEngine();
      reports.push(await withCleanup(() => pglite.teardown(), () => benchEngine(pglite, load, credentials)));

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
        reports.push(await withCleanup(() => postgres.teardown(), () => benchEngine(postgres, load, credentials)));
      });
    },
  );

  out();
  out('Summary');
  const summaryColumns = [12, 12, 12, 8, 10, 10, 20, 9, 9, 14];
  const summaryLine = (cells: string[]) =>
    `  ${cells.map((cell, i) => (i === 0 ? cell.padEnd(summaryColumns[0]!) : cell.padStart(summaryColumns[i]!))).join('')}`;
  out(summaryLine(['engine', 'bare req/s', 'list req/s', 'ratio', 'list p50', 'list p99', 'under sign-ins p50', 'p99', 'req/s', 'sign-in wave']));
  for (const { label, bare, members, loaded } of reports) {
    out(
      summaryLine([
        label,
        num(bare.load.requestsPerSecond),
        num(members.load.requestsPerSecond),
        num(members.load.requestsPerSecond / bare.load.requestsPerSecond, 3),
        ms(members.load.latency.p50),
        ms(members.load.latency.p99),
        ms(loaded.load.latency.p50),
        ms(loaded.load.latency.p99),
        num(loaded.load.requestsPerSecond),
        `${ms((loaded.load.signIns?.wave.mean ?? Number.NaN) / 1000)} s`,
      ]),
    );
  }
  out(`  ${postgresNote}`);
  out();
  out('Targets (on the PostgreSQL server)');
  const postgres = reports.find((report) => report.label === 'PostgreSQL');
  if (postgres) printTargets(postgres, true);
  else out('  not checked: the PostgreSQL part was skipped');
  const embedded = reports.find((report) => report.label === 'PGlite');
  if (embedded) {
    out('For information, the same checks on PGlite:');
    printTargets(embedded, false);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:api failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
