import { GITHUB, statementOf, TIGHT_GITHUB, webIdentity } from './statements';
import { FederationRisk } from '../../../../src/roles/federation-risk';
import { missingAudience } from '../../../../src/roles/trust/checks/missing-audience';

describe('missingAudience', () => {
  test('should report under the code FederationGuard.MissingAudience', () => {
    expect(missingAudience.code).toBe('FederationGuard.MissingAudience');
  });

  test('should pass a trust that conditions on the audience', () => {
    expect(missingAudience.check(statementOf(webIdentity(TIGHT_GITHUB)))).toEqual([]);
  });

  test('should find a trust without an audience condition', () => {
    expect(missingAudience.check(statementOf(webIdentity({ StringEquals: { [`${GITHUB}:sub`]: 'repo:acme/orders:ref:refs/heads/main' } })))).toEqual([
      { risk: FederationRisk.MISSING_AUDIENCE, message: expect.stringMatching(/^trusts the OIDC provider 'token\.actions\.githubusercontent\.com' without a condition on 'token\.actions\.githubusercontent\.com:aud'.*add a StringEquals condition/) },
    ]);
  });
});
