// Where FederationGuard.acceptRisk records an acceptance, and how the guard and FederatedRole find it.
import { CfnResource, Stack } from 'aws-cdk-lib';
import { CfnRole } from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { FederationRisk } from '../federation-risk';

export const ACCEPTED_RISK_METADATA = 'cdk-secured-api:accepted-federation-risk';

/** What `FederationGuard.acceptRisk` records in the role's construct metadata. */
export interface AcceptedRisk {
  readonly risk: FederationRisk;
  readonly reason: string;
}

/** The CfnRole a construct stands for: itself, or its default child (followed down a few levels). */
export function resolveCfnRole(construct: IConstruct): CfnResource | undefined {
  let current: IConstruct | undefined = construct;
  for (let depth = 0; current && depth < 4; depth++) {
    if (CfnResource.isCfnResource(current) && current.cfnResourceType === CfnRole.CFN_RESOURCE_TYPE_NAME) return current;
    current = current.node.defaultChild;
  }
  return undefined;
}

/** Acceptances recorded on the CfnRole itself or on an ancestor that stands for it. */
export function acceptedRisks(role: CfnResource): Map<FederationRisk, string> {
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
