// npm run bench:analytics — read latency of the usage analytics endpoints over a year of a 10 000-person site,
// on embedded PGlite and, when a PostgreSQL superuser URL is given, on PostgreSQL.
// A measurement, not a test: it prints figures and the method, and exits 0 whether the target is met or not.
//
// The year is generated straight into the roll-up tables (usage_hourly, usage_daily, usage_person_daily,
// usage_person_monthly) with INSERT … SELECT over generate_series, as the database owner: what is measured
// is reading, and the roll-ups are all that the analytics endpoints read.
//
// Environment: BENCH_RUNS (20 timed runs per request), BENCH_WARMUP_RUNS (3), BENCH_PEOPLE (10000),
// BENCH_ENGINES (pglite,postgres),
// BENCH_DATABASE_URL, TEST_DATABASE_URL or DATABASE_URL (a PostgreSQL superuser URL; a database and a login
// role are created for the run and dropped at the end; without one the PostgreSQL part is skipped).
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../src/app.ts';
import type { Config } from '../src/config.ts';
import { openPostgres, type Database } from '../src/db/connect.ts';
import { openConfiguredDatabase, type OpenedDatabase } from '../src/db/open.ts';
import { createTenancy } from '../src/db/tenant.ts';
import { hashPassword } from '../src/lib/password.ts';
import { insertUser } from '../src/modules/auth/auth.repo.ts';
import { insertMembership } from '../src/modules/members/members.repo.ts';
import { insertOrganization } from '../src/modules/orgs/orgs.repo.ts';
import { ALL_SERVERS } from '../src/modules/usage/rollup.repo.ts';
import { createBenchDatabase } from './postgres.ts';
import { busyShare, machineCpu } from './stats.ts';
import { benchConfig, ms, num, out, packageVersion } from './common.ts';


