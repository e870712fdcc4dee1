import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { validate, compileErrors } from '@readme/openapi-parser';
import { App, Stack } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { ClaimRule, HttpMethod, OidcIssuer, SecuredApi, SecuredApiProps } from '../src';
import { operationsOf } from './support/definition';
import { okHandler as handler, ordersStack as makeStack } from './support/orders-api';
import { AUTHORIZER_SCHEME, CLAIM_RULES_EXTENSION, OIDC_SCHEME, openApiDocument, OpenApiRoute, THROTTLE_EXTENSION } from '../src/api/openapi';
import { checkRoute, checkRouteSet } from '../src/authorizer/route-table';

const ISSUER = OidcIssuer.fromUrl('https://issuer.example.com', { audiences: ['api://orders'] });
/** The README's Orders API, with an `ANY` route, a greedy route and a route open to any valid token. */
function ordersApi(stack: Stack, props: Partial<SecuredApiProps> = {}): SecuredApi {
  const fn = handler(stack, 'Fn');
  const api = new SecuredApi(stack, 'Api', {
    issuer: ISSUER,
    apiName: 'orders',
    description: 'Orders of the acme shop',
    throttle: { rateLimit: 100, burstLimit: 200 },
    routes: [
      { method: HttpMethod.GET, path: '/orders', handler: fn, scopes: ['orders:read'] },
      { method: HttpMethod.POST, path: '/orders', handler: fn, scopes: ['orders:write'], throttle: { rateLimit: 10, burstLimit: 20 } },
      { method: HttpMethod.GET, path: '/orders/{id}', handler: fn, scopes: ['orders:read', 'orders:admin'], claimRules: [ClaimRule.equalTo('tenant', 'acme')] },
      { method: HttpMethod.ANY, path: '/admin/{proxy+}', handler: fn, scopes: ['orders:admin'], claimRules: [ClaimRule.contains('groups', 'admins'), ClaimRule.oneOf('region', ['eu', 'us'])] },
      { method: HttpMethod.GET, path: '/me', handler: fn },
    ],
    ...props,
  });
  api.addRoute({ method: HttpMethod.GET, path: '/health', handler: fn, public: true });
  return api;
}

/** The requirements a guarded route with these any-of scopes must have: one per scope, or one with none. */
function guardedSecurity(scopes: readonly string[]): any[] {
  const sorted = [...new Set(scopes)].sort();
  return sorted.length === 0
    ? [{ [OIDC_SCHEME]: [], [AUTHORIZER_SCHEME]: [] }]
    : sorted.map((s) => ({ [OIDC_SCHEME]: [s], [AUTHORIZER_SCHEME]: [] }));
}

/**
 * Validates with @readme/openapi-parser (schema and semantic checks); throws its readable errors. A
 * greedy `{proxy+}` has the parameter `proxy`, as API Gateway names it (src/api/definition.ts
 * `pathParameters`), where the validator expects the whole template expression `proxy+`: the copy
 * validated writes a greedy path as `{proxy}`, so that everything else is checked, the greedy
 * parameter's declaration included.
 */
async function expectValid(document: any): Promise<void> {
  const copy = structuredClone(document);
  copy.paths = Object.fromEntries(Object.entries(copy.paths ?? {}).map(([p, item]) => [p.replace(/\{([^}]+)\+\}/g, '{$1}'), item]));
  const result = await validate(copy);
  if (!result.valid) {
    throw new Error(`${compileErrors(result)}\n${JSON.stringify(document, undefined, 2)}`);
  }
}

