/**
 * The route table the authorizer Lambda reads from config.json: routes validated at synth time,
 * each with the IAM resource glob that covers its requests (`arnPath`) and the routes that glob
 * reaches beyond its own (`overlaps`), plus the cache mode that keeps cached policies correct.
 *
 * ## Why a policy cached per token stays correct (cache mode `token`)
 *
 * With the `Authorization` header as the only identity source, API Gateway caches the authorizer's
 * policy per token and evaluates it against every later request carrying that token, on any route,
 * until the TTL ends. So the policy answers for every route at once: it Allows the ARN glob of each
 * route the token is permitted, and Denies the glob of each non-permitted route `d` that some
 * permitted route's glob also matches (`d` in `a.overlaps`). Deny wins in IAM, so:
 *
 * - it never opens a route the token is not permitted: a request to `d` matched by an Allow of `a`
 *   is exactly the case `d` in `a.overlaps`, and then the Deny of `d` (whose glob covers every
 *   request of `d`) is in the policy;
 * - it could shut a permitted route `a` only if some Denied `d`'s glob matches a request of `a`,
 *   i.e. `a` in `d.overlaps`. `d` is Denied when the token is permitted some `a'` with `d` in
 *   `a'.overlaps` and is not permitted `d`. The table is compiled in `token` mode only when that
 *   can never happen: no `d` has both an `a` in `d.overlaps` and an `a'` with `d` in `a'.overlaps`
 *   (possibly `a' = a`) such that a token may hold `a` and `a'` but not `d`.
 *
 * "A token may hold `x` but not `d`" is decided conservatively: only when every token `x` accepts
 * is provably accepted by `d` (`d` needs no scope or a superset of `x`'s non-empty scopes, and
 * `d`'s claim rules are among `x`'s) is it ruled out. Checking only mutual pairs (`a' = a`) is not
 * enough: with `/{y}` and `/a/{x}/b` needing scope s1 and `/a/{x}` needing s2, a token with s1 is
 * Denied `a/*`, which shuts `/a/q/b`.
 *
 * Otherwise the table is compiled in `route` mode: the identity sources then include
 * `context.httpMethod` and `context.resourcePath`, API Gateway caches per token and route, and each
 * policy answers for the current route only.
 *
 * ## Matching model
 *
 * A route's glob is its whole policy resource after `<base>/`: its method (`*` for `ANY`), `/`, and
 * its path with each `{x}` / `{x+}` replaced by `*`. In IAM a `*` matches any characters, `/`
 * included, anywhere (the worst reading of execute-api resource matching), so the `*` of an `ANY`
 * route also matches across the verb into the path: `*` + `/orders` matches
 * `GET/customers/42/orders`. Globs are therefore compared with requests as whole `VERB/path`
 * strings, never method and path separately. A route's requests, as they appear in the method ARN,
 * are its verb (for `ANY`, each verb API Gateway serves: GET, POST, PUT, PATCH, DELETE, HEAD,
 * OPTIONS), `/`, and its path with a `{x}` value of one or more characters other than `/`, and a
 * `{x+}` value of one or more such segments joined by `/`. API Gateway's preference for a literal
 * resource over a parameter (`/orders/special` over `/orders/{id}`) and for an exact method over
 * `ANY` is not modelled: counting more requests as a route's can only add overlaps, which errs
 * towards `route` mode (fewer cache hits), never towards a wrong policy. Whether a glob matches
 * some request of a route is the emptiness of the intersection of two regular languages, decided
 * by a search over pairs of positions in the two patterns.
 *
 * test/authorizer/cached-policy.property.test.ts checks all of this against brute force on
 * generated route tables, with API Gateway's routing precedence and IAM's matching.
 */
import { Token } from 'aws-cdk-lib';
import { ABSENT } from './contract';
import type { CacheMode, ClaimRuleConfig, ClaimRuleOp, RouteConfig, RouteMethod } from './contract';
import { ClaimRule, HttpMethod, RouteAuthorization } from './route';
import { validationError } from '../errors';

export type { CacheMode, ClaimRuleConfig, RouteConfig };

/** A validated route before compilation. */
export interface CheckedRoute {
  readonly method: RouteMethod;
  readonly resource: string;
  readonly scopes: string[];
  readonly claimRules: ClaimRuleConfig[];
}

export interface CompiledRouteTable {
  readonly routes: RouteConfig[];
  readonly cacheMode: CacheMode;
}

const METHODS: readonly string[] = Object.values(HttpMethod);
const PART = /^[A-Za-z0-9:._$-]+$/;

/**
 * Checks one route's method, path, scopes and claim rules, and returns it in config.json's terms
 * (scopes sorted and deduplicated, so that the asset does not change when only their order does).
 *
 * @param where the construct path, for error messages
 */
