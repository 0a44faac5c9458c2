import { describe, expect, it } from 'vitest';
import { matchPath, safeNextPath, tokenFromFragment } from './router.ts';

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

describe('matchPath', () => {
  it('reads named segments and ignores trailing slashes', () => {
    expect(matchPath('/features/:featureId', '/features/abc')).toEqual({ featureId: 'abc' });
    expect(matchPath('/features/:featureId', '/features/a%20b/')).toEqual({ featureId: 'a b' });
    expect(matchPath('/', '/')).toEqual({});
  });
  it('refuses paths of another shape or with broken escapes', () => {
    expect(matchPath('/features/:featureId', '/features')).toBeNull();
    expect(matchPath('/features/:featureId', '/servers/abc')).toBeNull();
    expect(matchPath('/features/:featureId', '/features/%E0%A4%A')).toBeNull();
  });
});
