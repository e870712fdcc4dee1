import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { JSONWebKeySet } from 'jose';
import { ClaimRule, HttpMethod, OidcIssuer, SecuredApi, SecuredApiProps, SecuredApiRoute, TokenAuthorizer } from '../../src';
import { LocalIssuer, matchResource, SynthesizedAuthorizer, evaluatePolicy } from '../../src/testing';
import { refersTo } from '../../src/testing/cloud-assembly';
import { waitFor } from '../support/wait';

// The test kit against a real synthesis: the authorizer asset in cdk.out (`npx projen bundle` must
// have run) in its own process, tokens from a LocalIssuer that claims the app's own issuer, so only
// the JWKS URI is overridden. The result cache runs on an injected clock; the authorizer checks the
// tokens (valid 900 s) against the real one.

const ISSUER = 'https://issuer.example.com';
const AUDIENCE = 'api://kit';

let work: string;
let issuer: LocalIssuer;
let now: number;
const running: SynthesizedAuthorizer[] = [];

/** Synthesizes one SecuredApi with these routes (and a public GET /health) into its own cdk.out. */
function synthesize(name: string, routes: (fn: (id: string) => lambda.IFunction) => SecuredApiRoute[], props: Partial<SecuredApiProps> = {}): string {
  const outdir = join(work, name);
  const app = new App({ outdir });
  const stack = new Stack(app, name, { env: { account: '111122223333', region: 'eu-central-1' } });
  const fn = (id: string) => new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "ok" });'),
  });
  const api = new SecuredApi(stack, 'Api', {
    issuer: OidcIssuer.fromUrl(ISSUER, { audiences: [AUDIENCE] }),
    routes: routes(fn),
    contextClaims: ['tenant'],
    resultsCacheTtl: Duration.minutes(5),
    dashboard: false,
    alarms: false,
    auditQueries: false,
    ...props,
  });
  api.addRoute({ method: HttpMethod.GET, path: '/health', handler: fn('Health'), public: true });
  app.synth();
  return outdir;
}

/** A copy of a synthesized cloud assembly whose stack `name` has its template edited. */
function tamperedCopy(outdir: string, name: string, copyName: string, edit: (template: any) => void): string {
  const copy = join(work, copyName);
  cpSync(outdir, copy, { recursive: true });
  const file = join(copy, `${name}.template.json`);
  const template = JSON.parse(readFileSync(file, 'utf8'));
  edit(template);
  writeFileSync(file, JSON.stringify(template));
  return copy;
}

/** The logical id and OpenAPI definition of the template's only RestApi. */
function restApiOf(template: any): [string, any] {
  const apis = Object.entries<any>(template.Resources).filter(([, r]) => r.Type === 'AWS::ApiGateway::RestApi');
  expect(apis).toHaveLength(1);
  return [apis[0][0], apis[0][1].Properties.Body];
}

async function start(outdir: string): Promise<SynthesizedAuthorizer> {
  const authorizer = await SynthesizedAuthorizer.fromCloudAssembly(outdir, { issuerOverride: { jwksUri: issuer.jwksUri }, clock: () => now });
  running.push(authorizer);
  return authorizer;
}

const token = (scope: string, claims: Record<string, unknown> = {}) => issuer.token({ aud: AUDIENCE, scope, claims: { client_id: 'kit-client', ...claims } });

let orders: SynthesizedAuthorizer;
let ordersOut: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'secured-api-kit-'));
  issuer = await LocalIssuer.start({ issuer: ISSUER });
  ordersOut = synthesize('Orders', (fn) => [
    { method: HttpMethod.GET, path: '/orders', handler: fn('List'), scopes: ['orders:read'] },
    { method: HttpMethod.POST, path: '/orders', handler: fn('Create'), scopes: ['orders:write'] },
    { method: HttpMethod.GET, path: '/orders/{id}', handler: fn('Get'), scopes: ['orders:read'], claimRules: [ClaimRule.equalTo('tenant', 'acme')] },
    { method: HttpMethod.DELETE, path: '/orders/{id}', handler: fn('Delete'), scopes: ['orders:admin'] },
    { method: HttpMethod.GET, path: '/me', handler: fn('Me') },
  ]);
  orders = await start(ordersOut);
}, 180_000);

