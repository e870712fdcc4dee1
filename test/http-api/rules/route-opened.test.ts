import { httpApi } from './subject';
import { routeOpened } from '../../../src/http-api/rules/route-opened';
import { messagesOf } from '../../../src/rules/rule';

const ORDERS = 'Orders/Api/Routes/GET_orders/Resource';
const HEALTH = { path: 'Orders/Api/Routes/GET_health/Resource', properties: { RouteKey: 'GET /health', AuthorizationType: 'NONE' } };

describe('routeOpened', () => {
  test('should pass the routes as the construct wrote them', () => {
    expect(messagesOf(routeOpened, httpApi())).toEqual([]);
    expect(routeOpened.code).toBe('SecuredHttpApi.RouteOpened');
  });

  test.each([
    ['AuthorizationType NONE', { RouteKey: 'GET /orders', AuthorizationType: 'NONE', AuthorizerId: { Ref: 'Jwt' }, AuthorizationScopes: ['r'] }],
    ['no AuthorizationType', { RouteKey: 'GET /orders', AuthorizerId: { Ref: 'Jwt' }, AuthorizationScopes: ['r'] }],
    ['no AuthorizerId', { RouteKey: 'GET /orders', AuthorizationType: 'JWT', AuthorizationScopes: ['r'] }],
    ['other scopes', { RouteKey: 'GET /orders', AuthorizationType: 'JWT', AuthorizerId: { Ref: 'Jwt' }, AuthorizationScopes: ['r', 'x'] }],
    ['no scopes', { RouteKey: 'GET /orders', AuthorizationType: 'JWT', AuthorizerId: { Ref: 'Jwt' } }],
  ])('should refuse a guarded route with %s', (_name, properties) => {
    const [message] = messagesOf(routeOpened, httpApi({ routes: [{ path: ORDERS, properties }, HEALTH] }));
    expect(message).toContain('Orders/Api: the route GET /orders (Orders/Api/Routes/GET_orders/Resource) is guarded');
    expect(message).toContain('public: true is the only way to open a route');
  });

  test('should refuse a route the construct did not make that has no authorizer', () => {
    const routes = [...httpApi().templateRoutes(), { path: 'Orders/Sneaky', properties: { RouteKey: '$default' } }];
    expect(messagesOf(routeOpened, httpApi({ routes }))).toEqual([
      'Orders/Api: the route $default (Orders/Sneaky) is not one of the API\'s routes and has no authorizer, so it is open to anyone; add routes with addRoute (public: true is the only way to open one), or remove it.',
    ]);
  });

  test('should refuse a route of the construct missing from the template', () => {
    expect(messagesOf(routeOpened, httpApi({ routes: [HEALTH] }))).toEqual([
      'Orders/Api: the route GET /orders (JWT) is missing from the template; remove the override that removed it.',
    ]);
  });
});
