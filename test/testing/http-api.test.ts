import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as fc from 'fast-check';
import { ClaimRule, HttpMethod, OidcIssuer, SecuredHttpApi } from '../../src';
import { LocalIssuer, SynthesizedHttpApi } from '../../src/testing';

// The test kit against a real SecuredHttpApi synthesis: native JWT routes checked with jose against
// a LocalIssuer's JWKS, the claim-rule route through the bundled HTTP Lambda authorizer (assets/,
// `npx projen bundle`) in its own process, and a public route. The LocalIssuer claims the app's
// issuer, so only the JWKS URI is overridden. The kit's clock and the issuer's are one fixed
// instant; the Lambda checks the tokens (valid 900 s) against the real clock.

const ISSUER = 'https://issuer.example.com';
const AUDIENCE = 'api://kit';

let work: string;
let outdir: string;
let issuer: LocalIssuer;
let api: SynthesizedHttpApi;
const now = Date.now();
const running: SynthesizedHttpApi[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'kit-http-'));
  outdir = join(work, 'cdk.out');
  const app = new App({ outdir });
  const stack = new Stack(app, 'Http', { env: { account: '111122223333', region: 'eu-central-1' } });
  const fn = (id: string) => new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "ok" });'),
  });
  new SecuredHttpApi(stack, 'Api', {
    issuer: OidcIssuer.fromUrl(ISSUER, { audiences: [AUDIENCE] }),
    resultsCacheTtl: Duration.minutes(5),
    dashboard: false,
    alarms: false,
    auditQueries: false,
    routes: [
      { method: HttpMethod.GET, path: '/orders', handler: fn('List'), scopes: ['orders:read', 'orders:admin'] },
      { method: HttpMethod.POST, path: '/orders', handler: fn('Create'), scopes: ['orders:write'] },
      { method: HttpMethod.GET, path: '/orders/{id}', handler: fn('Get'), scopes: ['orders:read'], claimRules: [ClaimRule.equalTo('tenant', 'acme')] },
      { method: HttpMethod.ANY, path: '/files/{proxy+}', handler: fn('Files'), scopes: ['files:read'] },
      { method: HttpMethod.GET, path: '/files/readme', handler: fn('Readme'), public: true },
      { method: HttpMethod.GET, path: '/health', handler: fn('Health'), public: true },
    ],
  });
  app.synth();
  issuer = await LocalIssuer.start({ issuer: ISSUER, clock: () => now });
  api = await SynthesizedHttpApi.fromCloudAssembly(outdir, { issuerOverride: { jwksUri: issuer.jwksUri }, clock: () => now });
  running.push(api);
}, 60_000);

afterAll(async () => {
  await Promise.all(running.map((a) => a.stop()));
  await issuer?.stop();
  rmSync(work, { recursive: true, force: true });
});

const token = (scope: string, claims: Record<string, unknown> = {}) => issuer.token({ aud: AUDIENCE, scope, claims });

