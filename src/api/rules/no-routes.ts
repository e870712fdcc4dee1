import { SecuredApiSubject } from './subjects';
import { messageRule } from '../../rules/rule';

/**
 * A REST API without methods cannot be deployed: API Gateway's CreateDeployment answers
 * `BadRequestException: The REST API doesn't contain any methods` (as aws-cdk-lib's own `RestApi`
 * validation says, aws-apigateway/lib/restapi.ts `validateRestApi`; reported in e.g.
 * https://github.com/cloudtools/troposphere/issues/496), so the stack would fail halfway through.
 */
export const noRoutes = messageRule<SecuredApiSubject>('SecuredApi.NoRoutes', 'the API has at least one route', (api) =>
  api.routeResources.length > 0 ? [] : [`${api.path} has no routes, and API Gateway refuses to deploy a REST API without methods ("The REST API doesn't contain any methods"); `
    + 'add routes with the routes prop or addRoute() (e.g. { method: HttpMethod.GET, path: \'/health\', handler, public: true } while the API has nothing else to serve).']);
