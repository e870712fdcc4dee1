import { App, Stack, Token } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { JwtAlgorithm, OidcIssuer } from '../../src';
import { ErrorCodes } from '../support/error-codes';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const codes = new ErrorCodes();

interface Expected {
  readonly name: string;
  readonly issuerUrl: string;
  readonly jwksUri: string;
  readonly providerUrl: string;
  readonly conditionKeyPrefix: string;
  readonly audiences: string[];
  readonly audienceClaim: string;
  readonly algorithms: JwtAlgorithm[];
  readonly subjectPrefix?: string;
}

describe('OidcIssuer presets', () => {
  const cases: Array<[string, () => OidcIssuer, Expected]> = [
    ['auth0', () => OidcIssuer.auth0('acme.eu.auth0.com', { audiences: ['https://api.acme.com'] }), {
      name: 'Auth0',
      issuerUrl: 'https://acme.eu.auth0.com/',
      jwksUri: 'https://acme.eu.auth0.com/.well-known/jwks.json',
      providerUrl: 'https://acme.eu.auth0.com/',
      conditionKeyPrefix: 'acme.eu.auth0.com/',
      audiences: ['https://api.acme.com'],
      audienceClaim: 'aud',
      algorithms: [JwtAlgorithm.RS256],
    }],
    ['okta (default custom authorization server)', () => OidcIssuer.okta('acme.okta.com', { audiences: ['api://orders'] }), {
      name: 'Okta',
      issuerUrl: 'https://acme.okta.com/oauth2/default',
      jwksUri: 'https://acme.okta.com/oauth2/default/v1/keys',
      providerUrl: 'https://acme.okta.com/oauth2/default',
      conditionKeyPrefix: 'acme.okta.com/oauth2/default',
      audiences: ['api://orders'],
      audienceClaim: 'aud',
      algorithms: [JwtAlgorithm.RS256],
    }],
    ['okta (named custom authorization server)', () => OidcIssuer.okta('acme.okta.com', {
      audiences: ['api://orders'], authorizationServerId: 'aus1a2b3c4d5e6f7g8h9',
    }), {
      name: 'Okta',
      issuerUrl: 'https://acme.okta.com/oauth2/aus1a2b3c4d5e6f7g8h9',
      jwksUri: 'https://acme.okta.com/oauth2/aus1a2b3c4d5e6f7g8h9/v1/keys',
      providerUrl: 'https://acme.okta.com/oauth2/aus1a2b3c4d5e6f7g8h9',
      conditionKeyPrefix: 'acme.okta.com/oauth2/aus1a2b3c4d5e6f7g8h9',
      audiences: ['api://orders'],
      audienceClaim: 'aud',
      algorithms: [JwtAlgorithm.RS256],
    }],
    ['okta (org authorization server)', () => OidcIssuer.okta('acme.okta.com', {
      audiences: ['0oa1b2c3d4e5f6g7h8i9'], orgAuthorizationServer: true,
    }), {
      name: 'Okta',
      issuerUrl: 'https://acme.okta.com',
      jwksUri: 'https://acme.okta.com/oauth2/v1/keys',
      providerUrl: 'https://acme.okta.com',
      conditionKeyPrefix: 'acme.okta.com',
      audiences: ['0oa1b2c3d4e5f6g7h8i9'],
      audienceClaim: 'aud',
      algorithms: [JwtAlgorithm.RS256],
    }],
    ['entraId', () => OidcIssuer.entraId(TENANT, { audiences: ['11111111-2222-3333-4444-555555555555'] }), {
      name: 'Microsoft Entra ID',
      issuerUrl: `https://login.microsoftonline.com/${TENANT}/v2.0`,
      jwksUri: `https://login.microsoftonline.com/${TENANT}/discovery/v2.0/keys`,
      providerUrl: `https://login.microsoftonline.com/${TENANT}/v2.0`,
      conditionKeyPrefix: `login.microsoftonline.com/${TENANT}/v2.0`,
      audiences: ['11111111-2222-3333-4444-555555555555'],
      audienceClaim: 'aud',
      algorithms: [JwtAlgorithm.RS256],
    }],
    ['google', () => OidcIssuer.google({ audiences: ['1234567890-abc.apps.googleusercontent.com'] }), {
      name: 'Google',
      issuerUrl: 'https://accounts.google.com',
      jwksUri: 'https://www.googleapis.com/oauth2/v3/certs',
      providerUrl: 'https://accounts.google.com',
      conditionKeyPrefix: 'accounts.google.com',
      audiences: ['1234567890-abc.apps.googleusercontent.com'],
      audienceClaim: 'aud',
      algorithms: [JwtAlgorithm.RS256],
    }],
    ['cognitoUserPoolId', () => OidcIssuer.cognitoUserPoolId('eu-west-1', 'eu-west-1_AbCdEf123', { audiences: ['4example23456789'] }), {
      name: 'Amazon Cognito',
      issuerUrl: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123',
      jwksUri: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123/.well-known/jwks.json',
      providerUrl: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123',
      conditionKeyPrefix: 'cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123',
      audiences: ['4example23456789'],
      audienceClaim: 'client_id',
      algorithms: [JwtAlgorithm.RS256],
    }],
    ['cognitoUserPoolId (China region)', () => OidcIssuer.cognitoUserPoolId('cn-north-1', 'cn-north-1_AbCdEf123', { audiences: ['4example23456789'] }), {
      name: 'Amazon Cognito',
      issuerUrl: 'https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_AbCdEf123',
      jwksUri: 'https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_AbCdEf123/.well-known/jwks.json',
      providerUrl: 'https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_AbCdEf123',
      conditionKeyPrefix: 'cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_AbCdEf123',
      audiences: ['4example23456789'],
      audienceClaim: 'client_id',
      algorithms: [JwtAlgorithm.RS256],
    }],
    ['keycloak', () => OidcIssuer.keycloak('https://sso.acme.com', 'acme', { audiences: ['orders-api'] }), {
      name: 'Keycloak',
      issuerUrl: 'https://sso.acme.com/realms/acme',
      jwksUri: 'https://sso.acme.com/realms/acme/protocol/openid-connect/certs',
      providerUrl: 'https://sso.acme.com/realms/acme',
      conditionKeyPrefix: 'sso.acme.com/realms/acme',
      audiences: ['orders-api'],
      audienceClaim: 'aud',
      algorithms: [JwtAlgorithm.RS256],
    }],
    ['keycloak (legacy /auth path)', () => OidcIssuer.keycloak('https://sso.acme.com/auth/', 'acme', { audiences: ['orders-api'] }), {
      name: 'Keycloak',
      issuerUrl: 'https://sso.acme.com/auth/realms/acme',
      jwksUri: 'https://sso.acme.com/auth/realms/acme/protocol/openid-connect/certs',
      providerUrl: 'https://sso.acme.com/auth/realms/acme',
      conditionKeyPrefix: 'sso.acme.com/auth/realms/acme',
      audiences: ['orders-api'],
      audienceClaim: 'aud',
      algorithms: [JwtAlgorithm.RS256],
    }],
    ['githubActions', () => OidcIssuer.githubActions(), {
      name: 'GitHub Actions',
      issuerUrl: 'https://token.actions.githubusercontent.com',
      jwksUri: 'https://token.actions.githubusercontent.com/.well-known/jwks',
      providerUrl: 'https://token.actions.githubusercontent.com',
      conditionKeyPrefix: 'token.actions.githubusercontent.com',
      audiences: ['sts.amazonaws.com'],
      audienceClaim: 'aud',
      algorithms: [JwtAlgorithm.RS256],
      subjectPrefix: 'repo:',
    }],
    ['githubActions (enterprise issuer)', () => OidcIssuer.githubActions({ enterpriseSlug: 'octocat-inc', audiences: ['https://api.acme.com'] }), {
      name: 'GitHub Actions',
      issuerUrl: 'https://token.actions.githubusercontent.com/octocat-inc',
      jwksUri: 'https://token.actions.githubusercontent.com/octocat-inc/.well-known/jwks',
      providerUrl: 'https://token.actions.githubusercontent.com/octocat-inc',
      conditionKeyPrefix: 'token.actions.githubusercontent.com/octocat-inc',
      audiences: ['https://api.acme.com'],
      audienceClaim: 'aud',
      algorithms: [JwtAlgorithm.RS256],
      subjectPrefix: 'repo:',
    }],
    ['gitlab', () => OidcIssuer.gitlab({ audiences: ['https://api.acme.com'] }), {
      name: 'GitLab',
      issuerUrl: 'https://gitlab.com',
      jwksUri: 'https://gitlab.com/oauth/discovery/keys',
      providerUrl: 'https://gitlab.com',
      conditionKeyPrefix: 'gitlab.com',
      audiences: ['https://api.acme.com'],
      audienceClaim: 'aud',
      algorithms: [JwtAlgorithm.RS256],
      subjectPrefix: 'project_path:',
    }],
    ['gitlab (self-managed)', () => OidcIssuer.gitlab({ url: 'https://gitlab.acme.com', audiences: ['https://api.acme.com'] }), {
      name: 'GitLab',
      issuerUrl: 'https://gitlab.acme.com',
      jwksUri: 'https://gitlab.acme.com/oauth/discovery/keys',
      providerUrl: 'https://gitlab.acme.com',
      conditionKeyPrefix: 'gitlab.acme.com',
      audiences: ['https://api.acme.com'],
      audienceClaim: 'aud',
      algorithms: [JwtAlgorithm.RS256],
      subjectPrefix: 'project_path:',
    }],
    ['fromUrl', () => OidcIssuer.fromUrl('https://login.acme.com', { audiences: ['api://orders'] }), {
      name: 'OIDC issuer',
      issuerUrl: 'https://login.acme.com',
      jwksUri: 'https://login.acme.com/.well-known/jwks.json',
      providerUrl: 'https://login.acme.com',
      conditionKeyPrefix: 'login.acme.com',
      audiences: ['api://orders'],
      audienceClaim: 'aud',
      algorithms: [JwtAlgorithm.RS256],
    }],
  ];

  test.each(cases)('should describe %s exactly', (_name, make, expected) => {
    // WHEN
    const issuer = make();

    // THEN
    expect({
      name: issuer.name,
      issuerUrl: issuer.issuerUrl,
      jwksUri: issuer.jwksUri,
      providerUrl: issuer.providerUrl,
      conditionKeyPrefix: issuer.conditionKeyPrefix,
      audiences: issuer.audiences,
      audienceClaim: issuer.audienceClaim,
      algorithms: issuer.algorithms,
      subjectPrefix: issuer.subjectPrefix,
    }).toEqual({ subjectPrefix: undefined, ...expected });
  });

  test('should keep an explicit JWKS URI and algorithms', () => {
    // WHEN
    const issuer = OidcIssuer.fromUrl('https://idp.acme.com/', {
      audiences: ['a', 'b'],
      jwksUri: 'https://keys.acme.com/jwks?tenant=1',
      algorithms: [JwtAlgorithm.ES256, JwtAlgorithm.RS256],
    });

    // THEN
    expect(issuer.issuerUrl).toBe('https://idp.acme.com/');
    expect(issuer.providerUrl).toBe('https://idp.acme.com/');
    expect(issuer.conditionKeyPrefix).toBe('idp.acme.com/');
    expect(issuer.jwksUri).toBe('https://keys.acme.com/jwks?tenant=1');
    expect(issuer.algorithms).toEqual(['ES256', 'RS256']);
    expect(issuer.audiences).toEqual(['a', 'b']);
  });

  test('should lower-case an Entra tenant GUID, as Entra writes it in iss', () => {
    // WHEN
    const issuer = OidcIssuer.entraId(TENANT.toUpperCase(), { audiences: ['api://orders'] });

    // THEN
    expect(issuer.issuerUrl).toBe(`https://login.microsoftonline.com/${TENANT}/v2.0`);
  });

  test('should accept an Auth0 issuer through fromUrl when it has its trailing slash', () => {
    // WHEN
    const issuer = OidcIssuer.fromUrl('https://acme.us.auth0.com/', { audiences: ['https://api.acme.com'] });

    // THEN
    expect(issuer.issuerUrl).toBe('https://acme.us.auth0.com/');
    expect(issuer.conditionKeyPrefix).toBe('acme.us.auth0.com/');
    expect(issuer.jwksUri).toBe('https://acme.us.auth0.com/.well-known/jwks.json');
  });

  test('should not share its arrays with the caller', () => {
    // GIVEN
    const audiences = ['api://orders'];
    const issuer = OidcIssuer.google({ audiences });

    // WHEN
    audiences.push('*');

    // THEN
    expect(issuer.audiences).toEqual(['api://orders']);
  });
});

