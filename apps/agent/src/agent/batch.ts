/**
 * From the engine's sessions, denials and snapshots to protocol batches. Each item is checked against its
 * protocol schema on its own, so one odd line (a user name with control characters, a reason too long) is
 * cleaned or, failing that, left out and counted — it never makes a whole batch unsendable. Times become
 * ISO-8601 with the license server's offset.
 */
import { randomUUID } from 'node:crypto';
import {
  IngestDenial,
  IngestLicenseServer,
  IngestSession,
  IngestSnapshot,
  MAX_BATCH_ITEMS,
  SESSION_CLOSED_BY,
  type AgentBatch,
} from '@seatwise/protocol';
import { formatIsoWithOffset, type FeatureSnapshot, type UsageSession } from '@seatwise/usage-engine';
import type { LicenseServerConfig } from './config.ts';
import type { SnapshotSession, UsageDenial } from './engine-adapter.ts';
import type { Spool } from './spool.ts';
import { AGENT_VERSION } from './version.ts';

type SessionItem = ReturnType<typeof IngestSession.parse>;
type DenialItem = ReturnType<typeof IngestDenial.parse>;
type SnapshotItem = ReturnType<typeof IngestSnapshot.parse>;

const QUARTER_HOUR_MS = 900_000;

/**
 * formatIsoWithOffset, remembered per quarter hour (every zone's offset changes on a quarter hour at the
 * finest): a backlog of a million sessions would otherwise spend minutes in Intl.
 */
export function createIsoFormatter(timeZone: string): (at: number) => string {
  const offsets = new Map<number, string>();
  return (at) => {
    const slot = Math.floor(at / QUARTER_HOUR_MS);
    let offset = offsets.get(slot);
    if (offset === undefined) {
      const first = formatIsoWithOffset(slot * QUARTER_HOUR_MS, timeZone).slice(-6);
      const last = formatIsoWithOffset((slot + 1) * QUARTER_HOUR_MS - 1, timeZone).slice(-6);
      if (first !== last) return formatIsoWithOffset(at, timeZone);
      if (offsets.size > 10_000) offsets.clear();
      offsets.set(slot, first);
      offset = first;
    }
    const sign = offset[0] === '-' ? -1 : 1;
    const offsetMs = sign * (Number(offset.slice(1, 3)) * 3_600_000 + Number(offset.slice(4, 6)) * 60_000);
    const iso = new Date(at + offsetMs).toISOString(); // local wall time, written as if UTC
    const millis = at % 1000 !== 0;
    return `${iso.slice(0, millis ? 23 : 19)}${offset}`;
  };
}

// eslint-disable-next-line no-control-regex -- control characters are what is removed
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/** A name as the protocol takes it: no control characters, well-formed, trimmed, at most `max` characters. */
function clean(value: string, max: number): string {
  const text = value.replace(CONTROL, '').toWellFormed().trim();
  return text.length > max ? text.slice(0, max).trim() : text;
}

const vendorOf = (vendor: string) => clean(vendor, 64) || 'unknown';

/** Items that could not be sent, with why (a count and a few examples for the status). */
export interface DroppedItems {
  count: number;
  examples: string[];
}

export interface BatchItems {
  sessions: SessionItem[];
  denials: DenialItem[];
  snapshots: SnapshotItem[];
  dropped: DroppedItems;
}

