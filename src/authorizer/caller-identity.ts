import { Token } from 'aws-cdk-lib';
import { ClaimRule, RouteAuthorization } from './route';
import { OidcIssuer } from '../identity/oidc-issuer';

/**
 * Issuers whose tokens carry an `aud` that whoever requests the token chooses: Google ID tokens
 * (a service account asks for any `target_audience`), GitHub Actions and GitLab CI/CD ID tokens (a
 * workflow or job names any audience). For them `iss` + `aud` says only "some caller of this
 * issuer", so every guarded route must also pin who the caller is with a claim rule on one of
 * these claims.
 *
 * @see https://cloud.google.com/docs/authentication/get-id-token
 * @see https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect
 * @see https://docs.gitlab.com/ci/secrets/id_token_authentication/
 */
interface CallerChosenAudience {
  readonly kind: string;
  readonly everyone: string;
  readonly claims: readonly string[];
  readonly example: string;
}

const GOOGLE: CallerChosenAudience = {
  kind: 'Google',
  everyone: 'every Google account and service account',
  claims: ['sub', 'email', 'hd'],
  example: "ClaimRule.equalTo('email', 'ci@my-project.iam.gserviceaccount.com')",
};
const GITHUB: CallerChosenAudience = {
  kind: 'GitHub Actions',
  everyone: 'every workflow of every repository on GitHub',
  claims: ['sub', 'repository', 'repository_id', 'repository_owner', 'repository_owner_id', 'job_workflow_ref', 'workflow_ref'],
  example: "ClaimRule.equalTo('repository', 'my-org/my-repo')",
};
const GITLAB: CallerChosenAudience = {
  kind: 'GitLab CI/CD',
  everyone: 'every job of every project on the GitLab instance',
  claims: ['sub', 'project_path', 'project_id', 'namespace_path', 'namespace_id', 'ci_config_ref_uri'],
  example: "ClaimRule.equalTo('project_path', 'my-group/my-project')",
};

/** The issuer's caller-chosen-audience kind, by preset or, for `fromUrl`, by its well-known issuer host. */
function callerChosenAudience(issuer: OidcIssuer): CallerChosenAudience | undefined {
  const host = Token.isUnresolved(issuer.issuerUrl) ? undefined : /^https:\/\/([^/:]+)/.exec(issuer.issuerUrl)?.[1]?.toLowerCase();
  if (issuer.name === 'Google' || host === 'accounts.google.com') {
    return GOOGLE;
  }
  if (issuer.name === 'GitHub Actions' || host === 'token.actions.githubusercontent.com') {
    return GITHUB;
  }
  if (issuer.name === 'GitLab' || host === 'gitlab.com') {
    return GITLAB;
  }
  return undefined;
}

function isCognito(issuer: OidcIssuer): boolean {
  return issuer.name === 'Amazon Cognito';
}

/**
 * A guarded route as the issuer requires it:
 * - for an issuer whose `aud` the caller chooses, the route must have a claim rule that pins the
 *   caller (refused at synth otherwise, with the reason);
 * - for Amazon Cognito, `token_use` must be `access`: added to the route's claim rules, so that an
 *   ID token of the same user pool never opens a route.
 *
 * @param where the construct path, for error messages
 */
export function withIssuerRequirements(where: string, issuer: OidcIssuer, route: RouteAuthorization): RouteAuthorization {
  const chosen = callerChosenAudience(issuer);
  if (chosen) {
    const pinned = (route.claimRules ?? []).some((rule) => rule instanceof ClaimRule && chosen.claims.includes(rule.claim));
    if (!pinned) {
      throw new Error(
        `${where}: route ${route.method} ${route.path} has no claim rule on ${chosen.claims.join(', ')}, and ${chosen.kind} tokens carry an audience ` +
        `that whoever requests the token chooses, so checking the issuer and audience alone would admit ${chosen.everyone}; ` +
        `add a claim rule that names your caller, e.g. claimRules: [${chosen.example}].`,
      );
    }
  }
  if (isCognito(issuer)) {
    return { ...route, claimRules: [...(route.claimRules ?? []), ClaimRule.equalTo('token_use', 'access')] };
  }
  return route;
}
