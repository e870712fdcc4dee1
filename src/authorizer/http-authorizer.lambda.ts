import { createFailClosedHttpAuthorizer, createHttpAuthorizer } from './runtime/http-authorizer';
import type { HttpSimpleResponse } from './runtime/http-response';
import { initAuthorizer } from './runtime/init';

// The same init as the REST entry (runtime/init.ts), around the HTTP API answer.
const authorize = initAuthorizer(createHttpAuthorizer, createFailClosedHttpAuthorizer);

/**
 * API Gateway HTTP API Lambda authorizer (payload format 2.0, simple responses enabled). Resolves to
 * `{ isAuthorized: true, context }` for a token permitted the route of `routeKey`, and to
 * `{ isAuthorized: false }` (403) for anything else: a token lacking permission, an unknown route or
 * `$default`, and a missing or invalid token (see runtime/http-response.ts for why not an error).
 * It never rejects.
 */
export const handler = async (event: unknown): Promise<HttpSimpleResponse> => authorize(event);
