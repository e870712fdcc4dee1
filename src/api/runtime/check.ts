/**
 * The REST API deployment check: the shared core (`check-core.ts`) reading the REST API back
 * (`read-api.ts`) and comparing it with the model (`compare.ts`).
 */
import type { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { CheckAnswer } from './cfn-response';
import { CheckDeps as CoreDeps, CheckEvent, CheckKind, runDeploymentCheck } from './check-core';
import { compareApi, DeployedApi } from './compare';
import { ExpectedApi, PROP_REST_API_ID } from '../deployment-check-contract';

export { ACCESS_DENIED_WAITS_MS, ANSWER_MARGIN_MS } from './check-core';
export type { CheckEvent } from './check-core';

/** What the REST check needs from its surroundings (injected, so that tests replace each). */
export type CheckDeps = CoreDeps<ExpectedApi, APIGatewayClient, DeployedApi>;

/** The REST check's part of the core. */
export const REST_CHECK: CheckKind<ExpectedApi, DeployedApi> = {
  apiIdProperty: PROP_REST_API_ID,
  logKey: 'restApiId',
  api: 'REST API',
  construct: 'SecuredApi',
  valuesRequired: true,
  readBack: 'as API Gateway imported it',
  countKey: 'operations',
  count: (model) => model.operations.length,
  compare: compareApi,
};

/** Decides the answer to one event; never rejects. */
export function runCheck(event: CheckEvent, deps: CheckDeps): Promise<CheckAnswer> {
  return runDeploymentCheck(REST_CHECK, event, deps);
}
