// The guards over a SecuredApi's REST API as deployed (api/guards), read from the construct tree; the
// SecuredApi's other synth-time rules are in api/rules.
import { Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { IConstruct } from 'constructs';
import type { CreatedDeploymentCheck } from './deployment-check';
import { checkDeployedApi, DeployedApp, deploymentCheckAsDeployed, stageAsDeployed } from './guards';
import { IMPORT_MODE, IMPORT_PARAMETERS } from './rest-api';
import { resolvedProperties } from '../roles/private/resolved-properties';

/** What the guards read of a SecuredApi's REST API. */
export interface GuardedRestApi {
  readonly restApi: apigateway.SpecRestApi;
  /** The definition as the template holds it. */
  readonly resolvedDefinition: ReturnType<Stack['resolve']>;
  /** The stage's `DeploymentId` as the construct wrote it. */
  readonly writtenDeploymentId?: string;
  /** The deployment check's parts; absent when it is skipped. */
  readonly deploymentCheck?: CreatedDeploymentCheck;
}

/**
 * What breaks "public: true is the one way to open a route" in the API as it will be deployed: the
 * guards of `api/guards` (one per risk) over the REST API's resource as its stack's template will
 * hold it (property overrides and escape hatches included, which the typed properties do not show)
 * and over the resources of the stacks deployed with it that could add to it.
 */
export function deployedApiErrors(api: IConstruct, guarded: GuardedRestApi): string[] {
  const { restApi } = guarded;
  const stack = Stack.of(api);
  const cfnApi = restApi.node.defaultChild as apigateway.CfnRestApi;
  const logicalId: string = stack.resolve(cfnApi.logicalId);
  const app = new DeployedApp(stack, logicalId);
  const ownStage = restApi.deploymentStage.node.defaultChild as apigateway.CfnStage;
  const ownDeployment = restApi.latestDeployment?.node.defaultChild as apigateway.CfnDeployment | undefined;
  return checkDeployedApi({
    path: api.node.path,
    restApiPath: cfnApi.node.path,
    properties: resolvedProperties(cfnApi),
    written: { body: guarded.resolvedDefinition, mode: IMPORT_MODE, parameters: IMPORT_PARAMETERS },
    app,
    restApi,
    transforms: templateTransforms(stack),
    ownStage: { path: ownStage.node.path, ...stageAsDeployed(ownStage, guarded.writtenDeploymentId) },
    own: [ownStage, ownDeployment].filter((c): c is apigateway.CfnStage | apigateway.CfnDeployment => c !== undefined),
    ...(guarded.deploymentCheck ? { deploymentCheck: deploymentCheckAsDeployed(api, guarded.deploymentCheck, ownDeployment) } : {}),
  });
}

/** The template-level transforms of a stack: `transforms`, and the older single `transform` that synthesis still reads. */
function templateTransforms(stack: Stack): string[] {
  const { transform } = stack.templateOptions as { transform?: string };
  return [...(transform ? [transform] : []), ...(stack.templateOptions.transforms ?? [])];
}
