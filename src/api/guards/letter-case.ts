import { ApiGuard, DeployedApi, isJson } from './deployed-api';
import { messageRule } from '../../rules/rule';
import { definitionOperations } from '../definition';

/** The keys of a path item that are operations, as OpenAPI and API Gateway write them. */
const OPERATION_KEYS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace', 'x-amazon-apigateway-any-method'];

/**
 * A method key in another letter case than OpenAPI's (`GET` beside or instead of `get`), or a path
 * beside another that differs from it in letter case only, one of which no route made: neither
 * OpenAPI nor API Gateway says which of two such keys is imported, or whether `GET` is read as a
 * method at all, so the other guards could read one operation while API Gateway imports the other.
 */
export const letterCase: ApiGuard = messageRule<DeployedApi>('SecuredApi.LetterCaseAmbiguous', 'no method key in upper case, and no two paths that differ in letter case only one of which no route made', (api) => {
  const body = isJson(api.properties) && isJson(api.properties.Body) ? api.properties.Body : undefined;
  if (!body || !isJson(body.paths)) return [];
  const fix = `remove the override of ${api.restApiPath} that wrote it, and add routes with addRoute() on ${api.path}`;
  const errors: string[] = [];
  for (const [path, item] of Object.entries(body.paths)) {
    if (!isJson(item)) continue;
    for (const key of Object.keys(item)) {
      const lower = key.toLowerCase();
      if (key !== lower && OPERATION_KEYS.includes(lower)) {
        errors.push(`the REST API ${api.restApiPath}'s definition has the method key "${key}" under ${path}${Object.hasOwn(item, lower) ? ` beside "${lower}"` : ''}, which OpenAPI writes in lower case only, so which operation API Gateway imports is not documented; ${fix}.`);
      }
    }
  }
  const written = new Set(definitionOperations(api.written.body).map((op) => op.resource));
  const byLowerCase = new Map<string, string[]>();
  for (const path of Object.keys(body.paths)) {
    byLowerCase.set(path.toLowerCase(), [...(byLowerCase.get(path.toLowerCase()) ?? []), path]);
  }
  for (const paths of byLowerCase.values()) {
    if (paths.length > 1 && paths.some((p) => !written.has(p))) {
      errors.push(`the REST API ${api.restApiPath}'s definition has the paths ${paths.join(', ')}, which differ in letter case only, and not all of them were made by routes; ${fix}.`);
    }
  }
  return errors;
});
