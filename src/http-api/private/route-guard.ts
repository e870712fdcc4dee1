// The synth-time guard of a SecuredHttpApi: `public: true` is the only way to open a route. It reads
// every AWS::ApiGatewayV2::Route of the API's stack as the template will hold it (escape hatches
// included: `addPropertyOverride`, `addOverride`, a raw CfnResource), not the construct tree.
import { CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { resolvedResource } from '../../roles/private/resolved-properties';

/** How the construct guarded a route key: its authorization type and, for JWT, its scopes (sorted). */
export interface ExpectedRoute {
  readonly authorizationType: 'NONE' | 'JWT' | 'CUSTOM';
  readonly scopes: readonly string[];
}

/** A route of the template, resolved. */
export interface TemplateRoute {
  readonly path: string;
  readonly properties: Record<string, unknown>;
}

/**
 * The routes of `apiId` in the template, read as deployed. A route whose `ApiId` is not the API's
 * (resolved) is another API's.
 */
export function templateRoutes(api: IConstruct, apiId: string): TemplateRoute[] {
  const stack = Stack.of(api);
  const id = JSON.stringify(stack.resolve(apiId));
  const routes: TemplateRoute[] = [];
  for (const node of stack.node.findAll()) {
    if (!(node instanceof CfnResource) || Stack.of(node) !== stack) continue;
    const entry = resolvedResource(node);
    if (entry?.Type !== 'AWS::ApiGatewayV2::Route') continue;
    const properties = (entry.Properties ?? {}) as Record<string, unknown>;
    if (JSON.stringify(properties.ApiId) !== id) continue;
    routes.push({ path: node.node.path, properties });
  }
  return routes;
}

/**
 * What is wrong with the API's routes as deployed: a route that is not public but has no
 * authorizer, a route the construct did not make (without an authorizer), a route whose
 * authorization or scopes differ from what the construct wrote, a route key the construct made
 * that is missing.
 */
export function routeGuardErrors(where: string, expected: ReadonlyMap<string, ExpectedRoute>, routes: readonly TemplateRoute[]): string[] {
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const { path, properties } of routes) {
    const routeKey = typeof properties.RouteKey === 'string' ? properties.RouteKey : JSON.stringify(properties.RouteKey);
    const type = properties.AuthorizationType ?? 'NONE';
    const want = expected.get(routeKey);
    if (want === undefined) {
      if (type === 'NONE') {
        errors.push(`${where}: the route ${routeKey} (${path}) is not one of the API's routes and has no authorizer, so it is open to anyone; add routes with addRoute (public: true is the only way to open one), or remove it.`);
      }
      continue;
    }
    seen.add(routeKey);
    if (want.authorizationType === 'NONE') continue;
    const scopes = Array.isArray(properties.AuthorizationScopes) ? [...properties.AuthorizationScopes as string[]].sort() : [];
    if (type !== want.authorizationType || properties.AuthorizerId === undefined || JSON.stringify(scopes) !== JSON.stringify(want.scopes)) {
      errors.push(`${where}: the route ${routeKey} (${path}) is guarded, but the template gives it AuthorizationType ${JSON.stringify(type)}, ` +
        `AuthorizerId ${JSON.stringify(properties.AuthorizerId)} and AuthorizationScopes ${JSON.stringify(scopes)} instead of the ${want.authorizationType} ` +
        `authorizer${want.scopes.length > 0 ? ` with ${JSON.stringify(want.scopes)}` : ''} the construct wrote; remove the override (public: true is the only way to open a route).`);
    }
  }
  for (const [routeKey, want] of expected) {
    if (!seen.has(routeKey)) {
      errors.push(`${where}: the route ${routeKey} (${want.authorizationType}) is missing from the template; remove the override that removed it.`);
    }
  }
  return errors;
}

/**
 * What the construct wrote of its routes, integrations and authorizers, kept as each is created
 * (before any escape hatch can reach it), to compare with the template at synthesis: an override that
 * points a route at another authorizer or integration, changes the authorizer's issuer, audiences,
 * function or identity sources, or an integration's target, is refused at synth as an opened route is.
 *
 * What is kept is the L1's own properties as the construct set them (tokens unresolved), not their
 * resolved form: both sides are resolved at synthesis, so that what only synthesis settles (a Lazy,
 * such as the Lambda authorizer's identity sources, which aws-cdk-lib caches once produced; a handler
 * of another stack, which becomes an `Fn::ImportValue`) reads the same on both. `Type`, `Properties`
 * and `Condition` are compared; metadata (cdk-nag suppressions) and dependencies are not.
 */
export class WrittenResources {
  private readonly written = new Map<CfnResource, Record<string, unknown>>();

  /** Keeps `resource`'s properties as they are now. */
  public keep(resource: CfnResource): void {
    if (this.written.has(resource)) return;
    this.written.set(resource, copyPlain(l1Properties(resource)) as Record<string, unknown>);
  }

  /** A line per kept resource the template holds otherwise than written, naming what changed. */
  public differences(where: string): string[] {
    const errors: string[] = [];
    for (const [resource, properties] of this.written) {
      const was = { Type: resource.cfnResourceType, Properties: Stack.of(resource).resolve(renderL1(resource, properties)) ?? {}, Condition: null };
      const entry = resolvedResource(resource);
      const now = entry === undefined ? { removed: true }
        : { Type: entry.Type, Properties: entry.Properties ?? {}, Condition: entry.Condition ?? null };
      if (JSON.stringify(now) === JSON.stringify(was)) continue;
      errors.push(`${where}: ${resource.node.path} (${resource.cfnResourceType}) is not as the construct wrote it (${changedKeys(was, now).join(', ')} changed), ` +
        'so the routes may not be guarded as declared; remove the override (public: true is the only way to open a route).');
    }
    return errors;
  }
}

/**
 * An L1's properties as set on it (`cfnProperties`, camelCase, tokens unresolved), and their template
 * form (`renderProperties`): both protected members every generated L1 of aws-cdk-lib has, which its
 * `_toCloudFormation` uses the same way.
 */
function l1Properties(resource: CfnResource): Record<string, unknown> {
  return (resource as unknown as { cfnProperties: Record<string, unknown> }).cfnProperties;
}
function renderL1(resource: CfnResource, properties: Record<string, unknown>): unknown {
  return (resource as unknown as { renderProperties(p: Record<string, unknown>): unknown }).renderProperties(properties);
}

/** A copy of plain objects and arrays (so that a later in-place change of the L1's values does not reach it); anything else (tokens) as is. */
function copyPlain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyPlain);
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copyPlain(v)]));
  }
  return value;
}

/** The top-level keys (`Properties.X` for properties) whose values differ. */
function changedKeys(was: Record<string, unknown>, now: Record<string, unknown>): string[] {
  const keys: string[] = [];
  for (const key of ['Type', 'Condition', 'removed']) {
    if (JSON.stringify(was[key]) !== JSON.stringify(now[key])) keys.push(key);
  }
  const a = (was.Properties ?? {}) as Record<string, unknown>;
  const b = (now.Properties ?? {}) as Record<string, unknown>;
  for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) keys.push(`Properties.${key}`);
  }
  return keys;
}
