import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { ApiGuard, DeployedApi, resourcesAddedToApi } from './deployed-api';
import { messageRule } from '../../rules/rule';

/**
 * `AWS::ApiGateway::Method` and `AWS::ApiGateway::Resource` added to the REST API directly (an L2
 * `root.addResource(...)`, `addMethod`, an L1 `CfnMethod` by `Ref` or by `Fn::GetAtt`, in its stack
 * or, by a cross-stack reference, in another): the definition is imported in `overwrite` mode, so
 * they would be methods outside the routes the authorizer knows.
 */
export const methodsAdded: ApiGuard = messageRule<DeployedApi>('SecuredApi.MethodAdded', 'no method or resource is added to the REST API outside its definition (L2 or L1, in any stack)', (api) => {
  const fix = `add it with addRoute() on ${api.path}, with public: true if it must be open`;
  const added = resourcesAddedToApi(api, ['AWS::ApiGateway::Method', 'AWS::ApiGateway::Resource'], ['RestApiId', 'ParentId', 'ResourceId'],
    (scope, restApi) => (scope instanceof apigateway.Method || scope instanceof apigateway.Resource) && scope.api === restApi);
  return added.map((r) => {
    // An L2 Method or Resource names its path; an L1 only its construct path.
    const owner = r.l2 instanceof apigateway.Method ? `${r.l2.httpMethod} ${r.l2.resource.path}`
      : r.l2 instanceof apigateway.Resource ? r.l2.path : undefined;
    const what = r.type === 'AWS::ApiGateway::Method' ? `method ${owner ?? String(r.properties.HttpMethod)}` : `resource ${owner ?? String(r.properties.PathPart)}`;
    return `${what} (${r.l2?.node.path ?? r.path}) was added to the REST API directly; a SecuredApi's REST API is its OpenAPI definition, written from its routes and imported in overwrite mode, so nothing else may be added to it; ${fix}.`;
  });
});
