import type { AuditLog, PreparedDecision } from './audit';
import { monotonicMs } from './clock';
import type { AuthorizerConfig } from './config';
import { DecisionCache, decisionCacheKey } from './decision-cache';
import { TokenRejectedError } from './errors';
import type { Reason } from './errors';
import { arnBase, policyDocument } from './policy';
import type { AuthorizerResult, ContextValue, PolicyDocument } from './policy';
import { auditedClientOf } from './profile';
import { RouteTable } from './routes';
import { auditedScopes } from './scopes';
import { bearerToken, checkCompactJws } from './token';
import type { HeaderSource } from './token';
import { TokenVerifier } from './verify';
import type { KeyPeek, KeyRefetch, KeyResolver, VerifiedToken } from './verify';
import { ABSENT, PRINCIPAL_ANONYMOUS, PRINCIPAL_CLIENT_PREFIX, PRINCIPAL_SUB_PREFIX } from '../contract';

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
  /** A key already at hand, without side effects; see KeyPeek. */
  readonly peekKey?: KeyPeek;
  /** Keys after a refetch, for a token no resolved key verified; see KeyRefetch. */
  readonly refetchKeys?: KeyRefetch;
  readonly audit: AuditLog;
  /** Wall clock in epoch milliseconds. */
  readonly now?: () => number;
}

/**
 * What the authorizer keeps of a verified token, in its decision-cache entry: facts derived from the
 * claims, never the token nor its whole claims object (a large token's claims would cost the heap
 * many times what the decisions need).
 */
interface TokenFacts {
  readonly kid: string;
  /** Epoch seconds after which these facts may no longer be trusted (see VerifiedToken). */
  readonly trustUntil: number;
  /** `sub` (for the audit line) and the claims the route table's claim rules read; no other. */
  readonly claims: Readonly<Record<string, unknown>>;
  /** The client the issuer profile's client claims name (see clientOf); undefined when none does. */
  readonly client: string | undefined;
  readonly scopes: ReadonlySet<string>;
  /** The scopes space-joined, for the context and the audit line. */
  readonly scopesText: string;
  readonly principalId: string;
  readonly context: Readonly<Record<string, ContextValue>>;
  /**
   * With per-client quotas, the API key of the token's client: its own, else the one others
   * share; null when others are refused. A function of the verified token alone, as every entry
   * here is, so a decision reused for the same token (here or in API Gateway's cache) carries its
   * client's key and never another's.
   */
  readonly usageKey?: string | null;
  /** Token mode: '1' or '0' per route index, whether the token is permitted that route. */
  bits?: string;
  /** The latest request's inputs and what they yielded, which only those inputs and the claims decide. */
  last?: Decided;
  /** Estimated heap bytes of the facts above but `bits` and `last` (see weigh). */
  readonly bytes: number;
}

interface Decided {
  readonly methodArn: string;
  readonly httpMethod: unknown;
  readonly resource: unknown;
  readonly reason: Reason;
  readonly result: AuthorizerResult;
  /** Its audit line but for latency, cache flag and time. */
  readonly line: PreparedDecision;
  /** Estimated heap bytes of what this decision holds alone (a shared policy document is not counted). */
  readonly bytes: number;
}

/** Token-mode policy documents shared by tokens with the same permissions; cleared when full. */
const MAX_SHARED_POLICIES = 1000;

