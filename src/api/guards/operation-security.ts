import { ApiGuard, DeployedApi, isJson, same } from './deployed-api';
import { messageRule } from '../../rules/rule';
import { DEFINITION_API_KEY_SCHEME, DEFINITION_AUTHORIZER_SCHEME, definitionOperations, guardedSecurity, methodAuthorization } from '../definition';

/**
 * "public: true is the one way to open a route", in the definition as deployed: no operation (nor
 * path, which a `$ref` could fill) that no route made, and every guarded route's operation requires
 * exactly what was written (this API's token authorizer, and its API key with per-client quotas),
 * with the schemes it names as written. The written definition is checked too, read as API Gateway
 * reads it (`methodAuthorization`: every scheme named in any requirement object applies): every
 * operation it has is public or names this API's token authorizer and nothing but it and the API
 * key, so that no future operation can be written otherwise and pass.
 */
export const operationSecurity: ApiGuard = messageRule<DeployedApi>('SecuredApi.OperationSecurityChanged', 'every operation and path is one a route made, and every guarded operation requires this API\'s token authorizer (and API key) as written', (api) => {
  const body = isJson(api.properties) && isJson(api.properties.Body) ? api.properties.Body : undefined;
  if (!body) return [];
  const errors: string[] = [];
  const fix = `add it with addRoute() on ${api.path}, with public: true if it must be open`;
  const schemeOf = (d: any, name: string) => d?.components?.securitySchemes?.[name];
  // The schemes a guarded operation names (the authorizer, and the API key with quotas) must be as
  // written: a changed scheme changes what the same requirement means.
  const writtenSchemes = isJson(api.written.body.components) && isJson(api.written.body.components.securitySchemes)
    ? Object.keys(api.written.body.components.securitySchemes) : [];
  const changedSchemes = writtenSchemes.filter((name) => !same(schemeOf(body, name), schemeOf(api.written.body, name)));
  const schemesChanged = changedSchemes.length === 0 ? ''
    : changedSchemes.includes(DEFINITION_AUTHORIZER_SCHEME) ? ' and the definition\'s token authorizer scheme was changed'
      : ` and the definition's security scheme ${changedSchemes.join(', ')} was changed`;
  const wanted = operationSecurities(api.written.body);
  for (const [route, security] of wanted) {
    const method = methodAuthorization(security);
    const guarded = method !== undefined && method.schemes.includes(DEFINITION_AUTHORIZER_SCHEME)
      && method.schemes.every((scheme) => scheme === DEFINITION_AUTHORIZER_SCHEME || scheme === DEFINITION_API_KEY_SCHEME);
    if (!same(security, []) && !guarded) {
      errors.push(`operation ${route} was written with the security ${JSON.stringify(security)}, which does not require this API's token authorizer; this is a bug in cdk-secured-api, please report it.`);
    }
  }
  const writtenPaths = isJson(api.written.body.paths) ? api.written.body.paths : {};
  const withOperations = new Set(definitionOperations(body).map((op) => op.resource));
  for (const path of Object.keys(isJson(body.paths) ? body.paths : {})) {
    if (!Object.hasOwn(writtenPaths, path) && !withOperations.has(path)) {
      errors.push(`path ${path} is in the REST API's definition (${api.restApiPath}) but no route made it (an override added it; what API Gateway makes of it, e.g. of a $ref, is not checked); remove that override, and ${fix}.`);
    }
  }
  for (const [route, security] of operationSecurities(body)) {
    if (!wanted.has(route)) {
      errors.push(`operation ${route} is in the REST API's definition (${api.restApiPath}) but no route made it (an override or escape hatch added it); ${fix}.`);
      continue;
    }
    const want = wanted.get(route);
    if (!same(want, []) && (!same(security, want) || schemesChanged)) {
      errors.push(`operation ${route} is a guarded route, but as deployed its security is ${JSON.stringify(security ?? null)}${schemesChanged} instead of this API's token authorizer${same(want, guardedSecurity(true)) ? ' and API key' : ''} (an override or escape hatch changed it); remove that override, or add the route with public: true if it must be open.`);
    }
  }
  return errors;
});

/**
 * Each operation of a definition (`GET /orders`) with its `security` (undefined when it has none).
 * Two keys of one method in different letter cases are one entry here; `letterCase` refuses them.
 */
function operationSecurities(definition: { paths?: unknown }): Map<string, any> {
  return new Map(definitionOperations(definition).map(({ method, resource, operation }) => [`${method} ${resource}`, operation?.security]));
}
