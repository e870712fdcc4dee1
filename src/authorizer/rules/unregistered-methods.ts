import { TokenAuthorizerSubject } from './subject';
import { messageRule } from '../../rules/rule';

/**
 * Every method that uses the authorizer is in its route table: the authorizer denies a method it
 * does not know, and a cached policy could not account for it.
 */
export const unregisteredMethods = messageRule<TokenAuthorizerSubject>('TokenAuthorizer.UnregisteredMethod',
  'every REST API method that uses the authorizer is in its route table', (authorizer) => {
    const registered = new Set(authorizer.routes.map((r) => `${r.method} ${r.resource}`));
    return authorizer.methods
      .filter((m) => !registered.has(`${m.httpMethod} ${m.resourcePath}`))
      .map((m) => `method ${m.httpMethod} ${m.resourcePath} (${m.path}) uses this authorizer but is not in its route table, so the authorizer would deny it and a cached policy could not account for it; call addRoute({ method: '${m.httpMethod}', path: '${m.resourcePath}', ... }) on ${authorizer.path}.`);
  });
