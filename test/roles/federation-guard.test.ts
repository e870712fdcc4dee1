import { App, Aspects, Aws, CfnCondition, CfnJson, CfnParameter, Fn, Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import {
  FederatedRole,
  FederatedTrust,
  FederationGuard,
  FederationRisk,
  OidcIdentityProvider,
  OidcIssuer,
  SamlIdentityProvider,
  SamlMetadata,
  Subject,
} from '../../src';
import { ErrorCodes } from '../support/error-codes';
import { errors, GITHUB, GITHUB_ARN, guardedStack, onlyError, SAML_ARN, webIdentityRole } from '../support/guard';

const codes = new ErrorCodes();

const TIGHT_GITHUB = { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com', [`${GITHUB}:sub`]: 'repo:acme/app:environment:prod' } };

describe('FederationGuard', () => {
  test('should pass a tight OIDC trust', () => {
    // GIVEN
    const stack = guardedStack();

    // WHEN
    webIdentityRole(stack, TIGHT_GITHUB);

    // THEN
    expect(errors(stack)).toEqual([]);
  });

  test('should refuse an OIDC trust without an aud condition', () => {
    // GIVEN
    const stack = guardedStack();

    // WHEN
    webIdentityRole(stack, { StringEquals: { [`${GITHUB}:sub`]: 'repo:acme/app:environment:prod' } });

    // THEN
    const error = onlyError(stack);
    expect(error).toContain("FederationGuard: role 'Stack/Role' has a loose federated trust policy.");
    expect(error).toContain(`[MISSING_AUDIENCE] the trust policy trusts the OIDC provider '${GITHUB}' without a condition on '${GITHUB}:aud'`);
    expect(error).toContain(`add a StringEquals condition on '${GITHUB}:aud' listing the expected audiences`);
    expect(error).toContain("FederationGuard.acceptRisk(role, FederationRisk.<RISK>, '<reason>')");
    expect(error.endsWith(` [${codes.saw('FederationGuard.LooseTrustPolicy')}]`)).toBe(true);
  });

  test('should refuse an OIDC trust without a sub condition', () => {
    // GIVEN
    const stack = guardedStack();

    // WHEN
    webIdentityRole(stack, { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' } });

    // THEN
    const error = onlyError(stack);
    expect(error).toContain("role 'Stack/Role'");
    expect(error).toContain(`[MISSING_SUBJECT] the trust policy trusts the OIDC provider '${GITHUB}' without a condition on '${GITHUB}:sub', so every identity of that provider (every GitHub Actions identity, of every owner) can assume the role`);
    expect(error).toContain(`add a StringEquals (or StringLike) condition on '${GITHUB}:sub' naming the subjects, e.g. 'repo:<owner>/<repository>:environment:<name>'`);
  });

  test('should refuse a web identity trust with no Condition at all, whatever the provider', () => {
    // GIVEN
    const stack = guardedStack();

    // WHEN
    webIdentityRole(stack, {}, 'cognito-identity.amazonaws.com');

    // THEN
    const error = onlyError(stack);
    expect(error).toContain("[MISSING_AUDIENCE] the trust policy trusts the OIDC provider 'cognito-identity.amazonaws.com' without a condition on 'cognito-identity.amazonaws.com:aud'");
    expect(error).toContain("[MISSING_SUBJECT] the trust policy trusts the OIDC provider 'cognito-identity.amazonaws.com' without a condition on 'cognito-identity.amazonaws.com:sub'");
  });

  test.each([
    ['*', 'which matches every subject of the provider'],
    ['repo:*', "which puts a wildcard before the end of the fixed prefix 'repo:<owner>/<repository>:', so GitHub Actions identities of other owners can match it"],
    ['repo:acme*', "which puts a wildcard before the end of the fixed prefix 'repo:<owner>/<repository>:'"],
    ['*:ref:refs/heads/main', "which puts a wildcard before the end of the fixed prefix 'repo:<owner>/<repository>:'"],
  ])('should refuse the GitHub sub pattern %s', (pattern, what) => {
    // GIVEN
    const stack = guardedStack();

    // WHEN
    webIdentityRole(stack, { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' }, StringLike: { [`${GITHUB}:sub`]: pattern } });

    // THEN
    const error = onlyError(stack);
    expect(error).toContain(`[WILDCARD_SUBJECT] the trust policy matches '${GITHUB}:sub' against '${pattern}', ${what}`);
    expect(error).toContain("role 'Stack/Role'");
  });

  test.each([
    ['repo:acme/app:*'],
    ['repo:acme/app:ref:refs/heads/release/*'],
    ['repo:acme/app:environment:prod'],
  ])('should pass the GitHub sub pattern %s', (pattern) => {
    // GIVEN
    const stack = guardedStack();

    // WHEN
    webIdentityRole(stack, { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' }, StringLike: { [`${GITHUB}:sub`]: pattern } });

    // THEN
    expect(errors(stack)).toEqual([]);
  });

  test('should compare a StringEquals sub literally, so a * there is no wildcard', () => {
    // GIVEN
    const stack = guardedStack();

    // WHEN
    webIdentityRole(stack, { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com', [`${GITHUB}:sub`]: 'repo:acme/app:*' } });

    // THEN
    expect(errors(stack)).toEqual([]);
  });

  test('should refuse a wildcard-only sub for an issuer it does not know, and any other pattern unless accepted', () => {
    // GIVEN
    const stack = guardedStack();
    const issuer = 'arn:aws:iam::123456789012:oidc-provider/login.example.com';
    const pattern = (id: string, sub: string) => webIdentityRole(stack, { StringEquals: { 'login.example.com:aud': 'api://orders' }, StringLike: { 'login.example.com:sub': sub } }, issuer, id);

    // WHEN
    pattern('Loose', '*');
    pattern('Unanchored', 'svc-*');
    FederationGuard.acceptRisk(pattern('Accepted', 'svc-*'), FederationRisk.UNANCHORED_SUBJECT_PATTERN, 'the IdP prefixes every service subject with svc-');

    // THEN
    const found = errors(stack);
    expect(found).toHaveLength(2);
    expect(found[0]).toContain("role 'Stack/Loose'");
    expect(found[0]).toContain("[WILDCARD_SUBJECT] the trust policy matches 'login.example.com:sub' against '*', which matches every subject of the provider; name the subjects");
    expect(found[1]).toContain("role 'Stack/Unanchored'");
    expect(found[1]).toContain("[UNANCHORED_SUBJECT_PATTERN] the trust policy matches 'login.example.com:sub' against 'svc-*', a pattern for an issuer whose subjects have no fixed prefix this library knows");
  });

  test('should refuse every repository of an owner, unless that risk is accepted on the role', () => {
    // GIVEN
    const stack = guardedStack();
    const conditions = { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' }, StringLike: { [`${GITHUB}:sub`]: 'repo:acme/*:ref:refs/heads/main' } };

    // WHEN
    webIdentityRole(stack, conditions, GITHUB_ARN, 'Loose');
    const accepted = webIdentityRole(stack, conditions, GITHUB_ARN, 'Accepted');
    FederationGuard.acceptRisk(accepted, FederationRisk.ANY_REPOSITORY_OF_OWNER, 'org-wide read-only cache role');

    // THEN
    const error = onlyError(stack);
    expect(error).toContain("role 'Stack/Loose'");
    expect(error).toContain(`[ANY_REPOSITORY_OF_OWNER] the trust policy matches '${GITHUB}:sub' against 'repo:acme/*:ref:refs/heads/main', which has a wildcard inside the owner path of 'repo:<owner>/<repository>:', so every present and future repository of that owner can assume the role`);
    Annotations.fromStack(stack).hasInfo('/Stack/Accepted/Resource', 'FederationGuard: ANY_REPOSITORY_OF_OWNER accepted on role \'Stack/Accepted\': org-wide read-only cache role');
    expect(accepted.node.metadata).toContainEqual(expect.objectContaining({
      type: 'cdk-secured-api:accepted-federation-risk',
      data: { risk: 'ANY_REPOSITORY_OF_OWNER', reason: 'org-wide read-only cache role' },
    }));
  });

  test('should refuse a wildcard-only audience', () => {
    // GIVEN
    const stack = guardedStack();

    // WHEN
    webIdentityRole(stack, { StringLike: { [`${GITHUB}:aud`]: '*' }, StringEquals: { [`${GITHUB}:sub`]: 'repo:acme/app:environment:prod' } });

    // THEN
    expect(onlyError(stack)).toContain(`[WILDCARD_AUDIENCE] the trust policy matches '${GITHUB}:aud' against '*', which has a wildcard though audiences are exact values, so every audience matches; list each expected audience with StringEquals`);
  });

  test.each([
    ['ForAllValues:StringEquals', 'sub'],
    ['ForAnyValue:StringLike', 'sub'],
    ['ForAnyValue:StringEquals', 'aud'],
    ['ForAllValues:StringLike', 'job_workflow_ref'],
  ])('should refuse %s on the single-valued key %s', (operator, claim) => {
    // GIVEN
    const stack = guardedStack();
    const conditions: Record<string, Record<string, string>> = { StringEquals: { ...TIGHT_GITHUB.StringEquals } };
    delete conditions.StringEquals[`${GITHUB}:${claim}`];
    conditions[operator] = { [`${GITHUB}:${claim}`]: claim === 'aud' ? 'sts.amazonaws.com' : 'repo:acme/app:environment:prod' };

    // WHEN
    webIdentityRole(stack, conditions);

    // THEN
    const error = onlyError(stack);
    expect(error).toContain(`[SET_OPERATOR_ON_SINGLE_VALUED_KEY] the trust policy uses '${operator}' on '${GITHUB}:${claim}', a single-valued key (ForAllValues is also true when the claim is missing); use plain ${operator.split(':')[1]} instead`);
    expect(error).toContain("role 'Stack/Role'");
  });

  test('should pass ForAnyValue on amr, which is multi-valued', () => {
    // GIVEN
    const stack = guardedStack();

    // WHEN
    webIdentityRole(stack, {
      'StringEquals': { 'cognito-identity.amazonaws.com:aud': 'eu-west-1:11111111-2222-3333-4444-555555555555', 'cognito-identity.amazonaws.com:sub': 'eu-west-1:abcd' },
      'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
    }, 'cognito-identity.amazonaws.com');

    // THEN
    expect(errors(stack)).toEqual([]);
  });

  test.each([
    ['AnyPrincipal (AWS: *)', () => new iam.AnyPrincipal()],
    ['StarPrincipal (*)', () => new iam.StarPrincipal()],
    ['Federated: *', () => new iam.FederatedPrincipal('*')],
  ])('should refuse AssumeRoleWithWebIdentity granted to %s', (_name, principal) => {
    // GIVEN
    const stack = guardedStack();
    const role = webIdentityRole(stack, TIGHT_GITHUB);

    // WHEN
    role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({
      principals: [principal()],
      actions: ['sts:AssumeRoleWithWebIdentity'],
      conditions: TIGHT_GITHUB,
    }));

    // THEN
    const error = onlyError(stack);
    expect(error).toContain("[PUBLIC_PRINCIPAL] the trust policy grants sts:AssumeRoleWithWebIdentity to everyone ('*', 'AWS: *', 'Federated: *' or a NotPrincipal); name the identity provider's ARN as the only Federated principal");
  });

  test('should refuse AssumeRoleWithSAML granted through sts:* to everyone', () => {
    // GIVEN
    const stack = guardedStack();

    // WHEN
    new iam.CfnRole(stack, 'Role', {
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sts:*', Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } } }],
      },
    });

    // THEN
    expect(onlyError(stack)).toContain("role 'Stack/Role' has a loose federated trust policy. [PUBLIC_PRINCIPAL] the trust policy grants sts:AssumeRoleWithWebIdentity and sts:AssumeRoleWithSAML to everyone");
  });

  test('should refuse a condition key of another provider than the principal', () => {
    // GIVEN
    const stack = guardedStack();

    // WHEN
    webIdentityRole(stack, { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com', [`${GITHUB}:sub`]: 'repo:acme/app:environment:prod', 'gitlab.com:sub': 'project_path:acme/app:ref_type:branch:ref:main' } });

    // THEN
    expect(onlyError(stack)).toContain(`[FOREIGN_CONDITION_KEY] the trust policy conditions on 'gitlab.com:sub', a key of another identity provider ('gitlab.com'), but the principal is the OIDC provider '${GITHUB}', so that condition constrains nothing; key the condition on the principal's own provider (e.g. '${GITHUB}:sub')`);
  });

  test('should see a foreign sub key as no sub condition at all', () => {
    // GIVEN
    const stack = guardedStack();

    // WHEN
    webIdentityRole(stack, { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com', 'gitlab.com:sub': 'project_path:acme/app:ref_type:branch:ref:main' } });

    // THEN
    const error = onlyError(stack);
    expect(error).toContain('[MISSING_SUBJECT]');
    expect(error).toContain("[FOREIGN_CONDITION_KEY] the trust policy conditions on 'gitlab.com:sub'");
  });

  test.each([
    ['StringNotEquals'],
    ['StringLikeIfExists'],
    ['StringEqualsIgnoreCase'],
    ['Null'],
  ])('should refuse %s on sub', (operator) => {
    // GIVEN
    const stack = guardedStack();

    // WHEN
    webIdentityRole(stack, {
      StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' },
      [operator]: { [`${GITHUB}:sub`]: operator === 'Null' ? 'false' : 'repo:acme/app:environment:prod' },
    });

    // THEN
    expect(onlyError(stack)).toContain(`[LOOSE_OPERATOR] the trust policy tests '${GITHUB}:sub' with '${operator}', which accepts values other than the listed ones (or a missing claim); use StringEquals (or StringLike) with the accepted values`);
  });

  test('should refuse a SAML trust without SAML:aud and pass one with it', () => {
    // GIVEN
    const stack = guardedStack();
    const provider = iam.SamlProvider.fromSamlProviderArn(stack, 'Corp', SAML_ARN);

    // WHEN
    new iam.Role(stack, 'Loose', { assumedBy: new iam.SamlPrincipal(provider, {}) });
    new iam.Role(stack, 'Tight', { assumedBy: new iam.SamlConsolePrincipal(provider) });

    // THEN
    const error = onlyError(stack);
    expect(error).toContain("role 'Stack/Loose'");
    expect(error).toContain("[SAML_MISSING_AUDIENCE] the trust policy trusts a SAML provider without a 'SAML:aud' condition, so assertions not addressed to your AWS sign-in endpoint are accepted; add a StringEquals condition on 'SAML:aud' with the sign-in endpoint, e.g. 'https://signin.aws.amazon.com/saml'");
  });

  test('should refuse a loose operator on SAML:aud and a set operator on SAML:sub_type', () => {
    // GIVEN
    const stack = guardedStack();

    // WHEN
    new iam.Role(stack, 'Role', {
      assumedBy: new iam.FederatedPrincipal(SAML_ARN, {
        'StringLike': { 'SAML:aud': '*' },
        'ForAllValues:StringEquals': { 'SAML:sub_type': 'persistent' },
      }, 'sts:AssumeRoleWithSAML'),
    });

    // THEN
    const error = onlyError(stack);
    expect(error).toContain("[WILDCARD_AUDIENCE] the trust policy matches 'SAML:aud' against '*', which has a wildcard though audiences are exact values");
    expect(error).toContain("[SET_OPERATOR_ON_SINGLE_VALUED_KEY] the trust policy uses 'ForAllValues:StringEquals' on 'SAML:sub_type'");
  });

  test('should report every finding of a role in one error', () => {
    // GIVEN
    const stack = guardedStack();

    // WHEN
    webIdentityRole(stack, { StringNotEquals: { [`${GITHUB}:sub`]: 'repo:evil/app:environment:prod' } });

    // THEN
    const error = onlyError(stack);
    expect(error).toMatch(/\[MISSING_AUDIENCE\].*\[LOOSE_OPERATOR\]/);
  });

  test('should not look at roles that federate nobody', () => {
    // GIVEN
    const stack = guardedStack();

    // WHEN
    new iam.Role(stack, 'Lambda', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    new iam.Role(stack, 'Account', { assumedBy: new iam.AccountPrincipal('123456789012') });

    // THEN
    expect(errors(stack)).toEqual([]);
  });
  test('should say so when the Condition is an intrinsic it cannot look into', () => {
    // GIVEN
    const stack = guardedStack();
    const isProd = new CfnCondition(stack, 'IsProd', { expression: Fn.conditionEquals(Aws.REGION, 'eu-west-1') });

    // WHEN
    new iam.CfnRole(stack, 'Role', {
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{
          Effect: 'Allow',
          Principal: { Federated: GITHUB_ARN },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: Fn.conditionIf(isProd.logicalId, TIGHT_GITHUB, { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' } }),
        }],
      },
    });

    // THEN
    const error = onlyError(stack);
    expect(error).toContain('[DEPLOY_TIME_VALUE] the trust policy cannot be checked at synth: its Condition is an intrinsic function (Fn::If)');
    expect(error).not.toContain('MISSING_');
  });

  test('should refuse a loose operator on SAML:aud', () => {
    // GIVEN
    const stack = guardedStack();

    // WHEN
    new iam.Role(stack, 'Role', {
      assumedBy: new iam.FederatedPrincipal(SAML_ARN, { StringNotEquals: { 'SAML:aud': 'https://evil.example.com/saml' } }, 'sts:AssumeRoleWithSAML'),
    });

    // THEN
    expect(onlyError(stack)).toContain("[LOOSE_OPERATOR] the trust policy tests 'SAML:aud' with 'StringNotEquals'");
  });
});

describe('FederationGuard and escape hatches', () => {
  test('should check statements added to a FederatedRole after construction', () => {
    // GIVEN
    const stack = guardedStack();
    const provider = OidcIdentityProvider.fromIssuer(stack, 'GitHub', OidcIssuer.githubActions());
    const role = new FederatedRole(stack, 'Deploy', {
      trust: FederatedTrust.oidc({ provider, subjects: [Subject.githubEnvironment('acme/app', 'prod')] }),
    });

    // WHEN
    role.role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({
      principals: [new iam.FederatedPrincipal(provider.providerArn)],
      actions: ['sts:AssumeRoleWithWebIdentity'],
      conditions: { StringLike: { [`${GITHUB}:sub`]: 'repo:*' } },
    }));

    // THEN
    const error = onlyError(stack);
    expect(error).toContain("role 'Stack/Deploy' has a loose federated trust policy.");
    expect(error).toContain(`[MISSING_AUDIENCE] the trust policy trusts the OIDC provider '${GITHUB}'`);
    expect(error).toContain(`[WILDCARD_SUBJECT] the trust policy matches '${GITHUB}:sub' against 'repo:*'`);
  });

  test('should check property overrides on the CfnRole', () => {
    // GIVEN
    const stack = guardedStack();
    const role = webIdentityRole(stack, TIGHT_GITHUB);

    // WHEN
    (role.node.defaultChild as iam.CfnRole).addPropertyDeletionOverride(`AssumeRolePolicyDocument.Statement.0.Condition.StringEquals.${GITHUB.replace(/\./g, '\\.')}:sub`);

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Condition: Match.exact({ StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' } }) })] },
    });
    expect(onlyError(stack)).toContain('[MISSING_SUBJECT]');
  });

  test('should check a document assigned to the CfnRole directly', () => {
    // GIVEN
    const stack = guardedStack();
    const role = webIdentityRole(stack, TIGHT_GITHUB);

    // WHEN
    (role.node.defaultChild as iam.CfnRole).assumeRolePolicyDocument = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Federated: GITHUB_ARN }, Action: 'sts:AssumeRoleWithWebIdentity' }],
    };

    // THEN
    const error = onlyError(stack);
    expect(error).toContain('[MISSING_AUDIENCE]');
    expect(error).toContain('[MISSING_SUBJECT]');
  });
});

describe('FederationGuard with provider ARN tokens', () => {
  const foreign = (host: string) => ({
    StringEquals: { [`${host}:aud`]: 'sts.amazonaws.com', [`${host}:sub`]: 'repo:acme/app:environment:prod', 'gitlab.com:sub': 'project_path:acme/app:ref_type:branch:ref:main' },
  });

  test('should find the host of a provider created in the stack (Ref to AWS::IAM::OIDCProvider)', () => {
    // GIVEN
    const stack = guardedStack();
    const provider = new OidcIdentityProvider(stack, 'GitHub', { issuer: OidcIssuer.githubActions() });

    // WHEN
    webIdentityRole(stack, foreign(GITHUB), provider.providerArn);

    // THEN
    expect(stack.resolve(provider.providerArn)).toEqual({ Ref: expect.any(String) });
    expect(onlyError(stack)).toContain(`but the principal is the OIDC provider '${GITHUB}'`);
  });

  test('should find the host in an Fn::Join provider ARN', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Agnostic');
    Aspects.of(stack).add(new FederationGuard());
    const provider = OidcIdentityProvider.fromIssuer(stack, 'GitHub', OidcIssuer.githubActions());

    // WHEN
    webIdentityRole(stack, foreign(GITHUB), provider.providerArn);

    // THEN
    expect(stack.resolve(provider.providerArn)).toHaveProperty(['Fn::Join']);
    expect(onlyError(stack)).toContain(`but the principal is the OIDC provider '${GITHUB}'`);
  });

  test('should find the host of a CDK OpenIdConnectProvider (custom resource)', () => {
    // GIVEN
    const stack = guardedStack();
    const provider = new iam.OpenIdConnectProvider(stack, 'GitHub', { url: `https://${GITHUB}`, clientIds: ['sts.amazonaws.com'] });

    // WHEN
    webIdentityRole(stack, { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' }, StringLike: { [`${GITHUB}:sub`]: 'repo:*' } }, provider.openIdConnectProviderArn);

    // THEN
    expect(onlyError(stack)).toContain(`[WILDCARD_SUBJECT] the trust policy matches '${GITHUB}:sub' against 'repo:*', which puts a wildcard before the end of the fixed prefix 'repo:<owner>/<repository>:'`);
  });

  test("should learn a self-managed GitLab's subject prefix from the OidcIdentityProvider", () => {
    // GIVEN
    const stack = guardedStack();
    const provider = new OidcIdentityProvider(stack, 'GitLab', { issuer: OidcIssuer.gitlab({ url: 'https://gitlab.acme.com', audiences: ['aws'] }) });

    // WHEN
    webIdentityRole(stack, { StringEquals: { 'gitlab.acme.com:aud': 'aws' }, StringLike: { 'gitlab.acme.com:sub': 'project_path:acme*' } }, provider.providerArn);

    // THEN
    expect(onlyError(stack)).toContain("[WILDCARD_SUBJECT] the trust policy matches 'gitlab.acme.com:sub' against 'project_path:acme*', which puts a wildcard before the end of the fixed prefix 'project_path:<group>/<project>:'");
  });

  test('should tell a SAML provider created in the stack from an OIDC one', () => {
    // GIVEN
    const stack = guardedStack();
    const provider = new SamlIdentityProvider(stack, 'Corp', { metadata: SamlMetadata.fromXml(samlMetadata()) });

    // WHEN
    new iam.Role(stack, 'Role', { assumedBy: new iam.FederatedPrincipal(provider.samlProviderArn, {}, 'sts:AssumeRoleWithSAML') });

    // THEN
    const error = onlyError(stack);
    expect(error).toContain('[SAML_MISSING_AUDIENCE]');
    expect(error).not.toContain('[MISSING_SUBJECT]');
  });

  test('should still require aud and sub against a provider it cannot identify', () => {
    // GIVEN
    const stack = guardedStack();
    const opaque = ssm.StringParameter.valueForStringParameter(stack, '/identity/provider-arn');

    // WHEN
    webIdentityRole(stack, { StringEquals: { 'login.example.com:aud': 'x' } }, opaque, 'Loose');
    webIdentityRole(stack, { StringEquals: { 'login.example.com:aud': 'x', 'login.example.com:sub': 'svc' } }, opaque, 'Tight');

    // THEN
    const [loose, tight] = errors(stack);
    expect(loose).toContain("role 'Stack/Loose'");
    expect(loose).toContain("[MISSING_SUBJECT] the trust policy trusts the OIDC provider without a condition on '<provider>:sub'");
    expect(tight).toContain("role 'Stack/Tight'");
    expect(tight).toContain("[DEPLOY_TIME_VALUE] the trust policy cannot be checked at synth: its Federated principal '{\"Ref\":\"SsmParameterValueidentityproviderarnC96584B6F00A464EAD1953AFF4B05118Parameter\"}' cannot be resolved to an identity provider");
    expect(tight).not.toContain('MISSING_');
  });
  test('should read conditions written through CfnJson, as for EKS IRSA roles', () => {
    // GIVEN
    const stack = guardedStack();
    const issuer = new CfnParameter(stack, 'ClusterIssuer').valueAsString;
    const provider = new iam.OpenIdConnectProvider(stack, 'Cluster', { url: `https://${issuer}`, clientIds: ['sts.amazonaws.com'] });
    const irsa = (id: string, value: Record<string, string>) => new iam.Role(stack, id, {
      assumedBy: new iam.OpenIdConnectPrincipal(provider).withConditions({ StringEquals: new CfnJson(stack, `${id}Json`, { value }) }),
    });

    // WHEN
    irsa('Tight', { [`${issuer}:aud`]: 'sts.amazonaws.com', [`${issuer}:sub`]: 'system:serviceaccount:orders:api' });
    irsa('Loose', { [`${issuer}:aud`]: 'sts.amazonaws.com' });

    // THEN
    const error = onlyError(stack);
    expect(error).toContain("role 'Stack/Loose'");
    expect(error).toContain("[MISSING_SUBJECT] the trust policy trusts the OIDC provider '<token>' without a condition on '<token>:sub'");
    expect(error).not.toContain('MISSING_AUDIENCE');
    expect(error).not.toContain('DEPLOY_TIME_VALUE');
  });
});

describe('FederationGuard.acceptRisk', () => {
  test('should require a reason', () => {
    // GIVEN
    const stack = guardedStack();
    const role = webIdentityRole(stack, TIGHT_GITHUB);

    // WHEN
    const accept = () => FederationGuard.acceptRisk(role, FederationRisk.MISSING_AUDIENCE, '  ');

    // THEN
    codes.expectThrows(accept, 'FederationGuard.RiskWithoutReason', "FederationGuard.acceptRisk: accepting MISSING_AUDIENCE on 'Stack/Role' needs a reason; say why this role may carry that risk.");
  });

  test('should refuse a risk that is not a FederationRisk', () => {
    // GIVEN
    const stack = guardedStack();
    const role = webIdentityRole(stack, TIGHT_GITHUB);

    // WHEN
    const accept = () => FederationGuard.acceptRisk(role, 'LOOSE' as FederationRisk, 'because');

    // THEN
    codes.expectThrows(accept, 'FederationGuard.UnknownRisk', "FederationGuard.acceptRisk: 'LOOSE' is not a FederationRisk; pass one of MISSING_AUDIENCE, ");
  });

  test('should refuse a construct that is not a role', () => {
    // GIVEN
    const stack = guardedStack();

    // WHEN
    const accept = () => FederationGuard.acceptRisk(stack, FederationRisk.MISSING_AUDIENCE, 'because');

    // THEN
    codes.expectThrows(accept, 'FederationGuard.NotARole', "FederationGuard.acceptRisk: 'Stack' is not a role; pass the iam.Role (or its CfnRole, or a FederatedRole) whose finding you accept.");
  });

  test('should accept only the named finding, on the named role', () => {
    // GIVEN
    const stack = guardedStack();
    const loose = { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' } };
    const accepted = webIdentityRole(stack, loose, GITHUB_ARN, 'Accepted');
    webIdentityRole(stack, loose, GITHUB_ARN, 'Other');
    const wrongRisk = webIdentityRole(stack, loose, GITHUB_ARN, 'WrongRisk');

    // WHEN
    FederationGuard.acceptRisk(accepted, FederationRisk.MISSING_SUBJECT, 'every workflow of the enterprise may read the public cache');
    FederationGuard.acceptRisk(wrongRisk, FederationRisk.MISSING_AUDIENCE, 'not the finding at hand');

    // THEN
    const found = errors(stack);
    expect(found).toHaveLength(2);
    expect(found.join('\n')).toContain("role 'Stack/Other'");
    expect(found.join('\n')).toContain("role 'Stack/WrongRisk'");
    expect(found.join('\n')).not.toContain('Stack/Accepted');
  });
});

/** Minimal IdP metadata (IAM wants at least 1000 characters). */
function samlMetadata(): string {
  const certificate = 'MIIC'.padEnd(1200, 'A');
  return `<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.acme.com"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${certificate}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.acme.com/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>`;
}

describe('FederationGuard across CDK Stages', () => {
  const env = { account: '123456789012', region: 'eu-west-1' };
  const ANY_GITHUB_SUBJECT = { StringLike: { [`${GITHUB}:sub`]: '*' } };

  test('should fail synth on a loose role inside a Stage when added to the app', () => {
    // GIVEN
    const app = new App();
    Aspects.of(app).add(new FederationGuard());
    const stack = new Stack(new Stage(app, 'Prod', { env }), 'Deploy');

    // WHEN
    webIdentityRole(stack, ANY_GITHUB_SUBJECT);

    // THEN
    codes.expectThrows(() => app.synth(), 'FederationGuard.LooseTrustPolicyInStage', /FederationGuard: the CDK Stage 'Prod' has roles with loose federated trust policies .*\n  role 'Prod\/Deploy\/Role' has a loose federated trust policy\. \[MISSING_AUDIENCE\].*\[WILDCARD_SUBJECT\]/);
  });

  test('should fail synth on a loose role inside a Stage in a Stage', () => {
    // GIVEN
    const app = new App();
    Aspects.of(app).add(new FederationGuard());
    const outer = new Stage(app, 'Outer', { env });
    new Stack(outer, 'Tight');
    const stack = new Stack(new Stage(outer, 'Inner'), 'Deploy');

    // WHEN
    webIdentityRole(stack, ANY_GITHUB_SUBJECT);

    // THEN
    codes.expectThrows(() => app.synth(), 'FederationGuard.LooseTrustPolicyInStage', /the CDK Stage 'Outer' has roles .*\n  role 'Outer\/Inner\/Deploy\/Role' has a loose federated trust policy\. \[MISSING_AUDIENCE\]/);
  });

  test('should pass tight roles and accepted risks inside Stages', () => {
    // GIVEN
    const app = new App();
    Aspects.of(app).add(new FederationGuard());
    const outer = new Stage(app, 'Outer', { env });
    const inner = new Stack(new Stage(outer, 'Inner'), 'Deploy');

    // WHEN
    webIdentityRole(new Stack(outer, 'Tight'), TIGHT_GITHUB);
    const accepted = webIdentityRole(inner, { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' } });
    FederationGuard.acceptRisk(accepted, FederationRisk.MISSING_SUBJECT, 'every workflow of the org may read the public bucket');

    // THEN
    expect(() => app.synth()).not.toThrow();
  });

  test('should leave a Stage with a guard of its own to that guard, which annotates the role', () => {
    // GIVEN
    const app = new App();
    Aspects.of(app).add(new FederationGuard());
    const stage = new Stage(app, 'Prod', { env });
    Aspects.of(stage).add(new FederationGuard());
    const stack = new Stack(stage, 'Deploy');

    // WHEN
    webIdentityRole(stack, ANY_GITHUB_SUBJECT);

    // THEN
    const assembly = app.synth();
    const nested = assembly.getNestedAssembly('assembly-Prod');
    const messages = nested.stacks[0].messages.filter(m => m.level === 'error').map(m => String(m.entry.data));
    expect(messages).toEqual([expect.stringMatching(/^FederationGuard: role 'Prod\/Deploy\/Role' has a loose federated trust policy\. \[MISSING_AUDIENCE\]/)]);
  });

  test('should check a Stage whose guard covers another stack of it only', () => {
    // GIVEN
    const app = new App();
    Aspects.of(app).add(new FederationGuard());
    const stage = new Stage(app, 'Prod', { env });
    Aspects.of(new Stack(stage, 'Guarded')).add(new FederationGuard());
    const stack = new Stack(stage, 'Deploy');

    // WHEN
    webIdentityRole(stack, ANY_GITHUB_SUBJECT);

    // THEN
    codes.expectThrows(() => app.synth(), 'FederationGuard.LooseTrustPolicyInStage', /role 'Prod\/Deploy\/Role' has a loose federated trust policy/);
  });
});

describe('FederationGuard error codes', () => {
  test('should test every code FederationGuard throws', () => {
    expect(codes.untested('src/roles/federation-guard.ts')).toEqual([]);
  });
});
