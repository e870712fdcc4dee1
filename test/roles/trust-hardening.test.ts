import { App, CfnCondition, CfnParameter, Fn, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  ClaimCondition,
  FederatedRole,
  FederatedTrust,
  FederationGuard,
  FederationRisk,
  OidcIdentityProvider,
  OidcIssuer,
  Subject,
} from '../../src';
import { ErrorCodes } from '../support/error-codes';
import { errors, GITHUB, GITHUB_ARN, guardedStack, onlyError, SAML_ARN, webIdentityRole } from '../support/guard';

const codes = new ErrorCodes();


describe('FederationGuard and IAM policy variables', () => {
  test.each([
    ['StringEquals', `\${${GITHUB}:sub}`],
    ['StringLike', `repo:\${${GITHUB}:repository}:environment:prod`],
    ['StringEquals', 'repo:acme/app:${aws:username'],
  ])('should refuse a %s sub holding a policy variable: %s', (operator, value) => {
    // GIVEN
    const stack = guardedStack();

    // WHEN
    webIdentityRole(stack, { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' }, [operator]: { [`${GITHUB}:sub`]: value } });

    // THEN
    const error = onlyError(stack);
    expect(error).toContain("role 'Stack/Role'");
    expect(error).toContain(`[POLICY_VARIABLE] the trust policy tests '${GITHUB}:sub' against '${value}', which holds an IAM policy variable`);
    expect(error).toContain("write the value literally (for a literal '*', '?' or '$' use '${*}', '${?}', '${$}')");
  });

  test('should refuse a policy variable in an audience and in SAML:aud', () => {
    // GIVEN
    const stack = guardedStack();

    // WHEN
    webIdentityRole(stack, { StringEquals: { [`${GITHUB}:aud`]: `\${${GITHUB}:aud}`, [`${GITHUB}:sub`]: 'repo:acme/app:environment:prod' } }, GITHUB_ARN, 'Oidc');
    new iam.Role(stack, 'Saml', { assumedBy: new iam.FederatedPrincipal(SAML_ARN, { StringEquals: { 'SAML:aud': '${SAML:aud}' } }, 'sts:AssumeRoleWithSAML') });

    // THEN
    const [oidc, saml] = errors(stack);
    expect(oidc).toContain(`[POLICY_VARIABLE] the trust policy tests '${GITHUB}:aud' against '\${${GITHUB}:aud}'`);
    expect(saml).toContain("[POLICY_VARIABLE] the trust policy tests 'SAML:aud' against '${SAML:aud}'");
  });

  test('should read the escapes ${*}, ${?} and ${$} as literal characters, not variables nor wildcards', () => {
    // GIVEN
    const stack = guardedStack();

    // WHEN
    webIdentityRole(stack, {
      StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' },
      StringLike: { [`${GITHUB}:sub`]: ['repo:acme/app:environment:${$}prod${?}', 'repo:acme/app:ref:refs/tags/v${*}'] },
    });

    // THEN
    expect(errors(stack)).toEqual([]);
  });

  test('should refuse a policy variable in a FederatedRole subject, audience or claim', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Stack');
    const provider = new OidcIdentityProvider(stack, 'GitHub', { issuer: OidcIssuer.githubActions() });
    type Options = Partial<{ subjects: Subject[]; audiences: string[]; claims: ClaimCondition[] }>;
    const role = (id: string, options: Options) => () => new FederatedRole(stack, id, {
      trust: FederatedTrust.oidc({ provider, subjects: [Subject.githubEnvironment('acme/app', 'prod')], ...options }),
    });

    // THEN
    codes.expectThrows(role('Sub', { subjects: [Subject.exactly(`\${${GITHUB}:sub}`)] }), 'FederatedRole.PolicyVariable', `FederatedRole 'Stack/Sub' tests '${GITHUB}:sub' against '\${${GITHUB}:sub}', which holds an IAM policy variable ('\${...}') that IAM fills in from the request itself`);
    codes.expectThrows(role('Aud', { audiences: [`\${${GITHUB}:aud}`] }), 'FederatedRole.PolicyVariable', `FederatedRole 'Stack/Aud' tests '${GITHUB}:aud' against`);
    codes.expectThrows(role('Claim', { claims: [ClaimCondition.stringEquals('repository', [`\${${GITHUB}:repository}`])] }), 'FederatedRole.PolicyVariable', `FederatedRole 'Stack/Claim' tests '${GITHUB}:repository' against`);
  });
});

describe('FederationGuard and values only known at deploy time', () => {
  test('should report a parameter audience and an imported subject, and pass once accepted', () => {
    // GIVEN
    const stack = guardedStack();
    const audience = new CfnParameter(stack, 'Audience').valueAsString;

    // WHEN
    webIdentityRole(stack, { StringEquals: { [`${GITHUB}:aud`]: audience, [`${GITHUB}:sub`]: 'repo:acme/app:environment:prod' } }, GITHUB_ARN, 'Param');
    webIdentityRole(stack, { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' }, StringLike: { [`${GITHUB}:sub`]: Fn.join('', ['repo:acme/', Fn.importValue('Repo'), ':*']) } }, GITHUB_ARN, 'Import');
    const accepted = webIdentityRole(stack, { StringEquals: { [`${GITHUB}:aud`]: audience, [`${GITHUB}:sub`]: 'repo:acme/app:environment:prod' } }, GITHUB_ARN, 'Accepted');
    FederationGuard.acceptRisk(accepted, FederationRisk.DEPLOY_TIME_VALUE, 'the Audience parameter is fixed by the platform team');

    // THEN
    const [param, imported] = errors(stack);
    expect(errors(stack)).toHaveLength(2);
    expect(param).toContain(`role 'Stack/Param' has a loose federated trust policy. [DEPLOY_TIME_VALUE] the trust policy tests '${GITHUB}:aud' against a value only known at deploy time`);
    expect(imported).toContain(`role 'Stack/Import' has a loose federated trust policy. [DEPLOY_TIME_VALUE] the trust policy tests '${GITHUB}:sub' against a value only known at deploy time`);
    expect(Annotations.fromStack(stack).findInfo('*', Match.stringLikeRegexp('DEPLOY_TIME_VALUE accepted on role \'Stack/Accepted\': the Audience parameter is fixed by the platform team'))).toHaveLength(1);
  });

  test('should read a Ref to a resource of the stack (an app client ID) as a literal identifier', () => {
    // GIVEN
    const stack = guardedStack();
    const pool = new cognito.UserPool(stack, 'Pool');
    const client = pool.addClient('Client');
    const provider = new OidcIdentityProvider(stack, 'Cognito', { issuer: OidcIssuer.cognitoUserPoolId('eu-west-1', 'eu-west-1_AbCdEf123', { audiences: ['x'] }) });

    // WHEN
    webIdentityRole(stack, {
      StringEquals: { 'cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abcdef123:aud': client.userPoolClientId, 'cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abcdef123:sub': 'user-1' },
    }, provider.providerArn);

    // THEN
    expect(errors(stack)).toEqual([]);
  });

  test('should report a statement, and a whole document, wrapped in Fn::If', () => {
    // GIVEN
    const stack = guardedStack();
    const isProd = new CfnCondition(stack, 'IsProd', { expression: Fn.conditionEquals(new CfnParameter(stack, 'Env').valueAsString, 'prod') });
    const statement = { Effect: 'Allow', Principal: { Federated: GITHUB_ARN }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' } } };

    // WHEN
    new iam.CfnRole(stack, 'Statement', { assumeRolePolicyDocument: { Version: '2012-10-17', Statement: [Fn.conditionIf(isProd.logicalId, statement, Fn.ref('AWS::NoValue'))] } });
    new iam.CfnRole(stack, 'Document', { assumeRolePolicyDocument: Fn.conditionIf(isProd.logicalId, { Version: '2012-10-17', Statement: [statement] }, Fn.ref('AWS::NoValue')) });
    new iam.CfnRole(stack, 'Service', { assumeRolePolicyDocument: Fn.conditionIf(isProd.logicalId, { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }, Fn.ref('AWS::NoValue')) });

    // THEN
    const [inStatement, inDocument] = errors(stack);
    expect(errors(stack)).toHaveLength(2);
    expect(inStatement).toContain("role 'Stack/Statement' has a loose federated trust policy. [DEPLOY_TIME_VALUE] the trust policy cannot be checked at synth: statement 1 is an intrinsic function (Fn::If), which may hold a federated trust");
    expect(inDocument).toContain("role 'Stack/Document' has a loose federated trust policy. [DEPLOY_TIME_VALUE] the trust policy cannot be checked at synth: the whole document is an intrinsic function");
  });

  test('should report an action it cannot resolve', () => {
    // GIVEN
    const stack = guardedStack();
    const action = new CfnParameter(stack, 'Action').valueAsString;

    // WHEN
    new iam.CfnRole(stack, 'Role', {
      assumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Federated: GITHUB_ARN }, Action: action, Condition: { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com', [`${GITHUB}:sub`]: 'repo:acme/app:environment:prod' } } }] },
    });

    // THEN
    expect(onlyError(stack)).toContain('[DEPLOY_TIME_VALUE] the trust policy cannot be checked at synth: its Action is only known at deploy time');
  });
});

describe('FederationGuard and audiences', () => {
  test.each([['api://*'], ['s*'], ['sts.amazonaws.co?']])('should refuse the audience pattern %s', (audience) => {
    // GIVEN
    const stack = guardedStack();

    // WHEN
    webIdentityRole(stack, { StringLike: { [`${GITHUB}:aud`]: audience }, StringEquals: { [`${GITHUB}:sub`]: 'repo:acme/app:environment:prod' } });

    // THEN
    expect(onlyError(stack)).toContain(`[WILDCARD_AUDIENCE] the trust policy matches '${GITHUB}:aud' against '${audience}', which has a wildcard though audiences are exact values, so audiences of other applications can match`);
  });

  test('should refuse a SAML:aud pattern that is not only wildcards', () => {
    // GIVEN
    const stack = guardedStack();

    // WHEN
    new iam.Role(stack, 'Role', { assumedBy: new iam.FederatedPrincipal(SAML_ARN, { StringLike: { 'SAML:aud': 'https://*.signin.aws.amazon.com/saml' } }, 'sts:AssumeRoleWithSAML') });

    // THEN
    expect(onlyError(stack)).toContain("[WILDCARD_AUDIENCE] the trust policy matches 'SAML:aud' against 'https://*.signin.aws.amazon.com/saml'");
  });
});

describe('FederationGuard and subject patterns', () => {
  test('should know GitHub Enterprise Server and GHE.com issuers as GitHub', () => {
    // GIVEN
    const stack = guardedStack();
    const ghes = 'ghes.example.com/_services/token';
    const ghe = 'token.actions.acme.ghe.com';

    // WHEN
    webIdentityRole(stack, { StringEquals: { [`${ghes}:aud`]: 'sts.amazonaws.com' }, StringLike: { [`${ghes}:sub`]: 'repo:acme*' } }, `arn:aws:iam::123456789012:oidc-provider/${ghes}`, 'Ghes');
    webIdentityRole(stack, { StringEquals: { [`${ghe}:aud`]: 'sts.amazonaws.com' }, StringLike: { [`${ghe}:sub`]: 'repo:acme/app:*' } }, `arn:aws:iam::123456789012:oidc-provider/${ghe}`, 'Ghe');

    // THEN
    const error = onlyError(stack);
    expect(error).toContain(`role 'Stack/Ghes' has a loose federated trust policy. [WILDCARD_SUBJECT] the trust policy matches '${ghes}:sub' against 'repo:acme*', which puts a wildcard before the end of the fixed prefix 'repo:<owner>/<repository>:'`);
  });

  test('should refuse a FederatedRole subject pattern of an Auth0 issuer until the risk is accepted', () => {
    // GIVEN
    const build = (accept: boolean) => {
      const stack = new Stack(new App(), 'Stack');
      const provider = new OidcIdentityProvider(stack, 'Auth0', { issuer: OidcIssuer.auth0('acme.eu.auth0.com', { audiences: ['https://api.acme.test'] }) });
      const role = new FederatedRole(stack, 'Service', { trust: FederatedTrust.oidc({ provider, subjects: [Subject.pattern('a*')] }) });
      if (accept) FederationGuard.acceptRisk(role, FederationRisk.UNANCHORED_SUBJECT_PATTERN, 'our Auth0 rules prefix machine subjects with a');
      return stack;
    };

    // THEN
    expect(() => Template.fromStack(build(false))).toThrow("FederatedRole 'Stack/Service': [UNANCHORED_SUBJECT_PATTERN] its trust policy matches 'acme.eu.auth0.com/:sub' against 'a*', a pattern for an issuer whose subjects have no fixed prefix this library knows");
    Template.fromStack(build(true)).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Condition: { StringEquals: { 'acme.eu.auth0.com/:aud': 'https://api.acme.test' }, StringLike: { 'acme.eu.auth0.com/:sub': 'a*' } } })] },
    });
  });

  test('should accept exact subjects of a customized GitHub subject template, which fromUrl-less GitHub refuses', () => {
    // GIVEN
    const stack = guardedStack();
    const custom = new OidcIdentityProvider(stack, 'GitHub', { issuer: OidcIssuer.githubActions({ customSubjectTemplate: true }) });
    const subject = Subject.exactly('repository_owner:acme:context:prod');

    // WHEN
    new FederatedRole(stack, 'Deploy', { trust: FederatedTrust.oidc({ provider: custom, subjects: [subject] }) });
    const standard = () => new FederatedRole(new Stack(new App(), 'Other'), 'Deploy', {
      trust: FederatedTrust.oidc({ provider: OidcIdentityProvider.fromIssuer(new Stack(new App(), 'P'), 'GitHub', OidcIssuer.githubActions()), subjects: [subject] }),
    });

    // THEN
    expect(errors(stack)).toEqual([]);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Condition: { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com', [`${GITHUB}:sub`]: 'repository_owner:acme:context:prod' } } })] },
    });
    codes.expectThrows(standard, 'FederatedRole.SubjectWithoutPrefix', "has the subject 'repository_owner:acme:context:prod', which can never match: every GitHub Actions subject starts with 'repo:'");
  });
});

