import { ApiGuard, DeployedApi, isJson } from './deployed-api';
import { messageRule } from '../../rules/rule';

/**
 * The definition must stay OpenAPI 3.0: API Gateway imports OpenAPI 2.0 (Swagger) and 3.0
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-import-api.html), and a
 * Swagger 2.0 document writes its authorizers elsewhere (`securityDefinitions`), where the guards of
 * the definition do not look; what API Gateway makes of a later version (3.1) is not documented.
 */
export const openApiVersion: ApiGuard = messageRule<DeployedApi>('SecuredApi.OpenApiVersionChanged', 'the definition stays OpenAPI 3.0.x (no swagger key, no other version)', (api) => {
  const body = isJson(api.properties) ? api.properties.Body : undefined;
  if (!isJson(body)) return [];
  const fix = `remove the override of ${api.restApiPath} that changed it; the construct writes OpenAPI 3.0 from the routes of ${api.path}`;
  if (body.swagger !== undefined) {
    return [`the REST API ${api.restApiPath}'s definition declares Swagger ${JSON.stringify(body.swagger)} (an override added "swagger"), whose security the guards of the definition do not read; ${fix}.`];
  }
  if (typeof body.openapi !== 'string' || !/^3\.0\.\d+$/.test(body.openapi)) {
    return [`the REST API ${api.restApiPath}'s definition declares openapi ${JSON.stringify(body.openapi ?? null)} instead of 3.0.x (an override changed it), a version the guards of the definition do not read; ${fix}.`];
  }
  return [];
});
