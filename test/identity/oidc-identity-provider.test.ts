import { App, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { OidcIdentityProvider, OidcIssuer } from '../../src';
import { ErrorCodes } from '../support/error-codes';

const codes = new ErrorCodes();

function makeStack(): Stack {
  return new Stack(new App(), 'Identity', { env: { account: '123456789012', region: 'eu-west-1' } });
}

describe('OidcIdentityProvider', () => {
  test('should create one native AWS::IAM::OIDCProvider with the issuer URL and audiences', () => {
    // GIVEN
    const stack = makeStack();

    // WHEN
    const provider = new OidcIdentityProvider(stack, 'GitHub', { issuer: OidcIssuer.githubActions() });

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::OIDCProvider', 1);
    template.resourceCountIs('Custom::AWSCDKOpenIdConnectProvider', 0);
    template.resourceCountIs('AWS::Lambda::Function', 0);
    template.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
      ThumbprintList: Match.absent(),
    });
    const [logicalId] = Object.keys(template.findResources('AWS::IAM::OIDCProvider'));
    expect(stack.resolve(provider.providerArn)).toEqual({ Ref: logicalId });
    expect(stack.resolve(provider.oidcProvider.oidcProviderArn)).toEqual({ Ref: logicalId });
    expect(provider.issuer.issuerUrl).toBe('https://token.actions.githubusercontent.com');
  });

  test('should keep the trailing slash of an Auth0 issuer in the provider URL', () => {
    // GIVEN
    const stack = makeStack();

    // WHEN
    new OidcIdentityProvider(stack, 'Auth0', {
      issuer: OidcIssuer.auth0('acme.eu.auth0.com', { audiences: ['client-a', 'client-b'] }),
    });

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://acme.eu.auth0.com/',
      ClientIdList: ['client-a', 'client-b'],
    });
  });

  test('should pass thumbprints and the removal policy through', () => {
    // GIVEN
    const stack = makeStack();
    const thumbprint = '6938fd4d98bab03faadb97b34396831e3780aea1';

    // WHEN
    new OidcIdentityProvider(stack, 'Keycloak', {
      issuer: OidcIssuer.keycloak('https://sso.acme.com', 'acme', { audiences: ['orders-api'] }),
      thumbprints: [thumbprint],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://sso.acme.com/realms/acme',
      ClientIdList: ['orders-api'],
      ThumbprintList: [thumbprint],
    });
    template.hasResource('AWS::IAM::OIDCProvider', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('should take a Cognito user pool issuer whose URL is a token', () => {
    // GIVEN
    const stack = makeStack();
    const pool = new cognito.UserPool(stack, 'Pool');

    // WHEN
    new OidcIdentityProvider(stack, 'Cognito', {
      issuer: OidcIssuer.cognito(pool, { audiences: ['4example23456789'] }),
    });

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [Match.stringLikeRegexp('^Pool'), 'ProviderName'] }]] },
      ClientIdList: ['4example23456789'],
    });
  });

  test('should refuse an issuer URL with a port, naming the construct path', () => {
    // GIVEN
    const stack = makeStack();
    const issuer = OidcIssuer.fromUrl('https://login.acme.com:8443', { audiences: ['api://orders'] });

    // WHEN / THEN
    codes.expectThrows(() => new OidcIdentityProvider(stack, 'Acme', { issuer }), 'OidcIdentityProvider.IssuerUrlWithPort',
      "Identity/Acme: issuer URL 'https://login.acme.com:8443' has a port, which IAM OIDC providers cannot have; serve the issuer on the default HTTPS port 443.",
    );
  });

  test('should refuse more than 100 audiences', () => {
    // GIVEN
    const stack = makeStack();
    const audiences = Array.from({ length: 101 }, (_, i) => `client-${i}`);
    const issuer = OidcIssuer.fromUrl('https://login.acme.com', { audiences });

    // WHEN / THEN
    codes.expectThrows(() => new OidcIdentityProvider(stack, 'Acme', { issuer }), 'OidcIdentityProvider.TooManyAudiences',
      /^Identity\/Acme: the issuer has 101 audiences, but an IAM OIDC provider takes at most 100 client IDs; /,
    );
  });

  test('should accept exactly 100 audiences', () => {
    // GIVEN
    const stack = makeStack();
    const audiences = Array.from({ length: 100 }, (_, i) => `client-${i}`);

    // WHEN
    new OidcIdentityProvider(stack, 'Acme', { issuer: OidcIssuer.fromUrl('https://login.acme.com', { audiences }) });

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::OIDCProvider', {
      ClientIdList: Match.arrayWith(['client-0', 'client-99']),
    });
  });
});

