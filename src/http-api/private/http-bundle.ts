import * as path from 'node:path';

/**
 * Where `npx projen bundle` puts the HTTP API authorizer's bundle (the entry
 * src/authorizer/http-authorizer.lambda.ts): the same relative path from src/ and lib/.
 */
export const HTTP_BUNDLE_DIR = path.join(__dirname, '..', '..', '..', 'assets', 'authorizer', 'http-authorizer.lambda');