export function checkRoute(where: string, route: RouteAuthorization): CheckedRoute {
  const method = checkMethod(where, route.method);
  const resource = route.path;
  checkPath(where, method, resource);
  const label = `route ${method} ${resource}`;

  const scopes = route.scopes ?? [];
  if (!Array.isArray(scopes)) {
    throw validationError('Route.ScopesNotList', `${where}: ${label} has scopes that are not a list; pass an array of scope names.`);
  }
  for (const scope of scopes) {
    if (typeof scope !== 'string' || Token.isUnresolved(scope)) {
      throw validationError('Route.UnresolvedScope', `${where}: ${label} has scope ${JSON.stringify(scope)}, which is not a literal string; scopes are written into the authorizer's asset at synth time, so pass them as plain strings.`);
    }
    if (scope === '') {
      throw validationError('Route.EmptyScope', `${where}: ${label} requires the empty scope "", which no issuer can grant; name a real scope, or pass no scopes to let any valid token in.`);
    }
    // eslint-disable-next-line no-control-regex
    if (/[\s\x00-\x1f\x7f]/.test(scope)) {
      throw validationError('Route.ScopeWithWhitespace', `${where}: ${label} has scope ${JSON.stringify(scope)} with whitespace or control characters, which cannot be granted because tokens list scopes space-delimited (and the authorizer grants no scope with a control character); remove them.`);
    }
    if (scope === ABSENT) {
      throw validationError('Route.ReservedScope', `${where}: ${label} requires the scope "${ABSENT}", which the authorizer never grants (it is the context's marker for "no scopes"); name a real scope, or pass no scopes to let any valid token in.`);
    }
  }

  const claimRules = (route.claimRules ?? []).map((rule) => checkClaimRule(where, label, rule));
  const seenRules = new Set<string>();
  const uniqueRules = claimRules.filter((rule) => {
    const key = JSON.stringify(rule);
    return seenRules.has(key) ? false : (seenRules.add(key), true);
  });

  return {
    method,
    resource,
    scopes: [...new Set(scopes)].sort(),
    claimRules: uniqueRules,
  };
}

/**
 * Checks that a set of routes (of one API) can coexist: no route twice, no `ANY` beside a specific
 * method on the same path, and one variable path part per parent resource, as API Gateway demands.
 *
 * @param where the construct path, for error messages
 */
export function checkRouteSet(where: string, routes: ReadonlyArray<{ readonly method: string; readonly resource: string }>): void {
  const methodsByPath = new Map<string, string[]>();
  const variableChild = new Map<string, string>();
  for (const { method, resource } of routes) {
    const methods = methodsByPath.get(resource) ?? [];
    if (methods.includes(method)) {
      throw validationError('Route.DefinedTwice', `${where}: route ${method} ${resource} is defined twice; remove one of them.`);
    }
    const clash = methods.find((m) => m === 'ANY' || method === 'ANY');
    if (clash) {
      throw validationError('Route.AnyBesideMethod', `${where}: route ${method} ${resource} is defined beside ${clash} ${resource}, which leaves which of them serves a request to API Gateway's precedence; use either ANY or specific methods on one path.`);
    }
    methodsByPath.set(resource, [...methods, method]);

    const parts = resource === '/' ? [] : resource.slice(1).split('/');
    parts.forEach((part, i) => {
      if (!part.startsWith('{')) {
        return;
      }
      const parent = '/' + parts.slice(0, i).join('/');
      const other = variableChild.get(parent);
      if (other !== undefined && other !== part) {
        throw validationError('Route.ConflictingPathParameter', `${where}: route ${method} ${resource} puts path part ${part} under ${parent}, where another route has ${other}, and API Gateway allows one variable path part per resource; give both routes the same parameter.`);
      }
      variableChild.set(parent, part);
    });
  }
}

/**
 * Compiles checked routes into config.json's route table: sorted by path and method (so that the
 * asset is independent of the order routes were added in), with `arnPath` and `overlaps`, and the
 * cache mode that keeps a cached policy correct (see the module comment).
 */
export function compileRouteTable(checked: readonly CheckedRoute[]): CompiledRouteTable {
  const sorted = [...checked].sort((x, y) => compare(x.resource, y.resource) || compare(x.method, y.method));
  const nfas = sorted.map((r) => requestAutomaton(r.method, r.resource));
  const globs = sorted.map((r) => policyGlobOf(r.method, r.resource));

  const overlaps = sorted.map((_, ai) => {
    const found: number[] = [];
    sorted.forEach((__, di) => {
      if (di !== ai && intersects(globs[ai], nfas[di])) {
        found.push(di);
      }
    });
    return found;
  });

  const routes: RouteConfig[] = sorted.map((r, i) => ({
    method: r.method,
    resource: r.resource,
    arnPath: arnPathOf(r.resource),
    scopes: r.scopes,
    claimRules: r.claimRules,
    overlaps: overlaps[i],
  }));
  return { routes, cacheMode: chooseCacheMode(routes) };
}

