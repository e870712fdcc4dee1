import type { RouteConfig } from '../../../src/authorizer/runtime/config';
import { permission, RouteTable } from '../../../src/authorizer/runtime/routes';

function route(overrides: Partial<RouteConfig>): RouteConfig {
  return { method: 'GET', resource: '/orders', arnPath: 'orders', scopes: [], claimRules: [], overlaps: [], ...overrides };
}

describe('RouteTable.lookup', () => {
  const table = new RouteTable([
    route({ method: 'GET', resource: '/orders' }),
    route({ method: 'ANY', resource: '/orders' }),
    route({ method: 'ANY', resource: '/admin/{proxy+}' }),
  ]);

  test.each([
    ['GET', '/orders', 0],
    ['POST', '/orders', 1],
    ['DELETE', '/admin/{proxy+}', 2],
    ['GET', '/orders/{id}', undefined],
    ['get', '/orders', 1],
    ['GET', '/Orders', undefined],
    ['GET', '/orders/', undefined],
  ])('should map %s %s to route %s', (method, resource, expected) => {
    // WHEN
    const found = table.lookup(method, resource);
    // THEN
    expect(found).toBe(expected);
  });

  test('should not find routes through Object.prototype names', () => {
    // WHEN
    const found = [table.lookup('constructor', ''), table.lookup('__proto__', ''), table.lookup('toString', '')];
    // THEN
    expect(found).toEqual([undefined, undefined, undefined]);
  });
});

describe('permission', () => {
  test.each([
    ['no scopes required', [], ['x'], 'allowed'],
    ['one of the scopes', ['orders:read', 'orders:admin'], ['orders:admin'], 'allowed'],
    ['none of the scopes', ['orders:read'], ['orders:write'], 'insufficient_scope'],
    ['a longer scope', ['orders:read'], ['orders:read2'], 'insufficient_scope'],
    ['a shorter scope', ['orders:read'], ['orders:rea'], 'insufficient_scope'],
    ['another case', ['orders:read'], ['Orders:Read'], 'insufficient_scope'],
    ['no scopes granted', ['orders:read'], [], 'insufficient_scope'],
  ])('should judge %s', (_, required, granted, expected) => {
    // WHEN
    const got = permission(route({ scopes: required }), {}, new Set(granted));
    // THEN
    expect(got).toBe(expected);
  });

  test.each([
    ['equals on a string', { claim: 'tenant', op: 'equals', value: 'acme' }, { tenant: 'acme' }, true],
    ['equals on another string', { claim: 'tenant', op: 'equals', value: 'acme' }, { tenant: 'acme2' }, false],
    ['equals on a number', { claim: 'level', op: 'equals', value: '3' }, { level: 3 }, true],
    ['equals on a boolean', { claim: 'email_verified', op: 'equals', value: 'true' }, { email_verified: true }, true],
    ['equals on an array', { claim: 'tenant', op: 'equals', value: 'acme' }, { tenant: ['acme'] }, false],
    ['equals on a missing claim', { claim: 'tenant', op: 'equals', value: 'acme' }, {}, false],
    ['contains in an array', { claim: 'groups', op: 'contains', value: 'admins' }, { groups: ['users', 'admins'] }, true],
    ['contains in a space-delimited string', { claim: 'groups', op: 'contains', value: 'admins' }, { groups: 'users admins' }, true],
    ['contains of a prefix', { claim: 'groups', op: 'contains', value: 'admins' }, { groups: ['admins-readonly'] }, false],
    ['contains of a substring', { claim: 'groups', op: 'contains', value: 'admin' }, { groups: 'users admins' }, false],
    ['contains on a nested array', { claim: 'groups', op: 'contains', value: 'admins' }, { groups: [['admins']] }, false],
    ['oneOf hit', { claim: 'tenant', op: 'oneOf', values: ['acme', 'globex'] }, { tenant: 'globex' }, true],
    ['oneOf miss', { claim: 'tenant', op: 'oneOf', values: ['acme', 'globex'] }, { tenant: 'initech' }, false],
    ['oneOf on an array', { claim: 'tenant', op: 'oneOf', values: ['acme'] }, { tenant: ['acme'] }, false],
    ['a rule on constructor', { claim: 'constructor', op: 'equals', value: 'function Object() { [native code] }' }, {}, false],
  ])('should evaluate the claim rule %s', (_, rule, claims, holds) => {
    // GIVEN
    const r = route({ claimRules: [rule as RouteConfig['claimRules'][number]] });
    // WHEN
    const got = permission(r, claims, new Set());
    // THEN
    expect(got).toBe(holds ? 'allowed' : 'claim_rule_failed');
  });

  test('should require every claim rule and check scopes first', () => {
    // GIVEN
    const r = route({
      scopes: ['orders:read'],
      claimRules: [
        { claim: 'tenant', op: 'equals', value: 'acme' },
        { claim: 'groups', op: 'contains', value: 'buyers' },
      ],
    });
    // WHEN
    const oneRule = permission(r, { tenant: 'acme', groups: ['sellers'] }, new Set(['orders:read']));
    const both = permission(r, { tenant: 'acme', groups: ['buyers'] }, new Set(['orders:read']));
    const noScope = permission(r, { tenant: 'other' }, new Set());
    // THEN
    expect(oneRule).toBe('claim_rule_failed');
    expect(both).toBe('allowed');
    expect(noScope).toBe('insufficient_scope');
  });
});
