/**
 * The result-cache promise, tested by generated route tables across the construct/runtime gap:
 * tables are compiled by the construct's own compiler (checkRoute, checkRouteSet, compileRouteTable,
 * as TokenAuthorizer does), policies are built by the runtime's own code (RouteTable, policyDocument,
 * as the authorizer Lambda does), and every cached policy is checked against brute force over
 * every token (scope subset x claim values), every first route, and every concrete request of
 * every route.
 *
 * The brute force is deliberately independent of the compiler's reasoning:
 * - IAM: `*` matches any characters, `/` included, and `?` one character, anywhere in the ARN
 *   (the worst reading of execute-api resource matching); explicit Deny beats Allow.
 * - Routing: API Gateway picks the resource by precedence, segment by segment a literal before
 *   `{param}` before `{proxy+}`, and then the exact method before `ANY`. As a second, worse reading,
 *   every route whose template matches the request may be the one serving it.
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-set-up-simple-proxy.html
 * - Caching: in `token` mode API Gateway reuses the first request's policy for every later request
 *   with the token; in `route` mode only for requests with the same method and resource template.
 */
import * as fc from 'fast-check';
import { ClaimRule, HttpMethod, RouteAuthorization } from '../../src/authorizer/route';
import { CheckedRoute, checkRoute, checkRouteSet, compileRouteTable, CompiledRouteTable } from '../../src/authorizer/route-table';
import type { RouteConfig } from '../../src/authorizer/runtime/config';
import { policyDocument } from '../../src/authorizer/runtime/policy';
import type { PolicyDocument } from '../../src/authorizer/runtime/policy';
import { RouteTable } from '../../src/authorizer/runtime/routes';

const BASE = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod';
const VERBS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
const LITERALS = ['a', 'b', 'orders'];
const SCOPES = ['s1', 's2', 's3'];
const RULES = [ClaimRule.equalTo('tenant', 'acme'), ClaimRule.oneOf('tenant', ['acme', 'beta']), ClaimRule.contains('groups', 'admin')];
const CLAIM_VARIANTS: Array<Record<string, unknown>> = [undefined, 'acme', 'beta'].flatMap((tenant) =>
  [undefined, ['admin']].map((groups) => ({ ...(tenant ? { tenant } : {}), ...(groups ? { groups } : {}) })),
);

interface GenRoute {
  readonly route: RouteAuthorization;
  readonly isPublic: boolean;
}

/** A route of the generated API: guarded (index into the compiled table) or public. */
interface ApiRoute {
  readonly method: string;
  readonly resource: string;
  readonly guarded?: number;
}

const segment = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...LITERALS) },
  { weight: 2, arbitrary: fc.constant('{param}') },
  { weight: 1, arbitrary: fc.constant('{proxy+}') },
);

const genRoute: fc.Arbitrary<GenRoute> = fc.record({
  method: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(HttpMethod.GET, HttpMethod.POST, HttpMethod.ANY) },
    { weight: 1, arbitrary: fc.constantFrom(...Object.values(HttpMethod)) },
  ),
  segments: fc.array(segment, { maxLength: 3 }),
  scopes: fc.subarray(SCOPES, { maxLength: 2 }),
  rules: fc.oneof(
    { weight: 3, arbitrary: fc.constant([] as ClaimRule[]) },
    { weight: 1, arbitrary: fc.subarray(RULES, { minLength: 1, maxLength: 2 }) },
  ),
  isPublic: fc.boolean(),
}).map(({ method, segments, scopes, rules, isPublic: pub }) => {
  // A public route has no scopes or claim rules (SecuredApi refuses them).
  const isPublic = pub && scopes.length === 0 && rules.length === 0;
  // Names by depth keep parameter names unique in a path; {proxy+} only last.
  const parts = segments.map((s, i) => (s === '{param}' ? `{p${i}}` : s)).filter((s, i, all) => s !== '{proxy+}' || i === all.length - 1);
  const path = '/' + parts.join('/');
  return { route: { method, path, scopes, claimRules: rules }, isPublic };
});

