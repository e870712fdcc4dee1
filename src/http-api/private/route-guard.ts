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
