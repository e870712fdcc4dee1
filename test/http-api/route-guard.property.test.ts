// No guarded route of a SecuredHttpApi synthesizes without its authorizer: for generated route sets
// (public, scoped, claim-ruled routes, served by a handler or an HTTP backend, native JWT or forced Lambda), the template gives every
// non-public route an authorizer; and an escape hatch that opens, unguards or rescopes any guarded
// route fails synth.
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as fc from 'fast-check';
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
      const byKey = Object.fromEntries(Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r: any) => [r.Properties.RouteKey, r.Properties]));
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
    const hatch = fc.constantFrom('none', 'noAuthorizerId', 'noScopes', 'deleteType');
    fc.assert(fc.property(genRoutes, fc.boolean(), hatch, fc.nat(), (routes, force, kind, pick) => {
      const guarded = routes.filter((r) => r.kind !== 'public' && (kind !== 'noScopes' || r.kind === 'scopes'));
      fc.pre(guarded.length > 0);
      const built = tryBuild(routes, force);
      fc.pre(built !== undefined);
      const { app, api } = built!;
      const target = guarded[pick % guarded.length];
      const auth = api.routeAuthorizations.find((a) => a.method === target.method && a.path === target.path)!;
      fc.pre(kind !== 'noScopes' || auth.authorizer === 'jwt');
      const route = api.node.findChild('Routes').node.findChild(`${target.method}${target.path.replace(/\//g, '_')}`).node.defaultChild as apigwv2.CfnRoute;
      if (kind === 'none') route.addPropertyOverride('AuthorizationType', 'NONE');
      if (kind === 'noAuthorizerId') route.addPropertyDeletionOverride('AuthorizerId');
      if (kind === 'noScopes') route.addPropertyDeletionOverride('AuthorizationScopes');
      if (kind === 'deleteType') route.addPropertyDeletionOverride('AuthorizationType');
      expect(() => app.synth()).toThrow(/SecuredHttpApi\.RouteOpened/);
    }), { numRuns: 10 });
  });
});

describe('SecuredHttpApi written resources (generated overrides)', () => {
  test('should fail synth when an escape hatch changes any property of a route, integration or authorizer the construct made', () => {
    const types = ['AWS::ApiGatewayV2::Route', 'AWS::ApiGatewayV2::Integration', 'AWS::ApiGatewayV2::Authorizer'];
    const value = fc.oneof(
      fc.constant(undefined), // a deletion
      fc.constantFrom('NONE', 'JWT', 'CUSTOM', 'https://other.example.com', '$request.header.X-Other', 'integrations/other', 0, 3600, true, false),
      fc.constant({ Ref: 'SomethingElse' }),
      fc.array(fc.constantFrom('a', 'b'), { maxLength: 2 }),
    );
    const pick = fc.record({ resource: fc.nat(), key: fc.nat(), fresh: fc.boolean() });
    fc.assert(fc.property(genRoutes, fc.boolean(), pick, value, (routes, force, picked, overrideWith) => {
      const { resource: pickResource, key: pickKey, fresh: freshKey } = picked;
      const built = tryBuild(routes, force);
      fc.pre(built !== undefined);
      const { app, api } = built!;
      const resources = api.node.findAll().filter((c): c is CfnResource => c instanceof CfnResource && types.includes(c.cfnResourceType));
      const resource = resources[pickResource % resources.length];
      const properties = Stack.of(api).resolve((resource as any)._toCloudFormation()).Resources;
      const current = (Object.values(properties)[0] as any).Properties as Record<string, unknown>;
      const keys = Object.keys(current).filter((k) => k !== 'ApiId');
      const key = freshKey ? 'Description' : keys[pickKey % keys.length];
      fc.pre(JSON.stringify(current[key]) !== JSON.stringify(overrideWith));
      if (overrideWith === undefined) resource.addPropertyDeletionOverride(key);
      else resource.addPropertyOverride(key, overrideWith);
      // The rules' codes are in the validation message; UnreadableIntegration (an integration's
      // RequestParameters or ResponseParameters overridden with a non-map, which the deployment check refuses before the rules
      // report) is the thrown error's code.
      let error: (Error & { code?: string }) | undefined;
      try {
        app.synth();
      } catch (e) {
        error = e as Error & { code?: string };
      }
      expect(error).toBeDefined();
      expect(`${error!.code ?? ''} ${error!.message}`).toMatch(/SecuredHttpApi\.(ResourceOverridden|RouteOpened|UnreadableIntegration)/);
    }), { numRuns: 25 });
  });
});
