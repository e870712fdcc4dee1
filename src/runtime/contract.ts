/**
 * What the caller-credentials helpers (cdk-secured-api/runtime) publish, shared with the constructs
 * that read it (the dashboard's role-exchange row): the metric namespace, names and dimensions of the
 * exchange audit line. Import-free, so both sides import it without pulling in each other.
 */

/**
 * The environment variable in which a SecuredApi gives each handler with caller roles its issuer
 * profile's client claims (a JSON array, e.g. `["cid"]` for Okta), so that the exchange audit line
 * names the client as the authorizer does.
 */
export const ENV_CLIENT_CLAIMS = 'SECURED_API_CLIENT_CLAIMS';

/** The client claims read where neither the option nor ENV_CLIENT_CLAIMS names them (RFC 9068's, then OIDC's authorized party). */
export const DEFAULT_CLIENT_CLAIMS: readonly string[] = ['client_id', 'azp'];

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

/**
 * Every `CallerCredentialsError.code` the helpers throw (the audit line's `error`), so that queries,
 * docs and tests name the same set. The README's runtime tables list each with its `httpStatus`.
 */
export const EXCHANGE_ERROR_CODES = [
  // web identity
  'missing_token', 'malformed_token', 'expired_token', 'invalid_identity_token', 'idp_unavailable',
  // SAML
  'saml_malformed', 'saml_too_large', 'saml_dtd_refused', 'saml_xml_refused', 'saml_no_roles',
  'expired_assertion', 'invalid_assertion', 'role_not_chosen', 'role_not_offered',
  // web identity and SAML
  'invalid_role_arn', 'idp_rejected_claim', 'access_denied', 'malformed_policy_document', 'packed_policy_too_large',
  'region_disabled', 'sts_rejected_request', 'sts_throttled', 'sts_unavailable', 'sts_invalid_response',
  // client credentials
  'invalid_client', 'unauthorized_client', 'invalid_scope', 'invalid_target', 'token_rejected', 'token_response_invalid',
  'discovery_invalid', 'secret_unavailable', 'discovery_unavailable', 'token_endpoint_unavailable', 'secrets_manager_unavailable',
  // any helper
  'misconfigured',
] as const;

export type ExchangeErrorCode = typeof EXCHANGE_ERROR_CODES[number];
