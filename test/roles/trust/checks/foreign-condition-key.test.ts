import { AUTH0, statementOf, TIGHT_GITHUB, webIdentity } from './statements';
import { FederationRisk } from '../../../../src/roles/federation-risk';
import { foreignConditionKey } from '../../../../src/roles/trust/checks/foreign-condition-key';

describe('foreignConditionKey', () => {
  test('should report under the code FederationGuard.ForeignConditionKey', () => {
    expect(foreignConditionKey.code).toBe('FederationGuard.ForeignConditionKey');
  });

  test('should pass conditions on the principal\'s own provider', () => {
    expect(foreignConditionKey.check(statementOf(webIdentity(TIGHT_GITHUB)))).toEqual([]);
  });

  test('should find a condition on another provider\'s key', () => {
    expect(foreignConditionKey.check(statementOf(webIdentity({ StringEquals: { ...TIGHT_GITHUB.StringEquals, [`${AUTH0}:sub`]: 'auth0|1' } })))).toEqual([
      { risk: FederationRisk.FOREIGN_CONDITION_KEY, message: expect.stringMatching(/^conditions on 'acme\.eu\.auth0\.com\/:sub', a key of another identity provider .*the principal is the OIDC provider 'token\.actions\.githubusercontent\.com'/) },
    ]);
  });
});
