// What a SecuredHttpApi's OpenAPI document and access review say that a SecuredApi's do not: which
// authorizer guards each route and why, what API Gateway's native JWT authorizer checks and cannot,
// and which REST API options do not apply. The documents themselves are written by ApiDocuments.
import type { HttpAuthorizersReview } from '../../api/access-review';
import type { HttpApiDocumentsSource } from '../../api/api-documents';
import type { RouteRecord } from '../../api/route-set';
import { HTTP_TOKEN_IDENTITY_SOURCE, httpIdentitySources } from '../../authorizer/http-identity-sources';
import { compileRouteTable } from '../../authorizer/route-table';
import type { OidcIssuer } from '../../identity/oidc-issuer';

/**
 * What the native JWT authorizer checks
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html), in
 * the words of ./authorization.ts.
 */
export const NATIVE_JWT_CHECKS: readonly string[] = [
  'the token from the Authorization header',
  'its signature by a key of the issuer\'s JWKS (RSA algorithms only), kid',
  'iss equal to the issuer',
  'aud one of the audiences (or, for a token without aud, client_id one of them)',
  'exp in the future, nbf and iat not',
  'any one of the route\'s scopes in scope or scp (routes with scopes)',
];

/** What the native JWT authorizer cannot do, so what a route it guards has not (docs/http-api.md, "Monitoring"). */
export const NATIVE_JWT_CANNOT: readonly string[] = [
  'claim rules, token kind, typ, token age (routes that need them use the Lambda authorizer)',
  'per-reason denial metrics: its denials count only in the stage\'s 4xx and the access log (status, authorizerError)',
  'an audit line per decision: it invokes no Lambda, so the audit trail has no line for native routes',
];

/** What the Lambda authorizer checks: everything a SecuredApi's authorizer does. */
export const LAMBDA_CHECKS: readonly string[] = [
  'the same decision code, reason codes, audit line and metrics as a SecuredApi\'s authorizer',
  'signature (JWKS), alg allowlist, kid, iss, aud, exp/nbf/iat, the issuer profile (client, grants, token kind)',
  'the route\'s scopes (any of) and claim rules (all of)',
];

/** The options of a SecuredApi that an HTTP API does not have (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-vs-rest.html). */
export const NOT_APPLICABLE: readonly { readonly feature: string; readonly reason: string }[] = [
  { feature: 'quotas', reason: 'HTTP APIs have no usage plans or API keys: per-client quotas cannot be enforced (the stage and route throttles apply).' },
  { feature: 'webAcl', reason: 'AWS WAF cannot be associated with an HTTP API stage.' },
];

/** Why a route guarded by the native JWT authorizer is, in the review. */
const NATIVE_REASON = 'it checks all the route requires: issuer, audience, scopes';

/** What the documents are told of the API. */
export interface HttpDocumentsInput {
  readonly issuer: OidcIssuer;
  readonly resultsCacheTtlSeconds: number;
  /** Which authorizer guards a route, and why the Lambda one (`''` otherwise), as `routeAuthorizations` says. */
  readonly routeAuthorizer: (route: RouteRecord) => { readonly type: 'public' | 'jwt' | 'lambda'; readonly reason: string };
  readonly routes: () => readonly RouteRecord[];
}

/** The HTTP-specific part of a SecuredHttpApi's documents. */
export function httpDocumentsSource(input: HttpDocumentsInput): HttpApiDocumentsSource {
  return {
    routeAuthorizer: (route) => {
      const a = input.routeAuthorizer(route);
      return { type: a.type, reason: a.type === 'jwt' ? NATIVE_REASON : a.type === 'public' ? 'public: true' : a.reason };
    },
    authorizers: (): HttpAuthorizersReview => {
      const lambdaRoutes = input.routes().filter((r) => input.routeAuthorizer(r).type === 'lambda')
        .map(({ method, resource, scopes, claimRules }) => ({ method, resource, scopes, claimRules }));
      return {
        nativeJwt: {
          issuer: input.issuer.issuerUrl,
          audiences: [...input.issuer.audiences],
          identitySource: HTTP_TOKEN_IDENTITY_SOURCE,
          checks: NATIVE_JWT_CHECKS,
          cannot: NATIVE_JWT_CANNOT,
        },
        lambda: {
          // The authorizer's own table compiles once, freezing its routes; compile a copy, so that this may run before the last route.
          identitySources: httpIdentitySources(compileRouteTable(lambdaRoutes)),
          resultsCacheTtlSeconds: input.resultsCacheTtlSeconds,
          payloadFormatVersion: '2.0',
          simpleResponses: true,
          checks: LAMBDA_CHECKS,
        },
        notApplicable: NOT_APPLICABLE,
      };
    },
  };
}
