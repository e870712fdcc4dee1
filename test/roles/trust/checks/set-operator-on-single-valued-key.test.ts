import { GITHUB, statementOf, TIGHT_GITHUB, webIdentity } from './statements';
import { FederationRisk } from '../../../../src/roles/federation-risk';
import { setOperatorOnSingleValuedKey } from '../../../../src/roles/trust/checks/set-operator-on-single-valued-key';

describe('setOperatorOnSingleValuedKey', () => {
  test('should report under the code FederationGuard.SetOperatorOnSingleValuedKey', () => {
    expect(setOperatorOnSingleValuedKey.code).toBe('FederationGuard.SetOperatorOnSingleValuedKey');
  });

  test('should pass plain operators on single-valued keys', () => {
    expect(setOperatorOnSingleValuedKey.check(statementOf(webIdentity(TIGHT_GITHUB)))).toEqual([]);
  });

  test('should find ForAllValues on the subject', () => {
    expect(setOperatorOnSingleValuedKey.check(statementOf(webIdentity({ 'StringEquals': { [`${GITHUB}:aud`]: 'sts.amazonaws.com' }, 'ForAllValues:StringEquals': { [`${GITHUB}:sub`]: 'repo:acme/orders:ref:refs/heads/main' } })))).toEqual([
      { risk: FederationRisk.SET_OPERATOR_ON_SINGLE_VALUED_KEY, message: expect.stringMatching(/^uses 'ForAllValues:StringEquals' on 'token\.actions\.githubusercontent\.com:sub', a single-valued key .*use plain StringEquals instead$/) },
    ]);
  });
});