/** What TokenAuthorizer and SecuredApi do with a set of routes: check each, check the set, compile the guarded ones. */
function compileApi(generated: GenRoute[]): { api: ApiRoute[]; table: CompiledRouteTable } | undefined {
  const kept: Array<{ checked: CheckedRoute; isPublic: boolean }> = [];
  for (const g of generated) {
    let checked: CheckedRoute;
    try {
      checked = checkRoute('Test', g.route);
      checkRouteSet('Test', [...kept.map((k) => k.checked), checked]);
    } catch {
      continue; // a table API Gateway or the construct refuses is not a table to test
    }
    kept.push({ checked, isPublic: g.isPublic });
  }
  const guarded = kept.filter((k) => !k.isPublic).map((k) => k.checked);
  if (guarded.length === 0) {
    return undefined;
  }
  const table = compileRouteTable(guarded);
  const api: ApiRoute[] = kept.map(({ checked, isPublic }) => ({
    method: checked.method,
    resource: checked.resource,
    guarded: isPublic ? undefined : table.routes.findIndex((r) => r.method === checked.method && r.resource === checked.resource),
  }));
  return { api, table };
}

/** Concrete paths of a route template, parameter values drawn from the table's own literals and one more. */
function pathsOf(resource: string, literals: string[]): string[] {
  const parts = resource === '/' ? [] : resource.slice(1).split('/');
  const values = [...literals, 'x'];
  const greedy = [...values, ...values.flatMap((v) => values.map((w) => `${v}/${w}`))];
  let paths = [''];
  for (const part of parts) {
    const options = part.endsWith('+}') ? greedy : part.startsWith('{') ? values : [part];
    paths = paths.flatMap((p) => options.map((o) => `${p}/${o}`));
  }
  return paths.map((p) => p || '/');
}

/** Whether a concrete path matches a route template. */
function templateMatches(resource: string, path: string): boolean {
  const t = resource === '/' ? [] : resource.slice(1).split('/');
  const p = path === '/' ? [] : path.slice(1).split('/');
  for (let i = 0; i < t.length; i++) {
    if (t[i].endsWith('+}')) {
      return p.length > i;
    }
    if (i >= p.length || (!t[i].startsWith('{') && t[i] !== p[i])) {
      return false;
    }
  }
  return p.length === t.length;
}

/** Rank of a template for precedence: per segment, literal (0) before {param} (1) before {proxy+} (2). */
function rank(resource: string): number[] {
  return (resource === '/' ? [] : resource.slice(1).split('/')).map((s) => (s.endsWith('+}') ? 2 : s.startsWith('{') ? 1 : 0));
}

function precedes(x: number[], y: number[]): boolean {
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const a = x[i] ?? -1;
    const b = y[i] ?? -1;
    if (a !== b) {
      return a < b;
    }
  }
  return false;
}

/** The routes that may serve a request: [precedence pick, ...every other route whose template matches]. */
function servingRoutes(api: ApiRoute[], verb: string, path: string): { pick?: ApiRoute; any: ApiRoute[] } {
  const any = api.filter((r) => (r.method === verb || r.method === 'ANY') && templateMatches(r.resource, path));
  let pick: ApiRoute | undefined;
  for (const r of any) {
    const better = !pick || precedes(rank(r.resource), rank(pick.resource)) || (r.resource === pick.resource && r.method === verb);
    if (better) {
      pick = r;
    }
  }
  return { pick, any };
}

/** IAM's evaluation under the worst reading: `*` any characters (`/` included), `?` one; Deny wins. */
function evaluator(doc: PolicyDocument): (arn: string) => boolean {
  const compile = (glob: string) => new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
  const allow = doc.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => s.Resource.map(compile));
  const deny = doc.Statement.filter((s) => s.Effect === 'Deny').flatMap((s) => s.Resource.map(compile));
  return (arn) => !deny.some((re) => re.test(arn)) && allow.some((re) => re.test(arn));
}

interface Request {
  readonly verb: string;
  readonly path: string;
  readonly arn: string;
  readonly pick?: ApiRoute;
  readonly any: ApiRoute[];
}

/** Every request the brute force knows for this API. */
function requestsOf(api: ApiRoute[]): Request[] {
  const literals = [...new Set(api.flatMap((r) => r.resource.split('/').filter((s) => s !== '' && !s.startsWith('{'))))];
  const seen = new Set<string>();
  const out: Request[] = [];
  for (const route of api) {
    for (const verb of route.method === 'ANY' ? VERBS : [route.method]) {
      for (const path of pathsOf(route.resource, literals)) {
        const key = `${verb} ${path}`;
        if (seen.has(key)) {
          continue;
        }
        seen.add(key);
        out.push({ verb, path, arn: `${BASE}/${verb}${path}`, ...servingRoutes(api, verb, path) });
      }
    }
  }
  return out;
}

