import { Fn, Token } from 'aws-cdk-lib';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import { ErrorCode, validationError } from '../errors';

/**
 * A JWS signature algorithm the authorizer accepts.
 *
 * `none` and the HMAC family (HS256/384/512) are deliberately absent: a JWKS publishes public keys,
 * and accepting HS* against one lets anyone who has the public key forge tokens.
 */
export enum JwtAlgorithm {
  /** RSASSA-PKCS1-v1_5 with SHA-256 (the OIDC default). */
  RS256 = 'RS256',
  /** RSASSA-PKCS1-v1_5 with SHA-384. */
  RS384 = 'RS384',
  /** RSASSA-PKCS1-v1_5 with SHA-512. */
  RS512 = 'RS512',
  /** RSASSA-PSS with SHA-256. */
  PS256 = 'PS256',
  /** RSASSA-PSS with SHA-384. */
  PS384 = 'PS384',
  /** RSASSA-PSS with SHA-512. */
  PS512 = 'PS512',
  /** ECDSA on P-256 with SHA-256. */
  ES256 = 'ES256',
  /** ECDSA on P-384 with SHA-384. */
  ES384 = 'ES384',
  /** ECDSA on P-521 with SHA-512. */
  ES512 = 'ES512',
  /** EdDSA (Ed25519). */
  EDDSA = 'EdDSA',
}

/**
 * Options common to every issuer.
 */
export interface OidcIssuerOptions {
  /**
   * The audiences a token must carry one of, e.g. `api://orders` or an app client ID.
   *
   * Checked against the issuer's `audienceClaim` (`aud`, or `client_id` for Cognito), and used as the
   * client ID list of an `OidcIdentityProvider`. Must be non-empty; no audience may be empty or
   * contain a wildcard (`*`, `?`), since IAM's `StringLike` would treat it as one.
   */
  readonly audiences: string[];

  /**
   * The issuer's JWKS URI, where its public signing keys are published (`https://` only).
   *
   * @default - presets know theirs; `fromUrl` uses `<issuer without trailing slash>/.well-known/jwks.json`
   */
  readonly jwksUri?: string;

  /**
   * The signature algorithms accepted.
   *
   * @default [JwtAlgorithm.RS256] (every preset's provider signs with RS256)
   */
  readonly algorithms?: JwtAlgorithm[];

  /**
   * The claims that name a token's OAuth client, in order: the first one a token has is its client
   * (the authorizer context's `clientId`, the audit line's `client_id`, the key of per-client quotas).
   * Replaces the issuer profile's `clientClaims`.
   *
   * @default - the preset's (see `IssuerProfile`); `fromUrl`: `['client_id']` (RFC 9068), or the
   * profile of the provider whose issuer host the URL names
   */
  readonly clientClaims?: string[];

  /**
   * The claims that grant scopes (a space-delimited string or an array of strings each; a token's
   * scopes are the union). Replaces the issuer profile's `grantClaims`, e.g.
   * `['scope', 'permissions']` for Auth0 with RBAC's "Add Permissions in the Access Token".
   *
   * @default - the preset's (see `IssuerProfile`); `fromUrl`: `['scope']` (RFC 9068), or the
   * profile of the provider whose issuer host the URL names
   */
  readonly grantClaims?: string[];
}

/**
 * A claim that tells an issuer's access tokens from its other tokens (e.g. its ID tokens), and the
 * values an access token has in it.
 */
export interface TokenKindCheck {
  /** The claim, e.g. `token_use`. */
  readonly claim: string;
  /** The values that make a token an access token this API accepts, e.g. `['access']`. */
  readonly values: string[];
}

/**
 * An issuer whose tokens carry an audience that whoever requests the token chooses (Google ID
 * tokens, GitHub Actions and GitLab CI/CD ID tokens): `iss` + `aud` then says only "some caller of
 * this issuer", so every guarded route must pin the caller with a claim rule on one of
 * `callerClaims`, and synth fails otherwise.
 */
export interface CallerChosenAudience {
  /** The claims that name the caller, e.g. `repository` for GitHub Actions. */
  readonly callerClaims: string[];
  /** Whom the issuer and audience check alone would admit, e.g. `every workflow of every repository on GitHub`. */
  readonly admits: string;
  /** A claim rule that pins a caller, for error messages, e.g. `ClaimRule.equalTo('repository', 'my-org/my-repo')`. */
  readonly example: string;
}

/**
 * How an issuer's tokens name their client, grant access and tell their kind: what the authorizer
 * reads from a token, and what the synth-time checks assume about the issuer. Every preset sets it
 * from its provider's documentation (README: "Issuer profiles"); `fromUrl` uses RFC 9068's claims.
 * The authorizer reads these claims and no other for the client, the scopes and the kind.
 */
export interface IssuerProfile {
  /**
   * The claims that name the token's OAuth client, in order; the first one the token has is its
   * client. A token whose client claim is not a non-empty string is refused (401 `claim_invalid`);
   * a token with none of them has no client (`-` in the context; per-client quotas treat it as an
   * undeclared client). Empty: the issuer's tokens name no client.
   */
  readonly clientClaims: string[];
  /**
   * The claims that grant scopes: each a space-delimited string or an array of strings; a token's
   * scopes are the union of those it has. Empty: the issuer's tokens grant no scope, and a route
   * that requires scopes is refused at synth.
   */
  readonly grantClaims: string[];
  /**
   * The claim that tells the issuer's access tokens from its other tokens; a token without one of
   * its values is refused (401 `token_kind_mismatch`).
   *
   * @default - the issuer has no such claim; the audience check tells its ID tokens apart
   */
  readonly tokenKind?: TokenKindCheck;
  /**
   * Set when whoever requests a token chooses its audience.
   *
   * @default - the API's audience is chosen by the issuer's administrators
   */
  readonly callerChosenAudience?: CallerChosenAudience;
}

