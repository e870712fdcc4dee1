import { App, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { ClaimRule, HttpMethod, OidcIssuer, RouteAuthorization, TokenAuthorizer } from '../../src';
import { authorizerConfigJson } from '../support/cdk';
import { ErrorCodes } from '../support/error-codes';

function makeStack(): { app: App; stack: Stack } {
  const app = new App();
  return { app, stack: new Stack(app, 'Auth', { env: { account: '123456789012', region: 'eu-west-1' } }) };
}

const ROUTE = { method: HttpMethod.GET, path: '/deploy' };
const codes = new ErrorCodes();

/** The authorizer's routes as methods of a REST API, so that the stack synthesizes. */
function attach(stack: Stack, authorizer: TokenAuthorizer, routes: RouteAuthorization[]): void {
  const api = new apigateway.RestApi(stack, 'Api');
  for (const route of routes) {
    api.root.resourceForPath(route.path).addMethod(route.method, new apigateway.MockIntegration(), { authorizer: authorizer.authorizer });
  }
}

describe('issuers whose audience the caller chooses', () => {
  test.each([
    ['GitHub Actions', OidcIssuer.githubActions({ audiences: ['api://deploy'] }), /every workflow of every repository on GitHub/],
    ['GitHub Actions by URL', OidcIssuer.fromUrl('https://token.actions.githubusercontent.com', { audiences: ['api://deploy'] }), /every workflow of every repository on GitHub/],
    ['GitHub Enterprise', OidcIssuer.githubActions({ audiences: ['api://deploy'], enterpriseSlug: 'acme' }), /every workflow of every repository on GitHub/],
    ['Google', OidcIssuer.google({ audiences: ['https://deploy.example.com'] }), /every Google account and service account/],
    ['Google by URL', OidcIssuer.fromUrl('https://accounts.google.com', { audiences: ['https://deploy.example.com'] }), /every Google account and service account/],
    ['GitLab.com', OidcIssuer.gitlab({ audiences: ['api://deploy'] }), /every job of every project on the GitLab instance/],
    ['self-managed GitLab', OidcIssuer.gitlab({ audiences: ['api://deploy'], url: 'https://gitlab.example.com' }), /every job of every project/],
  ])('should refuse a %s route that pins no caller, saying why', (_, issuer, why) => {
    // GIVEN
    const { stack } = makeStack();

    // WHEN / THEN
    codes.expectThrows(() => new TokenAuthorizer(stack, 'Authz', { issuer, routes: [ROUTE] }), 'Route.CallerNotPinned', why);
    codes.expectThrows(() => new TokenAuthorizer(stack, 'Authz2', { issuer, routes: [{ ...ROUTE, claimRules: [ClaimRule.equalTo('ref', 'refs/heads/main')] }] }),
      'Route.CallerNotPinned', /Auth\/Authz2: route GET \/deploy has no claim rule on sub, .*add a claim rule that names your caller, e.g. claimRules: \[ClaimRule\.equalTo/);
  });

  test.each([
    [OidcIssuer.githubActions({ audiences: ['api://deploy'] }), ClaimRule.equalTo('repository', 'acme/app')],
    [OidcIssuer.githubActions({ audiences: ['api://deploy'] }), ClaimRule.oneOf('sub', ['repo:acme/app:environment:prod'])],
    [OidcIssuer.google({ audiences: ['https://deploy.example.com'] }), ClaimRule.equalTo('email', 'ci@acme.iam.gserviceaccount.com')],
    [OidcIssuer.gitlab({ audiences: ['api://deploy'] }), ClaimRule.equalTo('project_path', 'acme/app')],
  ])('should accept a route that pins the caller (%#)', (issuer, rule) => {
    // GIVEN
    const { app, stack } = makeStack();

    // WHEN
    const authorizer = new TokenAuthorizer(stack, 'Authz', { issuer, routes: [{ ...ROUTE, claimRules: [rule] }] });
    attach(stack, authorizer, [ROUTE]);

    // THEN
    expect(authorizerConfigJson(app, stack).routes[0].claimRules).toEqual([expect.objectContaining({ claim: rule.claim })]);
  });

  test('should require a pinning claim rule on routes added later too', () => {
    // GIVEN
    const { stack } = makeStack();
    const authorizer = new TokenAuthorizer(stack, 'Authz', {
      issuer: OidcIssuer.githubActions({ audiences: ['api://deploy'] }),
      routes: [{ ...ROUTE, claimRules: [ClaimRule.equalTo('repository', 'acme/app')] }],
    });

    // WHEN / THEN
    codes.expectThrows(() => authorizer.addRoute({ method: HttpMethod.POST, path: '/deploy' }), 'Route.CallerNotPinned', /route POST \/deploy has no claim rule/);
  });

  test('should leave issuers whose audience the issuer controls alone', () => {
    // GIVEN
    const { stack } = makeStack();

    // WHEN / THEN
    expect(() => new TokenAuthorizer(stack, 'Authz', { issuer: OidcIssuer.auth0('acme.eu.auth0.com', { audiences: ['api://orders'] }), routes: [ROUTE] })).not.toThrow();
  });
});

describe('the issuer profile in the authorizer', () => {
  test('should carry Cognito\'s token-kind check to the runtime instead of adding a claim rule to each route', () => {
    // GIVEN
    const { app, stack } = makeStack();
    const routes: RouteAuthorization[] = [
      { method: HttpMethod.GET, path: '/orders', scopes: ['orders/read'] },
      { method: HttpMethod.POST, path: '/orders', claimRules: [ClaimRule.equalTo('token_use', 'access')] },
    ];

    // WHEN
    const authorizer = new TokenAuthorizer(stack, 'Authz', { issuer: OidcIssuer.cognitoUserPoolId('eu-west-1', 'eu-west-1_AbCdEf123', { audiences: ['client-1'] }), routes });
    attach(stack, authorizer, routes);

    // THEN
    const config = authorizerConfigJson(app, stack);
    expect(config.profile).toEqual({ clientClaims: ['client_id'], grantClaims: ['scope'], tokenKind: { claim: 'token_use', values: ['access'] } });
    expect(config.routes.map((r: any) => [r.method, r.claimRules])).toEqual([
      ['GET', []],
      ['POST', [{ claim: 'token_use', op: 'equals', value: 'access' }]],
    ]);
  });

  test.each([
    ['Okta', OidcIssuer.okta('acme.okta.com', { audiences: ['api://default'] }), { clientClaims: ['cid'], grantClaims: ['scp'] }],
    ['Auth0', OidcIssuer.auth0('acme.eu.auth0.com', { audiences: ['api://orders'] }), { clientClaims: ['azp', 'client_id'], grantClaims: ['scope'] }],
    ['Auth0 with RBAC permissions', OidcIssuer.auth0('acme.eu.auth0.com', { audiences: ['api://orders'], grantClaims: ['scope', 'permissions'] }), { clientClaims: ['azp', 'client_id'], grantClaims: ['scope', 'permissions'] }],
    ['Entra ID', OidcIssuer.entraId('72f988bf-86f1-41af-91ab-2d7cd011db47', { audiences: ['api://orders'] }), { clientClaims: ['azp', 'appid'], grantClaims: ['scp', 'roles'], tokenKind: { claim: 'ver', values: ['2.0'] } }],
    ['Keycloak', OidcIssuer.keycloak('https://sso.example.com', 'acme', { audiences: ['orders'] }), { clientClaims: ['azp'], grantClaims: ['scope'] }],
    ['fromUrl (RFC 9068)', OidcIssuer.fromUrl('https://login.example.com', { audiences: ['api://orders'] }), { clientClaims: ['client_id'], grantClaims: ['scope'] }],
    ['fromUrl of an Okta host', OidcIssuer.fromUrl('https://acme.okta.com/oauth2/default', { audiences: ['api://default'] }), { clientClaims: ['cid'], grantClaims: ['scp'] }],
    ['fromUrl, claims named', OidcIssuer.fromUrl('https://login.example.com', { audiences: ['api://orders'], clientClaims: ['appid'], grantClaims: ['scp'] }), { clientClaims: ['appid'], grantClaims: ['scp'] }],
  ])('should write the %s profile into config.json', (_, issuer, profile) => {
    // GIVEN
    const { app, stack } = makeStack();

    // WHEN
    const authorizer = new TokenAuthorizer(stack, 'Authz', { issuer, routes: [{ ...ROUTE, scopes: ['orders:read'] }] });
    attach(stack, authorizer, [ROUTE]);

    // THEN
    expect(authorizerConfigJson(app, stack).profile).toEqual(profile);
  });

  test.each([
    ['GitHub Actions', OidcIssuer.githubActions({ audiences: ['api://deploy'] }), ClaimRule.equalTo('repository', 'my-org/my-repo')],
    ['GitLab', OidcIssuer.gitlab({ audiences: ['api://deploy'] }), ClaimRule.equalTo('project_path', 'my-group/my-project')],
    ['Google', OidcIssuer.google({ audiences: ['https://deploy.example.com'] }), ClaimRule.equalTo('email', 'ci@my-project.iam.gserviceaccount.com')],
  ])('should refuse a route with scopes for %s, whose tokens grant none', (name, issuer, pin) => {
    // GIVEN
    const { stack } = makeStack();

    // WHEN / THEN
    codes.expectThrows(() => new TokenAuthorizer(stack, 'Authz', { issuer, routes: [{ ...ROUTE, scopes: ['deploy'], claimRules: [pin] }] }),
      'Route.ScopesNeverGranted', `Auth/Authz: route GET /deploy requires the scopes ["deploy"], but ${name} tokens grant no scope (its issuer profile names no grant claim), so no token could open it; remove the scopes`);
  });
});

describe('issuer profile options', () => {
  test.each([
    [{ clientClaims: ['aud'] }, 'OidcIssuer.RegisteredClaim', /clientClaims holds 'aud', a registered claim the authorizer checks itself/],
    [{ grantClaims: ['exp'] }, 'OidcIssuer.RegisteredClaim', /grantClaims holds 'exp', a registered claim/],
    [{ clientClaims: [''] }, 'OidcIssuer.InvalidClaimName', /clientClaims holds "", which is not a claim name/],
    [{ grantClaims: [' scope'] }, 'OidcIssuer.InvalidClaimName', /grantClaims holds " scope", which is not a claim name/],
    [{ grantClaims: ['scope', 'scope'] }, 'OidcIssuer.DuplicateClaim', /grantClaims holds 'scope' twice/],
    [{ clientClaims: ['azp'], grantClaims: ['azp'] }, 'OidcIssuer.ClientClaimIsGrantClaim', /clientClaims and grantClaims both name 'azp'/],
  ])('should refuse %j', (options, code, message) => {
    codes.expectThrows(() => OidcIssuer.fromUrl('https://login.example.com', { audiences: ['api://orders'], ...options }), code, message);
  });

  test('should keep its profile when the caller changes the arrays it passed', () => {
    // GIVEN
    const clientClaims = ['cid'];
    const issuer = OidcIssuer.fromUrl('https://login.example.com', { audiences: ['api://orders'], clientClaims });

    // WHEN
    clientClaims.push('client_id');

    // THEN
    expect(issuer.profile.clientClaims).toEqual(['cid']);
  });
});

describe('caller identity error codes', () => {
  test('should test every code the issuer requirements throw', () => {
    expect(codes.untested('src/authorizer/caller-identity.ts')).toEqual([]);
  });
});
