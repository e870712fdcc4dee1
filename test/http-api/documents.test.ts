import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compileErrors, validate } from '@readme/openapi-parser';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as fc from 'fast-check';
import { authorizersOf, routesOf } from './body-support';
import {
  ClaimRule, DeploymentCheck, HttpMethod, HttpRouteAuthorizer, OidcIssuer, SecuredHttpApi, SecuredHttpApiProps,
} from '../../src';
import { ACCESS_REVIEW_FORMAT } from '../../src/api/access-review';
import { AUTHORIZER_EXTENSION, AUTHORIZER_SCHEME, JWT_AUTHORIZER_SCHEME, OIDC_SCHEME, openApiDocument } from '../../src/api/openapi';

const ISSUER = OidcIssuer.fromUrl('https://issuer.example.com', { audiences: ['api://orders'] });

function handler(stack: Stack, id: string): lambda.Function {
  return new lambda.Function(stack, id, { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });') });
}

/** A native JWT route, a route with a claim rule (so the Lambda authorizer), a route open to any valid token, a public route and a caller role. */
function ordersApi(stack: Stack, props: Partial<SecuredHttpApiProps> = {}): SecuredHttpApi {
  const fn = handler(stack, 'Handler');
  const api = new SecuredHttpApi(stack, 'Api', {
    issuer: ISSUER,
    apiName: 'orders',
    description: 'Orders of the acme shop',
    routes: [
      { method: HttpMethod.GET, path: '/orders', handler: fn, scopes: ['orders:read', 'orders:admin'] },
      { method: HttpMethod.GET, path: '/orders/{id}', handler: fn, scopes: ['orders:read'], claimRules: [ClaimRule.equalTo('tenant', 'acme')] },
      { method: HttpMethod.ANY, path: '/files/{proxy+}', handler: fn },
      { method: HttpMethod.GET, path: '/health', handler: fn, public: true },
    ],
    ...props,
  });
  const reader = api.addCallerRole('OrdersReader', { subjects: ['reporting'] });
  api.addRoute({ method: HttpMethod.POST, path: '/reports', handler: handler(stack, 'Reports'), scopes: ['reports:write'], callerRoles: [reader] });
  return api;
}

/** Validates with @readme/openapi-parser, a greedy `{proxy+}` written `{proxy}` (see test/openapi.test.ts). */
async function expectValid(document: any): Promise<void> {
  const copy = structuredClone(document);
  copy.paths = Object.fromEntries(Object.entries(copy.paths ?? {}).map(([p, item]) => [p.replace(/\{([^}]+)\+\}/g, '{$1}'), item]));
  const result = await validate(copy);
  if (!result.valid) {
    throw new Error(`${compileErrors(result)}\n${JSON.stringify(document, undefined, 2)}`);
  }
}

const OPERATION_KEYS: Record<string, string> = { 'x-amazon-apigateway-any-method': 'ANY' };
/** Every operation of the document, by route key (`GET /orders`). */
function operations(document: any): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [resource, item] of Object.entries<any>(document.paths)) {
    for (const [key, op] of Object.entries<any>(item)) {
      if (key === 'parameters') continue;
      out[`${OPERATION_KEYS[key] ?? key.toUpperCase()} ${resource}`] = op;
    }
  }
  return out;
}

