// The synth-time guard of a SecuredHttpApi's deployment check: the template, escape hatches included,
// still has the stage serve only the check's deployment, made after the check (rules/deployment-check-bypassed.ts).
import { CfnResource, Stack } from 'aws-cdk-lib';
import type { CreatedHttpDeploymentCheck } from './deployment-check';
import { HTTP_DEPLOYMENT_CHECK_RESOURCE_TYPE } from '../../api/http-deployment-check-contract';
import { resolvedResource } from '../../roles/private/resolved-properties';

/** What lets the stage serve an unchecked deployment, one message each; empty when nothing does. */
export function deploymentCheckErrors(check: CreatedHttpDeploymentCheck): string[] {
  const { cfnResource, cfnDeployment, cfnStage } = check;
  const stack = Stack.of(cfnStage);
  const where = cfnStage.node.scope?.node.scope?.node.path ?? cfnStage.node.path;
  const inTree = new Set(stack.node.findAll());
  const errors: string[] = [];
  const fix = 'remove the escape hatch (or use deploymentCheck: DeploymentCheck.skip(reason) to deploy unchecked, on purpose)';
  const entry = (cfn: CfnResource) => (inTree.has(cfn) ? resolvedResource(cfn) : undefined);
  const logicalId = (cfn: CfnResource) => stack.resolve(cfn.logicalId) as string;

  const resource = entry(cfnResource);
  if (resource?.Type !== HTTP_DEPLOYMENT_CHECK_RESOURCE_TYPE) {
    errors.push(`${where}: the deployment check's custom resource ${cfnResource.node.path} is ${resource ? `of type ${JSON.stringify(resource.Type)}` : 'missing from the template'}, so no deployment is checked; ${fix}.`);
  }
  const deployment = entry(cfnDeployment);
  const dependsOn = deployment?.DependsOn === undefined ? [] : ([] as unknown[]).concat(deployment.DependsOn);
  if (!deployment) {
    errors.push(`${where}: the checked deployment ${cfnDeployment.node.path} is missing from the template; ${fix}.`);
  } else if (!dependsOn.includes(logicalId(cfnResource))) {
    errors.push(`${where}: the deployment ${logicalId(cfnDeployment)} no longer depends on the deployment check ${logicalId(cfnResource)} (its DependsOn is ${JSON.stringify(deployment.DependsOn ?? null)}), so the stage could serve it before the check passed; ${fix}.`);
  }
  const stage = entry(cfnStage);
  const props = (stage?.Properties ?? {}) as Record<string, unknown>;
  if (!stage) {
    errors.push(`${where}: the stage ${cfnStage.node.path} is missing from the template; ${fix}.`);
  } else {
    if (props.AutoDeploy !== false && props.AutoDeploy !== undefined) {
      errors.push(`${where}: the stage has AutoDeploy ${JSON.stringify(props.AutoDeploy)}, so it would deploy every change itself, unchecked; ${fix}.`);
    }
    if (JSON.stringify(props.DeploymentId) !== JSON.stringify({ Ref: logicalId(cfnDeployment) })) {
      errors.push(`${where}: the stage's DeploymentId is ${JSON.stringify(props.DeploymentId ?? null)}, not the checked deployment ${logicalId(cfnDeployment)}; ${fix}.`);
    }
  }
  return errors;
}
