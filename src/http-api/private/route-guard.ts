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
 * points a route at another authorizer or integration, changes the authorizer's issuer, audiences or
 * function, or an integration's target, is refused at synth as an opened route is. `Type`,
 * `Properties` and `Condition` are compared; metadata (cdk-nag suppressions) and dependencies are not.
 */
export class WrittenResources {
  private readonly written = new Map<CfnResource, { readonly json: string; readonly deferred: readonly string[] }>();

  /**
   * Keeps `resource` as it is now. `deferred` names properties produced at synthesis (a `Lazy`, which
   * must not be resolved early: aws-cdk-lib caches a Lazy's first value); the caller replaces them by
   * a plain value while this runs, and checks them itself.
   */
  public keep(resource: CfnResource, deferred: readonly string[] = []): void {
    if (this.written.has(resource)) return;
    this.written.set(resource, { json: JSON.stringify(comparable(resource, deferred)), deferred });
  }

  /** Whether `resource` is kept. */
  public has(resource: CfnResource): boolean {
    return this.written.has(resource);
  }

  /** A line per kept resource the template holds otherwise than written, naming what changed. */
  public differences(where: string): string[] {
    const errors: string[] = [];
    for (const [resource, { json, deferred }] of this.written) {
      const now = comparable(resource, deferred);
      if (JSON.stringify(now) === json) continue;
      const was = JSON.parse(json) as Record<string, unknown>;
      errors.push(`${where}: ${resource.node.path} (${resource.cfnResourceType}) is not as the construct wrote it (${changedKeys(was, now).join(', ')} changed), ` +
        'so the routes may not be guarded as declared; remove the override (public: true is the only way to open a route).');
    }
    return errors;
  }
}

/**
 * A resource's `Type`, `Properties` (but `deferred`) and `Condition` as the template will hold them:
 * resolved whole, since aws-cdk-lib applies overrides only as the entry resolves.
 */
function comparable(resource: CfnResource, deferred: readonly string[]): Record<string, unknown> {
  const entry = resolvedResource(resource);
  if (entry === undefined) return { removed: true };
  const properties: Record<string, unknown> = { ...(entry.Properties as Record<string, unknown> | undefined ?? {}) };
  for (const key of deferred) delete properties[key];
  return { Type: entry.Type, Properties: properties, Condition: entry.Condition ?? null };
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
