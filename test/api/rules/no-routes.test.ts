import { securedApi } from './subjects';
import { noRoutes } from '../../../src/api/rules/no-routes';
import { messagesOf } from '../../../src/rules/rule';

describe('noRoutes', () => {
  test('should pass an API with a route', () => {
    expect(messagesOf(noRoutes, securedApi({ routeResources: ['/health'] }))).toEqual([]);
  });

  test('should refuse an API without routes, naming it and the fix', () => {
    expect(messagesOf(noRoutes, securedApi({ routeResources: [] }))).toEqual([
      'Orders/Api has no routes, and API Gateway refuses to deploy a REST API without methods ("The REST API doesn\'t contain any methods"); '
      + 'add routes with the routes prop or addRoute() (e.g. { method: HttpMethod.GET, path: \'/health\', handler, public: true } while the API has nothing else to serve).',
    ]);
    expect(noRoutes.code).toBe('SecuredApi.NoRoutes');
  });
});
