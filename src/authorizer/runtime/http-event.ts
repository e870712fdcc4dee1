import type { RequestAuthorizerEvent } from './authorizer';

/**
 * Reading an API Gateway HTTP API (v2) Lambda authorizer event, payload format 2.0, into the REST
 * `REQUEST` event the shared decision core reads, so that one decision code answers both APIs.
 *
 * Payload 2.0 (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html,
 * "Payload format version"): `version: '2.0'`, `type: 'REQUEST'`, `routeKey` (`GET /orders/{id}`,
 * `ANY /files/{proxy+}` or `$default`), `headers` with lower-cased names, `requestContext.http.method`,
 * `rawPath`, `routeArn`. Payload 2.0 has no multi-value headers: the integration guide says duplicate
 * headers are combined with commas (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html);
 * the authorizer guide does not say, and under either reading two Authorization headers are refused or
 * harmless (a comma-joined value is not a compact JWS; otherwise one value is all that arrives).
 */

/** The fields of a payload-2.0 authorizer event that this adapter reads. */
export interface HttpAuthorizerEvent {
  readonly version?: unknown;
  readonly type?: unknown;
  readonly routeKey?: unknown;
  readonly headers?: unknown;
  readonly requestContext?: { readonly http?: { readonly method?: unknown } } | null;
}

/** The route key of the catch-all route, which no route table entry can name (every table path starts with `/`). */
export const DEFAULT_ROUTE_KEY = '$default';

/** Route keys' methods (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html). */
const METHODS: ReadonlySet<string> = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY']);

/**
 * The method ARN handed to the core: the core's policy is not the answer here (see http-response.ts),
 * so no real ARN is needed and none is read from the event; the core only needs a well-formed one
 * (`arnBase`), distinct per route so that its per-token memo of the latest decision keys on the route.
 */
const SYNTHETIC_ARN_BASE = 'arn:aws:execute-api:http-api:000000000000:http/$default';

/** Method and path of a route key, or undefined when it is not one of `METHOD /path` or `$default`. */
export interface RouteKey {
  /** `GET`, ..., `ANY`; for `$default`, the request's method (or `ANY` when the event has none). */
  readonly method: string;
  /** The route's path template as in the route table (`/orders/{id}`), or `$default`. */
  readonly resource: string;
}

/**
 * Parses a route key. `$default` maps to the resource `$default`, which the route table can never
 * hold: the catch-all route is never a guarded route, so a request that reaches the authorizer
 * through it is denied (route_unknown).
 */
export function parseRouteKey(routeKey: unknown, requestMethod: unknown): RouteKey | undefined {
  if (routeKey === DEFAULT_ROUTE_KEY) {
    return { method: typeof requestMethod === 'string' && METHODS.has(requestMethod) ? requestMethod : 'ANY', resource: DEFAULT_ROUTE_KEY };
  }
  if (typeof routeKey !== 'string') {
    return undefined;
  }
  const space = routeKey.indexOf(' ');
  const method = routeKey.slice(0, space);
  const resource = routeKey.slice(space + 1);
  if (space <= 0 || !METHODS.has(method) || !resource.startsWith('/') || /\s/.test(resource)) {
    return undefined;
  }
  return { method, resource };
}

/**
 * The REST-shaped event for the decision core, or undefined when the input is not a payload-2.0
 * `REQUEST` authorizer event with a readable route key (the caller then fails closed).
 *
 * The route is looked up by the route key's own method and path, not the request's method: an
 * `ANY /files/{proxy+}` route key is the table's `ANY /files/{proxy+}` entry whatever the verb, which
 * is also the granularity at which `$context.routeKey` keys API Gateway's cache. Only the
 * `authorization` header is passed on; in 2.0 a repeated header arrives as one comma-joined value,
 * which is not a compact JWS and is refused as malformed.
 */
export function restEventOf(input: unknown): RequestAuthorizerEvent | undefined {
  if (typeof input !== 'object' || input === null) {
    return undefined;
  }
  const event = input as HttpAuthorizerEvent;
  if (event.version !== '2.0' || event.type !== 'REQUEST') {
    return undefined;
  }
  const route = parseRouteKey(event.routeKey, event.requestContext?.http?.method);
  if (route === undefined) {
    return undefined;
  }
  const headers = typeof event.headers === 'object' && event.headers !== null ? (event.headers as Record<string, string | undefined>) : {};
  const path = route.resource === DEFAULT_ROUTE_KEY ? '/$default' : route.resource;
  return {
    type: 'REQUEST',
    methodArn: `${SYNTHETIC_ARN_BASE}/${route.method}${path}`,
    httpMethod: route.method,
    resource: route.resource,
    headers,
  };
}