describe('OidcIssuer.cognito with a user pool', () => {
  test('should build every URL from the pool provider name', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
    const pool = new cognito.UserPool(stack, 'Pool');

    // WHEN
    const issuer = OidcIssuer.cognito(pool, { audiences: ['4example23456789'] });

    // THEN
    expect(Token.isUnresolved(issuer.issuerUrl)).toBe(true);
    expect(stack.resolve(issuer.issuerUrl)).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': ['PoolD3F588B8', 'ProviderName'] }]] });
    expect(stack.resolve(issuer.providerUrl)).toEqual(stack.resolve(issuer.issuerUrl));
    expect(stack.resolve(issuer.conditionKeyPrefix)).toEqual({ 'Fn::GetAtt': ['PoolD3F588B8', 'ProviderName'] });
    expect(stack.resolve(issuer.jwksUri)).toEqual({
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': ['PoolD3F588B8', 'ProviderName'] }, '/.well-known/jwks.json']],
    });
    expect(issuer.audienceClaim).toBe('client_id');
    expect(issuer.audiences).toEqual(['4example23456789']);
    expect(issuer.algorithms).toEqual([JwtAlgorithm.RS256]);
    expect(issuer.name).toBe('Amazon Cognito');
  });

  test('should resolve an imported pool to its literal issuer', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
    const pool = cognito.UserPool.fromUserPoolArn(stack, 'Pool', 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123');

    // WHEN
    const issuer = OidcIssuer.cognito(pool, { audiences: ['4example23456789'] });

    // THEN
    expect(stack.resolve(issuer.issuerUrl)).toEqual({
      'Fn::Join': ['', ['https://cognito-idp.eu-west-1.', { Ref: 'AWS::URLSuffix' }, '/eu-west-1_AbCdEf123']],
    });
    expect(stack.resolve(issuer.conditionKeyPrefix)).toEqual({
      'Fn::Join': ['', ['cognito-idp.eu-west-1.', { Ref: 'AWS::URLSuffix' }, '/eu-west-1_AbCdEf123']],
    });
  });
});