describe('SecuredHttpApi documents', () => {
  let outdir: string;
  let api: SecuredHttpApi;
  let template: Template;
  let review: any;
  let markdown: string;
  let openApi: any;

  beforeAll(() => {
    // GIVEN
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'http-documents-'));
    const app = new App({ outdir });
    const stack = new Stack(app, 'Orders', { env: { account: '123456789012', region: 'eu-west-1' } });
    api = ordersApi(stack);

    // WHEN
    const assembly = app.synth();
    const dir = path.dirname(assembly.getStackArtifact(stack.artifactId).templateFullPath);
    template = Template.fromStack(stack);
    review = JSON.parse(fs.readFileSync(path.join(dir, api.accessReviewFileName), 'utf8'));
    markdown = fs.readFileSync(path.join(dir, api.accessReviewFileName.replace(/\.json$/, '.md')), 'utf8');
    openApi = JSON.parse(fs.readFileSync(path.join(dir, api.openApiFileName), 'utf8'));
  });

  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('should be written beside the template under the same names as a SecuredApi\'s', () => {
    expect(api.accessReviewFileName).toBe('Orders.Api.access-review.json');
    expect(api.openApiFileName).toBe('Orders.Api.openapi.json');
    expect(review.format).toBe(ACCESS_REVIEW_FORMAT);
    expect(review.api).toEqual({ path: 'Orders/Api', stack: 'Orders', name: 'orders', kind: 'HTTP' });
    // What synthesis wrote is what the API renders.
    expect(JSON.parse(api.renderAccessReview())).toEqual(review);
    expect(JSON.parse(api.renderOpenApi())).toEqual(openApi);
  });

  test('should say per route which authorizer guards it and why, as routeAuthorizations does', () => {
    expect(review.routes.map((r: any) => [`${r.method} ${r.path}`, r.access, r.authorizer, r.authorizerReason])).toEqual([
      ['ANY /files/{proxy+}', 'any valid token', 'native JWT', 'it checks all the route requires: issuer, audience, scopes'],
      ['GET /health', 'public', 'none', 'public: true'],
      ['GET /orders', 'scopes', 'native JWT', 'it checks all the route requires: issuer, audience, scopes'],
      ['GET /orders/{id}', 'scopes', 'Lambda', 'the route has claim rules'],
      ['POST /reports', 'scopes', 'native JWT', 'it checks all the route requires: issuer, audience, scopes'],
    ]);
    const kinds: Record<string, string> = { jwt: 'native JWT', lambda: 'Lambda', public: 'none' };
    for (const a of api.routeAuthorizations) {
      const row = review.routes.find((r: any) => r.method === a.method && r.path === a.path);
      expect(row.authorizer).toBe(kinds[a.authorizer]);
      if (a.authorizer === HttpRouteAuthorizer.LAMBDA) expect(row.authorizerReason).toBe(a.reason);
    }
  });

  test('should agree with the template: every JWT route in the review is a JWT route of the template, every Lambda route a CUSTOM one', () => {
    const types = Object.fromEntries(Object.values<any>(routesOf(template)).map((r) => [r.RouteKey, r.AuthorizationType]));
    const expected: Record<string, string> = { 'native JWT': 'JWT', 'Lambda': 'CUSTOM', 'none': 'NONE' };
    for (const r of review.routes) {
      expect([`${r.method} ${r.path}`, types[`${r.method} ${r.path}`]]).toEqual([`${r.method} ${r.path}`, expected[r.authorizer]]);
    }
  });

  test('should say what the native JWT authorizer checks and cannot, and how the Lambda authorizer is set up', () => {
    expect(review.authorizers.nativeJwt).toMatchObject({
      routes: ['ANY /files/{proxy+}', 'GET /orders', 'POST /reports'],
      issuer: 'https://issuer.example.com',
      audiences: ['api://orders'],
      identitySource: '$request.header.Authorization',
    });
    expect(review.authorizers.nativeJwt.checks.join('\n')).toMatch(/iss equal to the issuer[\s\S]*aud one of the audiences[\s\S]*scope or scp/);
    expect(review.authorizers.nativeJwt.cannot.join('\n')).toMatch(/per-reason denial metrics[\s\S]*audit line/);
    const lambdaAuthorizer = Object.values<any>(authorizersOf(template)).find((a) => a.AuthorizerType === 'REQUEST');
    expect(review.authorizers.lambda).toMatchObject({
      routes: ['GET /orders/{id}'],
      identitySources: lambdaAuthorizer.IdentitySource,
      resultsCacheTtlSeconds: lambdaAuthorizer.AuthorizerResultTtlInSeconds,
      payloadFormatVersion: lambdaAuthorizer.AuthorizerPayloadFormatVersion,
      simpleResponses: lambdaAuthorizer.EnableSimpleResponses,
    });
  });

  test('should state the REST-only options as not applicable, not as configured', () => {
    expect(review.quotas).toBeNull();
    expect(review.notApplicable.map((n: any) => n.feature)).toEqual(['quotas', 'webAcl']);
    expect(markdown).toContain('## Not applicable to an HTTP API');
    expect(markdown).not.toContain('## Quotas');
    expect(markdown).not.toContain('None: no usage plans or API keys.');
  });

  test('should keep the caller roles, the acknowledged rules and the app\'s federated roles as a SecuredApi\'s review does', () => {
    expect(review.callerRoles.map((r: any) => [r.path, r.subjects, r.handlers.map((h: any) => h.path)])).toEqual([
      ['Orders/Api/CallerRoles/OrdersReader', ['reporting'], ['Orders/Reports']],
    ]);
    expect(review.acceptedRisksAndSkippedChecks).toEqual(expect.arrayContaining([
      // (cdk-nag's APIG4 no longer needs acknowledging on public routes: the API has no Route
      // resources, its routes being its OpenAPI definition, which SecuredHttpApi.RouteOpened reads.)
      expect.objectContaining({ kind: 'acknowledged validation rule', id: 'AwsSolutions-L1', path: 'Orders/Api/Authorizer/Handler/Resource', reason: expect.stringContaining('Node.js 22 is pinned on purpose') }),
    ]));
    expect(review.acceptedRisksAndSkippedChecks.filter((r: any) => r.id === 'AwsSolutions-APIG4')).toEqual([]);
    expect(review.federatedRolesInApp.map((r: any) => r.path)).toEqual(['Orders/Api/CallerRoles/OrdersReader']);
  });

  test('should render the per-route choice as a column of the Markdown', () => {
    expect(markdown).toContain('Stack `Orders`, HTTP API `orders`.');
    expect(markdown).toContain('| Method | Path | Access | Authorizer (why) | Scopes (any of) | Claim rules (all of) | Served by | Caller roles |');
    expect(markdown).toContain('| GET | /orders/{id} | scopes | Lambda (the route has claim rules) | orders:read | tenant equals "acme" | Orders/Handler | - |');
    expect(markdown).toContain('## Authorizers');
    expect(markdown).toMatch(/\| native JWT \(API Gateway\) \| ANY \/files\/\{proxy\+\}, GET \/orders, POST \/reports \|/);
  });

  test('should write a valid OpenAPI document whose operations name the authorizer that guards them', async () => {
    await expectValid(openApi);
    const ops = operations(openApi);
    expect(ops['GET /orders'].security).toEqual([
      { [OIDC_SCHEME]: ['orders:admin'], [JWT_AUTHORIZER_SCHEME]: ['orders:admin'] },
      { [OIDC_SCHEME]: ['orders:read'], [JWT_AUTHORIZER_SCHEME]: ['orders:read'] },
    ]);
    expect(ops['GET /orders'][AUTHORIZER_EXTENSION]).toEqual({ type: 'jwt' });
    expect(ops['ANY /files/{proxy+}'].security).toEqual([{ [OIDC_SCHEME]: [], [JWT_AUTHORIZER_SCHEME]: [] }]);
    expect(ops['GET /orders/{id}'].security).toEqual([{ [OIDC_SCHEME]: ['orders:read'], [AUTHORIZER_SCHEME]: [] }]);
    expect(ops['GET /orders/{id}'][AUTHORIZER_EXTENSION]).toEqual({ type: 'lambda', reason: 'the route has claim rules' });
    expect(ops['GET /health'].security).toEqual([]);
    expect(ops['GET /health'][AUTHORIZER_EXTENSION]).toBeUndefined();
  });

  test('should describe both authorizers as HTTP APIs write them, and the stage as the server', () => {
    const schemes = openApi.components.securitySchemes;
    expect(schemes[JWT_AUTHORIZER_SCHEME]).toMatchObject({
      'type': 'openIdConnect',
      'openIdConnectUrl': 'https://issuer.example.com/.well-known/openid-configuration',
      'x-amazon-apigateway-authorizer': { type: 'jwt', jwtConfiguration: { issuer: 'https://issuer.example.com', audience: ['api://orders'] }, identitySource: '$request.header.Authorization' },
    });
    expect(schemes[AUTHORIZER_SCHEME]['x-amazon-apigateway-authorizer']).toEqual({
      type: 'request',
      identitySource: review.authorizers.lambda.identitySources.join(', '),
      authorizerResultTtlInSeconds: 300,
      authorizerPayloadFormatVersion: '2.0',
      enableSimpleResponses: true,
    });
    expect(schemes[AUTHORIZER_SCHEME]['x-amazon-apigateway-authtype']).toBeUndefined();
    expect(openApi.servers[0].url).toBe('https://{apiId}.execute-api.eu-west-1.amazonaws.com/prod');
    expect(openApi.components.responses.Unauthorized.content['application/json'].schema.required).toEqual(['message']);
  });
});