function envNumber(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be a whole number ≥ ${min} (got "${raw}")`);
  return value;
}

const RUNS = envNumber('BENCH_RUNS', 20, 1);
const WARMUP_RUNS = envNumber('BENCH_WARMUP_RUNS', 3, 0);
const PEOPLE = envNumber('BENCH_PEOPLE', 10_000, 100);
/** Which engines to measure: pglite, postgres or both (postgres needs a superuser URL, see above). */
const ENGINES = (process.env.BENCH_ENGINES ?? 'pglite,postgres').split(',').map((engine) => engine.trim());
/** The target of the issue: a year answers in well under a second. */
const TARGET_MS = 1000;

const YEAR_FROM = '2025-01-01';
const YEAR_TO = '2025-12-31';
/** Features of the site: the first is used by everyone (a base CAD seat), each other one by a cohort. */
const FEATURES = 40;
/** People per cohort feature. */
const COHORT = Math.floor(PEOPLE / 25);
/** Requests arrive as from a TLS-terminating proxy on this machine (production serves HTTPS only). */
const VIA_PROXY = { 'x-forwarded-proto': 'https' };
const SERVERS = [
  { name: 'flex-berlin', timeZone: 'Europe/Berlin', share: 0.6 },
  { name: 'flex-boston', timeZone: 'America/New_York', share: 0.4 },
] as const;

/** Nearest-rank percentile of a sample. */
function percentile(values: readonly number[], percent: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((percent / 100) * sorted.length) - 1))]!;
}

// ------------------------------------------------------------------------------------------------ data

interface Site {
  orgId: string;
  serverIds: string[];
  featureIds: string[];
  email: string;
  password: string;
}

/** The organisation and its Owner, inserted as sign-up would (a system transaction), and the servers and features. */
async function seedSite(opened: OpenedDatabase): Promise<Site> {
  const site: Site = {
    orgId: randomUUID(),
    serverIds: SERVERS.map(() => randomUUID()),
    featureIds: Array.from({ length: FEATURES }, () => randomUUID()),
    email: 'owner@analytics.bench.example',
    password: `Bench-${randomBytes(12).toString('base64url')}-lantern`,
  };
  const passwordHash = await hashPassword(site.password);
  await createTenancy(opened.db).withSystemTx('benchmark: seed an organisation', async (tx) => {
    const userId = randomUUID();
    await insertOrganization(tx, { id: site.orgId, name: 'Analytics bench site' });
    await insertUser(tx, { id: userId, email: site.email, name: 'Bench Owner', passwordHash, emailVerified: true });
    await insertMembership(tx, { orgId: site.orgId, userId, role: 'owner' });
  });
  return site;
}

interface LoadReport {
  seconds: number;
  rows: Record<string, number>;
}

/**
 * A year of usage straight into the roll-ups, as the owner. Shapes, not realism, matter here: people work
 * on weekdays (85 % of them on a given day for the base feature, half of a cohort for the others), hourly
 * rows exist for the hours something happened, and every figure varies so that nothing compresses away.
 */
async function loadYear(owner: Database, site: Site): Promise<LoadReport> {
  const started = performance.now();
  const features = site.featureIds.map((id, index) => ({ id, index, people: index === 0 ? PEOPLE : COHORT }));
  await owner.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO license_servers (org_id, id, name, host, port, time_zone)
       SELECT $1, s.id, s.name, s.name, 27000, s.zone FROM unnest($2::uuid[], $3::text[], $4::text[]) AS s(id, name, zone)`,
      [site.orgId, site.serverIds, SERVERS.map((s) => s.name), SERVERS.map((s) => s.timeZone)],
    );
    await tx.query(
      `INSERT INTO features (org_id, id, vendor, name, seats_owned)
       SELECT $1, f.id, CASE WHEN f.n % 3 = 0 THEN 'MLM' WHEN f.n % 3 = 1 THEN 'ansyslmd' ELSE 'snpslmd' END,
              'feature_' || lpad(f.n::text, 2, '0'), CASE WHEN f.n % 4 = 3 THEN NULL ELSE f.people END
         FROM unnest($2::uuid[], $3::int[], $4::int[]) AS f(id, n, people)`,
      [site.orgId, features.map((f) => f.id), features.map((f) => f.index), features.map((f) => Math.round(f.people * 0.7))],
    );
    await tx.query(
      `INSERT INTO usage_identities (org_id, kind, key, display)
       SELECT $1, 'user', 'u' || lpad(p::text, 6, '0'), 'Person ' || p FROM generate_series(1, $2::int) AS p`,
      [site.orgId, PEOPLE],
    );
  });

  // Rows go in by day, as the roll-ups of a live site are written a day or an upload at a time (so that rows
  // of one day lie together on disk, as they would).
  // Per person and local day. Person p uses feature 0 on 85 % of weekdays; person p is in the cohort of
  // feature f ≥ 1 when (p + 7f) mod 25 = 0, and uses it on half of the weekdays.
  await owner.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO usage_person_daily (org_id, feature_id, user_id, day, seat_ms, sessions, idle_checkins, last_used_at)
       SELECT $1, f.id, i.id, d::date,
              (2 + (p * 13 + k * 7) % 6) * 3600000::bigint + ((p * 31 + k) % 60) * 60000,
              1 + (p + k) % 3,
              CASE WHEN (p + k) % 10 = 0 THEN 1 ELSE 0 END,
              (d::date + time '15:00' + ((p * 17 + k) % 240) * interval '1 minute') AT TIME ZONE 'Europe/Berlin'
         FROM unnest($2::uuid[], $3::int[]) AS f(id, n)
         JOIN usage_identities i ON i.org_id = $1 AND i.kind = 'user'
         CROSS JOIN LATERAL (SELECT substr(i.key, 2)::int AS p) AS person
         CROSS JOIN generate_series($4::date, $5::date, interval '1 day') AS d
         CROSS JOIN LATERAL (SELECT (d::date - $4::date) AS k) AS dayno
        WHERE extract(isodow FROM d) < 6
          AND (f.n = 0 OR (p + 7 * f.n) % 25 = 0)
          AND (p * 7919 + k * 104729 + f.n * 31) % 100 < CASE WHEN f.n = 0 THEN 85 ELSE 50 END
        ORDER BY d, f.n, p`,
      [site.orgId, features.map((f) => f.id), features.map((f) => f.index), YEAR_FROM, YEAR_TO],
    );
    await tx.query(
      `INSERT INTO usage_person_monthly (org_id, feature_id, user_id, month, seat_ms, sessions, idle_checkins, last_used_at)
       SELECT org_id, feature_id, user_id, date_trunc('month', day)::date, sum(seat_ms), sum(sessions), sum(idle_checkins), max(last_used_at)
         FROM usage_person_daily WHERE org_id = $1
        GROUP BY org_id, feature_id, user_id, date_trunc('month', day)
        ORDER BY date_trunc('month', day), feature_id, user_id`,
      [site.orgId],
    );
  });

  // Per server (and all servers) and local day: every weekday, and a tenth of the load on weekends.
  const serverIds = [...site.serverIds, ALL_SERVERS];
  const shares = [...SERVERS.map((s) => s.share), 1];
  const zones = [...SERVERS.map((s) => s.timeZone), 'Europe/Berlin'];
  await owner.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO usage_daily (org_id, feature_id, license_server_id, day, users, peak, peak_at, seat_ms, denials, retried_denials)
       SELECT $1, f.id, s.id, d::date, u.users, greatest(1, (u.users * 0.7)::int),
              (d::date + time '10:00' + ((k * 37 + f.n) % 300) * interval '1 minute') AT TIME ZONE s.zone,
              u.users * (4 * 3600000::bigint + (k * 61 + f.n) % 3600000),
              (k + f.n) % 4, (k + f.n) % 3 / 2
         FROM unnest($2::uuid[], $3::int[], $4::int[]) AS f(id, n, people)
         CROSS JOIN unnest($5::uuid[], $6::float8[], $7::text[]) AS s(id, share, zone)
         CROSS JOIN generate_series($8::date, $9::date, interval '1 day') AS d
         CROSS JOIN LATERAL (SELECT (d::date - $8::date) AS k) AS dayno
         CROSS JOIN LATERAL (
           SELECT greatest(1, (f.people * s.share * CASE WHEN extract(isodow FROM d) < 6 THEN 0.8 ELSE 0.08 END
                               * (0.9 + ((k * 13 + f.n) % 20) / 100.0))::int) AS users) AS u
        ORDER BY d, f.n, s.id`,
      [site.orgId, features.map((f) => f.id), features.map((f) => f.index), features.map((f) => f.people), serverIds, shares, zones, YEAR_FROM, YEAR_TO],
    );
    // Per UTC hour: the base feature around the clock on weekdays (two continents), the others 06–20 UTC.
    await tx.query(
      `INSERT INTO usage_hourly (org_id, feature_id, license_server_id, hour, peak, peak_at, seat_ms, denials, retried_denials)
       SELECT $1, f.id, s.id, h, v.peak, h + ((hh * 7 + f.n) % 60) * interval '1 minute', v.peak * (2400000::bigint + (hh * 97 + f.n * 13) % 1200000),
              CASE WHEN (hh + f.n) % 11 = 0 THEN 1 ELSE 0 END, 0
         FROM unnest($2::uuid[], $3::int[], $4::int[]) AS f(id, n, people)
         CROSS JOIN unnest($5::uuid[], $6::float8[]) AS s(id, share)
         CROSS JOIN generate_series($7::timestamptz, $8::timestamptz, interval '1 hour') AS h
         CROSS JOIN LATERAL (SELECT extract(hour FROM h AT TIME ZONE 'UTC')::int AS hod,
                                    (extract(epoch FROM h)::bigint / 3600) AS hh) AS t
         CROSS JOIN LATERAL (
           SELECT greatest(1, (f.people * s.share * 0.6 * (1 - abs(hod - 13) / 14.0))::int) AS peak) AS v
        WHERE extract(isodow FROM h AT TIME ZONE 'UTC') < 6 AND (f.n = 0 OR hod BETWEEN 6 AND 20)
        ORDER BY h, f.n, s.id`,
      [site.orgId, features.map((f) => f.id), features.map((f) => f.index), features.map((f) => f.people), serverIds, shares, `${YEAR_FROM}T00:00:00Z`, `${YEAR_TO}T23:00:00Z`],
    );
  });
  const seconds = (performance.now() - started) / 1000;
  const { rows } = await owner.transaction((tx) =>
    tx.query<Record<string, number>>(
      `SELECT (SELECT count(*)::int FROM usage_hourly WHERE org_id = $1) AS usage_hourly,
              (SELECT count(*)::int FROM usage_daily WHERE org_id = $1) AS usage_daily,
              (SELECT count(*)::int FROM usage_person_daily WHERE org_id = $1) AS usage_person_daily,
              (SELECT count(*)::int FROM usage_person_monthly WHERE org_id = $1) AS usage_person_monthly,
              (SELECT count(DISTINCT user_id)::int FROM usage_person_monthly WHERE org_id = $1 AND feature_id = $2) AS people_of_feature_00,
              (SELECT count(DISTINCT user_id)::int FROM usage_person_monthly WHERE org_id = $1 AND feature_id = $3) AS people_of_feature_01`,
      [site.orgId, site.featureIds[0], site.featureIds[1]],
    ),
  );
  return { seconds, rows: rows[0]! };
}

