import { randomBytes } from 'node:crypto';
import { API_KEY_PATTERN } from '@seatwise/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTANCE_ORG_ID } from '../../db/tenant.ts';
import { requestMeta } from '../../http/route-access.ts';
import { sha256 } from '../../lib/tokens.ts';
import { createTestApp, TEST_ORIGIN, uniqueClientAddress, type TestApiKey, type TestApp, type TestSession } from '../../testing/test-app.ts';
import { auditActor, createAccessService } from '../access/access.service.ts';

/**
 * Two routes that accept keys, one per scope, as usage routes declare them. They report what the service
 * saw: who acted, and which organisations' rows the transaction could see.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({
    extraRoutes: (app, tenancy) => {
      const access = createAccessService({ tenancy });
      app.get('/test/key-read', { config: { access: 'usage:read', apiKeyScope: 'read' } }, async (request) =>
        access.asMember(request.principal, requestMeta(request), 'usage:read', async (tx, actor) => ({
          kind: actor.kind,
          orgId: actor.orgId,
          organizations: (await tx.query<{ id: string }>('SELECT id FROM organizations')).rows.map((row) => row.id),
          keyOrgs: (await tx.query<{ org_id: string }>('SELECT DISTINCT org_id FROM api_keys')).rows.map((row) => row.org_id),
        })),
      );
      app.post('/test/key-ingest', { config: { access: 'usage:ingest', apiKeyScope: 'ingest' } }, async (request) =>
        access.asMember(request.principal, requestMeta(request), 'usage:ingest', async (_tx, actor) => ({ kind: actor.kind, audit: auditActor(actor) })),
      );
    },
  });
});
afterAll(async () => t?.close());

const errorOf = (response: { json(): unknown }) => (response.json() as { error?: { code?: string; message?: string } }).error;

function current(as: TestApiKey, remoteAddress?: string) {
  return t.request({ method: 'GET', url: '/api/api-keys/current', as, ...(remoteAddress ? { remoteAddress } : {}) });
}

async function listKeys(as: TestSession): Promise<{ id: string; lastUsedAt: string | null; revokedAt: string | null }[]> {
  const response = await t.request({ method: 'GET', url: '/api/api-keys', as });
  expect(response.statusCode).toBe(200);
  return response.json().apiKeys;
}

interface StoredAuditEvent {
  seq: number;
  action: string;
  outcome: string;
  actor_user_id: string | null;
  actor_label: string | null;
  target_id: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

/** Key events of one organisation's audit chain, as the owner reads them. */
async function keyEvents(orgId: string): Promise<StoredAuditEvent[]> {
  const { rows } = await t.database.owner.transaction((tx) =>
    tx.query<StoredAuditEvent>(
      `SELECT seq, action, outcome, actor_user_id, actor_label, target_id, ip, details FROM audit_events
        WHERE org_id = $1 AND action LIKE 'apikey.%' ORDER BY seq`,
      [orgId],
    ),
  );
  return rows;
}

/** A well-formed key that was never issued. */
const unknownKey = (): TestApiKey => {
  const key = `swk_${randomBytes(32).toString('base64url')}`;
  return { id: '', orgId: '', key, prefix: key.slice(0, 12), scopes: [] };
};

