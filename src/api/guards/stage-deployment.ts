import { ApiGuard, DeployedApi } from './deployed-api';
import { messageRule } from '../../rules/rule';

/**
 * The construct's own stage serves the construct's own deployment, of the definition written from
 * the routes, and nothing else: its `DeploymentId` is the one the construct wrote (not an id of
 * another deployment, which could hold methods the routes no longer have), and it has no
 * `CanarySetting` (a canary serves another deployment to a share of the stage's requests;
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/canary-release.html).
 */
export const stageDeployment: ApiGuard = messageRule<DeployedApi>('SecuredApi.StageDeploymentChanged', 'the construct\'s stage serves its own deployment, with no canary', (api) => {
  const stage = api.ownStage;
  if (!stage) return [];
  const errors: string[] = [];
  const fix = `remove that override of ${stage.path}; the stage of ${api.path} is redeployed whenever its routes change`;
  if (stage.deploymentId !== undefined) {
    errors.push(`the stage ${stage.path} serves the deployment ${JSON.stringify(stage.deploymentId)} instead of its own, written from the routes (an override changed it); ${fix}.`);
  }
  if (stage.canarySetting !== undefined) {
    errors.push(`the stage ${stage.path} has a CanarySetting (an override added it), which serves another deployment of the REST API to a share of its requests; ${fix}.`);
  }
  return errors;
});
