// Reads a SecuredHttpApi's routes, authorizers and integrations from its OpenAPI definition (the
// AWS::ApiGatewayV2::Api's Body), in the shapes the Route, Authorizer and Integration resources had
// (and GetRoutes / GetAuthorizers / GetIntegrations return): authorizers and integrations by their
// name in the definition.
import { Template } from 'aws-cdk-lib/assertions';
import { importedAuthorizer, importedIntegration, readBody } from '../../src/http-api/private/body';

/** The Body of the template's only AWS::ApiGatewayV2::Api. */
export function apiBody(template: Template | any): any {
  const json = template instanceof Template ? template.toJSON() : template;
  const apis = Object.values<any>(json.Resources ?? {}).filter((r) => r.Type === 'AWS::ApiGatewayV2::Api');
  if (apis.length !== 1) throw new Error(`${apis.length} AWS::ApiGatewayV2::Api in the template`);
  return apis[0].Properties.Body;
}

/** The routes by route key: `AuthorizationType`, `AuthorizerId` (the authorizer's name), `AuthorizationScopes` (JWT routes with scopes), `Target` (the integration's name). */
export function routesOf(template: Template | any): Record<string, any> {
  const read = readBody(apiBody(template));
  if (read.problems.length > 0) throw new Error(read.problems.join('; '));
  return Object.fromEntries(read.operations.map((op) => [op.routeKey, {
    RouteKey: op.routeKey,
    AuthorizationType: op.authorizationType ?? 'NONE',
    ...(op.authorizer !== undefined ? { AuthorizerId: op.authorizer } : {}),
    ...(op.authorizationType === 'JWT' && op.scopes.length > 0 ? { AuthorizationScopes: op.scopes } : {}),
    ...(op.integrationName !== undefined ? { Target: op.integrationName } : {}),
  }]));
}

/** The authorizers by name. */
export function authorizersOf(template: Template | any): Record<string, any> {
  return Object.fromEntries([...readBody(apiBody(template)).authorizers].map(([name, a]) => [name, importedAuthorizer(name, a)]));
}

/** The integrations by name. */
export function integrationsOf(template: Template | any): Record<string, any> {
  return Object.fromEntries([...readBody(apiBody(template)).integrations].map(([name, i]) => [name, importedIntegration(name, i)]));
}