describe('SecuredApi OpenAPI document', () => {
  test('should give every operation its authorization: one requirement per scope, or security [] when public', async () => {
    // GIVEN
    const { stack } = makeStack();

    // WHEN
    const document = JSON.parse(ordersApi(stack).renderOpenApi());

    // THEN
    expect(document.openapi).toBe('3.0.3');
    expect(document.security).toBeUndefined();
    expect(document.info).toEqual({ title: 'orders', description: 'Orders of the acme shop', version: expect.stringMatching(/^[0-9a-f]{12}$/) });
    const ops = operationsOf(document);
    expect([...ops.keys()].sort()).toEqual(['ANY /admin/{proxy+}', 'GET /health', 'GET /me', 'GET /orders', 'GET /orders/{id}', 'POST /orders']);
    expect(ops.get('GET /orders').security).toEqual([{ oidc: ['orders:read'], tokenAuthorizer: [] }]);
    expect(ops.get('POST /orders').security).toEqual([{ oidc: ['orders:write'], tokenAuthorizer: [] }]);
    expect(ops.get('GET /orders/{id}').security).toEqual([
      { oidc: ['orders:admin'], tokenAuthorizer: [] },
      { oidc: ['orders:read'], tokenAuthorizer: [] },
    ]);
    expect(ops.get('ANY /admin/{proxy+}').security).toEqual([{ oidc: ['orders:admin'], tokenAuthorizer: [] }]);
    expect(ops.get('GET /me').security).toEqual([{ oidc: [], tokenAuthorizer: [] }]);
    expect(ops.get('GET /health').security).toEqual([]);
    await expectValid(document);
  });

  test('should describe the issuer and the API Gateway authorizer as security schemes', () => {
    // GIVEN
    const { stack } = makeStack();

    // WHEN
    const document = JSON.parse(ordersApi(stack).renderOpenApi());

    // THEN
    expect(document.components.securitySchemes.oidc).toEqual({
      type: 'openIdConnect',
      openIdConnectUrl: 'https://issuer.example.com/.well-known/openid-configuration',
      description: expect.stringContaining('api://orders'),
    });
    expect(document.components.securitySchemes.tokenAuthorizer).toEqual({
      'type': 'apiKey',
      'name': 'Authorization',
      'in': 'header',
      'description': expect.any(String),
      'x-amazon-apigateway-authtype': 'custom',
      'x-amazon-apigateway-authorizer': {
        type: 'request',
        identitySource: 'method.request.header.Authorization',
        authorizerResultTtlInSeconds: 300,
      },
    });
  });

  test('should name the identity sources the authorizer caches by when its table needs the route in the key', () => {
    // GIVEN: a token with s1 is Denied a/* for /a/{x}, which would shut /a/q/b (see route-table.ts)
    const { stack } = makeStack();
    const fn = handler(stack, 'Fn');

    // WHEN
    const api = new SecuredApi(stack, 'Api', {
      issuer: ISSUER,
      routes: [
        { method: HttpMethod.GET, path: '/{y}', handler: fn, scopes: ['s1'] },
        { method: HttpMethod.GET, path: '/a/{x}/b', handler: fn, scopes: ['s1'] },
        { method: HttpMethod.GET, path: '/a/{x}', handler: fn, scopes: ['s2'] },
      ],
    });
    const document = JSON.parse(api.renderOpenApi());

    // THEN: rendering did not freeze the authorizer's table, and names the sources its authorizer has
    expect(() => api.addRoute({ method: HttpMethod.GET, path: '/health', handler: fn, public: true })).not.toThrow();
    const template = JSON.stringify((stack.node.root as App).synth().getStackArtifact(stack.artifactId).template);
    expect(template).toContain('"identitySource":"method.request.header.Authorization, context.httpMethod, context.resourcePath"');
    expect(document.components.securitySchemes.tokenAuthorizer['x-amazon-apigateway-authorizer'].identitySource)
      .toBe('method.request.header.Authorization, context.httpMethod, context.resourcePath');
  });

  test('should declare path parameters, greedy ones included, and ANY as API Gateway\'s any-method', () => {
    // GIVEN
    const { stack } = makeStack();

    // WHEN
    const document = JSON.parse(ordersApi(stack).renderOpenApi());

    // THEN
    expect(document.paths['/orders/{id}'].parameters).toEqual([{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }]);
    expect(document.paths['/admin/{proxy+}'].parameters).toEqual([
      { name: 'proxy', in: 'path', required: true, description: expect.stringContaining('greedy'), schema: { type: 'string' } },
    ]);
    expect(Object.keys(document.paths['/admin/{proxy+}'])).toEqual(['parameters', 'x-amazon-apigateway-any-method']);
  });

  test('should carry claim rules and throttles as extensions', () => {
    // GIVEN
    const { stack } = makeStack();

    // WHEN
    const document = JSON.parse(ordersApi(stack).renderOpenApi());

    // THEN
    const ops = operationsOf(document);
    expect(ops.get('GET /orders/{id}')[CLAIM_RULES_EXTENSION]).toEqual([{ claim: 'tenant', equalTo: 'acme' }]);
    expect(ops.get('ANY /admin/{proxy+}')[CLAIM_RULES_EXTENSION]).toEqual([
      { claim: 'groups', contains: 'admins' },
      { claim: 'region', oneOf: ['eu', 'us'] },
    ]);
    expect(ops.get('GET /orders')[CLAIM_RULES_EXTENSION]).toBeUndefined();
    expect(ops.get('POST /orders')[THROTTLE_EXTENSION]).toEqual({ rateLimit: 10, burstLimit: 20 });
    expect(ops.get('GET /orders')[THROTTLE_EXTENSION]).toBeUndefined();
    expect(document[THROTTLE_EXTENSION]).toEqual({ rateLimit: 100, burstLimit: 200 });
  });

  test('should leave deploy-time values out: the REST API id is a server variable, no authorizerUri', () => {
    // GIVEN: one stack with a region, one without
    const { stack } = makeStack();
    const agnostic = new Stack(new App(), 'Agnostic');

    // WHEN
    const regional = JSON.parse(ordersApi(stack).renderOpenApi());
    const anywhere = JSON.parse(ordersApi(agnostic, { stageName: 'v1' }).renderOpenApi());

    // THEN
    expect(regional.servers).toEqual([{
      url: 'https://{restApiId}.execute-api.eu-west-1.amazonaws.com/prod',
      description: expect.any(String),
      variables: { restApiId: { default: expect.any(String), description: expect.any(String) } },
    }]);
    expect(anywhere.servers[0].url).toBe('https://{restApiId}.execute-api.{region}.amazonaws.com/v1');
    expect(Object.keys(anywhere.servers[0].variables).sort()).toEqual(['region', 'restApiId']);
    expect(JSON.stringify(regional)).not.toMatch(/\$\{Token|Fn::|arn:/);
  });

  test('should change info.version exactly when the definition does', () => {
    // GIVEN
    const render = (scopes: string[]) => {
      const { stack } = makeStack();
      return JSON.parse(new SecuredApi(stack, 'Api', {
        issuer: ISSUER,
        routes: [{ method: HttpMethod.GET, path: '/orders', handler: handler(stack), scopes }],
      }).renderOpenApi()).info.version;
    };

    // THEN
    expect(render(['a'])).toBe(render(['a']));
    expect(render(['a'])).not.toBe(render(['b']));
  });

  test('should write the document next to the template at synthesis', () => {
    // GIVEN
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-'));
    const synthApp = new App({ outdir });
    const stack = new Stack(synthApp, 'Orders', { env: { account: '123456789012', region: 'eu-west-1' } });
    const api = ordersApi(stack);

    // WHEN
    const assembly = synthApp.synth();

    // THEN
    expect(api.openApiFileName).toBe('Orders.Api.openapi.json');
    const template = assembly.getStackArtifact(stack.artifactId).templateFullPath;
    const written = path.join(path.dirname(template), api.openApiFileName);
    expect(fs.readFileSync(written, 'utf8')).toBe(api.renderOpenApi());
  });
});

// ---------------------------------------------------------------------------------------------
// Generated route tables

const SCOPES = ['s1', 's2', 's3'];
const RULES = [ClaimRule.equalTo('tenant', 'acme'), ClaimRule.oneOf('tenant', ['acme', 'beta']), ClaimRule.contains('groups', 'admin')];

const genRoute = fc.record({
  method: fc.constantFrom(...Object.values(HttpMethod)),
  segments: fc.array(fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('a', 'b', 'orders') },
    { weight: 2, arbitrary: fc.constant('{param}') },
    { weight: 1, arbitrary: fc.constant('{proxy+}') },
  ), { maxLength: 3 }),
  scopes: fc.subarray(SCOPES),
  rules: fc.subarray(RULES, { maxLength: 2 }),
  isPublic: fc.boolean(),
  throttle: fc.option(fc.record({ rateLimit: fc.nat(1000), burstLimit: fc.nat(1000) }), { nil: undefined }),
});