/**
 * The IAM resource glob of a route's path, without the leading slash: `/orders/{id}` -> `orders/*`,
 * `/` -> ``.
 */
export function arnPathOf(resource: string): string {
  return resource === '/' ? '' : resource.slice(1).split('/').map((part) => (part.startsWith('{') ? '*' : part)).join('/');
}

/**
 * A route's policy resource after `<base>/`, as the runtime writes it (`routeArn` in
 * runtime/policy.ts): `GET /orders/{id}` -> `GET/orders/*`, `ANY /orders` -> `*` + `/orders`.
 */
export function policyGlobOf(method: string, resource: string): string {
  return `${method === 'ANY' ? '*' : method}/${arnPathOf(resource)}`;
}

/**
 * Whether the IAM glob `glob` (`*` matches any characters, `/` included) matches at least one
 * request path of the route template `resource` (as it appears in a method ARN, no leading slash).
 */
export function globMatchesSomePath(glob: string, resource: string): boolean {
  return intersects(glob, requestAutomaton(undefined, resource));
}

/**
 * Whether the policy glob `glob` (after `<base>/`, see `policyGlobOf`) matches at least one request
 * (`VERB/path`) of the route `method resource`.
 */
export function globMatchesSomeRequest(glob: string, method: string, resource: string): boolean {
  return intersects(glob, requestAutomaton(method, resource));
}

/**
 * `route` when a Deny in a token-wide policy could shut a permitted route (see the module comment),
 * else `token`.
 */
export function chooseCacheMode(routes: readonly RouteConfig[]): CacheMode {
  const canShut = routes.some((d, di) => {
    const notImplied = (x: number) => !implies(routes[x], d);
    const denyReaches = d.overlaps.some(notImplied);
    const denyTriggered = routes.some((a, ai) => a.overlaps.includes(di) && notImplied(ai));
    return denyReaches && denyTriggered;
  });
  return canShut ? 'route' : 'token';
}

/** Whether every token that route `x` accepts is also accepted by route `d` (sufficient, not necessary). */
function implies(x: RouteConfig, d: RouteConfig): boolean {
  const scopesImply = d.scopes.length === 0 || (x.scopes.length > 0 && x.scopes.every((s) => d.scopes.includes(s)));
  const xRules = new Set(x.claimRules.map(canonicalRule));
  return scopesImply && d.claimRules.every((rule) => xRules.has(canonicalRule(rule)));
}

function canonicalRule(rule: ClaimRuleConfig): string {
  return JSON.stringify([rule.claim, rule.op, rule.value ?? null, rule.values ? [...rule.values].sort() : null]);
}

