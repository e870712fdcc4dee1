/**
 * Generated route sets, through the real SecuredApi, synthesized, with and without per-client
 * quotas and CORS: every route's authorization in the REST API's definition, read as API Gateway
 * reads it, is exactly what the route asked for (no operation without the authorizer unless
 * public, the API key required on every guarded one with quotas, no operation no route made
 * besides the preflights), every operation is in the forms API Gateway's export writes (its own
 * path parameters, `responses`), the authorizer's route table holds exactly the guarded routes, and
 * any change an override makes to a guarded operation's security fails synth. And the definition
 * and the readers' OpenAPI document, written from generated routes, declare the same path
 * parameters for every path shape.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as fc from 'fast-check';
import { HttpMethod, OidcIssuer, SecuredApi, SecuredApiRoute } from '../../src';
import { DefinitionRoute, definitionOperations, pathParameters, restApiDefinition } from '../../src/api/definition';
import { openApiDocument, OpenApiRoute } from '../../src/api/openapi';
import type { RouteMethod } from '../../src/authorizer/contract';
import { authorizationOf, operationsOf } from '../support/definition';
import { okHandler } from '../support/orders-api';

const ISSUER = OidcIssuer.fromUrl('https://issuer.example.com', { audiences: ['api://orders'] });
interface GenRoute {
  readonly method: HttpMethod;
  readonly segments: string[];
  readonly isPublic: boolean;
  readonly scopes: string[];
  readonly fn: number;
}

const genRoute: fc.Arbitrary<GenRoute> = fc.record({
  method: fc.constantFrom(...Object.values(HttpMethod)),
  // One parameter name per position, so that generated sets rarely clash on names.
  segments: fc.array(fc.oneof(fc.constantFrom('a', 'b', 'orders'), fc.constant('{p}'), fc.constant('{proxy+}')), { maxLength: 3 }),
  isPublic: fc.boolean(),
  scopes: fc.subarray(['s1', 's2', 's3'], { maxLength: 2 }),
  fn: fc.nat(2),
});

/** The options the definition's forms depend on. */
interface GenOptions {
  readonly quotas: boolean;
  readonly cors: boolean;
}

const genOptions: fc.Arbitrary<GenOptions> = fc.record({ quotas: fc.boolean(), cors: fc.boolean() });

/** A SecuredApi of the routes, or undefined when SecuredApi refuses the set (duplicates, ANY beside a method, a bad path, OPTIONS with CORS). */
function build(gen: GenRoute[], options: GenOptions = { quotas: false, cors: false }):
{ app: App; stack: Stack; api: SecuredApi; routes: SecuredApiRoute[] } | undefined {
  const app = new App();
  const stack = new Stack(app, 'Gen', { env: { account: '123456789012', region: 'eu-west-1' } });
  const fns = [0, 1, 2].map((i) => okHandler(stack, `Fn${i}`));
  const routes: SecuredApiRoute[] = gen.map((g) => ({
    method: g.method,
    path: '/' + g.segments.join('/'),
    handler: fns[g.fn],
    ...(g.isPublic ? { public: true } : { scopes: g.scopes }),
  }));
  try {
    const api = new SecuredApi(stack, 'Api', {
      issuer: ISSUER,
      routes,
      dashboard: false,
      alarms: false,
      auditQueries: false,
      ...(options.quotas ? { quotas: { tiers: [{ name: 'free', rateLimit: 1 }], defaultTier: 'free' } } : {}),
      ...(options.cors ? { cors: { allowOrigins: ['https://app.example.com', 'https://admin.example.com'] } } : {}),
    });
    return { app, stack, api, routes };
  } catch {
    return undefined;
  }
}

function synthesized(app: App, stack: Stack): { body: any; config: any } {
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template;
  const api = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::ApiGateway::RestApi');
  expect(api).toHaveLength(1);
  const fn = Object.values<any>(template.Resources).find((r) => r.Properties?.Environment?.Variables?.SECURED_API_ISSUER !== undefined);
  const dir = path.join(assembly.directory, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
  return { body: api[0].Properties.Body, config: JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) };
}

