import { App, Aspects, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  ClaimCondition,
  FederatedRole,
  FederatedTrust,
  FederationGuard,
  FederationRisk,
  IOidcIdentityProvider,
  ISamlIdentityProvider,
  OidcIdentityProvider,
  OidcIssuer,
  RoleEnvironment,
  SamlEnvironmentSeparation,
  SamlIdentityProvider,
  SamlSignInEndpoint,
  Subject,
} from '../../src';
import { ErrorCodes } from '../support/error-codes';

const GITHUB = 'token.actions.githubusercontent.com';
const codes = new ErrorCodes();

function makeStack(): Stack {
  return new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
}

function github(stack: Stack): IOidcIdentityProvider {
  return new OidcIdentityProvider(stack, 'GitHub', { issuer: OidcIssuer.githubActions() });
}

function gitlab(stack: Stack): IOidcIdentityProvider {
  return new OidcIdentityProvider(stack, 'GitLab', { issuer: OidcIssuer.gitlab({ audiences: ['https://gitlab.com'] }) });
}

function saml(stack: Stack): ISamlIdentityProvider {
  return SamlIdentityProvider.fromSamlProviderArn(stack, 'Corp', 'arn:aws:iam::123456789012:saml-provider/Corp');
}

type RoleOptions = Partial<{ environment: RoleEnvironment; allowAnyRepositoryOfOwner: boolean }>;

function githubRole(stack: Stack, subjects: Subject[], extra: RoleOptions = {}): FederatedRole {
  return new FederatedRole(stack, 'Deploy', {
    trust: FederatedTrust.oidc({ provider: github(stack), subjects }),
    ...extra,
  });
}

function providerRef(stack: Stack, provider: IOidcIdentityProvider): unknown {
  return stack.resolve(provider.providerArn);
}

