/**
 * One way a federated trust policy can let in more callers than intended.
 *
 * Each value is one check of `FederationGuard` (and of `FederatedRole`, which applies the same checks
 * to itself). To accept one finding on one role deliberately, name it in
 * `FederationGuard.acceptRisk(role, risk, reason)`.
 */
export enum FederationRisk {
  /**
   * An OIDC trust without a condition on the audience key (`<provider>:aud`, or `oaud`/`azp` for
   * Google, `app_id` for Amazon and Facebook): a token minted for any client of the provider works.
   */
  MISSING_AUDIENCE = 'MISSING_AUDIENCE',

  /**
   * An OIDC trust without a condition on the subject key (`<provider>:sub`): every identity of the
   * provider may assume the role, e.g. every GitHub Actions workflow of every repository on GitHub.
   */
  MISSING_SUBJECT = 'MISSING_SUBJECT',

  /**
   * A `sub` pattern that is only wildcards (`*`), or puts a wildcard before the subject's fixed
   * prefix (`repo:*`, `repo:acme*`, `*:ref:refs/heads/main`): identities of other owners can match it.
   */
  WILDCARD_SUBJECT = 'WILDCARD_SUBJECT',

  /**
   * A `sub` pattern with a literal owner but a wildcard in the repository (GitHub) or project path
   * (GitLab), e.g. `repo:acme/*:ref:refs/heads/main`: every present and future repository of the
   * owner may assume the role.
   */
  ANY_REPOSITORY_OF_OWNER = 'ANY_REPOSITORY_OF_OWNER',

  /**
   * An audience (`aud`, `SAML:aud`...) matched with a wildcard (`StringLike` `*`, `api://*`, `s*`):
   * audiences are exact values, so any wildcard admits tokens or assertions meant for someone else.
   */
  WILDCARD_AUDIENCE = 'WILDCARD_AUDIENCE',

  /**
   * `ForAllValues:` or `ForAnyValue:` on a single-valued key (`aud`, `sub`, `SAML:aud`...).
   * `ForAllValues:` is true when the key is absent, so it matches tokens that lack the claim.
   * (`amr` is multi-valued; `ForAnyValue:` is right there.)
   */
  SET_OPERATOR_ON_SINGLE_VALUED_KEY = 'SET_OPERATOR_ON_SINGLE_VALUED_KEY',

  /**
   * `sts:AssumeRoleWithWebIdentity` or `sts:AssumeRoleWithSAML` granted to `*`, `AWS: *`,
   * `Federated: *` or through `NotPrincipal`.
   */
  PUBLIC_PRINCIPAL = 'PUBLIC_PRINCIPAL',

  /**
   * A condition key that names another identity provider than the statement's principal (e.g. the
   * principal is GitHub's provider but the key is `gitlab.com:sub`): the condition never constrains
   * the tokens that are actually accepted.
   */
  FOREIGN_CONDITION_KEY = 'FOREIGN_CONDITION_KEY',

  /**
   * An operator other than `StringEquals`/`StringLike` on `aud` or `sub` (`StringNotEquals`, `Null`,
   * `StringLikeIfExists`, `StringEqualsIgnoreCase`...): it matches far more than one value, or
   * matches when the claim is absent.
   */
  LOOSE_OPERATOR = 'LOOSE_OPERATOR',

  /**
   * A SAML trust without a `SAML:aud` condition: the role accepts assertions that were not addressed
   * to the AWS sign-in endpoint you expect (`SAML:aud` is the assertion's recipient URL).
   */
  SAML_MISSING_AUDIENCE = 'SAML_MISSING_AUDIENCE',

  /**
   * An IAM policy variable (`${...}`) in a condition value: IAM fills it from the request itself, so
   * `StringEquals sub: ${token.actions.githubusercontent.com:sub}` is always true, and
   * `repo:${token.actions.githubusercontent.com:repository}:environment:prod` matches that
   * environment in every repository. The escapes `${*}`, `${?}` and `${$}` are literal characters,
   * not variables, and are not findings.
   *
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
   */
  POLICY_VARIABLE = 'POLICY_VARIABLE',

  /**
   * A part of the trust that is only known at deploy time, so its looseness cannot be checked at
   * synth: a parameter, an import, `Fn::If`, `Fn::Join` with such a token, a statement or the whole
   * document wrapped in `Fn::If`, a principal or action that cannot be resolved. A parameter whose
   * value is `*`, or a policy variable, would open the role to everyone.
   */
  DEPLOY_TIME_VALUE = 'DEPLOY_TIME_VALUE',

  /**
   * A `sub` pattern with a wildcard, for an issuer whose subjects have no fixed prefix this library
   * knows (Auth0, Okta, Entra ID, Keycloak, any `fromUrl` issuer, a GitHub subject template that was
   * customized): nothing says which identities `a*` or `*|*` match, including ones created later by
   * other people.
   */
  UNANCHORED_SUBJECT_PATTERN = 'UNANCHORED_SUBJECT_PATTERN',

  /**
   * A condition key IAM does not have (e.g. `accounts.google.com:azp`, or a GitHub Actions claim
   * that IAM does not expose as a key): a `StringEquals`/`StringLike` on a missing key is false, so
   * nobody can assume the role, and the check it was meant to make is not made.
   */
  UNSUPPORTED_CONDITION_KEY = 'UNSUPPORTED_CONDITION_KEY',

  /**
   * A `SAML:aud` value that is not one of AWS's documented sign-in endpoints (e.g.
   * `https://sso.example.com/acs`, or `https://*.signin.aws.amazon.com/saml` under `StringEquals`):
   * `SAML:aud` is the assertion's `Recipient`, so a foreign value accepts assertions addressed to
   * another service provider, and a mistyped one accepts none. The documented endpoints are, per
   * partition, `https://signin.aws.amazon.com/saml` and `https://<region>.signin.aws.amazon.com/saml`
   * (aws), `https://signin.amazonaws.cn/saml` and `https://<region>.signin.amazonaws.cn/saml` (aws-cn),
   * `https://signin.amazonaws-us-gov.com/saml` and `https://us-gov-east-1.signin.amazonaws-us-gov.com/saml`
   * (aws-us-gov), each also with `/acs/<IdP ID>` for encrypted assertions.
   *
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html
   * @see https://docs.aws.amazon.com/general/latest/gr/signin-service.html
   */
  SAML_FOREIGN_AUDIENCE = 'SAML_FOREIGN_AUDIENCE',

  /**
   * Two roles of different environments (their `environment` tags differ: `RoleEnvironment`, or
   * `Tags.of(stage).add('environment', ...)`) whose trust policies accept the same token or assertion:
   * they trust the same identity provider (for SAML, providers that may share a signing key) and no
   * condition key tells their callers apart, so a staging caller can assume the prod role. Checked
   * across every role of the app, every CDK Stage included. Accepting it on either role of a pair
   * silences that pair.
   */
  CROSS_ENVIRONMENT_TRUST = 'CROSS_ENVIRONMENT_TRUST',
}
