import { statementOf, TIGHT_GITHUB, webIdentity } from './statements';
import { FederationRisk } from '../../../../src/roles/federation-risk';
import { publicPrincipal } from '../../../../src/roles/trust/checks/public-principal';

describe('publicPrincipal', () => {
  test('should report under the code FederationGuard.PublicPrincipal', () => {
    expect(publicPrincipal.code).toBe('FederationGuard.PublicPrincipal');
  });

  test('should pass a trust of one named provider', () => {
    expect(publicPrincipal.check(statementOf(webIdentity(TIGHT_GITHUB)))).toEqual([]);
  });

  test('should find sts:AssumeRoleWithWebIdentity granted to everyone', () => {
    expect(publicPrincipal.check(statementOf(webIdentity(TIGHT_GITHUB, '*')))).toEqual([
      { risk: FederationRisk.PUBLIC_PRINCIPAL, message: expect.stringMatching(/^grants sts:AssumeRoleWithWebIdentity to everyone .*name the identity provider's ARN as the only Federated principal$/) },
    ]);
  });
});