beforeEach(() => {
  now = Date.UTC(2030, 0, 1);
  for (const authorizer of running) {
    authorizer.clearCache();
  }
});

afterAll(async () => {
  await Promise.all(running.map((a) => a.stop()));
  await issuer?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('SynthesizedAuthorizer', () => {
  test('should read the synthesized authorizer: identity source, TTL, routes', () => {
    // THEN
    expect(orders.identitySources).toEqual(['method.request.header.Authorization']);
    expect(orders.resultsCacheTtlSeconds).toBe(300);
    expect(orders.environment.SECURED_API_ISSUER).toBe(ISSUER);
    expect(orders.environment.SECURED_API_JWKS_URI).toBe(issuer.jwksUri);
    expect(orders.routes.map((r) => `${r.method} ${r.resource}${r.public ? ' public' : ''}`).sort()).toEqual([
      'DELETE /orders/{id}', 'GET /health public', 'GET /me', 'GET /orders', 'GET /orders/{id}', 'POST /orders',
    ]);
  });

  test('should allow and deny each route by scope and claim rule', async () => {
    // GIVEN
    const reader = await token('orders:read', { tenant: 'acme' });
    const otherTenant = await token('orders:read', { tenant: 'globex' });
    const writer = await token('orders:write');
    const cases: Array<[string, string, string, number, string]> = [
      [reader, 'GET', '/orders', 200, 'allowed'],
      [reader, 'GET', '/orders/42', 200, 'allowed'],
      [reader, 'POST', '/orders', 403, 'insufficient_scope'],
      [reader, 'DELETE', '/orders/42', 403, 'insufficient_scope'],
      [otherTenant, 'GET', '/orders/42', 403, 'claim_rule_failed'],
      [otherTenant, 'GET', '/orders', 200, 'allowed'],
      [writer, 'POST', '/orders', 200, 'allowed'],
      [writer, 'GET', '/orders', 403, 'insufficient_scope'],
      [writer, 'GET', '/me', 200, 'allowed'],
    ];

    // WHEN
    const answers = [];
    for (const [t, method, path] of cases) {
      orders.clearCache();
      const res = await orders.request({ method, path, token: t });
      answers.push([res.status, res.reason, res.cached]);
    }

    // THEN
    expect(answers).toEqual(cases.map((c) => [c[3], c[4], false]));
  });

  test('should pass the context the integration would see', async () => {
    // WHEN
    const res = await orders.request({ method: 'GET', path: '/orders/7', token: await token('orders:read extra', { tenant: 'acme', sub: 'alice' }) });

    // THEN
    expect(res).toMatchObject({ status: 200, route: 'GET /orders/{id}', principalId: 'sub:alice' });
    expect(res.context).toMatchObject({ sub: 'alice', clientId: 'kit-client', scopes: 'orders:read extra', issuer: ISSUER, tenant: 'acme' });
  });

  test('should answer 401 with the reason for tokens the authorizer refuses', async () => {
    // GIVEN
    const good = await token('orders:read');
    const [h, p, s] = good.split('.');
    const cases: Array<[string, string]> = [
      [await issuer.token({ aud: AUDIENCE, scope: 'orders:read', expiresIn: -3600 }), 'expired'],
      [await issuer.token({ aud: 'api://elsewhere', scope: 'orders:read' }), 'audience_mismatch'],
      [await issuer.token({ aud: AUDIENCE, claims: { iss: 'https://evil.example.com' } }), 'issuer_mismatch'],
      [await issuer.token({ aud: AUDIENCE, kid: 'no-such-key' }), 'unknown_kid'],
      [`${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), scope: 'orders:admin' })).toString('base64url')}.${s}`, 'bad_signature'],
    ];

    // WHEN
    const answers = [];
    for (const [t] of cases) {
      const res = await orders.request({ method: 'GET', path: '/orders', token: t });
      answers.push([res.status, res.reason, res.invoked]);
    }

    // THEN
    expect(answers).toEqual(cases.map(([, reason]) => [401, reason, true]));
  });

  test('should answer as API Gateway without invoking: public route, missing header, unknown route', async () => {
    // WHEN
    const publicRoute = await orders.request({ method: 'GET', path: '/health' });
    const noHeader = await orders.request({ method: 'GET', path: '/orders' });
    const emptyHeader = await orders.request({ method: 'GET', path: '/orders', headers: { authorization: '' } });
    const unknown = await orders.request({ method: 'PUT', path: '/orders', token: await token('orders:read') });

    // THEN
    expect(publicRoute).toMatchObject({ status: 200, reason: 'public', invoked: false });
    expect(noHeader).toMatchObject({ status: 401, reason: 'identity_source_missing', invoked: false });
    expect(emptyHeader).toMatchObject({ status: 401, reason: 'identity_source_missing', invoked: false });
    expect(unknown).toMatchObject({ status: 403, reason: 'route_not_found', invoked: false });
  });

  test('should reuse a cached policy across routes, rightly, until the TTL ends', async () => {
    // GIVEN
    const reader = await token('orders:read', { tenant: 'acme' });
    const first = await orders.request({ method: 'GET', path: '/orders', token: reader });

    // WHEN: the same token (the only identity source) on other routes within the TTL
    now += 299_000;
    const again = await orders.request({ method: 'GET', path: '/orders', token: reader });
    const get = await orders.request({ method: 'GET', path: '/orders/99', token: reader });
    const post = await orders.request({ method: 'POST', path: '/orders', token: reader });
    const del = await orders.request({ method: 'DELETE', path: '/orders/99', token: reader });
    now += 1_000;
    const expired = await orders.request({ method: 'POST', path: '/orders', token: reader });

    // THEN
    expect([first.status, first.cached]).toEqual([200, false]);
    expect([again, get, post, del].map((r) => [r.status, r.cached, r.invoked])).toEqual([
      [200, true, false], [200, true, false], [403, true, false], [403, true, false],
    ]);
    expect(get.context).toMatchObject({ tenant: 'acme' });
    expect(expired).toMatchObject({ status: 403, reason: 'insufficient_scope', cached: false, invoked: true });
  });

  test('should not cache a 401', async () => {
    // GIVEN
    const expiredToken = await issuer.token({ aud: AUDIENCE, scope: 'orders:read', expiresIn: -3600 });

    // WHEN
    await orders.request({ method: 'GET', path: '/orders', token: expiredToken });
    const second = await orders.request({ method: 'GET', path: '/orders', token: expiredToken });

    // THEN
    expect(second).toMatchObject({ status: 401, reason: 'expired', cached: false, invoked: true });
  });

  test('should log one audit line per invocation and never the token', async () => {
    // GIVEN
    const writer = await token('orders:write');
    const before = orders.logs.length;

    // WHEN
    await orders.request({ method: 'POST', path: '/orders', token: writer });

    // THEN: lines come over stdout, replies over IPC: either may arrive first
    const decisions = () => orders.logs.slice(before).filter((l) => l.type === 'authz_decision');
    await waitFor(() => decisions().length >= 1);
    expect(decisions().map((l) => [l.decision, l.reason, l.route, l.client_id])).toEqual([['allow', 'allowed', 'POST /orders', 'kit-client']]);
    expect(JSON.stringify(orders.logs)).not.toContain(writer.split('.')[2]);
  });

  test('should verify tokens of the new and the previous key after a rotation', async () => {
    // GIVEN: tokens of the old key, then a rotation, then a container that loads the keys
    // (a running container sees a new kid only after its JWKS refetch cooldown, as in Lambda)
    const rotating = await LocalIssuer.start({ issuer: ISSUER });
    try {
      const old = await rotating.token({ aud: AUDIENCE });
      await rotating.rotate();
      const fresh = await SynthesizedAuthorizer.fromCloudAssembly(ordersOut, { issuerOverride: { jwksUri: rotating.jwksUri }, clock: () => now });
      running.push(fresh);

      // WHEN
      const answers = [];
      for (const t of [old, await rotating.token({ aud: AUDIENCE })]) {
        answers.push((await fresh.request({ method: 'GET', path: '/me', token: t })).status);
      }

      // THEN
      expect(answers).toEqual([200, 200]);
    } finally {
      await rotating.stop();
    }
  });

  test('should trust a LocalIssuer of its own URL when it is passed as the override', async () => {
    // GIVEN
    const own = await LocalIssuer.start();
    try {
      const authorizer = await SynthesizedAuthorizer.fromCloudAssembly(ordersOut, { issuerOverride: own, clock: () => now });
      running.push(authorizer);

      // WHEN
      const mine = await authorizer.request({ method: 'GET', path: '/me', token: await own.token({ aud: AUDIENCE }) });
      const appIssuer = await authorizer.request({ method: 'GET', path: '/me', token: await token('') });

      // THEN
      expect(authorizer.environment.SECURED_API_ISSUER).toBe(own.url);
      expect(mine).toMatchObject({ status: 200, context: { issuer: own.url } });
      expect(appIssuer).toMatchObject({ status: 401, reason: 'unknown_kid' });
    } finally {
      await own.stop();
    }
  });

  test('should cache per route when the app needs the route cache mode', async () => {
    // GIVEN: a token-wide Deny of GET /files/{id}/meta (`files/*/meta`) would shut GET /files/{id}/{part}/meta
    const files = await start(synthesize('Files', (fn) => [
      { method: HttpMethod.GET, path: '/files/{id}', handler: fn('Read'), scopes: ['files:read'] },
      { method: HttpMethod.GET, path: '/files/{id}/meta', handler: fn('Meta'), scopes: ['meta:read'] },
      { method: HttpMethod.GET, path: '/files/{id}/{part}/meta', handler: fn('PartMeta'), scopes: ['files:read'] },
    ]));
    const reader = await token('files:read');

    // WHEN
    const first = await files.request({ method: 'GET', path: '/files/a/b/meta', token: reader });
    const same = await files.request({ method: 'GET', path: '/files/c/d/meta', token: reader });
    const meta = await files.request({ method: 'GET', path: '/files/a/meta', token: reader });
    const read = await files.request({ method: 'GET', path: '/files/a', token: reader });

    // THEN
    expect(files.identitySources).toEqual(['method.request.header.Authorization', 'context.httpMethod', 'context.resourcePath']);
    expect(first).toMatchObject({ status: 200, route: 'GET /files/{id}/{part}/meta', cached: false });
    expect(same).toMatchObject({ status: 200, cached: true });
    expect(meta).toMatchObject({ status: 403, route: 'GET /files/{id}/meta', reason: 'insufficient_scope', cached: false });
    expect(read).toMatchObject({ status: 200, route: 'GET /files/{id}', reason: 'allowed', cached: false });
  });
});

describe('SynthesizedAuthorizer.fromCloudAssembly', () => {
  test('should say what is missing when the folder is no cloud assembly or holds no authorizer', async () => {
    // GIVEN
    const empty = mkdtempSync(join(tmpdir(), 'not-cdk-out-'));
    const plain = join(work, 'Plain');
    const app = new App({ outdir: plain });
    new lambda.Function(new Stack(app, 'Plain'), 'Fn', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => 1;'),
    });
    app.synth();

    // THEN
    await expect(SynthesizedAuthorizer.fromCloudAssembly(empty)).rejects.toThrow(/is not a cloud assembly \(no manifest.json\)/);
    await expect(SynthesizedAuthorizer.fromCloudAssembly(plain)).rejects.toThrow(/holds no SecuredApi authorizer function/);
    await expect(SynthesizedAuthorizer.fromCloudAssembly(ordersOut, { stackName: 'Nope' })).rejects.toThrow(/stack Nope holds no SecuredApi authorizer/);
    rmSync(empty, { recursive: true, force: true });
  });
});

describe('API Gateway emulation', () => {
  test('should pick the resource as API Gateway does: literal, then {param}, then {proxy+}', () => {
    // GIVEN
    const templates = ['/', '/orders', '/orders/{id}', '/orders/latest', '/orders/{id}/items', '/{proxy+}'];

    // THEN
    expect(matchResource(templates, '/')).toBe('/');
    expect(matchResource(templates, '/orders/')).toBe('/orders');
    expect(matchResource(templates, '/orders/latest')).toBe('/orders/latest');
    expect(matchResource(templates, '/orders/42')).toBe('/orders/{id}');
    expect(matchResource(templates, '/orders/42/items')).toBe('/orders/{id}/items');
    expect(matchResource(templates, '/orders/42/other')).toBe('/{proxy+}');
    expect(matchResource(templates.slice(0, 5), '/nothing')).toBeUndefined();
  });

  test('should evaluate policies with * across / and ? as one character, Deny first', () => {
    // GIVEN
    const base = 'arn:aws:execute-api:eu-west-1:111122223333:api/prod';
    const policy = {
      Statement: [
        { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: [`${base}/GET/orders/*`, `${base}/*/me`] },
        { Effect: 'Deny', Action: 'execute-api:Invoke', Resource: `${base}/GET/orders/?/audit` },
      ],
    };

    // THEN
    expect(evaluatePolicy(policy, `${base}/GET/orders/42/items`)).toBe('allow');
    expect(evaluatePolicy(policy, `${base}/GET/orders/4/audit`)).toBe('deny');
    expect(evaluatePolicy(policy, `${base}/GET/orders/42/audit`)).toBe('allow');
    expect(evaluatePolicy(policy, `${base}/POST/x/me`)).toBe('allow');
    expect(evaluatePolicy(policy, `${base}/POST/orders`)).toBe('deny');
  });
});

describe('LocalIssuer', () => {
  test('should publish its discovery document and keys, and keep the previous key after a rotation', async () => {
    // GIVEN
    const es = await LocalIssuer.start({ algorithm: 'ES256' });
    try {
      const first = es.kid;

      // WHEN
      const second = await es.rotate();
      const discovery = await (await fetch(`${es.url}/.well-known/openid-configuration`)).json();
      const jwks = await (await fetch(es.jwksUri)).json() as JSONWebKeySet;

      // THEN
      expect(discovery).toMatchObject({ issuer: es.url, jwks_uri: `${es.url}/jwks.json` });
      expect(jwks.keys.map((k) => [k.kid, k.kty, k.crv, k.alg])).toEqual([[second, 'EC', 'P-256', 'ES256'], [first, 'EC', 'P-256', 'ES256']]);
      expect(jwks.keys.some((k) => 'd' in k)).toBe(false);
    } finally {
      await es.stop();
    }
  });

  test('should sign tokens with the claims and header asked for', async () => {
    // GIVEN
    const clock = () => Date.UTC(2030, 0, 1);
    const local = await LocalIssuer.start({ clock });
    try {
      // WHEN
      const t = await local.token({ sub: 'bob', aud: ['a', 'b'], scope: ['x', 'y'], claims: { tenant: 'acme' }, expiresIn: 60, header: { typ: 'at+jwt' } });

      // THEN
      const [h, p] = t.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
      expect(h).toEqual({ alg: 'RS256', kid: local.kid, typ: 'at+jwt' });
      expect(p).toMatchObject({ iss: local.url, sub: 'bob', aud: ['a', 'b'], scope: 'x y', tenant: 'acme', iat: clock() / 1000, exp: clock() / 1000 + 60 });
    } finally {
      await local.stop();
    }
  });
});

describe('SynthesizedAuthorizer of a SecuredApi (an OpenAPI definition)', () => {
  test('should take the authorizer from the security scheme of the RestApi definition that invokes the function', () => {
    // GIVEN
    const template = JSON.parse(readFileSync(join(ordersOut, 'Orders.template.json'), 'utf8'));
    const [restApiId] = restApiOf(template);
    const types = Object.values<any>(template.Resources).map((r) => r.Type);

    // THEN: no AWS::ApiGateway::Authorizer or Method to read them from
    expect(types).not.toContain('AWS::ApiGateway::Authorizer');
    expect(types).not.toContain('AWS::ApiGateway::Method');
    expect(orders.authorizerLogicalId).toBe(restApiId);
    expect(orders.restApiLogicalId).toBe(restApiId);
    expect(orders.securitySchemeName).toBe('tokenAuthorizer');
    expect(template.Resources[orders.functionLogicalId].Type).toBe('AWS::Lambda::Function');
  });

  test('should serve every method from an ANY operation, and read the TTL', async () => {
    // GIVEN
    const docs = await start(synthesize('Docs', (fn) => [
      { method: HttpMethod.GET, path: '/docs', handler: fn('List'), scopes: ['docs:read'] },
      { method: HttpMethod.ANY, path: '/docs/{proxy+}', handler: fn('Write'), scopes: ['docs:write'] },
    ], { resultsCacheTtl: Duration.seconds(42) }));
    const reader = await token('docs:read');
    const writer = await token('docs:write');
    const cases: Array<[string, string, string]> = [
      [reader, 'GET', '/docs'], [reader, 'DELETE', '/docs/a/b.md'], [writer, 'DELETE', '/docs/a/b.md'],
      [writer, 'PATCH', '/docs/a'], [writer, 'GET', '/docs/a'], [writer, 'GET', '/docs'], [writer, 'POST', '/docs'],
    ];

    // WHEN
    const answers = [];
    for (const [t, method, path] of cases) {
      docs.clearCache();
      const res = await docs.request({ method, path, token: t });
      answers.push([method, path, res.route, res.status, res.reason]);
    }

    // THEN
    expect(docs.resultsCacheTtlSeconds).toBe(42);
    expect(docs.routes.map((r) => `${r.method} ${r.resource}${r.public ? ' public' : ''}`).sort()).toEqual([
      'ANY /docs/{proxy+}', 'GET /docs', 'GET /health public',
    ]);
    expect(answers).toEqual([
      ['GET', '/docs', 'GET /docs', 200, 'allowed'],
      ['DELETE', '/docs/a/b.md', 'ANY /docs/{proxy+}', 403, 'insufficient_scope'],
      ['DELETE', '/docs/a/b.md', 'ANY /docs/{proxy+}', 200, 'allowed'],
      ['PATCH', '/docs/a', 'ANY /docs/{proxy+}', 200, 'allowed'],
      ['GET', '/docs/a', 'ANY /docs/{proxy+}', 200, 'allowed'],
      ['GET', '/docs', 'GET /docs', 403, 'insufficient_scope'],
      ['POST', '/docs', undefined, 403, 'route_not_found'],
    ]);
  });

  describe('with a definition edited after synthesis', () => {
    let tampered: SynthesizedAuthorizer;

    beforeAll(async () => {
      const out = tamperedCopy(ordersOut, 'Orders', 'OrdersTampered', (template) => {
        const [, body] = restApiOf(template);
        const authorizer = body.components.securitySchemes.tokenAuthorizer['x-amazon-apigateway-authorizer'];
        authorizer.identitySource = 'method.request.header.Authorization ,context.httpMethod';
        delete authorizer.authorizerResultTtlInSeconds;
        body.components.securitySchemes.apiKey = { type: 'apiKey', name: 'x-api-key', in: 'header' };
        const paths = body.paths;
        paths['/orders'].get.security = [{ tokenAuthorizer: ['orders:read'] }];
        paths['/orders'].post.security = [{ apiKey: [] }];
        paths['/orders/{id}'].get.security = [{ tokenAuthorizer: [] }, {}];
        paths['/orders/{id}'].delete.security = [{ tokenAuthorizer: [], apiKey: [] }];
        delete paths['/me'].get.security;
        paths['/me'].put = { ...paths['/me'].get, security: [{}] };
        // The authorizer's route table has no /health; the definition now guards it.
        paths['/health'].get.security = [{ tokenAuthorizer: [] }];
        paths['/status'] = { get: { ...paths['/health'].get, security: [] } };
      });
      tampered = await SynthesizedAuthorizer.fromCloudAssembly(out, { issuerOverride: { jwksUri: issuer.jwksUri }, clock: () => now });
      running.push(tampered);
    }, 120_000);

    test('should read routes, identity sources and the default TTL from the definition', async () => {
      // WHEN
      const status = await tampered.request({ method: 'GET', path: '/status' });
      const healthNoToken = await tampered.request({ method: 'GET', path: '/health' });
      const health = await tampered.request({ method: 'GET', path: '/health', token: await token('orders:read') });

      // THEN
      expect(tampered.identitySources).toEqual(['method.request.header.Authorization', 'context.httpMethod']);
      expect(tampered.resultsCacheTtlSeconds).toBe(300);
      expect(tampered.routes.filter((r) => r.public).map((r) => `${r.method} ${r.resource}`)).toEqual(['GET /status']);
      expect(status).toMatchObject({ status: 200, reason: 'public', invoked: false, route: 'GET /status' });
      expect(healthNoToken).toMatchObject({ status: 401, reason: 'identity_source_missing', invoked: false });
      expect(health).toMatchObject({ status: 403, invoked: true, route: 'GET /health' });
    });

    test.each([
      ['GET', '/orders', /GET \/orders is not guarded by .*'s security scheme tokenAuthorizer alone \(security \[\{"tokenAuthorizer":\["orders:read"\]\}\]\)/],
      ['POST', '/orders', /POST \/orders is not guarded .*\(security \[\{"apiKey":\[\]\}\]\)/],
      ['GET', '/orders/1', /GET \/orders\/\{id\} is not guarded .*\(security \[\{"tokenAuthorizer":\[\]\},\{\}\]\)/],
      ['DELETE', '/orders/1', /DELETE \/orders\/\{id\} is not guarded .*\(security \[\{"tokenAuthorizer":\[\],"apiKey":\[\]\}\]\)/],
      ['GET', '/me', /GET \/me is not guarded .*\(no security of its own\)/],
      ['PUT', '/me', /PUT \/me is not guarded .*\(security \[\{\}\]\)/],
    ])('should refuse to emulate %s %s, whose security is not exactly [] or the authorizer alone', async (method, path, message) => {
      // WHEN
      const res = tampered.request({ method, path, token: await token('orders:read orders:write orders:admin') });

      // THEN
      await expect(res).rejects.toThrow(message);
    });
  });
});

describe('SynthesizedAuthorizer of a standalone TokenAuthorizer (an AWS::ApiGateway::Authorizer)', () => {
  let plain: SynthesizedAuthorizer;
  let template: any;

  beforeAll(async () => {
    const outdir = join(work, 'Standalone');
    const app = new App({ outdir });
    const stack = new Stack(app, 'Standalone', { env: { account: '111122223333', region: 'eu-central-1' } });
    const authorizer = new TokenAuthorizer(stack, 'Authz', {
      issuer: OidcIssuer.fromUrl(ISSUER, { audiences: [AUDIENCE] }),
      routes: [{ method: HttpMethod.GET, path: '/orders/{id}', scopes: ['orders:read'] }],
      resultsCacheTtl: Duration.seconds(0),
    });
    const api = new apigateway.RestApi(stack, 'Api', { deployOptions: { stageName: 'v1' } });
    const orderResource = api.root.addResource('orders').addResource('{id}');
    orderResource.addMethod('GET', new apigateway.MockIntegration(), { authorizer: authorizer.authorizer });
    orderResource.addMethod('PUT', new apigateway.MockIntegration(), { authorizationType: apigateway.AuthorizationType.IAM });
    api.root.addResource('health').addMethod('GET', new apigateway.MockIntegration());
    template = app.synth().getStackByName('Standalone').template;
    plain = await SynthesizedAuthorizer.fromCloudAssembly(outdir, { issuerOverride: { jwksUri: issuer.jwksUri }, clock: () => now });
    running.push(plain);
  }, 120_000);

  test('should read the authorizer, its TTL and its API\'s methods from the resources', () => {
    // GIVEN
    const [authorizerId] = Object.entries<any>(template.Resources).find(([, r]) => r.Type === 'AWS::ApiGateway::Authorizer')!;
    const [restApiId] = Object.entries<any>(template.Resources).find(([, r]) => r.Type === 'AWS::ApiGateway::RestApi')!;

    // THEN
    expect(plain.authorizerLogicalId).toBe(authorizerId);
    expect(plain.restApiLogicalId).toBe(restApiId);
    expect(plain.securitySchemeName).toBeUndefined();
    expect(plain.resultsCacheTtlSeconds).toBe(0);
    expect(plain.identitySources).toEqual(['method.request.header.Authorization']);
    expect(plain.routes.map((r) => `${r.method} ${r.resource}${r.public ? ' public' : ''}`).sort()).toEqual([
      'GET /health public', 'GET /orders/{id}', 'PUT /orders/{id}',
    ]);
  });

  test('should answer guarded and public methods, and refuse one of another authorization type', async () => {
    // WHEN
    const reader = await plain.request({ method: 'GET', path: '/orders/1', token: await token('orders:read') });
    const other = await plain.request({ method: 'GET', path: '/orders/1', token: await token('orders:write') });
    const health = await plain.request({ method: 'GET', path: '/health' });

    // THEN
    expect(reader).toMatchObject({ status: 200, reason: 'allowed', invoked: true, route: 'GET /orders/{id}' });
    expect(other).toMatchObject({ status: 403, reason: 'insufficient_scope', invoked: true });
    expect(health).toMatchObject({ status: 200, reason: 'public', invoked: false });
    await expect(plain.request({ method: 'PUT', path: '/orders/1', token: await token('orders:read') }))
      .rejects.toThrow(/PUT \/orders\/\{id\} is not guarded by Authz\w+ \(AuthorizationType AWS_IAM\)/);
  });
});

describe('reading the cloud assembly', () => {
  test('should find a function referred to by Ref, Fn::GetAtt, or in an Fn::Sub string', () => {
    // THEN
    expect(refersTo({ Ref: 'Fn1' }, 'Fn1')).toBe(true);
    expect(refersTo({ 'Fn::Join': ['', ['arn:', { 'Fn::GetAtt': ['Fn1', 'Arn'] }, '/invocations']] }, 'Fn1')).toBe(true);
    expect(refersTo({ 'Fn::GetAtt': 'Fn1.Arn' }, 'Fn1')).toBe(true);
    expect(refersTo({ 'Fn::Sub': 'arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn1.Arn}/invocations' }, 'Fn1')).toBe(true);
    expect(refersTo({ 'Fn::Sub': 'name ${Fn1}' }, 'Fn1')).toBe(true);
    expect(refersTo({ 'Fn::Sub': ['${Arn}', { Arn: { 'Fn::GetAtt': ['Fn1', 'Arn'] } }] }, 'Fn1')).toBe(true);
    expect(refersTo({ 'Fn::Sub': 'functions/${Fn12.Arn}/invocations' }, 'Fn1')).toBe(false);
    expect(refersTo({ 'Fn::Sub': 'functions/${!Fn1.Arn}/invocations' }, 'Fn1')).toBe(false);
    expect(refersTo({ 'Fn::Sub': ['functions/${Fn1}', { Fn1: 'a variable' }] }, 'Fn1')).toBe(false);
    expect(refersTo('${Fn1.Arn}', 'Fn1')).toBe(false);
  });

  test('should refuse a function invoked by no authorizer, or by more than one', async () => {
    // GIVEN
    const twoSchemes = tamperedCopy(ordersOut, 'Orders', 'OrdersTwoSchemes', (template) => {
      const [, body] = restApiOf(template);
      body.components.securitySchemes.again = body.components.securitySchemes.tokenAuthorizer;
    });
    const none = tamperedCopy(ordersOut, 'Orders', 'OrdersNoScheme', (template) => {
      const [, body] = restApiOf(template);
      delete body.components;
    });

    // THEN
    await expect(SynthesizedAuthorizer.fromCloudAssembly(twoSchemes, { issuerOverride: { jwksUri: issuer.jwksUri } }))
      .rejects.toThrow(/expected one API Gateway authorizer invoking it .*found 2 \(Api\w+#tokenAuthorizer, Api\w+#again\)/);
    await expect(SynthesizedAuthorizer.fromCloudAssembly(none, { issuerOverride: { jwksUri: issuer.jwksUri } }))
      .rejects.toThrow(/expected one API Gateway authorizer invoking it .*found 0$/);
  });
});
