import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { FederatedRole, FederatedTrust, FederationGuard, OidcIdentityProvider, OidcIssuer, Subject } from '../../src';

describe('Auth0 issuers (iss ends in a slash)', () => {
  test('should condition on IAM keys with the slash and pass FederationGuard', () => {
    // GIVEN
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
    const provider = new OidcIdentityProvider(stack, 'Auth0', {
      issuer: OidcIssuer.auth0('acme.eu.auth0.com', { audiences: ['https://api.acme.test'] }),
    });
    Aspects.of(app).add(new FederationGuard());

    // WHEN
    new FederatedRole(stack, 'Service', {
      trust: FederatedTrust.oidc({ provider, subjects: [Subject.exactly('abc123@clients')] }),
    });

    // THEN
    const roles = Template.fromStack(stack).findResources('AWS::IAM::Role');
    const statement = Object.values(roles)[0].Properties.AssumeRolePolicyDocument.Statement[0];
    expect(statement.Condition.StringEquals).toEqual({
      'acme.eu.auth0.com/:aud': 'https://api.acme.test',
      'acme.eu.auth0.com/:sub': 'abc123@clients',
    });
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
  });

  test('should refuse a plain role trusting the Auth0 provider on aud alone', () => {
    // GIVEN
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
    const provider = new OidcIdentityProvider(stack, 'Auth0', {
      issuer: OidcIssuer.auth0('acme.eu.auth0.com', { audiences: ['https://api.acme.test'] }),
    });
    Aspects.of(app).add(new FederationGuard());

    // WHEN
    new iam.Role(stack, 'Loose', {
      assumedBy: new iam.WebIdentityPrincipal(provider.providerArn, {
        StringEquals: { 'acme.eu.auth0.com/:aud': 'https://api.acme.test' },
      }),
    });

    // THEN
    const errors = Annotations.fromStack(stack).findError('*', Match.anyValue());
    expect(errors).toHaveLength(1);
    expect(JSON.stringify(errors[0].entry.data)).toMatch(/Stack\/Loose.*sub/);
    expect(JSON.stringify(errors[0].entry.data)).not.toMatch(/different provider|names another/);
  });
});
