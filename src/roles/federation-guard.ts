import { Annotations, CfnResource, IAspect, Stack } from 'aws-cdk-lib';
import { CfnRole } from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { FederationRisk } from './federation-risk';
import {
  analyzeTrustPolicy,
  describeFederatedString,
  flattenJoin,
  isPlainObject,
  KNOWN_PROVIDERS,
  ProviderInfo,
  ProviderKind,
} from './trust-rules';

const ACCEPTED_RISK_METADATA = 'cdk-secured-api:accepted-federation-risk';
const CFN_JSON_RESOURCE_TYPE = 'Custom::AWSCDKCfnJson';

/** What `FederationGuard.acceptRisk` records in the role's construct metadata. */
interface AcceptedRisk {
  readonly risk: FederationRisk;
  readonly reason: string;
}

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

  private readonly resourcesByStack = new Map<Stack, Map<string, CfnResource>>();

  /**
   * Checks the trust policy of `node` if it is an `AWS::IAM::Role`; other constructs are ignored.
   */
  public visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node) || node.cfnResourceType !== CfnRole.CFN_RESOURCE_TYPE_NAME) return;
    const stack = Stack.of(node);
    const document = this.inlineCfnJson(stack, trustPolicyOf(node));
    const known = KNOWN_PROVIDERS.get(node);
    const findings = analyzeTrustPolicy(document, {
      describeFederated: value => known?.get(JSON.stringify(value)) ?? this.describeFederated(stack, value),
    });
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

  private describeFederated(stack: Stack, value: unknown): ProviderInfo {
    if (typeof value === 'string') return describeFederatedString(value);
    const joined = flattenJoin(value);
    if (joined !== undefined) return describeFederatedString(joined);
    const logicalId = referencedLogicalId(value);
    const resource = logicalId ? this.findResource(stack, logicalId) : undefined;
    return resource ? describeProviderResource(resource) : { kind: ProviderKind.UNKNOWN };
  }

  /**
   * Conditions whose keys hold a token (an EKS cluster's issuer, for IRSA roles) are written through
   * `CfnJson`: a custom resource whose `Value` is the JSON text. Read that text back in place of the
   * `Fn::GetAtt`, tokens marked, so those conditions are checked like any other.
   */
  private inlineCfnJson(stack: Stack, document: unknown): unknown {
    const inline = (value: unknown): unknown => {
      const logicalId = referencedLogicalId(value);
      const resource = logicalId ? this.findResource(stack, logicalId) : undefined;
      if (!resource || resource.cfnResourceType !== CFN_JSON_RESOURCE_TYPE) return value;
      const json = resolvedProperties(resource)?.Value;
      const text = typeof json === 'string' ? json : flattenJoin(json);
      try {
        return text === undefined ? value : JSON.parse(text);
      } catch {
        return value;
      }
    };
    if (!isPlainObject(document) || !Array.isArray(document.Statement)) return document;
    return {
      ...document,
      Statement: document.Statement.map(statement => {
        if (!isPlainObject(statement) || statement.Condition === undefined) return statement;
        const condition = inline(statement.Condition);
        return {
          ...statement,
          Condition: isPlainObject(condition)
            ? Object.fromEntries(Object.entries(condition).map(([operator, block]) => [operator, inline(block)]))
            : condition,
        };
      }),
    };
  }

  private findResource(stack: Stack, logicalId: string): CfnResource | undefined {
    let index = this.resourcesByStack.get(stack);
    if (!index || !index.has(logicalId)) {
      index = new Map();
      for (const child of stack.node.findAll()) {
        if (CfnResource.isCfnResource(child) && Stack.of(child) === stack) index.set(stack.resolve(child.logicalId), child);
      }
      this.resourcesByStack.set(stack, index);
    }
    return index.get(logicalId);
  }
}

