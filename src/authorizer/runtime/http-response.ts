import { HTTP_PRINCIPAL_CONTEXT_KEY } from '../contract';
import type { AuthorizerResult } from './policy';

/**
 * The answer of an HTTP API Lambda authorizer with simple responses enabled (payload format 2.0):
 * `{ isAuthorized, context }`
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html,
 * "Lambda function response for format 2.0").
 */
export interface HttpSimpleResponse {
  readonly isAuthorized: boolean;
  /** Only with `isAuthorized: true`; the integration reads it as `$context.authorizer.<key>`. */
  readonly context?: Readonly<Record<string, string>>;
}

/**
 * The one refusal. API Gateway answers it with 403. It is also the answer for a missing or invalid
 * token, where the REST entry throws `Unauthorized` (401): the HTTP API guide documents only the
 * simple response's true/false and a 500 for an authorizer that fails or answers in an invalid format
 * ("Troubleshooting Lambda authorizers"), not what a thrown error becomes, so a bad token is never
 * answered with an error (under one reading a 500). A request without the `Authorization` header
 * identity source gets API Gateway's own 401 and never reaches the function ("Identity sources").
 * Frozen: handed out for every refusal.
 */
export const REFUSED: HttpSimpleResponse = Object.freeze({ isAuthorized: false });

/**
 * The simple response for the core's answer to a request. The core is run in `route` cache mode for
 * HTTP APIs, where its policy Allows the current route exactly when the decision is `allowed` and
 * otherwise only Denies it (runtime/policy.ts): so "has an Allow statement and no Deny" is the decision.
 * Anything else (including a policy shape this code does not expect) is a refusal.
 *
 * Context values are the REST context's, turned into strings: HTTP APIs would pass numbers and
 * booleans through as such, but a REST API hands its integration strings, and the same backend code
 * reads both (`exp` is e.g. `"1767225600"` on both). The policy's principal, which a simple response
 * has no field for, is the context's `principal` (HTTP_PRINCIPAL_CONTEXT_KEY), set last so that no
 * context claim shadows it: with the core's `sub`, `clientId`, `scopes` (`-` when absent), `issuer`
 * and `exp`, every key an HTTP backend's caller headers are mapped from is set and never empty.
 */
export function simpleResponseOf(result: AuthorizerResult): HttpSimpleResponse {
  const statements = result.policyDocument?.Statement;
  const allowed = Array.isArray(statements)
    && statements.some((s) => s.Effect === 'Allow')
    && !statements.some((s) => s.Effect !== 'Allow');
  if (!allowed) {
    return REFUSED;
  }
  const context: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.context)) {
    // defineProperty: a context claim named "__proto__" stays a key (as in the core's contextOf).
    Object.defineProperty(context, name, { value: String(value), enumerable: true, writable: true, configurable: true });
  }
  context[HTTP_PRINCIPAL_CONTEXT_KEY] = result.principalId;
  return { isAuthorized: true, context };
}
