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

/**
 * A resource's entry in its stack's template as it will be deployed (`Type`, `Properties`,
 * `DependsOn`, `Condition`...), resolved, overrides included (`addOverride('Type', ...)`,
 * `addDeletionOverride('DependsOn')`...); undefined when the resource is not synthesized. Only the
 * entry is resolved, not its key, the logical id: an API Gateway deployment's hashes the whole
 * REST API definition each time it is resolved.
 */
export function resolvedResource(resource: CfnResource): Record<string, unknown> | undefined {
  const fragment: unknown = (resource as unknown as { _toCloudFormation(): object })._toCloudFormation();
  const entries = isRecord(fragment) && isRecord(fragment.Resources) ? Object.values(fragment.Resources) : [];
  if (entries.length !== 1) return undefined;
  const entry: unknown = Stack.of(resource).resolve(entries[0]);
  return isRecord(entry) ? entry : undefined;
}

function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