describe('FederatedRole with an OIDC trust', () => {
  test('should trust only AssumeRoleWithWebIdentity, conditioned on aud and an exact sub', () => {
    // GIVEN
    const stack = makeStack();
    const provider = github(stack);

    // WHEN
    new FederatedRole(stack, 'Deploy', {
      trust: FederatedTrust.oidc({ provider, subjects: [Subject.githubEnvironment('acme/app', 'prod')] }),
    });

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{
          Effect: 'Allow',
          Action: 'sts:AssumeRoleWithWebIdentity',
          Principal: { Federated: providerRef(stack, provider) },
          Condition: {
            StringEquals: {
              [`${GITHUB}:aud`]: 'sts.amazonaws.com',
              [`${GITHUB}:sub`]: 'repo:acme/app:environment:prod',
            },
          },
        }],
      },
      MaxSessionDuration: 3600,
    });
  });

  test('should keep the role construct id Resource under the FederatedRole', () => {
    // GIVEN
    const stack = makeStack();

    // WHEN
    const role = githubRole(stack, [Subject.githubBranch('acme/app', 'main')]);

    // THEN
    expect(role.role.node.id).toBe('Resource');
    expect(role.node.defaultChild).toBe(role.role);
    expect(stack.resolve(role.roleArn)).toEqual(stack.resolve(role.role.roleArn));
  });

  test('should build the GitHub Actions subjects of a branch, a tag, an environment and pull requests', () => {
    // GIVEN
    const stack = makeStack();

    // WHEN
    githubRole(stack, [
      Subject.githubBranch('acme/app', 'main'),
      Subject.githubTag('acme/app', 'v1.2.3'),
      Subject.githubEnvironment('acme/app', 'staging'),
      Subject.githubPullRequest('acme/app'),
    ]);

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({
          Condition: {
            StringEquals: {
              [`${GITHUB}:aud`]: 'sts.amazonaws.com',
              [`${GITHUB}:sub`]: [
                'repo:acme/app:ref:refs/heads/main',
                'repo:acme/app:ref:refs/tags/v1.2.3',
                'repo:acme/app:environment:staging',
                'repo:acme/app:pull_request',
              ],
            },
          },
        })],
      },
    });
  });

  test('should write exact subjects under StringEquals and patterns under StringLike, in a statement each', () => {
    // GIVEN
    const stack = makeStack();
    const deployTime = new CfnParameter(stack, 'Subject').valueAsString;

    // WHEN
    const role = githubRole(stack, [Subject.githubBranch('acme/app', 'main'), Subject.exactly(deployTime), Subject.githubTag('acme/app', 'v*')]);
    FederationGuard.acceptRisk(role, FederationRisk.DEPLOY_TIME_VALUE, 'the Subject parameter is set by the pipeline, never by users');

    // THEN
    const federated = { Federated: providerRef(stack, stack.node.findChild('GitHub') as unknown as IOidcIdentityProvider) };
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRoleWithWebIdentity',
            Principal: federated,
            Condition: { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com', [`${GITHUB}:sub`]: ['repo:acme/app:ref:refs/heads/main', { Ref: 'Subject' }] } },
          },
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRoleWithWebIdentity',
            Principal: federated,
            Condition: { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' }, StringLike: { [`${GITHUB}:sub`]: 'repo:acme/app:ref:refs/tags/v*' } },
          },
        ],
        Version: '2012-10-17',
      },
    });
  });

  test('should accept a pattern whose wildcard follows the fixed prefix', () => {
    // GIVEN
    const stack = makeStack();

    // WHEN
    githubRole(stack, [Subject.pattern('repo:acme/app:*')]);

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({
          Condition: {
            StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' },
            StringLike: { [`${GITHUB}:sub`]: 'repo:acme/app:*' },
          },
        })],
      },
    });
  });

  test('should pin reusable workflows with job_workflow_ref and add claim conditions', () => {
    // GIVEN
    const stack = makeStack();

    // WHEN
    new FederatedRole(stack, 'Deploy', {
      trust: FederatedTrust.oidc({
        provider: github(stack),
        subjects: [Subject.githubEnvironment('acme/app', 'prod')],
        audiences: ['https://github.com/acme'],
        jobWorkflowRefs: ['acme/pipelines/.github/workflows/deploy.yml@refs/heads/main'],
        claims: [ClaimCondition.stringEquals('repository_id', ['123456']), ClaimCondition.stringLike('actor', ['release-*'])],
      }),
    });

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({
          Condition: {
            StringEquals: {
              [`${GITHUB}:aud`]: 'https://github.com/acme',
              [`${GITHUB}:sub`]: 'repo:acme/app:environment:prod',
              [`${GITHUB}:job_workflow_ref`]: 'acme/pipelines/.github/workflows/deploy.yml@refs/heads/main',
              [`${GITHUB}:repository_id`]: '123456',
            },
            StringLike: { [`${GITHUB}:actor`]: 'release-*' },
          },
        })],
      },
    });
  });

  test('should write an amr condition with ForAnyValue, amr being multi-valued', () => {
    // GIVEN
    const stack = makeStack();
    const provider = new OidcIdentityProvider(stack, 'Okta', { issuer: OidcIssuer.okta('acme.okta.com', { audiences: ['api://orders'] }) });

    // WHEN
    new FederatedRole(stack, 'Reader', {
      trust: FederatedTrust.oidc({
        provider,
        subjects: [Subject.exactly('00u1abcd')],
        claims: [ClaimCondition.stringLike('amr', ['mfa'])],
      }),
    });

    // THEN
    const key = provider.issuer.conditionKeyPrefix;
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({
          Condition: {
            'StringEquals': { [`${key}:aud`]: 'api://orders', [`${key}:sub`]: '00u1abcd' },
            'ForAnyValue:StringLike': { [`${key}:amr`]: 'mfa' },
          },
        })],
      },
    });
  });

  test('should add sts:TagSession only when session tags are allowed', () => {
    // GIVEN
    const stack = makeStack();
    const provider = github(stack);
    const trust = FederatedTrust.oidc({ provider, subjects: [Subject.githubBranch('acme/app', 'main')] });

    // WHEN
    new FederatedRole(stack, 'Plain', { trust });
    new FederatedRole(stack, 'Tagged', { trust, allowSessionTags: true });

    // THEN
    const roles = Template.fromStack(stack).findResources('AWS::IAM::Role');
    const actions = Object.entries(roles).map(([id, r]) => [id.replace(/[0-9A-F]{8}$/, ''), r.Properties.AssumeRolePolicyDocument.Statement[0].Action]);
    expect(Object.fromEntries(actions)).toEqual({
      Plain: 'sts:AssumeRoleWithWebIdentity',
      Tagged: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'],
    });
  });

  test('should pass description, session duration, permissions boundary and role name through', () => {
    // GIVEN
    const stack = makeStack();
    const boundary = iam.ManagedPolicy.fromManagedPolicyName(stack, 'Boundary', 'ci-boundary');

    // WHEN
    new FederatedRole(stack, 'Deploy', {
      trust: FederatedTrust.oidc({ provider: github(stack), subjects: [Subject.githubBranch('acme/app', 'main')] }),
      description: 'Deploys acme/app',
      maxSessionDuration: Duration.hours(2),
      permissionsBoundary: boundary,
      roleName: 'acme-app-deploy',
    });

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      Description: 'Deploys acme/app',
      MaxSessionDuration: 7200,
      RoleName: 'acme-app-deploy',
      PermissionsBoundary: stack.resolve(boundary.managedPolicyArn),
    });
  });

  test('should tag the role with its environment label', () => {
    // GIVEN
    const stack = makeStack();

    // WHEN
    githubRole(stack, [Subject.githubEnvironment('acme/app', 'staging')], { environment: RoleEnvironment.nonProduction('staging') });

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      Tags: [{ Key: 'environment', Value: 'staging' }],
    });
  });

  test('should grant permissions through the role', () => {
    // GIVEN
    const stack = makeStack();
    const role = githubRole(stack, [Subject.githubBranch('acme/app', 'main')]);

    // WHEN
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::acme-artifacts/*'] }));

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::acme-artifacts/*' })] },
      Roles: [{ Ref: stack.getLogicalId(role.role.node.defaultChild as iam.CfnRole) }],
    });
  });

  test('should pass FederationGuard', () => {
    // GIVEN
    const app = new App();
    const stack = new Stack(app, 'Stack');
    Aspects.of(app).add(new FederationGuard());

    // WHEN
    githubRole(stack, [Subject.githubEnvironment('acme/app', 'prod')], { environment: RoleEnvironment.production() });
    new FederatedRole(stack, 'Lab', {
      trust: FederatedTrust.oidc({ provider: gitlab(stack), subjects: [Subject.pattern('project_path:acme/app:ref_type:branch:ref:*')] }),
    });

    // THEN
    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
  });
});

describe('FederatedRole refuses loose OIDC trust', () => {
  test.each([
    ['*', 'matches every subject'],
    ['repo:*', "puts a wildcard before the end of the fixed prefix 'repo:<owner>/<repository>:'"],
    ['repo:acme*', "puts a wildcard before the end of the fixed prefix 'repo:<owner>/<repository>:'"],
    ['*:ref:refs/heads/main', "puts a wildcard before the end of the fixed prefix 'repo:<owner>/<repository>:'"],
  ])('should refuse the subject pattern %s', (pattern, what) => {
    // GIVEN
    const subjects = [Subject.pattern(pattern)];

    // WHEN
    const build = () => githubRole(makeStack(), subjects);

    // THEN
    codes.expectThrows(build, 'FederatedRole.LooseSubjectPattern', `FederatedRole 'Stack/Deploy' matches '${GITHUB}:sub' against '${pattern}', which ${what}`);
    expect(build).toThrow(/name the subjects|spell the prefix out literally \(e\.g\. 'repo:<owner>\/<repository>:environment:<name>'\)/);
  });

  test('should refuse a wildcard before the GitLab project path', () => {
    // GIVEN
    const stack = makeStack();

    // WHEN
    const build = () => new FederatedRole(stack, 'Lab', {
      trust: FederatedTrust.oidc({ provider: gitlab(stack), subjects: [Subject.pattern('project_path:acme*')] }),
    });

    // THEN
    codes.expectThrows(build, 'FederatedRole.LooseSubjectPattern', "FederatedRole 'Stack/Lab' matches 'gitlab.com:sub' against 'project_path:acme*', which puts a wildcard before the end of the fixed prefix 'project_path:<group>/<project>:'");
  });

  test('should refuse every repository of an owner unless allowAnyRepositoryOfOwner is set', () => {
    // GIVEN
    const refused = makeStack();
    const allowed = makeStack();
    const pattern = 'repo:acme/*:ref:refs/heads/main';

    // WHEN
    const build = () => githubRole(refused, [Subject.pattern(pattern)]);
    const role = githubRole(allowed, [Subject.pattern(pattern)], { allowAnyRepositoryOfOwner: true });

    // THEN
    codes.expectThrows(build, 'FederatedRole.LooseSubjectPattern', /FederatedRole 'Stack\/Deploy' matches 'token\.actions\.githubusercontent\.com:sub' against 'repo:acme\/\*:ref:refs\/heads\/main', which has a wildcard inside the owner path .* set allowAnyRepositoryOfOwner: true/);
    expect(role.role.node.metadata).toContainEqual(expect.objectContaining({
      type: 'cdk-secured-api:accepted-federation-risk',
      data: { risk: 'ANY_REPOSITORY_OF_OWNER', reason: 'FederatedRole prop allowAnyRepositoryOfOwner is set' },
    }));
    Template.fromStack(allowed).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Condition: Match.objectLike({ StringLike: { [`${GITHUB}:sub`]: pattern } }) })] },
    });
  });

  test('should still refuse a wildcard in the owner with allowAnyRepositoryOfOwner', () => {
    // GIVEN
    const stack = makeStack();

    // WHEN
    const build = () => githubRole(stack, [Subject.pattern('repo:ac*/app:*')], { allowAnyRepositoryOfOwner: true });

    // THEN
    codes.expectThrows(build, 'FederatedRole.LooseSubjectPattern', "FederatedRole 'Stack/Deploy' matches 'token.actions.githubusercontent.com:sub' against 'repo:ac*/app:*', which puts a wildcard before the end of the fixed prefix");
  });

  test('should refuse an exact subject that contains a wildcard', () => {
    // GIVEN
    const stack = makeStack();

    // WHEN
    const build = () => githubRole(stack, [Subject.exactly('repo:acme/app:*')]);

    // THEN
    codes.expectThrows(build, 'FederatedRole.WildcardInExactSubject', "FederatedRole 'Stack/Deploy' has the exact subject 'repo:acme/app:*', which contains '*' or '?', characters StringEquals compares literally; use Subject.pattern('repo:acme/app:*') if a pattern is meant.");
  });

  test('should refuse an exact subject without the issuer prefix', () => {
    // GIVEN
    const stack = makeStack();

    // WHEN
    const build = () => githubRole(stack, [Subject.exactly('acme/app:ref:refs/heads/main')]);

    // THEN
    codes.expectThrows(build, 'FederatedRole.SubjectWithoutPrefix', "FederatedRole 'Stack/Deploy' has the subject 'acme/app:ref:refs/heads/main', which can never match: every GitHub Actions subject starts with 'repo:'");
  });

  test('should refuse a role without subjects', () => {
    // GIVEN
    const stack = makeStack();

    // WHEN
    const build = () => githubRole(stack, []);

    // THEN
    codes.expectThrows(build, 'FederatedRole.MissingSubject', `FederatedRole 'Stack/Deploy' has no subject for '${GITHUB}:sub', so every identity of GitHub Actions could assume it; pass subjects`);
  });

  test('should refuse an empty or wildcard audience list', () => {
    // GIVEN
    const stack = makeStack();
    const provider = github(stack);

    // WHEN
    const empty = () => new FederatedRole(stack, 'Empty', {
      trust: FederatedTrust.oidc({ provider, subjects: [Subject.githubBranch('acme/app', 'main')], audiences: [] }),
    });
    const wildcard = () => new FederatedRole(stack, 'Wildcard', {
      trust: FederatedTrust.oidc({ provider, subjects: [Subject.githubBranch('acme/app', 'main')], audiences: ['*'] }),
    });

    // THEN
    codes.expectThrows(empty, 'FederatedRole.MissingAudience', `FederatedRole 'Stack/Empty' has no audience for '${GITHUB}:aud', so tokens minted for any client of GitHub Actions would be accepted; pass audiences`);
    codes.expectThrows(wildcard, 'FederatedRole.InexactAudience', "FederatedRole 'Stack/Wildcard' has the audience '*', which is empty or has a wildcard");
  });

  test('should refuse GitHub subjects, and job_workflow_ref, for another issuer', () => {
    // GIVEN
    const stack = makeStack();
    const provider = gitlab(stack);

    // WHEN
    const typed = () => new FederatedRole(stack, 'Typed', {
      trust: FederatedTrust.oidc({ provider, subjects: [Subject.githubBranch('acme/app', 'main')] }),
    });
    const pinned = () => new FederatedRole(stack, 'Pinned', {
      trust: FederatedTrust.oidc({
        provider,
        subjects: [Subject.exactly('project_path:acme/app:ref_type:branch:ref:main')],
        jobWorkflowRefs: ['acme/pipelines/.github/workflows/deploy.yml@refs/heads/main'],
      }),
    });

    // THEN
    codes.expectThrows(typed, 'FederatedRole.GitHubSubjectWithoutGitHub', "FederatedRole 'Stack/Typed' uses the GitHub Actions subject 'repo:acme/app:ref:refs/heads/main', but its provider's issuer is not GitHub Actions");
    codes.expectThrows(pinned, 'FederatedRole.JobWorkflowRefsWithoutGitHub', "FederatedRole 'Stack/Pinned' sets jobWorkflowRefs, a GitHub Actions claim, but the provider's issuer is GitLab");
  });

  test.each([
    ['acme/pipelines/.github/workflows/*.yml@refs/heads/main'],
    ['*'],
    ['acme/pipelines/.github/workflows/deploy.yml'],
  ])('should refuse the job_workflow_ref %s', (ref) => {
    // GIVEN
    const stack = makeStack();

    // WHEN
    const build = () => new FederatedRole(stack, 'Deploy', {
      trust: FederatedTrust.oidc({ provider: github(stack), subjects: [Subject.githubBranch('acme/app', 'main')], jobWorkflowRefs: [ref] }),
    });

    // THEN
    codes.expectThrows(build, 'FederatedRole.InvalidJobWorkflowRef', `FederatedRole 'Stack/Deploy' has the job_workflow_ref '${ref}', which is not '<owner>/<repository>/<path>.yml@<ref>' with a literal workflow path`);
  });

  test('should refuse a typed subject with a malformed repository or a refs/ branch', () => {
    // GIVEN
    const stack = makeStack();

    // WHEN
    const repository = () => githubRole(stack, [Subject.githubBranch('acme/*', 'main')]);
    const branch = () => new FederatedRole(stack, 'Other', {
      trust: FederatedTrust.oidc({ provider: OidcIdentityProvider.fromIssuer(stack, 'Gh', OidcIssuer.githubActions()), subjects: [Subject.githubBranch('acme/app', 'refs/heads/main')] }),
    });

    // THEN
    codes.expectThrows(repository, 'FederatedRole.InvalidGitHubRepository', "FederatedRole 'Stack/Deploy' has the GitHub repository 'acme/*' in subject 'repo:acme/*:ref:refs/heads/main', which is not a literal 'owner/name'");
    codes.expectThrows(branch, 'FederatedRole.InvalidGitHubRefName', "FederatedRole 'Stack/Other' has the branch name 'refs/heads/main' in subject 'repo:acme/app:ref:refs/heads/refs/heads/main', which is empty, contains ':' or starts with 'refs/'; pass the bare branch name");
  });

  test('should refuse claim conditions on aud or sub, twice on one claim, or matching anything', () => {
    // GIVEN
    const stack = makeStack();
    const provider = github(stack);
    const role = (id: string, claims: ClaimCondition[]) => () => new FederatedRole(stack, id, {
      trust: FederatedTrust.oidc({ provider, subjects: [Subject.githubBranch('acme/app', 'main')], claims }),
    });

    // WHEN / THEN
    codes.expectThrows(role('Sub', [ClaimCondition.stringLike('sub', ['repo:*'])]), 'FederatedRole.DuplicateCondition', `FederatedRole 'Stack/Sub' has a second condition on '${GITHUB}:sub'; use subjects/audiences/jobWorkflowRefs for aud/sub`);
    codes.expectThrows(role('Twice', [ClaimCondition.stringEquals('actor', ['a']), ClaimCondition.stringEquals('actor', ['b'])]), 'FederatedRole.DuplicateCondition', `FederatedRole 'Stack/Twice' has a second condition on '${GITHUB}:actor'`);
    codes.expectThrows(role('Any', [ClaimCondition.stringLike('actor', ['*'])]), 'FederatedRole.AnyValueConditionPattern', `FederatedRole 'Stack/Any' has the pattern '*' on '${GITHUB}:actor', which matches any value`);
    codes.expectThrows(role('Key', [ClaimCondition.stringEquals('gitlab.com:sub', ['x'])]), 'FederatedRole.InvalidClaimName', "FederatedRole 'Stack/Key' has a claim condition on 'gitlab.com:sub', which is not a bare claim name");
  });

  test('should refuse an issuer whose URL is a token', () => {
    // GIVEN
    const stack = makeStack();
    const url = new iam.CfnOIDCProvider(stack, 'Eks', { url: 'https://oidc.example.com', clientIdList: ['sts.amazonaws.com'] }).attrArn;
    const issuer = OidcIssuer.fromUrl(`https://${url}`, { audiences: ['sts.amazonaws.com'], jwksUri: 'https://oidc.example.com/keys' });

    // WHEN
    const build = () => new FederatedRole(stack, 'Irsa', {
      trust: FederatedTrust.oidc({ provider: OidcIdentityProvider.fromProviderArn(stack, 'P', 'arn:aws:iam::123456789012:oidc-provider/x', issuer), subjects: [Subject.exactly('system:serviceaccount:a:b')] }),
    });

    // THEN
    codes.expectThrows(build, 'FederatedRole.DeployTimeIssuerUrl', "FederatedRole 'Stack/Irsa' trusts an issuer whose URL is only known at deploy time");
  });
  test('should accept a deploy-time exact subject but refuse a deploy-time pattern', () => {
    // GIVEN
    const stack = makeStack();
    const subject = new CfnParameter(stack, 'Subject').valueAsString;

    // WHEN
    const role = githubRole(stack, [Subject.exactly(subject)]);
    const unaccepted = makeStack();
    githubRole(unaccepted, [Subject.exactly(new CfnParameter(unaccepted, 'Subject').valueAsString)]);
    FederationGuard.acceptRisk(role, FederationRisk.DEPLOY_TIME_VALUE, 'the Subject parameter is set by the pipeline');
    const pattern = () => githubRole(makeStack(), [Subject.pattern(subject)]);

    // THEN
    expect(() => Template.fromStack(unaccepted)).toThrow(codes.saw('FederatedRole.UnacceptedRisk'));
    expect(() => Template.fromStack(unaccepted)).toThrow(`FederatedRole 'Stack/Deploy': [DEPLOY_TIME_VALUE] its trust policy tests '${GITHUB}:sub' against a value only known at deploy time (a parameter, an import, Fn::If...), which could be '*' or a policy variable`);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Condition: { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com', [`${GITHUB}:sub`]: { Ref: 'Subject' } } } })] },
    });
    codes.expectThrows(pattern, 'FederatedRole.DeployTimeSubjectPattern', "FederatedRole 'Stack/Deploy' has a subject pattern that is only known at deploy time, so its wildcards cannot be checked");
  });
  test('should refuse a claim condition without values, and a bad endpoint region or environment label', () => {
    // GIVEN
    const provider = (stack: Stack) => github(stack);
    const subjects = [Subject.githubBranch('acme/app', 'main')];

    // WHEN
    const noValues = () => {
      const stack = makeStack();
      return new FederatedRole(stack, 'Deploy', { trust: FederatedTrust.oidc({ provider: provider(stack), subjects, claims: [ClaimCondition.stringEquals('actor', [])] }) });
    };
    const region = () => {
      const stack = makeStack();
      return new FederatedRole(stack, 'Console', { trust: FederatedTrust.saml({ provider: saml(stack), signInEndpoints: [SamlSignInEndpoint.regional('Europe')] }) });
    };
    const label = () => githubRole(makeStack(), subjects, { environment: RoleEnvironment.nonProduction('stag*') });

    // THEN
    codes.expectThrows(noValues, 'FederatedRole.ConditionWithoutValues', `FederatedRole 'Stack/Deploy' has a condition on '${GITHUB}:actor' with no values, which nothing can match; list the accepted values.`);
    codes.expectThrows(region, 'FederatedRole.InvalidSignInRegion', "FederatedRole 'Stack/Console' has the sign-in endpoint region 'Europe', which is not an AWS region");
    codes.expectThrows(label, 'FederatedRole.InvalidEnvironmentLabel', "FederatedRole 'Stack/Deploy' has the environment label 'stag*', which is not a valid tag value without wildcards");
  });

  test('should key the conditions of a GitHub Enterprise issuer on its slug', () => {
    // GIVEN
    const stack = makeStack();
    const provider = new OidcIdentityProvider(stack, 'GitHub', { issuer: OidcIssuer.githubActions({ enterpriseSlug: 'acme' }) });

    // WHEN
    new FederatedRole(stack, 'Deploy', {
      trust: FederatedTrust.oidc({ provider, subjects: [Subject.githubEnvironment('acme/app', 'prod')] }),
      environment: RoleEnvironment.production(),
    });

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({
          Condition: {
            StringEquals: {
              [`${GITHUB}/acme:aud`]: 'sts.amazonaws.com',
              [`${GITHUB}/acme:sub`]: 'repo:acme/app:environment:prod',
            },
          },
        })],
      },
    });
  });

  test('should only tag, not check subjects against, the environment of another issuer', () => {
    // GIVEN
    const stack = makeStack();

    // WHEN
    new FederatedRole(stack, 'Lab', {
      trust: FederatedTrust.oidc({ provider: gitlab(stack), subjects: [Subject.pattern('project_path:acme/app:*')] }),
      environment: RoleEnvironment.production(),
    });

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', { Tags: [{ Key: 'environment', Value: 'prod' }] });
  });
});

