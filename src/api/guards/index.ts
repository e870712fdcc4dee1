// The synth-time rules of a SecuredApi's REST API, one risk each, in the order their messages are
// reported. Each reads the API as deployed (DeployedApi) and returns one finding per thing that
// breaks it; docs/rules.md lists them.
import { bodyForm } from './body-form';
import { bodyLocation } from './body-location';
import { ApiGuard, DeployedApi } from './deployed-api';
import { deploymentCheckIntact } from './deployment-check-intact';
import { failOnWarnings } from './fail-on-warnings';
import { importMode } from './import-mode';
import { importParameters } from './import-parameters';
import { letterCase } from './letter-case';
import { methodsAdded } from './methods-added';
import { openApiVersion } from './openapi-version';
import { operationSecurity } from './operation-security';
import { stageDeployment } from './stage-deployment';
import { stagesAdded } from './stages-added';
import { templateTransform } from './template-transform';
import { ruleMessages } from '../../rules/rule';

export type { ApiGuard, DeployedApi, WrittenApi } from './deployed-api';
export { DeployedApp, deploymentCheckAsDeployed, stageAsDeployed } from './deployed-api';

/** Every rule of a SecuredApi's REST API as deployed. */
export const API_GUARDS: readonly ApiGuard[] = [
  bodyForm,
  bodyLocation,
  openApiVersion,
  importMode,
  importParameters,
  failOnWarnings,
  letterCase,
  operationSecurity,
  methodsAdded,
  stagesAdded,
  stageDeployment,
  templateTransform,
  deploymentCheckIntact,
];

/** The validation messages of every rule on the deployed API, each ending in its code (`[SecuredApi.X]`). */
export function checkDeployedApi(api: DeployedApi): string[] {
  return ruleMessages(API_GUARDS, api);
}
