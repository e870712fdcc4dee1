// No guarded route of a SecuredHttpApi synthesizes without its authorizer: for generated route sets
// (public, scoped, claim-ruled routes, served by a handler or an HTTP backend, native JWT or forced
// Lambda), the API's OpenAPI definition (Body) gives every non-public route an authorizer; and an
// escape hatch that opens, unguards or rescopes any guarded route, or changes anything of the
// definition or the Api resource, fails synth.
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as fc from 'fast-check';
import { routesOf } from './body-support';
import { ClaimRule, HttpMethod, OidcIssuer, RouteBackend, SecuredApiRoute, SecuredHttpApi } from '../../src';


const ISSUER = OidcIssuer.fromUrl('https://issuer.example.com', { audiences: ['api://orders'] });

interface GenRoute {
  readonly method: HttpMethod;
  readonly path: string;
  readonly kind: 'public' | 'token' | 'scopes' | 'claims';
  readonly scopes: string[];
  readonly backend: boolean;
}

const genRoute: fc.Arbitrary<GenRoute> = fc.record({
  method: fc.constantFrom(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE),
  path: fc.array(fc.constantFrom('a', 'b', 'orders', '{id}'), { minLength: 1, maxLength: 3 }).map((s) => `/${s.join('/')}`),
  kind: fc.constantFrom('public' as const, 'token' as const, 'scopes' as const, 'claims' as const),
  scopes: fc.uniqueArray(fc.constantFrom('r', 'w', 'admin'), { minLength: 1, maxLength: 3 }),
  backend: fc.boolean(),
});

/** Route sets without two routes of the same method and path, nor two `{id}`-like parameters that clash. */
const genRoutes = fc.uniqueArray(genRoute, { minLength: 1, maxLength: 8, selector: (r) => `${r.method} ${r.path.replace(/\{id\}/g, '{}')}` })
  .filter((routes) => routes.every((r) => (r.path.match(/\{id\}/g) ?? []).length <= 1));

function build(routes: GenRoute[], forceLambdaAuthorizer: boolean): { app: App; stack: Stack; api: SecuredHttpApi } {
  const app = new App();
  const stack = new Stack(app, 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
  const fn = new lambda.Function(stack, 'H', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('x') });
  const api = new SecuredHttpApi(stack, 'Api', {
    issuer: ISSUER,
    forceLambdaAuthorizer,
    dashboard: false,
    alarms: false,
    auditQueries: false,
    routes: routes.map((r): SecuredApiRoute => ({
      method: r.method,
      path: r.path,
      ...(r.backend ? { backend: RouteBackend.http('https://backend.example.com/x') } : { handler: fn }),
      ...(r.kind === 'public' ? { public: true } : {}),
      ...(r.kind === 'scopes' ? { scopes: r.scopes } : {}),
      ...(r.kind === 'claims' ? { claimRules: [ClaimRule.equalTo('tenant', 'acme')] } : {}),
    })),
  });
  return { app, stack, api };
}

/** Routes whose paths differ only in a parameter's name are the same route to API Gateway. */
function tryBuild(routes: GenRoute[], force: boolean): ReturnType<typeof build> | undefined {
  try {
    return build(routes, force);
  } catch (e) {
    if ((e as { code?: string }).code?.startsWith('Route.') || (e as { code?: string }).code?.startsWith('SecuredApi.')) return undefined;
    throw e;
  }
}