describe('SynthesizedHttpApi', () => {
  test('should read the routes and their authorization from the template', () => {
    const routes = Object.fromEntries(api.routes.map((r) => [r.routeKey, r]));
    expect(routes['GET /orders']).toMatchObject({ authorizationType: 'JWT', authorizationScopes: ['orders:admin', 'orders:read'] });
    expect(routes['GET /orders/{id}']).toMatchObject({ authorizationType: 'CUSTOM' });
    expect(routes['GET /health']).toMatchObject({ authorizationType: 'NONE' });
  });

  test('should let a public route through without a token', async () => {
    expect(await api.request({ method: 'GET', path: '/health' })).toMatchObject({ status: 200, reason: 'public', invoked: false, route: 'GET /health' });
  });

  test('should allow a native JWT route to a token with one of its scopes, without the Lambda', async () => {
    const res = await api.request({ method: 'GET', path: '/orders', token: await token('orders:admin') });
    expect(res).toMatchObject({ status: 200, reason: 'jwt_valid', invoked: false, authorizationType: 'JWT', route: 'GET /orders' });
    expect(res.context).toMatchObject({ jwt: { claims: { iss: ISSUER, aud: AUDIENCE } } });
  });

  test('should refuse a native JWT route to a token lacking its scope (403) and without a token (401)', async () => {
    expect(await api.request({ method: 'POST', path: '/orders', token: await token('orders:read') })).toMatchObject({ status: 403, reason: 'insufficient_scope', invoked: false });
    expect(await api.request({ method: 'POST', path: '/orders' })).toMatchObject({ status: 401, reason: 'identity_source_missing', invoked: false });
  });

  test('should refuse a native JWT route to a token of another audience, issuer, or already expired (401)', async () => {
    const cases = [
      await issuer.token({ aud: 'api://other', scope: 'orders:read' }),
      await issuer.token({ aud: AUDIENCE, scope: 'orders:read', claims: { iss: 'https://evil.example.com' } }),
      await issuer.token({ aud: AUDIENCE, scope: 'orders:read', claims: { exp: Math.floor(now / 1000) - 1 } }),
      await issuer.token({ aud: AUDIENCE, scope: 'orders:read', claims: { nbf: Math.floor(now / 1000) + 60 } }),
      await issuer.token({ aud: AUDIENCE, scope: 'orders:read', claims: { iat: Math.floor(now / 1000) + 60 } }),
    ];
    for (const t of cases) {
      expect(await api.request({ method: 'GET', path: '/orders', token: t })).toMatchObject({ status: 401, reason: 'invalid_token' });
    }
  });

  test('should read the audience from client_id only when the token has no aud', async () => {
    const noAud = await issuer.token({ aud: AUDIENCE, scope: 'orders:read', claims: { aud: undefined, client_id: AUDIENCE } });
    expect(await api.request({ method: 'GET', path: '/orders', token: noAud })).toMatchObject({ status: 200 });
    const wrongAud = await issuer.token({ aud: 'api://other', scope: 'orders:read', claims: { client_id: AUDIENCE } });
    expect(await api.request({ method: 'GET', path: '/orders', token: wrongAud })).toMatchObject({ status: 401 });
  });

  test('should read scopes from scp as well as scope', async () => {
    const scp = await issuer.token({ aud: AUDIENCE, claims: { scp: ['orders:write'] } });
    expect(await api.request({ method: 'POST', path: '/orders', token: scp })).toMatchObject({ status: 200 });
  });

  test('should run the Lambda authorizer for a claim-rule route: allow, 403 with its reason, 401 without a token', async () => {
    api.clearCache();
    const acme = await api.request({ method: 'GET', path: '/orders/ord_1', token: await token('orders:read', { tenant: 'acme' }) });
    expect(acme).toMatchObject({ status: 200, invoked: true, authorizationType: 'CUSTOM', route: 'GET /orders/{id}' });
    expect(acme.context?.lambda).toBeDefined();
    const other = await api.request({ method: 'GET', path: '/orders/ord_1', token: await token('orders:read', { tenant: 'globex' }) });
    expect(other).toMatchObject({ status: 403, invoked: true });
    expect(other.reason).not.toBe('unknown');
    expect(await api.request({ method: 'GET', path: '/orders/ord_1' })).toMatchObject({ status: 401, reason: 'identity_source_missing', invoked: false });
  });

  test('should answer a repeated Lambda request from the result cache', async () => {
    api.clearCache();
    const t = await token('orders:read', { tenant: 'acme' });
    await api.request({ method: 'GET', path: '/orders/a', token: t });
    expect(await api.request({ method: 'GET', path: '/orders/b', token: t })).toMatchObject({ status: 200, cached: true, invoked: false });
  });

  test('should select a greedy route for nested paths, a literal route before it, and 404 with no route', async () => {
    const t = await token('files:read');
    expect(await api.request({ method: 'DELETE', path: '/files/a/b/c', token: t })).toMatchObject({ status: 200, route: 'ANY /files/{proxy+}' });
    expect(await api.request({ method: 'GET', path: '/files/readme' })).toMatchObject({ status: 200, route: 'GET /files/readme' });
    expect(await api.request({ method: 'POST', path: '/files/readme' })).toMatchObject({ status: 401, route: 'ANY /files/{proxy+}' });
    expect(await api.request({ method: 'GET', path: '/nothing/here' })).toMatchObject({ status: 404, reason: 'route_not_found' });
  });

  test('should send what no route matches to $default, which the Lambda refuses', async () => {
    const copy = join(work, 'with-default');
    cpSync(outdir, copy, { recursive: true });
    const file = join(copy, 'Http.template.json');
    const template = JSON.parse(readFileSync(file, 'utf8'));
    // The catch-all route, as API Gateway writes it in an OpenAPI definition: `/$default`, any method.
    const body = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::ApiGatewayV2::Api').Properties.Body;
    body.paths['/$default'] = {
      'x-amazon-apigateway-any-method': {
        'x-amazon-apigateway-integration': { $ref: '#/components/x-amazon-apigateway-integrations/Integration0' },
        'security': [{ LambdaAuthorizer: [] }],
      },
    };
    writeFileSync(file, JSON.stringify(template));
    const withDefault = await SynthesizedHttpApi.fromCloudAssembly(copy, { issuerOverride: { jwksUri: issuer.jwksUri }, clock: () => now });
    running.push(withDefault);
    const res = await withDefault.request({ method: 'PUT', path: '/nothing/here', token: await token('orders:read', { tenant: 'acme' }) });
    expect(res).toMatchObject({ status: 403, route: '$default', invoked: true });
    expect(await withDefault.request({ method: 'GET', path: '/health' })).toMatchObject({ status: 200, route: 'GET /health' });
    // Why the Lambda authorizer must never guard $default while its cache is keyed by the header
    // alone (src/authorizer/http-identity-sources.ts): an allow cached on a guarded route is reused there.
    const acme = await token('orders:read', { tenant: 'acme', jti: 'reused' });
    expect(await withDefault.request({ method: 'GET', path: '/orders/ord_1', token: acme })).toMatchObject({ status: 200, invoked: true });
    expect(await withDefault.request({ method: 'PUT', path: '/nothing/here', token: acme })).toMatchObject({ status: 200, route: '$default', reason: 'cached_policy' });
  }, 30_000);

  test('should refuse to read an API with a route it cannot emulate (IAM authorization)', async () => {
    const copy = join(work, 'with-iam');
    cpSync(outdir, copy, { recursive: true });
    const file = join(copy, 'Http.template.json');
    const template = JSON.parse(readFileSync(file, 'utf8'));
    // IAM authorization in an OpenAPI definition: a security scheme of x-amazon-apigateway-authtype awsSigv4.
    const body = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::ApiGatewayV2::Api').Properties.Body;
    body.components.securitySchemes.sigv4 = { 'type': 'apiKey', 'name': 'Authorization', 'in': 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' };
    body.paths['/health'].get.security = [{ sigv4: [] }];
    writeFileSync(file, JSON.stringify(template));
    await expect(SynthesizedHttpApi.fromCloudAssembly(copy, { issuerOverride: { jwksUri: issuer.jwksUri } }))
      .rejects.toThrow(/route GET \/health cannot be read from the OpenAPI definition: its security names sigv4, which is not a jwt or request authorizer/);
  });

  test('should serve the route named by resource instead of matching one', async () => {
    expect(await api.request({ method: 'GET', path: '/files/readme', resource: '/files/{proxy+}' })).toMatchObject({ status: 401, route: 'ANY /files/{proxy+}' });
  });

  test('should refuse on a native JWT route a token not signed with an RSA algorithm (401)', async () => {
    const ec = await LocalIssuer.start({ issuer: ISSUER, algorithm: 'ES256', clock: () => now });
    try {
      const ecApi = await SynthesizedHttpApi.fromCloudAssembly(outdir, { issuerOverride: { jwksUri: ec.jwksUri }, clock: () => now });
      running.push(ecApi);
      const t = await ec.token({ aud: AUDIENCE, scope: 'orders:read' });
      expect(await ecApi.request({ method: 'GET', path: '/orders', token: t })).toMatchObject({ status: 401, reason: 'invalid_token' });
    } finally {
      await ec.stop();
    }
  }, 30_000);

  test('should throw, not answer 401, when the JWT authorizer\'s keys cannot be read', async () => {
    const gone = await LocalIssuer.start({ issuer: ISSUER, clock: () => now });
    const t = await gone.token({ aud: AUDIENCE, scope: 'orders:read' });
    await gone.stop();
    const noKeys = await SynthesizedHttpApi.fromCloudAssembly(outdir, { issuerOverride: { jwksUri: gone.jwksUri }, clock: () => now });
    running.push(noKeys);
    await expect(noKeys.request({ method: 'GET', path: '/orders', token: t })).rejects.toThrow(/GET \/orders: the JWT authorizer's keys could not be read/);
  }, 30_000);

  test('should allow a native JWT route exactly to a token of a configured audience with one of the route\'s scopes', async () => {
    const scopeNames = ['orders:read', 'orders:admin', 'orders:write', 'files:read', 'other'];
    await fc.assert(fc.asyncProperty(
      fc.constantFrom(AUDIENCE, 'api://other'),
      fc.boolean(),
      fc.subarray(scopeNames),
      fc.boolean(),
      async (aud, asClientId, scopes, asScp) => {
        const claims: Record<string, unknown> = asClientId ? { aud: undefined, client_id: aud } : {};
        if (asScp) {
          claims.scp = scopes;
        }
        const t = await issuer.token({ aud, ...(asScp ? {} : { scope: scopes.join(' ') }), claims });
        const res = await api.request({ method: 'GET', path: '/orders', token: t });
        const expected = aud !== AUDIENCE ? 401 : scopes.some((s) => s === 'orders:read' || s === 'orders:admin') ? 200 : 403;
        expect(res.status).toBe(expected);
        expect(res.invoked).toBe(false);
      },
    ), { numRuns: 40 });
  });
});
