/**
 * Generated APIs (guarded and public routes, Lambda and HTTP backends, over a VPC link or not, CORS,
 * quotas, authorizer settings): the deployment check's handler passes exactly the faithful import of
 * what the construct wrote, and fails every single-field corruption of it.
 */
import { Lazy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as fc from 'fast-check';
import { RouteBackend } from '../../src';
import { httpProxyIntegration } from '../../src/api/backend';
import { runCheck } from '../../src/api/runtime/check';
import type { RouteMethod } from '../../src/authorizer/contract';
import { ImportedApi } from '../support/api-gateway-import';
import { checkEvent, checkFixture, CheckFixture, deployedOf, FixtureInput, FixtureRoute } from '../support/deployment-check';

const METHODS: RouteMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'];

interface GenRoute {
  readonly method: RouteMethod;
  readonly segments: string[];
  readonly isPublic: boolean;
  /** A function (0-2), or an HTTP backend: over the internet, or over a VPC link. */
  readonly backend: { kind: 'lambda'; fn: number } | { kind: 'http' | 'vpcLink'; usesParam: boolean };
}

const genRoute: fc.Arbitrary<GenRoute> = fc.record({
  method: fc.constantFrom(...METHODS),
  segments: fc.array(fc.constantFrom('a', 'b', 'orders', '{id}'), { maxLength: 3 }),
  isPublic: fc.boolean(),
  backend: fc.oneof(
    fc.record({ kind: fc.constant('lambda' as const), fn: fc.nat(2) }),
    fc.record({ kind: fc.constantFrom('http' as const, 'vpcLink' as const), usesParam: fc.boolean() }),
  ),
});

const genInput = fc.record({
  routes: fc.array(genRoute, { minLength: 1, maxLength: 12 }),
  cors: fc.boolean(),
  quotas: fc.boolean(),
  ttl: fc.integer({ min: 0, max: 3600 }),
  routeCache: fc.boolean(),
  subUris: fc.boolean(),
});

/** The fixture input of generated routes: one route per method and path, paths with unique parameter names, no OPTIONS beside CORS. */
function fixtureInput(gen: { routes: GenRoute[]; cors: boolean; quotas: boolean; ttl: number; routeCache: boolean; subUris: boolean }): FixtureInput {
  const stack = new Stack();
  const link = apigateway.VpcLink.fromVpcLinkId(stack, 'Link', Lazy.string({ produce: () => 'vl0a1b2' }));
  const seen = new Set<string>();
  const routes: FixtureRoute[] = [];
  for (const r of gen.routes) {
    const segments = r.segments.map((s, i) => (s === '{id}' ? `{id${i}}` : s));
    const resource = '/' + segments.join('/');
    const key = `${r.method} ${resource}`;
    if (seen.has(key) || (gen.cors && r.method === 'OPTIONS')) {
      continue;
    }
    seen.add(key);
    const param = segments.find((s) => s.startsWith('{'));
    if (r.backend.kind === 'lambda') {
      routes.push({ method: r.method, resource, isPublic: r.isPublic, fn: `fn${r.backend.fn}` });
    } else {
      const url = `${r.backend.kind === 'http' ? 'https' : 'http'}://backend.example.com/v1${r.backend.usesParam && param ? `/${param}` : ''}`;
      const backend = r.backend.kind === 'http' ? RouteBackend.http(url) : RouteBackend.vpcLink(link, url);
      routes.push({ method: r.method, resource, isPublic: r.isPublic, integration: httpProxyIntegration('Gen', backend, r.method, resource, r.isPublic) });
    }
  }
  return { routes, cors: gen.cors, quotas: gen.quotas, ttl: gen.ttl, routeCache: gen.routeCache, subUris: gen.subUris };
}

/** Every change of one field the check compares, each applied to its own copy of the import. */
function corruptions(api: ImportedApi): Array<{ what: string; apply: (copy: ImportedApi) => void }> {
  const list: Array<{ what: string; apply: (copy: ImportedApi) => void }> = [];
  const add = (what: string, apply: (copy: ImportedApi) => void) => list.push({ what, apply });
  const ours = api.authorizers[0].id;
  api.resources.forEach((resource, ri) => {
    const methods = resource.resourceMethods ?? {};
    for (const [verb, method] of Object.entries<any>(methods)) {
      const at = (copy: ImportedApi) => copy.resources[ri].resourceMethods[verb];
      const route = `${verb} ${resource.path}`;
      add(`${route}: removed`, (c) => delete c.resources[ri].resourceMethods[verb]);
      if (method.authorizationType === 'CUSTOM') {
        add(`${route}: authorizationType NONE`, (c) => { at(c).authorizationType = 'NONE'; delete at(c).authorizerId; });
        add(`${route}: authorizationType AWS_IAM`, (c) => { at(c).authorizationType = 'AWS_IAM'; });
        add(`${route}: another authorizer`, (c) => { at(c).authorizerId = 'zz00zz00zz'; });
      } else {
        add(`${route}: authorizationType CUSTOM`, (c) => { at(c).authorizationType = 'CUSTOM'; at(c).authorizerId = ours; });
      }
      add(`${route}: apiKeyRequired flipped`, (c) => { at(c).apiKeyRequired = !method.apiKeyRequired; });
      const integration = method.methodIntegration;
      add(`${route}: integration type`, (c) => { at(c).methodIntegration.type = integration.type === 'MOCK' ? 'AWS_PROXY' : 'MOCK'; });
      add(`${route}: no integration`, (c) => { delete at(c).methodIntegration; });
      if (integration.type !== 'MOCK') {
        add(`${route}: integration uri`, (c) => { at(c).methodIntegration.uri = `${integration.uri}x`; });
        add(`${route}: integration httpMethod`, (c) => { at(c).methodIntegration.httpMethod = integration.httpMethod === 'GET' ? 'POST' : 'GET'; });
        add(`${route}: connectionType`, (c) => { at(c).methodIntegration.connectionType = integration.connectionType === 'VPC_LINK' ? 'INTERNET' : 'VPC_LINK'; });
        add(`${route}: connectionId`, (c) => { at(c).methodIntegration.connectionId = `${integration.connectionId ?? ''}other`; });
        add(`${route}: an extra request parameter`, (c) => {
          at(c).methodIntegration.requestParameters = { ...integration.requestParameters, 'integration.request.header.X-Secured-Api-Sub': "'admin'", 'integration.request.header.X-Extra': "'1'" };
        });
        for (const target of Object.keys(integration.requestParameters ?? {})) {
          add(`${route}: ${target} removed`, (c) => { delete at(c).methodIntegration.requestParameters[target]; });
          add(`${route}: ${target} changed`, (c) => { at(c).methodIntegration.requestParameters[target] = "'forged'"; });
        }
      }
    }
    const free = ['GET', 'POST', 'DELETE', 'OPTIONS', 'ANY'].find((v) => !methods[v]);
    if (free) {
      add(`${free} ${resource.path}: added`, (c) => {
        c.resources[ri].resourceMethods = { ...c.resources[ri].resourceMethods, [free]: { httpMethod: free, authorizationType: 'NONE', apiKeyRequired: false } };
      });
    }
  });
  add('authorizer type', (c) => { c.authorizers[0].type = 'TOKEN'; });
  add('authorizer uri', (c) => { c.authorizers[0].authorizerUri += 'x'; });
  add('authorizer name', (c) => { c.authorizers[0].name = 'other'; });
  add('authorizer removed', (c) => { c.authorizers.splice(0); });
  add('authorizer twice', (c) => { c.authorizers.push({ ...c.authorizers[0], id: 'yy11yy11yy' }); });
  add('identity source dropped', (c) => {
    const sources = c.authorizers[0].identitySource.split(',');
    c.authorizers[0].identitySource = sources.length > 1 ? sources.slice(1).join(',') : 'method.request.header.X-Other';
  });
  add('identity source added', (c) => { c.authorizers[0].identitySource += ', method.request.querystring.token'; });
  add('ttl', (c) => { c.authorizers[0].authorizerResultTtlInSeconds = (c.authorizers[0].authorizerResultTtlInSeconds ?? 300) + 1; });
  add('api key source', (c) => { c.restApi.apiKeySource = c.restApi.apiKeySource === 'AUTHORIZER' ? 'HEADER' : 'AUTHORIZER'; });
  for (const type of ['UNAUTHORIZED', 'ACCESS_DENIED']) {
    const index = api.gatewayResponses.findIndex((r) => r.responseType === type);
    add(`${type} status`, (c) => { c.gatewayResponses[index].statusCode = '200'; });
    add(`${type} removed`, (c) => { c.gatewayResponses.splice(index, 1); });
    for (const name of Object.keys(api.gatewayResponses[index].responseParameters ?? {})) {
      add(`${type} ${name} changed`, (c) => { c.gatewayResponses[index].responseParameters[name] = "'*'"; });
      add(`${type} ${name} removed`, (c) => { delete c.gatewayResponses[index].responseParameters[name]; });
    }
  }
  return list;
}

async function check(fixture: CheckFixture, imported: ImportedApi) {
  return runCheck(checkEvent('Update', fixture.values), {
    model: () => fixture.model,
    client: () => undefined as any,
    read: async () => deployedOf(imported),
    budgetMs: 60_000,
    log: () => undefined,
  });
}

describe('deployment check, generated APIs', () => {
  test('should pass exactly the faithful import, and fail every single-field corruption of it', async () => {
    await fc.assert(fc.asyncProperty(genInput, async (gen) => {
      // GIVEN
      const input = fixtureInput(gen);
      fc.pre(input.routes.length > 0);
      const fixture = checkFixture(input);

      // WHEN / THEN: the faithful import passes, every operation counted
      const answer = await check(fixture, fixture.imported);
      expect(answer.reason?.lines).toBeUndefined();
      expect(answer.status).toBe('SUCCESS');
      const operations = fixture.imported.resources.reduce((n, r) => n + Object.keys(r.resourceMethods ?? {}).length, 0);
      expect(answer.data?.RoutesVerified).toBe(String(operations));

      // AND every corruption fails
      for (const corruption of corruptions(fixture.imported)) {
        const copy: ImportedApi = structuredClone(fixture.imported);
        corruption.apply(copy);
        const corrupted = await check(fixture, copy);
        if (corrupted.status !== 'FAILED') {
          throw new Error(`passed with the corruption: ${corruption.what}`);
        }
        expect(corrupted.reason!.lines.length).toBeGreaterThan(0);
      }
    }), { numRuns: 60 });
  });
});