describe('SecuredHttpApi documents, other settings', () => {
  test('should show every guarded route on the Lambda authorizer with forceLambdaAuthorizer, and declare no JWT scheme', async () => {
    // GIVEN
    const stack = new Stack(new App(), 'Orders');
    const api = ordersApi(stack, { forceLambdaAuthorizer: true });

    // WHEN
    const review = JSON.parse(api.renderAccessReview());
    const openApi = JSON.parse(api.renderOpenApi());

    // THEN
    expect(review.routes.filter((r: any) => r.access !== 'public').map((r: any) => [r.authorizer, r.authorizerReason]))
      .toEqual(Array(4).fill(['Lambda', 'forceLambdaAuthorizer is set']));
    expect(review.authorizers.nativeJwt.routes).toEqual([]);
    expect(openApi.components.securitySchemes[JWT_AUTHORIZER_SCHEME]).toBeUndefined();
    await expectValid(openApi);
  });

  test('should refuse to write an HTTP API\'s guarded route without its authorizer, rather than guess one', () => {
    // GIVEN
    const base = { title: 't', issuerUrl: 'https://issuer.example.com', identitySources: ['$request.header.Authorization'], stageName: 'prod', kind: 'HTTP' as const };
    const route = { method: 'GET' as const, resource: '/orders', scopes: ['orders:read'], claimRules: [], isPublic: false };

    // THEN
    expect(() => openApiDocument({ ...base, routes: [route] })).toThrow(/needs its authorizer/);
    expect(() => openApiDocument({ ...base, routes: [{ ...route, authorizer: { type: 'jwt', reason: '' } }] })).toThrow(/needs jwtAuthorizer/);
  });

  test('should list a skipped deployment check with its reason', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Orders');
    const api = ordersApi(stack, { deploymentCheck: DeploymentCheck.skip('LocalStack has no API Gateway v2 read API') });

    // WHEN
    const review = JSON.parse(api.renderAccessReview());
    const openApi = JSON.parse(api.renderOpenApi());

    // THEN
    expect(review.acceptedRisksAndSkippedChecks).toEqual(expect.arrayContaining([
      { path: 'Orders/Api', kind: 'skipped check', id: 'deploymentCheck', reason: 'LocalStack has no API Gateway v2 read API' },
    ]));
    expect(openApi['x-cdk-secured-api-deployment-check']).toEqual({ skipped: true, reason: 'LocalStack has no API Gateway v2 read API' });
  });

  test('should never show a guarded route as public, nor name another authorizer than the route\'s, for generated routes', () => {
    const scope = fc.constantFrom('a:read', 'a:write', 'b:admin');
    const route = fc.record({
      isPublic: fc.boolean(),
      scopes: fc.uniqueArray(scope, { maxLength: 2 }),
      claimRule: fc.boolean(),
    });
    fc.assert(fc.property(fc.array(route, { minLength: 1, maxLength: 5 }), fc.boolean(), (routes, force) => {
      // GIVEN
      const stack = new Stack(new App(), 'S');
      const fn = handler(stack, 'Fn');
      const api = new SecuredHttpApi(stack, 'Api', {
        issuer: ISSUER,
        forceLambdaAuthorizer: force,
        dashboard: false,
        alarms: false,
        auditQueries: false,
        routes: routes.map((r, i) => (r.isPublic
          ? { method: HttpMethod.GET, path: `/r${i}`, handler: fn, public: true }
          : { method: HttpMethod.GET, path: `/r${i}`, handler: fn, scopes: r.scopes, claimRules: r.claimRule ? [ClaimRule.equalTo('tenant', 'acme')] : [] })),
      });

      // WHEN
      const review = JSON.parse(api.renderAccessReview());
      const ops = operations(JSON.parse(api.renderOpenApi()));

      // THEN
      for (const a of api.routeAuthorizations) {
        const key = `${a.method} ${a.path}`;
        const row = review.routes.find((r: any) => `${r.method} ${r.path}` === key);
        const op = ops[key];
        if (a.authorizer === HttpRouteAuthorizer.PUBLIC) {
          expect([key, row.access, row.authorizer, op.security]).toEqual([key, 'public', 'none', []]);
          continue;
        }
        const scheme = a.authorizer === HttpRouteAuthorizer.JWT ? JWT_AUTHORIZER_SCHEME : AUTHORIZER_SCHEME;
        const other = a.authorizer === HttpRouteAuthorizer.JWT ? AUTHORIZER_SCHEME : JWT_AUTHORIZER_SCHEME;
        expect(row.access).not.toBe('public');
        expect(row.authorizer).toBe(a.authorizer === HttpRouteAuthorizer.JWT ? 'native JWT' : 'Lambda');
        expect(op.security.length).toBeGreaterThan(0);
        for (const requirement of op.security) {
          expect(Object.keys(requirement).sort()).toEqual([OIDC_SCHEME, scheme].sort());
          expect(requirement[other]).toBeUndefined();
        }
        expect(op[AUTHORIZER_EXTENSION].type).toBe(a.authorizer);
      }
    }), { numRuns: 12 });
  });
});
