import { Annotations, Aspects, CfnResource, IAspect, Stack, Stage } from 'aws-cdk-lib';
import { CfnRole } from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { FederationRisk } from './federation-risk';
import { resolvedProperties } from './private/resolved-properties';
import { ACCEPTED_RISK_METADATA, acceptedRisks, AcceptedRisk, resolveCfnRole } from './trust/acceptance';
import { checkEnvironmentSeparation } from './trust/environments';
import { StackTrustReader } from './trust/stack-reader';
import { Finding } from './trust/statement';
import { analyzeTrustPolicy, KNOWN_PROVIDERS } from './trust-rules';
import { validationError, validationMessage } from '../errors';


/**
 * An Aspect that refuses loose federated trust policies at synth time.
 *
 * It visits every `AWS::IAM::Role` under the scope it is added to (roles of `FederatedRole`, plain
 * `iam.Role`s and `CfnRole`s alike) and checks the trust policy as it will be deployed, resolved and
 * with property overrides applied, so statements added through escape hatches after construction are
 * checked too. Each loose role gets one error annotation (which fails `cdk synth`) naming the role's
 * path, every finding, and how to fix each; each check is a `FederationRisk`.
 *
 * Provider ARNs given as tokens are followed: `Fn::Join` parts are joined to find the provider's
 * host, and `Ref`/`Fn::GetAtt` of an `AWS::IAM::OIDCProvider`, a CDK `OpenIdConnectProvider` or an
 * `AWS::IAM::SAMLProvider` in the same stack is looked up. A provider that cannot be identified
 * (e.g. an SSM parameter) still gets the audience and subject checks, against any provider's keys.
 * Conditions written through `CfnJson` (as `eks.ServiceAccount` does for IRSA) are read back and checked.
 *
 * Across the whole app (every `Stage` included), roles of different environments (their `environment`
 * tags differ) must not accept the same token or assertion (`FederationRisk.CROSS_ENVIRONMENT_TRUST`):
 * that is checked once the app is built, and fails synth with a validation error naming both roles.
 *
 * It reaches the roles of every CDK `Stage` below its scope, nested ones included. Aspects do not
 * cross a `Stage` boundary, and a nested `Stage` is synthesized before the aspects of its parent
 * run, so the guard checks the roles of a nested `Stage` that no `FederationGuard` of its own covers
 * from its parent, and fails synth by throwing, one line per loose role, when one is loose. Adding
 * the guard to each `Stage` as well reports each loose role as an error annotation on the role
 * instead.
 *
 * @example
 * declare const app: App;
 * Aspects.of(app).add(new FederationGuard());
 */
export class FederationGuard implements IAspect {
  /**
   * Accepts one finding on one role, deliberately. The acceptance and its reason are recorded in the
   * role's construct metadata (key `cdk-secured-api:accepted-federation-risk`), and the guard reports
   * it as info instead of an error.
   *
   * @param role the role: an `iam.Role`, its `CfnRole`, or a construct whose default child is one
   * @param risk the finding to accept
   * @param reason why this is acceptable here, for reviewers; must not be empty
   */
  public static acceptRisk(role: IConstruct, risk: FederationRisk, reason: string): void {
    if (!resolveCfnRole(role)) {
      throw validationError('FederationGuard.NotARole', `FederationGuard.acceptRisk: '${role.node.path}' is not a role; pass the iam.Role (or its CfnRole, or a FederatedRole) whose finding you accept.`, role);
    }
    if (!Object.values(FederationRisk).includes(risk)) {
      throw validationError('FederationGuard.UnknownRisk', `FederationGuard.acceptRisk: '${risk}' is not a FederationRisk; pass one of ${Object.values(FederationRisk).join(', ')}.`, role);
    }
    if (typeof reason !== 'string' || reason.trim() === '') {
      throw validationError('FederationGuard.RiskWithoutReason', `FederationGuard.acceptRisk: accepting ${risk} on '${role.node.path}' needs a reason; say why this role may carry that risk.`, role);
    }
    const accepted: AcceptedRisk = { risk, reason: reason.trim() };
    role.node.addMetadata(ACCEPTED_RISK_METADATA, accepted);
  }

