// The identity sources of the HTTP API's Lambda authorizer, from its compiled route table.
//
// An HTTP API caches a Lambda authorizer's answer by its identity sources, and reuses it for every
// request with the same values, on any route of the API
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html#http-api-lambda-authorizer.identity-sources:
// `$request.header.<name>`, `$context.<variable>` and others; a request missing one is answered 401 without calling the authorizer). A simple response (`isAuthorized`) answers for one route only, so a cached answer is
// right on another route only when every guarded route asks the same of a token: the table's cache
// mode says when that is proven (`token`); otherwise (`route`) the route key is an identity source,
// and an answer is cached per token and route.
//
// Until src/authorizer/http-identity-sources.ts (the runtime helper's `httpIdentitySources`) is
// merged, this is the same rule written against its contract; the merge replaces it.
import type { CompiledRouteTable } from '../../authorizer/route-table';

/** `$request.header.Authorization`, and `$context.routeKey` unless one answer is right for every route. */
export function httpIdentitySources(table: CompiledRouteTable): string[] {
  const sameForEveryRoute = table.cacheMode === 'token' && sameRequirement(table);
  return sameForEveryRoute ? ['$request.header.Authorization'] : ['$request.header.Authorization', '$context.routeKey'];
}

/**
 * Whether every route of the table asks exactly the same of a token. The REST cache mode `token`
 * relies on an IAM policy that answers for every route at once; a simple response cannot, so the
 * HTTP API needs this stronger condition to share one answer between routes.
 */
function sameRequirement(table: CompiledRouteTable): boolean {
  const key = (r: CompiledRouteTable['routes'][number]) => JSON.stringify([r.scopes, r.claimRules]);
  return table.routes.every((r) => key(r) === key(table.routes[0]));
}
