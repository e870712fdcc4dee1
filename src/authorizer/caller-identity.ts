import { ClaimRule, RouteAuthorization } from './route';
import { validationError } from '../errors';
import { OidcIssuer } from '../identity/oidc-issuer';

/**
 * A guarded route as the issuer's profile (`OidcIssuer.profile`) requires it:
 * - when whoever requests a token chooses its audience (`callerChosenAudience`: Google, GitHub
 *   Actions, GitLab), `iss` + `aud` says only "some caller of this issuer", so the route must have a
 *   claim rule on one of the claims that name the caller (refused at synth otherwise, with the reason);
 * - when the issuer's tokens grant no scope (its profile names no grant claim), a route that
 *   requires scopes could never be opened, and is refused at synth.
 *
 * The token-kind check (e.g. Cognito's `token_use` = `access`) is the authorizer runtime's, from the
 * same profile, for every token before any route is decided.
 *
 * @param where the construct path, for error messages
 */
export function withIssuerRequirements(where: string, issuer: OidcIssuer, route: RouteAuthorization): RouteAuthorization {
  const { callerChosenAudience: chosen, grantClaims } = issuer.profile;
  if (chosen) {
    const pinned = (route.claimRules ?? []).some((rule) => rule instanceof ClaimRule && chosen.callerClaims.includes(rule.claim));
    if (!pinned) {
      throw validationError(
        'Route.CallerNotPinned',
        `${where}: route ${route.method} ${route.path} has no claim rule on ${chosen.callerClaims.join(', ')}, and ${issuer.name} tokens carry an audience ` +
        `that whoever requests the token chooses, so checking the issuer and audience alone would admit ${chosen.admits}; ` +
        `add a claim rule that names your caller, e.g. claimRules: [${chosen.example}].`,
      );
    }
  }
  if (grantClaims.length === 0 && (route.scopes ?? []).length > 0) {
    throw validationError(
      'Route.ScopesNeverGranted',
      `${where}: route ${route.method} ${route.path} requires the scopes ${JSON.stringify(route.scopes)}, but ${issuer.name} tokens grant no scope (its issuer profile names no grant claim), so no token could open it; ` +
      'remove the scopes and say who may call the route with claim rules instead, or name the claim your tokens grant scopes in with the issuer\'s grantClaims option.',
    );
  }
  return route;
}