describe('OidcIssuer with unresolved tokens', () => {
  test('should derive the condition key prefix from a token issuer URL in CloudFormation', () => {
    // GIVEN
    const stack = new Stack();
    const url = Token.asString({ Ref: 'IssuerUrl' });

    // WHEN
    const issuer = OidcIssuer.fromUrl(url, { audiences: [Token.asString({ Ref: 'Audience' })] });

    // THEN
    expect(stack.resolve(issuer.providerUrl)).toEqual({ Ref: 'IssuerUrl' });
    expect(stack.resolve(issuer.conditionKeyPrefix)).toEqual({ 'Fn::Select': [1, { 'Fn::Split': ['https://', { Ref: 'IssuerUrl' }] }] });
    expect(stack.resolve(issuer.jwksUri)).toEqual({ 'Fn::Join': ['', [{ Ref: 'IssuerUrl' }, '/.well-known/jwks.json']] });
  });

  test('should skip checks on token audiences and algorithms lists', () => {
    // WHEN
    const issuer = OidcIssuer.fromUrl('https://login.acme.com', {
      audiences: Token.asList({ Ref: 'Audiences' }),
    });

    // THEN
    expect(Token.isUnresolved(issuer.audiences)).toBe(true);
  });
});

describe('OidcIssuer validation', () => {
  const audiences = ['api://orders'];

  test.each<[string, string, () => unknown, RegExp]>([
    // URLs
    ['a non-https issuer', 'OidcIssuer.NotHttps', () => OidcIssuer.fromUrl('http://login.acme.com', { audiences }),
      /^OidcIssuer\.fromUrl: issuer URL 'http:\/\/login\.acme\.com' must start with https:\/\/; /],
    ['an issuer with a query', 'OidcIssuer.UrlQuery', () => OidcIssuer.fromUrl('https://login.acme.com?tenant=1', { audiences }),
      /issuer URL 'https:\/\/login\.acme\.com\?tenant=1' has a query/],
    ['an issuer with a fragment', 'OidcIssuer.UrlFragment', () => OidcIssuer.fromUrl('https://login.acme.com#x', { audiences }),
      /issuer URL 'https:\/\/login\.acme\.com#x' has a fragment/],
    ['an issuer with whitespace', 'OidcIssuer.UrlWhitespace', () => OidcIssuer.fromUrl('https://login.acme.com ', { audiences }),
      /issuer URL 'https:\/\/login\.acme\.com ' contains whitespace/],
    ['an issuer with a newline', 'OidcIssuer.UrlWhitespace', () => OidcIssuer.fromUrl('https://login.acme.com\n', { audiences }),
      /contains whitespace/],
    ['an issuer with credentials', 'OidcIssuer.UrlCredentials', () => OidcIssuer.fromUrl('https://user:pw@login.acme.com', { audiences }),
      /contains credentials/],
    ['an issuer without a host', 'OidcIssuer.InvalidUrl', () => OidcIssuer.fromUrl('https://', { audiences }),
      /issuer URL 'https:\/\/' is not a valid URL/],
    ['a discovery document URL as issuer', 'OidcIssuer.DiscoveryDocumentUrl', () => OidcIssuer.fromUrl('https://login.acme.com/.well-known/openid-configuration', { audiences }),
      /is the discovery document's URL, not the issuer; pass the part before/],
    ['an Auth0 host without the trailing slash', 'OidcIssuer.Auth0WithoutTrailingSlash', () => OidcIssuer.fromUrl('https://acme.eu.auth0.com', { audiences }),
      /issuer URL 'https:\/\/acme\.eu\.auth0\.com' cannot match Auth0's tokens, whose iss is 'https:\/\/acme\.eu\.auth0\.com\/' .*OidcIssuer\.auth0\('acme\.eu\.auth0\.com'/],
    ['an Auth0 host with a path', 'OidcIssuer.Auth0WithoutTrailingSlash', () => OidcIssuer.fromUrl('https://acme.auth0.com/api/', { audiences }),
      /cannot match Auth0's tokens/],
    ['a trailing slash on Okta', 'OidcIssuer.TrailingSlash', () => OidcIssuer.fromUrl('https://acme.okta.com/oauth2/default/', { audiences }),
      /issuer URL 'https:\/\/acme\.okta\.com\/oauth2\/default\/' ends with '\/', but this provider's iss has no trailing slash/],
    ['a trailing slash on Google', 'OidcIssuer.TrailingSlash', () => OidcIssuer.fromUrl('https://accounts.google.com/', { audiences }),
      /ends with '\/', but this provider's iss has no trailing slash/],
    ['a trailing slash on Entra ID', 'OidcIssuer.TrailingSlash', () => OidcIssuer.fromUrl(`https://login.microsoftonline.com/${TENANT}/v2.0/`, { audiences }),
      /ends with '\/', but this provider's iss has no trailing slash/],
    ['a trailing slash on GitHub Actions', 'OidcIssuer.TrailingSlash', () => OidcIssuer.fromUrl('https://token.actions.githubusercontent.com/', { audiences }),
      /ends with '\/', but this provider's iss has no trailing slash/],
    ['a trailing slash on GitLab.com', 'OidcIssuer.TrailingSlash', () => OidcIssuer.fromUrl('https://gitlab.com/', { audiences }),
      /ends with '\/', but this provider's iss has no trailing slash/],
    ['a trailing slash on Cognito', 'OidcIssuer.TrailingSlash', () => OidcIssuer.fromUrl('https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC/', { audiences }),
      /ends with '\/', but this provider's iss has no trailing slash/],
    ['an Entra multi-tenant alias in fromUrl', 'OidcIssuer.EntraTenantAlias', () => OidcIssuer.fromUrl('https://login.microsoftonline.com/common/v2.0', { audiences }),
      /uses the multi-tenant alias 'common'/],
    // JWKS URI
    ['a non-https JWKS URI', 'OidcIssuer.NotHttps', () => OidcIssuer.fromUrl('https://login.acme.com', { audiences, jwksUri: 'http://login.acme.com/keys' }),
      /^OidcIssuer\.fromUrl: JWKS URI 'http:\/\/login\.acme\.com\/keys' must start with https:\/\/; /],
    ['a discovery document as JWKS URI', 'OidcIssuer.DiscoveryDocumentUrl', () => OidcIssuer.fromUrl('https://login.acme.com', {
      audiences, jwksUri: 'https://login.acme.com/.well-known/openid-configuration',
    }), /JWKS URI '.*' is a discovery document, not a key set/],
    // audiences
    ['empty audiences', 'OidcIssuer.NoAudiences', () => OidcIssuer.fromUrl('https://login.acme.com', { audiences: [] }),
      /^OidcIssuer\.fromUrl: audiences is empty, so every token of this issuer, meant for any application, would be accepted; /],
    ['an empty-string audience', 'OidcIssuer.EmptyAudience', () => OidcIssuer.google({ audiences: [''] }),
      /^OidcIssuer\.google: audience '' is empty; /],
    ['a blank audience', 'OidcIssuer.EmptyAudience', () => OidcIssuer.google({ audiences: ['  '] }),
      /audience ' {2}' is empty/],
    ['a * wildcard audience', 'OidcIssuer.WildcardAudience', () => OidcIssuer.google({ audiences: ['*'] }),
      /audience '\*' contains a wildcard/],
    ['a ? wildcard audience', 'OidcIssuer.WildcardAudience', () => OidcIssuer.githubActions({ audiences: ['sts.amazonaws.co?'] }),
      /^OidcIssuer\.githubActions: audience 'sts\.amazonaws\.co\?' contains a wildcard/],
    ['a duplicate audience', 'OidcIssuer.DuplicateAudience', () => OidcIssuer.google({ audiences: ['a', 'a'] }),
      /audience 'a' is listed twice/],
    // algorithms
    ['an empty algorithm list', 'OidcIssuer.NoAlgorithms', () => OidcIssuer.fromUrl('https://login.acme.com', { audiences, algorithms: [] }),
      /algorithms is empty, so no token could be verified/],
    ['a duplicate algorithm', 'OidcIssuer.DuplicateAlgorithm', () => OidcIssuer.fromUrl('https://login.acme.com', { audiences, algorithms: [JwtAlgorithm.RS256, JwtAlgorithm.RS256] }),
      /algorithm 'RS256' is listed twice/],
    ['the none algorithm', 'OidcIssuer.UnsafeAlgorithm', () => OidcIssuer.fromUrl('https://login.acme.com', { audiences, algorithms: ['none' as JwtAlgorithm] }),
      /algorithm 'none' is not allowed/],
    ['an HMAC algorithm', 'OidcIssuer.UnsafeAlgorithm', () => OidcIssuer.fromUrl('https://login.acme.com', { audiences, algorithms: ['HS256' as JwtAlgorithm] }),
      /algorithm 'HS256' is not allowed/],
    // preset inputs
    ['an Auth0 domain with a scheme', 'OidcIssuer.DomainNotBareHost', () => OidcIssuer.auth0('https://acme.auth0.com', { audiences }),
      /^OidcIssuer\.auth0: domain 'https:\/\/acme\.auth0\.com' must be a bare host name; /],
    ['an Auth0 domain with a path', 'OidcIssuer.DomainNotBareHost', () => OidcIssuer.auth0('acme.auth0.com/', { audiences }),
      /domain 'acme\.auth0\.com\/' must be a bare host name/],
    ['an Okta domain that is not a host name', 'OidcIssuer.InvalidDomain', () => OidcIssuer.okta('acme okta', { audiences }),
      /^OidcIssuer\.okta: domain 'acme okta' is not a host name/],
    ['an Okta authorization server ID with a slash', 'OidcIssuer.InvalidOktaServerId', () => OidcIssuer.okta('acme.okta.com', { audiences, authorizationServerId: 'oauth2/default' }),
      /authorizationServerId 'oauth2\/default' is not an Okta authorization server ID/],
    ['both Okta server choices', 'OidcIssuer.ConflictingOktaServer', () => OidcIssuer.okta('acme.okta.com', { audiences, authorizationServerId: 'default', orgAuthorizationServer: true }),
      /authorizationServerId 'default' and orgAuthorizationServer: true contradict each other/],
    ['the Entra common tenant', 'OidcIssuer.EntraTenantAlias', () => OidcIssuer.entraId('common', { audiences }),
      /^OidcIssuer\.entraId: tenantId 'common' is a multi-tenant alias/],
    ['the Entra organizations tenant', 'OidcIssuer.EntraTenantAlias', () => OidcIssuer.entraId('organizations', { audiences }),
      /tenantId 'organizations' is a multi-tenant alias/],
    ['the Entra consumers tenant', 'OidcIssuer.EntraTenantAlias', () => OidcIssuer.entraId('consumers', { audiences }),
      /tenantId 'consumers' is a multi-tenant alias/],
    ['an Entra tenant domain name', 'OidcIssuer.InvalidEntraTenantId', () => OidcIssuer.entraId('contoso.onmicrosoft.com', { audiences }),
      /tenantId 'contoso\.onmicrosoft\.com' is not a GUID/],
    ['a Cognito region that is not one', 'OidcIssuer.InvalidRegion', () => OidcIssuer.cognitoUserPoolId('Ireland', 'eu-west-1_AbC', { audiences }),
      /^OidcIssuer\.cognitoUserPoolId: region 'Ireland' is not an AWS region name/],
    ['a Cognito pool ID that is not one', 'OidcIssuer.InvalidUserPoolId', () => OidcIssuer.cognitoUserPoolId('eu-west-1', 'AbCdEf123', { audiences }),
      /userPoolId 'AbCdEf123' is not a Cognito user pool ID/],
    ['a Cognito pool ID of another region', 'OidcIssuer.UserPoolRegionMismatch', () => OidcIssuer.cognitoUserPoolId('eu-west-1', 'us-east-1_AbC', { audiences }),
      /userPoolId 'us-east-1_AbC' does not belong to region 'eu-west-1'/],
    ['a Keycloak base URL that has the realm', 'OidcIssuer.BaseUrlHasRealms', () => OidcIssuer.keycloak('https://sso.acme.com/realms/acme', 'acme', { audiences }),
      /^OidcIssuer\.keycloak: baseUrl 'https:\/\/sso\.acme\.com\/realms\/acme' already contains '\/realms'/],
    ['a Keycloak realm with a slash', 'OidcIssuer.InvalidRealm', () => OidcIssuer.keycloak('https://sso.acme.com', 'a/b', { audiences }),
      /realm 'a\/b' is not a realm name/],
    ['an empty Keycloak realm', 'OidcIssuer.InvalidRealm', () => OidcIssuer.keycloak('https://sso.acme.com', '', { audiences }),
      /realm '' is not a realm name/],
    ['a non-https Keycloak', 'OidcIssuer.NotHttps', () => OidcIssuer.keycloak('http://sso.acme.com', 'acme', { audiences }),
      /^OidcIssuer\.keycloak: issuer URL 'http:\/\/sso\.acme\.com\/realms\/acme' must start with https:\/\//],
    ['a GitHub enterprise slug with a slash', 'OidcIssuer.InvalidEnterpriseSlug', () => OidcIssuer.githubActions({ enterpriseSlug: 'octocat-inc/x' }),
      /^OidcIssuer\.githubActions: enterpriseSlug 'octocat-inc\/x' is not an enterprise slug/],
    ['a GitLab URL with a trailing slash', 'OidcIssuer.TrailingSlash', () => OidcIssuer.gitlab({ url: 'https://gitlab.acme.com/', audiences }),
      /^OidcIssuer\.gitlab: url 'https:\/\/gitlab\.acme\.com\/' ends with '\/'/],
    ['a non-https GitLab', 'OidcIssuer.NotHttps', () => OidcIssuer.gitlab({ url: 'http://gitlab.acme.com', audiences }),
      /issuer URL 'http:\/\/gitlab\.acme\.com' must start with https:\/\//],
    // issuer profile claims
    ['claims that are not a list', 'OidcIssuer.ClaimsNotList', () => OidcIssuer.fromUrl('https://login.acme.com', { audiences, clientClaims: 'client_id' as unknown as string[] }),
      /^OidcIssuer\.fromUrl: clientClaims must be a list of claim names/],
    ['an empty claim name', 'OidcIssuer.InvalidClaimName', () => OidcIssuer.fromUrl('https://login.acme.com', { audiences, clientClaims: [''] }),
      /clientClaims holds "", which is not a claim name/],
    ['a registered claim as client claim', 'OidcIssuer.RegisteredClaim', () => OidcIssuer.fromUrl('https://login.acme.com', { audiences, clientClaims: ['aud'] }),
      /clientClaims holds 'aud', a registered claim the authorizer checks itself/],
    ['a claim listed twice', 'OidcIssuer.DuplicateClaim', () => OidcIssuer.fromUrl('https://login.acme.com', { audiences, grantClaims: ['scope', 'scope'] }),
      /grantClaims holds 'scope' twice/],
    ['a claim both client and grant claim', 'OidcIssuer.ClientClaimIsGrantClaim', () => OidcIssuer.fromUrl('https://login.acme.com', { audiences, clientClaims: ['azp'], grantClaims: ['azp'] }),
      /clientClaims and grantClaims both name 'azp'/],
  ])('should refuse %s (%s)', (_name, code, make, message) => {
    // WHEN / THEN
    codes.expectThrows(make, code, message);
  });

  test('should end every error with how to fix it', () => {
    // WHEN
    let message = '';
    try {
      OidcIssuer.fromUrl('https://acme.eu.auth0.com', { audiences });
    } catch (e) {
      message = (e as Error).message;
    }

    // THEN
    expect(message).toBe("OidcIssuer.fromUrl: issuer URL 'https://acme.eu.auth0.com' cannot match Auth0's tokens, whose iss is 'https://acme.eu.auth0.com/' (with the trailing slash); use OidcIssuer.auth0('acme.eu.auth0.com', ...).");
  });

  test('should accept the tight shapes next to each refused one', () => {
    // WHEN / THEN
    expect(() => OidcIssuer.fromUrl('https://login.acme.com/tenant-1', { audiences: ['api://orders'] })).not.toThrow();
    expect(() => OidcIssuer.fromUrl('https://login.acme.com:8443', { audiences: ['api://orders'] })).not.toThrow();
    expect(() => OidcIssuer.fromUrl('https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/', { audiences: ['api://orders'] })).not.toThrow();
    expect(() => OidcIssuer.fromUrl('https://acme.okta.com/oauth2/default', { audiences: ['api://orders'] })).not.toThrow();
    expect(() => OidcIssuer.fromUrl(`https://login.microsoftonline.com/${TENANT}/v2.0`, { audiences: ['api://orders'] })).not.toThrow();
    expect(() => OidcIssuer.githubActions({ enterpriseSlug: 'octocat-inc', audiences: ['sts.amazonaws.com'] })).not.toThrow();
    expect(() => OidcIssuer.okta('acme.okta.com', { audiences: ['api://orders'], orgAuthorizationServer: false, authorizationServerId: 'default' })).not.toThrow();
    expect(() => OidcIssuer.fromUrl('https://login.acme.com', {
      audiences: ['api://orders', 'api://billing'],
      algorithms: [JwtAlgorithm.RS256, JwtAlgorithm.PS256, JwtAlgorithm.ES256, JwtAlgorithm.EDDSA],
    })).not.toThrow();
  });
});

describe('OidcIssuer error codes', () => {
  test('should test every code OidcIssuer throws', () => {
    expect(codes.untested('src/identity/oidc-issuer.ts')).toEqual([]);
  });
});
