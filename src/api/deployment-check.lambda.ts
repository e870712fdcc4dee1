import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEPLOYMENT_CHECK_MODEL_FILE, ExpectedApi, MODEL_HASH_FILES } from './deployment-check-contract';
import { CheckAnswer, putResponse, responseBody } from './runtime/cfn-response';
import { ANSWER_MARGIN_MS, CheckEvent, runCheck } from './runtime/check';
import { createClient, readDeployedApi } from './runtime/read-api';

/**
 * The deployment check's CloudFormation custom resource handler: answers every event itself (see
 * src/api/deployment-check.ts for why), before the function's timeout, and never throws (a throw
 * would make Lambda retry the event, and CloudFormation wait).
 */
export const handler = async (event: CheckEvent, context?: { getRemainingTimeInMillis?: () => number }): Promise<void> => {
  const remaining = context?.getRemainingTimeInMillis?.() ?? 300_000;
  let answer: CheckAnswer;
  try {
    answer = await runCheck(event, {
      model: () => JSON.parse(fs.readFileSync(path.join(__dirname, DEPLOYMENT_CHECK_MODEL_FILE), 'utf8')) as ExpectedApi,
      modelHash: () => {
        const digest = createHash('sha256');
        for (const file of MODEL_HASH_FILES) {
          digest.update(fs.readFileSync(path.join(__dirname, file)));
        }
        return digest.digest('hex');
      },
      client: createClient,
      read: readDeployedApi,
      budgetMs: remaining - ANSWER_MARGIN_MS,
      log: (line) => console.log(line),
    });
  } catch (err) {
    // runCheck answers every outcome itself; this is the last guard that CloudFormation gets an answer.
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