type GenRoute = typeof genRoute extends fc.Arbitrary<infer T> ? T : never;

/** The routes API Gateway would accept, in the order generated; the others are dropped. */
function routeTable(generated: ReadonlyArray<GenRoute>): OpenApiRoute[] {
  const routes: OpenApiRoute[] = [];
  for (const g of generated) {
    // A greedy parameter ends the path; parameters are named by depth, as one path may not repeat a name.
    const cut = g.segments.indexOf('{proxy+}');
    const segments = (cut < 0 ? g.segments : g.segments.slice(0, cut + 1))
      .map((s, i) => (s === '{param}' ? `{p${i}}` : s));
    const checked = checkRoute('test', {
      method: g.method,
      path: '/' + segments.join('/'),
      scopes: g.isPublic ? [] : g.scopes,
      claimRules: g.isPublic ? [] : g.rules,
    });
    try {
      checkRouteSet('test', [...routes, checked]);
    } catch {
      continue;
    }
    routes.push({ ...checked, isPublic: g.isPublic, throttle: g.throttle });
  }
  return routes;
}

describe('OpenAPI documents of generated route tables', () => {
  test('should list every guarded route with exactly its scopes and every public route with security [], and validate', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(genRoute, { minLength: 1, maxLength: 8 }), async (generated) => {
        const routes = routeTable(generated);
        const document: any = openApiDocument({
          title: 'generated',
          issuerUrl: 'https://issuer.example.com/',
          audiences: ['api://generated'],
          identitySources: ['method.request.header.Authorization'],
          stageName: 'prod',
          routes,
        });

        const ops = operationsOf(document);
        expect(ops.size).toBe(routes.length);
        for (const route of routes) {
          const op = ops.get(`${route.method} ${route.resource}`);
          expect(op).toBeDefined();
          if (route.isPublic) {
            expect(op.security).toEqual([]);
          } else {
            expect(op.security).toEqual(guardedSecurity(route.scopes));
            expect(op[CLAIM_RULES_EXTENSION]?.length ?? 0).toBe(route.claimRules.length);
          }
        }
        // No operation without the authorizer unless public.
        for (const op of ops.values()) {
          const guarded = op.security.length > 0;
          expect(op.security.every((req: any) => AUTHORIZER_SCHEME in req && OIDC_SCHEME in req)).toBe(true);
          expect(guarded || op.description.startsWith('Public')).toBe(true);
        }
        await expectValid(document);
      }),
      { numRuns: Number(process.env.PROP_RUNS ?? 100) },
    );
  });
});
