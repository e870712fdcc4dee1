// Integration test with assertions, for anyone with an AWS account: `npx projen integ:deploy`
// deploys this app, runs the assertions against the deployed API, and destroys it (README: "Run it on
// AWS"). In CI, with no account, only its snapshot is diffed (`npx projen integ`); after a change,
// rewrite the snapshot with `npx projen integ:update` (diffAssets: the test issuer's bundle and the
// authorizer's config.json are compared too).
//
// What it deploys, in one stack and with no external identity provider:
// - a test issuer: an RSA KMS key, a public function URL serving its discovery document and JWKS
//   (the issuer URL), and a client function without URL that mints tokens with kms:Sign and calls the
//   API, invoked by the assertions through lambda:Invoke (test/integ-aws/test-issuer.lambda.ts says why);
// - a SecuredApi trusting that issuer: a guarded route, a public route, CORS for one origin, and
//   per-client quotas (one declared client; undeclared clients are denied).
import { ActualResult, ExpectedResult, IApiCall, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { HttpMethod, OidcIssuer, SecuredApi } from '../src';
import type { ClientRequest } from './integ-aws/test-issuer.lambda';

const AUDIENCE = 'api://orders-integ';
const ORIGIN = 'https://app.example.com';
/** The one client with a quota of its own; the API denies every other client (no defaultTier). */
const QUOTA_CLIENT = 'integ-quota-client';

const app = new App();
// Environment-agnostic: the snapshot does not depend on the machine, and a run deploys to the
// account and region of the caller's credentials (function URLs exist in most, not all, regions).
const stack = new Stack(app, 'SecuredApiAwsInteg');

const signingKey = new kms.Key(stack, 'SigningKey', {
  description: 'Signs the access tokens of the cdk-secured-api integ test (test/integ.secured-api-aws.ts)',
  keySpec: kms.KeySpec.RSA_2048,
  keyUsage: kms.KeyUsage.SIGN_VERIFY,
  removalPolicy: RemovalPolicy.DESTROY,
  // KMS's shortest waiting period before it deletes a key; a key scheduled for deletion costs nothing
  // (https://aws.amazon.com/kms/pricing/).
  pendingWindow: Duration.days(7),
});

function testFunction(id: string, props: Omit<nodejs.NodejsFunctionProps, 'entry' | 'runtime' | 'logGroup'>): nodejs.NodejsFunction {
  return new nodejs.NodejsFunction(stack, id, {
    ...props,
    entry: `${__dirname}/integ-aws/test-issuer.lambda.ts`,
    runtime: lambda.Runtime.NODEJS_22_X,
    // More memory is more CPU: a cold start (SDK load, first KMS call) stays well inside the
    // authorizer's 3-second JWKS fetch timeout.
    memorySize: 512,
    timeout: Duration.seconds(20),
    logGroup: new logs.LogGroup(stack, `${id}Logs`, { retention: logs.RetentionDays.ONE_DAY, removalPolicy: RemovalPolicy.DESTROY }),
    // Same bundle for both handlers, built the same way on every machine (no source map, no minify).
    bundling: { sourceMap: false, minify: false },
  });
}

const keys = testFunction('IssuerKeys', {
  handler: 'keysHandler',
  environment: { SIGNING_KEY_ID: signingKey.keyId },
});
signingKey.grant(keys, 'kms:GetPublicKey');
const keysUrl = keys.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });

// The function URL is `https://<url-id>.lambda-url.<region>.on.aws/`; the issuer is its origin, without
// the trailing slash, and its JWKS is fromUrl's default `<issuer>/.well-known/jwks.json`.
// OidcIssuer.fromUrl accepts a deploy-time value: it skips the string checks for tokens, and builds
// the IAM condition key prefix with Fn::Split (no caller roles use it here).
const issuerUrl = `https://${Fn.select(2, Fn.split('/', keysUrl.url))}`;
const issuer = OidcIssuer.fromUrl(issuerUrl, { audiences: [AUDIENCE] });

function backend(id: string, statusCode: number): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(`exports.handler = async () => ({ statusCode: ${statusCode}, headers: { "content-type": "application/json" }, body: "{}" });`),
    logGroup: new logs.LogGroup(stack, `${id}Logs`, { retention: logs.RetentionDays.ONE_DAY, removalPolicy: RemovalPolicy.DESTROY }),
  });
}

const api = new SecuredApi(stack, 'Api', {
  issuer,
  apiName: 'secured-api-integ',
  logRetention: logs.RetentionDays.ONE_DAY,
  // What is asserted is the request path; the monitoring is synth-tested elsewhere.
  dashboard: false,
  alarms: false,
  auditQueries: false,
  cors: { allowOrigins: [ORIGIN] },
  quotas: {
    tiers: [{ name: 'integ', rateLimit: 5, burstLimit: 10, quotaLimit: 1000, quotaPeriod: apigateway.Period.DAY }],
    clients: [{ clientId: QUOTA_CLIENT, tier: 'integ' }],
  },
  routes: [
    { method: HttpMethod.GET, path: '/orders', handler: backend('ListOrders', 200), scopes: ['orders:read'] },
    { method: HttpMethod.GET, path: '/health', handler: backend('Health', 200), public: true },
  ],
});