// ------------------------------------------------------------------------------------------- requests

interface Probe {
  label: string;
  url: string;
}

function probes(site: Site): Probe[] {
  const year = `from=${YEAR_FROM}&to=${YEAR_TO}`;
  const base = site.featureIds[0]!;
  const cohort = site.featureIds[1]!;
  return [
    { label: 'summary, 40 features, all servers', url: `/api/usage/summary?${year}` },
    { label: 'summary, 40 features, one server', url: `/api/usage/summary?${year}&licenseServerId=${site.serverIds[0]}` },
    { label: 'timeline by hour (8,760 points)', url: `/api/usage/features/${base}/timeline?${year}&bucket=hour` },
    { label: 'timeline by day (365 points)', url: `/api/usage/features/${base}/timeline?${year}&bucket=day` },
    { label: 'timeline by week', url: `/api/usage/features/${base}/timeline?${year}&bucket=week` },
    { label: 'timeline by month, one server', url: `/api/usage/features/${base}/timeline?${year}&bucket=month&licenseServerId=${site.serverIds[1]}` },
    { label: `people, ${num(PEOPLE)} users, first 100 (12 whole months)`, url: `/api/usage/features/${base}/people?${year}` },
    { label: `people, ${num(PEOPLE)} users, last page`, url: `/api/usage/features/${base}/people?${year}&limit=100&offset=${PEOPLE - 100}` },
    { label: `people, ${num(PEOPLE)} users, Jan 15–Dec 14 (edge days)`, url: `/api/usage/features/${base}/people?from=2025-01-15&to=2025-12-14` },
    { label: `people, cohort of ${num(COHORT)}, first 100`, url: `/api/usage/features/${cohort}/people?${year}` },
  ];
}