/**
 * Options for `OidcIssuer.okta`.
 */
export interface OktaIssuerOptions extends OidcIssuerOptions {
  /**
   * The ID of the Okta custom authorization server that issues the tokens, e.g. `default` or
   * `aus1a2b3c4d5e6f7g8h9`. Its issuer is `https://{domain}/oauth2/{id}`.
   *
   * @default 'default' (Okta's pre-configured custom authorization server), unless
   * `orgAuthorizationServer` is set
   */
  readonly authorizationServerId?: string;

  /**
   * Trust the org authorization server (issuer `https://{domain}`) instead of a custom one.
   *
   * Okta states that access tokens from the org authorization server are meant for Okta's own APIs
   * only: a resource server should not consume or validate them (treat them as opaque). Use this
   * only for ID tokens, e.g. for a `FederatedRole`; an API should use a custom authorization server.
   *
   * @default false
   */
  readonly orgAuthorizationServer?: boolean;
}

/**
 * Options for `OidcIssuer.githubActions`.
 */
export interface GitHubActionsIssuerOptions {
  /**
   * The audiences a workflow's token must carry one of (the `audience` the workflow requests).
   *
   * @default ['sts.amazonaws.com'] (what `aws-actions/configure-aws-credentials` requests)
   */
  readonly audiences?: string[];

  /**
   * The enterprise slug, for a GitHub Enterprise Cloud enterprise that switched to its own issuer
   * (`include_enterprise_slug`): tokens then carry `iss` =
   * `https://token.actions.githubusercontent.com/{slug}`, which only that enterprise's workflows get.
   *
   * @default - the shared issuer `https://token.actions.githubusercontent.com`
   */
  readonly enterpriseSlug?: string;

  /**
   * Whether the organization or repository customized its OIDC subject claim template (e.g.
   * `repository_owner:acme:context:prod` instead of `repo:acme/app:environment:prod`). The subjects
   * then have no fixed prefix that this library knows: `FederatedRole` and `FederationGuard` accept
   * exact subjects, and a subject pattern only once `UNANCHORED_SUBJECT_PATTERN` is accepted on the role.
   *
   * @see https://docs.github.com/en/actions/reference/security/oidc#customizing-the-subject-claims-for-an-organization-or-repository
   * @default false - GitHub's default template: every `sub` starts with `repo:<owner>/<repository>:`
   */
  readonly customSubjectTemplate?: boolean;

  /**
   * The signature algorithms accepted.
   *
   * @default [JwtAlgorithm.RS256]
   */
  readonly algorithms?: JwtAlgorithm[];
}

/**
 * Options for `OidcIssuer.gitlab`.
 */
export interface GitLabIssuerOptions extends OidcIssuerOptions {
  /**
   * The URL of a self-managed GitLab instance, exactly as its `external_url` (it becomes the `iss`),
   * e.g. `https://gitlab.example.com`. No trailing slash.
   *
   * @default 'https://gitlab.com'
   */
  readonly url?: string;
}

/** Everything an OidcIssuer holds; the factories fill it in. */
interface OidcIssuerSpec {
  /** The factory, named in error messages. */
  readonly where: string;
  readonly name: string;
  readonly issuerUrl: string;
  readonly audiences: string[];
  readonly jwksUri: string;
  readonly algorithms: JwtAlgorithm[];
  readonly audienceClaim?: string;
  readonly subjectPrefix?: string;
  readonly customSubjectTemplate?: boolean;
  /** Set when the provider URL cannot be derived from `issuerUrl` by string operations (tokens). */
  readonly conditionKeyPrefix?: string;
  readonly profile: IssuerProfile;
  /** The user's `clientClaims` / `grantClaims`, which replace the profile's. */
  readonly options?: { readonly clientClaims?: string[]; readonly grantClaims?: string[]; readonly jwksUri?: string };
}

/**
 * The issuer profiles, from each provider's documentation of its access tokens (ID tokens for the
 * issuers whose tokens are ID tokens). Summarized in the README's "Issuer profiles" table.
 */
