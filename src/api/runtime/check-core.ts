/**
 * The deployment checks' one core, shared by the REST (`check.ts`) and HTTP (`http-check.ts`) checks:
 * a CloudFormation custom resource event in, an answer out. Create and Update read the API back and
 * compare it with the model; Delete does nothing. Every outcome, the handler's own failures included
 * (an SDK error after its retries, the deadline), is answered to CloudFormation, so the stack never
 * waits. What differs between the two checks (the client, the read, the comparison, the words) is a
 * `CheckKind` and the injected `CheckDeps`.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CheckAnswer, putResponse, ResponseTarget, responseBody } from './cfn-response';
import { ATTR_ROUTES_VERIFIED, DEPLOYMENT_CHECK_MODEL_FILE, MODEL_HASH_FILES, PROP_MODEL_HASH, PROP_VALUES } from '../deployment-check-contract';

/** A CloudFormation custom resource request (the fields the check reads). */
export interface CheckEvent extends ResponseTarget {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties?: Record<string, unknown>;
}

/** What a check needs from its surroundings (injected, so that tests replace each). */
export interface CheckDeps<Model, Client, Deployed> {
  readonly model: () => Model;
  readonly client: () => Client;
  readonly read: (client: Client, apiId: string, signal: AbortSignal) => Promise<Deployed>;
  /** The `ModelHash` of this function's own model and code; undefined: not compared. */
  readonly modelHash?: () => string;
  /** Milliseconds the check may take before it gives up and answers FAILED. */
  readonly budgetMs: number;
  /** Waits `ms`, or rejects when `signal` aborts; a timer unless a test gives another. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly log: (line: string) => void;
}

/** What one kind of check (REST or HTTP API) adds to the core. */
export interface CheckKind<Model, Deployed> {
  /** The custom resource's property holding the API's id. */
  readonly apiIdProperty: string;
  /** The log field naming the API's id (`restApiId`, `apiId`). */
  readonly logKey: string;
  /** `REST API`, `HTTP API`. */
  readonly api: string;
  /** `SecuredApi`, `SecuredHttpApi`. */
  readonly construct: string;
  /** Whether the event must carry the `Values` list (the REST check always writes it). */
  readonly valuesRequired: boolean;
  /** How the reason's head calls the read-back API (`as API Gateway imported it`). */
  readonly readBack: string;
  /** The log field counting what is verified (`operations`, `routes`). */
  readonly countKey: string;
  readonly count: (model: Model) => number;
  readonly compare: (model: Model, values: readonly string[], deployed: Deployed) => string[];
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
 * How API Gateway's management APIs (v1 and v2) say the caller may not: `UnauthorizedException`
 * (401) is in their API references; IAM's denials come as `AccessDeniedException` (403). Both are
 * waited out.
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
export async function runDeploymentCheck<Model, Client, Deployed>(
  kind: CheckKind<Model, Deployed>, event: CheckEvent, deps: CheckDeps<Model, Client, Deployed>,
): Promise<CheckAnswer> {
  const props = event.ResourceProperties ?? {};
  const apiIdValue = props[kind.apiIdProperty];
  const apiId = typeof apiIdValue === 'string' ? apiIdValue : '';
  const logged = (fields: Record<string, unknown>) => deps.log(JSON.stringify({ [kind.logKey]: apiId, ...fields }));
  const physicalResourceId = event.PhysicalResourceId ?? `deployment-check-${apiId || event.LogicalResourceId}`;
  if (event.RequestType === 'Delete') {
    deps.log(JSON.stringify({ requestType: 'Delete', physicalResourceId, result: 'nothing to do' }));
    return { status: 'SUCCESS', physicalResourceId };
  }
  // A new API (a replacement) is a new physical resource; CloudFormation then deletes the old one (a no-op).
  const physicalId = `deployment-check-${apiId || event.LogicalResourceId}`;
  // A forward deployment updates this function before the custom resource (which depends on it), so
  // the event's digest is the function's own. When CloudFormation rolls a failed update back, the
  // custom resource gets its previous properties; if the function still holds the new model and code
  // then (AWS does not document the order in which a rollback restores resources), the previous model
  // cannot be checked, and failing there would leave the stack in UPDATE_ROLLBACK_FAILED
  // (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/troubleshooting.html). Such an
  // event passes without a check: the rollback restores the stage's previous deployment, which was
  // checked when it was deployed. Restored first, the function checks the previous model as usual.
  const failed = (head: string, lines: readonly string[]): CheckAnswer => ({ status: 'FAILED', physicalResourceId: physicalId, reason: { head, lines } });
  let model: Model;
  let ownHash: string | undefined;
  try {
    ownHash = deps.modelHash?.();
    model = deps.model();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    logged({ error: 'model', message, result: 'FAILED' });
    return failed(`The deployment check could not load what it expects (its ${DEPLOYMENT_CHECK_MODEL_FILE}): ${message}. This is a bug in cdk-secured-api, please report it.`, []);
  }
  if (ownHash !== undefined && props[PROP_MODEL_HASH] !== ownHash) {
    deps.log(JSON.stringify({ requestType: event.RequestType, [kind.logKey]: apiId, result: 'not this code\'s model (a rollback to previous properties): nothing to check' }));
    return { status: 'SUCCESS', physicalResourceId: physicalId, data: { [ATTR_ROUTES_VERIFIED]: '0' } };
  }
  const started = Date.now();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), Math.max(1000, deps.budgetMs));
  try {
    const rawValues = props[PROP_VALUES] ?? (kind.valuesRequired ? undefined : []);
    if (!apiId || !Array.isArray(rawValues) || !rawValues.every((v) => typeof v === 'string')) {
      return failed(`The deployment check of the ${kind.construct} got no ${kind.api} id${kind.valuesRequired ? ' or no deploy-time values' : ' or malformed deploy-time values'}; this is a bug in cdk-secured-api, please report it.`, []);
    }
    const values = rawValues as string[];
    const client = deps.client();
    const sleep = deps.sleep ?? sleepFor;
    let deployed: Deployed | undefined;
    for (let attempt = 0; deployed === undefined; attempt++) {
      try {
        deployed = await deps.read(client, apiId, controller.signal);
      } catch (err) {
        const wait = ACCESS_DENIED_WAITS_MS[attempt];
        if (!(err instanceof Error && DENIED.includes(err.name)) || wait === undefined) {
          throw err;
        }
        logged({ error: err.name, retryInMs: wait });
        await sleep(wait, controller.signal);
      }
    }
    const diffs = kind.compare(model, values, deployed);
    const ms = Date.now() - started;
    const count = kind.count(model);
    if (diffs.length > 0) {
      for (const diff of diffs) {
        logged({ difference: diff });
      }
      logged({ [kind.countKey]: count, differences: diffs.length, ms, result: 'FAILED' });
      return failed(`The ${kind.api} ${apiId} ${kind.readBack} differs from the ${kind.construct}'s routes in ${diffs.length} place(s) (every one is in the check's log group):`, diffs);
    }
    logged({ [kind.countKey]: count, differences: 0, ms, result: 'SUCCESS' });
    return { status: 'SUCCESS', physicalResourceId: physicalId, data: { [ATTR_ROUTES_VERIFIED]: String(count) } };
  } catch (err) {
    const aborted = controller.signal.aborted;
    const name = err instanceof Error ? err.name : 'Error';
    const message = err instanceof Error ? err.message : String(err);
    logged({ error: name, message, aborted, ms: Date.now() - started, result: 'FAILED' });
    return failed(aborted
      ? `The deployment check could not read the ${kind.api} ${apiId} back within ${Math.round(deps.budgetMs / 1000)} s (API Gateway throttling or an outage); deploy again later.`
      : `The deployment check could not read the ${kind.api} ${apiId} back: ${name}: ${message}. Deploy again once API Gateway answers (and check that the check's role may call apigateway:GET on the API).`, []);
  } finally {
    clearTimeout(timer);
  }
}

