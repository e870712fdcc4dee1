import { createAuthorizer, createFailClosedAuthorizer } from './runtime/authorizer';
import { initAuthorizer } from './runtime/init';
import type { AuthorizerResult } from './runtime/policy';

const authorize = initAuthorizer(createAuthorizer, createFailClosedAuthorizer);

/**
 * API Gateway REST `REQUEST` authorizer. Resolves to an IAM policy (Allow, or Deny for a valid token
 * that lacks permission); rejects with exactly `Error('Unauthorized')` for a missing or invalid
 * token and for anything unexpected, which API Gateway turns into a 401 instead of a 500.
 */
export const handler = async (event: unknown): Promise<AuthorizerResult> => {
  try {
    return await authorize(event);
  } catch {
    throw new Error('Unauthorized');
  }
};
