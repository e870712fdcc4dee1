import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { ApiGuard, DeployedApi, resourcesAddedToApi } from './deployed-api';
import { messageRule } from '../../rules/rule';

/**
 * Stages and deployments of the REST API other than the construct's own (L2 or L1, by `Ref` or
 * `Fn::GetAtt`, in its stack or another): such a stage would have none of the guards of the
 * construct's (access logs, throttling, tracing, the web ACL), and would serve another environment
 * from this API's issuer, audiences and roles.
 */
export const stagesAdded: ApiGuard = messageRule<DeployedApi>('SecuredApi.StageAdded', 'no stage or deployment of the REST API but the construct\'s own', (api) => resourcesAddedToApi(api, ['AWS::ApiGateway::Stage', 'AWS::ApiGateway::Deployment'], ['RestApiId'],
  (scope, restApi) => (scope instanceof apigateway.Stage && scope.restApi === restApi)
    || (scope instanceof apigateway.Deployment && scope.api === restApi))
  .map((r) => `a ${r.type === 'AWS::ApiGateway::Stage' ? 'stage' : 'deployment'} (${r.path}) was added to the REST API of ${api.path} by hand; a SecuredApi has exactly one stage, with its access logs, throttling and tracing, and one issuer, audiences and caller roles for one environment. `
    + 'For another environment (staging, prod), create one SecuredApi per environment, each in its own CDK Stage or stack with its own issuer audiences, '
    + 'rather than another stage of this one (see docs/deploying.md, "Environments, custom domains and AWS WAF").'));
