import { randomBytes, randomUUID } from 'node:crypto';
import { createSeededRandom } from '@seatwise/usage-engine';
import type { Tenancy } from '../db/tenant.ts';
import { hashPassword } from '../lib/password.ts';
import type { Actor } from '../modules/access/access.service.ts';
import { recordAudit } from '../modules/audit/audit.service.ts';
import { findUserByEmail, insertUser } from '../modules/auth/auth.repo.ts';
import { insertMembership } from '../modules/members/members.repo.ts';
import { insertOrganization } from '../modules/orgs/orgs.repo.ts';
import { featureKey, resolveFeatures } from '../modules/usage/ingest.repo.ts';
import { storeUsageRows } from '../modules/usage/ingest.service.ts';
import { updateFeatureSeats } from '../modules/usage/license-server.repo.ts';
import { createLicenseServerIn } from '../modules/usage/license-server.service.ts';
import { recomputeRollups, type TouchedRange } from '../modules/usage/rollup.service.ts';
import { DEMO_SERVERS, demoPeople, generateServerUsage } from './demo-usage.ts';

export const DEMO_EMAIL = 'demo@seatwise.example';

export interface DemoOptions {
  /** Local days of usage, ending yesterday. */
  days: number;
  people: number;
  seed: number;
  /** "Now" (epoch ms): the usage ends the day before. */
  until: number;
  /** Called after each server is stored. */
  onProgress?: (message: string) => void;
}

export interface DemoResult {
  orgId: string;
  email: string;
  password: string;
  sessions: number;
  denials: number;
}

export class DemoAlreadyLoadedError extends Error {}

/**
 * Creates the demo organisation with its Owner (a confirmed account with a new random password), its license
 * servers with seats owned, and generated usage stored through the same ingest path as uploads.
 */
export async function loadDemoOrganisation(tenancy: Tenancy, options: DemoOptions): Promise<DemoResult> {
  const password = `Demo-${randomBytes(12).toString('base64url')}`;
  const passwordHash = await hashPassword(password);
  const orgId = randomUUID();
  const userId = randomUUID();
  await tenancy.withSystemTx('demo: create the demo organisation and its Owner', async (tx) => {
    if (await findUserByEmail(tx, DEMO_EMAIL)) {
      throw new DemoAlreadyLoadedError(`The demo organisation is already loaded (${DEMO_EMAIL} exists in this database).`);
    }
    await insertUser(tx, { id: userId, email: DEMO_EMAIL, name: 'Demo Owner', passwordHash, emailVerified: true });
    await insertOrganization(tx, { id: orgId, name: 'Demo Engineering' });
    await insertMembership(tx, { orgId, userId, role: 'owner' });
    await recordAudit(tx, { orgId, actorUserId: userId, actorLabel: 'npm run demo', action: 'org.create', outcome: 'success', targetType: 'organization', targetId: orgId });
  });

  const actor: Actor = { kind: 'person', userId, sessionId: '', orgId, role: 'owner', name: 'Demo Owner', email: DEMO_EMAIL, ip: null, userAgent: 'npm run demo' };
  const people = demoPeople(options.people, createSeededRandom(options.seed));
  let sessions = 0;
  let denials = 0;
  for (const [index, demoServer] of DEMO_SERVERS.entries()) {
    await tenancy.withTenantTx({ orgId, userId }, async (tx) => {
      const server = await createLicenseServerIn(tx, actor, { name: demoServer.name, host: demoServer.host, port: demoServer.port, timeZone: demoServer.timeZone });
      const features = await resolveFeatures(tx, demoServer.features);
      for (const f of demoServer.features) await updateFeatureSeats(tx, features.get(featureKey(f.vendor, f.name))!, f.seatsOwned);
      const touched = new Map<string, TouchedRange>();
      for (const day of generateServerUsage(demoServer, people, options.days, options.until, options.seed + index + 1)) {
        const stored = await storeUsageRows(tx, server, 'demo', day, touched);
        sessions += stored.sessions;
        denials += stored.denials;
      }
      await recomputeRollups(tx, server, touched);
    });
    options.onProgress?.(`${demoServer.name}: stored and rolled up (${sessions} sessions so far)`);
  }
  return { orgId, email: DEMO_EMAIL, password, sessions, denials };
}
