/**
 * What the caller-credentials helpers (cdk-secured-api/runtime) publish, shared with the constructs
 * that read it (the dashboard's role-exchange row): the metric namespace, names and dimensions of the
 * exchange audit line. Import-free, so both sides import it without pulling in each other.
 */

/** The default CloudWatch namespace of exchange metrics. */
export const EXCHANGE_METRICS_NAMESPACE = 'SecuredApi/CallerCredentials';

/** One count per exchange (cache hits and failures included). */
export const METRIC_EXCHANGES = 'Exchanges';
/** Milliseconds per exchange, from the call to its answer. */
export const METRIC_EXCHANGE_LATENCY = 'ExchangeLatency';

/** The function or service that exchanged (low cardinality: set by the user, e.g. the Lambda's name). */
export const DIMENSION_EXCHANGE_SERVICE = 'Service';
/** `web_identity`, `saml` or `client_credentials`. */
export const DIMENSION_EXCHANGE_KIND = 'Kind';
/** The IAM role's name (not its ARN); `-` for client-credentials tokens. */
export const DIMENSION_EXCHANGE_ROLE = 'Role';
/** `issued` (a call to STS or the token endpoint succeeded), `cached` (served from cache) or `failed`. */
export const DIMENSION_EXCHANGE_OUTCOME = 'Outcome';

export type ExchangeKind = 'web_identity' | 'saml' | 'client_credentials';
export type ExchangeOutcome = 'issued' | 'cached' | 'failed';
