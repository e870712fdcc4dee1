import { GITHUB, statementOf, webIdentity } from './statements';
import { FederationRisk } from '../../../../src/roles/federation-risk';
import { subjectPattern } from '../../../../src/roles/trust/checks/subject-pattern';

describe('subjectPattern', () => {
  test('should report under the code FederationGuard.LooseSubjectPattern', () => {
    expect(subjectPattern.code).toBe('FederationGuard.LooseSubjectPattern');
  });

  test('should pass a pattern whose wildcard comes after the repository', () => {
    expect(subjectPattern.check(statementOf(webIdentity({ StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' }, StringLike: { [`${GITHUB}:sub`]: 'repo:acme/orders:*' } })))).toEqual([]);
  });

  test('should find a subject pattern that is a wildcard alone', () => {
    expect(subjectPattern.check(statementOf(webIdentity({ StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' }, StringLike: { [`${GITHUB}:sub`]: '*' } })))).toEqual([
      { risk: FederationRisk.WILDCARD_SUBJECT, message: expect.stringMatching(/token\.actions\.githubusercontent\.com:sub/) },
    ]);
  });

  test('should find a pattern that admits every repository of the owner', () => {
    expect(subjectPattern.check(statementOf(webIdentity({ StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' }, StringLike: { [`${GITHUB}:sub`]: 'repo:acme/*' } })))).toEqual([
      { risk: FederationRisk.ANY_REPOSITORY_OF_OWNER, message: expect.stringMatching(/repo:acme\/\*/) },
    ]);
  });
});
