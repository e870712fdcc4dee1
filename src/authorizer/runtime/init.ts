import { AuditLog } from './audit';
import type { AuthorizerDeps } from './authorizer';
import { loadConfig, metricsIdentityOf } from './config';
import { KeysUnavailableError } from './errors';
import { JwksCache, JwksUnavailableError } from './jwks';

/**
 * The Lambda init of both authorizer entries (REST and HTTP API): everything that can be done before
 * the first request is done here. The configuration is read and validated once, and the JWKS fetch
 * starts right after module load, so that it overlaps the rest of init instead of the first request
 * (a request that comes first joins or starts that one fetch). Nothing here waits on the network,
 * and nothing escapes: an unusable configuration yields `failClosed`, an authorizer that refuses
 * every request (reason internal_error).
 */
export function initAuthorizer<A>(create: (deps: AuthorizerDeps) => A, failClosed: (audit: AuditLog) => A): A {
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
    return create({
      config,
      audit,
      peekKey: (kid, alg) => jwks.peekKeys(kid, alg),
      refetchKeys: (kid, alg) => jwks.refetchKeys(kid, alg),
      resolveKey: async (kid, alg) => {
        try {
          return await jwks.getKeys(kid, alg);
        } catch (err) {
          if (err instanceof JwksUnavailableError) {
            throw new KeysUnavailableError();
          }
          throw err;
        }
      },
    });
  } catch (err) {
    const { namespace, service } = metricsIdentityOf();
    const audit = new AuditLog(namespace, service);
    audit.configError(`authorizer fails closed: ${err instanceof Error ? err.message : String(err)}`);
    return failClosed(audit);
  }
}
