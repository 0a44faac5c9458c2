import { randomBytes, randomUUID } from 'node:crypto';
import type { Role } from '@seatwise/protocol';
import type { Tenancy } from '../src/db/tenant.ts';
import { hashPassword } from '../src/lib/password.ts';
import { insertUser } from '../src/modules/auth/auth.repo.ts';
import { insertMembership } from '../src/modules/members/members.repo.ts';
import { insertOrganization } from '../src/modules/orgs/orgs.repo.ts';
import type { Credential } from './load-protocol.ts';

export const ORGANIZATIONS = 5;
export const MEMBERS_PER_ORGANIZATION = 50;
export const SIGN_IN_USERS = 20;

const OTHER_ROLES: Role[] = ['admin', 'manager', 'hr', 'viewer', 'employee'];
const password = () => `Bench-${randomBytes(12).toString('base64url')}-lantern`;
const emailOf = (org: number, member: number) => `member-${String(member).padStart(2, '0')}@org-${org}.bench.example`;

/** Passwords and their bcrypt hashes, made once (bcrypt cost 12 is slow) and used for every engine. */
export interface BenchCredentials {
  owner: Credential;
  signIns: Credential[];
  hashes: Map<string, string>;
  /** The hash of a password nobody knows, for everyone who does not sign in. */
  otherHash: string;
}

/** Makes the Owner's and the sign-in users' passwords and hashes them (in parallel, on libuv's pool). */
export async function prepareCredentials(): Promise<BenchCredentials> {
  const owner = { email: emailOf(1, 0), password: password() };
  // The people who sign in under load: members 1–4 of every organisation.
  const signIns: Credential[] = [];
  for (let org = 1; org <= ORGANIZATIONS; org += 1) {
    for (let member = 1; member <= SIGN_IN_USERS / ORGANIZATIONS; member += 1) signIns.push({ email: emailOf(org, member), password: password() });
  }
  const everyone = [owner, ...signIns];
  const [otherHash, ...hashes] = await Promise.all([hashPassword(password()), ...everyone.map((c) => hashPassword(c.password))]);
  return { owner, signIns, hashes: new Map(everyone.map((c, index) => [c.email, hashes[index]!])), otherHash: otherHash! };
}

/**
 * Creates the organisations with direct repository inserts, one system transaction each (as sign-up does:
 * creating an organisation and accounts is not tenant work). Member 0 is the Owner, the others cycle
 * through the remaining roles. Organisation 1 is the one whose list is read.
 */
export async function seedOrganizations(tenancy: Tenancy, credentials: BenchCredentials): Promise<{ listedOrgId: string }> {
  let listedOrgId = '';
  for (let org = 1; org <= ORGANIZATIONS; org += 1) {
    const orgId = randomUUID();
    if (org === 1) listedOrgId = orgId;
    await tenancy.withSystemTx('benchmark: seed an organisation with its members', async (tx) => {
      await insertOrganization(tx, { id: orgId, name: `Bench company ${org}` });
      for (let member = 0; member < MEMBERS_PER_ORGANIZATION; member += 1) {
        const userId = randomUUID();
        const email = emailOf(org, member);
        const name = `Person ${org}-${String(member).padStart(2, '0')}`;
        await insertUser(tx, { id: userId, email, name, passwordHash: credentials.hashes.get(email) ?? credentials.otherHash, emailVerified: true });
        const role = member === 0 ? 'owner' : OTHER_ROLES[(member - 1) % OTHER_ROLES.length]!;
        await insertMembership(tx, { orgId, userId, role });
      }
    });
  }
  return { listedOrgId };
}