const PROFILES = {
  /**
   * RFC 9068 (JWT profile for OAuth 2.0 access tokens), section 2.2: `client_id` REQUIRED, names the
   * client; section 2.2.3.1: `scope`, space-delimited. https://www.rfc-editor.org/rfc/rfc9068#section-2.2
   */
  rfc9068: { clientClaims: ['client_id'], grantClaims: ['scope'] },
  /**
   * Auth0: the default ("Auth0") access token profile names the client in `azp`, the RFC 9068 profile
   * in `client_id`; both grant `scope` (space-delimited).
   * https://auth0.com/docs/secure/tokens/access-tokens/access-token-profiles
   * `permissions` (RBAC's "Add Permissions in the Access Token") is not read by default: with RBAC
   * on, Auth0 already limits `scope` to the permissions the user or client has, and an API that wants
   * `permissions` read names it in `grantClaims`.
   * https://auth0.com/docs/get-started/apis/enable-role-based-access-control-for-apis
   */
  auth0: { clientClaims: ['azp', 'client_id'], grantClaims: ['scope'] },
  /**
   * Okta custom authorization servers: `cid` is the client, `scp` the granted scopes (an array).
   * https://developer.okta.com/docs/api/openapi/okta-oauth/guides/overview/#access-token-payload
   */
  okta: { clientClaims: ['cid'], grantClaims: ['scp'] },
  /**
   * Microsoft Entra ID: v2.0 access tokens name the client in `azp` (v1.0: `appid`); delegated
   * permissions are in `scp` (space-delimited), application permissions of app-only
   * (client-credentials) tokens in `roles` (an array). `roles` is read by default, because an
   * app-only token carries no `scp`, so without it no daemon could open a route; a route that must
   * be opened by users only says so with a claim rule. `ver` is `2.0` in tokens of the v2.0 issuer
   * the preset pins. https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference
   */
  entraId: { clientClaims: ['azp', 'appid'], grantClaims: ['scp', 'roles'], tokenKind: { claim: 'ver', values: ['2.0'] } },
  /**
   * Google ID tokens: `azp` is the client ID of the authorized presenter; they grant no scope.
   * https://developers.google.com/identity/openid-connect/openid-connect#an-id-tokens-payload
   * A service account asks for any `target_audience`: https://cloud.google.com/docs/authentication/get-id-token
   */
  google: {
    clientClaims: ['azp'],
    grantClaims: [],
    callerChosenAudience: {
      callerClaims: ['sub', 'email', 'hd'],
      admits: 'every Google account and service account',
      example: "ClaimRule.equalTo('email', 'ci@my-project.iam.gserviceaccount.com')",
    },
  },
  /**
   * Amazon Cognito access tokens: `client_id` is the app client, `scope` the scopes, `token_use` is
   * `access` (an ID token of the same pool says `id`).
   * https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-access-token.html
   */
  cognito: { clientClaims: ['client_id'], grantClaims: ['scope'], tokenKind: { claim: 'token_use', values: ['access'] } },
  /**
   * Keycloak access tokens: `azp` is the client, `scope` the scopes (space-delimited). Keycloak
   * documents no claim that tells its access tokens from its ID tokens, so none is read; an ID
   * token's `aud` is its client, so the API's audience must not be a client users sign in to
   * (use an audience mapper with the API's own audience).
   * https://www.keycloak.org/docs/latest/server_admin/#_oidc_token_role_mappings
   */
  keycloak: { clientClaims: ['azp'], grantClaims: ['scope'] },
  /**
   * GitHub Actions ID tokens name no OAuth client and grant no scope; the workflow names the audience.
   * https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect
   */
  githubActions: {
    clientClaims: [],
    grantClaims: [],
    callerChosenAudience: {
      callerClaims: ['sub', 'repository', 'repository_id', 'repository_owner', 'repository_owner_id', 'job_workflow_ref', 'workflow_ref'],
      admits: 'every workflow of every repository on GitHub',
      example: "ClaimRule.equalTo('repository', 'my-org/my-repo')",
    },
  },
  /**
   * GitLab CI/CD ID tokens name no OAuth client and grant no scope; the job names the audience.
   * https://docs.gitlab.com/ci/secrets/id_token_authentication/
   */
  gitlab: {
    clientClaims: [],
    grantClaims: [],
    callerChosenAudience: {
      callerClaims: ['sub', 'project_path', 'project_id', 'namespace_path', 'namespace_id', 'ci_config_ref_uri'],
      admits: 'every job of every project on the GitLab instance',
      example: "ClaimRule.equalTo('project_path', 'my-group/my-project')",
    },
  },
} satisfies Record<string, IssuerProfile>;

/**
 * `fromUrl` of a provider's own issuer host takes that provider's profile: a GitHub Actions issuer
 * by URL must still pin its callers, an Okta one still read `cid`.
 */
const PROFILE_BY_HOST: ReadonlyArray<readonly [RegExp, IssuerProfile]> = [
  [/\.auth0\.com$/, PROFILES.auth0],
  [/\.(okta|oktapreview|okta-emea)\.com$/, PROFILES.okta],
  [/^login\.microsoftonline\.com$/, PROFILES.entraId],
  [/^accounts\.google\.com$/, PROFILES.google],
  [/^cognito-idp\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/, PROFILES.cognito],
  [/^token\.actions\.githubusercontent\.com$/, PROFILES.githubActions],
  [/^gitlab\.com$/, PROFILES.gitlab],
];

/** Registered JWT claims that the authorizer checks itself, and that no profile may name. */
const CHECKED_CLAIMS = ['iss', 'aud', 'exp', 'nbf', 'iat', 'jti'];

const DEFAULT_ALGORITHMS = [JwtAlgorithm.RS256];
const KNOWN_ALGORITHMS: ReadonlySet<string> = new Set(Object.values(JwtAlgorithm));

/** Hosts whose `iss` has no trailing slash: a configured slash could never match. */
const NO_TRAILING_SLASH_HOSTS = [
  /\.okta\.com$/, /\.oktapreview\.com$/, /\.okta-emea\.com$/,
  /^accounts\.google\.com$/,
  /^login\.microsoftonline\.com$/,
  /^token\.actions\.githubusercontent\.com$/,
  /^gitlab\.com$/,
  /^cognito-idp\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/,
];
/** Entra ID's multi-tenant aliases: tokens never carry them, only the tenant's own GUID. */
const ENTRA_ALIASES = ['common', 'organizations', 'consumers'];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

/**
 * An OpenID Connect issuer: who signs the tokens, for which audiences, with which keys and algorithms.
 *
 * An `OidcIssuer` is plain data (not a construct). Use it for a `SecuredApi`'s authorizer, an
 * `OidcIdentityProvider` and `FederatedRole`s alike. Every factory checks its input when called
 * (skipping values that are unresolved tokens) and throws a CDK validation error (`code`
 * `OidcIssuer.<Mistake>`, listed in docs/errors.md) that names the value, says what is wrong and how
 * to fix it.
 *
 * The `iss` check is exact, character for character: the presets build the string each provider
 * really puts in its tokens (e.g. Auth0's trailing slash), so prefer a preset over `fromUrl`.
 */
