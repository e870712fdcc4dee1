/**
 * The data contract between the authorizer's constructs and its Lambda runtime
 * (docs/authorizer-contract.md): the shape of config.json, the environment names, the defaults the
 * construct writes, the reason codes and the metric names and dimensions.
 *
 * Both sides import this one module, so they cannot drift apart; it imports nothing, so the
 * runtime bundle takes in no construct code through it (as aws-cdk-lib's provider framework keeps
 * `runtime/consts.ts`). Not part of the jsii API.
 */

/** The environment variables the construct sets on the authorizer function (values may be tokens). */
export const ENV_ISSUER = 'SECURED_API_ISSUER';
export const ENV_AUDIENCES = 'SECURED_API_AUDIENCES';
export const ENV_JWKS_URI = 'SECURED_API_JWKS_URI';
/** Overrides where config.json is read from (tests, local runs). */
export const ENV_CONFIG_FILE = 'SECURED_API_CONFIG_FILE';

export type RouteMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS' | 'ANY';
export type CacheMode = 'token' | 'route';
export type ClaimRuleOp = 'equals' | 'contains' | 'oneOf';

/** A claim rule as config.json holds it. */
export interface ClaimRuleConfig {
  readonly claim: string;
  readonly op: ClaimRuleOp;
  readonly value?: string;
  readonly values?: readonly string[];
}

/** One guarded route as config.json holds it. */
export interface RouteConfig {
  readonly method: RouteMethod;
  /** API Gateway's resource path template, e.g. `/orders/{id}`. */
  readonly resource: string;
  /** The IAM resource glob of the path, no leading slash: `orders/*`; `` for `/`. */
  readonly arnPath: string;
  /** Any-of; empty: any valid token. */
  readonly scopes: readonly string[];
  /** All must hold. */
  readonly claimRules: readonly ClaimRuleConfig[];
  /** Routes some of whose requests this route's whole policy glob can match (see route-table.ts). */
  readonly overlaps: readonly number[];
}

export interface JwksConfig {
  readonly timeoutMs: number;
  readonly cooldownMs: number;
  readonly maxBytes: number;
  readonly maxKeys: number;
  readonly maxAgeMs: number;
}

/**
 * How the issuer's access tokens say who the client is, what they grant and what kind of token they
 * are: the issuer profile (`OidcIssuer.profile`), as config.json holds it. The runtime reads a
 * token's client, grants and kind from these claims and from no other.
 */
export interface IssuerProfileConfig {
  /**
   * The claims that name the token's OAuth client, in order: the first one the token has is its
   * client (the context's `clientId`, the audit line's `client_id`, the key of per-client quotas).
   * It must be a non-empty string other than ABSENT, else the token is refused (`claim_invalid`).
   * Empty: this issuer's tokens name no client, and every token's client is ABSENT.
   */
  readonly clientClaims: readonly string[];
  /**
   * The claims that grant scopes: each a space-delimited string or an array of strings; the token's
   * scopes are the union of those it has. A grant claim of any other type refuses the token
   * (`claim_invalid`). Empty: the issuer's tokens grant no scope, and only routes without scopes
   * can be opened.
   */
  readonly grantClaims: readonly string[];
  /**
   * The claim that tells the issuer's access tokens from its other tokens (e.g. Cognito's
   * `token_use`), and the values it accepts: a token whose claim is not a string among them is
   * refused (`token_kind_mismatch`). Absent: the issuer has no such claim.
   */
  readonly tokenKind?: { readonly claim: string; readonly values: readonly string[] };
}

/** config.json, as the construct writes it and the runtime validates it. */
export interface AuthorizerConfigFile {
  readonly version: 1;
  readonly algorithms: readonly string[];
  readonly audienceClaim: string;
  readonly profile: IssuerProfileConfig;
  readonly clockToleranceSeconds: number;
  readonly maxTokenAgeSeconds?: number;
  readonly requiredTyp?: string;
  readonly maxTokenBytes: number;
  readonly contextClaims: readonly string[];
  readonly jwks: JwksConfig;
  readonly decisionCache: { readonly maxEntries: number };
  readonly cacheMode: CacheMode;
  readonly metricsNamespace: string;
  readonly serviceName: string;
  readonly routes: readonly RouteConfig[];
  /** Per-client quotas: the API key to return as `usageIdentifierKey`. Absent: no key is returned. */
  readonly usageKeys?: UsageKeysConfig;
}

/**
 * The API keys of per-client quotas (`SecuredApiProps.quotas`): the value of the API key the
 * authorizer returns as `usageIdentifierKey` for a token, by the token's client (the first of the
 * profile's `clientClaims` the token has).
 */
export interface UsageKeysConfig {
  /** Each declared client's own key, by client id. */
  readonly clients: Readonly<Record<string, string>>;
  /** The key of every other client (the default tier's, shared), or null: they are denied (`client_undeclared`). */
  readonly others: string | null;
}

/** The values the construct writes when its props leave them out. */
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;
export const DEFAULT_MAX_TOKEN_BYTES = 8192;
export const DEFAULT_JWKS: JwksConfig = { timeoutMs: 3000, cooldownMs: 30_000, maxBytes: 65_536, maxKeys: 50, maxAgeMs: 3_600_000 };
export const DEFAULT_DECISION_CACHE_ENTRIES = 10_000;
export const DEFAULT_METRICS_NAMESPACE = 'SecuredApi';

