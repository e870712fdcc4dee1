import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { authorizersOf, BACKEND_TEST_ISSUER, GUARDED_CALLER_MAPPINGS, integrationsOf, PUBLIC_CALLER_MAPPINGS, routesOf } from './body-support';
import {
  HttpMethod, HttpRouteAuthorizer, RouteBackend, SecuredApiRoute, SecuredHttpApi, SecuredHttpApiProps,
} from '../../src';
import { acknowledgements, nagFindings } from '../support/cdk';

// Routes of a SecuredHttpApi served by a RouteBackend: the HTTP_PROXY integrations the template
// holds (security-relevant values asserted one by one), the authorizer each route gets, the
// refusals, and cdk-nag.

const ISSUER = BACKEND_TEST_ISSUER;
const GUARDED_MAPPINGS = GUARDED_CALLER_MAPPINGS;
const PUBLIC_MAPPINGS = PUBLIC_CALLER_MAPPINGS;

function stackOf(): { app: App; stack: Stack } {
  const app = new App();
  return { app, stack: new Stack(app, 'Orders', { env: { account: '123456789012', region: 'eu-west-1' } }) };
}

function handler(stack: Stack, id: string): lambda.Function {
  return new lambda.Function(stack, id, { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });') });
}

const BACKEND_ROUTES: SecuredApiRoute[] = [
  { method: HttpMethod.GET, path: '/orders/{id}', backend: RouteBackend.http('https://orders.example.com/v2/orders/{id}', { timeout: Duration.seconds(5) }), scopes: ['orders:read'] },
  { method: HttpMethod.ANY, path: '/files/{proxy+}', backend: RouteBackend.http('https://files.example.com/{proxy}') },
  { method: HttpMethod.GET, path: '/docs/{proxy+}', backend: RouteBackend.http('https://docs.example.com/{proxy+}'), public: true },
  { method: HttpMethod.GET, path: '/status', backend: RouteBackend.http('https://orders.example.com/status'), public: true },
  { method: HttpMethod.GET, path: '/whoami', backend: RouteBackend.http('https://orders.example.com/whoami') },
  { method: HttpMethod.GET, path: '/me', backend: RouteBackend.http('https://orders.example.com/whoami') },
];

function backendApi(stack: Stack, props: Partial<SecuredHttpApiProps> = {}): SecuredHttpApi {
  return new SecuredHttpApi(stack, 'Api', {
    issuer: ISSUER,
    dashboard: false,
    alarms: false,
    auditQueries: false,
    routes: [...BACKEND_ROUTES, { method: HttpMethod.GET, path: '/orders', handler: handler(stack, 'List'), scopes: ['orders:read'] }],
    ...props,
  });
}

/** The integration each route key targets (from the API's OpenAPI definition), by route key. */
function integrationsByRoute(template: Template): Record<string, any> {
  const integrations = integrationsOf(template);
  return Object.fromEntries(Object.values(routesOf(template)).map((r: any) => [r.RouteKey, { name: r.Target, ...integrations[r.Target], route: r }]));
}

