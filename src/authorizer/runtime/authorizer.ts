import type { JWTPayload } from 'jose';
import type { AuditLog } from './audit';
import type { AuthorizerConfig } from './config';
import { DecisionCache } from './decision-cache';
import type { CachedToken } from './decision-cache';
import { TokenRejectedError } from './errors';
import type { Reason } from './errors';
import { policyDocument } from './policy';
import type { AuthorizerResult, ContextValue } from './policy';
import { RouteTable } from './routes';
import type { Permission } from './routes';
import { grantedScopes } from './scopes';
import { extractBearerToken } from './token';
import type { HeaderSource } from './token';
import { TokenVerifier } from './verify';
import type { KeyResolver } from './verify';

/** The fields of an API Gateway REST `REQUEST` authorizer event that the authorizer reads. */
export interface RequestAuthorizerEvent extends HeaderSource {
  readonly type?: unknown;
  readonly methodArn?: unknown;
  readonly httpMethod?: unknown;
  readonly resource?: unknown;
}

/** Resolves to a policy, or rejects with exactly `Error('Unauthorized')`. */
export type Authorize = (event: unknown) => Promise<AuthorizerResult>;

export interface AuthorizerDeps {
  readonly config: AuthorizerConfig;
  readonly resolveKey: KeyResolver;
  readonly audit: AuditLog;
  /** Wall clock in epoch milliseconds. */
  readonly now?: () => number;
}

/** The whole decision for one event: token, verification (or cache), route, permission, policy, audit line. */
export function createAuthorizer(deps: AuthorizerDeps): Authorize {
  const { config, audit } = deps;
  const now = deps.now ?? Date.now;
  const verifier = new TokenVerifier(config, deps.resolveKey, now);
  const table = new RouteTable(config.routes);
  const cache = new DecisionCache(config.decisionCache.maxEntries);

  return async (input) => {
    const started = performance.now();
    const event: RequestAuthorizerEvent = typeof input === 'object' && input !== null ? input : {};
    const route = typeof event.httpMethod === 'string' && typeof event.resource === 'string' ? `${event.httpMethod} ${event.resource}` : null;
    let cached = false;
    try {
      if (event.type !== 'REQUEST' || typeof event.methodArn !== 'string') {
        throw new Error('not an API Gateway REQUEST authorizer event');
      }
      const token = extractBearerToken(event, config.maxTokenBytes);
      let verified: CachedToken | undefined = cache.get(token, Math.floor(now() / 1000));
      if (verified) {
        cached = true;
      } else {
        verified = await verifier.verify(token);
        cache.set(token, verified);
      }
      const claims = verified.claims;
      const scopes = grantedScopes(claims);
      const current = route === null ? undefined : table.lookup(event.httpMethod as string, event.resource as string);
      const permissions = new Map<number, Permission>();
      const permissionOf = (i: number): Permission => {
        let p = permissions.get(i);
        if (p === undefined) {
          p = table.permission(i, claims, scopes);
          permissions.set(i, p);
        }
        return p;
      };
      const reason: Reason = current === undefined ? 'route_unknown' : permissionOf(current);
      const result: AuthorizerResult = {
        principalId: principalOf(claims),
        policyDocument: policyDocument({
          methodArn: event.methodArn,
          routes: config.routes,
          cacheMode: config.cacheMode,
          current,
          permitted: (i) => permissionOf(i) === 'allowed',
        }),
        context: contextOf(claims, scopes, config.contextClaims),
      };
      audit.decision({
        decision: reason === 'allowed' ? 'allow' : 'deny',
        reason,
        claims,
        scopes,
        route,
        kid: verified.kid,
        latencyMs: performance.now() - started,
        cached,
      });
      return result;
    } catch (err) {
      const rejected = err instanceof TokenRejectedError ? err : undefined;
      audit.decision({
        decision: 'unauthorized',
        reason: rejected ? rejected.reason : 'internal_error',
        claims: rejected?.verifiedClaims,
        scopes: rejected?.verifiedClaims ? grantedScopes(rejected.verifiedClaims) : undefined,
        route,
        kid: rejected?.kid,
        latencyMs: performance.now() - started,
        cached,
        error: rejected ? undefined : errorName(err),
      });
      throw new Error('Unauthorized');
    }
  };
}

/** The authorizer used when the configuration is unusable: every request is refused and logged. */
export function createFailClosedAuthorizer(audit: AuditLog): Authorize {
  return async (input) => {
    const started = performance.now();
    const event: RequestAuthorizerEvent = typeof input === 'object' && input !== null ? input : {};
    audit.decision({
      decision: 'unauthorized',
      reason: 'internal_error',
      route: typeof event.httpMethod === 'string' && typeof event.resource === 'string' ? `${event.httpMethod} ${event.resource}` : null,
      latencyMs: performance.now() - started,
      cached: false,
      error: 'ConfigError',
    });
    throw new Error('Unauthorized');
  };
}

function principalOf(claims: JWTPayload): string {
  if (typeof claims.sub === 'string') {
    return claims.sub;
  }
  return typeof claims.client_id === 'string' ? claims.client_id : 'anonymous';
}

/**
 * Scalars only: API Gateway answers 500 when a context value is an array or object. The standard
 * keys come last so that a configured context claim cannot shadow them.
 */
function contextOf(claims: JWTPayload, scopes: ReadonlySet<string>, contextClaims: readonly string[]): Record<string, ContextValue> {
  const entries: Array<[string, ContextValue]> = [];
  for (const name of contextClaims) {
    const v = Object.hasOwn(claims, name) ? claims[name] : undefined;
    if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) {
      entries.push([name, v]);
    }
  }
  if (typeof claims.sub === 'string') {
    entries.push(['sub', claims.sub]);
  }
  if (typeof claims.client_id === 'string') {
    entries.push(['clientId', claims.client_id]);
  }
  entries.push(['scopes', [...scopes].join(' ')]);
  entries.push(['issuer', claims.iss as string]);
  // fromEntries defines own properties, so a claim named "__proto__" cannot reach the prototype.
  return Object.fromEntries(entries);
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}
