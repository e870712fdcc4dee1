import type { CacheMode, RouteConfig } from './config';

export interface PolicyStatement {
  readonly Action: 'execute-api:Invoke';
  readonly Effect: 'Allow' | 'Deny';
  readonly Resource: readonly string[];
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatement[];
}

export type ContextValue = string | number | boolean;

/** What a REQUEST authorizer returns to API Gateway. */
export interface AuthorizerResult {
  readonly principalId: string;
  readonly policyDocument: PolicyDocument;
  readonly context: Record<string, ContextValue>;
  /**
   * With per-client quotas, the value of the caller's API key, which API Gateway meters and
   * throttles under that key's usage plan (the API's key source is `AUTHORIZER`).
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html
   */
  readonly usageIdentifierKey?: string;
}

/**
 * `arn:<partition>:execute-api:<region>:<account>:<apiId>/<stage>` from a method ARN
 * (`.../<stage>/<METHOD>/<path>`). Throws on anything else: API Gateway always sends that shape,
 * so a different one means the event is not what this authorizer was built for.
 */
export function arnBase(methodArn: string): string {
  const parts = methodArn.split(':');
  const [apiId, stage, method] = parts.slice(5).join(':').split('/');
  if (parts.length < 6 || parts[0] !== 'arn' || parts[2] !== 'execute-api' || !apiId || !stage || !method) {
    throw new Error('methodArn is not an execute-api method ARN');
  }
  return `${parts.slice(0, 5).join(':')}:${apiId}/${stage}`;
}

/** The IAM resource glob covering every request of a route. */
export function routeArn(base: string, route: RouteConfig): string {
  return `${base}/${route.method === 'ANY' ? '*' : route.method}/${route.arnPath}`;
}

/** API Gateway refuses a policy whose Resource ARN is longer than this (a request ARN may reach 1600). */
const MAX_POLICY_ARN_LENGTH = 512;

/**
 * The Resource for an unknown route, which has no ARN glob of its own: the exact request, or, when
 * that is too long for a policy, its prefix and `*`. A `*` or `?` in the request path, or the prefix,
 * can only widen this Deny, i.e. fail closed, on a path that only a configuration mismatch reaches.
 */
function requestArn(methodArn: string): string {
  return methodArn.length <= MAX_POLICY_ARN_LENGTH ? methodArn : `${methodArn.slice(0, MAX_POLICY_ARN_LENGTH - 1)}*`;
}

export interface PolicyRequest {
  readonly methodArn: string;
  readonly routes: readonly RouteConfig[];
  readonly cacheMode: CacheMode;
  /** Index of the route serving this request; undefined when the route table does not know it. */
  readonly current: number | undefined;
  /** Whether the token is permitted route i (scopes and claim rules). */
  readonly permitted: (i: number) => boolean;
}

/**
 * The policy document of a decision, as the contract's Policy section defines it.
 *
 * In `token` mode API Gateway reuses the policy for every route the same token calls until the
 * cache TTL ends, so the policy must answer for all routes at once: Allow each permitted route, and
 * explicitly Deny each non-permitted route whose requests a permitted route's glob would also match
 * (`overlaps`, computed at synth). In `route` mode the cache key includes the route, so the policy
 * answers for the current route only.
 */
export function policyDocument(req: PolicyRequest): PolicyDocument {
  const base = arnBase(req.methodArn);
  const currentArn = req.current === undefined ? requestArn(req.methodArn) : routeArn(base, req.routes[req.current]);

  if (req.cacheMode === 'route') {
    const allow = req.current !== undefined && req.permitted(req.current);
    return document(allow ? [currentArn] : [], allow ? [] : [currentArn]);
  }

  const permitted = req.routes.map((_, i) => req.permitted(i));
  const allow = new Set<string>();
  const deny = new Set<string>();
  permitted.forEach((ok, a) => {
    if (!ok) {
      return;
    }
    allow.add(routeArn(base, req.routes[a]));
    for (const d of req.routes[a].overlaps) {
      if (!permitted[d]) {
        deny.add(routeArn(base, req.routes[d]));
      }
    }
  });
  if (allow.size === 0) {
    return document([], [currentArn]);
  }
  if (req.current === undefined) {
    deny.add(currentArn);
  }
  return document([...allow], [...deny]);
}

/** Frozen all the way down: the authorizer hands the same document out for many requests. */
function document(allow: string[], deny: string[]): PolicyDocument {
  const Statement: PolicyStatement[] = [];
  if (allow.length > 0) {
    Statement.push(Object.freeze({ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: Object.freeze(allow) }));
  }
  if (deny.length > 0) {
    Statement.push(Object.freeze({ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: Object.freeze(deny) }));
  }
  return Object.freeze({ Version: '2012-10-17', Statement: Object.freeze(Statement) });
}
