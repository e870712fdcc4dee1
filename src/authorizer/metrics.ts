import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';

/**
 * The outcome of an authorizer decision, as the `Decision` metric dimension holds it.
 */
export enum AuthorizerDecision {
  /** An Allow policy: the token is valid and permitted the route. */
  ALLOW = 'allow',
  /** A Deny policy (403): the token is valid but not permitted the route. */
  DENY = 'deny',
  /** `Unauthorized` (401): no valid token. */
  UNAUTHORIZED = 'unauthorized',
}

/**
 * The reason code of an authorizer decision, as the audit line and the `Reason` metric dimension
 * hold it. Every decision has exactly one.
 */
export enum DecisionReason {
  /** Allowed. */
  ALLOWED = 'allowed',
  /** 401: no Authorization header. */
  MISSING_TOKEN = 'missing_token',
  /** 401: the Authorization header is not `Bearer <token>`. */
  BAD_SCHEME = 'bad_scheme',
  /** 401: the token is longer than the size cap. */
  TOKEN_TOO_LARGE = 'token_too_large',
  /** 401: not a compact JWS, or more than one Authorization value. */
  MALFORMED_TOKEN = 'malformed_token',
  /** 401: the token's `alg` is not in the allowlist. */
  ALG_NOT_ALLOWED = 'alg_not_allowed',
  /** 401: the token has no `kid`. */
  KID_MISSING = 'kid_missing',
  /** 401: the token carries a header that is never honoured (`jwk`, `jku`, `x5u`, `x5c`, `crit`, `b64`). */
  FORBIDDEN_HEADER = 'forbidden_header',
  /** 401: no key of the issuer's JWKS has the token's `kid`. */
  UNKNOWN_KID = 'unknown_kid',
  /** 401: the signature does not verify. */
  BAD_SIGNATURE = 'bad_signature',
  /** 401: `iss` is not the issuer. */
  ISSUER_MISMATCH = 'issuer_mismatch',
  /** 401: the audience claim holds none of the audiences. */
  AUDIENCE_MISMATCH = 'audience_mismatch',
  /** 401: the token has expired. */
  EXPIRED = 'expired',
  /** 401: `nbf` is in the future. */
  NOT_YET_VALID = 'not_yet_valid',
  /** 401: `iat` is in the future. */
  IAT_IN_FUTURE = 'iat_in_future',
  /** 401: the token is older than `maxTokenAge`. */
  TOKEN_TOO_OLD = 'token_too_old',
  /** 401: the `typ` header is not the required one. */
  TYP_MISMATCH = 'typ_mismatch',
  /** 401: the token is not of the kind the issuer's profile accepts (e.g. an ID token presented as an access token). */
  TOKEN_KIND_MISMATCH = 'token_kind_mismatch',
  /** 401: a claim has the wrong type, or the claim that names the client is not a usable client id. */
  CLAIM_INVALID = 'claim_invalid',
  /** 401: the issuer's keys could not be fetched and none are cached. */
  JWKS_UNAVAILABLE = 'jwks_unavailable',
  /** 401: the authorizer failed closed (configuration or unexpected error). */
  INTERNAL_ERROR = 'internal_error',
  /** 403: the token holds none of the route's scopes. */
  INSUFFICIENT_SCOPE = 'insufficient_scope',
  /** 403: a claim rule of the route does not hold. */
  CLAIM_RULE_FAILED = 'claim_rule_failed',
  /** 403: the request's route is not in the authorizer's route table. */
  ROUTE_UNKNOWN = 'route_unknown',
  /** 403: per-client quotas neither declare the token's client nor admit it under a default tier. */
  CLIENT_UNDECLARED = 'client_undeclared',
}

/**
 * Options for `TokenAuthorizer.metricDecisions`.
 */
export interface DecisionMetricOptions extends cloudwatch.MetricOptions {
  /**
   * Count only decisions with this outcome.
   *
   * @default - every decision
   */
  readonly decision?: AuthorizerDecision;
}

/**
 * The decisions of a token authorizer, as `SecuredApiDashboard`, `SecuredApiAlarms` and
 * `SecuredApiAuditQueries` read them: its metrics, its function and its audit log.
 * `TokenAuthorizer` implements it.
 */
export interface IDecisionMetrics extends IConstruct {
  /**
   * The authorizer function: the dashboard and the alarms read its Lambda metrics (`Errors`,
   * `Throttles`, `Duration`, `ConcurrentExecutions`).
   */
  readonly function: lambda.IFunction;

  /**
   * The authorizer's log group: one JSON audit line per decision, which the dashboard's tables and
   * the saved queries read.
   */
  readonly logGroup: logs.ILogGroup;

  /**
   * Whether the authorizer can deny a client for being undeclared (reason `client_undeclared`):
   * the dashboard graphs that reason only then.
   */
  readonly refusesUndeclaredClients: boolean;

  /**
   * Decisions (the `Decisions` metric), all of them or, with `decision`, those of one outcome.
   *
   * @default - sum over 5 minutes
   */
  metricDecisions(props?: DecisionMetricOptions): cloudwatch.Metric;

  /**
   * Decisions with one reason code.
   *
   * @default - sum over 5 minutes
   */
  metricDecisionsByReason(reason: DecisionReason, props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * How long the authorizer took per decision, in milliseconds.
   *
   * @default - average over 5 minutes
   */
  metricDecisionLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * Fetches of the issuer's signing keys (JWKS), successful or not.
   *
   * @default - sum over 5 minutes
   */
  metricJwksFetches(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * Failed fetches of the issuer's signing keys (JWKS).
   *
   * @default - sum over 5 minutes
   */
  metricJwksFetchFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}