export class OidcIssuer {
  /**
   * Any OIDC issuer, by its exact issuer URL (the `iss` its tokens carry).
   *
   * Refuses URLs that cannot match what a known provider puts in `iss`: an Auth0 host without its
   * trailing slash; a trailing slash on Okta, Google, Entra ID, GitHub, GitLab.com or Cognito; an
   * Entra ID multi-tenant alias; a discovery document URL (`.../.well-known/openid-configuration`).
   *
   * @param url the exact issuer string, `https://...`; it must match the tokens' `iss` character for character
   */
  public static fromUrl(url: string, options: OidcIssuerOptions): OidcIssuer {
    const where = 'OidcIssuer.fromUrl';
    const unresolved = Token.isUnresolved(url);
    const host = unresolved ? undefined : /^https:\/\/([^/:?#]+)/.exec(url)?.[1]?.toLowerCase();
    return new OidcIssuer({
      where,
      name: 'OIDC issuer',
      issuerUrl: url,
      audiences: options.audiences,
      jwksUri: options.jwksUri ?? `${unresolved ? url : url.replace(/\/$/, '')}/.well-known/jwks.json`,
      algorithms: options.algorithms ?? DEFAULT_ALGORITHMS,
      profile: (host !== undefined && PROFILE_BY_HOST.find(([pattern]) => pattern.test(host))?.[1]) || PROFILES.rfc9068,
      options,
    });
  }

  /**
   * An Auth0 tenant (or its custom domain).
   *
   * Auth0's `iss` is `https://{domain}/`, with a trailing slash; the IAM OIDC provider for it keeps
   * that slash too (provider URL `https://{domain}/`, condition keys `{domain}/:aud`, `{domain}/:sub`).
   *
   * @param domain the tenant's domain, without scheme or path, e.g. `example.eu.auth0.com` or `login.example.com`
   * @see https://auth0.com/docs/secure/tokens/access-tokens/validate-access-tokens
   */
  public static auth0(domain: string, options: OidcIssuerOptions): OidcIssuer {
    const where = 'OidcIssuer.auth0';
    checkDomain(where, 'domain', domain);
    return new OidcIssuer({
      where,
      name: 'Auth0',
      issuerUrl: `https://${domain}/`,
      audiences: options.audiences,
      jwksUri: options.jwksUri ?? `https://${domain}/.well-known/jwks.json`,
      algorithms: options.algorithms ?? DEFAULT_ALGORITHMS,
      profile: PROFILES.auth0,
      options,
    });
  }

  /**
   * An Okta authorization server.
   *
   * By default Okta's custom authorization server `default`: iss `https://{domain}/oauth2/default`,
   * JWKS `https://{domain}/oauth2/default/v1/keys`. Okta's org authorization server (iss
   * `https://{domain}`, JWKS `https://{domain}/oauth2/v1/keys`) must be asked for explicitly with
   * `orgAuthorizationServer: true`, because Okta says its access tokens are for Okta alone and must
   * not be validated by resource servers.
   *
   * @param domain the Okta org's domain, without scheme or path, e.g. `example.okta.com`
   * @see https://developer.okta.com/docs/guides/validate-access-tokens/
   */
  public static okta(domain: string, options: OktaIssuerOptions): OidcIssuer {
    const where = 'OidcIssuer.okta';
    checkDomain(where, 'domain', domain);
    if (options.orgAuthorizationServer && options.authorizationServerId !== undefined) {
      fail('OidcIssuer.ConflictingOktaServer', where, `authorizationServerId '${options.authorizationServerId}' and orgAuthorizationServer: true contradict each other; set one of them`);
    }
    let issuerUrl: string;
    let jwksUri: string;
    if (options.orgAuthorizationServer) {
      issuerUrl = `https://${domain}`;
      jwksUri = `https://${domain}/oauth2/v1/keys`;
    } else {
      const id = options.authorizationServerId ?? 'default';
      if (!Token.isUnresolved(id) && !/^[A-Za-z0-9]+$/.test(id)) {
        fail('OidcIssuer.InvalidOktaServerId', where, `authorizationServerId '${id}' is not an Okta authorization server ID (letters and digits only, e.g. 'default' or 'aus1a2b3c4d5e6f7g8h9'); copy it from the server's Issuer URI`);
      }
      issuerUrl = `https://${domain}/oauth2/${id}`;
      jwksUri = `https://${domain}/oauth2/${id}/v1/keys`;
    }
    return new OidcIssuer({
      where,
      name: 'Okta',
      issuerUrl,
      audiences: options.audiences,
      jwksUri: options.jwksUri ?? jwksUri,
      algorithms: options.algorithms ?? DEFAULT_ALGORITHMS,
      profile: PROFILES.okta,
      options,
    });
  }

  /**
   * A Microsoft Entra ID (Azure AD) tenant, v2.0 tokens.
   *
   * iss `https://login.microsoftonline.com/{tenantId}/v2.0`, JWKS
   * `https://login.microsoftonline.com/{tenantId}/discovery/v2.0/keys`.
   *
   * The API's app registration must set `accessTokenAcceptedVersion` to `2` in its manifest
   * (`requestedAccessTokenVersion` in the Graph API): otherwise Entra issues v1.0 access tokens whose
   * iss is `https://sts.windows.net/{tenantId}/`, and every one of them is refused. The audience of a
   * v2.0 token is the API's application (client) ID.
   *
   * @param tenantId the tenant's ID (a GUID); `common`, `organizations`, `consumers` and domain names
   * are refused, because tokens always carry the issuing tenant's own GUID
   * @see https://learn.microsoft.com/entra/identity-platform/access-tokens
   */
  public static entraId(tenantId: string, options: OidcIssuerOptions): OidcIssuer {
    const where = 'OidcIssuer.entraId';
    let tenant = tenantId;
    if (!Token.isUnresolved(tenantId)) {
      if (ENTRA_ALIASES.includes(tenantId.toLowerCase())) {
        fail('OidcIssuer.EntraTenantAlias', where, `tenantId '${tenantId}' is a multi-tenant alias, but each token's iss names the tenant that issued it, so no token could match; pass the directory (tenant) ID GUID from the Entra admin center`);
      }
      if (!GUID.test(tenantId)) {
        fail('OidcIssuer.InvalidEntraTenantId', where, `tenantId '${tenantId}' is not a GUID; pass the directory (tenant) ID (e.g. '72f988bf-86f1-41af-91ab-2d7cd011db47'), not a domain name, since tokens carry the GUID in iss`);
      }
      // Entra writes the tenant GUID in lower case in iss.
      tenant = tenantId.toLowerCase();
    }
    return new OidcIssuer({
      where,
      name: 'Microsoft Entra ID',
      issuerUrl: `https://login.microsoftonline.com/${tenant}/v2.0`,
      audiences: options.audiences,
      jwksUri: options.jwksUri ?? `https://login.microsoftonline.com/${tenant}/discovery/v2.0/keys`,
      algorithms: options.algorithms ?? DEFAULT_ALGORITHMS,
      profile: PROFILES.entraId,
      options,
    });
  }

  /**
   * Google (ID tokens of Google accounts and service accounts).
   *
   * iss `https://accounts.google.com`, JWKS `https://www.googleapis.com/oauth2/v3/certs`.
   *
   * Google's access tokens are opaque, not JWTs: only Google ID tokens can be verified (the audience
   * is the OAuth client ID, or the `audience` a service account asked for). Google documents that
   * some ID tokens carry iss `accounts.google.com` without the scheme; the exact check refuses those.
   * IAM knows Google natively: a role may trust the built-in principal `accounts.google.com`
   * (condition keys `accounts.google.com:aud`/`:sub`) without creating an OIDC provider.
   *
   * @see https://developers.google.com/identity/openid-connect/openid-connect#validatinganidtoken
   */
  public static google(options: OidcIssuerOptions): OidcIssuer {
    return new OidcIssuer({
      where: 'OidcIssuer.google',
      name: 'Google',
      issuerUrl: 'https://accounts.google.com',
      audiences: options.audiences,
      jwksUri: options.jwksUri ?? 'https://www.googleapis.com/oauth2/v3/certs',
      algorithms: options.algorithms ?? DEFAULT_ALGORITHMS,
      profile: PROFILES.google,
      options,
    });
  }

  /**
   * An Amazon Cognito user pool defined in (or imported into) this CDK app.
   *
   * iss `https://cognito-idp.{region}.amazonaws.com/{userPoolId}`, JWKS `{iss}/.well-known/jwks.json`.
   * The URL fields are tokens built from the pool's provider name, so they resolve per stack.
   *
   * Cognito access tokens carry no `aud`: the app client ID is in `client_id`, so `audienceClaim` is
   * `client_id` and `audiences` are app client IDs. (Cognito ID tokens carry the app client ID in
   * `aud`, which is what an IAM OIDC provider's client ID list is matched against.)
   *
   * @see https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html
   */
  public static cognito(userPool: IUserPool, options: OidcIssuerOptions): OidcIssuer {
    const providerName = userPool.userPoolProviderName;
    const issuerUrl = `https://${providerName}`;
    return new OidcIssuer({
      where: 'OidcIssuer.cognito',
      name: 'Amazon Cognito',
      issuerUrl,
      audiences: options.audiences,
      jwksUri: options.jwksUri ?? `${issuerUrl}/.well-known/jwks.json`,
      algorithms: options.algorithms ?? DEFAULT_ALGORITHMS,
      audienceClaim: 'client_id',
      conditionKeyPrefix: providerName,
      profile: PROFILES.cognito,
      options,
    });
  }

  /**
   * An Amazon Cognito user pool by region and ID (e.g. one that lives in another app or account).
   *
   * Same as `cognito(userPool, ...)`: iss `https://cognito-idp.{region}.amazonaws.com/{userPoolId}`,
   * JWKS `{iss}/.well-known/jwks.json`, `audienceClaim` `client_id`.
   *
   * @param region the pool's region, e.g. `eu-west-1`
   * @param userPoolId the pool's ID, e.g. `eu-west-1_AbCdEf123`
   */
  public static cognitoUserPoolId(region: string, userPoolId: string, options: OidcIssuerOptions): OidcIssuer {
    const where = 'OidcIssuer.cognitoUserPoolId';
    if (!Token.isUnresolved(region) && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
      fail('OidcIssuer.InvalidRegion', where, `region '${region}' is not an AWS region name; pass one such as 'eu-west-1'`);
    }
    if (!Token.isUnresolved(userPoolId) && !/^[\w-]+_[0-9A-Za-z]+$/.test(userPoolId)) {
      fail('OidcIssuer.InvalidUserPoolId', where, `userPoolId '${userPoolId}' is not a Cognito user pool ID; pass one such as 'eu-west-1_AbCdEf123'`);
    }
    if (!Token.isUnresolved(region) && !Token.isUnresolved(userPoolId) && !userPoolId.startsWith(`${region}_`)) {
      fail('OidcIssuer.UserPoolRegionMismatch', where, `userPoolId '${userPoolId}' does not belong to region '${region}' (a pool ID starts with its region and '_'); pass the pool's own region`);
    }
    // Cognito's endpoints in the China regions use the .com.cn suffix, as every AWS endpoint there.
    const suffix = !Token.isUnresolved(region) && region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
    const issuerUrl = `https://cognito-idp.${region}.${suffix}/${userPoolId}`;
    return new OidcIssuer({
      where,
      name: 'Amazon Cognito',
      issuerUrl,
      audiences: options.audiences,
      jwksUri: options.jwksUri ?? `${issuerUrl}/.well-known/jwks.json`,
      algorithms: options.algorithms ?? DEFAULT_ALGORITHMS,
      audienceClaim: 'client_id',
      profile: PROFILES.cognito,
      options,
    });
  }

  /**
   * A Keycloak realm.
   *
   * iss `{baseUrl}/realms/{realm}`, JWKS `{iss}/protocol/openid-connect/certs`. Keycloak 17 and later
   * serve realms at the root; older (WildFly) distributions, or servers started with
   * `--http-relative-path=/auth`, serve them under `/auth`: include it in `baseUrl`
   * (`https://sso.example.com/auth`).
   *
   * @param baseUrl the server's public URL, `https://...`, e.g. `https://sso.example.com`
   * @param realm the realm name, e.g. `acme`
   * @see https://www.keycloak.org/docs/latest/securing_apps/#_oidc
   */
  public static keycloak(baseUrl: string, realm: string, options: OidcIssuerOptions): OidcIssuer {
    const where = 'OidcIssuer.keycloak';
    let base = baseUrl;
    if (!Token.isUnresolved(baseUrl)) {
      base = baseUrl.replace(/\/+$/, '');
      if (/\/realms(\/|$)/.test(base)) {
        fail('OidcIssuer.BaseUrlHasRealms', where, `baseUrl '${baseUrl}' already contains '/realms'; pass the server's base URL (e.g. 'https://sso.example.com') and the realm name separately`);
      }
    }
    if (!Token.isUnresolved(realm) && (realm.length === 0 || /[\s/?#%]/.test(realm))) {
      fail('OidcIssuer.InvalidRealm', where, `realm '${realm}' is not a realm name; pass the name only, without slashes or spaces (e.g. 'acme')`);
    }
    const issuerUrl = `${base}/realms/${realm}`;
    return new OidcIssuer({
      where,
      name: 'Keycloak',
      issuerUrl,
      audiences: options.audiences,
      jwksUri: options.jwksUri ?? `${issuerUrl}/protocol/openid-connect/certs`,
      algorithms: options.algorithms ?? DEFAULT_ALGORITHMS,
      profile: PROFILES.keycloak,
      options,
    });
  }

  /**
   * GitHub Actions workflows (`id-token: write`).
   *
   * iss `https://token.actions.githubusercontent.com` (or `.../{enterpriseSlug}`), JWKS
   * `{iss}/.well-known/jwks`, `sub` always starts with `repo:` (e.g.
   * `repo:octo-org/octo-repo:ref:refs/heads/main`) unless the organization customized its subject
   * claim template, in which case set `customSubjectTemplate: true`.
   *
   * @see https://docs.github.com/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect
   */
  public static githubActions(options: GitHubActionsIssuerOptions = {}): OidcIssuer {
    const where = 'OidcIssuer.githubActions';
    const slug = options.enterpriseSlug;
    if (slug !== undefined && !Token.isUnresolved(slug) && !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(slug)) {
      fail('OidcIssuer.InvalidEnterpriseSlug', where, `enterpriseSlug '${slug}' is not an enterprise slug (lowercase letters, digits and single hyphens, as in github.com/enterprises/<slug>); pass the slug only`);
    }
    const issuerUrl = slug === undefined
      ? 'https://token.actions.githubusercontent.com'
      : `https://token.actions.githubusercontent.com/${slug}`;
    return new OidcIssuer({
      where,
      name: 'GitHub Actions',
      issuerUrl,
      audiences: options.audiences ?? ['sts.amazonaws.com'],
      jwksUri: `${issuerUrl}/.well-known/jwks`,
      algorithms: options.algorithms ?? DEFAULT_ALGORITHMS,
      subjectPrefix: options.customSubjectTemplate ? undefined : 'repo:',
      customSubjectTemplate: options.customSubjectTemplate,
      profile: PROFILES.githubActions,
    });
  }

  /**
   * GitLab CI/CD ID tokens (`id_tokens:` in `.gitlab-ci.yml`), on GitLab.com or a self-managed instance.
   *
   * iss `https://gitlab.com` (or the instance URL), JWKS `{iss}/oauth/discovery/keys`, `sub` starts
   * with `project_path:` (e.g. `project_path:group/project:ref_type:branch:ref:main`). GitLab has no
   * default audience: each job names the `aud` it wants, and that is what goes in `audiences`.
   *
   * @see https://docs.gitlab.com/ci/secrets/id_token_authentication/
   */
  public static gitlab(options: GitLabIssuerOptions): OidcIssuer {
    const where = 'OidcIssuer.gitlab';
    const issuerUrl = options.url ?? 'https://gitlab.com';
    if (!Token.isUnresolved(issuerUrl) && issuerUrl.endsWith('/')) {
      fail('OidcIssuer.TrailingSlash', where, `url '${issuerUrl}' ends with '/', but GitLab's iss is its external URL without one; remove the trailing slash`);
    }
    return new OidcIssuer({
      where,
      name: 'GitLab',
      issuerUrl,
      audiences: options.audiences,
      jwksUri: options.jwksUri ?? `${issuerUrl}/oauth/discovery/keys`,
      algorithms: options.algorithms ?? DEFAULT_ALGORITHMS,
      subjectPrefix: 'project_path:',
      profile: PROFILES.gitlab,
      options,
    });
  }

  /** The exact issuer string, as found in the tokens' `iss` claim. */
  public readonly issuerUrl: string;
  /** The audiences a token must carry one of (in its `audienceClaim`). */
  public readonly audiences: string[];
  /**
   * The claim that holds the audience: `aud`, or `client_id` for Cognito, whose access tokens carry
   * no `aud`.
   */
  public readonly audienceClaim: string;
  /** Where the issuer publishes its signing keys. */
  public readonly jwksUri: string;
  /** The accepted signature algorithms. */
  public readonly algorithms: JwtAlgorithm[];
  /**
   * The fixed prefix every `sub` of this issuer starts with (e.g. `repo:` for GitHub Actions), if any.
   *
   * A `sub` pattern may not put a wildcard before it.
   * @default - no fixed prefix
   */
  public readonly subjectPrefix?: string;
  /**
   * Whether the issuer's subjects follow a customized template (GitHub Actions'
   * `customSubjectTemplate`), so that no fixed subject prefix is known, even from the issuer's host.
   */
  public readonly customSubjectTemplate: boolean;
  /**
   * The `Url` of the IAM OIDC provider for this issuer: the issuer string unchanged.
   *
   * STS finds the provider from the token's `iss`, and IAM keeps a provider URL as registered,
   * trailing slash included: an Auth0 provider is `https://{domain}/` (ARN
   * `...:oidc-provider/{domain}/`); registered without the slash, it never matches Auth0's tokens.
   */
  public readonly providerUrl: string;
  /**
   * The prefix of this issuer's IAM condition keys: the provider URL without `https://`, e.g.
   * `token.actions.githubusercontent.com` (for `token.actions.githubusercontent.com:sub`), or
   * `example.eu.auth0.com/` for Auth0, whose keys keep the trailing slash (`example.eu.auth0.com/:aud`).
   * It is also the resource name in the provider's ARN (`arn:aws:iam::{account}:oidc-provider/{prefix}`).
   */
  public readonly conditionKeyPrefix: string;
  /** A human-readable name of the issuer kind, used in error messages. */
  public readonly name: string;
  /**
   * How this issuer's tokens name their client, grant scopes and tell their kind (the preset's, with
   * the `clientClaims` and `grantClaims` options applied). The authorizer, per-client quotas, the
   * audit line and the synth-time checks read these and no claim or issuer name of their own.
   */
  public readonly profile: IssuerProfile;
  /**
   * Whether the user gave `jwksUri` (not the factory's default). API Gateway's native JWT authorizer
   * finds the keys through the issuer's discovery document alone, so a `SecuredHttpApi` keeps such an
   * issuer's routes on the Lambda authorizer, which reads exactly the given key set.
   * @internal
   */
  public readonly _jwksUriGiven: boolean;

  private constructor(spec: OidcIssuerSpec) {
    checkIssuerUrl(spec.where, spec.issuerUrl);
    checkAudiences(spec.where, spec.audiences);
    checkHttpsUrl(spec.where, 'JWKS URI', spec.jwksUri, true);
    if (!Token.isUnresolved(spec.jwksUri) && spec.jwksUri.endsWith('/.well-known/openid-configuration')) {
      fail('OidcIssuer.DiscoveryDocumentUrl', spec.where, `JWKS URI '${spec.jwksUri}' is a discovery document, not a key set; pass the 'jwks_uri' value that document lists`);
    }
    checkAlgorithms(spec.where, spec.algorithms);

    this.name = spec.name;
    this.issuerUrl = spec.issuerUrl;
    this.audiences = [...spec.audiences];
    this.audienceClaim = spec.audienceClaim ?? 'aud';
    this.jwksUri = spec.jwksUri;
    this.algorithms = [...spec.algorithms];
    this.subjectPrefix = spec.subjectPrefix;
    this.customSubjectTemplate = spec.customSubjectTemplate ?? false;
    this.providerUrl = spec.issuerUrl;
    this.profile = profileOf(spec);
    this._jwksUriGiven = spec.options?.jwksUri !== undefined;
    this.conditionKeyPrefix = spec.conditionKeyPrefix ?? (Token.isUnresolved(spec.issuerUrl)
      ? Fn.select(1, Fn.split('https://', spec.issuerUrl))
      : spec.issuerUrl.slice('https://'.length));
  }
}

/** The spec's profile with the user's claim options applied, checked, and copied (a caller cannot change it afterwards). */
function profileOf(spec: OidcIssuerSpec): IssuerProfile {
  const { profile, options } = spec;
  const chosen = profile.callerChosenAudience;
  const clientClaims = checkClaimNames(spec.where, 'clientClaims', options?.clientClaims ?? profile.clientClaims);
  const grantClaims = checkClaimNames(spec.where, 'grantClaims', options?.grantClaims ?? profile.grantClaims);
  const overlap = clientClaims.find((claim) => grantClaims.includes(claim));
  if (overlap !== undefined) {
    fail('OidcIssuer.ClientClaimIsGrantClaim', spec.where, `clientClaims and grantClaims both name '${overlap}', so the client's ID would be read as a scope it grants; name each claim in one of them`);
  }
  return {
    clientClaims,
    grantClaims,
    ...(profile.tokenKind ? { tokenKind: { claim: profile.tokenKind.claim, values: [...profile.tokenKind.values] } } : {}),
    ...(chosen ? { callerChosenAudience: { ...chosen, callerClaims: [...chosen.callerClaims] } } : {}),
  };
}

function checkClaimNames(where: string, what: string, claims: string[]): string[] {
  if (!Array.isArray(claims) || Token.isUnresolved(claims)) {
    fail('OidcIssuer.ClaimsNotList', where, `${what} must be a list of claim names, e.g. ['client_id']`);
  }
  const seen = new Set<string>();
  for (const claim of claims) {
    if (typeof claim !== 'string' || Token.isUnresolved(claim) || claim.trim() === '' || claim !== claim.trim()) {
      fail('OidcIssuer.InvalidClaimName', where, `${what} holds ${JSON.stringify(claim)}, which is not a claim name; pass literal claim names without spaces, e.g. 'client_id'`);
    }
    if (CHECKED_CLAIMS.includes(claim.toLowerCase())) {
      fail('OidcIssuer.RegisteredClaim', where, `${what} holds '${claim}', a registered claim the authorizer checks itself (${CHECKED_CLAIMS.join(', ')}, in any letter case); name the claim your issuer puts the ${what === 'clientClaims' ? 'client ID' : 'granted scopes'} in`);
    }
    if (seen.has(claim)) {
      fail('OidcIssuer.DuplicateClaim', where, `${what} holds '${claim}' twice; list each claim once`);
    }
    seen.add(claim);
  }
  return [...claims];
}

/** Throws the mistake `code` of the factory `where` (a static factory: no construct to name). */
function fail(code: ErrorCode, where: string, message: string): never {
  throw validationError(code, `${where}: ${message}.`);
}

/** A bare host name, as the `domain` of Auth0 and Okta. */
function checkDomain(where: string, what: string, domain: string): void {
  if (Token.isUnresolved(domain)) return;
  if (/^[a-z]+:\/\//i.test(domain) || domain.includes('/')) {
    fail('OidcIssuer.DomainNotBareHost', where, `${what} '${domain}' must be a bare host name; pass it without scheme or path (e.g. 'example.eu.auth0.com')`);
  }
  if (!DOMAIN.test(domain)) {
    fail('OidcIssuer.InvalidDomain', where, `${what} '${domain}' is not a host name; pass the domain shown in the provider's console (e.g. 'example.okta.com')`);
  }
}

/** Checks a `https://` URL without whitespace, credentials or fragment; returns it parsed (undefined for tokens). */
function checkHttpsUrl(where: string, what: string, value: string, allowQuery: boolean): URL | undefined {
  if (Token.isUnresolved(value)) return undefined;
  if (/\s/.test(value)) {
    fail('OidcIssuer.UrlWhitespace', where, `${what} '${value}' contains whitespace; remove it (tokens carry the exact string, so a stray space or newline never matches)`);
  }
  if (!value.startsWith('https://')) {
    fail('OidcIssuer.NotHttps', where, `${what} '${value}' must start with https://; use the provider's HTTPS URL (keys and issuers are only trusted over TLS)`);
  }
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return fail('OidcIssuer.InvalidUrl', where, `${what} '${value}' is not a valid URL; pass a full URL such as 'https://login.example.com'`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    fail('OidcIssuer.UrlCredentials', where, `${what} '${value}' contains credentials; remove the 'user:password@' part`);
  }
  if (value.includes('#')) {
    fail('OidcIssuer.UrlFragment', where, `${what} '${value}' has a fragment ('#...'); remove it`);
  }
  if (!allowQuery && value.includes('?')) {
    fail('OidcIssuer.UrlQuery', where, `${what} '${value}' has a query ('?...'), which an issuer never has; remove it`);
  }
  return parsed;
}

function checkIssuerUrl(where: string, url: string): void {
  const parsed = checkHttpsUrl(where, 'issuer URL', url, false);
  if (parsed === undefined) return;
  const host = parsed.hostname.toLowerCase();
  const what = `issuer URL '${url}'`;
  if (/\/\.well-known\/openid-configuration\/?$/.test(url)) {
    fail('OidcIssuer.DiscoveryDocumentUrl', where, `${what} is the discovery document's URL, not the issuer; pass the part before '/.well-known/openid-configuration' (the 'issuer' value that document lists)`);
  }
  if (host.endsWith('.auth0.com') && url !== `https://${parsed.host}/`) {
    fail('OidcIssuer.Auth0WithoutTrailingSlash', where, `${what} cannot match Auth0's tokens, whose iss is 'https://${parsed.host}/' (with the trailing slash); use OidcIssuer.auth0('${parsed.host}', ...)`);
  }
  if (url.endsWith('/') && NO_TRAILING_SLASH_HOSTS.some((h) => h.test(host))) {
    fail('OidcIssuer.TrailingSlash', where, `${what} ends with '/', but this provider's iss has no trailing slash, so no token could match; remove the slash (or use the preset)`);
  }
  if (host === 'login.microsoftonline.com') {
    const tenant = parsed.pathname.split('/')[1] ?? '';
    if (ENTRA_ALIASES.includes(tenant.toLowerCase())) {
      fail('OidcIssuer.EntraTenantAlias', where, `${what} uses the multi-tenant alias '${tenant}', but tokens carry the issuing tenant's GUID in iss; use OidcIssuer.entraId('<tenant GUID>', ...)`);
    }
  }
}

function checkAudiences(where: string, audiences: string[]): void {
  if (Token.isUnresolved(audiences)) return;
  if (audiences.length === 0) {
    fail('OidcIssuer.NoAudiences', where, 'audiences is empty, so every token of this issuer, meant for any application, would be accepted; list the audience (or app client ID) your API expects');
  }
  const seen = new Set<string>();
  for (const audience of audiences) {
    if (Token.isUnresolved(audience)) continue;
    if (audience.trim().length === 0) {
      fail('OidcIssuer.EmptyAudience', where, `audience '${audience}' is empty; remove it or put the audience (or app client ID) your API expects`);
    }
    if (/[*?]/.test(audience)) {
      fail('OidcIssuer.WildcardAudience', where, `audience '${audience}' contains a wildcard ('*' or '?'), which would match other applications' tokens in IAM's StringLike; list each exact audience instead`);
    }
    if (seen.has(audience)) {
      fail('OidcIssuer.DuplicateAudience', where, `audience '${audience}' is listed twice; remove the duplicate`);
    }
    seen.add(audience);
  }
}

function checkAlgorithms(where: string, algorithms: JwtAlgorithm[]): void {
  if (Token.isUnresolved(algorithms)) return;
  if (algorithms.length === 0) {
    fail('OidcIssuer.NoAlgorithms', where, 'algorithms is empty, so no token could be verified; list the algorithms the issuer signs with (e.g. [JwtAlgorithm.RS256]) or omit it for the default');
  }
  const seen = new Set<string>();
  for (const alg of algorithms) {
    if (!KNOWN_ALGORITHMS.has(alg)) {
      fail('OidcIssuer.UnsafeAlgorithm', where, `algorithm '${alg}' is not allowed (only asymmetric JwtAlgorithm values are: never 'none' or HS*, which a public JWKS cannot verify safely); use a JwtAlgorithm member such as JwtAlgorithm.RS256`);
    }
    if (seen.has(alg)) {
      fail('OidcIssuer.DuplicateAlgorithm', where, `algorithm '${alg}' is listed twice; remove the duplicate`);
    }
    seen.add(alg);
  }
}