describe('SecuredHttpApi with backends', () => {
  const { stack } = stackOf();
  const api = backendApi(stack);
  const template = Template.fromStack(stack);
  const byRoute = integrationsByRoute(template);

  test('should serve a guarded backend route by an HTTP_PROXY integration that overwrites every caller header from the Lambda authorizer\'s context', () => {
    expect(byRoute['GET /orders/{id}']).toMatchObject({
      IntegrationType: 'HTTP_PROXY',
      IntegrationMethod: 'GET',
      IntegrationUri: 'https://orders.example.com/v2/orders/{id}',
      PayloadFormatVersion: '1.0',
      TimeoutInMillis: 5000,
    });
    expect(byRoute['GET /orders/{id}'].RequestParameters).toEqual(GUARDED_MAPPINGS);
    expect(byRoute['GET /orders/{id}'].ConnectionType).toBe('INTERNET');
  });

  test('should give a public backend route fixed caller headers, never a context value', () => {
    expect(byRoute['GET /status'].RequestParameters).toEqual(PUBLIC_MAPPINGS);
    expect(byRoute['GET /docs/{proxy+}'].RequestParameters).toEqual(PUBLIC_MAPPINGS);
    expect(byRoute['GET /status'].route.AuthorizationType).toBe('NONE');
  });

  test('should write RouteBackend\'s default timeout, 29 s, rather than leave the HTTP API\'s 30 s', () => {
    expect(byRoute['GET /status'].TimeoutInMillis).toBe(29000);
    expect(byRoute['GET /whoami'].TimeoutInMillis).toBe(29000);
  });

  test('should write a greedy path variable in the HTTP API\'s {proxy+} form, whether the URL says {proxy} or {proxy+}', () => {
    expect(byRoute['ANY /files/{proxy+}']).toMatchObject({ IntegrationMethod: 'ANY', IntegrationUri: 'https://files.example.com/{proxy+}' });
    expect(byRoute['GET /docs/{proxy+}'].IntegrationUri).toBe('https://docs.example.com/{proxy+}');
  });

  test('should guard every guarded backend route with the Lambda authorizer, and say why', () => {
    const lambdaAuthorizer = Object.entries(authorizersOf(template)).filter(([, a]) => a.AuthorizerType === 'REQUEST').map(([name]) => name);
    expect(lambdaAuthorizer).toHaveLength(1);
    for (const key of ['GET /orders/{id}', 'ANY /files/{proxy+}', 'GET /whoami', 'GET /me']) {
      expect(byRoute[key].route).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: lambdaAuthorizer[0] });
      expect(byRoute[key].route.AuthorizationScopes).toBeUndefined();
    }
    const choice = Object.fromEntries(api.routeAuthorizations.map((a) => [`${a.method} ${a.path}`, a]));
    expect(choice['GET /orders/{id}']).toMatchObject({ authorizer: HttpRouteAuthorizer.LAMBDA, reason: expect.stringContaining('the route has a backend') });
    expect(choice['GET /status']).toMatchObject({ authorizer: HttpRouteAuthorizer.PUBLIC, reason: '' });
    // The Lambda handler's route of the same issuer stays native.
    expect(choice['GET /orders']).toMatchObject({ authorizer: HttpRouteAuthorizer.JWT, reason: '' });
  });

  test('should put the backend routes\' scopes in the Lambda authorizer\'s route table', () => {
    const table = api.authorizer._compiledTable();
    expect(table.routes.map((r: { method: string; resource: string }) => `${r.method} ${r.resource}`).sort())
      .toEqual(['ANY /files/{proxy+}', 'GET /me', 'GET /orders/{id}', 'GET /whoami']);
  });

  test('should share one integration between routes that would get the same one', () => {
    expect(byRoute['GET /whoami'].name).toBe(byRoute['GET /me'].name);
    expect(Object.keys(integrationsOf(template))).toHaveLength(6);
  });
});

