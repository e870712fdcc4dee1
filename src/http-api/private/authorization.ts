// Which authorizer guards a route of a SecuredHttpApi: API Gateway's native JWT authorizer, where
// its checks equal the TokenAuthorizer's for the issuer's profile, else the Lambda authorizer.
//
// What the native one checks (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html,
// "Authorizing API requests with a JWT authorizer"): the token from the identity source (the
// Authorization header), its signature by a key of the issuer's JWKS (found by the issuer's OpenID
// discovery document; RSA algorithms only), `kid`, `iss` equal to the issuer, `aud` one of the
// audiences or, when the token has no `aud`, `client_id` one of them, `exp` in the future, `nbf`
// and `iat` not, and, when the route has authorization scopes, at least one of them in `scope` or
// `scp`. Nothing else: no token kind, no `typ`, no age limit, no other claim.
//
// So a route goes native only when the Lambda would check nothing more (strict: any doubt sends
// the route to the Lambda, which checks everything):
// - no claim rules (the native one reads no other claim);
// - the issuer's profile has no token-kind claim (Cognito's `token_use`, Entra ID's `ver`) and no
//   caller-chosen audience (Google, GitHub Actions, GitLab: their routes need claim rules anyway);
// - when the route has scopes, the profile reads scopes from no claim but `scope` and `scp` (Entra
//   ID's `roles` is read by the Lambda only);
// - the audience claim is `aud` (Cognito's is `client_id`, which the native one reads only
//   without `aud`), and the issuer's access tokens always carry `aud`: not Keycloak's, which carry
//   it only with an audience mapper (and omits it without one: https://phasetwo.io/tutorials/clients/audience/),
//   so a token without `aud` whose `client_id` names an audience would pass the native check alone;
// - no `requiredTokenType`, `maxTokenAge` or `contextClaims` (the native one has no such checks,
//   and passes the backend its claims rather than the Lambda's context);
// - the issuer's algorithms are all RSA (RS256, RS384, RS512): the native one verifies no other;
// - no `jwksUri` given: the native one reads the keys the discovery document names, not a pinned set.
//
// - no backend (`RouteBackend`): its `X-Secured-Api-*` headers are mapped from the authorizer's
//   context, and the native authorizer's `$context.authorizer.claims.<claim>` is missing for a claim
//   the token lacks (a token without `sub` or `scope`); AWS does not say what a header mapped from a
//   missing value becomes, so a client's own header might reach the endpoint. The Lambda's context
//   sets every key, never empty (private/backends.ts).
//
// One difference remains, documented in docs/http-api.md: a token without `aud` whose `client_id`
// is one of the audiences passes the native authorizer and not the Lambda. RFC 9068 (section 2.2),
// Auth0 and Okta access tokens always carry `aud`; for any other issuer given as `fromUrl`, it
// matters only where an audience is also a client ID of the issuer (force the Lambda authorizer there).
import type { CheckedRoute } from '../../authorizer/route-table';
import type { TokenAuthorizerOptions } from '../../authorizer/token-authorizer';
import type { OidcIssuer } from '../../identity/oidc-issuer';

/** The claims the native JWT authorizer reads scopes from. */
export const NATIVE_SCOPE_CLAIMS: readonly string[] = ['scope', 'scp'];
const RSA_ALGORITHMS: readonly string[] = ['RS256', 'RS384', 'RS512'];

/**
 * Why the issuer and options keep every route off the native authorizer, or undefined when a route
 * without claim rules can use it (then `routeNeedsLambda` decides per route).
 */
export function apiNeedsLambda(issuer: OidcIssuer, options: TokenAuthorizerOptions, forceLambda: boolean): string | undefined {
  if (forceLambda) return 'forceLambdaAuthorizer is set';
  const { profile } = issuer;
  if (profile.tokenKind) return `the issuer's profile checks the token kind (${profile.tokenKind.claim})`;
  if (profile.callerChosenAudience) return 'the issuer\'s callers choose their audience';
  if (issuer.audienceClaim !== 'aud') return `the issuer's audience claim is ${issuer.audienceClaim}`;
  // The issuer's name is the only mark of its preset; an `audAlwaysPresent` in the issuer profile would be cleaner.
  if (issuer.name === 'Keycloak') return 'Keycloak access tokens carry aud only with an audience mapper';
  if (options.requiredTokenType !== undefined) return 'requiredTokenType is set';
  if (options.maxTokenAge !== undefined) return 'maxTokenAge is set';
  if ((options.contextClaims ?? []).length > 0) return 'contextClaims are set';
  if (!issuer.algorithms.every((alg) => RSA_ALGORITHMS.includes(alg))) return 'the issuer\'s algorithms are not all RSA';
  // The native authorizer fetches the keys from the `jwks_uri` of the issuer's discovery document
  // (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html), never
  // from a URI of ours: a key set the user pinned (`jwksUri`) may be narrower than the published one.
  if (issuer._jwksUriGiven) return 'the issuer\'s jwksUri is given (the native authorizer reads the discovery document\'s)';
  return undefined;
}

/** Why a guarded route served by a `RouteBackend` uses the Lambda authorizer (see the header comment). */
export const BACKEND_NEEDS_LAMBDA = 'the route has a backend: its X-Secured-Api-* headers are mapped from the Lambda authorizer\'s context, which sets every one (a JWT claim can be missing)';

/** Why this route needs the Lambda authorizer although the API could use the native one, or undefined. */
export function routeNeedsLambda(issuer: OidcIssuer, route: CheckedRoute): string | undefined {
  if (route.claimRules.length > 0) return 'the route has claim rules';
  if (route.scopes.length > 0 && !issuer.profile.grantClaims.every((claim) => NATIVE_SCOPE_CLAIMS.includes(claim))) {
    return `the issuer grants scopes in ${issuer.profile.grantClaims.join(', ')}`;
  }
  return undefined;
}
