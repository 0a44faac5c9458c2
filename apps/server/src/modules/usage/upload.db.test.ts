import { createReadStream, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createFlexlmDebugParser, createLineSplitter, createUsageAnalyser, type FeatureUsage } from '@seatwise/usage-engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFlexlmLog } from '../../../../../packages/usage-engine/bench/generate-flexlm-log.ts';
import { createTestApp, type TestApp, type TestSession } from '../../testing/test-app.ts';
import { failAbandonedUploads, failInterruptedUploads } from './upload.service.ts';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../packages/usage-engine/fixtures');
const TIME_ZONE = 'Europe/Madrid';

let t: TestApp;
let workDir: string;
let logFile: string;
/** What the usage engine itself makes of the log: the reference the stored numbers must match. */
let reference: { features: FeatureUsage[]; sessions: number };

beforeAll(async () => {
  t = await createTestApp();
  workDir = await mkdtemp(path.join(tmpdir(), 'seatwise-upload-test-'));
  logFile = path.join(workDir, 'lmgrd.log');
  generateFlexlmLog(logFile, 400_000, 7);
  let sessions = 0;
  const analyser = createUsageAnalyser({ timeZone: TIME_ZONE, onSession: () => sessions++ });
  const parser = createFlexlmDebugParser({ timeZone: TIME_ZONE }, { event: (e) => analyser.push(e), diagnostic: () => undefined });
  const splitter = createLineSplitter(parser);
  splitter.push(readFileSync(logFile));
  splitter.end();
  parser.end();
  reference = { features: analyser.finish().features, sessions };
});
afterAll(async () => {
  await t?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

const errorOf = (response: { json(): unknown }) => (response.json() as { error?: { code?: string; message?: string } }).error;

async function newServer(as: TestSession, name = `flex-${Math.random().toString(36).slice(2)}`) {
  const response = await t.request({ method: 'POST', url: '/api/license-servers', as, payload: { name, host: 'flex1', port: 27000, timeZone: TIME_ZONE } });
  expect(response.statusCode, response.body).toBe(201);
  return (response.json() as { id: string }).id;
}

async function startUpload(as: TestSession, licenseServerId: string, fileName = 'lmgrd.log') {
  const response = await t.request({ method: 'POST', url: '/api/uploads', as, payload: { licenseServerId, fileName } });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; status: string };
}

function sendContent(as: TestSession, uploadId: string, payload: string | Buffer | Readable) {
  return t.request({ method: 'PUT', url: `/api/uploads/${uploadId}/content`, as, headers: { 'content-type': 'application/octet-stream' }, payload });
}

async function upload(as: TestSession, licenseServerId: string, payload: string | Buffer | Readable) {
  const { id } = await startUpload(as, licenseServerId);
  const response = await sendContent(as, id, payload);
  return { id, response };
}

/** Counts of stored rows of one organisation, read past the API as the owner. */
async function storedCounts(orgId: string) {
  const { rows } = await t.database.owner.transaction((tx) =>
    tx.query<{ sessions: number; denials: number; daily: number; hourly: number; persons: number }>(
      `SELECT (SELECT count(*)::int FROM usage_sessions WHERE org_id = $1) AS sessions,
              (SELECT count(*)::int FROM usage_denials WHERE org_id = $1) AS denials,
              (SELECT count(*)::int FROM usage_daily WHERE org_id = $1) AS daily,
              (SELECT count(*)::int FROM usage_hourly WHERE org_id = $1) AS hourly,
              (SELECT count(*)::int FROM usage_person_daily WHERE org_id = $1) AS persons`,
      [orgId],
    ),
  );
  return rows[0]!;
}

/** Per feature, from the all-servers daily roll-up: peak, distinct users per day, seat-hours, denials. */
async function rolledUp(orgId: string) {
  const { rows } = await t.database.owner.transaction((tx) =>
    tx.query<{ vendor: string; feature: string; day: string; users: number; peak: number; seat_ms: string; denials: number; retried: number }>(
      `SELECT f.vendor, f.name AS feature, d.day::text AS day, d.users, d.peak, d.seat_ms, d.denials, d.retried_denials AS retried
         FROM usage_daily d JOIN features f ON f.org_id = d.org_id AND f.id = d.feature_id
        WHERE d.org_id = $1 AND d.license_server_id = '00000000-0000-0000-0000-000000000000'
        ORDER BY f.vendor, f.name, d.day`,
      [orgId],
    ),
  );
  const features = new Map<string, { peak: number; seatMs: number; denials: number; retried: number; dailyUsers: Record<string, number> }>();
  for (const row of rows) {
    const key = `${row.vendor}/${row.feature}`;
    const entry = features.get(key) ?? { peak: 0, seatMs: 0, denials: 0, retried: 0, dailyUsers: {} };
    entry.peak = Math.max(entry.peak, row.peak);
    entry.seatMs += Number(row.seat_ms);
    entry.denials += row.denials;
    entry.retried += row.retried;
    if (row.users > 0) entry.dailyUsers[row.day] = row.users;
    features.set(key, entry);
  }
  return features;
}

describe('Smart Upload', () => {
  it('IN-02 an uploaded FlexLM debug log is stored and rolled up to the same numbers the usage engine computes', async () => {
    const owner = await t.newOrganization('upload');
    const serverId = await newServer(owner);
    const { id, response } = await upload(owner, serverId, createReadStream(logFile));
    expect(response.statusCode, response.body).toBe(200);
    const done = response.json() as Record<string, unknown>;
    expect(done).toMatchObject({ id, status: 'done', format: 'flexlm-debug', phase: null, error: null });
    expect(done.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(done.bytesDone).toBe(readFileSync(logFile).length);
    expect(done.sessions).toBe(reference.sessions);

    const counts = await storedCounts(owner.orgId);
    expect(counts.sessions).toBe(reference.sessions);
    expect(counts.denials).toBe(reference.features.reduce((n, f) => n + f.denials + f.retriedDenials, 0));
    expect(counts.hourly).toBeGreaterThan(0);
    expect(counts.persons).toBeGreaterThan(0);

    const stored = await rolledUp(owner.orgId);
    for (const feature of reference.features.filter((f) => f.sessions > 0 || f.denials + f.retriedDenials > 0)) {
      const entry = stored.get(`${feature.vendor}/${feature.feature}`);
      expect(entry, `${feature.vendor}/${feature.feature}`).toBeDefined();
      expect(entry!.peak, feature.feature).toBe(feature.peak);
      expect(entry!.denials, feature.feature).toBe(feature.denials + feature.retriedDenials);
      expect(entry!.retried, feature.feature).toBe(feature.retriedDenials);
      expect(entry!.dailyUsers, feature.feature).toEqual(feature.dailyUsers);
      expect(Math.round(entry!.seatMs / 36_000) / 100, feature.feature).toBeCloseTo(feature.seatHours, 1);
    }
  });

  it('IN-02 every format is recognised from its content and stored: RLM, rlmstat, LM-X, lmstat and CSV as well', async () => {
    const owner = await t.newOrganization('upload-formats');
    const samples: [string, string][] = [
      ['lmstat', 'lmstat/matlab-mlm.txt'],
      ['rlm-report', readdirSync(path.join(FIXTURES, 'rlm-report')).filter((f) => !f.endsWith('.json') && !f.endsWith('.md')).map((f) => `rlm-report/${f}`)[0]!],
      ['rlm-debug', 'rlm-debug/checkin-comments.log'],
      ['rlmstat', readdirSync(path.join(FIXTURES, 'rlmstat')).filter((f) => !f.endsWith('.json') && !f.endsWith('.md')).map((f) => `rlmstat/${f}`)[0]!],
      ['lmx', 'lmx/altair-hyperworks.txt'],
      ['csv', 'csv/checkouts-with-end.csv'],
    ];
    for (const [format, file] of samples) {
      const expected = JSON.parse(readFileSync(path.join(FIXTURES, file.replace(/\.[a-z]+$/, '.expected.json')), 'utf8')) as { options?: { timeZone?: string; startDate?: string } };
      const server = await t.request({
        method: 'POST',
        url: '/api/license-servers',
        as: owner,
        payload: { name: `server-${format}`, timeZone: expected.options?.timeZone ?? 'UTC' },
      });
      const created = await t.request({
        method: 'POST',
        url: '/api/uploads',
        as: owner,
        payload: { licenseServerId: (server.json() as { id: string }).id, fileName: path.basename(file), startDate: expected.options?.startDate ?? null },
      });
      const response = await sendContent(owner, (created.json() as { id: string }).id, readFileSync(path.join(FIXTURES, file)));
      expect(response.statusCode, `${file}: ${response.body}`).toBe(200);
      const done = response.json() as { format: string; status: string; sessions: number; denials: number; snapshots: number };
      expect(done, file).toMatchObject({ format, status: 'done' });
      expect(done.sessions + done.denials + done.snapshots, file).toBeGreaterThan(0);
      if (['lmstat', 'rlmstat', 'lmx'].includes(format)) {
        expect(done.snapshots, file).toBeGreaterThan(0);
        // Who held a seat at the snapshot becomes an open session.
        expect(done.sessions, file).toBeGreaterThan(0);
      }
    }
  });

  it('IN-02 the same file uploaded again is recognised by its SHA-256 and changes nothing', async () => {
    const owner = await t.newOrganization('upload-twice');
    const serverId = await newServer(owner);
    const first = await upload(owner, serverId, createReadStream(logFile));
    expect(first.response.statusCode).toBe(200);
    const before = await storedCounts(owner.orgId);
    const second = await upload(owner, serverId, createReadStream(logFile));
    expect(second.response.statusCode).toBe(200);
    expect(second.response.json()).toMatchObject({ status: 'duplicate', duplicateOf: first.id });
    expect(await storedCounts(owner.orgId)).toEqual(before);
  });

  it('IN-02 overlapping uploads (a day, then the whole log) never count anything twice', async () => {
    const owner = await t.newOrganization('upload-overlap');
    const serverId = await newServer(owner);
    const lines = readFileSync(logFile, 'utf8').split('\n');
    const firstPart = lines.slice(0, Math.floor(lines.length / 2)).join('\n') + '\n';
    expect((await upload(owner, serverId, firstPart)).response.statusCode).toBe(200);
    expect((await upload(owner, serverId, createReadStream(logFile))).response.statusCode).toBe(200);
    // Uploaded once, whole, into a fresh organisation: the reference for "counted once".
    const fresh = await t.newOrganization('upload-once');
    expect((await upload(fresh, await newServer(fresh), createReadStream(logFile))).response.statusCode).toBe(200);

    const [overlapped, once] = [await storedCounts(owner.orgId), await storedCounts(fresh.orgId)];
    expect(overlapped.sessions).toBe(once.sessions);
    expect(overlapped.denials).toBe(once.denials);
    expect(await rolledUp(owner.orgId)).toEqual(await rolledUp(fresh.orgId));
  });

  it('IN-02 binary content (the encrypted FlexNet report log) is refused with what was expected, and nothing is stored', async () => {
    const owner = await t.newOrganization('upload-binary');
    const serverId = await newServer(owner);
    const binary = Buffer.alloc(70_000);
    for (let i = 0; i < binary.length; i++) binary[i] = (i * 7919 + 13) % 256;
    const { id, response } = await upload(owner, serverId, binary);
    expect(response.statusCode).toBe(422);
    expect(errorOf(response)).toMatchObject({ code: 'upload.unrecognised_format' });
    expect(errorOf(response)?.message).toMatch(/flexlm-debug/);
    expect(errorOf(response)?.message).toMatch(/FlexNet's binary report log is encrypted/);
    const job = await t.request({ method: 'GET', url: `/api/uploads/${id}`, as: owner });
    expect(job.json()).toMatchObject({ status: 'failed', error: { code: 'upload.unrecognised_format' } });
    expect((await storedCounts(owner.orgId)).sessions).toBe(0);
  });

  it('IN-02 a transfer that breaks off mid-way leaves no usage behind, and the upload says it failed', async () => {
    const owner = await t.newOrganization('upload-broken');
    const serverId = await newServer(owner);
    const { id } = await startUpload(owner, serverId);
    // A real connection on loopback that the client drops half-way through the file.
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const url = new URL(`/api/uploads/${id}/content`, address);
      await new Promise<void>((resolve) => {
        const request = http.request(url, {
          method: 'PUT',
          headers: { authorization: `Bearer ${owner.accessToken}`, 'content-type': 'application/octet-stream', 'content-length': '10000000' },
        });
        request.on('error', () => resolve());
        request.write(readFileSync(logFile).subarray(0, 200_000), () => setTimeout(() => request.destroy(), 100));
      });
      let job: { status: string; error: { code: string } | null } | undefined;
      for (let attempt = 0; attempt < 100 && job?.status !== 'failed'; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        job = (await t.request({ method: 'GET', url: `/api/uploads/${id}`, as: owner })).json() as typeof job;
      }
      expect(job).toMatchObject({ status: 'failed', error: { code: 'upload.failed' } });
      expect(await storedCounts(owner.orgId)).toMatchObject({ sessions: 0, denials: 0, daily: 0 });
    } finally {
      await t.app.server.close();
    }
  });

  it('IN-02 progress (bytes and lines done) shows while the file is still arriving', async () => {
    const owner = await t.newOrganization('upload-progress');
    const serverId = await newServer(owner);
    const content = readFileSync(logFile);
    const body = new PassThrough();
    const { id } = await startUpload(owner, serverId);
    const pending = sendContent(owner, id, body);
    body.write(content.subarray(0, 150_000));
    let seen: { status: string; phase: string; bytesDone: number; linesDone: number } | undefined;
    for (let attempt = 0; attempt < 100 && !(seen && seen.bytesDone > 0); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      seen = (await t.request({ method: 'GET', url: `/api/uploads/${id}`, as: owner })).json() as typeof seen;
    }
    expect(seen).toMatchObject({ status: 'running', phase: 'parsing' });
    expect(seen!.bytesDone).toBeGreaterThan(0);
    expect(seen!.bytesDone).toBeLessThanOrEqual(150_000);
    expect(seen!.linesDone).toBeGreaterThan(0);
    body.end(content.subarray(150_000));
    const response = await pending;
    expect(response.json()).toMatchObject({ status: 'done', bytesDone: content.length });
  });

  it('IN-02 diagnostics name their line numbers, and the upload carries on past bad lines', async () => {
    const owner = await t.newOrganization('upload-diagnostics');
    const serverId = await newServer(owner);
    const good = readFileSync(path.join(FIXTURES, 'flexlm-debug/denials-and-queues.log'), 'utf8').split('\n');
    const withBad = [...good.slice(0, 10), '10:00:00 (MLM) OUT: "MATLAB" (the user and host are missing)', ...good.slice(10)].join('\n');
    const { response } = await upload(owner, serverId, withBad);
    expect(response.statusCode, response.body).toBe(200);
    const done = response.json() as { diagnostics: { line: number; reason: string }[]; diagnosticsTotal: number; sessions: number };
    expect(done.diagnostics).toContainEqual(expect.objectContaining({ line: 11 }));
    expect(done.diagnosticsTotal).toBeGreaterThanOrEqual(1);
    expect(done.sessions).toBeGreaterThan(0);
  });

  it('IN-02 an empty file, a second file for one upload, and an unknown license server are refused clearly', async () => {
    const owner = await t.newOrganization('upload-refusals');
    const serverId = await newServer(owner);
    const empty = await upload(owner, serverId, '');
    expect(empty.response.statusCode).toBe(400);
    expect(errorOf(empty.response)?.code).toBe('upload.empty');
    const again = await sendContent(owner, empty.id, 'more');
    expect(again.statusCode).toBe(409);
    const unknown = await t.request({ method: 'POST', url: '/api/uploads', as: owner, payload: { licenseServerId: crypto.randomUUID(), fileName: 'x.log' } });
    expect(unknown.statusCode).toBe(404);
    const bad = await t.request({ method: 'POST', url: '/api/uploads', as: owner, payload: { licenseServerId: 'nope', fileName: '' } });
    expect(bad.statusCode).toBe(400);
  });

  it('IN-02 an upload left running by a stopped server is marked failed at the next start', async () => {
    const owner = await t.newOrganization('upload-interrupted');
    const { id } = await startUpload(owner, await newServer(owner));
    await t.database.owner.transaction((tx) => tx.query(`UPDATE usage_uploads SET status = 'running', phase = 'storing' WHERE id = $1`, [id]));
    expect(await failInterruptedUploads(t.tenancy)).toBeGreaterThanOrEqual(1);
    const job = await t.request({ method: 'GET', url: `/api/uploads/${id}`, as: owner });
    expect(job.json()).toMatchObject({ status: 'failed', phase: null, error: { code: 'upload.interrupted' } });
  });

  it('IN-02 an upload whose file never arrived is marked failed after a day, and nothing else is touched', async () => {
    const owner = await t.newOrganization('upload-abandoned');
    const serverId = await newServer(owner);
    const old = await startUpload(owner, serverId, 'old.log');
    const recent = await startUpload(owner, serverId, 'recent.log');
    const done = await upload(owner, serverId, '10:00:00 (lmgrd) TIMESTAMP 3/30/2016\n10:01:00 (MLM) OUT: "MATLAB" ana@ws1\n');
    expect(done.response.json().status).toBe('done');
    await t.database.owner.transaction((tx) =>
      tx.query(`UPDATE usage_uploads SET created_at = now() - interval '25 hours' WHERE id = ANY($1)`, [[old.id, done.id]]),
    );
    expect(await failAbandonedUploads(t.tenancy)).toBeGreaterThanOrEqual(1);
    const status = async (id: string) => (await t.request({ method: 'GET', url: `/api/uploads/${id}`, as: owner })).json();
    expect(await status(old.id)).toMatchObject({ status: 'failed', error: { code: 'upload.abandoned' } });
    expect(await status(recent.id)).toMatchObject({ status: 'waiting', error: null });
    expect(await status(done.id)).toMatchObject({ status: 'done', error: null });
  });

  it("TEN-01 another organisation's upload and license server answer 404", async () => {
    const a = await t.newOrganization('upload-a');
    const b = await t.newOrganization('upload-b');
    const serverA = await newServer(a);
    const { id } = await startUpload(a, serverA);
    expect((await t.request({ method: 'GET', url: `/api/uploads/${id}`, as: b })).statusCode).toBe(404);
    expect((await sendContent(b, id, 'x')).statusCode).toBe(404);
    const foreign = await t.request({ method: 'POST', url: '/api/uploads', as: b, payload: { licenseServerId: serverA, fileName: 'x.log' } });
    expect(foreign.statusCode).toBe(404);
  });
});