describe('issuing and revoking API keys', () => {
  it('EN-05 only the SHA-256 of a key is stored, and the plain key is shown once, at creation', async () => {
    const owner = await t.newOrganization('keys-stored');
    const created = await t.request({ method: 'POST', url: '/api/api-keys', as: owner, payload: { name: 'Agent on flex1', scopes: ['ingest'] } });
    expect(created.statusCode).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    const { key, apiKey } = created.json();
    expect(key).toMatch(API_KEY_PATTERN);
    // 32 random bytes: 43 base64url characters after the prefix.
    expect(Buffer.from(key.slice(4), 'base64url')).toHaveLength(32);
    expect(apiKey).toMatchObject({ name: 'Agent on flex1', prefix: key.slice(0, 12), scopes: ['ingest'], lastUsedAt: null, revokedAt: null });
    expect(apiKey.createdBy).toEqual({ userId: owner.userId, name: 'Test keys-stored' });

    // The table, read as its owner: the hash of the key and its first 12 characters, nothing else of it.
    const stored = await t.database.owner.transaction((tx) => tx.query<Record<string, unknown>>('SELECT * FROM api_keys WHERE id = $1', [apiKey.id]));
    expect(stored.rows).toHaveLength(1);
    const row = stored.rows[0]!;
    expect(Buffer.from(row.key_hash as Uint8Array).equals(sha256(key))).toBe(true);
    const rowText = JSON.stringify(row, (_name, value) => (value instanceof Uint8Array ? Buffer.from(value).toString('hex') : value));
    expect(rowText).not.toContain(key);
    expect(rowText).not.toContain(key.slice(12));
    expect(rowText).not.toContain(Buffer.from(key).toString('hex'));
    // Nor does the audit log keep it.
    const audited = await t.database.owner.transaction((tx) =>
      tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE details::text LIKE '%' || $1 || '%' OR actor_label LIKE '%' || $1 || '%'`, [
        key.slice(12),
      ]),
    );
    expect(audited.rows[0]!.n).toBe(0);

    // Shown once: nothing that lists or describes the key returns it again.
    const list = await t.request({ method: 'GET', url: '/api/api-keys', as: owner });
    expect(list.body).not.toContain(key.slice(12));
    expect(list.json().apiKeys[0]).not.toHaveProperty('key');
    const itself = await current({ id: apiKey.id, orgId: owner.orgId, key, prefix: apiKey.prefix, scopes: ['ingest'] });
    expect(itself.statusCode).toBe(200);
    expect(itself.body).not.toContain(key.slice(12));
  });

  it('EN-05 a revoked key is refused on the very next request', async () => {
    const owner = await t.newOrganization('keys-revoked');
    const key = await t.createApiKey(owner, ['ingest', 'read']);
    expect((await current(key)).statusCode).toBe(200);
    expect((await t.request({ method: 'GET', url: '/test/key-read', as: key })).statusCode).toBe(200);

    const revoked = await t.request({ method: 'DELETE', url: `/api/api-keys/${key.id}`, as: owner });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().revokedAt).not.toBeNull();

    for (const response of [await current(key), await t.request({ method: 'GET', url: '/test/key-read', as: key })]) {
      expect(response.statusCode).toBe(401);
      expect(errorOf(response)?.code).toBe('auth.invalid_api_key');
    }
    // Revoking again changes nothing; the key stays listed, revoked.
    const again = await t.request({ method: 'DELETE', url: `/api/api-keys/${key.id}`, as: owner });
    expect(again.statusCode).toBe(200);
    expect(again.json().revokedAt).toBe(revoked.json().revokedAt);
    expect((await listKeys(owner)).find((listed) => listed.id === key.id)?.revokedAt).toBe(revoked.json().revokedAt);
  });

  it('AUD-01 creating and revoking a key, and every failed use, are audited', async () => {
    const owner = await t.newOrganization('keys-audit');
    const key = await t.createApiKey(owner, ['ingest'], 'Audited agent');
    const keyLabel = `API key "Audited agent" (${key.id})`;

    // Failed uses: wrong scope, a route that takes no keys, an unknown key (instance chain), a revoked key.
    expect((await t.request({ method: 'GET', url: '/test/key-read', as: key })).statusCode).toBe(403);
    expect((await t.request({ method: 'GET', url: '/api/members', as: key })).statusCode).toBe(403);
    const address = uniqueClientAddress();
    const stranger = unknownKey();
    expect((await current(stranger, address)).statusCode).toBe(401);
    expect((await t.request({ method: 'DELETE', url: `/api/api-keys/${key.id}`, as: owner })).statusCode).toBe(200);
    expect((await current(key)).statusCode).toBe(401);

    const events = await keyEvents(owner.orgId);
    expect(events.map((event) => [event.action, event.outcome, event.details.reason ?? null])).toEqual([
      ['apikey.create', 'success', null],
      ['apikey.use', 'denied', 'scope'],
      ['apikey.use', 'denied', 'route_not_for_keys'],
      ['apikey.revoke', 'success', null],
      ['apikey.use', 'failure', 'revoked'],
    ]);
    const [create, scope, route, revoke, revokedUse] = events;
    expect(create).toMatchObject({ actor_user_id: owner.userId, actor_label: owner.email, target_id: key.id, details: { name: 'Audited agent', scopes: ['ingest'], prefix: key.prefix } });
    expect(scope).toMatchObject({ actor_user_id: null, actor_label: keyLabel, target_id: key.id, details: { permission: 'usage:read', scopes: ['ingest'] } });
    expect(route).toMatchObject({ actor_label: keyLabel, target_id: key.id });
    expect(revoke).toMatchObject({ actor_user_id: owner.userId, target_id: key.id });
    expect(revokedUse).toMatchObject({ actor_label: keyLabel, target_id: key.id });

    // An unknown key belongs to no organisation: the instance chain records it, as it does failed sign-ins.
    const instance = (await keyEvents(INSTANCE_ORG_ID)).filter((event) => event.ip === address);
    expect(instance).toHaveLength(1);
    expect(instance[0]).toMatchObject({ outcome: 'failure', actor_label: `API key ${stranger.prefix}…`, details: { reason: 'unknown_key' } });

    // The records are in the organisation's hash chain, which still verifies.
    const verify = await t.request({ method: 'GET', url: '/api/audit-events/verify', as: owner });
    expect(verify.json()).toMatchObject({ ok: true });
    const listed = await t.request({ method: 'GET', url: '/api/audit-events?action=apikey', as: owner });
    expect(listed.json().events).toHaveLength(5);
  });

  it('AUTH-06 a caller that keeps presenting unknown keys is slowed down', async () => {
    const address = uniqueClientAddress();
    const answers: number[] = [];
    for (let attempt = 0; attempt < 22; attempt += 1) answers.push((await current(unknownKey(), address)).statusCode);
    expect(answers.slice(0, 20).every((status) => status === 401)).toBe(true);
    expect(answers.at(-1)).toBe(429);
  });

  it('SEC-01 bad input is refused with 400 naming the field, and creates nothing', async () => {
    const owner = await t.newOrganization('keys-input');
    const cases: [unknown, string, RegExp][] = [
      [{ name: '', scopes: ['read'] }, 'body.name', /required/],
      [{ name: 'x'.repeat(101), scopes: ['read'] }, 'body.name', /100/],
      [{ name: 'bad\u0000name', scopes: ['read'] }, 'body.name', /control characters/],
      [{ name: 'No scopes', scopes: [] }, 'body.scopes', /at least one scope/],
      [{ name: 'Admin scope', scopes: ['admin'] }, 'body.scopes.0', /must be one of: ingest, read/],
      [{ name: 'Twice', scopes: ['read', 'read'] }, 'body.scopes', /twice/],
      [{ name: 'Extra', scopes: ['read'], orgId: owner.orgId }, 'body', /unknown field\(s\): orgId/],
      [{ scopes: ['read'] }, 'body.name', /./],
    ];
    for (const [payload, path, message] of cases) {
      const response = await t.request({ method: 'POST', url: '/api/api-keys', as: owner, payload: payload as Record<string, unknown> });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      const error = response.json().error;
      expect(error.code).toBe('validation_failed');
      const issue = (error.issues as { path: string; message: string }[]).find((candidate) => candidate.path === path);
      expect(issue?.message, `${JSON.stringify(payload)}: ${JSON.stringify(error.issues)}`).toMatch(message);
    }
    const badId = await t.request({ method: 'DELETE', url: '/api/api-keys/not-a-uuid', as: owner });
    expect(badId.statusCode).toBe(400);
    expect(badId.json().error.issues[0].path).toBe('params.keyId');
    expect(await listKeys(owner)).toEqual([]);
  });

  it('AUTH-02 a browser session needs the CSRF token to create a key; a request with a key needs none', async () => {
    const owner = await t.newOrganization('keys-csrf');
    const cookieHeader = Object.entries(owner.cookies)
      .map(([name, value]) => `${name}=${value}`)
      .join('; ');
    const payload = { name: 'From a browser', scopes: ['read'] };
    const forged = await t.request({ method: 'POST', url: '/api/api-keys', payload, headers: { cookie: cookieHeader, origin: TEST_ORIGIN } });
    expect(forged.statusCode).toBe(403);
    expect(errorOf(forged)?.code).toBe('auth.csrf_failed');
    const real = await t.request({
      method: 'POST',
      url: '/api/api-keys',
      payload,
      headers: { cookie: cookieHeader, origin: TEST_ORIGIN, 'x-csrf-token': owner.csrfToken },
    });
    expect(real.statusCode).toBe(201);

    // With a key in the Authorization header, cookies are not read: no CSRF token needed, and the key acts.
    const key = await t.createApiKey(owner, ['ingest']);
    const ingest = await t.request({ method: 'POST', url: '/test/key-ingest', as: key, headers: { cookie: cookieHeader, origin: 'https://elsewhere.example' } });
    expect(ingest.statusCode).toBe(200);
    expect(ingest.json().kind).toBe('api_key');
  });
});

describe('what a key may do', () => {
  it('KEY-01 a key acts only in its own organisation; another organisation cannot see or revoke it', async () => {
    const ownerA = await t.newOrganization('keys-org-a');
    const ownerB = await t.newOrganization('keys-org-b');
    const keyA = await t.createApiKey(ownerA, ['read', 'ingest'], 'Key of A');
    const keyB = await t.createApiKey(ownerB, ['read'], 'Key of B');

    const itself = await current(keyA);
    expect(itself.statusCode).toBe(200);
    expect(itself.json()).toEqual({
      id: keyA.id,
      name: 'Key of A',
      prefix: keyA.prefix,
      scopes: ['read', 'ingest'],
      organisation: { id: ownerA.orgId, name: 'Company of keys-org-a' },
    });

    // Everything a key reads, it reads inside its own organisation's transaction.
    const seenByA = await t.request({ method: 'GET', url: '/test/key-read', as: keyA });
    expect(seenByA.json()).toEqual({ kind: 'api_key', orgId: ownerA.orgId, organizations: [ownerA.orgId], keyOrgs: [ownerA.orgId] });
    const seenByB = await t.request({ method: 'GET', url: '/test/key-read', as: keyB });
    expect(seenByB.json()).toEqual({ kind: 'api_key', orgId: ownerB.orgId, organizations: [ownerB.orgId], keyOrgs: [ownerB.orgId] });

    // Organisation B does not see A's key, and revoking it by id answers 404 and changes nothing.
    expect((await listKeys(ownerB)).map((listed) => listed.id)).toEqual([keyB.id]);
    const foreign = await t.request({ method: 'DELETE', url: `/api/api-keys/${keyA.id}`, as: ownerB });
    expect(foreign.statusCode).toBe(404);
    expect(errorOf(foreign)?.code).toBe('not_found');
    expect((await current(keyA)).statusCode).toBe(200);
    expect((await listKeys(ownerA)).find((listed) => listed.id === keyA.id)?.revokedAt).toBeNull();
  });

  it('KEY-01 an ingest-only key is refused on a read route, and a read-only key on an ingest route', async () => {
    const owner = await t.newOrganization('keys-scopes');
    const ingestKey = await t.createApiKey(owner, ['ingest']);
    const readKey = await t.createApiKey(owner, ['read']);
    const cases: [TestApiKey, string, string, number][] = [
      [ingestKey, 'POST', '/test/key-ingest', 200],
      [ingestKey, 'GET', '/test/key-read', 403],
      [readKey, 'GET', '/test/key-read', 200],
      [readKey, 'POST', '/test/key-ingest', 403],
    ];
    for (const [key, method, url, status] of cases) {
      const response = await t.request({ method: method as 'GET' | 'POST', url, as: key });
      expect(response.statusCode, `${key.scopes.join()} ${method} ${url}`).toBe(status);
      if (status === 403) expect(errorOf(response)).toMatchObject({ code: 'auth.api_key_scope', message: expect.stringContaining(url.includes('read') ? '"read"' : '"ingest"') });
    }
    // The ingest route sees the key as its actor, named for the audit log; people keep their own rules.
    const ingested = await t.request({ method: 'POST', url: '/test/key-ingest', as: ingestKey });
    expect(ingested.json()).toMatchObject({ kind: 'api_key', audit: { orgId: owner.orgId, actorUserId: null, actorLabel: expect.stringContaining(ingestKey.id) } });
    const byOwner = await t.request({ method: 'POST', url: '/test/key-ingest', as: owner });
    expect(byOwner.json()).toMatchObject({ kind: 'person', audit: { actorUserId: owner.userId, actorLabel: owner.email } });
    const viewer = await t.addMember(owner, 'viewer');
    expect((await t.request({ method: 'GET', url: '/test/key-read', as: viewer })).statusCode).toBe(200);
    expect((await t.request({ method: 'POST', url: '/test/key-ingest', as: viewer })).statusCode).toBe(403);
  });

  it('KEY-01 a key is refused on every route that does not declare it, and ignored on public ones', async () => {
    const owner = await t.newOrganization('keys-routes');
    const key = await t.createApiKey(owner, ['ingest', 'read']);
    const refused: [string, string][] = [
      ['GET', '/api/members'],
      ['GET', '/api/api-keys'],
      ['POST', '/api/api-keys'],
      ['GET', '/api/auth/me'],
      ['GET', '/api/org'],
      ['GET', '/api/audit-events'],
    ];
    for (const [method, url] of refused) {
      const response = await t.request({ method: method as 'GET' | 'POST', url, as: key, ...(method === 'POST' ? { payload: { name: 'By a key', scopes: ['read'] } } : {}) });
      expect(response.statusCode, `${method} ${url}`).toBe(403);
      expect(errorOf(response)?.code, `${method} ${url}`).toBe('auth.api_key_not_allowed');
    }
    // Unknown and revoked keys are refused as such there too.
    expect(errorOf(await t.request({ method: 'GET', url: '/api/members', as: unknownKey() }))?.code).toBe('auth.invalid_api_key');
    // A person is refused on the key-only route.
    const person = await t.request({ method: 'GET', url: '/api/api-keys/current', as: owner });
    expect(person.statusCode).toBe(403);
    expect(errorOf(person)?.code).toBe('auth.api_key_only');
    expect((await t.request({ method: 'GET', url: '/api/api-keys/current' })).statusCode).toBe(401);
    // A public route answers as it would to anyone.
    expect((await t.request({ method: 'GET', url: '/healthz', as: key })).statusCode).toBe(200);
    expect(await listKeys(owner)).toHaveLength(1);
  });

  it('KEY-01 the last use of a key is shown, and recorded at most once a minute', async () => {
    const owner = await t.newOrganization('keys-last-use');
    const key = await t.createApiKey(owner, ['read']);
    const lastUsed = async () => (await listKeys(owner)).find((listed) => listed.id === key.id)!.lastUsedAt;
    expect(await lastUsed()).toBeNull();

    const before = Date.now();
    expect((await current(key)).statusCode).toBe(200);
    const first = await lastUsed();
    expect(first).not.toBeNull();
    expect(Date.parse(first!)).toBeGreaterThanOrEqual(before - 1000);
    expect((await t.request({ method: 'GET', url: '/test/key-read', as: key })).statusCode).toBe(200);
    expect(await lastUsed()).toBe(first);

    // A minute later, the next use is recorded.
    await t.database.owner.transaction((tx) => tx.query(`UPDATE api_keys SET last_used_at = last_used_at - interval '2 minutes' WHERE id = $1`, [key.id]));
    expect((await current(key)).statusCode).toBe(200);
    expect(Date.parse((await lastUsed())!)).toBeGreaterThanOrEqual(Date.parse(first!));
    // A refused use is not a use.
    const ingestOnly = await t.createApiKey(owner, ['ingest']);
    expect((await t.request({ method: 'GET', url: '/test/key-read', as: ingestOnly })).statusCode).toBe(403);
    expect((await listKeys(owner)).find((listed) => listed.id === ingestOnly.id)!.lastUsedAt).toBeNull();
  });
});

describe('api_keys rows under row-level security', () => {
  it('TEN-01 organisation B cannot read, change or delete organisation A’s api_keys rows as the application role', async () => {
    const ownerA = await t.newOrganization('keys-rls-a');
    const ownerB = await t.newOrganization('keys-rls-b');
    const keyA = await t.createApiKey(ownerA, ['ingest']);
    await t.createApiKey(ownerB, ['read']);
    const ownerView = async () =>
      (
        await t.database.owner.transaction((tx) =>
          tx.query<Record<string, unknown>>('SELECT org_id, id, name, scopes, revoked_at, last_used_at FROM api_keys WHERE id = $1', [keyA.id]),
        )
      ).rows;
    const before = await ownerView();
    expect(before).toHaveLength(1);

    const asB = async (sql: string, params: unknown[]) => {
      try {
        return { result: await t.tenancy.withTenantTx({ orgId: ownerB.orgId, userId: ownerB.userId }, (tx) => tx.query(sql, params)) };
      } catch (error) {
        return { error: error as { code?: string; message: string } };
      }
    };
    const read = await asB('SELECT * FROM api_keys WHERE org_id = $1 OR id = $2', [ownerA.orgId, keyA.id]);
    expect(read.result?.rows).toEqual([]);
    const revoke = await asB('UPDATE api_keys SET revoked_at = now(), revoked_by = $2 WHERE id = $1', [keyA.id, ownerB.userId]);
    expect(revoke.result?.rowCount).toBe(0);
    const touch = await asB('UPDATE api_keys SET last_used_at = now() WHERE org_id = $1', [ownerA.orgId]);
    expect(touch.result?.rowCount).toBe(0);
    // Columns the application never changes are refused outright, in any organisation.
    const rename = await asB(`UPDATE api_keys SET name = 'taken over' WHERE id = $1`, [keyA.id]);
    expect(rename.error?.code).toBe('42501');
    const rescope = await asB(`UPDATE api_keys SET scopes = '{ingest,read}' WHERE org_id = $1`, [ownerA.orgId]);
    expect(rescope.error?.code).toBe('42501');
    const remove = await asB('DELETE FROM api_keys WHERE id = $1', [keyA.id]);
    expect(remove.error?.code).toBe('42501');
    const plant = await asB(
      `INSERT INTO api_keys (org_id, id, name, prefix, key_hash, scopes, created_by) VALUES ($1, gen_random_uuid(), 'planted', 'swk_AAAAAAAA', $2, '{read}', $3)`,
      [ownerA.orgId, randomBytes(32), ownerB.userId],
    );
    expect(plant.error?.code).toBe('42501');
    expect(plant.error?.message).toMatch(/row-level security/);

    expect(await ownerView()).toEqual(before);
    expect((await current(keyA)).statusCode).toBe(200);
  });
});
