import { REST_CHECK } from './runtime/check';
import { checkHandler } from './runtime/check-core';
import { createClient, readDeployedApi } from './runtime/read-api';

/**
 * The deployment check's CloudFormation custom resource handler (see src/api/deployment-check.ts
 * for why it answers CloudFormation itself, and runtime/check-core.ts for how).
 */
export const handler = checkHandler({ kind: REST_CHECK, dir: __dirname, client: createClient, read: readDeployedApi });
