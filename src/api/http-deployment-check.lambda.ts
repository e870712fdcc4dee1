import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEPLOYMENT_CHECK_MODEL_FILE, MODEL_HASH_FILES } from './deployment-check-contract';
import { CheckAnswer, putResponse, responseBody } from './runtime/cfn-response';
import { ANSWER_MARGIN_MS } from './runtime/check';
import { HttpCheckEvent, runHttpCheck } from './runtime/http-check';
import type { ExpectedHttpApi } from './runtime/http-compare';
import { ApiGatewayV2Reader, readDeployedHttpApi } from './runtime/http-read';
import { MAX_ATTEMPTS } from './runtime/read-api';

/**
 * The SDK's aggregated `ApiGatewayV2` client, from the Node.js runtime's AWS SDK v3 (the bundle
 * keeps `@aws-sdk/*` external, as the REST check's does), retrying throttling adaptively.
 */
function createHttpClient(): ApiGatewayV2Reader {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require('@aws-sdk/client-apigatewayv2') as { ApiGatewayV2: new (config: object) => ApiGatewayV2Reader };
  return new sdk.ApiGatewayV2({ retryMode: 'adaptive', maxAttempts: MAX_ATTEMPTS });
}

/**
 * A SecuredHttpApi's deployment check, as a CloudFormation custom resource handler: answers every
 * event itself, before the function's timeout, and never throws (as the REST check's handler).
 */
export const handler = async (event: HttpCheckEvent, context?: { getRemainingTimeInMillis?: () => number }): Promise<void> => {
  const remaining = context?.getRemainingTimeInMillis?.() ?? 300_000;
  let answer: CheckAnswer;
  try {
    answer = await runHttpCheck(event, {
      model: () => JSON.parse(fs.readFileSync(path.join(__dirname, DEPLOYMENT_CHECK_MODEL_FILE), 'utf8')) as ExpectedHttpApi,
      modelHash: () => {
        const digest = createHash('sha256');
        for (const file of MODEL_HASH_FILES) {
          digest.update(fs.readFileSync(path.join(__dirname, file)));
        }
        return digest.digest('hex');
      },
      client: createHttpClient,
      read: readDeployedHttpApi,
      budgetMs: remaining - ANSWER_MARGIN_MS,
      log: (line) => console.log(line),
    });
  } catch (err) {
    answer = {
      status: event.RequestType === 'Delete' ? 'SUCCESS' : 'FAILED',
      physicalResourceId: event.PhysicalResourceId ?? `deployment-check-${event.LogicalResourceId}`,
      reason: { head: `The deployment check failed unexpectedly: ${err instanceof Error ? err.message : String(err)}`, lines: [] },
    };
  }
  try {
    await putResponse(event.ResponseURL, responseBody(event, answer));
  } catch (err) {
    console.log(JSON.stringify({ error: 'could not answer CloudFormation', message: err instanceof Error ? err.message : String(err) }));
  }
};
