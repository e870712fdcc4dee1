/**
 * One invocation of a SecuredHttpApi's deployment check, structured as the REST check's `runCheck`
 * (`check.ts`, whose waits, margins and answer it shares): Create and Update read the HTTP API back
 * and compare it with the model; Delete does nothing. Every outcome, the handler's own failures
 * included (an SDK error after its retries, the deadline), is answered to CloudFormation.
 */
import type { CheckAnswer, ResponseTarget } from './cfn-response';
import { ACCESS_DENIED_WAITS_MS } from './check';
import { compareHttpApi, DeployedHttpApi, ExpectedHttpApi } from './http-compare';
import type { ApiGatewayV2Reader } from './http-read';
import { ATTR_ROUTES_VERIFIED, DEPLOYMENT_CHECK_MODEL_FILE, PROP_MODEL_HASH } from '../deployment-check-contract';
import { PROP_HTTP_API_ID } from '../http-deployment-check-contract';

export { PROP_HTTP_API_ID };

/** A CloudFormation custom resource request (the fields the check reads). */
export interface HttpCheckEvent extends ResponseTarget {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties?: Record<string, unknown>;
}

/** What the check needs from its surroundings (injected, so that tests replace each). */
export interface HttpCheckDeps {
  readonly model: () => ExpectedHttpApi;
  readonly client: () => ApiGatewayV2Reader;
  readonly read: (client: ApiGatewayV2Reader, apiId: string, signal: AbortSignal) => Promise<DeployedHttpApi>;
  /** The `ModelHash` of this function's own model and code; undefined: not compared. */
  readonly modelHash?: () => string;
  /** Milliseconds the check may take before it gives up and answers FAILED. */
  readonly budgetMs: number;
  /** Waits `ms`, or rejects when `signal` aborts; a timer unless a test gives another. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly log: (line: string) => void;
}

/**
 * How a denial may come (IAM's `AccessDeniedException`, API Gateway's `UnauthorizedException`), as
 * the REST check reads them: both are waited out while a new role's policy propagates
 * (`ACCESS_DENIED_WAITS_MS`), then fail the check.
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
export async function runHttpCheck(event: HttpCheckEvent, deps: HttpCheckDeps): Promise<CheckAnswer> {
  const props = event.ResourceProperties ?? {};
  const apiId = typeof props[PROP_HTTP_API_ID] === 'string' ? props[PROP_HTTP_API_ID] : '';
  const physicalResourceId = event.PhysicalResourceId ?? `deployment-check-${apiId || event.LogicalResourceId}`;
  if (event.RequestType === 'Delete') {
    deps.log(JSON.stringify({ requestType: 'Delete', physicalResourceId, result: 'nothing to do' }));
    return { status: 'SUCCESS', physicalResourceId };
  }
  const physicalId = `deployment-check-${apiId || event.LogicalResourceId}`;
  const failed = (head: string, lines: readonly string[]): CheckAnswer => ({ status: 'FAILED', physicalResourceId: physicalId, reason: { head, lines } });
  let model: ExpectedHttpApi;
  let ownHash: string | undefined;
  try {
    ownHash = deps.modelHash?.();
    model = deps.model();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    deps.log(JSON.stringify({ apiId, error: 'model', message, result: 'FAILED' }));
    return failed(`The deployment check could not load what it expects (its ${DEPLOYMENT_CHECK_MODEL_FILE}): ${message}. This is a bug in cdk-secured-api, please report it.`, []);
  }
  // As on REST (check.ts): an event whose hash is not this code's model is a rollback to previous
  // properties, which restores the stage's previous, checked, deployment; failing it would leave the
  // stack in UPDATE_ROLLBACK_FAILED.
  if (ownHash !== undefined && props[PROP_MODEL_HASH] !== ownHash) {
    deps.log(JSON.stringify({ requestType: event.RequestType, apiId, result: 'not this code\'s model (a rollback to previous properties): nothing to check' }));
    return { status: 'SUCCESS', physicalResourceId: physicalId, data: { [ATTR_ROUTES_VERIFIED]: '0' } };
  }
  const started = Date.now();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), Math.max(1000, deps.budgetMs));
  try {
    if (!apiId) {
      return failed('The deployment check of the SecuredHttpApi got no HTTP API id; this is a bug in cdk-secured-api, please report it.', []);
    }
    const client = deps.client();
    const sleep = deps.sleep ?? sleepFor;
    let deployed: DeployedHttpApi | undefined;
    for (let attempt = 0; deployed === undefined; attempt++) {
      try {
        deployed = await deps.read(client, apiId, controller.signal);
      } catch (err) {
        const wait = ACCESS_DENIED_WAITS_MS[attempt];
        if (!(err instanceof Error && DENIED.includes(err.name)) || wait === undefined) {
          throw err;
        }
        deps.log(JSON.stringify({ apiId, error: err.name, retryInMs: wait }));
        await sleep(wait, controller.signal);
      }
    }
    const diffs = compareHttpApi(model, deployed);
    const ms = Date.now() - started;
    if (diffs.length > 0) {
      for (const diff of diffs) {
        deps.log(JSON.stringify({ apiId, difference: diff }));
      }
      deps.log(JSON.stringify({ apiId, routes: model.routes.length, differences: diffs.length, ms, result: 'FAILED' }));
      return failed(`The HTTP API ${apiId} as deployed differs from the SecuredHttpApi's routes in ${diffs.length} place(s) (every one is in the check's log group):`, diffs);
    }
    deps.log(JSON.stringify({ apiId, routes: model.routes.length, differences: 0, ms, result: 'SUCCESS' }));
    return { status: 'SUCCESS', physicalResourceId: physicalId, data: { [ATTR_ROUTES_VERIFIED]: String(model.routes.length) } };
  } catch (err) {
    const aborted = controller.signal.aborted;
    const name = err instanceof Error ? err.name : 'Error';
    const message = err instanceof Error ? err.message : String(err);
    deps.log(JSON.stringify({ apiId, error: name, message, aborted, ms: Date.now() - started, result: 'FAILED' }));
    return failed(aborted
      ? `The deployment check could not read the HTTP API ${apiId} back within ${Math.round(deps.budgetMs / 1000)} s (API Gateway throttling or an outage); deploy again later.`
      : `The deployment check could not read the HTTP API ${apiId} back: ${name}: ${message}. Deploy again once API Gateway answers (and check that the check's role may call apigateway:GET on the API).`, []);
  } finally {
    clearTimeout(timer);
  }
}