  /**
   * Checks the trust policy of `node` if it is an `AWS::IAM::Role`, and the roles of every CDK
   * `Stage` that is a child of `node` and that no `FederationGuard` of its own covers (Aspects
   * stop at a `Stage`); other constructs are ignored.
   */
  public visit(node: IConstruct): void {
    checkEnvironmentSeparation(node);
    for (const child of node.node.children) {
      if (Stage.isStage(child)) checkStageBeyondAspects(child);
    }
    if (!CfnResource.isCfnResource(node) || node.cfnResourceType !== CfnRole.CFN_RESOURCE_TYPE_NAME) return;
    const { rolePath, open, accepted } = assessRole(node);
    for (const finding of accepted) {
      Annotations.of(node).addInfo(`FederationGuard: ${finding.risk} accepted on role '${rolePath}': ${finding.reason}`);
    }
    if (open.length === 0) return;
    Annotations.of(node).addError(validationMessage('FederationGuard.LooseTrustPolicy', `FederationGuard: role '${rolePath}' has a loose federated trust policy. ${describeFindings(open)}`));
  }
}

/** A role's findings: those still open, and those accepted on it with their reasons. */
function assessRole(role: CfnResource): { rolePath: string; open: Finding[]; accepted: Array<Finding & { reason: string }> } {
  const reader = new StackTrustReader(Stack.of(role), KNOWN_PROVIDERS.get(role));
  const findings = analyzeTrustPolicy(reader.inlineCfnJson(trustPolicyOf(role)), reader);
  const rolePath = outermostRoleConstruct(role).node.path;
  if (findings.length === 0) return { rolePath, open: [], accepted: [] };
  const acceptances = acceptedRisks(role);
  return {
    rolePath,
    open: findings.filter(f => !acceptances.has(f.risk)),
    accepted: findings.filter(f => acceptances.has(f.risk)).map(f => ({ ...f, reason: acceptances.get(f.risk)! })),
  };
}

function describeFindings(open: Finding[]): string {
  return open.map(f => `[${f.risk}] the trust policy ${f.message}.`).join(' ')
    + " If a finding is intended, accept it on this role with FederationGuard.acceptRisk(role, FederationRisk.<RISK>, '<reason>').";
}

/**
 * Checks the roles of a CDK `Stage` (and of the stages in it) that no `FederationGuard` of their own
 * stage covers. aws-cdk-lib invokes Aspects stage by stage: its recursion skips every child that is
 * a `Stage`, and a parent synthesizes its nested stages (writing their assemblies, annotations
 * included) before it invokes its own aspects
 * (https://github.com/aws/aws-cdk/blob/main/packages/aws-cdk-lib/core/lib/private/synthesis.ts,
 * `synthesize`: `synthNestedAssemblies` then `invokeAspects`). So an error annotation added now would
 * reach no assembly: a loose role fails synth by an exception instead.
 */
function checkStageBeyondAspects(stage: Stage): void {
  const loose: string[] = [];
  for (const node of stage.node.findAll()) {
    if (!CfnResource.isCfnResource(node) || node.cfnResourceType !== CfnRole.CFN_RESOURCE_TYPE_NAME || guardedInItsStage(node)) continue;
    const { rolePath, open } = assessRole(node);
    if (open.length > 0) loose.push(`role '${rolePath}' has a loose federated trust policy. ${describeFindings(open)}`);
  }
  if (loose.length === 0) return;
  throw validationError('FederationGuard.LooseTrustPolicyInStage', `FederationGuard: the CDK Stage '${stage.node.path}' has roles with loose federated trust policies (checked from its parent: `
    + 'Aspects do not reach into a Stage; add the guard to the Stage too, Aspects.of(stage).add(new FederationGuard()), to see each as an error on its role):\n'
    + loose.map(line => `  ${line}`).join('\n'), stage);
}

/** Whether a FederationGuard added within the role's own stage (to the stage or a scope below it) visits the role. */
function guardedInItsStage(role: IConstruct): boolean {
  const stage = Stage.of(role);
  for (let scope: IConstruct | undefined = role; scope; scope = scope.node.scope) {
    if (Aspects.of(scope).all.some(aspect => aspect instanceof FederationGuard)) return true;
    if (scope === stage) return false;
  }
  return false;
}

/** The resolved trust policy as it will be deployed, property overrides included. */
function trustPolicyOf(role: CfnResource): unknown {
  const properties = resolvedProperties(role);
  return properties?.AssumeRolePolicyDocument;
}

/** The construct people know the role by: the outermost one that stands for it (a FederatedRole, an iam.Role). */
function outermostRoleConstruct(role: CfnResource): IConstruct {
  let outermost: IConstruct = role;
  for (let scope = role.node.scope; scope && !Stack.isStack(scope); scope = scope.node.scope) {
    if (resolveCfnRole(scope) === role) outermost = scope;
  }
  return outermost;
}