describe('OidcIdentityProvider imports', () => {
  test('should create a shared provider in one stack and import it by issuer in another', () => {
    // GIVEN
    const app = new App();
    const env = { account: '123456789012', region: 'eu-west-1' };
    const issuer = OidcIssuer.githubActions();
    const identity = new Stack(app, 'Identity', { env });
    const deploy = new Stack(app, 'Deploy', { env });

    // WHEN
    new OidcIdentityProvider(identity, 'GitHub', { issuer });
    const github = OidcIdentityProvider.fromIssuer(deploy, 'GitHub', issuer);

    // THEN
    Template.fromStack(identity).resourceCountIs('AWS::IAM::OIDCProvider', 1);
    Template.fromStack(deploy).resourceCountIs('AWS::IAM::OIDCProvider', 0);
    expect(deploy.resolve(github.providerArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::123456789012:oidc-provider/token.actions.githubusercontent.com']],
    });
    expect(github.issuer).toBe(issuer);
  });

  test('should build the ARN of an issuer provider from the stack account and partition', () => {
    // GIVEN
    const stack = makeStack();

    // WHEN
    const github = OidcIdentityProvider.fromIssuer(stack, 'GitHub', OidcIssuer.githubActions());
    const auth0 = OidcIdentityProvider.fromIssuer(stack, 'Auth0', OidcIssuer.auth0('acme.eu.auth0.com', { audiences: ['client-a'] }));
    const okta = OidcIdentityProvider.fromIssuer(stack, 'Okta', OidcIssuer.okta('acme.okta.com', { audiences: ['api://orders'] }));

    // THEN
    expect(stack.resolve(github.providerArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::123456789012:oidc-provider/token.actions.githubusercontent.com']],
    });
    expect(stack.resolve(auth0.providerArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::123456789012:oidc-provider/acme.eu.auth0.com/']],
    });
    expect(stack.resolve(okta.providerArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::123456789012:oidc-provider/acme.okta.com/oauth2/default']],
    });
    expect(github.issuer.conditionKeyPrefix).toBe('token.actions.githubusercontent.com');
    Template.fromStack(stack).resourceCountIs('AWS::IAM::OIDCProvider', 0);
  });

  test('should use the account token in an environment-agnostic stack', () => {
    // GIVEN
    const stack = new Stack();

    // WHEN
    const github = OidcIdentityProvider.fromIssuer(stack, 'GitHub', OidcIssuer.githubActions());

    // THEN
    expect(stack.resolve(github.providerArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':oidc-provider/token.actions.githubusercontent.com']],
    });
  });

  test('should import a provider ARN that matches the issuer', () => {
    // GIVEN
    const stack = makeStack();
    const arn = 'arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com';

    // WHEN
    const imported = OidcIdentityProvider.fromProviderArn(stack, 'GitHub', arn, OidcIssuer.githubActions());

    // THEN
    expect(imported.providerArn).toBe(arn);
    expect(imported.issuer.issuerUrl).toBe('https://token.actions.githubusercontent.com');
  });

  test('should accept a token provider ARN', () => {
    // GIVEN
    const stack = makeStack();

    // WHEN
    const imported = OidcIdentityProvider.fromProviderArn(stack, 'GitHub', Token.asString({ Ref: 'ProviderArn' }), OidcIssuer.githubActions());

    // THEN
    expect(stack.resolve(imported.providerArn)).toEqual({ Ref: 'ProviderArn' });
  });

  test('should refuse a provider ARN of another issuer', () => {
    // GIVEN
    const stack = makeStack();

    // WHEN / THEN
    codes.expectThrows(() => OidcIdentityProvider.fromProviderArn(
      stack, 'Auth0', 'arn:aws:iam::123456789012:oidc-provider/acme.eu.auth0.com',
      OidcIssuer.auth0('acme.eu.auth0.com', { audiences: ['client-a'] }),
    ), 'OidcIdentityProvider.ProviderArnOfOtherIssuer',
    "Identity/Auth0: provider ARN 'arn:aws:iam::123456789012:oidc-provider/acme.eu.auth0.com' names the provider 'acme.eu.auth0.com', but the issuer's is 'acme.eu.auth0.com/'; pass the ARN of the provider for https://acme.eu.auth0.com/ (or use OidcIdentityProvider.fromIssuer).",
    );
  });

  test('should refuse a string that is not an OIDC provider ARN', () => {
    // GIVEN
    const stack = makeStack();

    // WHEN / THEN
    codes.expectThrows(() => OidcIdentityProvider.fromProviderArn(
      stack, 'GitHub', 'arn:aws:iam::123456789012:saml-provider/Corp', OidcIssuer.githubActions(),
    ), 'OidcIdentityProvider.InvalidProviderArn', /^Identity\/GitHub: provider ARN 'arn:aws:iam::123456789012:saml-provider\/Corp' is not an IAM OIDC provider ARN; /);
  });
});

describe('OidcIdentityProvider error codes', () => {
  test('should test every code OidcIdentityProvider throws', () => {
    expect(codes.untested('src/identity/oidc-identity-provider.ts')).toEqual([]);
  });
});