/** The resolved trust policy as it will be deployed, property overrides included. */
function trustPolicyOf(role: CfnResource): unknown {
  const properties = resolvedProperties(role);
  return properties?.AssumeRolePolicyDocument;
}

function resolvedProperties(resource: CfnResource): Record<string, unknown> | undefined {
  const stack = Stack.of(resource);
  // _toCloudFormation applies addPropertyOverride/addOverride, which the typed properties do not show.
  const rendered: unknown = stack.resolve((resource as unknown as { _toCloudFormation(): object })._toCloudFormation());
  const logicalId = stack.resolve(resource.logicalId);
  const resources = isPlainObject(rendered) && isPlainObject(rendered.Resources) ? rendered.Resources : {};
  const entry = resources[logicalId];
  return isPlainObject(entry) && isPlainObject(entry.Properties) ? entry.Properties : undefined;
}

function referencedLogicalId(value: unknown): string | undefined {
  if (!isPlainObject(value)) return undefined;
  if (typeof value.Ref === 'string') return value.Ref;
  const getAtt = value['Fn::GetAtt'];
  return Array.isArray(getAtt) && typeof getAtt[0] === 'string' ? getAtt[0] : undefined;
}

function describeProviderResource(resource: CfnResource): ProviderInfo {
  if (resource.cfnResourceType === 'AWS::IAM::SAMLProvider') return { kind: ProviderKind.SAML };
  if (resource.cfnResourceType !== 'AWS::IAM::OIDCProvider' && resource.cfnResourceType !== 'Custom::AWSCDKOpenIdConnectProvider') {
    return { kind: ProviderKind.UNKNOWN };
  }
  const url = resolvedProperties(resource)?.Url;
  const host = typeof url === 'string' ? url.replace(/^https:\/\//i, '').replace(/\/$/, '').toLowerCase() : undefined;
  return { kind: ProviderKind.OIDC, host, subjectPrefix: subjectPrefixOfOwner(resource) };
}

/** Our OidcIdentityProvider carries its issuer; the CfnResource is its child. */
function subjectPrefixOfOwner(resource: CfnResource): string | undefined {
  for (let scope = resource.node.scope; scope && !Stack.isStack(scope); scope = scope.node.scope) {
    const issuer = (scope as { issuer?: { subjectPrefix?: unknown } }).issuer;
    if (issuer && typeof issuer.subjectPrefix === 'string') return issuer.subjectPrefix;
  }
  return undefined;
}

/** The CfnRole a construct stands for: itself, or its default child (followed down a few levels). */
function resolveCfnRole(construct: IConstruct): CfnResource | undefined {
  let current: IConstruct | undefined = construct;
  for (let depth = 0; current && depth < 4; depth++) {
    if (CfnResource.isCfnResource(current) && current.cfnResourceType === CfnRole.CFN_RESOURCE_TYPE_NAME) return current;
    current = current.node.defaultChild;
  }
  return undefined;
}

/** The construct people know the role by: the outermost one that stands for it (a FederatedRole, an iam.Role). */
function outermostRoleConstruct(role: CfnResource): IConstruct {
  let outermost: IConstruct = role;
  for (let scope = role.node.scope; scope && !Stack.isStack(scope); scope = scope.node.scope) {
    if (resolveCfnRole(scope) === role) outermost = scope;
  }
  return outermost;
}

/** Acceptances recorded on the CfnRole itself or on an ancestor that stands for it. */
function acceptedRisks(role: CfnResource): Map<FederationRisk, string> {
  const accepted = new Map<FederationRisk, string>();
  for (let scope: IConstruct | undefined = role; scope && !Stack.isStack(scope); scope = scope.node.scope) {
    if (resolveCfnRole(scope) !== role) continue;
    for (const entry of scope.node.metadata) {
      if (entry.type === ACCEPTED_RISK_METADATA) {
        const data = entry.data as AcceptedRisk;
        accepted.set(data.risk, data.reason);
      }
    }
  }
  return accepted;
}
