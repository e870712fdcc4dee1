import { ClaimInvalidError } from '../../../src/authorizer/runtime/errors';
import { auditedScopes, grantedScopes } from '../../../src/authorizer/runtime/scopes';

const SCOPE_SCP = ['scope', 'scp'];

describe('grantedScopes', () => {
  test.each([
    ['a space-delimited scope', { scope: 'orders:read orders:write' }, ['orders:read', 'orders:write']],
    ['repeated spaces', { scope: ' orders:read  orders:write ' }, ['orders:read', 'orders:write']],
    ['an scp array', { scp: ['orders:read', 'orders:write'] }, ['orders:read', 'orders:write']],
    ['an scp string', { scp: 'orders:read orders:write' }, ['orders:read', 'orders:write']],
    ['a scope array (each grant claim may be either form)', { scope: ['orders:read', 'orders:write'] }, ['orders:read', 'orders:write']],
    ['scope and scp together, deduplicated', { scope: 'a b', scp: ['b', 'c'] }, ['a', 'b', 'c']],
    ['a comma-separated scope, as one scope', { scope: 'orders:read,orders:write' }, ['orders:read,orders:write']],
    ['a tab-separated scope, as one scope holding a control character (not granted)', { scope: 'orders:read\torders:write a' }, ['a']],
    ['an scp item holding a space or a control character (not granted: read space-joined, it would be two)', { scp: ['orders:read orders:admin', 'x\ny', 'a'] }, ['a']],
    ['the marker "-" of no scopes (never granted)', { scope: '- a', scp: ['-'] }, ['a']],
    ['empty strings and an empty array', { scope: '', scp: [] }, []],
    ['no grant claim at all', {}, []],
  ])('should read %s', (_, claims, expected) => {
    // WHEN
    const scopes = grantedScopes(claims, SCOPE_SCP);
    // THEN
    expect([...scopes]).toEqual(expected);
  });

  test.each([
    ['scope a number', { scope: 42 }],
    ['scope an object', { scope: { 'orders:read': true } }],
    ['scope null', { scope: null }],
    ['scope true', { scope: true }],
    ['scp with a non-string member', { scp: ['orders:read', 1] }],
    ['scp with a null member', { scp: ['orders:read', null] }],
    ['scp a nested array', { scp: [['orders:read']] }],
    ['scp holding an object', { scp: [{ 0: 'orders:read' }] }],
    ['a well-formed scope next to a malformed scp', { scope: 'orders:read', scp: 7 }],
  ])('should refuse the token (claim_invalid) for %s', (_, claims) => {
    // WHEN
    const read = () => grantedScopes(claims, SCOPE_SCP);
    // THEN
    expect(read).toThrow(ClaimInvalidError);
    // The message names the grant claim at fault (errors.ts: a name, not a sentence).
    expect(read).toThrow(/^(scope|scp)$/);
  });

  test('should keep the claims on the refusal, for the audit line', () => {
    // GIVEN
    const claims = { sub: 'u', scope: 42 };
    // WHEN
    let err: unknown;
    try {
      grantedScopes(claims, SCOPE_SCP);
    } catch (e) {
      err = e;
    }
    // THEN
    expect(err).toBeInstanceOf(ClaimInvalidError);
    expect((err as ClaimInvalidError).verifiedClaims).toBe(claims);
  });

  test.each([
    ['roles only (Entra ID app-only tokens)', ['roles'], ['orders:read', 'x']],
    ['permissions only (Auth0 RBAC)', ['permissions'], ['orders:admin']],
    ['scope only', ['scope'], ['a']],
    ['no grant claim', [], []],
    ['every one, in the profile\'s order', ['permissions', 'scope', 'roles', 'scp'], ['orders:admin', 'a', 'orders:read', 'x', 's']],
  ])('should read exactly the profile\'s grant claims: %s', (_, grantClaims, expected) => {
    // GIVEN
    const claims = { scope: 'a', scp: ['s'], roles: ['orders:read', 'x'], permissions: 'orders:admin', groups: ['admins'] };
    // WHEN
    const scopes = grantedScopes(claims, grantClaims);
    // THEN
    expect([...scopes]).toEqual(expected);
  });

  test('should not judge a malformed claim the profile does not name', () => {
    // WHEN
    const scopes = grantedScopes({ scope: 'a', scp: 7, roles: { x: 1 } }, ['scope']);
    // THEN
    expect([...scopes]).toEqual(['a']);
  });

  test('should not read a grant claim from the prototype', () => {
    // GIVEN
    const claims = JSON.parse('{"__proto__": {"scope": "orders:admin"}}');
    // WHEN
    const scopes = grantedScopes(claims, SCOPE_SCP);
    // THEN
    expect([...scopes]).toEqual([]);
  });

  test('should read an own claim named __proto__ when the profile names it', () => {
    // GIVEN: JSON.parse makes "__proto__" an own property, as the verifier's payload has it
    const claims = JSON.parse('{"__proto__": ["orders:admin"], "constructor": "orders:read"}');
    // WHEN
    const scopes = grantedScopes(claims, ['__proto__', 'constructor', 'toString']);
    // THEN
    expect([...scopes]).toEqual(['orders:admin', 'orders:read']);
  });
});

describe('auditedScopes', () => {
  test('should read what is readable and skip a malformed grant claim or member, never throwing', () => {
    // WHEN
    const scopes = auditedScopes({ scope: 7, scp: ['a', 1, 'b c', 'd'], roles: 'e f' }, ['scope', 'scp', 'roles']);
    // THEN
    expect([...scopes]).toEqual(['a', 'd', 'e', 'f']);
  });
});
