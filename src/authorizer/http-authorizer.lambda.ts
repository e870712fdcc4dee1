import { AuditLog } from './runtime/audit';
import { loadConfig, metricsIdentityOf } from './runtime/config';
import { KeysUnavailableError } from './runtime/errors';
import { createFailClosedHttpAuthorizer, createHttpAuthorizer } from './runtime/http-authorizer';
import type { AuthorizeHttp } from './runtime/http-authorizer';
import type { HttpSimpleResponse } from './runtime/http-response';
import { JwksCache, JwksUnavailableError } from './runtime/jwks';

/**
 * Lambda init, as in token-authorizer.lambda.ts: config.json (the one TokenAuthorizer writes) read
 * and validated once, the JWKS fetch started right after module load, and an unusable configuration
 * turned into an authorizer that refuses every request (reason internal_error).
 */
function init(): AuthorizeHttp {
  try {
    const config = loadConfig();
    const audit = new AuditLog(config.metricsNamespace, config.serviceName);
    const jwks = new JwksCache({
      uri: config.jwksUri,
      ...config.jwks,
      onFetch: (r) => audit.jwksFetch(r),
    });
    setImmediate(() => jwks.start());
    return createHttpAuthorizer({
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
    return createFailClosedHttpAuthorizer(audit);
  }
}

const authorize = init();

/**
 * API Gateway HTTP API Lambda authorizer (payload format 2.0, simple responses enabled). Resolves to
 * `{ isAuthorized: true, context }` for a token permitted the route of `routeKey`, and to
 * `{ isAuthorized: false }` (403) for anything else: a token lacking permission, an unknown route or
 * `$default`, and a missing or invalid token (see runtime/http-response.ts for why not an error).
 * It never rejects.
 */
export const handler = async (event: unknown): Promise<HttpSimpleResponse> => authorize(event);
