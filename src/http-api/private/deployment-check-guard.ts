// The synth-time guard of a SecuredHttpApi's deployment check (rules/deployment-check-bypassed.ts):
// in the template, escape hatches included, the check runs as written (its custom resource and its
// function, read as SecuredApi's guard reads them, `deploymentCheckIntactErrors`), and the stage
// serves only the check's deployment, made after the check.
import { CfnResource, Stack } from 'aws-cdk-lib';
import type { CreatedHttpDeploymentCheck } from './deployment-check';
import { deploymentCheckAsDeployed } from '../../api/guards/deployed-api';
import { deploymentCheckIntactErrors } from '../../api/guards/deployment-check-intact';
import { resolvedResource } from '../../roles/private/resolved-properties';

/** What lets the stage serve an unchecked deployment, one message each; empty when nothing does. */
export function deploymentCheckErrors(check: CreatedHttpDeploymentCheck): string[] {
  const { owner, cfnDeployment, cfnStage } = check;
  const stack = Stack.of(cfnStage);
  const where = owner.node.path;
  const skip = `to deploy ${where} without the check, say why with deploymentCheck: DeploymentCheck.skip('<why>')`;
  const errors = deploymentCheckIntactErrors(deploymentCheckAsDeployed(owner, check, cfnDeployment), `the HTTP API of ${where}`, skip);

  const inTree = new Set(stack.node.findAll());
  const entry = (cfn: CfnResource) => (inTree.has(cfn) ? resolvedResource(cfn) : undefined);
  const logicalId = (cfn: CfnResource) => stack.resolve(cfn.logicalId) as string;
  const fix = `remove that override or escape hatch of ${cfnStage.node.path}; ${skip}`;
  const stage = entry(cfnStage);
  const props = (stage?.Properties ?? {}) as Record<string, unknown>;
  if (!stage) {
    errors.push(`the stage ${cfnStage.node.path} of the HTTP API of ${where} is missing from the template; ${fix}.`);
  } else {
    if (props.AutoDeploy !== false && props.AutoDeploy !== undefined) {
      errors.push(`the stage ${cfnStage.node.path} of the HTTP API of ${where} has AutoDeploy ${JSON.stringify(props.AutoDeploy)}, so it would deploy every change itself, unchecked; ${fix}.`);
    }
    if (JSON.stringify(props.DeploymentId) !== JSON.stringify({ Ref: logicalId(cfnDeployment) })) {
      errors.push(`the stage ${cfnStage.node.path} of the HTTP API of ${where} has the DeploymentId ${JSON.stringify(props.DeploymentId ?? null)}, not the checked deployment ${logicalId(cfnDeployment)}; ${fix}.`);
    }
  }
  return errors;
}
