import { TokenAuthorizerSubject } from './subject';
import { messageRule } from '../../rules/rule';
import { policyGlobOf } from '../route-table';

/**
 * API Gateway accepts a Resource of at most 512 characters in an authorizer's policy statement;
 * a longer one fails every request that reaches the authorizer.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html
 */
export const MAX_POLICY_RESOURCE_LENGTH = 512;

/**
 * Each route's policy resource (`arn:…:<api id>/<stage>/<METHOD>/<path>`) fits API Gateway's limit,
 * its prefix counted at its longest (`policyResourcePrefixLength`).
 */
export const overlongPolicyResources = messageRule<TokenAuthorizerSubject>('TokenAuthorizer.PolicyResourceTooLong',
  'each route\'s policy resource (arn:…/<stage>/<METHOD>/<path>) is at most 512 characters', (authorizer) => {
    const prefix = authorizer.policyResourcePrefixLength;
    if (prefix === undefined) return [];
    return authorizer.routes.flatMap((r) => {
      const glob = policyGlobOf(r.method, r.resource);
      const length = prefix + glob.length;
      return length <= MAX_POLICY_RESOURCE_LENGTH ? [] : [
        `route ${r.method} ${r.resource} has a policy resource of up to ${length} characters (arn:<partition>:execute-api:<region>:<account>:<api id>/<stage>/${glob}), and API Gateway refuses an authorizer policy whose Resource is longer than ${MAX_POLICY_RESOURCE_LENGTH}, which would fail every request to it; shorten the route's path or the stage name by ${length - MAX_POLICY_RESOURCE_LENGTH} characters.`,
      ];
    });
  });