describe('FederationGuard and provider URLs', () => {
  test('should keep an Auth0 provider URL exactly as registered, trailing slash included', () => {
    // GIVEN
    const stack = guardedStack();
    const provider = new OidcIdentityProvider(stack, 'Auth0', { issuer: OidcIssuer.auth0('acme.eu.auth0.com', { audiences: ['https://api.acme.test'] }) });

    // WHEN
    webIdentityRole(stack, { StringEquals: { 'acme.eu.auth0.com/:aud': 'https://api.acme.test', 'acme.eu.auth0.com/:sub': 'abc@clients' } }, provider.providerArn, 'Slash');
    webIdentityRole(stack, { StringEquals: { 'acme.eu.auth0.com:aud': 'https://api.acme.test', 'acme.eu.auth0.com:sub': 'abc@clients' } }, provider.providerArn, 'NoSlash');

    // THEN
    const error = onlyError(stack);
    expect(error).toContain("role 'Stack/NoSlash'");
    expect(error).toContain("[MISSING_AUDIENCE] the trust policy trusts the OIDC provider 'acme.eu.auth0.com/' without a condition on 'acme.eu.auth0.com/:aud'");
    expect(error).toContain("[FOREIGN_CONDITION_KEY] the trust policy conditions on 'acme.eu.auth0.com:aud'");
  });
});