interface Timing {
  label: string;
  p50: number;
  p95: number;
  max: number;
  bytes: number;
}

async function timeProbes(app: FastifyInstance, token: string, site: Site): Promise<Timing[]> {
  const timings: Timing[] = [];
  for (const probe of probes(site)) {
    const once = async () => {
      const started = performance.now();
      const response = await app.inject({ method: 'GET', url: probe.url, headers: { ...VIA_PROXY, authorization: `Bearer ${token}` } });
      const elapsed = performance.now() - started;
      if (response.statusCode !== 200) throw new Error(`${probe.url}: ${response.statusCode} ${response.body.slice(0, 300)}`);
      return { elapsed, bytes: response.rawPayload.length };
    };
    for (let i = 0; i < WARMUP_RUNS; i++) await once();
    const samples: number[] = [];
    let bytes = 0;
    for (let i = 0; i < RUNS; i++) {
      const result = await once();
      samples.push(result.elapsed);
      bytes = result.bytes;
    }
    timings.push({ label: probe.label, p50: percentile(samples, 50), p95: percentile(samples, 95), max: Math.max(...samples), bytes });
  }
  return timings;
}

// ---------------------------------------------------------------------------------------------- engines

interface Engine {
  label: string;
  config: Config;
  opened: OpenedDatabase;
  /** The owner's connection: loads the data. */
  owner: Database;
  version: string;
  teardown(): Promise<void>;
}

async function serverVersion(db: Database): Promise<string> {
  const { rows } = await db.transaction((tx) => tx.query<{ version: string }>("SELECT current_setting('server_version') AS version"));
  return rows[0]!.version;
}

