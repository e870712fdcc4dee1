import { ExpectedRoute, TemplateRoute } from '../../../src/http-api/private/route-guard';
import { SecuredHttpApiSubject } from '../../../src/http-api/rules';

/** A SecuredHttpApi subject: one JWT route `GET /orders` (scope r), one public `GET /health`, unless overridden. */
export function httpApi(overrides: Partial<SecuredHttpApiSubject> & { routes?: TemplateRoute[] } = {}): SecuredHttpApiSubject {
  const expected = new Map<string, ExpectedRoute>([
    ['GET /orders', { authorizationType: 'JWT', scopes: ['r'] }],
    ['GET /health', { authorizationType: 'NONE', scopes: [] }],
  ]);
  const routes: TemplateRoute[] = overrides.routes ?? [
    { path: 'Orders/Api/Routes/GET_orders/Resource', properties: { RouteKey: 'GET /orders', AuthorizationType: 'JWT', AuthorizerId: { Ref: 'Jwt' }, AuthorizationScopes: ['r'] } },
    { path: 'Orders/Api/Routes/GET_health/Resource', properties: { RouteKey: 'GET /health', AuthorizationType: 'NONE' } },
  ];
  return { path: 'Orders/Api', expected, templateRoutes: () => routes, changedResources: () => [], routeCount: 2, maxRoutes: 300, integrationCount: 1, deploymentCheck: () => [], ...overrides };
}
