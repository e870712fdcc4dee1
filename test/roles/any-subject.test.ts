import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { FederatedRole, FederatedTrust, OidcIdentityProvider, OidcIssuer, Subject } from '../../src';
import { ErrorCodes } from '../support/error-codes';
import { errors, guardedStack } from '../support/guard';

const codes = new ErrorCodes();

const ISSUER = OidcIssuer.fromUrl('https://login.example.com', { audiences: ['api://catalogue'] });

describe('FederatedTrust.oidc anySubjectReason', () => {
  test('should write no sub condition and record MISSING_SUBJECT as accepted with the reason', () => {
    // GIVEN
    const stack = guardedStack();
    const provider = new OidcIdentityProvider(stack, 'Provider', { issuer: ISSUER });

    // WHEN
    new FederatedRole(stack, 'Catalogue', {
      trust: FederatedTrust.oidc({ provider, subjects: [], anySubjectReason: 'read-only public catalogue, readable by every client' }),
    });

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRoleWithWebIdentity',
          Effect: 'Allow',
          Principal: { Federated: Match.anyValue() },
          Condition: { StringEquals: { 'login.example.com:aud': 'api://catalogue' } },
        }],
      },
    });
    expect(errors(stack)).toEqual([]);
    expect(Annotations.fromStack(stack).findInfo('*', Match.stringLikeRegexp('MISSING_SUBJECT accepted .*read-only public catalogue'))).toHaveLength(1);
  });

  test.each([
    [[Subject.exactly('svc')], 'read-only catalogue', 'FederatedRole.SubjectsWithAnySubjectReason', /sets both subjects and anySubjectReason/],
    [[], '  ', 'FederatedRole.InvalidAnySubjectReason', /sets anySubjectReason to an empty or unresolved value/],
  ])('should refuse subjects %j with the reason %j', (subjects, reason, code, error) => {
    // GIVEN
    const stack = guardedStack();
    const provider = new OidcIdentityProvider(stack, 'Provider', { issuer: ISSUER });

    // WHEN / THEN
    codes.expectThrows(() => new FederatedRole(stack, 'Role', { trust: FederatedTrust.oidc({ provider, subjects, anySubjectReason: reason }) }), code, error);
  });

  test('should still refuse no subjects without a reason', () => {
    // GIVEN
    const stack = guardedStack();
    const provider = new OidcIdentityProvider(stack, 'Provider', { issuer: ISSUER });

    // WHEN / THEN
    codes.expectThrows(() => new FederatedRole(stack, 'Role', { trust: FederatedTrust.oidc({ provider, subjects: [] }) }), 'FederatedRole.MissingSubject', /has no subject for 'login.example.com:sub'/);
  });
});
