import { GITHUB, statementOf, TIGHT_GITHUB, webIdentity } from './statements';
import { FederationRisk } from '../../../../src/roles/federation-risk';
import { unsupportedConditionKey } from '../../../../src/roles/trust/checks/unsupported-condition-key';

describe('unsupportedConditionKey', () => {
  test('should report under the code FederationGuard.UnsupportedConditionKey', () => {
    expect(unsupportedConditionKey.code).toBe('FederationGuard.UnsupportedConditionKey');
  });

  test('should pass keys IAM has for GitHub Actions', () => {
    expect(unsupportedConditionKey.check(statementOf(webIdentity({ StringEquals: { ...TIGHT_GITHUB.StringEquals, [`${GITHUB}:repository`]: 'acme/orders' } })))).toEqual([]);
  });

  test('should find a key IAM does not have for GitHub Actions', () => {
    expect(unsupportedConditionKey.check(statementOf(webIdentity({ StringEquals: { ...TIGHT_GITHUB.StringEquals, [`${GITHUB}:repository_owner`]: 'acme' } })))).toEqual([
      { risk: FederationRisk.UNSUPPORTED_CONDITION_KEY, message: expect.stringMatching(/^conditions on 'token\.actions\.githubusercontent\.com:repository_owner', but IAM has no condition key .*nobody could assume the role/) },
    ]);
  });
});