describe('FederationGuard and Cognito identity pools', () => {
  const identityPool = 'eu-west-1:12345678-1234-1234-1234-123456789012';

  test("should accept AWS's documented trust: aud plus ForAnyValue:StringLike amr", () => {
    // GIVEN
    const stack = guardedStack();

    // WHEN
    webIdentityRole(stack, {
      'StringEquals': { 'cognito-identity.amazonaws.com:aud': identityPool },
      'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
    }, 'cognito-identity.amazonaws.com');

    // THEN
    expect(errors(stack)).toEqual([]);
  });

  test('should refuse an amr pattern that matches guests and users alike', () => {
    // GIVEN
    const stack = guardedStack();

    // WHEN
    webIdentityRole(stack, {
      'StringEquals': { 'cognito-identity.amazonaws.com:aud': identityPool },
      'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': '*' },
    }, 'cognito-identity.amazonaws.com');

    // THEN
    expect(onlyError(stack)).toContain("[MISSING_SUBJECT] the trust policy trusts the OIDC provider 'cognito-identity.amazonaws.com' without a condition on 'cognito-identity.amazonaws.com:sub'");
  });
});

describe('FederationGuard and condition keys IAM does not have', () => {
  test('should refuse accounts.google.com:azp', () => {
    // GIVEN
    const stack = guardedStack();

    // WHEN
    webIdentityRole(stack, { StringEquals: { 'accounts.google.com:azp': 'client.apps.googleusercontent.com', 'accounts.google.com:aud': 'client.apps.googleusercontent.com', 'accounts.google.com:sub': '1234' } }, 'accounts.google.com');

    // THEN
    expect(onlyError(stack)).toContain("[UNSUPPORTED_CONDITION_KEY] the trust policy conditions on 'accounts.google.com:azp', but IAM has no condition key 'accounts.google.com:azp'; use 'accounts.google.com:aud'");
  });

  test('should refuse a GitHub claim IAM does not document as a key, naming the keys it has', () => {
    // GIVEN
    const stack = guardedStack();

    // WHEN
    webIdentityRole(stack, { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com', [`${GITHUB}:sub`]: 'repo:acme/app:environment:prod', [`${GITHUB}:repository_owner`]: 'acme', [`${GITHUB}:repository_id`]: '42' } });
    const role = () => new FederatedRole(stack, 'Deploy', {
      trust: FederatedTrust.oidc({
        provider: new OidcIdentityProvider(stack, 'GitHub', { issuer: OidcIssuer.githubActions() }),
        subjects: [Subject.githubEnvironment('acme/app', 'prod')],
        claims: [ClaimCondition.stringEquals('event_name', ['push'])],
      }),
    });

    // THEN
    const keys = "'aud', 'sub', 'actor', 'actor_id', 'job_workflow_ref', 'repository', 'repository_id', 'workflow', 'ref', 'environment', 'enterprise_id'";
    expect(onlyError(stack)).toContain(`[UNSUPPORTED_CONDITION_KEY] the trust policy conditions on '${GITHUB}:repository_owner', but IAM has no condition key '${GITHUB}:repository_owner'; for GitHub Actions it documents only ${keys}`);
    codes.expectThrows(role, 'FederatedRole.UnsupportedConditionKey', `FederatedRole 'Stack/Deploy' has a claim condition on '${GITHUB}:event_name', but IAM has no condition key '${GITHUB}:event_name'; for GitHub Actions it documents only ${keys}`);
  });
});

describe('FederatedRole source identity', () => {
  test('should add sts:SetSourceIdentity only when allowSourceIdentity is set', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Stack');
    const provider = new OidcIdentityProvider(stack, 'GitHub', { issuer: OidcIssuer.githubActions() });
    const trust = FederatedTrust.oidc({ provider, subjects: [Subject.githubEnvironment('acme/app', 'prod')] });

    // WHEN
    new FederatedRole(stack, 'With', { trust, allowSourceIdentity: true, allowSessionTags: true });
    new FederatedRole(stack, 'Without', { trust });

    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Action: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession', 'sts:SetSourceIdentity'] })] },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Action: 'sts:AssumeRoleWithWebIdentity' })] },
    });
  });
});
