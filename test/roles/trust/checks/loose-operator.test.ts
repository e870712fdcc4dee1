import { GITHUB, statementOf, TIGHT_GITHUB, webIdentity } from './statements';
import { FederationRisk } from '../../../../src/roles/federation-risk';
import { looseOperator } from '../../../../src/roles/trust/checks/loose-operator';

describe('looseOperator', () => {
  test('should report under the code FederationGuard.LooseOperator', () => {
    expect(looseOperator.code).toBe('FederationGuard.LooseOperator');
  });

  test('should pass StringEquals on the audience and subject', () => {
    expect(looseOperator.check(statementOf(webIdentity(TIGHT_GITHUB)))).toEqual([]);
  });

  test('should find the audience tested with StringNotEquals', () => {
    expect(looseOperator.check(statementOf(webIdentity({ StringNotEquals: { [`${GITHUB}:aud`]: 'other' }, StringEquals: { [`${GITHUB}:sub`]: 'repo:acme/orders:ref:refs/heads/main' } })))).toEqual([
      { risk: FederationRisk.LOOSE_OPERATOR, message: expect.stringMatching(/^tests 'token\.actions\.githubusercontent\.com:aud' with 'StringNotEquals', which accepts values other than the listed ones/) },
    ]);
  });
});