describe('SecuredHttpApi backend refusals', () => {
  const vpcLink = { vpcLinkId: 'abc123' } as unknown as apigateway.IVpcLink;
  test.each<[string, SecuredApiRoute]>([
    ['SecuredHttpApi.RestVpcLinkNotSupported', { method: HttpMethod.GET, path: '/x', backend: RouteBackend.vpcLink(vpcLink, 'http://nlb.internal/x') }],
    ['SecuredApi.InsecureBackendUrl', { method: HttpMethod.GET, path: '/x', backend: RouteBackend.http('http://orders.example.com/x') }],
    ['SecuredApi.InvalidBackendUrl', { method: HttpMethod.GET, path: '/x', backend: RouteBackend.http('https://user@orders.example.com/x') }],
    ['SecuredApi.UnknownBackendPathParameter', { method: HttpMethod.GET, path: '/x/{id}', backend: RouteBackend.http('https://orders.example.com/{other}') }],
    ['SecuredApi.UnknownBackendPathParameter', { method: HttpMethod.GET, path: '/x/{id}', backend: RouteBackend.http('https://orders.example.com/{proxy+}') }],
    ['SecuredApi.InvalidBackendTimeout', { method: HttpMethod.GET, path: '/x', backend: RouteBackend.http('https://orders.example.com/x', { timeout: Duration.seconds(40) }) }],
  ])('should fail with %s', (code, route) => {
    const { stack } = stackOf();
    expect(() => new SecuredHttpApi(stack, 'Api', { issuer: ISSUER, routes: [route] })).toThrow(expect.objectContaining({ code }));
  });

  test('should name the REST VPC link, why an HTTP API cannot use it, and the alternatives (privateIntegration first)', () => {
    const { stack } = stackOf();
    const route: SecuredApiRoute = { method: HttpMethod.GET, path: '/x', backend: RouteBackend.vpcLink(vpcLink, 'http://nlb.internal/x') };
    expect(() => new SecuredHttpApi(stack, 'Api', { issuer: ISSUER, routes: [route] })).toThrow(
      /Orders\/Api: route GET \/x has RouteBackend\.vpcLink\(\.\.\.\), a REST API VPC link .*AWS::ApiGatewayV2::VpcLink.*serve the route with RouteBackend\.privateIntegration\(httpVpcLink, listenerOrServiceArn\) through an apigwv2\.VpcLink, or from an https:\/\/ endpoint with RouteBackend\.http\(url\)/);
  });

  test('should refuse a context claim named principal, the key the HTTP authorizer context always carries', () => {
    const { stack } = stackOf();
    expect(() => new SecuredHttpApi(stack, 'Api', { issuer: ISSUER, contextClaims: ['tenant', 'Principal'] }))
      .toThrow(expect.objectContaining({ code: 'SecuredHttpApi.ContextClaimShadowsPrincipal', message: expect.stringContaining('contextClaims holds "Principal"') }));
  });

  test('should refuse caller roles on a backend route, as a SecuredApi does', () => {
    const { stack } = stackOf();
    const api = new SecuredHttpApi(stack, 'Api', { issuer: ISSUER });
    const role = api.addCallerRole('Reader', { allowAnySubjectOfAudience: 'a test of the refusal' });
    expect(() => api.addRoute({ method: HttpMethod.GET, path: '/x', backend: RouteBackend.http('https://orders.example.com/x'), callerRoles: [role] }))
      .toThrow(expect.objectContaining({ code: 'SecuredApi.CallerRolesOnBackend' }));
  });
});

describe('SecuredHttpApi backend integrations and the integrations quota', () => {
  test('should count each distinct backend as an integration, beside the handlers', () => {
    // GIVEN: one handler and 300 public routes to 300 distinct URLs: 301 integrations
    const { app, stack } = stackOf();
    const routes: SecuredApiRoute[] = Array.from({ length: 300 }, (_, i) => ({
      method: HttpMethod.GET, path: `/r${i}`, backend: RouteBackend.http(`https://backend.example.com/r${i}`), public: true,
    }));
    routes.push({ method: HttpMethod.GET, path: '/lambda', handler: handler(stack, 'Fn'), public: true });
    new SecuredHttpApi(stack, 'Api', { issuer: ISSUER, maxRoutes: 400, dashboard: false, alarms: false, auditQueries: false, routes });

    // WHEN / THEN
    expect(() => app.synth()).toThrow(/served by 301 integrations.*SecuredHttpApi\.TooManyIntegrations/s);
  });
});

describe('SecuredHttpApi with backends and cdk-nag', () => {
  test('should leave no AwsSolutions finding on the API but the ones listed', () => {
    // GIVEN
    const { app, stack } = stackOf();
    backendApi(stack);

    // WHEN
    const findings = nagFindings(app).filter((f) => f.includes(' Orders/Api/'));

    // THEN: none. cdk-nag's APIG4 (routes without authorization) reads AWS::ApiGatewayV2::Route
    // resources, and the API has none: its routes are its OpenAPI definition, which
    // SecuredHttpApi.RouteOpened reads instead (public: true is the only way to open a route), so
    // the public routes need no acknowledgement.
    expect(findings).toEqual([]);
    expect(acknowledgements(app).filter((a) => a.id === 'AwsSolutions-APIG4' && a.path.startsWith('Orders/Api/'))).toEqual([]);
  });
});
