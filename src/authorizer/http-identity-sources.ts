import type { ClaimRuleConfig, RouteConfig } from './contract';
import type { CompiledRouteTable } from './route-table';

/** The identity source carrying the bearer token. */
export const HTTP_TOKEN_IDENTITY_SOURCE = '$request.header.Authorization';
/** The identity source that makes API Gateway cache per route. */
export const HTTP_ROUTE_IDENTITY_SOURCE = '$context.routeKey';

/**
 * The identity sources of the HTTP API Lambda authorizer for a route table: the Authorization
 * header, plus `$context.routeKey` when two guarded routes differ in what they require.
 *
 * API Gateway caches an HTTP API Lambda authorizer's answer keyed by the values of its identity
 * sources, and by default reuses it for every route that uses the authorizer; `$context.routeKey`
 * among them caches per route (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html,
 * "Caching authorizer responses"). A simple response is one boolean for the whole cache entry, so a
 * cached answer is right for every route it is reused on exactly when the decision cannot differ
 * between those routes. The decision for a route depends on the token (the same under one cache
 * key) and on the route's scopes (any-of) and claim rules only: routes with equal scope sets and
 * equal claim-rule sets decide every token alike, so the header alone suffices when all routes
 * require the same; otherwise the route key is added. (Sufficient, not necessary: two different
 * requirements that happen to accept the same tokens still get per-route caching.) The context is a
 * function of the token alone, so a reused allow carries the right one.
 *
 * Precondition: the authorizer is attached only to the table's routes. A route it does not know
 * (`$default` included) is denied when asked, but a cached allow reused there would let it through:
 * attaching the authorizer to any other route needs `$context.routeKey` whatever this returns.
 *
 * Pure (no aws-cdk-lib), for the construct and the property test alike.
 */
export function httpIdentitySources(table: Pick<CompiledRouteTable, 'routes'>): string[] {
  const requirements = new Set(table.routes.map(requirementOf));
  return requirements.size <= 1 ? [HTTP_TOKEN_IDENTITY_SOURCE] : [HTTP_TOKEN_IDENTITY_SOURCE, HTTP_ROUTE_IDENTITY_SOURCE];
}

/** A route's requirement in a canonical text: its scope set and its claim-rule set, each sorted. */
function requirementOf(route: Pick<RouteConfig, 'scopes' | 'claimRules'>): string {
  const scopes = [...new Set(route.scopes)].sort();
  const rules = [...new Set(route.claimRules.map(canonicalRule))].sort();
  return JSON.stringify([scopes, rules]);
}

function canonicalRule(rule: ClaimRuleConfig): string {
  return JSON.stringify([rule.claim, rule.op, rule.value ?? null, rule.values ? [...new Set(rule.values)].sort() : null]);
}