/** Embedded PGlite in a temporary DATA_DIR (on disk, as in production), opened and migrated as main.ts does. */
async function openPgliteEngine(): Promise<Engine> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'seatwise-analytics-bench-'));
  try {
    const config = benchConfig({ DATA_DIR: dataDir });
    const opened = await openConfiguredDatabase(config);
    await opened.migrate();
    return {
      label: 'PGlite',
      config,
      opened,
      // PGlite logs in as its superuser; a plain transaction acts as the owner.
      owner: opened.db,
      version: `PGlite ${packageVersion('@electric-sql/pglite')} (PostgreSQL ${await serverVersion(opened.db)}, WASM, on disk)`,
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

/** A fresh database on the server: migrated and loaded by the owner, served through a login role that owns nothing. */
async function openPostgresEngine(superuserUrl: string): Promise<Engine> {
  const database = await createBenchDatabase(superuserUrl);
  try {
    const config = benchConfig({ DATABASE_URL: database.appUrl, MIGRATION_DATABASE_URL: database.ownerUrl });
    const opened = await openConfiguredDatabase(config);
    await opened.migrate();
    await database.createLoginRole();
    const owner = openPostgres(database.ownerUrl, 1);
    return {
      label: 'PostgreSQL',
      config,
      opened,
      owner,
      version: `PostgreSQL ${await serverVersion(owner)}`,
      async teardown() {
        await owner.close();
        await opened.close();
        await database.drop();
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}

interface EngineReport {
  label: string;
  version: string;
  load: LoadReport;
  asLoaded: Timing[];
  analysed: Timing[];
}

async function benchEngine(engine: Engine): Promise<EngineReport> {
  out();
  out(`== ${engine.label}: ${engine.version}`);
  const site = await seedSite(engine.opened);
  const load = await loadYear(engine.owner, site);
  out(`  loaded in ${num(load.seconds, 1)} s: ${Object.entries(load.rows).map(([table, count]) => `${table} ${num(count)}`).join(', ')}`);

  const { app } = await buildApp({ config: engine.config, db: engine.opened.db, logger: pino({ level: 'silent' }), webDist: '/nonexistent' });
  await app.ready();
  try {
    const signIn = await app.inject({ method: 'POST', url: '/api/auth/sign-in', headers: VIA_PROXY, payload: { email: site.email, password: site.password } });
    if (signIn.statusCode !== 200) throw new Error(`sign-in failed: ${signIn.statusCode} ${signIn.body}`);
    const token = (signIn.json() as { accessToken: string }).accessToken;

    // As loaded: no statistics yet (PGlite has no autovacuum, so an embedded site may stay like this).
    const asLoaded = await timeProbes(app, token, site);
    printTimings('as loaded (no ANALYZE)', asLoaded);
    await engine.owner.transaction((tx) => tx.exec('ANALYZE usage_hourly, usage_daily, usage_person_daily, usage_person_monthly, usage_identities, features'));
    const analysed = await timeProbes(app, token, site);
    printTimings('after ANALYZE', analysed);
    return { label: engine.label, version: engine.version, load, asLoaded, analysed };
  } finally {
    await app.close();
  }
}

function printTimings(title: string, timings: Timing[]): void {
  out(`  ${title}: ms per request over ${RUNS} runs after ${WARMUP_RUNS} warm-up runs`);
  out(`    ${'request'.padEnd(52)}${'p50'.padStart(9)}${'p95'.padStart(9)}${'max'.padStart(9)}${'bytes'.padStart(11)}`);
  for (const t of timings) {
    out(`    ${t.label.padEnd(52)}${ms(t.p50).padStart(9)}${ms(t.p95).padStart(9)}${ms(t.max).padStart(9)}${num(t.bytes).padStart(11)}`);
  }
}

// ------------------------------------------------------------------------------------------------- main

async function main(): Promise<void> {
  const before = machineCpu();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const busy = busyShare(before, machineCpu());
  const cpus = os.cpus();
  out('Usage analytics benchmark (npm run bench:analytics)');
  out(`  machine: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${num(os.totalmem() / 1024 ** 3, 1)} GiB RAM, ${os.type()} ${os.release()} ${os.arch()}`);
  out(`  Node ${process.version}, Fastify ${packageVersion('fastify')}; machine ${num(busy * 100)} % busy before the run`);
  out(`  site: ${num(PEOPLE)} people, ${FEATURES} features (feature_00 used by everyone, the others by ${num(COHORT)} each), ${SERVERS.length} servers`);
  out(`        (${SERVERS.map((s) => s.timeZone).join(', ')}), one year ${YEAR_FROM} … ${YEAR_TO}, written straight into the roll-ups`);
  out('  method: app.inject() on the full application (every plugin, Bearer token, RLS, the service\'s transaction),');
  out(`          one request at a time; ${WARMUP_RUNS} warm-up runs, then ${RUNS} timed runs; nearest-rank p50 and p95`);

  const reports: EngineReport[] = [];
  if (ENGINES.includes('pglite')) {
    const pglite = await openPgliteEngine();
    try {
      reports.push(await benchEngine(pglite));
    } finally {
      await pglite.teardown();
    }
  }

  const superuserUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (!ENGINES.includes('postgres')) {
    out();
    out('== PostgreSQL: not asked for (BENCH_ENGINES)');
  } else if (!superuserUrl) {
    out();
    out('== PostgreSQL: skipped (set BENCH_DATABASE_URL, TEST_DATABASE_URL or DATABASE_URL to a superuser URL, or run');
    out('   scripts/pg-test-cluster.sh run -- npm run bench:analytics)');
  } else {
    const postgres = await openPostgresEngine(superuserUrl);
    try {
      reports.push(await benchEngine(postgres));
    } finally {
      await postgres.teardown();
    }
  }

  out();
  out(`Target: a year answers in well under ${TARGET_MS} ms.`);
  for (const report of reports) {
    for (const [title, timings] of [['as loaded', report.asLoaded], ['after ANALYZE', report.analysed]] as const) {
      const worst = timings.reduce((a, b) => (b.p95 > a.p95 ? b : a));
      out(`  ${report.label}, ${title}: slowest p95 ${ms(worst.p95)} ms (${worst.label}) → ${worst.p95 < TARGET_MS ? 'PASS' : 'MISS'}`);
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
