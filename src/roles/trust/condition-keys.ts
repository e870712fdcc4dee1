// Which OIDC condition keys IAM has, per provider. A StringEquals/StringLike on a key that is not in
// the request context is false, so a condition on a key IAM does not have locks everyone out and
// checks nothing.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
import { isGitHubHost } from './subject-scheme';

/**
 * The GitHub Actions claims IAM has as condition keys (`<provider>:<claim>`): `aud` and `sub`, plus
 * `actor`, `actor_id`, `job_workflow_ref`, `repository`, `repository_id`, `workflow`, `ref`,
 * `environment` and `enterprise_id` (none of them "available in session"). Any other GitHub claim
 * (`repository_owner`, `event_name`, `ref_type`...) is not a key: a condition on it never holds.
 *
 * Where this list comes from: the provider-specific keys were added with AWS STS's validation of
 * identity-provider-specific claims (What's New, January 2026). The primary list is IAM's "Available
 * keys for AWS OIDC federation" (first `@see`); its GitHub table could not be read here, only the
 * page's opening. The list was checked against the table ("AWS STS condition key / IdP JWT claim /
 * Available in session") as reproduced in https://cageyv.dev/posts/aws-sts-oidc-claim-validation and
 * https://dev.classmethod.jp/en/articles/aws-sts-oidc-github-google-circleci-oci (both citing the
 * announcement); they agree with each other and with this list. Re-check against the primary page
 * when it can be read.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
 * @see https://aws.amazon.com/about-aws/whats-new/2026/01/aws-sts-supports-validation-identity-provider-claims/
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
 */
export const GITHUB_CONDITION_CLAIMS: readonly string[] = [
  'aud', 'sub', 'actor', 'actor_id', 'job_workflow_ref', 'repository', 'repository_id', 'workflow', 'ref', 'environment', 'enterprise_id',
];

/** Claims that are not IAM keys for a host, with what to use instead. */
const NOT_KEYS_BY_HOST: Record<string, Record<string, string>> = {
  // Google's azp is not a key: IAM puts azp into accounts.google.com:aud when the token has one, and the aud claim into :oaud.
  'accounts.google.com': { azp: "'accounts.google.com:aud' (IAM fills it from azp when the token has one)" },
};

/**
 * Why `<host>:<claim>` is not an IAM condition key, or undefined when it is one (or cannot be told).
 * Claim names are compared as IAM compares keys: case-insensitively.
 */
export function unsupportedKeyReason(host: string, claim: string): string | undefined {
  const lower = claim.toLowerCase();
  if (isGitHubHost(host)) {
    if (GITHUB_CONDITION_CLAIMS.includes(lower)) return undefined;
    return `IAM has no condition key '${host}:${claim}'; for GitHub Actions it documents only ${GITHUB_CONDITION_CLAIMS.map(c => `'${c}'`).join(', ')}`;
  }
  const instead = NOT_KEYS_BY_HOST[host]?.[lower];
  return instead ? `IAM has no condition key '${host}:${claim}'; use ${instead}` : undefined;
}
