import * as fs from 'fs';
import * as path from 'path';
import { App, Aspects, PolicyValidationPluginReport, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import {
  ClaimCondition,
  FederatedRole,
  FederatedTrust,
  FederationGuard,
  OidcIdentityProvider,
  OidcIssuer,
  RoleEnvironment,
  SamlIdentityProvider,
  SamlMetadata,
  Subject,
} from '../src';
import { withConstructTree } from '../src/testing';
import { synthKeepingExitCode } from './support/cdk';

// Not an S3 ARN: aws-cdk-lib 2.257.0's Validations.acknowledge rejects any id with more than one
// '::', and cdk-nag's finding id for an S3 ARN ('Resource::arn:aws:s3:::bucket/*') has two.
const ORDER_INDEXES = 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders/index/*';

interface Federation {
  readonly app: App;
  readonly deploy: FederatedRole;
}

/** Every construct of src/identity and src/roles, as a team would deploy them. */
function federation(acknowledge: boolean): Federation {
  const app = new App();
  Aspects.of(app).add(new FederationGuard());
  const stack = new Stack(app, 'Federation', { env: { account: '123456789012', region: 'eu-west-1' } });

  const github = new OidcIdentityProvider(stack, 'GitHub', { issuer: OidcIssuer.githubActions() });
  const okta = new OidcIdentityProvider(stack, 'Okta', { issuer: OidcIssuer.okta('acme.okta.com', { audiences: ['api://orders'] }) });
  const corp = new SamlIdentityProvider(stack, 'Corp', {
    metadata: SamlMetadata.fromFile(path.join(__dirname, 'identity', 'fixtures', 'idp-metadata.xml')),
  });

  const deploy = new FederatedRole(stack, 'Deploy', {
    trust: FederatedTrust.oidc({
      provider: github,
      subjects: [Subject.githubEnvironment('acme/app', 'prod')],
      jobWorkflowRefs: ['acme/pipelines/.github/workflows/deploy.yml@refs/heads/main'],
    }),
    environment: RoleEnvironment.production(),
  });
  deploy.addToPolicy(new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [ORDER_INDEXES] }));
  if (acknowledge) {
    Validations.of(deploy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${ORDER_INDEXES}]`,
      reason: 'The deploy job smoke-tests every index of the orders table; indexes are added without redeploying this role.',
    });
  }

  new FederatedRole(stack, 'OrdersReader', {
    trust: FederatedTrust.oidc({
      provider: okta,
      subjects: [Subject.exactly('0oa1ordersservice')],
      claims: [ClaimCondition.stringLike('amr', ['mfa'])],
    }),
    environment: RoleEnvironment.nonProduction('staging'),
  });
  new FederatedRole(stack, 'ConsoleAdmin', { trust: FederatedTrust.saml({ provider: corp }) });

  return { app, deploy };
}

interface NagRun {
  /** What AwsSolutionsChecks returned (acknowledged findings already left out by cdk-nag). */
  readonly returned?: PolicyValidationPluginReport;
  /** The plugins CDK reported as failed or with violations, from policy-validation-report.json. */
  readonly written: Array<{ readonly summary: { readonly pluginName: string; readonly status: string } }>;
  /** Error annotations of the synthesized stacks (FederationGuard's among them). */
  readonly errors: string[];
}

/**
 * Synthesizes with AwsSolutionsChecks registered the cdk-nag 3 way. cdk-nag 3.0.2's `validate` needs
 * the construct tree on the validation context (`appConstruct`), which aws-cdk-lib 2.257.0 does not
 * provide yet (it passes only template paths, and the pack then reports "NagPack requires a construct
 * tree on the validation context"). `withConstructTree`, exported for users from
 * cdk-secured-api/testing, hands it the app, so the pack still runs inside CDK's own validation step
 * (written to `policy-validation-report.json`), and keeps what the pack returned: CDK's report file
 * lists only failed plugins, so a clean run leaves no trace there.
 */
function synthWithNag(app: App): NagRun {
  const plugin = withConstructTree(new AwsSolutionsChecks(app), app);
  Validations.of(app).addPlugins(plugin);
  const assembly = synthKeepingExitCode(app);
  const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'policy-validation-report.json'), 'utf-8'));
  const errors = assembly.stacks.flatMap(stack => stack.messages.filter(m => m.level === 'error').map(m => `${m.id}: ${m.entry.data}`));
  return { returned: plugin.report, written: report.pluginReports, errors };
}

function acknowledgements(root: IConstruct): Array<{ path: string; id: string; reason: unknown }> {
  return root.node.findAll().flatMap(construct => construct.node.metadata
    .filter(entry => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap(entry => Object.entries(entry.data as Record<string, unknown>).map(([id, reason]) => ({ path: construct.node.path, id, reason }))));
}

describe('cdk-nag AwsSolutionsChecks', () => {
  test('should find no unacknowledged errors or warnings on providers and federated roles', () => {
    // GIVEN
    const { app } = federation(true);

    // WHEN
    const run = synthWithNag(app);

    // THEN
    expect(run.returned?.violations.map(v => `${v.severity} ${v.ruleName} at ${v.violatingResources.map(r => r.constructPath)}`)).toEqual([]);
    expect(run.returned?.success).toBe(true);
    expect(run.written).toEqual([]);
    expect(run.errors).toEqual([]);
  });

  test('should give every acknowledgement its reason', () => {
    // GIVEN
    const { app } = federation(true);

    // WHEN
    const found = acknowledgements(app);

    // THEN
    expect(found).toEqual([{
      path: 'Federation/Deploy',
      id: `AwsSolutions-IAM5[Resource::${ORDER_INDEXES}]`,
      reason: 'The deploy job smoke-tests every index of the orders table; indexes are added without redeploying this role.',
    }]);
  });

  test('should report the finding that the acknowledgement covers when it is missing', () => {
    // GIVEN
    const { app } = federation(false);

    // WHEN
    const run = synthWithNag(app);

    // THEN
    expect(run.returned?.violations.map(v => v.ruleName)).toEqual([`AwsSolutions-IAM5[Resource::${ORDER_INDEXES}]`]);
    expect(run.written).toEqual([expect.objectContaining({ summary: expect.objectContaining({ pluginName: 'AwsSolutions', status: 'failure' }) })]);
  });
});