function compare(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

function checkMethod(where: string, method: unknown): RouteMethod {
  if (typeof method !== 'string' || !METHODS.includes(method)) {
    throw validationError('Route.UnsupportedMethod', `${where}: route method ${JSON.stringify(method)} is not supported; use one of ${METHODS.join(', ')} (HttpMethod).`);
  }
  return method as RouteMethod;
}

function checkPath(where: string, method: string, path: unknown): void {
  const bad = (what: string) =>
    validationError('Route.MalformedPath', `${where}: route ${method} ${JSON.stringify(path)} has a malformed path (${what}); write it as '/' or '/segment/{param}' with segments of [A-Za-z0-9:._$-], and a greedy '{param+}' only last.`);
  if (typeof path !== 'string' || Token.isUnresolved(path)) {
    throw bad('not a literal string');
  }
  if (path === '/') {
    return;
  }
  if (!path.startsWith('/') || path.endsWith('/')) {
    throw bad('it must start with "/" and not end with one');
  }
  const names = new Set<string>();
  const parts = path.slice(1).split('/');
  parts.forEach((part, i) => {
    const param = /^\{([^{}]*?)(\+?)\}$/.exec(part);
    if (!param) {
      if (!PART.test(part)) {
        throw bad(part === '' ? 'an empty segment' : `segment "${part}"`);
      }
      return;
    }
    const [, name, plus] = param;
    if (!PART.test(name)) {
      throw bad(`parameter "${part}"`);
    }
    if (names.has(name)) {
      throw bad(`parameter "${name}" appears twice`);
    }
    names.add(name);
    if (plus && i !== parts.length - 1) {
      throw bad(`greedy "${part}" is not the last segment`);
    }
  });
}

function checkClaimRule(where: string, label: string, rule: unknown): ClaimRuleConfig {
  if (!(rule instanceof ClaimRule)) {
    throw validationError('Route.NotAClaimRule', `${where}: ${label} has a claim rule that is not a ClaimRule; build it with ClaimRule.equalTo, ClaimRule.contains or ClaimRule.oneOf.`);
  }
  const literal = (v: unknown) => typeof v === 'string' && v !== '' && !Token.isUnresolved(v);
  const fail = (what: string) =>
    validationError('Route.InvalidClaimRule', `${where}: ${label} has claim rule ${rule._op}(${JSON.stringify(rule.claim)}) with ${what}; claim rules are written into the authorizer's asset at synth time, so use non-empty literal strings.`);
  if (!literal(rule.claim)) {
    throw fail('an empty or unresolved claim name');
  }
  if (rule._op === 'oneOf') {
    const values = rule._values ?? [];
    if (values.length === 0 || !values.every(literal)) {
      throw fail(`values ${JSON.stringify(values)}`);
    }
    return { claim: rule.claim, op: rule._op as ClaimRuleOp, values: [...new Set(values)].sort() };
  }
  if (!literal(rule._value)) {
    throw fail(`value ${JSON.stringify(rule._value)}`);
  }
  return { claim: rule.claim, op: rule._op as ClaimRuleOp, value: rule._value };
}

// ---- glob x request-path intersection ----

/** A transition of the request-path automaton: one given character, or any character but `/`. */
type Label = string | typeof NOT_SLASH;
const NOT_SLASH = Symbol('not-slash');

interface Automaton {
  readonly edges: Array<Array<readonly [Label, number]>>;
  readonly accept: number;
}

/** The verbs API Gateway serves on an `ANY` method, each of which appears as itself in a method ARN. */
const ANY_VERBS = METHODS.filter((m) => m !== 'ANY');

/**
 * A nondeterministic automaton accepting the requests of a route as they appear in a method ARN
 * after `<base>/`: the verb (each of `ANY_VERBS` for `ANY`), `/`, then the path (no leading slash)
 * with literal characters as they are, `{x}` as `[^/]+`, `{x+}` as `[^/]+(/[^/]+)*`. With no method,
 * the path alone.
 */
function requestAutomaton(method: string | undefined, resource: string): Automaton {
  const edges: Array<Array<readonly [Label, number]>> = [[]];
  const state = () => edges.push([]) - 1;
  let at = 0;
  const step = (label: Label) => {
    const next = state();
    edges[at].push([label, next]);
    at = next;
  };
  if (method !== undefined) {
    const afterVerb = state();
    for (const verb of method === 'ANY' ? ANY_VERBS : [method]) {
      at = 0;
      [...verb.slice(0, -1)].forEach(step);
      edges[at].push([verb[verb.length - 1], afterVerb]);
    }
    at = afterVerb;
    step('/');
  }
  const parts = resource === '/' ? [] : resource.slice(1).split('/');
  parts.forEach((part, i) => {
    if (i > 0) {
      step('/');
    }
    if (!part.startsWith('{')) {
      [...part].forEach(step);
      return;
    }
    step(NOT_SLASH);
    const inValue = at;
    edges[inValue].push([NOT_SLASH, inValue]);
    if (part.endsWith('+}')) {
      const afterSlash = state();
      edges[inValue].push(['/', afterSlash]);
      edges[afterSlash].push([NOT_SLASH, inValue]);
    }
  });
  return { edges, accept: at };
}

/**
 * Whether some string is matched by the IAM glob and accepted by the automaton: a depth-first
 * search over (position in glob, automaton state). A `*` either ends (move on in the glob) or
 * consumes whatever character the automaton reads next (stay on the `*`).
 */
function intersects(glob: string, automaton: Automaton): boolean {
  const width = automaton.edges.length;
  const seen = new Set<number>();
  const todo: Array<[number, number]> = [[0, 0]];
  while (todo.length > 0) {
    const [g, s] = todo.pop()!;
    const key = g * width + s;
    if (seen.has(key)) {
      continue;
    }
    seen.add(key);
    if (g === glob.length) {
      if (s === automaton.accept) {
        return true;
      }
      continue;
    }
    const c = glob[g];
    if (c === '*') {
      todo.push([g + 1, s]);
      for (const [, next] of automaton.edges[s]) {
        todo.push([g, next]);
      }
      continue;
    }
    for (const [label, next] of automaton.edges[s]) {
      if (label === c || (label === NOT_SLASH && c !== '/')) {
        todo.push([g + 1, next]);
      }
    }
  }
  return false;
}
