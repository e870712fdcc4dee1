import { checkHandler } from './runtime/check-core';
import { HTTP_CHECK } from './runtime/http-check';
import { createHttpClient, readDeployedHttpApi } from './runtime/http-read';

/**
 * A SecuredHttpApi's deployment check, as a CloudFormation custom resource handler: answers every
 * event itself, before the function's timeout, and never throws (runtime/check-core.ts, as the
 * REST check's handler).
 */
export const handler = checkHandler({ kind: HTTP_CHECK, dir: __dirname, client: createHttpClient, read: readDeployedHttpApi });
