import { GITHUB, statementOf, TIGHT_GITHUB, webIdentity } from './statements';
import { FederationRisk } from '../../../../src/roles/federation-risk';
import { missingSubject } from '../../../../src/roles/trust/checks/missing-subject';

describe('missingSubject', () => {
  test('should report under the code FederationGuard.MissingSubject', () => {
    expect(missingSubject.code).toBe('FederationGuard.MissingSubject');
  });

  test('should pass a trust that conditions on the subject', () => {
    expect(missingSubject.check(statementOf(webIdentity(TIGHT_GITHUB)))).toEqual([]);
  });

  test('should find a trust without a subject condition', () => {
    expect(missingSubject.check(statementOf(webIdentity({ StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' } })))).toEqual([
      { risk: FederationRisk.MISSING_SUBJECT, message: expect.stringMatching(/^trusts the OIDC provider 'token\.actions\.githubusercontent\.com' without a condition on 'token\.actions\.githubusercontent\.com:sub', so every identity of that provider .*can assume the role/) },
    ]);
  });
});
