import { Aspects, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { FederatedRole, FederationGuard, HttpMethod, OidcIdentityProvider, OidcIssuer, SecuredApi, SecuredApiProps } from '../src';
import { nagFindings } from './support/cdk';
import { okHandler as handler, ordersStack as makeStack } from './support/orders-api';

const HOST = 'issuer.example.com';
const ISSUER = OidcIssuer.fromUrl(`https://${HOST}`, { audiences: ['api://orders', 'api://orders-admin'] });
const AUDIENCES = ['api://orders', 'api://orders-admin'];

const QUIET = { dashboard: false, alarms: false, auditQueries: false };

function api(stack: Stack, props: Partial<SecuredApiProps> = {}, id = 'Api'): SecuredApi {
  const health = { method: HttpMethod.GET, path: '/health', handler: handler(stack, `${id}Health`), public: true };
  return new SecuredApi(stack, id, { issuer: ISSUER, apiName: id, ...QUIET, routes: [health], ...props });
}

/** The trust statements of every role of the template, by logical id. */
function trustOf(template: Template): Record<string, any[]> {
  return Object.fromEntries(Object.entries(template.findResources('AWS::IAM::Role'))
    .filter(([, r]) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('AssumeRoleWithWebIdentity'))
    .map(([id, r]) => [id, r.Properties.AssumeRolePolicyDocument.Statement]));
}

function providerRef(template: Template): unknown {
  const providers = Object.keys(template.findResources('AWS::IAM::OIDCProvider'));
  expect(providers).toHaveLength(1);
  return { Ref: providers[0] };
}

describe('SecuredApi caller roles', () => {
  test('should trust the API\'s provider with aud = the audiences and sub = the subjects, both exactly', () => {
    // GIVEN
    const { stack } = makeStack();
    const orders = api(stack);

    // WHEN
    orders.addCallerRole('Reporting', { subjects: ['reporting-client@clients'] });

    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::OIDCProvider', { Url: `https://${HOST}`, ClientIdList: AUDIENCES });
    expect(Object.values(trustOf(template))).toEqual([[{
      Effect: 'Allow',
      Action: 'sts:AssumeRoleWithWebIdentity',
      Principal: { Federated: providerRef(template) },
      Condition: { StringEquals: { [`${HOST}:aud`]: AUDIENCES, [`${HOST}:sub`]: 'reporting-client@clients' } },
    }]]);
    template.hasResourceProperties('AWS::IAM::Role', { MaxSessionDuration: 3600 });
  });

  test('should allow sts:TagSession only with sessionTags and sts:SetSourceIdentity only with sourceIdentity', () => {
    // GIVEN
    const { stack } = makeStack();
    const orders = api(stack);

    // WHEN
    const cases = {
      Plain: {},
      Tags: { sessionTags: true },
      Source: { sourceIdentity: true },
      Both: { sessionTags: true, sourceIdentity: true },
    };
    const roles = Object.entries(cases).map(([id, options]) => [id, orders.addCallerRole(id, { subjects: ['svc'], ...options })] as const);

    // THEN
    const trust = trustOf(Template.fromStack(stack));
    const actionsOf = (role: FederatedRole) => trust[stack.getLogicalId(role.role.node.defaultChild as iam.CfnRole)][0].Action;
    const actions = Object.fromEntries(roles.map(([id, role]) => [id, actionsOf(role)]));
    expect(actions).toEqual({
      Plain: 'sts:AssumeRoleWithWebIdentity',
      Tags: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'],
      Source: ['sts:AssumeRoleWithWebIdentity', 'sts:SetSourceIdentity'],
      Both: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession', 'sts:SetSourceIdentity'],
    });
  });

  test('should create one provider for several roles, and none without caller roles', () => {
    // GIVEN
    const { stack } = makeStack();
    const orders = api(stack);
    expect(orders.identityProvider).toBeUndefined();
    expect(orders.node.tryFindChild('IdentityProvider')).toBeUndefined();

    // WHEN
    const reader = orders.addCallerRole('Reader', { subjects: ['a'] });
    const writer = orders.addCallerRole('Writer', { subjects: ['b'], maxSessionDuration: Duration.hours(2) });

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::OIDCProvider', 1);
    const federated = Object.values(trustOf(template)).map(statements => statements[0].Principal.Federated);
    expect(federated).toEqual([providerRef(template), providerRef(template)]);
    expect(orders.identityProvider).toBeInstanceOf(OidcIdentityProvider);
    expect(reader.node.path).toBe('Orders/Api/CallerRoles/Reader');
    expect(writer.node.path).toBe('Orders/Api/CallerRoles/Writer');
    template.hasResourceProperties('AWS::IAM::Role', { MaxSessionDuration: 7200 });
  });

  test('should use an imported provider and create none', () => {
    // GIVEN
    const { stack } = makeStack();
    const imported = OidcIdentityProvider.fromIssuer(stack, 'Imported', ISSUER);
    const orders = api(stack, { identityProvider: imported });

    // WHEN
    orders.addCallerRole('Reader', { subjects: ['a'] });

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    expect(Object.values(trustOf(template))[0][0].Principal.Federated).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::123456789012:oidc-provider/${HOST}`]],
    });
  });

  test('should refuse an identity provider of another issuer', () => {
    // GIVEN
    const { stack } = makeStack();
    const other = OidcIdentityProvider.fromIssuer(stack, 'GitHub', OidcIssuer.githubActions());

    // WHEN / THEN
    expect(() => api(stack, { identityProvider: other })).toThrow(expect.objectContaining({ code: 'SecuredApi.IdentityProviderOfOtherIssuer' }));
    expect(() => api(stack, { identityProvider: other }, 'Again')).toThrow(/identityProvider 'Orders\/GitHub' is for the issuer 'https:\/\/token\.actions\.githubusercontent\.com', not the API's issuer 'https:\/\/issuer\.example\.com'; pass the IAM OIDC provider of the API's issuer/);
  });

  test('should refuse a role with neither subjects nor allowAnySubjectOfAudience, stating the threat model and both fixes', () => {
    // GIVEN
    const { stack } = makeStack();
    const orders = api(stack);

    // WHEN / THEN
    for (const options of [{}, { subjects: [] }]) {
      expect(() => orders.addCallerRole('Open', options)).toThrow(expect.objectContaining({ code: 'SecuredApi.CallerRoleWithoutSubjects' }));
      expect(() => orders.addCallerRole('Open', options)).toThrow(
        /Orders\/Api: addCallerRole\('Open'\): names no subjects\. STS needs no AWS credentials: anyone holding a token that satisfies a role's trust policy can call AssumeRoleWithWebIdentity directly, bypassing the API.*pin the callers with subjects: .*or, if every subject whose token carries 'api:\/\/orders', 'api:\/\/orders-admin' may do all the role allows, set allowAnySubjectOfAudience/,
      );
    }
    expect(trustOf(Template.fromStack(stack))).toEqual({});
  });

  test.each([
    ['a wildcard', { subjects: ['svc-*'] }, /subject "svc-\*" is empty or has a wildcard or policy variable.*compared exactly/, 'SecuredApi.InexactCallerSubject'],
    ['a policy variable', { subjects: ['${www.example.com:sub}'] }, /has a wildcard or policy variable/, 'SecuredApi.InexactCallerSubject'],
    ['an empty subject', { subjects: [' '] }, /subject " " is empty/, 'SecuredApi.InexactCallerSubject'],
    ['both subjects and the acceptance', { subjects: ['a'], allowAnySubjectOfAudience: 'why' }, /sets both subjects and allowAnySubjectOfAudience, which contradict each other/, 'SecuredApi.SubjectsWithAnySubject'],
    ['an empty reason', { allowAnySubjectOfAudience: ' ' }, /allowAnySubjectOfAudience is empty; it is the reason/, 'SecuredApi.EmptyAnySubjectReason'],
  ])('should refuse %s', (_name, options, error, code) => {
    // GIVEN
    const { stack } = makeStack();
    const orders = api(stack);

    // WHEN / THEN
    expect(() => orders.addCallerRole('Role', options)).toThrow(error);
    expect(() => orders.addCallerRole('Role', options)).toThrow(expect.objectContaining({ code }));
  });

  test('should admit every subject of the audiences only as an accepted MISSING_SUBJECT, without a sub condition', () => {
    // GIVEN
    const { app, stack } = makeStack();
    Aspects.of(app).add(new FederationGuard());
    const orders = api(stack);

    // WHEN
    const role = orders.addCallerRole('AnyCaller', { allowAnySubjectOfAudience: 'read-only catalogue every orders client may read', sessionTags: true });

    // THEN
    const template = Template.fromStack(stack);
    expect(Object.values(trustOf(template))).toEqual([[{
      Effect: 'Allow',
      Action: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'],
      Principal: { Federated: providerRef(template) },
      Condition: { StringEquals: { [`${HOST}:aud`]: AUDIENCES } },
    }]]);
    const annotations = Annotations.fromStack(stack);
    annotations.hasNoError('*', Match.anyValue());
    annotations.hasInfo(`/${role.role.node.path}/Resource`, Match.stringLikeRegexp('MISSING_SUBJECT accepted on role .*read-only catalogue every orders client may read'));
  });

  test('should refuse a Cognito user pool issuer, whose access tokens carry no aud, and name the alternative', () => {
    // GIVEN
    const { stack } = makeStack();
    const pool = new cognito.UserPool(stack, 'Pool');
    const byPool = api(stack, { issuer: OidcIssuer.cognito(pool, { audiences: ['client-id'] }) });
    const byId = api(stack, { issuer: OidcIssuer.cognitoUserPoolId('eu-west-1', 'eu-west-1_AbC123', { audiences: ['client-id'] }) }, 'ById');

    // WHEN / THEN
    for (const cognitoApi of [byPool, byId]) {
      expect(() => cognitoApi.addCallerRole('Reader', { subjects: ['a'] })).toThrow(expect.objectContaining({ code: 'SecuredApi.CallerRoleIssuerWithoutAud' }));
      expect(() => cognitoApi.addCallerRole('Reader', { subjects: ['a'] })).toThrow(
        /the API's issuer is Amazon Cognito, whose access tokens carry no 'aud' claim \(the app client ID is in 'client_id'\).*STS AssumeRoleWithWebIdentity matches a token's 'aud'.*Exchange the user's ID token instead.*Cognito identity pool.*client-credentials client gets no ID token/,
      );
    }
    Template.fromStack(stack).resourceCountIs('AWS::IAM::OIDCProvider', 0);
  });

  test('should pass FederatedRole, FederationGuard and cdk-nag with exact subjects, session tags and a PrincipalTag condition', () => {
    // GIVEN
    const { app, stack } = makeStack();
    Aspects.of(app).add(new FederationGuard());
    const orders = api(stack, { dashboard: true, alarms: true, auditQueries: true });
    const tableArn = stack.formatArn({ service: 'dynamodb', resource: 'table', resourceName: 'Orders' });

    // WHEN
    const reader = orders.addCallerRole('TenantReader', { subjects: ['reporting@clients'], sessionTags: true, sourceIdentity: true });
    orders.addCallerRole('Catalogue', { allowAnySubjectOfAudience: 'the public catalogue, readable by every orders client', sessionTags: true });
    reader.addToPolicy(new iam.PolicyStatement({
      actions: ['dynamodb:Query'],
      resources: [tableArn],
      conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['${aws:PrincipalTag/tenant}'] } },
    }));
    orders.addRoute({ method: HttpMethod.GET, path: '/reports', handler: handler(stack, 'Reports'), scopes: ['reports:read'], callerRoles: [reader] });

    // THEN
    // Only the finding SecuredApi documents as left to its user; the fixture's own functions are not the API's.
    expect(nagFindings(app).filter(f => f.includes(' Orders/Api/'))).toEqual(['AwsSolutions-APIG3 Orders/Api/Api/DeploymentStage.prod/Resource']);
    // The assembly nagFindings synthesized: synthesizing again (Annotations.fromStack) would run the
    // validation plugin again, outside nagFindings' care for the process exit code.
    expect(app.synth().getStackArtifact(stack.artifactId).messages.filter(m => m.level === 'error')).toEqual([]);
  });
});

describe('SecuredApi route callerRoles', () => {
  test('should put the role ARN in the handler\'s environment, and grant the handler nothing', () => {
    // GIVEN
    const { stack } = makeStack();
    const orders = api(stack);
    const reports = handler(stack, 'Reports');
    const reader = orders.addCallerRole('ReportsReader', { subjects: ['a'] });

    // WHEN
    orders.addRoute({ method: HttpMethod.GET, path: '/reports', handler: reports, scopes: ['reports:read'], callerRoles: [reader] });

    // THEN
    const template = Template.fromStack(stack);
    const arn = stack.resolve(reader.roleArn);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Role: stack.resolve(reports.role!.roleArn),
      Environment: { Variables: { SECURED_API_CALLER_ROLE_ARN: arn, SECURED_API_CALLER_ROLE_ARN_REPORTS_READER: arn } },
    });
    expect(SecuredApi.callerRoleArnEnv('ReportsReader')).toBe('SECURED_API_CALLER_ROLE_ARN_REPORTS_READER');
    expect(SecuredApi.CALLER_ROLE_ARN_ENV).toBe('SECURED_API_CALLER_ROLE_ARN');
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toMatch(/sts:|AssumeRole/);
  });

  test('should name every role of a handler with several, and drop the unsuffixed variable', () => {
    // GIVEN
    const { stack } = makeStack();
    const orders = api(stack);
    const reports = handler(stack, 'Reports');
    const reader = orders.addCallerRole('reports-reader', { subjects: ['a'] });
    const admin = orders.addCallerRole('ReportsAdmin', { subjects: ['b'] });

    // WHEN
    orders.addRoute({ method: HttpMethod.GET, path: '/reports', handler: reports, scopes: ['reports:read'], callerRoles: [reader] });
    orders.addRoute({ method: HttpMethod.DELETE, path: '/reports', handler: reports, scopes: ['reports:admin'], callerRoles: [reader, admin] });

    // THEN
    const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
    expect(functions[stack.getLogicalId(reports.node.defaultChild as lambda.CfnFunction)].Properties.Environment.Variables).toEqual({
      SECURED_API_CALLER_ROLE_ARN_REPORTS_READER: stack.resolve(reader.roleArn),
      SECURED_API_CALLER_ROLE_ARN_REPORTS_ADMIN: stack.resolve(admin.roleArn),
      SECURED_API_CLIENT_CLAIMS: '["client_id"]',
    });
  });

  test('should give the handler its issuer profile\'s client claims, and refuse one handler for issuers that name clients differently', () => {
    // GIVEN
    const { stack } = makeStack();
    const okta = api(stack, { issuer: OidcIssuer.okta('acme.okta.com', { audiences: ['api://orders'] }), cloudWatchRole: false });
    const rfc = api(stack, { cloudWatchRole: false }, 'Other');
    const reports = handler(stack, 'Reports');

    // WHEN
    okta.addRoute({ method: HttpMethod.GET, path: '/reports', handler: reports, scopes: ['reports:read'], callerRoles: [okta.addCallerRole('Reader', { subjects: ['a'] })] });

    // THEN
    const rfcReader = rfc.addCallerRole('Reader', { subjects: ['a'] });
    expect(() => rfc.addRoute({ method: HttpMethod.GET, path: '/reports', handler: reports, scopes: ['reports:read'], callerRoles: [rfcReader] }))
      .toThrow(expect.objectContaining({ code: 'SecuredApi.CallerRolesOfTwoIssuers' }));
    expect(() => rfc.addRoute({ method: HttpMethod.GET, path: '/reports2', handler: reports, scopes: ['reports:read'], callerRoles: [rfcReader] }))
      .toThrow(/already has caller roles of an issuer that names it in \["cid"\]; serve the routes of the two issuers with different handlers/);
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Role: stack.resolve(reports.role!.roleArn),
      Environment: { Variables: Match.objectLike({ SECURED_API_CLIENT_CLAIMS: '["cid"]' }) },
    });
  });

  test('should refuse a handler that cannot take environment variables, with the fix', () => {
    // GIVEN
    const { stack } = makeStack();
    const orders = api(stack);
    const reader = orders.addCallerRole('Reader', { subjects: ['a'] });
    const alias = new lambda.Alias(stack, 'Live', { aliasName: 'live', version: handler(stack, 'Reports').currentVersion });

    // WHEN / THEN
    expect(() => orders.addRoute({ method: HttpMethod.GET, path: '/reports0', handler: alias, callerRoles: [reader] }))
      .toThrow(expect.objectContaining({ code: 'SecuredApi.CallerRoleHandlerNotFunction' }));
    expect(() => orders.addRoute({ method: HttpMethod.GET, path: '/reports', handler: alias, callerRoles: [reader] })).toThrow(
      /route GET \/reports hands caller roles to its handler 'Orders\/Live', which is not a lambda\.Function .*pass the lambda\.Function itself as the route's handler, or leave callerRoles out and set SECURED_API_CALLER_ROLE_ARN_READER/,
    );
  });

  test('should refuse a role not made by this API\'s addCallerRole, and a public route with roles', () => {
    // GIVEN
    const { stack } = makeStack();
    const orders = api(stack);
    const other = api(stack, { identityProvider: OidcIdentityProvider.fromIssuer(stack, 'P', ISSUER) }, 'Other');
    const foreign = other.addCallerRole('Reader', { subjects: ['a'] });
    const own = orders.addCallerRole('Reader', { subjects: ['a'] });

    // WHEN / THEN
    expect(() => orders.addRoute({ method: HttpMethod.GET, path: '/a', handler: handler(stack, 'A'), callerRoles: [foreign] }))
      .toThrow(/route GET \/a has the caller role 'Orders\/Other\/CallerRoles\/Reader', which this API's addCallerRole did not make/);
    expect(() => orders.addRoute({ method: HttpMethod.GET, path: '/a', handler: handler(stack, 'A2'), callerRoles: [foreign] }))
      .toThrow(expect.objectContaining({ code: 'SecuredApi.ForeignCallerRole' }));
    expect(() => orders.addRoute({ method: HttpMethod.GET, path: '/b', handler: handler(stack, 'B2'), public: true, callerRoles: [own] }))
      .toThrow(expect.objectContaining({ code: 'SecuredApi.PublicRouteWithCallerRoles' }));
    expect(() => orders.addRoute({ method: HttpMethod.GET, path: '/b', handler: handler(stack, 'B'), public: true, callerRoles: [own] }))
      .toThrow(/route GET \/b is public but has callerRoles: a public route receives no verified token to exchange/);
  });

  test('should refuse two role ids with the same environment variable', () => {
    // GIVEN
    const { stack } = makeStack();
    const orders = api(stack);
    orders.addCallerRole('OrdersReader', { subjects: ['a'] });

    // WHEN / THEN
    expect(() => orders.addCallerRole('orders-reader', { subjects: ['b'] })).toThrow(expect.objectContaining({ code: 'SecuredApi.CallerRoleIdClash' }));
    expect(() => orders.addCallerRole('orders-reader', { subjects: ['b'] })).toThrow(/would be SECURED_API_CALLER_ROLE_ARN_ORDERS_READER, as for the caller role 'OrdersReader'/);
  });
});
