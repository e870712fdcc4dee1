import { body, httpApi } from './subject';
import { routeOpened } from '../../../src/http-api/rules/route-opened';
import { messagesOf } from '../../../src/rules/rule';

describe('routeOpened', () => {
  test('should pass the routes as the construct wrote them', () => {
    expect(messagesOf(routeOpened, httpApi())).toEqual([]);
    expect(routeOpened.code).toBe('SecuredHttpApi.RouteOpened');
  });

  test.each<[string, (b: any) => void]>([
    ['an empty security', (b) => { b.paths['/orders'].get.security = []; }],
    ['no security', (b) => { delete b.paths['/orders'].get.security; }],
    ['another authorizer', (b) => { b.paths['/orders'].get.security = [{ Other: ['r'] }]; b.components.securitySchemes.Other = { 'x-amazon-apigateway-authorizer': { type: 'jwt' } }; }],
    ['other scopes', (b) => { b.paths['/orders'].get.security = [{ JwtAuthorizer: ['r', 'x'] }]; }],
    ['no scopes', (b) => { b.paths['/orders'].get.security = [{ JwtAuthorizer: [] }]; }],
    ['the Lambda authorizer\'s type on the JWT authorizer', (b) => { b.components.securitySchemes.JwtAuthorizer['x-amazon-apigateway-authorizer'].type = 'request'; }],
  ])('should refuse a guarded route with %s', (_name, change) => {
    const [message] = messagesOf(routeOpened, httpApi({ body: body(change) }));
    expect(message).toContain('Orders/Api: the route GET /orders is guarded, but the API\'s OpenAPI definition (Body) gives it');
    expect(message).toContain('public: true is the only way to open a route');
  });

  test.each<[string, (b: any) => void, RegExp]>([
    ['alternatives', (b) => { b.paths['/orders'].get.security = [{ JwtAuthorizer: ['r'] }, {}]; }, /is not one requirement naming one authorizer/],
    ['an unknown authorizer', (b) => { b.paths['/orders'].get.security = [{ Nobody: ['r'] }]; }, /names Nobody, which is not a jwt or request authorizer of the definition/],
    ['scopes that are not strings', (b) => { b.paths['/orders'].get.security = [{ JwtAuthorizer: 'r' }]; }, /its scopes "r" are not a list of strings/],
  ])('should refuse a route whose authorization cannot be read (%s), failing closed', (_name, change, detail) => {
    const [message] = messagesOf(routeOpened, httpApi({ body: body(change) }));
    expect(message).toMatch(/Orders\/Api: the route GET \/orders in the API's OpenAPI definition \(Body\) cannot be read as guarded/);
    expect(message).toMatch(detail);
  });

  test('should read a top-level security requirement as every operation\'s without one of its own (OpenAPI)', () => {
    // A public route takes the top-level requirement: more guarded than written, which ResourceOverridden reports; not opened.
    expect(messagesOf(routeOpened, httpApi({ body: body((b) => { b.security = [{ JwtAuthorizer: ['r'] }]; }) }))).toEqual([]);
  });

  test('should refuse a route the construct did not make that has no authorizer', () => {
    const b = body((x) => { x.paths['/admin'] = { delete: { 'x-amazon-apigateway-integration': { $ref: '#/components/x-amazon-apigateway-integrations/Integration0' } } }; });
    expect(messagesOf(routeOpened, httpApi({ body: b }))).toEqual([
      'Orders/Api: the route DELETE /admin (in the API\'s OpenAPI definition) is not one of the API\'s routes and has no authorizer, so it is open to anyone; add routes with addRoute (public: true is the only way to open one), or remove it.',
    ]);
  });

  test('should refuse what of the definition cannot be read as routes', () => {
    const [message] = messagesOf(routeOpened, httpApi({ body: body((b) => { b.paths['/orders'] = { $ref: '#/paths/~1health' }; }) }));
    expect(message).toContain('the API\'s OpenAPI definition (Body) cannot be read as routes: the path /orders has $ref');
  });

  test('should refuse a route of the construct missing from the definition', () => {
    expect(messagesOf(routeOpened, httpApi({ body: body((b) => { delete b.paths['/orders']; }) }))).toEqual([
      'Orders/Api: the route GET /orders (JWT) is missing from the API\'s OpenAPI definition (Body); remove the override that removed it.',
    ]);
  });
});
