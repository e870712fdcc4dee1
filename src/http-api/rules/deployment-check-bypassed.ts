import { SecuredHttpApiSubject } from './subject';
import { messageRule } from '../../rules/rule';

/**
 * The stage serves only the deployment made after the deployment check passed: the template (escape
 * hatches included) keeps the check's custom resource, the deployment's dependency on it, the
 * stage's `DeploymentId` naming that deployment, and no `AutoDeploy`.
 */
export const deploymentCheckBypassed = messageRule<SecuredHttpApiSubject>('SecuredHttpApi.DeploymentCheckBypassed',
  'the stage serves only the deployment made after the deployment check passed (no AutoDeploy, DeploymentId names it, it depends on the check)',
  (api) => [...api.deploymentCheck()]);