describe('SecuredApi definition (generated route sets)', () => {
  test('should give every route exactly its authorization, and nothing else an operation, in the export\'s forms', () => {
    let built = 0;
    fc.assert(fc.property(fc.array(genRoute, { minLength: 1, maxLength: 8 }), genOptions, (gen, options) => {
      const made = build(gen, options);
      fc.pre(made !== undefined);
      built++;
      const { app, stack, routes } = made!;
      const { body, config } = synthesized(app, stack);
      const ops = operationsOf(body);
      const route = (r: SecuredApiRoute) => `${r.method} ${r.path}`;
      const preflights = options.cors ? [...new Set(routes.map((r) => `OPTIONS ${r.path}`))] : [];
      expect([...ops.keys()].sort()).toEqual([...routes.map(route), ...preflights].sort());
      for (const r of routes) {
        const op = ops.get(route(r));
        // As written, and as API Gateway reads it (every scheme named applies to the one method).
        const security = r.public ? [] : [{ tokenAuthorizer: [] }, ...(options.quotas ? [{ api_key: [] }] : [])];
        expect([route(r), op.security]).toEqual([route(r), security]);
        expect([route(r), authorizationOf(op)]).toEqual([route(r), r.public ? { apiKeyRequired: false } : { authorizer: 'tokenAuthorizer', apiKeyRequired: options.quotas }]);
        expect(op['x-amazon-apigateway-integration']).toMatchObject({ type: 'aws_proxy', httpMethod: 'POST' });
        // Its own path parameters, a greedy one named `proxy`, and responses.
        const names = [...r.path.matchAll(/\{([^}+]+)\+?\}/g)].map(([, name]) => name);
        expect([route(r), op.parameters]).toEqual([route(r), names.length ? names.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })) : undefined]);
        expect([route(r), op.responses]).toEqual([route(r), {}]);
      }
      for (const preflight of preflights) {
        expect([preflight, authorizationOf(ops.get(preflight))]).toEqual([preflight, { apiKeyRequired: false }]);
        expect(ops.get(preflight)['x-amazon-apigateway-integration'].type).toBe('mock');
      }
      for (const item of Object.values<any>(body.paths)) {
        expect(item.parameters).toBeUndefined();
      }
      expect(body.security).toBeUndefined();
      expect(Object.keys(body.components.securitySchemes)).toEqual(['tokenAuthorizer', ...(options.quotas ? ['api_key'] : [])]);
      expect(config.routes.map((r: any) => `${r.method} ${r.resource}`).sort()).toEqual(routes.filter((r) => !r.public).map(route).sort());
    }), { numRuns: 60, seed: 20261130 });
    // The generator must mostly produce sets SecuredApi accepts, or the property says little.
    expect(built).toBeGreaterThan(30);
  });

  test('should fail synth, naming the route, on any change an override makes to a guarded operation\'s security', () => {
    const tampered = fc.oneof(
      fc.constant(undefined), // removed
      fc.constant([]),
      fc.constant([{}]),
      fc.constant([{ tokenAuthorizer: ['s1'] }]),
      fc.constant([{ tokenAuthorizer: [] }, {}]),
      fc.constant([{ other: [] }]),
      fc.constant('none'),
      // The two-object form API Gateway reads as "and": any change to it, or to it where it is not written.
      fc.constant([{ api_key: [] }]),
      fc.constant([{ tokenAuthorizer: [] }, { other: [] }]),
      fc.constant([{ other: [] }, { api_key: [] }]),
      fc.constant([{ tokenAuthorizer: [], api_key: [] }]),
      fc.constant([{ tokenAuthorizer: [] }, { api_key: [] }]),
      fc.constant([{ tokenAuthorizer: [] }]),
    );
    let built = 0;
    fc.assert(fc.property(fc.array(genRoute, { minLength: 1, maxLength: 6 }), genOptions, fc.nat(), tampered, (gen, options, pick, security) => {
      const written = [{ tokenAuthorizer: [] }, ...(options.quotas ? [{ api_key: [] }] : [])];
      fc.pre(JSON.stringify(security) !== JSON.stringify(written));
      const made = build(gen, options);
      const guarded = made?.routes.filter((r) => !r.public) ?? [];
      fc.pre(made !== undefined && guarded.length > 0);
      built++;
      const target = guarded[pick % guarded.length];
      const key = target.method === HttpMethod.ANY ? 'x-amazon-apigateway-any-method' : target.method.toLowerCase();
      const cfn = made!.api.restApi.node.defaultChild as apigateway.CfnRestApi;
      const at = `Body.paths.${target.path}.${key}.security`;
      if (security === undefined) {
        cfn.addPropertyDeletionOverride(at);
      } else {
        cfn.addPropertyOverride(at, security);
      }
      expect(() => made!.app.synth()).toThrow(`operation ${target.method} ${target.path} is a guarded route, but as deployed its security is`);
    }), { numRuns: 40, seed: 20261130 });
    expect(built).toBeGreaterThan(20);
  });

  test('should fail synth on any change an override makes to a security scheme a guarded operation names', () => {
    // Each scheme as written, then a change to one of its fields (or the whole scheme).
    const change = fc.record({
      scheme: fc.constantFrom('tokenAuthorizer', 'api_key'),
      field: fc.constantFrom('type', 'name', 'in', 'x-amazon-apigateway-authtype', 'x-amazon-apigateway-authorizer'),
      value: fc.oneof(fc.constant('custom'), fc.constant('query'), fc.constant({ type: 'token' }), fc.constant('x-api-key')),
    });
    let built = 0;
    fc.assert(fc.property(fc.array(genRoute, { minLength: 1, maxLength: 4 }), change, (gen, { scheme, field, value }) => {
      const made = build(gen, { quotas: true, cors: false });
      fc.pre(made !== undefined && made.routes.some((r) => !r.public));
      const cfn = made!.api.restApi.node.defaultChild as apigateway.CfnRestApi;
      // The fields as written (the authorizer's own object is never one of the values).
      const written: Record<string, Record<string, unknown>> = {
        tokenAuthorizer: { 'type': 'apiKey', 'name': 'Authorization', 'in': 'header', 'x-amazon-apigateway-authtype': 'custom' },
        api_key: { type: 'apiKey', name: 'x-api-key', in: 'header' },
      };
      fc.pre(JSON.stringify(written[scheme][field]) !== JSON.stringify(value));
      built++;
      cfn.addPropertyOverride(`Body.components.securitySchemes.${scheme}.${field}`, value);
      expect(() => made!.app.synth()).toThrow(/is a guarded route, but as deployed its security is .* and the definition's (token authorizer scheme|security scheme api_key) was changed/);
    }), { numRuns: 25, seed: 20261207 });
    expect(built).toBeGreaterThan(10);
  });
});

