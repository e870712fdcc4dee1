// The Lambda authorizer's answer, cached by its identity sources, is right on every route it is
// reused on: for generated route tables and tokens, when the identity sources leave the route out
// (the answer is shared by every route), the decision for (token, route A) equals the decision for
// (token, route B). Decisions are modelled as the authorizer makes them: any-of scopes (none: any
// valid token), every claim rule.
import * as fc from 'fast-check';
import { httpIdentitySources } from '../../src/authorizer/http-identity-sources';
import { compileRouteTable } from '../../src/authorizer/route-table';

interface Token { readonly scopes: string[]; readonly tenant?: string }

const genRoute = fc.record({
  path: fc.constantFrom('/a', '/b', '/a/{id}', '/c/{id}/d'),
  method: fc.constantFrom('GET' as const, 'POST' as const),
  scopes: fc.uniqueArray(fc.constantFrom('r', 'w'), { maxLength: 2 }),
  tenant: fc.option(fc.constantFrom('acme', 'other'), { nil: undefined }),
});
const genTable = fc.uniqueArray(genRoute, { minLength: 1, maxLength: 5, selector: (r) => `${r.method} ${r.path}` });
const genToken: fc.Arbitrary<Token> = fc.record({
  scopes: fc.uniqueArray(fc.constantFrom('r', 'w', 'x'), { maxLength: 3 }),
  tenant: fc.option(fc.constantFrom('acme', 'other'), { nil: undefined }),
});

function allows(route: { scopes: readonly string[]; claimRules: readonly { claim: string; value?: string }[] }, token: Token): boolean {
  const scoped = route.scopes.length === 0 || route.scopes.some((s) => token.scopes.includes(s));
  return scoped && route.claimRules.every((rule) => rule.claim === 'tenant' && token.tenant === rule.value);
}

describe('httpIdentitySources', () => {
  test('should share a cached answer between routes only when it is right on each of them', () => {
    fc.assert(fc.property(genTable, genToken, (routes, token) => {
      const table = compileRouteTable(routes.map((r) => ({
        method: r.method,
        resource: r.path,
        scopes: [...r.scopes].sort(),
        claimRules: r.tenant === undefined ? [] : [{ claim: 'tenant', op: 'equals' as const, value: r.tenant }],
      })));
      const sources = httpIdentitySources(table);
      expect(sources[0]).toBe('$request.header.Authorization');
      if (sources.includes('$context.routeKey')) return;
      const decisions = table.routes.map((r) => allows(r as any, token));
      expect(new Set(decisions).size).toBeLessThanOrEqual(1);
    }), { numRuns: 500 });
  });
});
