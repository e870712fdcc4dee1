import { CfnResource, Stack } from 'aws-cdk-lib';

/**
 * A resource's properties as they will be deployed: resolved, property overrides included
 * (`_toCloudFormation` applies `addPropertyOverride`/`addOverride`, which the typed properties of
 * an L1 do not show). Checks that promise something about the template read this, never the
 * construct tree.
 */
export function resolvedProperties(resource: CfnResource): Record<string, unknown> | undefined {
  const stack = Stack.of(resource);
  const rendered: unknown = stack.resolve((resource as unknown as { _toCloudFormation(): object })._toCloudFormation());
  const logicalId = stack.resolve(resource.logicalId);
  const resources = isRecord(rendered) && isRecord(rendered.Resources) ? rendered.Resources : {};
  const entry = resources[logicalId];
  return isRecord(entry) && isRecord(entry.Properties) ? entry.Properties : undefined;
}

function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
