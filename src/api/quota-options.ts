import * as apigateway from 'aws-cdk-lib/aws-apigateway';

/**
 * A quota tier: one API Gateway usage plan, whose throttle and quota apply to each API key in it
 * separately (each declared client has a key of its own; undeclared clients admitted under a
 * default tier share one).
 *
 * Usage-plan throttles and quotas are targets that API Gateway applies on a best-effort basis:
 * clients can exceed them. They are neither a security control nor a cost control.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html
 */
export interface QuotaTierOptions {
  /**
   * The tier's name, which clients and `defaultTier` refer to: 1 to 64 letters, digits, `-` and `_`.
   * It is part of the construct ids of the tier's resources, so renaming a tier replaces its usage
   * plan and its clients' API keys.
   */
  readonly name: string;

  /**
   * Steady-state requests per second allowed to each key of the tier.
   *
   * @default - no rate limit of the tier's own: the stage's, the route's and the account's apply
   */
  readonly rateLimit?: number;

  /**
   * Burst of requests allowed to each key of the tier (API Gateway's token bucket capacity), a whole number.
   *
   * @default - no burst limit of the tier's own: the stage's, the route's and the account's apply
   */
  readonly burstLimit?: number;

  /**
   * Requests allowed to each key of the tier per `quotaPeriod`, a whole number. Set with `quotaPeriod`.
   *
   * @default - no quota
   */
  readonly quotaLimit?: number;

  /**
   * The period `quotaLimit` counts over (`DAY`, `WEEK` or `MONTH`). Set with `quotaLimit`.
   *
   * @default - no quota
   */
  readonly quotaPeriod?: apigateway.Period;
}

/**
 * A client of the API, by the client ID its tokens carry, and its quota tier.
 */
export interface QuotaClientOptions {
  /**
   * The client's ID, as its access tokens carry it in the issuer profile's client claim
   * (`OidcIssuer.profile.clientClaims`: Okta `cid`, Auth0/Entra ID/Keycloak `azp`, Cognito and RFC 9068
   * `client_id`); what the authorizer context calls `clientId`.
   */
  readonly clientId: string;

  /** The name of one of the `tiers`. */
  readonly tier: string;
}

/**
 * Per-client quotas of a `SecuredApi`: tiers as API Gateway usage plans, each declared client with an
 * API key of its own in its tier's plan, which the authorizer returns for the client's tokens.
 *
 * Usage-plan throttles and quotas are best effort (AWS: "clients can exceed the quotas that you
 * set"; do not rely on them to control costs or block access): pair them with an AWS WAF
 * rate-based rule on the stage.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html
 */
export interface SecuredApiQuotaOptions {
  /**
   * The tiers, one usage plan each: at least one, at most 300 (API Gateway's default quota of usage
   * plans per account and Region, which the account's other APIs share).
   */
  readonly tiers: QuotaTierOptions[];

  /**
   * The declared clients, each with an API key of its own in its tier's usage plan, so that its
   * tier's limits apply to it alone. Each client is two CloudFormation resources (an API key and a
   * usage plan key), and a stack holds at most 500 resources; an account holds at most 10,000 API
   * keys per Region (a hard limit, shared with its other APIs).
   *
   * Moving a client to another tier replaces its API key (a key can be in only one usage plan of a
   * stage, and CloudFormation creates the new one before it deletes the old one).
   *
   * @default - none: every client is undeclared
   */
  readonly clients?: QuotaClientOptions[];

  /**
   * The tier of every client not in `clients` (and of tokens without a `client_id`): all of them
   * share one API key in that tier's plan, and so its limits, together.
   *
   * @default - undeclared clients are denied (403, reason `client_undeclared`)
   */
  readonly defaultTier?: string;
}
