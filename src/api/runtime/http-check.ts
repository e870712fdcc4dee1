/**
 * A SecuredHttpApi's deployment check: the shared core (`check-core.ts`, whose waits, margins and
 * answer the REST check shares) reading the HTTP API back (`http-read.ts`) and comparing it with
 * the model (`http-compare.ts`).
 */
import type { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import type { CheckAnswer } from './cfn-response';
import { CheckDeps, CheckEvent, CheckKind, runDeploymentCheck } from './check-core';
import { CheckedHttpApi, compareHttpApi, DeployedHttpApi } from './http-compare';
import { PROP_HTTP_API_ID } from '../http-deployment-check-contract';

export { PROP_HTTP_API_ID };

/** A CloudFormation custom resource request (the fields the check reads). */
export type HttpCheckEvent = CheckEvent;

/** What the HTTP check needs from its surroundings (injected, so that tests replace each). */
export type HttpCheckDeps = CheckDeps<CheckedHttpApi, ApiGatewayV2Client, DeployedHttpApi>;

/** The HTTP check's part of the core. */
export const HTTP_CHECK: CheckKind<CheckedHttpApi, DeployedHttpApi> = {
  apiIdProperty: PROP_HTTP_API_ID,
  logKey: 'apiId',
  api: 'HTTP API',
  construct: 'SecuredHttpApi',
  valuesRequired: false,
  readBack: 'as deployed',
  countKey: 'routes',
  count: (model) => model.routes.length,
  compare: compareHttpApi,
};

/** Decides the answer to one event; never rejects. */
export function runHttpCheck(event: HttpCheckEvent, deps: HttpCheckDeps): Promise<CheckAnswer> {
  return runDeploymentCheck(HTTP_CHECK, event, deps);
}