/** What a check's Lambda entry gives `checkHandler`. */
export interface CheckEntry<Model, Client, Deployed> {
  readonly kind: CheckKind<Model, Deployed>;
  /** The folder of the bundled entry, holding `model.json` beside `index.js` (the entry's `__dirname`). */
  readonly dir: string;
  readonly client: () => Client;
  readonly read: (client: Client, apiId: string, signal: AbortSignal) => Promise<Deployed>;
}

/**
 * A check's CloudFormation custom resource handler: reads its model and the digest of its own files
 * from its asset, answers every event itself (a PUT to the pre-signed `ResponseURL`), before the
 * function's timeout, and never throws (a throw would make Lambda retry the event, and CloudFormation
 * wait). Why the handler answers itself: see src/api/deployment-check.ts.
 */
export function checkHandler<Model, Client, Deployed>(entry: CheckEntry<Model, Client, Deployed>) {
  return async (event: CheckEvent, context?: { getRemainingTimeInMillis?: () => number }): Promise<void> => {
    const remaining = context?.getRemainingTimeInMillis?.() ?? 300_000;
    let answer: CheckAnswer;
    try {
      answer = await runDeploymentCheck(entry.kind, event, {
        model: () => JSON.parse(fs.readFileSync(path.join(entry.dir, DEPLOYMENT_CHECK_MODEL_FILE), 'utf8')) as Model,
        modelHash: () => {
          const digest = createHash('sha256');
          for (const file of MODEL_HASH_FILES) {
            digest.update(fs.readFileSync(path.join(entry.dir, file)));
          }
          return digest.digest('hex');
        },
        client: entry.client,
        read: entry.read,
        budgetMs: remaining - ANSWER_MARGIN_MS,
        log: (line) => console.log(line),
      });
    } catch (err) {
      // runDeploymentCheck answers every outcome itself; this is the last guard that CloudFormation gets an answer.
      answer = {
        status: event.RequestType === 'Delete' ? 'SUCCESS' : 'FAILED',
        physicalResourceId: event.PhysicalResourceId ?? `deployment-check-${event.LogicalResourceId}`,
        reason: { head: `The deployment check failed unexpectedly: ${err instanceof Error ? err.message : String(err)}`, lines: [] },
      };
    }
    try {
      await putResponse(event.ResponseURL, responseBody(event, answer));
    } catch (err) {
      // Nothing else can answer: CloudFormation fails the resource at its ServiceTimeout.
      console.log(JSON.stringify({ error: 'could not answer CloudFormation', message: err instanceof Error ? err.message : String(err) }));
    }
  };
}
