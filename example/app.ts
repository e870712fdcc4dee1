// An Orders API guarded by Okta access tokens: list and create orders, read one order, and a
// public health check; the same handlers on an HTTP API, where API Gateway's native JWT authorizer
// guards what it can check by itself and the Lambda authorizer the rest. Beside them, the role that the acme/orders repository's GitHub Actions jobs in
// the `prod` environment assume, with no stored AWS keys, to smoke-test a deployment.
// Synthesize it with `npx projen example` (offline; no AWS account needed).
//
// In your own app, import from 'cdk-secured-api' instead of '../src'.
import * as path from 'node:path';
import { App, Aspects, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  ClaimRule,
  FederatedRole,
  FederatedTrust,
  FederationGuard,
  HttpMethod,
  OidcIdentityProvider,
  OidcIssuer,
  RoleEnvironment,
  SamlIdentityProvider,
  SamlMetadata,
  SecuredApi,
  SecuredHttpApi,
  Subject,
} from '../src';

// The CLI (and synth-and-show.js) pass the output folder in CDK_OUTDIR, which App reads.
const app = new App();
const stack = new Stack(app, 'OrdersApiExample', { env: { account: '123456789012', region: 'eu-west-1' } });

/** A small inline handler; a real service would use NodejsFunction or Code.fromAsset. */
function handler(id: string, body: string): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    handler: 'index.handler',
    code: lambda.Code.fromInline(`exports.handler = async (event) => {
  const caller = (event.requestContext && event.requestContext.authorizer) || {};
  ${body}
};`),
  });
}

const listOrders = handler('ListOrders', `return { statusCode: 200, body: JSON.stringify({ orders: [], caller: caller.principalId }) };`);
const createOrder = handler('CreateOrder', `return { statusCode: 201, body: JSON.stringify({ id: 'ord_1', createdBy: caller.principalId }) };`);
const getOrder = handler('GetOrder', `return { statusCode: 200, body: JSON.stringify({ id: event.pathParameters.id, tenant: caller.tenant }) };`);
const health = handler('Health', `return { statusCode: 200, body: '{"status":"ok"}' };`);

const api = new SecuredApi(stack, 'Orders', {
  // Okta's custom authorization server "default": iss https://acme.okta.com/oauth2/default.
  issuer: OidcIssuer.okta('acme.okta.com', { audiences: ['api://orders'] }),
  apiName: 'orders',
  contextClaims: ['tenant'],
  // The dashboard, alarms and saved audit queries come by default; a fixed dashboard name makes its console URL known.
  dashboardOptions: { dashboardName: 'orders-api' },
  routes: [
    { method: HttpMethod.GET, path: '/orders', handler: listOrders, scopes: ['orders:read'] },
    { method: HttpMethod.POST, path: '/orders', handler: createOrder, scopes: ['orders:write'], throttle: { rateLimit: 50, burstLimit: 100 } },
    { method: HttpMethod.GET, path: '/orders/{id}', handler: getOrder, scopes: ['orders:read'], claimRules: [ClaimRule.equalTo('tenant', 'acme')] },
  ],
});
api.addRoute({ method: HttpMethod.GET, path: '/health', handler: health, public: true });

// The same handlers on an API Gateway HTTP API. A route the native JWT authorizer can check by itself
// (issuer, audience, any-of scopes) uses it, with no Lambda invocation; a route with a claim rule uses
// the Lambda authorizer. ordersHttp.routeAuthorizations, the access review and `npx projen example`
// say which guards each route, and why.
const ordersHttp = new SecuredHttpApi(stack, 'OrdersHttp', {
  issuer: OidcIssuer.okta('acme.okta.com', { audiences: ['api://orders'] }),
  apiName: 'orders-http',
  routes: [
    { method: HttpMethod.GET, path: '/orders', handler: listOrders, scopes: ['orders:read'] },
    { method: HttpMethod.GET, path: '/orders/{id}', handler: getOrder, scopes: ['orders:read'], claimRules: [ClaimRule.equalTo('tenant', 'acme')] },
    { method: HttpMethod.GET, path: '/health', handler: health, public: true },
  ],
});

// IAM takes one OIDC provider per issuer per account: create it once, and import it in other stacks
// with OidcIdentityProvider.fromIssuer(scope, id, OidcIssuer.githubActions()).
const github = new OidcIdentityProvider(stack, 'GitHubActions', { issuer: OidcIssuer.githubActions() });

// Only jobs that run in the repository's `prod` environment (whose protection rules GitHub enforces)
// may assume it, with a token whose audience is sts.amazonaws.com.
const smokeTest = new FederatedRole(stack, 'ProdSmokeTest', {
  trust: FederatedTrust.oidc({
    provider: github,
    subjects: [Subject.githubEnvironment('acme/orders', 'prod')],
  }),
  environment: RoleEnvironment.production(),
  description: 'GitHub Actions, acme/orders, environment prod: reads the Orders API access logs after a deployment',
});
// After calling GET /health, the job reads the access log to check that the request got through.
api.accessLogGroup.grantRead(smokeTest);
ordersHttp.accessLogGroup.grantRead(smokeTest);

// The role a reporting client assumes with its own access token (the very token it calls the API with):
// only the client whose sub is 'reporting', and only with a token of this API's audience.
const reporting = api.addCallerRole('Reporting', {
  subjects: ['reporting'],
  roleName: 'orders-reporting',
  description: 'The reporting client: reads the Orders API access logs',
});
api.accessLogGroup.grantRead(reporting);

// Console access for the on-call engineers through the company IdP (SAML). The IdP posts the browser to
// AWS's sign-in endpoint (SAML:aud, the assertion's Recipient), and sends the PrincipalTag:environment
// attribute 'prod': with an environment, the role requires that session tag, so an assertion of the
// staging IdP application (environment 'staging') cannot assume it.
const corp = new SamlIdentityProvider(stack, 'Corp', { metadata: SamlMetadata.fromFile(path.join(__dirname, 'idp-metadata.xml')), name: 'Corp' });
const onCall = new FederatedRole(stack, 'ProdOnCall', {
  trust: FederatedTrust.saml({ provider: corp }),
  environment: RoleEnvironment.production(),
  roleName: 'orders-prod-on-call',
  description: 'Company IdP (SAML), environment prod: reads the Orders API access logs in the console',
});
api.accessLogGroup.grantRead(onCall);

// Fails synthesis on any loose federated trust policy in the app, FederatedRole or not, and on roles of
// two environments that would accept the same token or assertion.
Aspects.of(app).add(new FederationGuard());

app.synth();
