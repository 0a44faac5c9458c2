import type { ApiKey } from '@seatwise/protocol';
import { describe, expect, it } from 'vitest';
import { createKeyProblems, orderedScopes, sortKeysForList } from './api-keys.ts';

const key = (id: string, createdAt: string, revokedAt: string | null = null): ApiKey => ({
  id,
  name: `key ${id}`,
  prefix: `swk_${id}`,
  scopes: ['ingest'],
  createdBy: { userId: '0b6f3c1e-4d2a-4c8e-9f1a-2b3c4d5e6f70', name: 'Ana' },
  createdAt,
  lastUsedAt: null,
  revokedAt,
});

describe('the create-key form', () => {
  it('needs a name and at least one scope', () => {
    expect(createKeyProblems('Agent on flex1', ['ingest'])).toEqual({ name: undefined, scopes: undefined });
    expect(createKeyProblems('   ', ['read']).name).toMatch(/required/);
    expect(createKeyProblems('Agent', []).scopes).toMatch(/at least one scope/);
    expect(createKeyProblems('x'.repeat(101), ['read']).name).toMatch(/at most 100 characters \(it has 101\)/);
    expect(createKeyProblems(` ${'x'.repeat(100)} `, ['read']).name).toBeUndefined();
  });

  it('sends the scopes in catalog order', () => {
    expect(orderedScopes(new Set(['read', 'ingest']), ['ingest', 'read'])).toEqual(['ingest', 'read']);
    expect(orderedScopes(new Set(), ['ingest', 'read'])).toEqual([]);
  });
});

describe('the key list', () => {
  it('shows keys in use first, newest first, then revoked ones, most recently revoked first', () => {
    const keys = [
      key('a', '2025-01-01T00:00:00Z', '2025-02-01T00:00:00Z'),
      key('b', '2025-01-02T00:00:00Z'),
      key('c', '2025-01-03T00:00:00Z', '2025-03-01T00:00:00Z'),
      key('d', '2025-01-04T00:00:00Z'),
    ];
    expect(sortKeysForList(keys).map((k) => k.id)).toEqual(['d', 'b', 'c', 'a']);
    expect(keys.map((k) => k.id)).toEqual(['a', 'b', 'c', 'd']);
  });
});
