import { MAX_POLICY_RESOURCE_LENGTH, overlongPolicyResources } from '../../../src/authorizer/rules/overlong-policy-resources';
import { messagesOf } from '../../../src/rules/rule';

/** `arn:aws:execute-api:eu-west-1:111111111111:abcdefghij/prod/` */
const PREFIX = 'arn:aws:execute-api:eu-west-1:111111111111:abcdefghij/prod/'.length;

const authorizer = (resource: string, used = true) =>
  ({ path: 'Stack/Authorizer', routes: [{ method: 'GET', resource }], methods: [], ...(used ? { policyResourcePrefixLength: PREFIX } : {}) });

describe('overlongPolicyResources', () => {
  // GET/<path> is 4 characters longer than the path without its leading slash
  const longest = '/' + 'a'.repeat(MAX_POLICY_RESOURCE_LENGTH - PREFIX - 4);

  test('should pass a policy resource of exactly the limit', () => {
    expect(messagesOf(overlongPolicyResources, authorizer(longest))).toEqual([]);
  });

  test('should pass when no REST API uses the authorizer yet', () => {
    expect(messagesOf(overlongPolicyResources, authorizer(longest + 'aaaa', false))).toEqual([]);
  });

  test('should refuse a policy resource one character over the limit, saying by how much to shorten it', () => {
    expect(messagesOf(overlongPolicyResources, authorizer(longest + 'a'))).toEqual([
      `route GET ${longest}a has a policy resource of up to 513 characters (arn:<partition>:execute-api:<region>:<account>:<api id>/<stage>/GET/${longest.slice(1)}a), `
      + 'and API Gateway refuses an authorizer policy whose Resource is longer than 512, which would fail every request to it; shorten the route\'s path or the stage name by 1 characters.',
    ]);
    expect(overlongPolicyResources.code).toBe('TokenAuthorizer.PolicyResourceTooLong');
  });

  test('should count a path parameter as the policy glob writes it', () => {
    // {id} becomes *: a route of a long parameter name is shorter as a policy resource
    expect(messagesOf(overlongPolicyResources, authorizer(`/${'a'.repeat(400)}/{${'b'.repeat(100)}}`))).toEqual([]);
  });
});