describe('SecuredHttpApi route guard (generated route sets)', () => {
  test('should give every guarded route an authorizer, and scopes only on JWT routes', () => {
    fc.assert(fc.property(genRoutes, fc.boolean(), (routes, force) => {
      const built = tryBuild(routes, force);
      fc.pre(built !== undefined);
      const { stack } = built!;
      const template = Template.fromStack(stack);
      const byKey = routesOf(template);
      for (const r of routes) {
        const props = byKey[`${r.method} ${r.path}`];
        expect(props).toBeDefined();
        if (r.kind === 'public') {
          expect(props.AuthorizationType).toBe('NONE');
          continue;
        }
        expect(['JWT', 'CUSTOM']).toContain(props.AuthorizationType);
        expect(props.AuthorizerId).toBeDefined();
        if (force || r.kind === 'claims' || r.backend) expect(props.AuthorizationType).toBe('CUSTOM');
        if (r.kind === 'scopes' && props.AuthorizationType === 'JWT') expect([...props.AuthorizationScopes].sort()).toEqual([...r.scopes].sort());
      }
    }), { numRuns: 10 });
  });

  test('should fail synth when an escape hatch opens, unguards or rescopes any guarded route', () => {
    const hatch = fc.constantFrom('emptySecurity', 'deleteSecurity', 'noScopes', 'otherScheme', 'topLevelOnly');
    fc.assert(fc.property(genRoutes, fc.boolean(), hatch, fc.nat(), (routes, force, kind, pick) => {
      const guarded = routes.filter((r) => r.kind !== 'public' && (kind !== 'noScopes' || r.kind === 'scopes'));
      fc.pre(guarded.length > 0);
      const built = tryBuild(routes, force);
      fc.pre(built !== undefined);
      const { app, api } = built!;
      const target = guarded[pick % guarded.length];
      const auth = api.routeAuthorizations.find((a) => a.method === target.method && a.path === target.path)!;
      fc.pre(kind !== 'noScopes' || auth.authorizer === 'jwt');
      const security = `Body.paths.${target.path}.${target.method.toLowerCase()}.security`;
      if (kind === 'emptySecurity') api.cfnApi.addPropertyOverride(security, []);
      if (kind === 'deleteSecurity') api.cfnApi.addPropertyDeletionOverride(security);
      if (kind === 'noScopes') api.cfnApi.addPropertyOverride(security, [{ JwtAuthorizer: [] }]);
      if (kind === 'otherScheme') api.cfnApi.addPropertyOverride(security, [{ Other: target.scopes }]);
      // OpenAPI: without its own, an operation takes the top-level requirement; an empty one opens it.
      if (kind === 'topLevelOnly') {
        api.cfnApi.addPropertyDeletionOverride(security);
        api.cfnApi.addPropertyOverride('Body.security', []);
      }
      expect(() => app.synth()).toThrow(/SecuredHttpApi\.RouteOpened/);
    }), { numRuns: 10 });
  });
});

describe('SecuredHttpApi written definition (generated overrides)', () => {
  /** Every key path of the definition down to a value that is not an object (lists are values), keys without a dot (an override's path separator). */
  function leafPaths(value: unknown, at: string[] = []): string[][] {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return [at];
    const entries = Object.entries(value).filter(([k]) => !k.includes('.'));
    return entries.length === 0 ? [at] : entries.flatMap(([k, v]) => leafPaths(v, [...at, k]));
  }

  test('should fail synth when an escape hatch changes any part of the OpenAPI definition, or any property of the Api, the construct wrote', () => {
    const value = fc.oneof(
      fc.constant(undefined), // a deletion
      fc.constantFrom('NONE', 'jwt', 'request', 'https://other.example.com', '$request.header.X-Other', '#/components/x-amazon-apigateway-integrations/Other', 0, 3600, true, false),
      fc.constant({ Ref: 'SomethingElse' }),
      fc.array(fc.constantFrom('a', 'b'), { maxLength: 2 }),
      fc.constant([{ JwtAuthorizer: [] }]),
    );
    const pick = fc.record({ leaf: fc.nat(), apiProperty: fc.boolean() });
    fc.assert(fc.property(genRoutes, fc.boolean(), pick, value, (routes, force, picked, overrideWith) => {
      const built = tryBuild(routes, force);
      fc.pre(built !== undefined);
      const { app, api } = built!;
      const rendered = Stack.of(api).resolve((api.cfnApi as any)._toCloudFormation()).Resources;
      const current = (Object.values(rendered)[0] as any).Properties as Record<string, unknown>;
      const paths = picked.apiProperty
        ? [...Object.keys(current).filter((k) => k !== 'Body').map((k) => [k]), ['Description']]
        : leafPaths(current.Body).map((p) => ['Body', ...p]);
      const path = paths[picked.leaf % paths.length];
      const was = path.reduce<any>((o, k) => (o === undefined || o === null ? undefined : o[k]), current);
      fc.pre(JSON.stringify(was) !== JSON.stringify(overrideWith) && !(was === undefined && overrideWith === undefined));
      if (overrideWith === undefined) api.cfnApi.addPropertyDeletionOverride(path.join('.'));
      else api.cfnApi.addPropertyOverride(path.join('.'), overrideWith);
      expect(() => app.synth()).toThrow(/SecuredHttpApi\.(ResourceOverridden|RouteOpened)/);
    }), { numRuns: 25 });
  });
});
