// The synth-time rules of a TokenAuthorizer, in the order their messages are reported;
// docs/rules.md lists them.
import { overlongPolicyResources } from './overlong-policy-resources';
import { TokenAuthorizerSubject } from './subject';
import { unregisteredMethods } from './unregistered-methods';
import { Rule } from '../../rules/rule';

export type { TokenAuthorizerSubject } from './subject';
export { MAX_POLICY_RESOURCE_LENGTH } from './overlong-policy-resources';
export { ruleMessages } from '../../rules/rule';

/** Every rule of a TokenAuthorizer. */
export const TOKEN_AUTHORIZER_RULES: ReadonlyArray<Rule<TokenAuthorizerSubject>> = [
  unregisteredMethods,
  overlongPolicyResources,
];
