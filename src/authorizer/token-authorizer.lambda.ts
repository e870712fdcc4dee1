import { AuditLog } from './runtime/audit';
import { createAuthorizer, createFailClosedAuthorizer } from './runtime/authorizer';
import type { Authorize } from './runtime/authorizer';
import { loadConfig, metricsIdentityOf } from './runtime/config';
import { KeysUnavailableError } from './runtime/errors';
import { JwksCache, JwksUnavailableError } from './runtime/jwks';
import type { AuthorizerResult } from './runtime/policy';

/**
 * Everything that can be done before the first request is done here, during Lambda init: read and
 * validate the configuration once, and start the JWKS fetch right after module load so that it
 * overlaps the rest of init instead of the first request (a request that comes first joins or
 * starts that one fetch). Nothing here waits on the network, and nothing escapes: an unusable
 * configuration yields an authorizer that refuses every request (reason internal_error).
 */
function init(): Authorize {
  try {
    const config = loadConfig();
    const audit = new AuditLog(config.metricsNamespace, config.serviceName);
    const jwks = new JwksCache({
      uri: config.jwksUri,
      ...config.jwks,
      onFetch: (r) => audit.jwksFetch(r),
    });
    // Right after module load rather than inside it, where creating the request (and loading
    // node:http/https) added ~5 ms. Lambda's runtime client asks for the first event from a
    // setImmediate queued after this one; an event that still comes first starts the fetch and
    // this start() then does nothing.
    setImmediate(() => jwks.start());
    return createAuthorizer({
      config,
      audit,
      peekKey: (kid, alg) => jwks.peekKeys(kid, alg),
      refetchKeys: (kid, alg) => jwks.refetchKeys(kid, alg),
      resolveKey: async (kid, alg) => {
        try {
          return await jwks.getKeys(kid, alg);
        } catch (err) {
          if (err instanceof JwksUnavailableError) {
            throw new KeysUnavailableError('no JWKS has been loaded');
          }
          throw err;
        }
      },
    });
  } catch (err) {
    const { namespace, service } = metricsIdentityOf();
    const audit = new AuditLog(namespace, service);
    audit.configError(`authorizer fails closed: ${err instanceof Error ? err.message : String(err)}`);
    return createFailClosedAuthorizer(audit);
  }
}

const authorize = init();

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
