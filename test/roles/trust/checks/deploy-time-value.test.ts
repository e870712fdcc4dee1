import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { GITHUB, statementOf, TIGHT_GITHUB, webIdentity } from './statements';
import { FederationRisk } from '../../../../src/roles/federation-risk';
import { deployTimeValue } from '../../../../src/roles/trust/checks/deploy-time-value';

/** A stack with an `Audience` parameter. */
function withParameter(): Stack {
  const stack = new Stack(new App(), 'Stack');
  new CfnParameter(stack, 'Audience');
  return stack;
}

describe('deployTimeValue', () => {
  test('should report under the code FederationGuard.DeployTimeValue', () => {
    expect(deployTimeValue.code).toBe('FederationGuard.DeployTimeValue');
  });

  test('should pass literal values', () => {
    expect(deployTimeValue.check(statementOf(webIdentity(TIGHT_GITHUB)))).toEqual([]);
  });

  test('should find an audience only known at deploy time (a parameter)', () => {
    expect(deployTimeValue.check(statementOf(webIdentity({ StringEquals: { [`${GITHUB}:aud`]: { Ref: 'Audience' }, [`${GITHUB}:sub`]: 'repo:acme/orders:ref:refs/heads/main' } }), withParameter()))).toEqual([
      { risk: FederationRisk.DEPLOY_TIME_VALUE, message: expect.stringMatching(/^tests 'token\.actions\.githubusercontent\.com:aud' against a value only known at deploy time .*accept DEPLOY_TIME_VALUE on this role if that value is trusted$/) },
    ]);
  });
});
