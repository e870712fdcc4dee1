/**
 * The HTTP API cache promise: API Gateway keys a Lambda authorizer's cached answer by the values of its
 * identity sources and reuses it for every route using the authorizer
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html,
 * "Caching authorizer responses"). For generated route tables (compiled by the construct's own
 * compiler) and tokens (every scope subset x claim variant, signed and verified for real), the answer
 * the HTTP authorizer gives for (token, route A), reused for route B whenever the identity sources
 * httpIdentitySources chose give both requests the same cache key, must equal its real answer for
 * (token, route B): the same isAuthorized and the same context.
 */
import * as fc from 'fast-check';
import { httpEvent } from './fixtures';
import { HTTP_ROUTE_IDENTITY_SOURCE, HTTP_TOKEN_IDENTITY_SOURCE, httpIdentitySources } from '../../../src/authorizer/http-identity-sources';
import { ClaimRule, HttpMethod, RouteAuthorization } from '../../../src/authorizer/route';
import { CheckedRoute, checkRoute, checkRouteSet, compileRouteTable, CompiledRouteTable } from '../../../src/authorizer/route-table';
import { createHttpAuthorizer } from '../../../src/authorizer/runtime/http-authorizer';
import type { HttpSimpleResponse } from '../../../src/authorizer/runtime/http-response';
import { capturedAudit, clockAt, config, FIXED_NOW, makeKey, resolverOf, sign, validClaims } from '../runtime/fixtures';
import type { TestKey } from '../runtime/fixtures';

const SCOPES = ['s1', 's2', 's3'];
const RULES = [ClaimRule.equalTo('tenant', 'acme'), ClaimRule.oneOf('tenant', ['acme', 'beta']), ClaimRule.contains('groups', 'admin')];
const CLAIM_VARIANTS: Array<Record<string, unknown>> = [undefined, 'acme', 'beta'].flatMap((tenant) =>
  [undefined, ['admin']].map((groups) => ({ ...(tenant ? { tenant } : {}), ...(groups ? { groups } : {}) })),
);
const SCOPE_SUBSETS: string[][] = SCOPES.reduce<string[][]>((subsets, scope) => [...subsets, ...subsets.map((s) => [...s, scope])], [[]]);

let key: TestKey;
/** Every scope subset x claim variant, signed once. */
let tokens: string[];

beforeAll(async () => {
  key = await makeKey('ES256', 'ec-1');
  tokens = await Promise.all(SCOPE_SUBSETS.flatMap((scopes) => CLAIM_VARIANTS.map((extra) =>
    sign(key, validClaims({ ...extra, scope: scopes.join(' '), client_id: 'app' }, FIXED_NOW)))));
});

const segment = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('a', 'b', 'orders') },
  { weight: 2, arbitrary: fc.constant('{param}') },
  { weight: 1, arbitrary: fc.constant('{proxy+}') },
);

const genRoute: fc.Arbitrary<RouteAuthorization> = fc.record({
  method: fc.constantFrom(HttpMethod.GET, HttpMethod.POST, HttpMethod.DELETE, HttpMethod.ANY),
  segments: fc.array(segment, { maxLength: 3 }),
  scopes: fc.oneof({ weight: 1, arbitrary: fc.constant<string[]>(['s1']) }, { weight: 2, arbitrary: fc.subarray(SCOPES, { maxLength: 2 }) }),
  rules: fc.oneof(
    { weight: 3, arbitrary: fc.constant([] as ClaimRule[]) },
    { weight: 1, arbitrary: fc.subarray(RULES, { minLength: 1, maxLength: 2 }) },
  ),
}).map(({ method, segments, scopes, rules }) => {
  const parts = segments.map((s, i) => (s === '{param}' ? `{p${i}}` : s)).filter((s, i, all) => s !== '{proxy+}' || i === all.length - 1);
  return { method, path: '/' + parts.join('/'), scopes, claimRules: rules };
});

/** What TokenAuthorizer does with a set of routes: check each, check the set, compile. */
function compile(generated: RouteAuthorization[]): CompiledRouteTable | undefined {
  const kept: CheckedRoute[] = [];
  for (const route of generated) {
    try {
      const checked = checkRoute('Test', route);
      checkRouteSet('Test', [...kept, checked]);
      kept.push(checked);
    } catch {
      continue; // a table the construct refuses is not a table to test
    }
  }
  return kept.length === 0 ? undefined : compileRouteTable(kept);
}

/** API Gateway's cache key of a request under the given identity sources. */
function cacheKey(sources: readonly string[], token: string, routeKey: string): string {
  return JSON.stringify(sources.map((s) => {
    if (s === HTTP_TOKEN_IDENTITY_SOURCE) {
      return `Bearer ${token}`;
    }
    if (s === HTTP_ROUTE_IDENTITY_SOURCE) {
      return routeKey;
    }
    throw new Error(`unexpected identity source ${s}`);
  }));
}

describe('httpIdentitySources', () => {
  test('should key by the Authorization header alone when every route requires the same, in any order', () => {
    const rule = { claim: 'tenant', op: 'oneOf' as const, values: ['b', 'a'] };
    const same = compileRouteTable([
      { method: 'GET', resource: '/a', scopes: ['x', 'y'], claimRules: [rule] },
      { method: 'POST', resource: '/b/{id}', scopes: ['y', 'x'], claimRules: [{ ...rule, values: ['a', 'b'] }] },
    ]);
    expect(httpIdentitySources(same)).toEqual(['$request.header.Authorization']);
  });

  test('should add $context.routeKey when two routes differ in scopes or claim rules', () => {
    const scopes = compileRouteTable([
      { method: 'GET', resource: '/a', scopes: ['x'], claimRules: [] },
      { method: 'POST', resource: '/a', scopes: ['x', 'y'], claimRules: [] },
    ]);
    const rules = compileRouteTable([
      { method: 'GET', resource: '/a', scopes: [], claimRules: [] },
      { method: 'GET', resource: '/b', scopes: [], claimRules: [{ claim: 'tenant', op: 'equals', value: 'acme' }] },
    ]);
    expect(httpIdentitySources(scopes)).toEqual(['$request.header.Authorization', '$context.routeKey']);
    expect(httpIdentitySources(rules)).toEqual(['$request.header.Authorization', '$context.routeKey']);
  });

  test('a reused answer equals the real one for every generated table, token and pair of routes', async () => {
    await fc.assert(fc.asyncProperty(fc.array(genRoute, { minLength: 1, maxLength: 6 }), async (generated) => {
      const table = compile(generated);
      if (table === undefined) {
        return;
      }
      const sources = httpIdentitySources(table);
      const { audit } = capturedAudit();
      const authorize = createHttpAuthorizer({
        config: config({ algorithms: ['ES256'], routes: table.routes, cacheMode: table.cacheMode }),
        audit,
        resolveKey: resolverOf(key),
        now: clockAt(FIXED_NOW),
      });
      const routeKeys = table.routes.map((r) => `${r.method} ${r.resource}`);
      for (const token of tokens) {
        const answers = new Map<string, HttpSimpleResponse>();
        for (const routeKey of routeKeys) {
          const real = await authorize(httpEvent(`Bearer ${token}`, routeKey));
          const k = cacheKey(sources, token, routeKey);
          const cached = answers.get(k);
          if (cached === undefined) {
            answers.set(k, real);
          } else {
            expect(real).toEqual(cached);
          }
        }
      }
    }), { numRuns: 60 });
  });
});
