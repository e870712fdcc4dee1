import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalIssuer, SynthesizedAuthorizer, SynthesizedHttpApi } from '../src/testing';

// The example app's route rules, checked with the test kit the way a user would check their own:
// example/app.ts synthesized as `npx projen example` does (ts-node, CDK_OUTDIR), its authorizer run
// from that cdk.out, and tokens from a LocalIssuer that carries the app's Okta issuer string, so that
// only the JWKS URI is pointed at 127.0.0.1. Needs the bundled authorizer (`npx projen bundle`). The
// app's HTTP API (OrdersHttp) is answered by SynthesizedHttpApi: its native JWT route by the emulated
// JWT authorizer, its claim-rule route by its own synthesized Lambda authorizer.

const OKTA_ISSUER = 'https://acme.okta.com/oauth2/default';
const AUDIENCE = 'api://orders';

let work: string;
let issuer: LocalIssuer;
let api: SynthesizedAuthorizer;
let httpApi: SynthesizedHttpApi;
let outdir: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'secured-api-example-'));
  outdir = join(work, 'cdk.out');
  const root = join(__dirname, '..');
  const synth = spawnSync(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--transpile-only', join(root, 'example', 'app.ts')], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, CDK_OUTDIR: outdir, CDK_DISABLE_CLI_TELEMETRY: 'true', CDK_DISABLE_VERSION_CHECK: '1' },
  });
  if (synth.status !== 0) {
    throw new Error(`example/app.ts failed to synthesize (${synth.status ?? synth.signal}): ${synth.stderr}`);
  }
  issuer = await LocalIssuer.start({ issuer: OKTA_ISSUER });
  // The stack holds two authorizer functions (the REST API's and the HTTP API's Lambda authorizer): name the REST one.
  const template = JSON.parse(readFileSync(join(outdir, 'OrdersApiExample.template.json'), 'utf8'));
  const restAuthorizer = Object.keys(template.Resources).find((id) => id.startsWith('OrdersAuthorizerHandler'));
  api = await SynthesizedAuthorizer.fromCloudAssembly(outdir, { stackName: 'OrdersApiExample', authorizerLogicalId: restAuthorizer, issuerOverride: { jwksUri: issuer.jwksUri } });
  httpApi = await SynthesizedHttpApi.fromCloudAssembly(outdir, { stackName: 'OrdersApiExample', issuerOverride: { jwksUri: issuer.jwksUri } });
}, 180_000);