describe('FederatedRole environment label', () => {
  test('should refuse a subject that names another GitHub environment', () => {
    // GIVEN
    const stack = makeStack();

    // WHEN
    const build = () => githubRole(stack, [Subject.githubEnvironment('acme/app', 'staging')], { environment: RoleEnvironment.production() });

    // THEN
    codes.expectThrows(build, 'FederatedRole.SubjectOfOtherEnvironment', "FederatedRole 'Stack/Deploy' is labelled 'prod', but its subject 'repo:acme/app:environment:staging' names the GitHub environment 'staging'; use the subject of the 'prod' environment");
  });

  test.each([
    ['repo:acme/app:*'],
    ['repo:acme/app:environment:prod*'],
    ['repo:acme/app:env*'],
    ['repo:acme/app:environment:pro?'],
  ])('should refuse a production role whose pattern %s could match other environments', (pattern) => {
    // GIVEN
    const stack = makeStack();

    // WHEN
    const build = () => githubRole(stack, [Subject.pattern(pattern)], { environment: RoleEnvironment.production() });

    // THEN
    codes.expectThrows(build, 'FederatedRole.ProductionSubjectNotPinned', new RegExp(`^FederatedRole 'Stack/Deploy' is labelled production \\('prod'\\), but its subject pattern '${pattern.replace(/[*?]/g, '\\$&')}' could match (jobs of any GitHub environment|environments other than 'prod'); name the environment`));
  });

  test('should refuse a production role whose repository wildcard could match any environment', () => {
    // GIVEN
    const stack = makeStack();

    // WHEN
    const build = () => githubRole(stack, [Subject.pattern('repo:acme/app*')], { environment: RoleEnvironment.production(), allowAnyRepositoryOfOwner: true });

    // THEN
    codes.expectThrows(build, 'FederatedRole.ProductionSubjectNotPinned', "FederatedRole 'Stack/Deploy' is labelled production ('prod'), but its subject pattern 'repo:acme/app*' has a wildcard in the repository part and could match jobs of any environment");
  });

  test('should accept a production role with branch and tag patterns, which cannot match an environment', () => {
    // GIVEN
    const stack = makeStack();

    // WHEN
    githubRole(stack, [Subject.githubBranch('acme/app', 'main'), Subject.githubTag('acme/app', 'v*'), Subject.githubEnvironment('acme/app', 'Prod')], {
      environment: RoleEnvironment.production(),
    });

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', { Tags: [{ Key: 'environment', Value: 'prod' }] });
  });

  test('should accept a non-production role with a pattern that can match its own environment', () => {
    // GIVEN
    const stack = makeStack();

    // WHEN
    githubRole(stack, [Subject.pattern('repo:acme/app:*'), Subject.githubEnvironment('acme/app', 'stag*')], {
      environment: RoleEnvironment.nonProduction('staging'),
    });

    // THEN
    Template.fromStack(stack).resourceCountIs('AWS::IAM::Role', 1);
  });

  test('should refuse a non-production role whose environment pattern cannot match its label', () => {
    // GIVEN
    const stack = makeStack();

    // WHEN
    const build = () => githubRole(stack, [Subject.githubEnvironment('acme/app', 'prod*')], { environment: RoleEnvironment.nonProduction('staging') });

    // THEN
    codes.expectThrows(build, 'FederatedRole.SubjectOfOtherEnvironment', "FederatedRole 'Stack/Deploy' is labelled 'staging', but its subject pattern 'repo:acme/app:environment:prod*' can only match GitHub environments starting with 'prod'");
  });

  test('should refuse a production-sounding label for a non-production environment', () => {
    // GIVEN
    const stack = makeStack();

    // WHEN
    const build = () => githubRole(stack, [Subject.githubBranch('acme/app', 'main')], { environment: RoleEnvironment.nonProduction('prod-eu') });

    // THEN
    codes.expectThrows(build, 'FederatedRole.ProductionLabelAsNonProduction', "FederatedRole 'Stack/Deploy' labels 'prod-eu' as a non-production environment, though the name reads as production; use RoleEnvironment.production('prod-eu').");
  });
});

