import { GITHUB, statementOf, TIGHT_GITHUB, webIdentity } from './statements';
import { FederationRisk } from '../../../../src/roles/federation-risk';
import { wildcardAudience } from '../../../../src/roles/trust/checks/wildcard-audience';

describe('wildcardAudience', () => {
  test('should report under the code FederationGuard.WildcardAudience', () => {
    expect(wildcardAudience.code).toBe('FederationGuard.WildcardAudience');
  });

  test('should pass an exact audience', () => {
    expect(wildcardAudience.check(statementOf(webIdentity(TIGHT_GITHUB)))).toEqual([]);
  });

  test('should find an audience pattern with a wildcard', () => {
    expect(wildcardAudience.check(statementOf(webIdentity({ StringLike: { [`${GITHUB}:aud`]: 'sts.*' }, StringEquals: { [`${GITHUB}:sub`]: 'repo:acme/orders:ref:refs/heads/main' } })))).toEqual([
      { risk: FederationRisk.WILDCARD_AUDIENCE, message: expect.stringMatching(/^matches 'token\.actions\.githubusercontent\.com:aud' against 'sts\.\*', which has a wildcard though audiences are exact values, so audiences of other applications can match/) },
    ]);
  });
});