/** Context keys the authorizer always sets; a context claim of the same name is refused at synth. */
export const CONTEXT_KEYS = ['sub', 'clientId', 'scopes', 'issuer', 'exp'] as const;

/**
 * Names API Gateway itself gives under `$context.authorizer.`: `principalId` (the policy's principal),
 * `claims` (a Cognito authorizer's claims), and the authorizer's `error`, `integrationLatency`,
 * `integrationStatus`, `latency`, `requestId` and `status`. A context claim of one of these names
 * would be shadowed by, or shadow, API Gateway's value in a mapping or an access log, so it is
 * refused at synth (in any letter case, as is one of CONTEXT_KEYS: the docs call these variables
 * case-sensitive, but a refusal holds under either reading).
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-variables-for-access-logging.html
 */
export const API_GATEWAY_AUTHORIZER_KEYS = [
  'principalId', 'claims', 'error', 'integrationLatency', 'integrationStatus', 'latency', 'requestId', 'status',
] as const;

/**
 * The context value of `sub`, `clientId` and `scopes` when the token has no such claim (or grants no
 * scope), and of every caller header but the principal on a public route. Never empty, because AWS
 * does not say whether a header mapped from an empty value overrides the client's header of that
 * name. It can never be a real value: a token whose `sub` or client claim is `-` is refused
 * (`claim_invalid`), a scope `-` is never granted, and no route may require it.
 */
export const ABSENT = '-';

/**
 * The principal (`principalId`, and the `X-Secured-Api-Principal` header) says what it names:
 * `sub:<sub>` for a token with a `sub`; else `client:<client>` for one whose profile's client claim names a client; else
 * `anonymous` (a verified token naming no one). A public route's backend gets `public`. A `sub` and a
 * client id never read the same, and neither fixed value has a colon.
 */
export const PRINCIPAL_SUB_PREFIX = 'sub:';
export const PRINCIPAL_CLIENT_PREFIX = 'client:';
export const PRINCIPAL_ANONYMOUS = 'anonymous';
export const PRINCIPAL_PUBLIC = 'public';

/**
 * The context key of the principal in an HTTP API Lambda authorizer's simple response. A simple
 * response has no `principalId` (only `isAuthorized` and `context`), and AWS documents
 * `$context.authorizer.principalId` only as "the principal user identification that a Lambda
 * authorizer returns", so an HTTP backend's `X-Secured-Api-Principal` is mapped from this context key
 * instead, which the HTTP adapter always sets (last, so that no context claim can shadow it).
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html
 */
export const HTTP_PRINCIPAL_CONTEXT_KEY = 'principal';

/**
 * The caller headers of an HTTP backend's request, and the authorizer context key each is mapped from
 * on a guarded route (`principalId` is the policy's principal). On a public route each is mapped from
 * a fixed value instead: `public` for the principal, ABSENT for the others.
 */
export const CALLER_HEADERS: ReadonlyArray<readonly [header: string, contextKey: string]> = [
  ['X-Secured-Api-Principal', 'principalId'],
  ['X-Secured-Api-Sub', 'sub'],
  ['X-Secured-Api-Client-Id', 'clientId'],
  ['X-Secured-Api-Scopes', 'scopes'],
  ['X-Secured-Api-Issuer', 'issuer'],
  ['X-Secured-Api-Exp', 'exp'],
];

/** Reason codes of a 401 (`Error('Unauthorized')`). */
export const UNAUTHORIZED_REASONS = [
  'missing_token', 'bad_scheme', 'token_too_large', 'malformed_token', 'alg_not_allowed', 'kid_missing',
  'forbidden_header', 'unknown_kid', 'bad_signature', 'issuer_mismatch', 'audience_mismatch', 'expired',
  'not_yet_valid', 'iat_in_future', 'token_too_old', 'typ_mismatch', 'token_kind_mismatch', 'claim_invalid', 'jwks_unavailable',
  'internal_error',
] as const;
/** Reason codes of a Deny policy (403). */
export const DENY_REASONS = ['insufficient_scope', 'claim_rule_failed', 'route_unknown', 'client_undeclared'] as const;
/** The Deny reason of a client that per-client quotas neither declare nor admit under a default tier; no other API can emit it. */
export const REASON_CLIENT_UNDECLARED: typeof DENY_REASONS[number] = 'client_undeclared';
/** Every decision logs exactly one of these. */
export type Reason = 'allowed' | typeof UNAUTHORIZED_REASONS[number] | typeof DENY_REASONS[number];

/** The values of the `Decision` dimension. */
export type Decision = 'allow' | 'deny' | 'unauthorized';

/** Metric names (CloudWatch embedded metric format) in the namespace `metricsNamespace`. */
export const METRIC_DECISIONS = 'Decisions';
export const METRIC_DECISION_LATENCY = 'DecisionLatency';
export const METRIC_JWKS_FETCHES = 'JwksFetches';
export const METRIC_JWKS_FETCH_FAILURES = 'JwksFetchFailures';

/**
 * Dimensions: every metric is published by `[Service]` (the API's name); `Decisions` and
 * `DecisionLatency` also by `[Service, Decision]` and `[Service, Reason]`. Never per route, client
 * or subject (cost and cardinality: those are read from the logs).
 */
export const DIMENSION_SERVICE = 'Service';
export const DIMENSION_DECISION = 'Decision';
export const DIMENSION_REASON = 'Reason';
