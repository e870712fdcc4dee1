import type { AuditLog } from './audit';
import { createAuthorizer, createFailClosedAuthorizer } from './authorizer';
import type { AuthorizerDeps, Authorize } from './authorizer';
import { restEventOf } from './http-event';
import { REFUSED, simpleResponseOf } from './http-response';
import type { HttpSimpleResponse } from './http-response';

/** Resolves to a simple response; never rejects. */
export type AuthorizeHttp = (event: unknown) => Promise<HttpSimpleResponse>;

/**
 * The HTTP API (payload 2.0, simple responses) face of the REST decision core: the same token checks,
 * route table, reason codes, audit line and EMF metrics, since every decision is made, logged and
 * counted by `createAuthorizer` itself. The core runs in `route` cache mode whatever config.json says:
 * an HTTP API caches the answer by identity sources (see http-identity-sources.ts), never a policy,
 * so its answer need only be right for the current route.
 */
export function createHttpAuthorizer(deps: AuthorizerDeps): AuthorizeHttp {
  return adapt(createAuthorizer({ ...deps, config: { ...deps.config, cacheMode: 'route' } }));
}

/** The authorizer used when the configuration is unusable: every request is refused and logged. */
export function createFailClosedHttpAuthorizer(audit: AuditLog): AuthorizeHttp {
  return adapt(createFailClosedAuthorizer(audit));
}

function adapt(authorize: Authorize): AuthorizeHttp {
  return async (input) => {
    try {
      // An event that is not a payload-2.0 REQUEST with a route key goes in as {} and is refused
      // and logged by the core as internal_error.
      return simpleResponseOf(await authorize(restEventOf(input) ?? {}));
    } catch {
      // The core rejects (after logging the decision as unauthorized) for a missing or invalid
      // token and anything unexpected: all refused, never an error (see REFUSED).
      return REFUSED;
    }
  };
}
