import { GITHUB, statementOf, TIGHT_GITHUB, webIdentity } from './statements';
import { FederationRisk } from '../../../../src/roles/federation-risk';
import { policyVariable } from '../../../../src/roles/trust/checks/policy-variable';

describe('policyVariable', () => {
  test('should report under the code FederationGuard.PolicyVariable', () => {
    expect(policyVariable.code).toBe('FederationGuard.PolicyVariable');
  });

  test('should pass literal values', () => {
    expect(policyVariable.check(statementOf(webIdentity(TIGHT_GITHUB)))).toEqual([]);
  });

  test('should find a subject holding a policy variable', () => {
    expect(policyVariable.check(statementOf(webIdentity({ StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com', [`${GITHUB}:sub`]: 'repo:acme/${aws:username}' } })))).toEqual([
      { risk: FederationRisk.POLICY_VARIABLE, message: expect.stringMatching(/^tests 'token\.actions\.githubusercontent\.com:sub' against 'repo:acme\/\$\{aws:username\}', which holds an IAM policy variable/) },
    ]);
  });
});
