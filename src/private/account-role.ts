import { Aspects, CfnResource, IAspect, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';

/**
 * API Gateway's account-level CloudWatch role (`AWS::ApiGateway::Account`), one per stack however
 * many `SecuredApi`s it holds, and a synth error when the app would deploy a second one to the
 * same account and region.
 *
 * AWS documents the resource as a region-wide setting of the account: "To avoid overwriting other
 * roles, you should only have one AWS::ApiGateway::Account resource per region per account", and
 * deleting the stack does not unset it
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigateway-account.html).
 * Two of them race: whichever deploys last wins, and deleting the stack of the winner leaves the
 * account pointing at a role that is gone, so every access log of the region stops.
 */

/** The construct ids `RestApi` gives its own role and Account: kept, so the first API's logical ids do not change. */
const ROLE_ID = 'CloudWatchRole';
const ACCOUNT_ID = 'Account';

/** Marks the Account resources made here (the app-wide check tells them from others). */
const OURS = new WeakSet<CfnResource>();
/** The shared Account of each stack. */
const BY_STACK = new WeakMap<Stack, apigateway.CfnAccount>();

/**
 * The stack's shared Account resource, created (with its role) under `home` the first time a
 * `SecuredApi` of the stack asks for it, under the same ids and with the same retention as
 * `RestApi`'s own (`cloudWatchRole: true`).
 *
 * @param home the REST API of the first SecuredApi of the stack that wants the role
 * @param apiResource that REST API's `CfnRestApi` (the Account depends on it, as RestApi's does)
 */
export function sharedCloudWatchAccount(home: Construct, apiResource: CfnResource): apigateway.CfnAccount {
  const stack = Stack.of(home);
  const existing = BY_STACK.get(stack);
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
  BY_STACK.set(stack, account);

  Aspects.of(stack).add(new StagesAfterAccount(account));
  home.node.addValidation({ validate: () => otherAccountsOfTheRegion(account) });
  return account;
}

/**
 * The shared Account of the stack, if one of its SecuredApis created it: a stage that writes
 * access logs fails to deploy until the account has a CloudWatch role.
 */
export function cloudWatchAccountOf(stack: Stack): apigateway.CfnAccount | undefined {
  return BY_STACK.get(stack);
}

/** Makes every stage of the stack that writes access logs wait for the stack's Account. */
class StagesAfterAccount implements IAspect {
  constructor(private readonly account: apigateway.CfnAccount) {}

  public visit(node: IConstruct): void {
    if (node instanceof apigateway.CfnStage && Stack.of(node) === Stack.of(this.account) && node.accessLogSetting !== undefined) {
      node.addDependency(this.account);
    }
  }
}

/**
 * Errors for every other `AWS::ApiGateway::Account` of the app that may land in the same account and
 * region as `account`. Stacks without an account or region (environment-agnostic) are taken to
 * be anywhere, so possibly the same. Another Account made here reports the clash itself when it
 * comes later in the app, so each clash is reported once.
 */
function otherAccountsOfTheRegion(account: apigateway.CfnAccount): string[] {
  const stack = Stack.of(account);
  const all = stack.node.root.node.findAll().filter((c): c is CfnResource =>
    CfnResource.isCfnResource(c) && c.cfnResourceType === 'AWS::ApiGateway::Account');
  const mine = all.indexOf(account);
  const errors: string[] = [];
  all.forEach((other, i) => {
    if (other === account || (OURS.has(other) && i > mine) || !maySharePlace(stack, Stack.of(other))) {
      return;
    }
    const where = Stack.of(other) === stack ? 'the same stack' : `stack ${Stack.of(other).node.path} (${place(Stack.of(other))})`;
    errors.push(`${account.node.path} sets API Gateway's account-level CloudWatch role (AWS::ApiGateway::Account, one per account and region) `
      + `in stack ${stack.node.path} (${place(stack)}), and so does ${other.node.path} in ${where}: the last one deployed wins, and deleting its stack `
      + 'leaves the region\'s access logs without a role. Keep one: set cloudWatchRole: false on the SecuredApis (and RestApis) of all stacks but one '
      + 'in that account and region, and deploy that one first (or make the others depend on it, otherStack.addDependency(thatStack)). '
      + 'Stacks without an explicit env count as possibly the same account and region.');
  });
  return errors;
}

/** Whether two stacks may deploy to the same account and region: unless their accounts or their regions are known to differ. */
function maySharePlace(a: Stack, b: Stack): boolean {
  const differ = (x: string, y: string) => !Token.isUnresolved(x) && !Token.isUnresolved(y) && x !== y;
  return !differ(a.account, b.account) && !differ(a.region, b.region);
}

function place(stack: Stack): string {
  const known = (v: string, what: string) => (Token.isUnresolved(v) ? `any ${what}` : v);
  return `${known(stack.account, 'account')}/${known(stack.region, 'region')}`;
}
