import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LicenseServerConfig, LogSourceConfig } from './config.ts';
import { createServerClient } from './http-client.ts';
import { createLogFollower, type LogFollower } from './log-follower.ts';
import { createLogger } from './logger.ts';
import { createSender } from './sender.ts';
import { openSpool, type Spool } from './spool.ts';
import { openStatusStore } from './status-store.ts';
import { sessionKey, startFakeServer, type FakeServer } from '../testing/fake-server.ts';
import { createLogWriter, readStraight } from '../testing/flexlm-writer.ts';

const work = mkdtempSync(path.join(tmpdir(), 'seatwise-agent-follow-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const logger = createLogger('silent');
const TZ = 'Europe/Madrid';
let counter = 0;

interface Rig {
  dir: string;
  log: string;
  rotated: string;
  server: FakeServer;
  spool: Spool;
  source: LogSourceConfig;
  licenseServer: LicenseServerConfig;
  follower: LogFollower;
  /** A new follower from the saved state, as after a restart of the agent. */
  restart(): Promise<void>;
  /** Steps until nothing is left to read, then sends the spool. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

async function rig(options: { wrapSpool?: (spool: Spool) => Spool; chunkBytes?: number } = {}): Promise<Rig> {
  const dir = path.join(work, `case-${++counter}`);
  mkdirSync(dir, { recursive: true });
  const log = path.join(dir, 'lmgrd.log');
  const rotated = path.join(dir, 'lmgrd.log.1');
  const stateDir = path.join(dir, 'state');
  const server = await startFakeServer();
  const realSpool = await openSpool(stateDir);
  const spool = options.wrapSpool ? options.wrapSpool(realSpool) : realSpool;
  const status = await openStatusStore(stateDir);
  const client = createServerClient({ serverUrl: server.url, apiKey: server.key, timeoutMs: 5000 });
  const sender = createSender({ spool: realSpool, client, status, logger, backoff: { minMs: 10, maxMs: 20 } });
  const source: LogSourceConfig = { kind: 'log', id: 'lmgrd', path: log, format: 'flexlm-debug', rotatedPaths: [rotated], startAt: 'beginning' };
  const licenseServer: LicenseServerConfig = { name: '27000@licsrv', host: 'licsrv', port: 27000, timeZone: TZ, sources: [source] };
  const make = () =>
    createLogFollower({ source, server: licenseServer, stateDir, spool, logger, hostname: 'licsrv', maxSpoolBytes: 1 << 30, ...(options.chunkBytes ? { chunkBytes: options.chunkBytes } : {}) });
  const r: Rig = {
    dir,
    log,
    rotated,
    server,
    spool,
    source,
    licenseServer,
    follower: await make(),
    async restart() {
      await r.follower.close();
      r.follower = await make();
    },
    async settle() {
      for (let i = 0; i < 10_000 && (await r.follower.step()); i++);
      expect(await sender.drain()).toBe(true);
    },
    async close() {
      await r.follower.close();
      await server.close();
    },
  };
  return r;
}

/** The server's sessions and denials, to compare with one straight read of the same lines. */
function stored(server: FakeServer) {
  const sessions = new Map([...server.sessions].map(([key, s]) => [key, { end: s.end === null ? null : new Date(s.end).toISOString(), seats: s.seats }]));
  const denials = new Map([...server.denials].map(([key, d]) => [key, d.retried]));
  return { sessions, denials };
}

function expected(text: string) {
  const straight = readStraight(text, TZ);
  const iso = (ms: number) => new Date(ms).toISOString();
  const sessions = new Map<string, { end: string | null; seats: number }>();
  for (const s of straight.closed) sessions.set(sessionKey({ ...s, start: iso(s.start) }), { end: iso(s.end), seats: s.seats });
  for (const s of straight.open) sessions.set(sessionKey({ ...s, start: iso(s.start) }), { end: null, seats: s.seats });
  const denials = new Map<string, boolean>();
  for (const d of straight.denials) {
    denials.set([d.vendor, d.feature, d.user, d.host].map((x) => x.toLowerCase()).concat(iso(d.at), String(d.ordinal)).join('|'), d.retried);
  }
  return { sessions, denials, closed: straight.closed.length, open: straight.open.length };
}

const text = (lines: string[]) => lines.map((line) => line + '\n').join('');

describe('following a FlexLM debug log', () => {
  it('sends closed sessions, open ones with no end (then again when they close), and settled denials; exactly what one straight read gives', async () => {
    const r = await rig();
    try {
      const writer = createLogWriter(1);
      const first = text([...writer.banner('3/2/2026'), ...writer.next(40)]);
      writeFileSync(r.log, first);
      await r.settle();
      const afterFirst = expected(first);
      expect(afterFirst.open).toBeGreaterThan(0);
      expect(stored(r.server)).toEqual({ sessions: afterFirst.sessions, denials: afterFirst.denials });
      const openKeys = [...afterFirst.sessions].filter(([, s]) => s.end === null).map(([key]) => key);
      const openedBatches = r.server.batches.flatMap((b) => b.sessions).filter((s) => s.end === null).length;
      expect(openedBatches).toBe(openKeys.length);

      const second = text(writer.next(200));
      appendFileSync(r.log, second);
      await r.settle();
      const all = expected(first + second);
      expect(stored(r.server)).toEqual({ sessions: all.sessions, denials: all.denials });
      // Sessions open after the first read and closed in the second were sent twice: open, then closed.
      const closedLater = openKeys.filter((key) => all.sessions.get(key)?.end !== null);
      expect(closedLater.length).toBeGreaterThan(0);
      const sent = r.server.batches.flatMap((b) => b.sessions);
      for (const key of closedLater) expect(sent.filter((s) => sessionKey(s) === key).map((s) => s.end === null)).toEqual([true, false]);
      // Identical check-outs in one second got ordinals 0 and 1.
      expect(sent.some((s) => s.ordinal === 1)).toBe(true);
      expect(r.server.batches.every((b) => b.licenseServer.name === '27000@licsrv' && b.licenseServer.timeZone === TZ)).toBe(true);
      expect(sent.every((s) => /[+-]0[12]:00$/.test(s.start))).toBe(true);
      expect(r.follower.state()).toMatchObject({ offset: Buffer.byteLength(first + second), fileLine: 243, line: 243, rotations: 0, lastError: null });
    } finally {
      await r.close();
    }
  });

  it('waits for an unfinished last line and reads it once it ends', async () => {
    const r = await rig();
    try {
      const writer = createLogWriter(2);
      const lines = [...writer.banner('3/2/2026'), ...writer.next(10)];
      const last = ' 9:59:59 (MLM) OUT: "MATLAB" zed@ws-99';
      writeFileSync(r.log, text(lines) + last.slice(0, 20));
      await r.settle();
      expect(r.follower.state().offset).toBe(Buffer.byteLength(text(lines)));
      appendFileSync(r.log, last.slice(20) + '\n');
      await r.settle();
      expect([...r.server.sessions.values()].some((s) => s.user === 'zed' && s.end === null)).toBe(true);
    } finally {
      await r.close();
    }
  });

  it('survives restarts anywhere: positions and open check-outs carry on, nothing is lost or counted twice', async () => {
    const r = await rig({ chunkBytes: 700 });
    try {
      const writer = createLogWriter(3);
      let all = text([...writer.banner('3/2/2026'), ...writer.next(30)]);
      writeFileSync(r.log, all);
      for (let round = 0; round < 6; round++) {
        // A few small steps (700-byte chunks), then a restart in the middle of reading.
        for (let i = 0; i < 2; i++) await r.follower.step();
        await r.restart();
        const more = text(writer.next(25));
        appendFileSync(r.log, more);
        all += more;
      }
      await r.settle();
      const want = expected(all);
      expect(stored(r.server)).toEqual({ sessions: want.sessions, denials: want.denials });
      expect(r.follower.state().offset).toBe(Buffer.byteLength(all));
    } finally {
      await r.close();
    }
  });

  it('a crash after spooling but before saving the position repeats lines, never skips them (the server deduplicates)', async () => {
    let failAfter = -1;
    const r = await rig({
      chunkBytes: 900,
      wrapSpool: (spool) => ({
        ...spool,
        peek: () => spool.peek(),
        stats: () => spool.stats(),
        async add(batch) {
          const entry = await spool.add(batch);
          if (failAfter === 0) {
            failAfter = -1;
            throw new Error('simulated crash after the batch was spooled');
          }
          if (failAfter > 0) failAfter--;
          return entry;
        },
      }),
    });
    try {
      const writer = createLogWriter(4);
      const all = text([...writer.banner('3/2/2026'), ...writer.next(150)]);
      writeFileSync(r.log, all);
      for (let crash = 0; crash < 4; crash++) {
        failAfter = 1;
        for (let i = 0; i < 3; i++) await r.follower.step().catch(() => undefined);
        await r.restart();
      }
      await r.settle();
      const want = expected(all);
      expect(stored(r.server)).toEqual({ sessions: want.sessions, denials: want.denials });
      const sentTimes = new Map<string, number>();
      for (const s of r.server.batches.flatMap((b) => b.sessions)) sentTimes.set(`${sessionKey(s)}|${s.end}`, (sentTimes.get(`${sessionKey(s)}|${s.end}`) ?? 0) + 1);
      expect(Math.max(...sentTimes.values())).toBeGreaterThan(1);
    } finally {
      await r.close();
    }
  });

  it('rename + create rotation while running: finishes the renamed file (unterminated last line too), then reads the new one; sessions pair across files', async () => {
    const r = await rig();
    try {
      const writer = createLogWriter(5);
      const one = text([...writer.banner('3/2/2026'), ...writer.next(60)]);
      writeFileSync(r.log, one);
      await r.settle();
      // Written after the last read, just before the rotation, and without a final line break.
      const late = text(writer.next(10));
      const unterminated = writer.next(1)[0] as string;
      appendFileSync(r.log, late + unterminated);
      renameSync(r.log, r.rotated);
      const two = text(writer.next(60));
      writeFileSync(r.log, two);
      await r.settle();
      const want = expected(one + late + unterminated + '\n' + two);
      expect(stored(r.server)).toEqual({ sessions: want.sessions, denials: want.denials });
      expect(r.follower.state()).toMatchObject({ rotations: 1, offset: Buffer.byteLength(two), fileLine: 60 });
    } finally {
      await r.close();
    }
  });

  it('copytruncate rotation while running: the lines copied before the truncation are read from the copy, then the file again from its start', async () => {
    const r = await rig();
    try {
      const writer = createLogWriter(6);
      const one = text([...writer.banner('3/2/2026'), ...writer.next(50)]);
      writeFileSync(r.log, one);
      await r.settle();
      const late = text(writer.next(8));
      appendFileSync(r.log, late);
      copyFileSync(r.log, r.rotated);
      truncateSync(r.log, 0);
      // The daemon writes on; more than before, so only the first bytes tell the truncation.
      const two = text(writer.next(120));
      appendFileSync(r.log, two);
      await r.settle();
      const want = expected(one + late + two);
      expect(stored(r.server)).toEqual({ sessions: want.sessions, denials: want.denials });
      expect(r.follower.state()).toMatchObject({ rotations: 1, offset: Buffer.byteLength(two) });
    } finally {
      await r.close();
    }
  });

  it('rotated while the agent was stopped: finds the old file among rotatedPaths by its fingerprint and finishes it first', async () => {
    const r = await rig();
    try {
      const writer = createLogWriter(7);
      const one = text([...writer.banner('3/2/2026'), ...writer.next(50)]);
      writeFileSync(r.log, one);
      await r.settle();
      await r.follower.close();
      const late = text(writer.next(12));
      appendFileSync(r.log, late);
      renameSync(r.log, r.rotated);
      const two = text(writer.next(40));
      writeFileSync(r.log, two);
      await r.restart();
      await r.settle();
      const want = expected(one + late + two);
      expect(stored(r.server)).toEqual({ sessions: want.sessions, denials: want.denials });
      expect(r.follower.state()).toMatchObject({ rotations: 1, offset: Buffer.byteLength(two) });

      // Stopped again, truncated in place (copytruncate) and written to: the copy is found the same way.
      await r.follower.close();
      const late2 = text(writer.next(9));
      appendFileSync(r.log, late2);
      copyFileSync(r.log, r.rotated);
      const three = text(writer.next(15));
      writeFileSync(r.log, three);
      await r.restart();
      await r.settle();
      const want2 = expected(one + late + two + late2 + three);
      expect(stored(r.server)).toEqual({ sessions: want2.sessions, denials: want2.denials });
      expect(r.follower.state()).toMatchObject({ rotations: 2, offset: Buffer.byteLength(three) });
    } finally {
      await r.close();
    }
  });

  it('waits for a log that does not exist yet and says so in its state; startAt "end" skips the history', async () => {
    const r = await rig();
    try {
      expect(await r.follower.step()).toBe(false);
      expect(r.follower.state().lastError?.message).toMatch(/waiting for .*lmgrd\.log to exist/);
      const writer = createLogWriter(8);
      writeFileSync(r.log, text([...writer.banner('3/2/2026'), ...writer.next(5)]));
      await r.settle();
      expect(r.follower.state().lastError).toBeNull();
      expect(r.server.batches.length).toBeGreaterThan(0);
    } finally {
      await r.close();
    }
    const fromEnd = await rig();
    try {
      const writer = createLogWriter(9);
      const history = text([...writer.banner('3/2/2026'), ...writer.next(30)]);
      writeFileSync(fromEnd.log, history);
      fromEnd.source.startAt = 'end';
      await fromEnd.restart();
      await fromEnd.settle();
      expect(fromEnd.server.batches).toHaveLength(0);
      expect(fromEnd.follower.state().offset).toBe(Buffer.byteLength(history));
    } finally {
      await fromEnd.close();
    }
  });
});