/** The whole decision for one event: token, verification (or cache), route, permission, policy, audit line. */
export function createAuthorizer(deps: AuthorizerDeps): Authorize {
  const { config, audit } = deps;
  const now = deps.now ?? Date.now;
  const verifier = new TokenVerifier(config, deps.resolveKey, deps.now, deps.peekKey, deps.refetchKeys);
  const table = new RouteTable(config.routes);
  const cache = new DecisionCache<TokenFacts>(config.decisionCache.maxEntries, config.decisionCache.maxBytes, weigh);
  const ruleClaims = [...new Set(config.routes.flatMap((route) => route.claimRules.map((rule) => rule.claim)))];
  const sharedPolicies = new Map<string, PolicyDocument>();

  /**
   * The reason, result and audit line for one request. The result is frozen because it is handed
   * out again for the same token and request until the token's cache entry expires.
   */
  const decide = (facts: TokenFacts, methodArn: string, httpMethod: unknown, resource: unknown): Decided => {
    const claims = facts.claims;
    const current = typeof httpMethod === 'string' && typeof resource === 'string' ? table.lookup(httpMethod, resource) : undefined;
    // A refused client is permitted no route, in the policy too (API Gateway reuses it for other routes).
    const refused = facts.usageKey === null;
    const reason: Reason = refused ? 'client_undeclared' : current === undefined ? 'route_unknown' : table.permission(current, claims, facts.scopes);
    let document: PolicyDocument;
    let shared: PolicyDocument | undefined;
    if (config.cacheMode === 'route') {
      document = policyDocument({ methodArn, routes: config.routes, cacheMode: 'route', current, permitted: () => reason === 'allowed' });
    } else {
      const bits = facts.bits ??= refused ? '0'.repeat(table.routes.length) : permissionBits(table, claims, facts.scopes);
      const request = { methodArn, routes: config.routes, cacheMode: 'token' as const, current, permitted: (i: number) => bits[i] === '1' };
      if (current === undefined) {
        // The Deny of the exact methodArn makes this document one of a kind.
        document = policyDocument(request);
      } else {
        // A token-mode document depends on the base ARN and the permissions only, and on the current
        // route only when nothing is permitted. bits has a fixed length and holds no '|'.
        const key = `${bits}|${bits.includes('1') ? '' : current}|${arnBase(methodArn)}`;
        shared = sharedPolicies.get(key);
        if (shared === undefined) {
          shared = policyDocument(request);
          if (sharedPolicies.size >= MAX_SHARED_POLICIES) {
            sharedPolicies.clear();
          }
          sharedPolicies.set(key, shared);
        }
        document = shared;
      }
    }
    // The key goes with Deny decisions too: in token mode a cached policy that denies this route may allow others.
    const result: AuthorizerResult = Object.freeze({
      principalId: facts.principalId,
      policyDocument: document,
      context: facts.context,
      ...(facts.usageKey ? { usageIdentifierKey: facts.usageKey } : {}),
    });
    const line = audit.prepare({
      decision: reason === 'allowed' ? 'allow' : 'deny',
      reason,
      claims,
      client: facts.client,
      scopes: facts.scopesText,
      route: routeOf(httpMethod, resource),
      kid: facts.kid,
    });
    // The line's middle and tail are short but for the EMF part, 300 to 400 characters.
    const chars = methodArn.length + line.head.length + (typeof resource === 'string' ? resource.length : 0) + (shared ? 0 : JSON.stringify(document).length);
    return { methodArn, httpMethod, resource, reason, result, line, bytes: 2 * chars + 1600 };
  };

  return async (input) => {
    const started = monotonicMs();
    const event: RequestAuthorizerEvent = typeof input === 'object' && input !== null ? input : {};
    let cached = false;
    try {
      if (event.type !== 'REQUEST' || typeof event.methodArn !== 'string') {
        throw new Error('not an API Gateway REQUEST authorizer event');
      }
      const token = bearerToken(event, config.maxTokenBytes);
      const key = decisionCacheKey(token);
      let facts = cache.get(key, Math.floor(now() / 1000));
      let changed = facts === undefined;
      if (facts) {
        cached = true;
      } else {
        // Only here: a cache hit is (but for a SHA-256 collision) the very string that passed this check before.
        checkCompactJws(token);
        facts = factsOf(await verifier.verify(token), config, ruleClaims);
      }
      let decided = facts.last;
      if (decided?.methodArn !== event.methodArn || decided.httpMethod !== event.httpMethod || decided.resource !== event.resource) {
        decided = decide(facts, event.methodArn, event.httpMethod, event.resource);
        facts.last = decided;
        changed = true;
      }
      if (changed) {
        // Set again when the decision changed: the entry is weighed with its latest decision.
        cache.set(key, facts);
      }
      audit.writeDecision(decided.line, monotonicMs() - started, cached);
      return decided.result;
    } catch (err) {
      const rejected = err instanceof TokenRejectedError ? err : undefined;
      const verified = rejected?.verifiedClaims;
      audit.decision({
        decision: 'unauthorized',
        reason: rejected ? rejected.reason : 'internal_error',
        claims: verified,
        client: verified ? auditedClientOf(verified, config.profile.clientClaims) : undefined,
        scopes: verified ? [...auditedScopes(verified, config.profile.grantClaims)].join(' ') : undefined,
        route: routeOf(event.httpMethod, event.resource),
        kid: rejected?.kid,
        latencyMs: monotonicMs() - started,
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
    const started = monotonicMs();
    const event: RequestAuthorizerEvent = typeof input === 'object' && input !== null ? input : {};
    audit.decision({
      decision: 'unauthorized',
      reason: 'internal_error',
      route: routeOf(event.httpMethod, event.resource),
      latencyMs: monotonicMs() - started,
      cached: false,
      error: 'ConfigError',
    });
    throw new Error('Unauthorized');
  };
}

/** `"GET /orders/{id}"` for the audit line, or null when the event does not say. */
function routeOf(httpMethod: unknown, resource: unknown): string | null {
  return typeof httpMethod === 'string' && typeof resource === 'string' ? `${httpMethod} ${resource}` : null;
}

function factsOf(verified: VerifiedToken, config: AuthorizerConfig, ruleClaims: readonly string[]): TokenFacts {
  const { claims, kid, trustUntil, client, scopes } = verified;
  const scopesText = [...scopes].join(' ');
  const principalId = principalOf(claims, client);
  const context = Object.freeze(contextOf(claims, client, scopesText, config.contextClaims));
  const keys = config.usageKeys;
  // The client as the context's clientId names it; a token that names none is an undeclared client.
  const usageKey = keys && ((client !== undefined && keys.clients.get(client)) || keys.others);
  const kept: Record<string, unknown> = {};
  for (const name of ['sub', ...ruleClaims]) {
    if (Object.hasOwn(claims, name)) {
      // defineProperty, as in contextOf: a rule on "__proto__" reads an own claim of that name.
      Object.defineProperty(kept, name, { value: claims[name], enumerable: true });
    }
  }
  const chars = kid.length + 2 * scopesText.length + principalId.length + JSON.stringify(context).length + JSON.stringify(kept).length
    + (usageKey?.length ?? 0);
  return { kid, trustUntil, claims: kept, client, scopes, scopesText, principalId, context, usageKey, bytes: 2 * chars + 64 * scopes.size + 400 };
}

/**
 * An entry's estimated heap bytes: every string character at 2 bytes (V8 stores a string with any
 * non-Latin-1 character at 2 bytes a character, others at 1), 64 bytes per scope in the Set and 400
 * per object graph for headers and slots: an overestimate, so that the byte budget holds.
 */
function weigh(facts: TokenFacts): number {
  return facts.bytes + 2 * (facts.bits?.length ?? 0) + (facts.last?.bytes ?? 0);
}

/** '1' or '0' per route index: whether the token is permitted that route. */
function permissionBits(table: RouteTable, claims: Readonly<Record<string, unknown>>, scopes: ReadonlySet<string>): string {
  let bits = '';
  for (let i = 0; i < table.routes.length; i++) {
    bits += table.permission(i, claims, scopes) === 'allowed' ? '1' : '0';
  }
  return bits;
}

/** What the principal names, prefixed so that a `sub` and a client id never read the same (contract: PRINCIPAL_*). */
function principalOf(claims: Record<string, unknown>, client: string | undefined): string {
  if (typeof claims.sub === 'string') {
    return PRINCIPAL_SUB_PREFIX + claims.sub;
  }
  return client !== undefined ? PRINCIPAL_CLIENT_PREFIX + client : PRINCIPAL_ANONYMOUS;
}

/**
 * Scalars only: API Gateway answers 500 when a context value is an array or object. The standard
 * keys come last so that a configured context claim cannot shadow them.
 */
function contextOf(
  claims: Record<string, unknown>, client: string | undefined, scopesText: string, contextClaims: readonly string[],
): Record<string, ContextValue> {
  const context: Record<string, ContextValue> = {};
  for (const name of contextClaims) {
    const v = Object.hasOwn(claims, name) ? claims[name] : undefined;
    if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) {
      // defineProperty, not assignment: a claim named "__proto__" becomes a key and cannot reach the prototype.
      Object.defineProperty(context, name, { value: v, enumerable: true, writable: true, configurable: true });
    }
  }
  // Always set and never empty (ABSENT when the token has no such claim): AWS does not say whether a
  // header mapped from an empty value replaces the caller's own header of that name, so an HTTP
  // backend's caller headers are mapped from non-empty values only. The verifier refuses a sub or
  // client that is empty or ABSENT, and ABSENT is never a granted scope.
  context.sub = typeof claims.sub === 'string' ? claims.sub : ABSENT;
  context.clientId = client ?? ABSENT;
  context.scopes = scopesText === '' ? ABSENT : scopesText;
  context.issuer = claims.iss as string;
  // The verifier requires exp, a finite number. API Gateway may reuse a cached Allow up to its TTL past
  // exp: a backend that must refuse an expired token checks this against its own clock.
  context.exp = claims.exp as number;
  return context;
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}