/** Collects items for one license server, converting and checking each. */
export function createBatchItems(timeZone: string) {
  const iso = createIsoFormatter(timeZone);
  const items: BatchItems = { sessions: [], denials: [], snapshots: [], dropped: { count: 0, examples: [] } };

  function drop(what: string, issues: { path: PropertyKey[]; message: string }[]): void {
    items.dropped.count++;
    if (items.dropped.examples.length < 5) {
      items.dropped.examples.push(`${what}: ${issues.map((issue) => `${issue.path.map(String).join('.')} ${issue.message}`).join(', ')}`);
    }
  }

  return {
    items,
    /** A session from the analyser: closed (checkin, restart) or still open (end sent as null). */
    session(session: UsageSession, open: boolean): void {
      const closedBy = !open && (SESSION_CLOSED_BY as readonly string[]).includes(session.closedBy) ? session.closedBy : null;
      const parsed = IngestSession.safeParse({
        vendor: vendorOf(session.vendor),
        feature: clean(session.feature, 200),
        user: clean(session.user, 256),
        host: clean(session.host, 256),
        start: iso(session.start),
        ordinal: session.ordinal,
        end: open ? null : iso(session.end),
        seats: session.seats,
        closedBy,
        endReason: !open && session.endReason ? clean(session.endReason, 100) || null : null,
      });
      if (parsed.success) items.sessions.push(parsed.data);
      else drop(`session of ${session.feature} by ${session.user} (line ${session.startLine})`, parsed.error.issues);
    },
    /** A session from consecutive snapshots. */
    snapshotSession(session: SnapshotSession): void {
      const parsed = IngestSession.safeParse({
        vendor: vendorOf(session.vendor),
        feature: clean(session.feature, 200),
        user: clean(session.user, 256),
        host: clean(session.host, 256),
        start: iso(session.start),
        ordinal: session.ordinal,
        end: session.end === null ? null : iso(session.end),
        seats: session.seats,
        closedBy: session.end === null ? null : session.closedBy,
        endReason: null,
      });
      if (parsed.success) items.sessions.push(parsed.data);
      else drop(`session of ${session.feature} by ${session.user}`, parsed.error.issues);
    },
    denial(denial: UsageDenial): void {
      const parsed = IngestDenial.safeParse({
        vendor: vendorOf(denial.vendor),
        feature: clean(denial.feature, 200),
        user: clean(denial.user, 256),
        host: clean(denial.host, 256),
        at: iso(denial.at),
        ordinal: denial.ordinal,
        reason: denial.reason ? clean(denial.reason, 500) || null : null,
        retried: denial.retried,
      });
      if (parsed.success) items.denials.push(parsed.data);
      else drop(`denial of ${denial.feature} to ${denial.user} (line ${denial.line})`, parsed.error.issues);
    },
    snapshot(snapshot: FeatureSnapshot): void {
      const cap = (n: number | undefined) => (n === undefined ? null : Math.min(Math.max(0, Math.floor(n)), 10_000_000));
      const parsed = IngestSnapshot.safeParse({
        vendor: vendorOf(snapshot.vendor),
        feature: clean(snapshot.feature, 200),
        at: iso(snapshot.at),
        issued: cap(snapshot.issued),
        inUse: cap(snapshot.inUse),
        reserved: cap(snapshot.reserved),
        queued: cap(snapshot.queued),
      });
      if (parsed.success) items.snapshots.push(parsed.data);
      else drop(`snapshot of ${snapshot.feature}`, parsed.error.issues);
    },
  };
}

export interface BatchContext {
  licenseServer: LicenseServerConfig;
  hostname: string;
}

/** The protocol's description of a configured license server (checked when the config is loaded). */
export function licenseServerOf(server: LicenseServerConfig) {
  return IngestLicenseServer.parse({ name: server.name, host: server.host, port: server.port, timeZone: server.timeZone });
}

/**
 * Splits the items into batches of at most `maxItems` items in all (sessions first, in the order given,
 * then denials, then snapshots) and writes each to the spool, durably. Resolves once all are on disk.
 */
export async function spoolItems(spool: Spool, context: BatchContext, items: BatchItems, maxItems = MAX_BATCH_ITEMS): Promise<number> {
  const all: ({ kind: 'sessions'; item: SessionItem } | { kind: 'denials'; item: DenialItem } | { kind: 'snapshots'; item: SnapshotItem })[] = [
    ...items.sessions.map((item) => ({ kind: 'sessions' as const, item })),
    ...items.denials.map((item) => ({ kind: 'denials' as const, item })),
    ...items.snapshots.map((item) => ({ kind: 'snapshots' as const, item })),
  ];
  const licenseServer = licenseServerOf(context.licenseServer);
  let batches = 0;
  for (let i = 0; i < all.length; i += maxItems) {
    const batch: AgentBatch & { sessions: SessionItem[]; denials: DenialItem[]; snapshots: SnapshotItem[] } = {
      batchId: randomUUID(),
      agent: { version: AGENT_VERSION, hostname: clean(context.hostname, 256) || 'unknown' },
      licenseServer,
      sessions: [],
      denials: [],
      snapshots: [],
    };
    for (const entry of all.slice(i, i + maxItems)) (batch[entry.kind] as unknown[]).push(entry.item);
    await spool.add(batch);
    batches++;
  }
  return batches;
}