/** Every check of the promise for one API; returns the first counterexample, or undefined. */
function firstViolation(api: ApiRoute[], table: CompiledRouteTable): string | undefined {
  const routes: RouteConfig[] = table.routes as unknown as RouteConfig[];
  const runtime = new RouteTable(routes);
  const requests = requestsOf(api);
  const scopeSets = SCOPES.reduce<string[][]>((acc, s) => acc.concat(acc.map((x) => [...x, s])), [[]]);
  const permittedBy = (scopes: string[], claims: Record<string, unknown>) =>
    routes.map((_, i) => runtime.permission(i, claims, new Set(scopes)) === 'allowed');
  const checked = new Set<string>();

  for (const scopes of scopeSets) {
    for (const claims of CLAIM_VARIANTS) {
      const permitted = permittedBy(scopes, claims);
      const token = `scopes [${scopes}] claims ${JSON.stringify(claims)}`;
      for (const first of requests) {
        // The first request reaches the authorizer only when a guarded route serves it.
        if (first.pick?.guarded === undefined) {
          continue;
        }
        const current = runtime.lookup(first.verb, first.pick.resource);
        if (current !== first.pick.guarded) {
          return `runtime lookup of ${first.verb} ${first.pick.resource} gave ${current}, not route ${first.pick.guarded}`;
        }
        const doc = policyDocument({ methodArn: first.arn, routes, cacheMode: table.cacheMode, current, permitted: (i) => permitted[i] });
        // The same document reused for the same requests with the same permissions is the same check.
        const checkKey = `${permitted}|${JSON.stringify(doc)}|${table.cacheMode === 'route' ? `${first.verb} ${first.pick.resource}` : ''}`;
        if (checked.has(checkKey)) {
          continue;
        }
        checked.add(checkKey);
        const allows = evaluator(doc);
        const reusedFor = (r: Request, server: ApiRoute) =>
          table.cacheMode === 'token' || (r.verb === first.verb && server.resource === first.pick!.resource);
        for (const r of requests) {
          const readings = [r.pick, ...(table.cacheMode === 'token' ? r.any : [])];
          for (const server of readings) {
            if (server?.guarded === undefined || !reusedFor(r, server)) {
              continue;
            }
            const want = permitted[server.guarded];
            if (allows(r.arn) !== want) {
              return `${table.cacheMode} mode, token ${token}: policy cached on ${first.verb} ${first.path} ${want ? 'denies' : 'allows'} ${r.verb} ${r.path} (route ${server.method} ${server.resource}); policy ${JSON.stringify(doc.Statement)}`;
            }
          }
        }
      }
    }
  }
  return undefined;
}

const genApi = fc.array(genRoute, { minLength: 1, maxLength: 7 });

describe('cached policies, by generated route tables', () => {
  test('should allow exactly the routes a token is permitted, for every request a cached policy meets', () => {
    fc.assert(
      fc.property(genApi, (generated) => {
        const compiled = compileApi(generated);
        if (compiled) {
          const violation = firstViolation(compiled.api, compiled.table);
          if (violation) {
            throw new Error(`${violation}\nroutes: ${JSON.stringify(compiled.table.routes.map((r) => `${r.method} ${r.resource} [${r.scopes}]${r.claimRules.length ? ' +rules' : ''}`))}`);
          }
        }
      }),
      { numRuns: Number(process.env.PROP_RUNS ?? 300) },
    );
  });

  test.each([
    ['ANY /orders next to GET /customers/{id}/orders', ['ANY /orders s1', 'GET /customers/{id}/orders s2']],
    ['ANY /reports/{proxy+} next to DELETE /tenants/{t}/reports/{r}', ['ANY /reports/{proxy+} s1', 'DELETE /tenants/{t}/reports/{r} s2']],
    ['a Deny on */orders/* next to GET /customers/{id}/orders/{o}', ['ANY /orders/{id} s1', 'GET /orders s2', 'GET /customers/{id}/orders/{o} s2']],
  ])('should keep the promise for %s', (_, spec) => {
    // GIVEN
    const generated: GenRoute[] = spec.map((s) => {
      const [method, path, scope] = s.split(' ');
      return { route: { method: method as HttpMethod, path, scopes: [scope] }, isPublic: false };
    });
    // WHEN
    const compiled = compileApi(generated)!;
    // THEN
    expect(compiled.api).toHaveLength(spec.length);
    expect(firstViolation(compiled.api, compiled.table)).toBeUndefined();
  });
});
