// The synth-time guard of a SecuredHttpApi: `public: true` is the only way to open a route. It reads
// the API's OpenAPI definition (`Body`) as the template will hold it (escape hatches included:
// `addPropertyOverride('Body.paths...')`, `addOverride`), not the construct tree, and refuses any
// AWS::ApiGatewayV2::Route, Integration or Authorizer resource of the API: API Gateway does not
// support combining them with a definition
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigatewayv2-api.html, `Body`),
// and no guard would read them.
import { CfnResource, Stack } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { JWT_AUTHORIZER_NAME, LAMBDA_AUTHORIZER_NAME, ReadBody } from './body';
import { resolvedResource } from '../../roles/private/resolved-properties';

/** How the construct guarded a route key: its authorization type and, for JWT, its scopes (sorted). */
export interface ExpectedRoute {
  readonly authorizationType: 'NONE' | 'JWT' | 'CUSTOM';
  readonly scopes: readonly string[];
}

/** The API's definition as the template will hold it (resolved, overrides included); undefined without one. */
export function templateBody(cfnApi: apigwv2.CfnApi): unknown {
  const properties = resolvedResource(cfnApi)?.Properties as Record<string, unknown> | undefined;
  return properties?.Body;
}

/** The resource types a definition cannot be combined with, and that would escape the guards. */
const BESIDE_BODY_TYPES = new Set([
  'AWS::ApiGatewayV2::Route', 'AWS::ApiGatewayV2::Integration', 'AWS::ApiGatewayV2::Authorizer',
  'AWS::ApiGatewayV2::RouteResponse', 'AWS::ApiGatewayV2::IntegrationResponse',
]);

/** A line per Route, Integration or Authorizer (response) resource of the API in its stack's template. */
export function resourcesBesideBody(cfnApi: apigwv2.CfnApi): string[] {
  const stack = Stack.of(cfnApi);
  const id = JSON.stringify(stack.resolve(cfnApi.ref));
  const lines: string[] = [];
  for (const node of stack.node.findAll()) {
    if (!(node instanceof CfnResource) || Stack.of(node) !== stack) continue;
    const entry = resolvedResource(node);
    if (typeof entry?.Type !== 'string' || !BESIDE_BODY_TYPES.has(entry.Type)) continue;
    const properties = (entry.Properties ?? {}) as Record<string, unknown>;
    if (JSON.stringify(properties.ApiId) !== id) continue;
    lines.push(`${node.node.path} (${entry.Type})`);
  }
  return lines;
}

/**
 * What is wrong with the API's routes in the definition as deployed: a route that is not public but
 * has no authorizer, a route the construct did not make (without an authorizer), a route whose
 * authorizer or scopes differ from what the construct wrote, a route the construct made that is
 * missing, and anything of the definition that cannot be read as a route (read as open: fail closed).
 */
export function routeGuardErrors(where: string, expected: ReadonlyMap<string, ExpectedRoute>, body: ReadBody): string[] {
  const errors: string[] = body.problems.map((p) => `${where}: the API's OpenAPI definition (Body) cannot be read as routes: ${p}; remove the override (public: true is the only way to open a route).`);
  const seen = new Set<string>();
  for (const op of body.operations) {
    const { routeKey } = op;
    const want = expected.get(routeKey);
    if (op.problem !== undefined) {
      errors.push(`${where}: the route ${routeKey} in the API's OpenAPI definition (Body) cannot be read as guarded: ${op.problem}; remove the override (public: true is the only way to open a route).`);
      if (want !== undefined) seen.add(routeKey);
      continue;
    }
    const type = op.authorizationType ?? 'NONE';
    if (want === undefined) {
      if (type === 'NONE') {
        errors.push(`${where}: the route ${routeKey} (in the API's OpenAPI definition) is not one of the API's routes and has no authorizer, so it is open to anyone; add routes with addRoute (public: true is the only way to open one), or remove it.`);
      }
      continue;
    }
    if (seen.has(routeKey)) continue;
    seen.add(routeKey);
    if (want.authorizationType === 'NONE') continue;
    const wantName = want.authorizationType === 'JWT' ? JWT_AUTHORIZER_NAME : LAMBDA_AUTHORIZER_NAME;
    const scopes = op.authorizationType === 'JWT' ? op.scopes : [];
    if (type !== want.authorizationType || op.authorizer !== wantName || JSON.stringify(scopes) !== JSON.stringify(want.scopes)) {
      errors.push(`${where}: the route ${routeKey} is guarded, but the API's OpenAPI definition (Body) gives it authorization ${JSON.stringify(type)}, ` +
        `authorizer ${JSON.stringify(op.authorizer ?? null)} and scopes ${JSON.stringify(scopes)} instead of the ${want.authorizationType} ` +
        `authorizer ${wantName}${want.scopes.length > 0 ? ` with ${JSON.stringify(want.scopes)}` : ''} the construct wrote; remove the override (public: true is the only way to open a route).`);
    }
  }
  for (const [routeKey, want] of expected) {
    if (!seen.has(routeKey)) {
      errors.push(`${where}: the route ${routeKey} (${want.authorizationType}) is missing from the API's OpenAPI definition (Body); remove the override that removed it.`);
    }
  }
  return errors;
}

