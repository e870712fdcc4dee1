import { grantedScopes } from '../../../src/authorizer/runtime/scopes';

describe('grantedScopes', () => {
  test.each([
    ['a space-delimited scope', { scope: 'orders:read orders:write' }, ['orders:read', 'orders:write']],
    ['repeated spaces', { scope: ' orders:read  orders:write ' }, ['orders:read', 'orders:write']],
    ['an scp array', { scp: ['orders:read', 'orders:write'] }, ['orders:read', 'orders:write']],
    ['an scp string', { scp: 'orders:read orders:write' }, ['orders:read', 'orders:write']],
    ['scope and scp together, deduplicated', { scope: 'a b', scp: ['b', 'c'] }, ['a', 'b', 'c']],
    ['a comma-separated scope, as one scope', { scope: 'orders:read,orders:write' }, ['orders:read,orders:write']],
    ['a tab-separated scope, as one scope holding a control character (not granted)', { scope: 'orders:read\torders:write a' }, ['a']],
    ['an scp item holding a space or a control character (not granted: read space-joined, it would be two)', { scp: ['orders:read orders:admin', 'x\ny', 'a'] }, ['a']],
    ['the marker "-" of no scopes (never granted)', { scope: '- a', scp: ['-'] }, ['a']],
    ['scope as an array (not granted)', { scope: ['orders:read'] }, []],
    ['scp with non-string members (skipped)', { scp: ['a', 1, null, { s: 'b' }, ['c'], ''] }, ['a']],
    ['scope as a number', { scope: 42 }, []],
    ['scope as an object', { scope: { 'orders:read': true } }, []],
    ['no scope at all', {}, []],
  ])('should read %s', (_, claims, expected) => {
    // WHEN
    const scopes = grantedScopes(claims);
    // THEN
    expect([...scopes]).toEqual(expected);
  });

  test('should not read scope from the prototype', () => {
    // GIVEN
    const claims = JSON.parse('{"__proto__": {"scope": "orders:admin"}}');
    // WHEN
    const scopes = grantedScopes(claims);
    // THEN
    expect([...scopes]).toEqual([]);
  });
});
