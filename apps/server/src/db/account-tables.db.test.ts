// Accounts, sessions, tokens, throttles and the outbox are global tables (a person belongs to several
// organisations). Inside one organisation's transaction the application role must not reach them beyond
// what that organisation needs: its own members' names and addresses, and the caller's own session.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.ts';
import type { Queryable } from './connect.ts';
import { createTenancy, type Tenancy } from './tenant.ts';

let database: TestDatabase;
let tenancy: Tenancy;
const orgA = randomUUID();
const orgB = randomUUID();
const alice = randomUUID(); // member of A
const bob = randomUUID(); // member of B
const aliceSession = randomUUID();
const bobSession = randomUUID();

beforeAll(async () => {
  database = await createTestDatabase();
  tenancy = createTenancy(database.db);
  await tenancy.withSystemTx('test fixtures', async (tx) => {
    for (const [org, person, session] of [
      [orgA, alice, aliceSession],
      [orgB, bob, bobSession],
    ] as const) {
      await tx.query(`INSERT INTO organizations (id, name) VALUES ($1, 'Org')`, [org]);
      await tx.query(`INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, 'Person', '$2b$12$abcdefghijklmnopqrstuv')`, [person, `${person}@example.test`]);
      await tx.query(`INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, 'owner')`, [org, person]);
      await tx.query('INSERT INTO auth_sessions (id, user_id, active_org_id) VALUES ($1, $2, $3)', [session, person, org]);
      await tx.query(`INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES ($1, $2, now() + interval '1 day')`, [randomBytes(32), session]);
      await tx.query(`INSERT INTO email_tokens (token_hash, user_id, purpose, expires_at) VALUES ($1, $2, 'reset_password', now() + interval '1 hour')`, [randomBytes(32), person]);
      await tx.query(`INSERT INTO email_outbox (to_address, subject, body_text) VALUES ($1, 'Reset', 'https://x/reset#token=secret')`, [`${person}@example.test`]);
    }
    await tx.query(`INSERT INTO auth_throttle (key, window_started_at, hits) VALUES ('signInFailuresPerIp:ip:192.0.2.1', now(), 1)`);
  });
});
afterAll(async () => database?.close());

/** Runs as Bob inside organisation B; returns rows or the database error code. */
async function asBob<T>(fn: (tx: Queryable) => Promise<T>): Promise<T | { code: string }> {
  try {
    return await tenancy.withTenantTx({ orgId: orgB, userId: bob }, fn);
  } catch (error) {
    return { code: (error as { code: string }).code };
  }
}

describe('global tables inside an organisation', () => {
  it('TEN-01 an organisation sees the accounts of its own members only, and no password hash', async () => {
    const visible = await asBob(async (tx) => (await tx.query<{ id: string }>('SELECT id FROM users')).rows.map((row) => row.id));
    expect(visible).toEqual([bob]);
    expect(await asBob((tx) => tx.query('SELECT password_hash FROM users WHERE id = $1', [bob]))).toEqual({ code: '42501' });
    expect(await asBob((tx) => tx.query(`UPDATE users SET name = 'x' WHERE id = $1`, [alice]))).toEqual({ code: '42501' });
    expect(await asBob((tx) => tx.query(`UPDATE users SET name = 'x' WHERE id = $1`, [bob]))).toEqual({ code: '42501' });
  });

  it('TEN-01 an account can be created inside an organisation only for an address it has invited', async () => {
    const stranger = randomUUID();
    const denied = await asBob((tx) => tx.query(`INSERT INTO users (id, email, name) VALUES ($1, 'stranger@example.test', 'S')`, [stranger]));
    expect(denied).toEqual({ code: '42501' });
    const allowed = await asBob(async (tx) => {
      await tx.query(
        `INSERT INTO invitations (org_id, id, email, role, token_hash, expires_at) VALUES ($1, $2, 'invitee@example.test', 'viewer', $3, now() + interval '1 day')`,
        [orgB, randomUUID(), randomBytes(32)],
      );
      return (await tx.query(`INSERT INTO users (id, email, name) VALUES ($1, 'invitee@example.test', 'I')`, [stranger])).rowCount;
    });
    expect(allowed).toBe(1);
  });

  it('TEN-01 only the caller’s own session is visible, and no session can be changed', async () => {
    const sessions = await asBob(async (tx) => (await tx.query<{ id: string }>('SELECT id FROM auth_sessions')).rows.map((row) => row.id));
    expect(sessions).toEqual([bobSession]);
    expect(await asBob((tx) => tx.query('UPDATE auth_sessions SET revoked_at = NULL WHERE id = $1', [aliceSession]))).toEqual({ code: '42501' });
    expect(await asBob((tx) => tx.query('UPDATE auth_sessions SET revoked_at = now() WHERE id = $1', [bobSession]))).toEqual({ code: '42501' });
  });

  it('TEN-01 refresh tokens, e-mail tokens, throttles and queued mail are out of reach', async () => {
    for (const table of ['refresh_tokens', 'email_tokens', 'auth_throttle', 'email_outbox']) {
      expect(await asBob((tx) => tx.query(`SELECT * FROM ${table}`)), table).toEqual({ code: '42501' });
    }
    // Queuing an invitation mail is the one thing allowed, and it cannot be read back.
    const queued = await asBob(async (tx) => (await tx.query(`INSERT INTO email_outbox (to_address, subject, body_text) VALUES ('x@example.test', 'Hi', 'Hi')`)).rowCount);
    expect(queued).toBe(1);
  });
});
