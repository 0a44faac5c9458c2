import type { AgentBatchResult, ReceivedAgentBatch } from '@seatwise/protocol';
import type { Queryable } from '../../db/connect.ts';
import type { AccessService, Principal, RequestMeta } from '../access/access.service.ts';
import {
  featureKey,
  identityKey,
  insertIngestBatch,
  insertSnapshots,
  resolveFeatures,
  resolveIdentities,
  upsertDenials,
  upsertSessions,
  type DenialRow,
  type SessionRow,
  type SnapshotRow,
  type UsageSource,
} from './ingest.repo.ts';
import { licenseServerForAgent } from './license-server.service.ts';
import type { LicenseServerRow } from './license-server.repo.ts';
import { lockFeatures, recomputeRollups, type TouchedRange } from './rollup.service.ts';

/** A check-out as a parser or agent reports it, names not yet turned into ids. Times are epoch ms. */
export interface SessionInput {
  vendor: string;
  feature: string;
  user: string;
  host: string;
  start: number;
  ordinal: number;
  /** Null while open; lastSeen is then the latest instant it was known held. */
  end: number | null;
  lastSeen: number;
  seats: number;
  closedBy: string | null;
  endReason: string | null;
}

export interface DenialInput {
  vendor: string;
  feature: string;
  user: string;
  host: string;
  at: number;
  ordinal: number;
  reason: string | null;
  retried: boolean;
}

export interface SnapshotInput {
  vendor: string;
  feature: string;
  at: number;
  issued: number;
  inUse: number;
  reserved: number | null;
  queued: number | null;
}

export interface UsageInput {
  sessions: SessionInput[];
  denials: DenialInput[];
  snapshots: SnapshotInput[];
}

/** Rows stored (after merging repeats within the input). */
export interface StoredCounts {
  sessions: number;
  denials: number;
  snapshots: number;
}

/**
 * Two reports of one check-out within one input (an agent sends it open, then closed) become one row,
 * by the same rules the database applies between inputs: a known end wins, an open one moves forward.
 */
function mergeSession(a: SessionRow, b: SessionRow): SessionRow {
  if (a.endedAt !== null) return a;
  if (b.endedAt !== null) return b;
  return a.lastSeenAt >= b.lastSeenAt ? a : b;
}

function extend(touched: Map<string, TouchedRange>, featureId: string, from: number, to: number): void {
  const range = touched.get(featureId);
  if (!range) touched.set(featureId, { from, to });
  else {
    if (from < range.from) range.from = from;
    if (to > range.to) range.to = to;
  }
}

/**
 * Stores parsed usage for one license server inside the caller's transaction and brings the roll-ups of
 * every hour and day it touched up to date.
 */
export async function storeUsage(tx: Queryable, server: LicenseServerRow, source: UsageSource, input: UsageInput): Promise<StoredCounts> {
  const touched = new Map<string, TouchedRange>();
  const counts = await storeUsageRows(tx, server, source, input, touched);
  await recomputeRollups(tx, server, touched);
  return counts;
}

/**
 * Stores parsed usage without rolling it up, adding what it touched to `touched`; a large ingest stores in
 * parts and rolls up once (recomputeRollups) before it commits. Features are locked first (in id order, so
 * two ingests never deadlock): roll-ups are recomputed from stored rows, and a concurrent ingest of the same
 * feature must see this one's rows, not race it.
 */