afterAll(async () => {
  await api?.stop();
  await httpApi?.stop();
  await issuer?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** An Okta client-credentials access token: scopes in `scp`, the client in `cid`, `sub` the client id. */
const oktaToken = (client: string, scp: string[], claims: Record<string, unknown> = {}) =>
  issuer.token({ sub: client, aud: AUDIENCE, claims: { cid: client, scp, ...claims } });

describe('example app', () => {
  test('should guard every route by its scopes and claim rules', async () => {
    // GIVEN
    const reader = await oktaToken('reporting', ['orders:read'], { tenant: 'acme' });
    const writer = await oktaToken('checkout', ['orders:write'], { tenant: 'acme' });
    const otherTenant = await oktaToken('globex-reporting', ['orders:read'], { tenant: 'globex' });
    const noScope = await oktaToken('stranger', ['profile'], { tenant: 'acme' });
    const cases: Array<[string, string, string | undefined, number, string]> = [
      // method, path, token, status, reason
      ['GET', '/orders', reader, 200, 'allowed'],
      ['GET', '/orders/ord_1', reader, 200, 'allowed'],
      ['POST', '/orders', reader, 403, 'insufficient_scope'],
      ['POST', '/orders', writer, 200, 'allowed'],
      ['GET', '/orders', writer, 403, 'insufficient_scope'],
      ['GET', '/orders/ord_1', writer, 403, 'insufficient_scope'],
      ['GET', '/orders', otherTenant, 200, 'allowed'],
      ['GET', '/orders/ord_1', otherTenant, 403, 'claim_rule_failed'],
      ['GET', '/orders', noScope, 403, 'insufficient_scope'],
      ['GET', '/orders', undefined, 401, 'identity_source_missing'],
      ['GET', '/health', undefined, 200, 'public'],
    ];

    // WHEN: each decision fresh (the result cache is checked separately)
    const answers = [];
    for (const [method, path, token] of cases) {
      api.clearCache();
      const res = await api.request({ method, path, token });
      answers.push([method, path, res.status, res.reason]);
    }

    // THEN
    expect(answers).toEqual(cases.map(([method, path, , status, reason]) => [method, path, status, reason]));
  });

  test('should refuse tokens for another audience or issuer with 401', async () => {
    // GIVEN
    const foreignAudience = await issuer.token({ aud: 'api://billing', claims: { scp: ['orders:read'] } });
    const foreignIssuer = await issuer.token({ aud: AUDIENCE, claims: { scp: ['orders:read'], iss: 'https://acme.okta.com' } });

    // WHEN
    const answers = [];
    for (const token of [foreignAudience, foreignIssuer]) {
      answers.push(await api.request({ method: 'GET', path: '/orders', token }));
    }

    // THEN
    expect(answers.map((r) => [r.status, r.reason])).toEqual([[401, 'audience_mismatch'], [401, 'issuer_mismatch']]);
  });

  test('should give the handlers the caller and its tenant, also from a cached policy', async () => {
    // GIVEN
    api.clearCache();
    const reader = await oktaToken('reporting', ['orders:read'], { tenant: 'acme' });

    // WHEN
    const list = await api.request({ method: 'GET', path: '/orders', token: reader });
    const get = await api.request({ method: 'GET', path: '/orders/ord_7', token: reader });
    const create = await api.request({ method: 'POST', path: '/orders', token: reader });

    // THEN
    expect(list).toMatchObject({ status: 200, cached: false, context: { sub: 'reporting', scopes: 'orders:read', tenant: 'acme' } });
    expect(get).toMatchObject({ status: 200, cached: true, route: 'GET /orders/{id}', context: { tenant: 'acme' } });
    expect(create).toMatchObject({ status: 403, cached: true });
  });
});

describe('example app, HTTP API', () => {
  test('should guard the route the native JWT authorizer can check with it, the claim-rule route with the Lambda authorizer', () => {
    // THEN
    expect(httpApi.routes.map((r) => [r.routeKey, r.authorizationType, r.authorizationScopes]).sort()).toEqual([
      ['GET /health', 'NONE', []],
      ['GET /orders', 'JWT', ['orders:read']],
      ['GET /orders/{id}', 'CUSTOM', []],
    ]);
  });

  test('should answer every route by its scopes and claim rules, native and Lambda alike', async () => {
    // GIVEN
    const reader = await oktaToken('reporting', ['orders:read'], { tenant: 'acme' });
    const otherTenant = await oktaToken('globex-reporting', ['orders:read'], { tenant: 'globex' });
    const noScope = await oktaToken('stranger', ['profile'], { tenant: 'acme' });
    const foreignAudience = await issuer.token({ aud: 'api://billing', claims: { scp: ['orders:read'] } });
    const cases: Array<[string, string, string | undefined, number, string, boolean]> = [
      // method, path, token, status, reason, Lambda invoked
      ['GET', '/orders', reader, 200, 'jwt_valid', false],
      ['GET', '/orders', otherTenant, 200, 'jwt_valid', false],
      ['GET', '/orders', noScope, 403, 'insufficient_scope', false],
      ['GET', '/orders', foreignAudience, 401, 'invalid_token', false],
      ['GET', '/orders', undefined, 401, 'identity_source_missing', false],
      ['GET', '/orders/ord_1', reader, 200, 'allowed', true],
      ['GET', '/orders/ord_1', otherTenant, 403, 'claim_rule_failed', true],
      ['GET', '/orders/ord_1', noScope, 403, 'insufficient_scope', true],
      ['GET', '/health', undefined, 200, 'public', false],
    ];

    // WHEN: each decision fresh
    const answers = [];
    for (const [method, path, token] of cases) {
      httpApi.clearCache();
      const res = await httpApi.request({ method, path, token });
      answers.push([method, path, res.status, res.reason, res.invoked]);
    }

    // THEN
    expect(answers).toEqual(cases.map(([method, path, , status, reason, invoked]) => [method, path, status, reason, invoked]));
  });

  test('should write the access review beside the template, with the authorizer of each route and why', () => {
    // WHEN
    const review = JSON.parse(readFileSync(join(outdir, 'OrdersApiExample.OrdersHttp.access-review.json'), 'utf8'));

    // THEN
    expect(review.api).toMatchObject({ path: 'OrdersApiExample/OrdersHttp', kind: 'HTTP', name: 'orders-http' });
    expect(review.routes.map((r: any) => [`${r.method} ${r.path}`, r.authorizer, r.authorizerReason])).toEqual([
      ['GET /health', 'none', 'public: true'],
      ['GET /orders', 'native JWT', 'it checks all the route requires: issuer, audience, scopes'],
      ['GET /orders/{id}', 'Lambda', 'the route has claim rules'],
    ]);
  });
});
