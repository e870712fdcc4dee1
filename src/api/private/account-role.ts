import { Aspects, CfnResource, IAspect, RemovalPolicy, Stack, Stage, Token, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { ACCOUNT_RULES, CloudWatchAccountSubject, ruleMessages, StackPlace } from '../rules';

/**
 * API Gateway's account-level CloudWatch role (`AWS::ApiGateway::Account`): one for all the
 * `SecuredApi`s of an account and region in a cloud assembly, however many stacks hold them, that
 * every stage writing access logs there waits for; and a synth error when the app would still deploy
 * a second one to the same account and region.
 *
 * AWS documents the resource as a region-wide setting of the account: "To avoid overwriting other
 * roles, you should only have one AWS::ApiGateway::Account resource per region per account", and
 * deleting the stack does not unset it
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigateway-account.html).
 * Two of them race: whichever deploys last wins, and deleting the stack of the winner leaves the
 * account pointing at a role that may be gone, so every access log of the region stops.
 *
 * The place of a stack is its account and region as the app states them; an environment-agnostic
 * stack's are unknown at synth, and all such stacks of an assembly share one place (the CLI deploys
 * them to its one environment). A stack's dependency on another is how CloudFormation orders stacks,
 * and the CDK can only express it inside one cloud assembly (a CDK `Stage`): so the sharing is per
 * assembly, and what cannot be shared or ordered is a synth error with the fix.
 */

/** The construct ids `RestApi` gives its own role and Account: kept, so the first API's logical ids do not change. */
const ROLE_ID = 'CloudWatchRole';
const ACCOUNT_ID = 'Account';

/** Marks the Account resources made here (the app-wide check tells them from others). */
const OURS = new WeakSet<CfnResource>();
/** The shared Account of each place, per cloud assembly. */
const BY_ASSEMBLY = new WeakMap<Stage, Map<string, apigateway.CfnAccount>>();

/**
 * The shared Account of the place (account and region) of `home`'s stack in its cloud assembly,
 * created (with its role) under `home` the first time a `SecuredApi` of that place asks for it,
 * under the same ids and with the same retention as `RestApi`'s own (`cloudWatchRole: true`).
 *
 * @param home the REST API of the first SecuredApi of the place that wants the role
 * @param apiResource that REST API's `CfnRestApi` (the Account depends on it, as RestApi's does)
 */
export function sharedCloudWatchAccount(home: Construct, apiResource: CfnResource): apigateway.CfnAccount {
  const stack = Stack.of(home);
  const assembly = assemblyOf(stack);
  let accounts = BY_ASSEMBLY.get(assembly);
  if (!accounts) {
    accounts = new Map();
    BY_ASSEMBLY.set(assembly, accounts);
    Aspects.of(assembly).add(new StagesAfterAccount(assembly, accounts));
  }
  const existing = accounts.get(placeKey(stack));
  if (existing) {
    return existing;
  }
  const role = new iam.Role(home, ROLE_ID, {
    assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs')],
  });
  // Retained, as RestApi retains its own: the account setting outlives the stack, and must keep a role to point at.
  role.applyRemovalPolicy(RemovalPolicy.RETAIN);
  // Not Validations.acknowledge: aws-cdk-lib 2.257 keeps '::' as its own prefix delimiter and rejects
  // an id with more than one, as this ARN finding's is. This is the entry acknowledge would record,
  // under the metadata key cdk-nag reads.
  role.node.defaultChild!.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, {
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]':
      'AmazonAPIGatewayPushToCloudWatchLogs is the AWS managed policy API Gateway documents for the account-wide role it writes logs with, kept current by AWS. Set cloudWatchRole: false to leave this role out where the account already has one.',
  });
  const account = new apigateway.CfnAccount(home, ACCOUNT_ID, { cloudWatchRoleArn: role.roleArn });
  account.applyRemovalPolicy(RemovalPolicy.RETAIN);
  account.node.addDependency(apiResource);
  OURS.add(account);
  accounts.set(placeKey(stack), account);

  home.node.addValidation({ validate: () => ruleMessages(ACCOUNT_RULES, accountSubject(account)) });
  return account;
}

/** The cloud assembly a stack is synthesized into: its nearest CDK Stage (the App at the top). */
function assemblyOf(stack: Stack): Stage {
  return Stage.of(stack) ?? (stack.node.root as Stage);
}

/** The place of a stack as the app states it: its account and region, `*` where unknown at synth. */
function placeKey(stack: Stack): string {
  const known = (v: string) => (Token.isUnresolved(v) ? '*' : v);
  return `${known(stack.account)}/${known(stack.region)}`;
}

/**
 * Makes every stage of the assembly that writes access logs wait for the shared Account of its place:
 * a `DependsOn` in the Account's own stack, a stack dependency from any other (the CDK turns a
 * dependency between resources of two stacks into one between the stacks). A stage fails to deploy
 * until the account has a CloudWatch role.
 */
class StagesAfterAccount implements IAspect {
  constructor(private readonly assembly: Stage, private readonly accounts: Map<string, apigateway.CfnAccount>) {}

  public visit(node: IConstruct): void {
    if (!(node instanceof apigateway.CfnStage) || node.accessLogSetting === undefined) {
      return;
    }
    const stack = Stack.of(node);
    const account = this.accounts.get(placeKey(stack));
    if (account && assemblyOf(stack) === this.assembly) {
      // The construct-level dependency: CfnResource#addDependency is deprecated from aws-cdk-lib 2.278
      // on, and its successor (addResourceDependency) is not in 2.257, the oldest this library supports.
      node.node.addDependency(account);
    }
  }
}

/**
 * Errors for every other `AWS::ApiGateway::Account` of the app that may land in the same account and
 * region as `account`. Stacks without an account or region (environment-agnostic) are taken to
 * be anywhere, so possibly the same. Another Account made here reports the clash itself when it
 * comes later in the app, so each clash is reported once.
 */
function accountSubject(account: apigateway.CfnAccount): CloudWatchAccountSubject {
  const all = account.node.root.node.findAll().filter((c): c is CfnResource =>
    CfnResource.isCfnResource(c) && c.cfnResourceType === 'AWS::ApiGateway::Account');
  const mine = all.indexOf(account);
  const placeOf = (stack: Stack): StackPlace => ({
    path: stack.node.path,
    id: stack.node.id,
    assembly: assemblyOf(stack).node.path,
    ...(Token.isUnresolved(stack.account) ? {} : { account: stack.account }),
    ...(Token.isUnresolved(stack.region) ? {} : { region: stack.region }),
  });
  return {
    path: account.node.path,
    stack: placeOf(Stack.of(account)),
    others: all.flatMap((other, i) => (other === account ? []
      : [{ path: other.node.path, stack: placeOf(Stack.of(other)), ours: OURS.has(other), later: i > mine }])),
  };
}