export async function storeUsageRows(
  tx: Queryable,
  server: LicenseServerRow,
  source: UsageSource,
  input: UsageInput,
  touched: Map<string, TouchedRange>,
): Promise<StoredCounts> {
  // Names are resolved once per distinct spelling, not once per row (the same few thousand people and
  // hosts fill a whole log); first spellings come first, as resolveFeatures and resolveIdentities keep them.
  /** Vendor → feature name as spelt → feature id (filled in once resolved). */
  const spellings = new Map<string, Map<string, string>>();
  const userNames = new Set<string>();
  const hostNames = new Set<string>();
  const noteFeature = (vendor: string, name: string) => {
    let names = spellings.get(vendor);
    if (!names) spellings.set(vendor, (names = new Map()));
    if (!names.has(name)) names.set(name, '');
  };
  for (const items of [input.sessions, input.denials]) {
    for (const item of items) {
      noteFeature(item.vendor, item.feature);
      userNames.add(item.user);
      hostNames.add(item.host);
    }
  }
  for (const item of input.snapshots) noteFeature(item.vendor, item.feature);

  const distinctFeatures: { vendor: string; name: string }[] = [];
  for (const [vendor, names] of spellings) for (const name of names.keys()) distinctFeatures.push({ vendor, name });
  const features = await resolveFeatures(tx, distinctFeatures);
  await lockFeatures(tx, [...new Set(features.values())]);
  const users = await resolveIdentities(tx, 'user', userNames);
  const hosts = await resolveIdentities(tx, 'host', hostNames);
  for (const [vendor, names] of spellings) for (const name of names.keys()) names.set(name, features.get(featureKey(vendor, name))!);
  const idOf = (ids: Map<string, string>, names: Set<string>) => new Map([...names].map((name) => [name, ids.get(identityKey(name))!]));
  const userIds = idOf(users, userNames);
  const hostIds = idOf(hosts, hostNames);
  const featureIdOf = (vendor: string, name: string) => spellings.get(vendor)!.get(name)!;
  /** A short stand-in for a feature id in the keys below. */
  const featureIndex = new Map<string, number>();
  const indexOf = (featureId: string) => {
    let index = featureIndex.get(featureId);
    if (index === undefined) featureIndex.set(featureId, (index = featureIndex.size));
    return index;
  };

  const sessions = new Map<string, SessionRow>();
  for (const s of input.sessions) {
    const row: SessionRow = {
      featureId: featureIdOf(s.vendor, s.feature),
      userId: userIds.get(s.user)!,
      hostId: hostIds.get(s.host)!,
      startedAt: s.start,
      ordinal: s.ordinal,
      endedAt: s.end,
      lastSeenAt: s.end ?? Math.max(s.lastSeen, s.start),
      seats: s.seats,
      closedBy: s.end === null ? null : s.closedBy,
      endReason: s.end === null ? null : s.endReason,
    };
    const key = `${indexOf(row.featureId)}|${row.userId}|${row.hostId}|${row.startedAt}|${row.ordinal}`;
    const before = sessions.get(key);
    sessions.set(key, before ? mergeSession(before, row) : row);
    extend(touched, row.featureId, row.startedAt, row.lastSeenAt);
  }
  const denials = new Map<string, DenialRow>();
  for (const d of input.denials) {
    const row: DenialRow = {
      featureId: featureIdOf(d.vendor, d.feature),
      userId: userIds.get(d.user)!,
      hostId: hostIds.get(d.host)!,
      deniedAt: d.at,
      ordinal: d.ordinal,
      reason: d.reason,
      retried: d.retried,
    };
    const key = `${indexOf(row.featureId)}|${row.userId}|${row.hostId}|${row.deniedAt}|${row.ordinal}`;
    const before = denials.get(key);
    denials.set(key, before ? { ...before, retried: before.retried || row.retried } : row);
    extend(touched, row.featureId, row.deniedAt, row.deniedAt);
  }
  const snapshots = new Map<string, SnapshotRow>();
  for (const s of input.snapshots) {
    const featureId = featureIdOf(s.vendor, s.feature);
    snapshots.set(`${indexOf(featureId)}|${s.at}`, { featureId, takenAt: s.at, issued: s.issued, inUse: s.inUse, reserved: s.reserved, queued: s.queued });
  }

  await upsertSessions(tx, server.id, source, [...sessions.values()]);
  await upsertDenials(tx, server.id, source, [...denials.values()]);
  await insertSnapshots(tx, server.id, [...snapshots.values()]);
  return { sessions: sessions.size, denials: denials.size, snapshots: snapshots.size };
}

const ms = (iso: string) => Date.parse(iso);

/** An agent batch in storage terms. */
export function usageFromBatch(batch: ReceivedAgentBatch): UsageInput {
  return {
    sessions: batch.sessions.map((s) => {
      const start = ms(s.start);
      const end = s.end === null ? null : ms(s.end);
      return {
        vendor: s.vendor,
        feature: s.feature,
        user: s.user,
        host: s.host,
        start,
        ordinal: s.ordinal,
        end,
        // An open session is known held at least until the batch says it started.
        lastSeen: end ?? start,
        seats: s.seats,
        closedBy: s.closedBy,
        endReason: s.endReason,
      };
    }),
    denials: batch.denials.map((d) => ({ ...d, at: ms(d.at) })),
    snapshots: batch.snapshots.map((s) => ({ ...s, at: ms(s.at) })),
  };
}

export type IngestService = ReturnType<typeof createIngestService>;

/** Agent batches: stored once per batch id, in one transaction with their roll-ups. */
export function createIngestService(deps: { access: AccessService }) {
  const { access } = deps;
  return {
    async ingestBatch(principal: Principal | null, meta: RequestMeta, batch: ReceivedAgentBatch): Promise<AgentBatchResult> {
      return access.asMember(principal, meta, 'usage:ingest', async (tx, actor) => {
        const server = await licenseServerForAgent(tx, actor, batch.licenseServer);
        const counts = { sessions: batch.sessions.length, denials: batch.denials.length, snapshots: batch.snapshots.length };
        const fresh = await insertIngestBatch(tx, { batchId: batch.batchId, licenseServerId: server.id, apiKeyId: actor.kind === 'api_key' ? actor.apiKeyId : null, ...counts });
        if (!fresh) return { batchId: batch.batchId, duplicate: true, sessions: 0, denials: 0, snapshots: 0 };
        const stored = await storeUsage(tx, server, 'agent', usageFromBatch(batch));
        return { batchId: batch.batchId, duplicate: false, ...stored };
      });
    },
  };
}