/**
 * A line when the definition in the template (overrides included) is not the one the construct
 * wrote, naming the first paths that differ: an override of an authorizer's issuer, audiences,
 * function, identity sources or cache TTL, of an integration's target, or of a route's authorizer.
 */
export function bodyDifferences(where: string, cfnApi: apigwv2.CfnApi, written: unknown): string[] {
  const stack = Stack.of(cfnApi);
  const want: unknown = stack.resolve(written);
  const found = templateBody(cfnApi);
  if (JSON.stringify(found) === JSON.stringify(want)) return [];
  const changed = differingPaths(want, found, 'Body').slice(0, 5);
  return [`${where}: the OpenAPI definition of ${cfnApi.node.path} (AWS::ApiGatewayV2::Api Body) is not as the construct wrote it (${changed.join(', ')} changed), ` +
    'so the routes may not be guarded as declared; remove the override (public: true is the only way to open a route).'];
}

/** The paths (`Body.paths./x.get.security`) where `a` and `b` differ, depth first. */
function differingPaths(a: unknown, b: unknown, at: string): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObj(a) || !isObj(b)) return [at];
  const out: string[] = [];
  for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    out.push(...differingPaths(a[key], b[key], `${at}.${key}`));
  }
  return out;
}

/**
 * What the construct wrote of its resources (the API's `AWS::ApiGatewayV2::Api`, its definition
 * aside: `bodyDifferences` compares that), kept as each is created (before any escape hatch can
 * reach it), to compare with the template at synthesis: an override of `FailOnWarnings`, `Name`, a
 * `BodyS3Location` beside the `Body`, is refused at synth as an opened route is.
 *
 * What is kept is the L1's own properties as the construct set them (tokens unresolved), not their
 * resolved form: both sides are resolved at synthesis, so that what only synthesis settles (a Lazy;
 * a value of another stack, which becomes an `Fn::ImportValue`) reads the same on both. `Type`,
 * `Properties` and `Condition` are compared; metadata (cdk-nag suppressions) and dependencies are not.
 */
export class WrittenResources {
  private readonly written = new Map<CfnResource, { readonly properties: Record<string, unknown>; readonly elsewhere: readonly string[] }>();

  /**
   * Keeps `resource`'s properties as they are now. `elsewhere` names template properties (`Body`)
   * another check compares, left out here so that one override is reported once.
   */
  public keep(resource: CfnResource, elsewhere: readonly string[] = []): void {
    if (this.written.has(resource)) return;
    this.written.set(resource, { properties: copyPlain(l1Properties(resource)) as Record<string, unknown>, elsewhere });
  }

  /** A line per kept resource the template holds otherwise than written, naming what changed. */
  public differences(where: string): string[] {
    const errors: string[] = [];
    for (const [resource, { properties, elsewhere }] of this.written) {
      const without = (p: unknown) => Object.fromEntries(Object.entries((p ?? {}) as Record<string, unknown>)
        .filter(([key]) => !elsewhere.includes(key)));
      const rendered = Stack.of(resource).resolve(renderL1(resource, properties));
      const was = { Type: resource.cfnResourceType, Properties: without(rendered), Condition: null };
      const entry = resolvedResource(resource);
      const now = entry === undefined ? { removed: true }
        : { Type: entry.Type, Properties: without(entry.Properties), Condition: entry.Condition ?? null };
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
