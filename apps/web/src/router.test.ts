import { describe, expect, it } from 'vitest';
import { safeNextPath, tokenFromFragment } from './router.ts';

describe('safeNextPath', () => {
  it('keeps paths inside the app', () => {
    expect(safeNextPath('/accept-invite')).toBe('/accept-invite');
    expect(safeNextPath('/?tab=members')).toBe('/?tab=members');
  });
  it('refuses other origins, protocol-relative and odd paths, and the API', () => {
    for (const next of [null, undefined, '', 'accept-invite', 'https://evil.example', '//evil.example', '/\\evil.example', '/\tx', '/api/auth/sign-out']) {
      expect(safeNextPath(next)).toBeUndefined();
    }
  });
  it('drops any fragment', () => {
    expect(safeNextPath('/accept-invite#token=abc')).toBe('/accept-invite');
  });
});

describe('tokenFromFragment', () => {
  it('reads #token=…', () => {
    expect(tokenFromFragment('#token=abc.DEF_123-x')).toBe('abc.DEF_123-x');
    expect(tokenFromFragment('token=abc')).toBe('abc');
    expect(tokenFromFragment('#other=1&token=t')).toBe('t');
    expect(tokenFromFragment('')).toBeUndefined();
    expect(tokenFromFragment('#token=')).toBeUndefined();
  });
});