// Nothing of the test outlives it but what SecuredApi keeps on purpose (the account's API Gateway
// CloudWatch role) and the KMS key during its waiting period.
for (const child of stack.node.findAll()) {
  if (child instanceof logs.CfnLogGroup) {
    child.applyRemovalPolicy(RemovalPolicy.DESTROY);
  }
}

const client = testFunction('TestClient', {
  handler: 'clientHandler',
  environment: {
    SIGNING_KEY_ID: signingKey.keyId,
    API_URL: api.url,
    ISSUER: issuerUrl,
    AUDIENCE,
  },
});
signingKey.grant(client, 'kms:GetPublicKey', 'kms:Sign');

const integ = new IntegTest(app, 'SecuredApiAwsIntegTest', {
  testCases: [stack],
  diffAssets: true,
});

/** One request through the client function; its answer is the invocation's Payload (a JSON string). */
function request(req: ClientRequest, expected: Record<string, unknown>): IApiCall {
  return integ.assertions
    .invokeFunction({ functionName: client.functionName, payload: JSON.stringify(req), logRetention: logs.RetentionDays.ONE_DAY })
    .expect(ExpectedResult.objectLike({ Payload: Match.serializedJson(Match.objectLike(expected)) }));
}

/** The fixed body of the API's 403 gateway response (ACCESS_DENIED). */
const FORBIDDEN = Match.stringLikeRegexp('^\\{"message":"Forbidden","requestId":"[^"]+"\\}$');

// The deployment may take a moment to serve, and a new API key to count: the first request of each
// kind is retried until it is answered as expected; the denials run after the allowed request passed,
// so a 403 cannot be a key that is not active yet.
const wait = { totalTimeout: Duration.minutes(5), interval: Duration.seconds(10) };

// A public route: no token, served.
const publicRoute = integ.assertions.httpApiCall(`${api.url}health`)
  .expect(ExpectedResult.objectLike({ status: 200 }))
  .waitForAssertions(wait);

// No token: 401 from API Gateway, with the challenge and the CORS header of a gateway response.
publicRoute.next(integ.assertions.httpApiCall(`${api.url}orders`)
  .expect(ExpectedResult.objectLike({
    status: 401,
    headers: { 'www-authenticate': ['Bearer'], 'access-control-allow-origin': [ORIGIN] },
    body: { message: 'Unauthorized' },
  })));

// The preflight: answered by the mock integration, public, with the configured headers.
publicRoute.next(integ.assertions.httpApiCall(`${api.url}orders`, {
  method: 'OPTIONS',
  headers: { 'Origin': ORIGIN, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' },
}).expect(ExpectedResult.objectLike({
  status: 204,
  headers: {
    'access-control-allow-origin': [ORIGIN],
    'access-control-allow-methods': ['GET'],
    'access-control-allow-headers': ['Authorization,Content-Type'],
    'vary': ['Origin'],
  },
})));

// A token with the route's scope, of the quota client: allowed (the authorizer's Allow, and API
// Gateway accepting the client's API key of its usage plan).
const allowed = request(
  { method: 'GET', path: '/orders', token: { scope: 'orders:read', clientId: QUOTA_CLIENT } },
  { status: 200, body: '{}' },
).waitForAssertions(wait);
publicRoute.next(allowed);

// A valid token without the route's scope: 403, with the fixed body and the CORS header.
allowed.next(request(
  { method: 'GET', path: '/orders', token: { scope: 'orders:write', clientId: QUOTA_CLIENT } },
  { status: 403, headers: Match.objectLike({ 'access-control-allow-origin': ORIGIN }), body: FORBIDDEN },
));

// The route's scope, but a client the quotas do not declare: 403.
allowed.next(request(
  { method: 'GET', path: '/orders', token: { scope: 'orders:read', clientId: 'integ-undeclared-client' } },
  { status: 403, body: FORBIDDEN },
));

// The deploy-time check (issue 14 part 1) ran and verified every operation of the definition: the two
// routes and the preflight of each of their two paths. (If it had found a difference, the stack
// would not have deployed.) The expected value is written by hand, not read from the definition, so
// that a definition that drops an operation cannot lower it.
// ExpectedResult.exact cannot express it in integ-tests-alpha 2.245.0-alpha.0: its assertion handler
// JSON-parses the actual value ('4' becomes the number 4) and does not know the `$Exact` wrapper that
// `exact` writes, so the expected value is given as the bare JSON number the handler compares with.
const OPERATIONS_VERIFIED: ExpectedResult = { result: JSON.stringify(4) };
// A SecuredApi has the check unless it is skipped with a reason; a missing one fails synth here.
if (!api.deploymentCheck) {
  throw new Error('the SecuredApi of the integ test has no deployment check; it must not skip it');
}
integ.assertions.expect('DeploymentCheck', OPERATIONS_VERIFIED, ActualResult.fromCustomResource(api.deploymentCheck, 'RoutesVerified'));
