import { ApiGuard, DeployedApi, DeployedCheck, DeployedCheckResource, isJson, same } from './deployed-api';
import { messageRule } from '../../rules/rule';
import { PROP_MODEL_HASH, PROP_REST_API_ID, PROP_VALUES } from '../deployment-check-contract';
import { PROP_HTTP_API_ID } from '../http-deployment-check-contract';

/**
 * The custom resource's properties the check's handler reads, each with what a change to it lets
 * through.
 */
const RESOURCE_PROPERTIES: ReadonlyArray<[string, string]> = [
  ['ServiceToken', 'CloudFormation would send the check to another handler than the one written for this API'],
  [PROP_REST_API_ID, 'the check would read another REST API than this one'],
  [PROP_HTTP_API_ID, 'the check would read another HTTP API than this one'],
  [PROP_MODEL_HASH, 'the check passes, unchecked, an event whose ModelHash is not its own (as it must let a rollback through)'],
  [PROP_VALUES, 'the check would compare the API with other functions, endpoints and integrations than its routes\''],
];

/**
 * The function's properties that say what code it runs, each with why. Written as the construct
 * wrote them (`Environment` and `Layers`: none). An environment variable can load other code
 * (`NODE_OPTIONS=--import ...`, `AWS_LAMBDA_EXEC_WRAPPER`) or point the SDK at another endpoint than
 * API Gateway's (`AWS_ENDPOINT_URL_API_GATEWAY`, `AWS_ENDPOINT_URL_APIGATEWAYV2`,
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html); a layer's
 * `nodejs/node_modules` comes before the runtime's own on Node's module path, so it can replace
 * the AWS SDK the bundle leaves external
 * (https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html#packaging-layers-paths).
 */
const FUNCTION_PROPERTIES: ReadonlyArray<[string, string]> = [
  ['Code', 'it would run other code than the check\'s asset, written with this API\'s expected model'],
  ['Handler', 'it would run another entry point than the check\'s'],
  ['Runtime', 'the check\'s bundle is built for this runtime'],
  ['Environment', 'an environment variable can load other code (NODE_OPTIONS, AWS_LAMBDA_EXEC_WRAPPER) or send the check\'s reads to another endpoint than API Gateway (AWS_ENDPOINT_URL_API_GATEWAY, AWS_ENDPOINT_URL_APIGATEWAYV2)'],
  ['Layers', 'a layer\'s modules come before the runtime\'s on the module path, and can replace the AWS SDK the check reads the API with'],
];

/** A template value in a message: its JSON, cut short. */
function shown(value: unknown): string {
  const json = value === undefined ? 'none' : JSON.stringify(value);
  return json.length > 200 ? `${json.slice(0, 200)}...` : json;
}

/**
 * The deploy-time check (`Custom::SecuredApiDeploymentCheck`) runs as written, and the stage waits
 * for it: in the template as deployed (overrides and escape hatches included) the custom resource is
 * there, unconditionally, with its type and the properties the construct wrote (`ServiceToken`,
 * `RestApiId`, `ModelHash`, `Values`); its function runs the check's asset (`Code`, `Handler`,
 * `Runtime`, and no `Environment` or `Layers`), unconditionally; and the REST API's deployment
 * depends on it (`DependsOn`). A resource with a `Condition` is created only when the condition is
 * true (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/conditions-section-structure.html);
 * `DependsOn` is a logical id or a list of them
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-dependson.html).
 * The one way to deploy without the check is `DeploymentCheck.skip(reason)`, which leaves this
 * guard nothing to read.
 */
export const deploymentCheckIntact: ApiGuard = messageRule<DeployedApi>('SecuredApi.DeploymentCheckAltered', 'the deploy-time check, its function and the deployment\'s DependsOn on it are in the template as the construct wrote them', (api) => {
  const check = api.deploymentCheck;
  if (!check) return [];
  return deploymentCheckIntactErrors(check, `the REST API of ${api.path}`, `to deploy ${api.path} without the check, say why with deploymentCheck: DeploymentCheck.skip('<why>')`);
});

/**
 * What an escape hatch changed of a deployment check (REST or HTTP, `deploymentCheckIntact`'s
 * reading), one message each. `api` names the checked API in messages (`the REST API of <path>`);
 * `skip` says how to deploy without the check.
 */
export function deploymentCheckIntactErrors(check: DeployedCheck, api: string, skip: string): string[] {
  const errors: string[] = [];

  const compare = (resource: DeployedCheckResource, what: string, properties: ReadonlyArray<[string, string]>) => {
    const fix = `remove that override or escape hatch of ${resource.path}; ${skip}`;
    const deployed = resource.deployed;
    if (!deployed) {
      errors.push(`${what} ${resource.path} is not in the template (an escape hatch removed it), so ${api} would be deployed unchecked; ${fix}.`);
      return;
    }
    if (deployed.Type !== resource.written.type) {
      errors.push(`${what} ${resource.path} has the type ${shown(deployed.Type)} instead of ${resource.written.type} (an override changed it), so it would not run the check; ${fix}.`);
    }
    if (deployed.Condition !== undefined) {
      errors.push(`${what} ${resource.path} has the Condition ${shown(deployed.Condition)} (an override or cfnOptions added it), so CloudFormation would not create it when the condition is false; ${fix}.`);
    }
    const props = isJson(deployed.Properties) ? deployed.Properties : {};
    for (const [key, why] of properties) {
      const written = resource.written.properties[key];
      if (!same(props[key], written)) {
        errors.push(`${what} ${resource.path} has the ${key} ${shown(props[key])} instead of ${shown(written)}, as the construct wrote it (an override changed it): ${why}; ${fix}.`);
      }
    }
  };
  compare(check.resource, 'the deployment check', RESOURCE_PROPERTIES);
  compare(check.function, 'the deployment check\'s function', FUNCTION_PROPERTIES);

  const deployment = check.deployment;
  if (!deployment) {
    errors.push(`${api} has no deployment in the template (an escape hatch removed it) to wait for the deployment check ${check.resource.path}; remove that escape hatch; ${skip}.`);
  } else {
    const dependsOn = deployment.dependsOn;
    const ids = typeof dependsOn === 'string' ? [dependsOn] : Array.isArray(dependsOn) ? dependsOn : [];
    if (!ids.includes(check.resource.logicalId)) {
      errors.push(`the deployment ${deployment.path} of ${api} does not depend on the deployment check ${check.resource.path} (its DependsOn is ${shown(dependsOn)}, not one naming ${check.resource.logicalId}: an override, removeDependency or replaceDependency changed it), so the stage could serve the deployment before the check has read the API back; remove that override of ${deployment.path}; ${skip}.`);
    }
  }
  return errors;
}
