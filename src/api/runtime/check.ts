/**
 * One invocation of the deployment check: Create and Update read the REST API back and compare it
 * with the model; Delete does nothing. Every outcome, the handler's own failures included (an SDK
 * error after its retries, the deadline), is answered to CloudFormation, so the stack never waits.
 */
import type { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { CheckAnswer, ResponseTarget } from './cfn-response';
import { compareApi, DeployedApi } from './compare';
import { ATTR_ROUTES_VERIFIED, DEPLOYMENT_CHECK_MODEL_FILE, ExpectedApi, PROP_MODEL_HASH, PROP_REST_API_ID, PROP_VALUES } from '../deployment-check-contract';

/** A CloudFormation custom resource request (the fields the check reads). */
export interface CheckEvent extends ResponseTarget {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties?: Record<string, unknown>;
}

/** What the check needs from its surroundings (injected, so that tests replace each). */
export interface CheckDeps {
  readonly model: () => ExpectedApi;
  readonly client: () => APIGatewayClient;
  readonly read: (client: APIGatewayClient, restApiId: string, signal: AbortSignal) => Promise<DeployedApi>;
  /** The `ModelHash` of this function's own model and code; undefined: not compared. */
  readonly modelHash?: () => string;
  /** Milliseconds the check may take before it gives up and answers FAILED. */
  readonly budgetMs: number;
  /** Waits `ms`, or rejects when `signal` aborts; a timer unless a test gives another. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly log: (line: string) => void;
}

/** How long before the Lambda timeout the check stops, to leave time to answer. */
export const ANSWER_MARGIN_MS = 20_000;

/**
 * Waits before reading again after a denial: the role's policy is created just before
 * the function, and IAM changes take a while to apply everywhere ("eventually consistent",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency).
 * About a minute in all; a denial that outlasts it fails the check.
 */
export const ACCESS_DENIED_WAITS_MS = [2_000, 4_000, 8_000, 16_000, 30_000];

/**
 * How API Gateway's management API says the caller may not: `UnauthorizedException` (401) is in its
 * API reference; IAM's denials come as `AccessDeniedException` (403). Both are waited out.
 */
const DENIED = ['AccessDeniedException', 'UnauthorizedException'];

function sleepFor(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new Error('aborted'));
    }, { once: true });
  });
}

/** Decides the answer to one event; never rejects. */
export async function runCheck(event: CheckEvent, deps: CheckDeps): Promise<CheckAnswer> {
  const props = event.ResourceProperties ?? {};
  const restApiId = typeof props[PROP_REST_API_ID] === 'string' ? props[PROP_REST_API_ID] : '';
  const physicalResourceId = event.PhysicalResourceId ?? `deployment-check-${restApiId || event.LogicalResourceId}`;
  if (event.RequestType === 'Delete') {
    deps.log(JSON.stringify({ requestType: 'Delete', physicalResourceId, result: 'nothing to do' }));
    return { status: 'SUCCESS', physicalResourceId };
  }
  // A new REST API (a replacement) is a new physical resource; CloudFormation then deletes the old one (a no-op).
  const physicalId = `deployment-check-${restApiId || event.LogicalResourceId}`;
  // A forward deployment updates this function before the custom resource (which depends on it), so
  // the event's digest is the function's own. When CloudFormation rolls a failed update back, the
  // custom resource gets its previous properties; if the function still holds the new model and code
  // then (AWS does not document the order in which a rollback restores resources), the previous model
  // cannot be checked, and failing there would leave the stack in UPDATE_ROLLBACK_FAILED
  // (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/troubleshooting.html). Such an
  // event passes without a check: the rollback restores the stage's previous deployment, which was
  // checked when it was deployed. Restored first, the function checks the previous model as usual.
  const failed = (head: string, lines: readonly string[]): CheckAnswer => ({ status: 'FAILED', physicalResourceId: physicalId, reason: { head, lines } });
  let model: ExpectedApi;
  let ownHash: string | undefined;
  try {
    ownHash = deps.modelHash?.();
    model = deps.model();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    deps.log(JSON.stringify({ restApiId, error: 'model', message, result: 'FAILED' }));
    return failed(`The deployment check could not load what it expects (its ${DEPLOYMENT_CHECK_MODEL_FILE}): ${message}. This is a bug in cdk-secured-api, please report it.`, []);
  }
  if (ownHash !== undefined && props[PROP_MODEL_HASH] !== ownHash) {
    deps.log(JSON.stringify({ requestType: event.RequestType, restApiId, result: 'not this code\'s model (a rollback to previous properties): nothing to check' }));
    return { status: 'SUCCESS', physicalResourceId: physicalId, data: { [ATTR_ROUTES_VERIFIED]: '0' } };
  }
  const started = Date.now();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), Math.max(1000, deps.budgetMs));
  try {
    const values = props[PROP_VALUES];
    if (!restApiId || !Array.isArray(values) || !values.every((v) => typeof v === 'string')) {
      return failed('The deployment check of the SecuredApi got no REST API id or no deploy-time values; this is a bug in cdk-secured-api, please report it.', []);
    }
    const client = deps.client();
    const sleep = deps.sleep ?? sleepFor;
    let deployed: DeployedApi | undefined;
    for (let attempt = 0; deployed === undefined; attempt++) {
      try {
        deployed = await deps.read(client, restApiId, controller.signal);
      } catch (err) {
        const wait = ACCESS_DENIED_WAITS_MS[attempt];
        if (!(err instanceof Error && DENIED.includes(err.name)) || wait === undefined) {
          throw err;
        }
        deps.log(JSON.stringify({ restApiId, error: err.name, retryInMs: wait }));
        await sleep(wait, controller.signal);
      }
    }
    const diffs = compareApi(model, values, deployed);
    const ms = Date.now() - started;
    if (diffs.length > 0) {
      for (const diff of diffs) {
        deps.log(JSON.stringify({ restApiId, difference: diff }));
      }
      deps.log(JSON.stringify({ restApiId, operations: model.operations.length, differences: diffs.length, ms, result: 'FAILED' }));
      return failed(`The REST API ${restApiId} as API Gateway imported it differs from the SecuredApi's routes in ${diffs.length} place(s) (every one is in the check's log group):`, diffs);
    }
    deps.log(JSON.stringify({ restApiId, operations: model.operations.length, differences: 0, ms, result: 'SUCCESS' }));
    return { status: 'SUCCESS', physicalResourceId: physicalId, data: { [ATTR_ROUTES_VERIFIED]: String(model.operations.length) } };
  } catch (err) {
    const aborted = controller.signal.aborted;
    const name = err instanceof Error ? err.name : 'Error';
    const message = err instanceof Error ? err.message : String(err);
    deps.log(JSON.stringify({ restApiId, error: name, message, aborted, ms: Date.now() - started, result: 'FAILED' }));
    return failed(aborted
      ? `The deployment check could not read the REST API ${restApiId} back within ${Math.round(deps.budgetMs / 1000)} s (API Gateway throttling or an outage); deploy again later.`
      : `The deployment check could not read the REST API ${restApiId} back: ${name}: ${message}. Deploy again once API Gateway answers (and check that the check's role may call apigateway:GET on the API).`, []);
  } finally {
    clearTimeout(timer);
  }
}
