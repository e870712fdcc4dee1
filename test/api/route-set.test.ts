import { Match, Template } from 'aws-cdk-lib/assertions';
import { HttpMethod, OidcIssuer, SecuredApi } from '../../src';
import { RouteSet, RouteSetOptions } from '../../src/api/route-set';
import { authorizerConfigJson } from '../support/cdk';
import { definitionOf, operationsOf } from '../support/definition';
import { okHandler, ordersStack } from '../support/orders-api';

const ISSUER = OidcIssuer.fromUrl('https://issuer.example.com', { audiences: ['api://orders'] });

describe('RouteSet', () => {
  function routeSet(overrides: Partial<RouteSetOptions> = {}): { set: RouteSet; checkedBackends: string[]; frozenChecks: string[] } {
    const { stack } = ordersStack();
    const checkedBackends: string[] = [];
    const frozenChecks: string[] = [];
    const set = new RouteSet({
      scope: stack,
      where: 'Orders/Api',
      issuer: ISSUER,
      authorizerWhere: 'Orders/Api/Authorizer',
      preflightOnEveryPath: false,
      callerRoleEnv: () => undefined,
      checkBackend: (_, what) => { checkedBackends.push(what); },
      checkGuardedRouteCanBeAdded: (route) => { frozenChecks.push(`${route.method} ${route.path}`); },
      ...overrides,
    });
    return { set, checkedBackends, frozenChecks };
  }

  test('should store each route once, checked, with the authorizer\'s view of the guarded ones only', () => {
    // GIVEN
    const { stack } = ordersStack();
    const handler = okHandler(stack);
    const { set, frozenChecks } = routeSet();

    // WHEN
    set.add({ method: HttpMethod.GET, path: '/orders', handler, scopes: ['orders:read', 'orders:admin', 'orders:read'] });
    set.add({ method: HttpMethod.GET, path: '/health', handler, public: true, throttle: { rateLimit: 5 } });

    // THEN
    expect(set.routes).toEqual([
      { method: 'GET', resource: '/orders', scopes: ['orders:admin', 'orders:read'], claimRules: [], isPublic: false, handler, callerRoles: [] },
      { method: 'GET', resource: '/health', scopes: [], claimRules: [], isPublic: true, throttle: { rateLimit: 5 }, handler, callerRoles: [] },
    ]);
    expect(set.guardedRoutes()).toEqual([{ method: 'GET', resource: '/orders', scopes: ['orders:admin', 'orders:read'], claimRules: [] }]);
    // The authorizer is asked whether its table is still open for guarded routes only.
    expect(frozenChecks).toEqual(['GET /orders']);
  });

  test('should store nothing when a check fails', () => {
    // GIVEN
    const { stack } = ordersStack();
    const { set } = routeSet();

    // WHEN / THEN
    expect(() => set.add({ method: HttpMethod.GET, path: '/orders', handler: okHandler(stack), throttle: {} }))
      .toThrow(expect.objectContaining({ code: 'SecuredApi.UnusableThrottle' }));
    expect(set.routes).toEqual([]);
  });

  test('should refuse a route once the authorizer\'s route table is written, storing nothing', () => {
    // GIVEN
    const { stack } = ordersStack();
    const { set } = routeSet({ checkGuardedRouteCanBeAdded: () => { throw new Error('frozen'); } });

    // WHEN / THEN
    expect(() => set.add({ method: HttpMethod.GET, path: '/orders', handler: okHandler(stack) })).toThrow('frozen');
    expect(set.routes).toEqual([]);
  });
});

describe('SecuredApi projections of its routes', () => {
  test('should show a route added after construction in the definition, the stage, the OpenAPI document and the authorizer\'s table', () => {
    // GIVEN
    const { app, stack } = ordersStack();
    const handler = okHandler(stack);
    const api = new SecuredApi(stack, 'Api', {
      issuer: ISSUER,
      routes: [{ method: HttpMethod.GET, path: '/health', handler, public: true }],
    });

    // WHEN
    api.addRoute({ method: HttpMethod.POST, path: '/orders', handler, scopes: ['orders:write'], throttle: { rateLimit: 10, burstLimit: 20 } });

    // THEN
    const template = Template.fromStack(stack);
    expect([...operationsOf(definitionOf(template)).keys()].sort()).toEqual(['GET /health', 'POST /orders']);
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([
        { HttpMethod: 'POST', ResourcePath: '/~1orders', ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20, LoggingLevel: 'OFF', DataTraceEnabled: false, MetricsEnabled: false },
      ]),
    });
    const openApi = JSON.parse(api.renderOpenApi());
    expect(Object.keys(openApi.paths).sort()).toEqual(['/health', '/orders']);
    expect(openApi.paths['/orders'].post['x-cdk-secured-api-throttle']).toEqual({ rateLimit: 10, burstLimit: 20 });
    expect(authorizerConfigJson(app, stack).routes.map((r: any) => `${r.method} ${r.resource} ${r.scopes.join(',')}`)).toEqual(['POST /orders orders:write']);
  });
});
