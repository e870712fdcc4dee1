import { SecuredHttpApiSubject } from './subject';
import { messageRule } from '../../rules/rule';

/**
 * The stage serves only the deployment made after the deployment check passed: the template (escape
 * hatches included) keeps the check's custom resource and its function as written (read as
 * `SecuredApi.DeploymentCheckAltered` reads them), the deployment's dependency on it, the stage's
 * `DeploymentId` naming that deployment, and no `AutoDeploy`.
 */
export const deploymentCheckBypassed = messageRule<SecuredHttpApiSubject>('SecuredHttpApi.DeploymentCheckBypassed',
  'the stage serves only the deployment made after the deployment check passed (no AutoDeploy, DeploymentId names it, it depends on the check), and the check and its function are in the template as the construct wrote them',
  (api) => [...api.deploymentCheck()]);