describe('FederatedRole with a SAML trust', () => {
  test('should trust only AssumeRoleWithSAML, conditioned on the global sign-in endpoint by default', () => {
    // GIVEN
    const stack = makeStack();

    // WHEN
    new FederatedRole(stack, 'Console', { trust: FederatedTrust.saml({ provider: saml(stack) }) });

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Action: 'sts:AssumeRoleWithSAML',
          Principal: { Federated: 'arn:aws:iam::123456789012:saml-provider/Corp' },
          Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } },
        }],
      },
      MaxSessionDuration: 3600,
    });
  });

  test('should condition on regional endpoints and extra attributes', () => {
    // GIVEN
    const stack = makeStack();

    // WHEN
    new FederatedRole(stack, 'Console', {
      trust: FederatedTrust.saml({
        provider: saml(stack),
        signInEndpoints: [SamlSignInEndpoint.GLOBAL, SamlSignInEndpoint.regional(), SamlSignInEndpoint.regional('us-east-2')],
        attributes: [ClaimCondition.stringEquals('sub_type', ['persistent'])],
      }),
      allowSessionTags: true,
    });

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({
          Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'],
          Condition: {
            StringEquals: {
              'SAML:aud': [
                'https://signin.aws.amazon.com/saml',
                'https://eu-west-1.signin.aws.amazon.com/saml',
                'https://us-east-2.signin.aws.amazon.com/saml',
              ],
              'SAML:sub_type': 'persistent',
            },
          },
        })],
      },
    });
  });

  test('should refuse an empty endpoint list, a bad endpoint, and an attribute condition on aud', () => {
    // GIVEN
    const stack = makeStack();
    const provider = saml(stack);

    // WHEN
    const none = () => new FederatedRole(stack, 'None', { trust: FederatedTrust.saml({ provider, signInEndpoints: [] }) });
    const bad = () => new FederatedRole(stack, 'Bad', { trust: FederatedTrust.saml({ provider, signInEndpoints: [SamlSignInEndpoint.url('http://signin.aws.amazon.com/*')] }) });
    const aud = () => new FederatedRole(stack, 'Aud', { trust: FederatedTrust.saml({ provider, attributes: [ClaimCondition.stringLike('aud', ['*'])] }) });

    // THEN
    codes.expectThrows(none, 'FederatedRole.NoSignInEndpoint', "FederatedRole 'Stack/None' has no sign-in endpoint for 'SAML:aud', so assertions addressed anywhere would be accepted");
    codes.expectThrows(bad, 'FederatedRole.InvalidSignInEndpoint', "FederatedRole 'Stack/Bad' has the sign-in endpoint 'http://signin.aws.amazon.com/*', which is not an https:// URL without wildcards");
    codes.expectThrows(aud, 'FederatedRole.DuplicateCondition', "FederatedRole 'Stack/Aud' has a second condition on 'SAML:aud'; use signInEndpoints for aud");
  });
});