describe('REST API definition and OpenAPI document (generated path shapes)', () => {
  /** A path segment: a literal, a parameter, or (last only) a greedy parameter; names from API Gateway's alphabet. */
  const genSegment = fc.oneof(
    fc.constantFrom('a', 'orders', 'v1.2', 'x-y', 'A_b'),
    fc.constantFrom('id', 'orderId', 'p_1', 'Id2').map((name) => `{${name}}`),
  );
  const genPath = fc.record({
    segments: fc.array(genSegment, { maxLength: 4 }),
    greedy: fc.option(fc.constantFrom('proxy', 'rest', 'path_2'), { nil: undefined }),
  }).map(({ segments, greedy }) => {
    // One path may not repeat a parameter name: number them by depth.
    const named = segments.map((s, i) => (s.startsWith('{') ? `{${s.slice(1, -1)}${i}}` : s));
    return '/' + [...named, ...(greedy ? [`{${greedy}+}`] : [])].join('/');
  });
  const genRoutes = fc.uniqueArray(
    fc.record({ method: fc.constantFrom<RouteMethod>('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'), resource: genPath, isPublic: fc.boolean() }),
    { minLength: 1, maxLength: 10, selector: (r) => `${r.method} ${r.resource}` },
  );

  test('should declare the same path parameters, named as API Gateway names them, for every route in both', () => {
    fc.assert(fc.property(genRoutes, fc.boolean(), (routes, apiKeyRequired) => {
      // WHEN
      const definition: any = restApiDefinition({
        title: 'generated',
        version: '1',
        identitySources: ['method.request.header.Authorization'],
        resultsCacheTtlSeconds: 300,
        authorizerUri: 'arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:authorizer/invocations',
        apiKeyRequired,
        routes: routes.map((r): DefinitionRoute => ({ ...r, integrationUri: 'arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/fn/invocations' })),
      });
      const document: any = openApiDocument({
        title: 'generated',
        issuerUrl: 'https://issuer.example.com',
        identitySources: ['method.request.header.Authorization'],
        stageName: 'prod',
        routes: routes.map((r): OpenApiRoute => ({ ...r, scopes: [], claimRules: [] })),
      });

      // THEN: the same operations
      const key = ({ method, resource }: { method: string; resource: string }) => `${method} ${resource}`;
      expect(definitionOperations(definition).map(key).sort()).toEqual(routes.map(key).sort());
      expect(definitionOperations(document).map(key).sort()).toEqual(routes.map(key).sort());
      for (const { method, resource } of routes) {
        // Each template expression's name, a greedy one without its `+`, in path order.
        const names = [...resource.matchAll(/\{([^}]+)\}/g)].map(([, expression]) => expression.replace(/\+$/, ''));
        const expected = names.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
        expect(pathParameters(resource)).toEqual(expected);
        // The definition declares them per operation (as the export writes them), the document once per path.
        const op = definitionOperations(definition).find((o) => o.method === method && o.resource === resource)!.operation;
        expect([key({ method, resource }), op.parameters ?? []]).toEqual([key({ method, resource }), expected]);
        const described = (document.paths[resource].parameters ?? []).map(({ description, ...p }: any) => p);
        expect([resource, described]).toEqual([resource, expected]);
        const greedy = /\{([^}]+)\+\}$/.exec(resource)?.[1];
        expect((document.paths[resource].parameters ?? []).filter((p: any) => p.description !== undefined).map((p: any) => p.name))
          .toEqual(greedy === undefined ? [] : [greedy]);
      }
    }), { numRuns: 200, seed: 20261207 });
  });
});
