import { Annotations, CfnResource, IAspect, Stack } from 'aws-cdk-lib';
import { CfnRole } from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { FederationRisk } from './federation-risk';
import { ACCEPTED_RISK_METADATA, acceptedRisks, AcceptedRisk, resolveCfnRole } from './trust/acceptance';
import { StackTrustReader } from './trust/stack-reader';
import { analyzeTrustPolicy, KNOWN_PROVIDERS } from './trust-rules';
import { resolvedProperties } from '../private/resolved-properties';


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
 * Aspects stop at `Stage` boundaries: add the guard to each `Stage` (or to each stack) as well as to the app.
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
      throw new Error(`FederationGuard.acceptRisk: '${role.node.path}' is not a role; pass the iam.Role (or its CfnRole, or a FederatedRole) whose finding you accept.`);
    }
    if (!Object.values(FederationRisk).includes(risk)) {
      throw new Error(`FederationGuard.acceptRisk: '${risk}' is not a FederationRisk; pass one of ${Object.values(FederationRisk).join(', ')}.`);
    }
    if (typeof reason !== 'string' || reason.trim() === '') {
      throw new Error(`FederationGuard.acceptRisk: accepting ${risk} on '${role.node.path}' needs a reason; say why this role may carry that risk.`);
    }
    const accepted: AcceptedRisk = { risk, reason: reason.trim() };
    role.node.addMetadata(ACCEPTED_RISK_METADATA, accepted);
  }

  /**
   * Checks the trust policy of `node` if it is an `AWS::IAM::Role`; other constructs are ignored.
   */
  public visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node) || node.cfnResourceType !== CfnRole.CFN_RESOURCE_TYPE_NAME) return;
    const reader = new StackTrustReader(Stack.of(node), KNOWN_PROVIDERS.get(node));
    const findings = analyzeTrustPolicy(reader.inlineCfnJson(trustPolicyOf(node)), reader);
    if (findings.length === 0) return;

    const accepted = acceptedRisks(node);
    const rolePath = outermostRoleConstruct(node).node.path;
    const open = findings.filter(f => !accepted.has(f.risk));
    for (const finding of findings.filter(f => accepted.has(f.risk))) {
      Annotations.of(node).addInfo(`FederationGuard: ${finding.risk} accepted on role '${rolePath}': ${accepted.get(finding.risk)}`);
    }
    if (open.length === 0) return;

    const details = open.map(f => `[${f.risk}] the trust policy ${f.message}.`).join(' ');
    Annotations.of(node).addError(
      `FederationGuard: role '${rolePath}' has a loose federated trust policy. ${details}`
      + " If a finding is intended, accept it on this role with FederationGuard.acceptRisk(role, FederationRisk.<RISK>, '<reason>').",
    );
  }
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
