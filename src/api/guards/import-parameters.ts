import { ApiGuard, DeployedApi, isJson, same } from './deployed-api';
import { messageRule } from '../../rules/rule';

/**
 * The import parameters are the construct's own: others change which API is built from the same
 * definition (`basepath=prepend` or `split` moves every path under the server URL's path, so the
 * authorizer's route table no longer names the deployed paths;
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-import-api-basePath.html).
 */
export const importParameters: ApiGuard = messageRule<DeployedApi>('SecuredApi.ImportParametersChanged', 'the import parameters are the ones the construct wrote (no basepath)', (api) => {
  const parameters = isJson(api.properties) ? api.properties.Parameters : undefined;
  if (same(parameters, api.written.parameters)) return [];
  return [`the REST API ${api.restApiPath} is imported with the parameters ${JSON.stringify(parameters ?? null)} instead of ${JSON.stringify(api.written.parameters)} (an override changed them); `
    + `import parameters such as basepath change which paths API Gateway builds from the definition of ${api.path}, so the routes would no longer be what the authorizer knows; remove that override.`];
});