describe('FederatedRole error codes', () => {
  const PROD = RoleEnvironment.production('prod');
  // One mistake per code not already shown above (the tests above assert the others).
  test.each<[string, (stack: Stack) => unknown, string]>([
    ['FederatedRole.NoTrust', (stack) => new FederatedRole(stack, 'Role', {} as never), "FederatedRole 'Stack/Role' has no trust; pass trust:"],
    ['FederatedRole.MissingOidcProvider', (stack) => new FederatedRole(stack, 'Role', { trust: FederatedTrust.oidc({ provider: undefined as never, subjects: [] }) }),
      'has an OIDC trust without a provider'],
    ['FederatedRole.InvalidAnySubjectReason', (stack) => new FederatedRole(stack, 'Role', { trust: FederatedTrust.oidc({ provider: github(stack), subjects: [], anySubjectReason: ' ' }) }),
      'sets anySubjectReason to an empty or unresolved value'],
    ['FederatedRole.SubjectsWithAnySubjectReason', (stack) => new FederatedRole(stack, 'Role', {
      trust: FederatedTrust.oidc({ provider: github(stack), subjects: [Subject.githubBranch('acme/app', 'main')], anySubjectReason: 'public data' }),
    }), 'sets both subjects and anySubjectReason'],
    ['FederatedRole.EmptyJobWorkflowRefs', (stack) => new FederatedRole(stack, 'Role', {
      trust: FederatedTrust.oidc({ provider: github(stack), subjects: [Subject.githubBranch('acme/app', 'main')], jobWorkflowRefs: [] }),
    }), 'sets jobWorkflowRefs to an empty list, which no job can match'],
    ['FederatedRole.UnsupportedConditionKey', (stack) => new FederatedRole(stack, 'Role', {
      trust: FederatedTrust.oidc({ provider: github(stack), subjects: [Subject.githubBranch('acme/app', 'main')], claims: [ClaimCondition.stringEquals('amr', ['x'])] }),
    }), `has a claim condition on '${GITHUB}:amr', but IAM has no condition key`],
    ['FederatedRole.EmptySubject', (stack) => githubRole(stack, [Subject.exactly(' ')]), "FederatedRole 'Stack/Deploy' has an empty subject; name the subject."],
    ['FederatedRole.PolicyVariable', (stack) => githubRole(stack, [Subject.exactly(`repo:acme/\${${GITHUB}:actor}:ref:refs/heads/main`)]),
      'which holds an IAM policy variable'],
    ['FederatedRole.DeployTimeConditionPattern', (stack) => new FederatedRole(stack, 'Role', {
      trust: FederatedTrust.oidc({
        provider: github(stack),
        subjects: [Subject.githubBranch('acme/app', 'main')],
        claims: [ClaimCondition.stringLike('actor', [new CfnParameter(stack, 'Actor').valueAsString])],
      }),
    }), `has a pattern on '${GITHUB}:actor' that is only known at deploy time`],
    ['FederatedRole.MissingSamlProvider', (stack) => new FederatedRole(stack, 'Role', { trust: FederatedTrust.saml({ provider: undefined as never }) }),
      'has a SAML trust without a provider'],
    ['FederatedRole.InvalidSamlIssuer', (stack) => new FederatedRole(stack, 'Role', {
      environment: PROD,
      trust: FederatedTrust.saml({ provider: saml(stack), environmentSeparation: SamlEnvironmentSeparation.issuer('http://www.okta.com/*') }),
    }), "has the SAML issuer 'http://www.okta.com/*' for its environment"],
    ['FederatedRole.SamlIssuerTwice', (stack) => new FederatedRole(stack, 'Role', {
      environment: PROD,
      trust: FederatedTrust.saml({
        provider: saml(stack),
        attributes: [ClaimCondition.stringEquals('iss', ['http://www.okta.com/exk1'])],
        environmentSeparation: SamlEnvironmentSeparation.issuer('http://www.okta.com/exk1'),
      }),
    }), "has both an attribute condition on 'SAML:iss' and SamlEnvironmentSeparation.issuer"],
    ['FederatedRole.SeparationWithoutEnvironment', (stack) => new FederatedRole(stack, 'Role', {
      trust: FederatedTrust.saml({ provider: saml(stack), environmentSeparation: SamlEnvironmentSeparation.sessionTag() }),
    }), 'sets environmentSeparation on a SAML trust, but the role has no environment'],
    ['FederatedRole.UndocumentedSignInEndpoint', (stack) => new FederatedRole(stack, 'Role', {
      trust: FederatedTrust.saml({ provider: saml(stack), signInEndpoints: [SamlSignInEndpoint.url('https://sso.example.com/saml')] }),
    }), "has the sign-in endpoint 'https://sso.example.com/saml', which is not one AWS documents for SAML"],
    ['FederatedRole.InvalidIdpId', (stack) => new FederatedRole(stack, 'Role', {
      trust: FederatedTrust.saml({ provider: saml(stack), signInEndpoints: [SamlSignInEndpoint.encryptedAssertions('idp-1234')] }),
    }), "has the IdP ID 'idp-1234', which is not the ID IAM assigns to a SAML provider"],
    ['FederatedRole.UnsupportedSamlPartition', (stack) => new FederatedRole(stack, 'Role', {
      trust: FederatedTrust.saml({ provider: saml(stack), signInEndpoints: [SamlSignInEndpoint.regional('us-iso-east-1')] }),
    }), "has a SAML trust for the region 'us-iso-east-1', whose partition has no SAML sign-in endpoint this library knows"],
    ['FederatedRole.CrossPartitionSignInEndpoint', (stack) => new FederatedRole(stack, 'Role', {
      trust: FederatedTrust.saml({ provider: saml(stack), signInEndpoints: [SamlSignInEndpoint.regional('cn-north-1')] }),
    }), "has the sign-in endpoint of the region 'cn-north-1', which is in the aws-cn partition, but its stack is in eu-west-1 (aws)"],
  ])('should refuse with %s', (code, make, message) => {
    // GIVEN
    const stack = makeStack();

    // WHEN / THEN
    const error = codes.expectThrows(() => make(stack), code, message);
    expect((error as unknown as { constructPath?: string }).constructPath).toMatch(/^Stack\/(Role|Deploy)$/);
  });

  test('should test every code FederatedRole throws', () => {
    // LooseTrustPolicy is defense in depth: every finding it could report is refused earlier, by its own code.
    expect(codes.untested('src/roles/federated-role.ts')).toEqual(['FederatedRole.LooseTrustPolicy']);
  });
});
