import { Duration, Fn, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { HttpMethod, OidcIssuer, RouteBackend, SecuredApi, SecuredApiProps, SecuredApiRoute } from '../../src';
import { CONTEXT_KEYS } from '../../src/authorizer/contract';
import { authorizerConfigJson } from '../support/cdk';
import { definitionOf } from '../support/definition';
import { okHandler, ordersStack } from '../support/orders-api';

const ISSUER = OidcIssuer.fromUrl('https://issuer.example.com', { audiences: ['api://orders'] });
const QUIET = { dashboard: false, alarms: false, auditQueries: false };

const CALLER_HEADERS = {
  'integration.request.header.X-Secured-Api-Principal': 'context.authorizer.principalId',
  'integration.request.header.X-Secured-Api-Sub': 'context.authorizer.sub',
  'integration.request.header.X-Secured-Api-Client-Id': 'context.authorizer.clientId',
  'integration.request.header.X-Secured-Api-Scopes': 'context.authorizer.scopes',
  'integration.request.header.X-Secured-Api-Issuer': 'context.authorizer.issuer',
  'integration.request.header.X-Secured-Api-Exp': 'context.authorizer.exp',
};

const PUBLIC_CALLER_HEADERS = {
  'integration.request.header.X-Secured-Api-Principal': "'public'",
  'integration.request.header.X-Secured-Api-Sub': "'-'",
  'integration.request.header.X-Secured-Api-Client-Id': "'-'",
  'integration.request.header.X-Secured-Api-Scopes': "'-'",
  'integration.request.header.X-Secured-Api-Issuer': "'-'",
  'integration.request.header.X-Secured-Api-Exp': "'-'",
};

function api(stack: Stack, routes: SecuredApiRoute[], props: Partial<SecuredApiProps> = {}): SecuredApi {
  return new SecuredApi(stack, 'Api', { issuer: ISSUER, apiName: 'orders', ...QUIET, routes, ...props });
}

describe('SecuredApi route backend', () => {
  test('should guard an HTTP route exactly as a Lambda route, in the definition and in the route table', () => {
    // GIVEN
    const { app, stack } = ordersStack();

    // WHEN
    api(stack, [
      { method: HttpMethod.GET, path: '/orders', handler: okHandler(stack, 'List'), scopes: ['orders:read'] },
      { method: HttpMethod.GET, path: '/orders/{id}', backend: RouteBackend.http('https://orders.example.com/v2/orders/{id}'), scopes: ['orders:read'] },
    ]);

    // THEN
    const body = definitionOf(Template.fromStack(stack));
    const lambdaRoute = body.paths['/orders'].get;
    const httpRoute = body.paths['/orders/{id}'].get;
    expect(httpRoute.security).toEqual([{ tokenAuthorizer: [] }]);
    expect(httpRoute.security).toEqual(lambdaRoute.security);
    expect(httpRoute['x-amazon-apigateway-integration']).toEqual({
      type: 'http_proxy',
      httpMethod: 'GET',
      uri: 'https://orders.example.com/v2/orders/{id}',
      requestParameters: { 'integration.request.path.id': 'method.request.path.id', ...CALLER_HEADERS },
    });
    // The mapped path parameter is declared by the operation itself (the import fails on a mapping
    // of an undeclared parameter).
    expect(httpRoute.parameters).toEqual([{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }]);
    // The Lambda route is written as before.
    expect(lambdaRoute['x-amazon-apigateway-integration']).toMatchObject({ type: 'aws_proxy', httpMethod: 'POST' });
    const table = authorizerConfigJson(app, stack).routes.map((r: any) => [r.method, r.resource, r.scopes]);
    expect(table).toContainEqual(['GET', '/orders/{id}', ['orders:read']]);
  });

  test('should serve a route over a VPC link, http:// allowed, with a greedy path and every method', () => {
    // GIVEN
    const { stack } = ordersStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
    const nlb = new elbv2.NetworkLoadBalancer(stack, 'Nlb', { vpc });
    const link = new apigateway.VpcLink(stack, 'Link', { targets: [nlb] });

    // WHEN
    api(stack, [
      { method: HttpMethod.ANY, path: '/files/{proxy+}', backend: RouteBackend.vpcLink(link, `http://${nlb.loadBalancerDnsName}/files/{proxy}`, { timeout: Duration.seconds(10) }), scopes: ['files:rw'] },
    ]);

    // THEN
    const integration = definitionOf(Template.fromStack(stack)).paths['/files/{proxy+}']['x-amazon-apigateway-any-method']['x-amazon-apigateway-integration'];
    expect(integration).toMatchObject({
      type: 'http_proxy',
      httpMethod: 'ANY',
      connectionType: 'VPC_LINK',
      connectionId: { Ref: stack.getLogicalId(link.node.defaultChild as apigateway.CfnVpcLink) },
      timeoutInMillis: 10000,
      requestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy', ...CALLER_HEADERS },
    });
    expect(JSON.stringify(integration.uri)).toContain('/files/{proxy}');
    // A greedy {proxy+} is declared as API Gateway's export declares it: `proxy`.
    expect(definitionOf(Template.fromStack(stack)).paths['/files/{proxy+}']['x-amazon-apigateway-any-method'].parameters)
      .toEqual([{ name: 'proxy', in: 'path', required: true, schema: { type: 'string' } }]);
    expect(definitionOf(Template.fromStack(stack)).paths['/files/{proxy+}']['x-amazon-apigateway-any-method'].security).toEqual([{ tokenAuthorizer: [] }]);
  });

  test('should map a fixed, non-empty value to every caller header on a public HTTP route, and add no Lambda permission for HTTP routes', () => {
    // GIVEN
    const { stack } = ordersStack();

    // WHEN
    api(stack, [{ method: HttpMethod.GET, path: '/status', backend: RouteBackend.http('https://status.example.com/'), public: true }]);

    // THEN
    const op = definitionOf(Template.fromStack(stack)).paths['/status'].get;
    expect(op.security).toEqual([]);
    // Static values, in single quotes: a client's own X-Secured-Api-* headers never pass through.
    expect(op['x-amazon-apigateway-integration']).toEqual({
      type: 'http_proxy',
      httpMethod: 'GET',
      uri: 'https://status.example.com/',
      requestParameters: PUBLIC_CALLER_HEADERS,
    });
    // Only the authorizer's own permission.
    Template.fromStack(stack).resourceCountIs('AWS::Lambda::Permission', 1);
  });

  test('should map a guarded route\'s caller headers only from values the authorizer always sets, never empty', () => {
    // GIVEN: the keys the authorizer's context always carries, and the policy's own principalId
    const alwaysSet = new Set<string>(['principalId', ...CONTEXT_KEYS]);

    // THEN: every mapping source is one of them (the runtime tests show each is non-empty)
    for (const source of Object.values(CALLER_HEADERS)) {
      expect(alwaysSet.has(source.replace(/^context\.authorizer\./, ''))).toBe(true);
    }
    expect(Object.keys(CALLER_HEADERS)).toEqual(Object.keys(PUBLIC_CALLER_HEADERS));
    expect(Object.values(PUBLIC_CALLER_HEADERS).every((v) => /^'[^']+'$/.test(v))).toBe(true);
  });

  test.each<[string, (stack: Stack) => SecuredApiRoute, RegExp, string]>([
    ['http:// without a VPC link', () => ({ method: HttpMethod.GET, path: '/orders', backend: RouteBackend.http('http://orders.example.com/orders') }),
      /route GET \/orders: backend URL "http:\/\/orders.example.com\/orders" must start with https:\/\/ .* use an https:\/\/ endpoint, or RouteBackend.vpcLink/, 'SecuredApi.InsecureBackendUrl'],
    ['a URL that is a token', () => ({ method: HttpMethod.GET, path: '/orders', backend: RouteBackend.http(Fn.importValue('OrdersUrl')) }),
      /must start with https:\/\/ written out/, 'SecuredApi.InsecureBackendUrl'],
    ['a URL naming a parameter the path lacks', () => ({ method: HttpMethod.GET, path: '/orders/{id}', backend: RouteBackend.http('https://o.example.com/{orderId}') }),
      /names the path parameter \{orderId\}, which the route's path \/orders\/\{id\} does not have; name only \{id\}/, 'SecuredApi.UnknownBackendPathParameter'],
    ['a URL with user info', () => ({ method: HttpMethod.GET, path: '/orders', backend: RouteBackend.http('https://user:pw@o.example.com/') }),
      /is not a URL API Gateway can call/, 'SecuredApi.InvalidBackendUrl'],
    ['a timeout over 29 s', () => ({ method: HttpMethod.GET, path: '/orders', backend: RouteBackend.http('https://o.example.com/', { timeout: Duration.seconds(30) }) }),
      /backend timeout 30 seconds is outside API Gateway's 50 ms to 29 s/, 'SecuredApi.InvalidBackendTimeout'],
    ['both a handler and a backend', (stack) => ({ method: HttpMethod.GET, path: '/orders', handler: okHandler(stack, 'H'), backend: RouteBackend.http('https://o.example.com/') }),
      /route GET \/orders has both a handler and a backend; pass exactly one/, 'SecuredApi.HandlerAndBackend'],
    ['neither a handler nor a backend', () => ({ method: HttpMethod.GET, path: '/orders' }),
      /route GET \/orders has neither a handler nor a backend; pass exactly one/, 'SecuredApi.NoHandlerOrBackend'],
  ])('should refuse %s', (_, route, message, code) => {
    // GIVEN
    const { stack } = ordersStack();
    const orders = api(stack, []);

    // WHEN
    const add = () => orders.addRoute(route(stack));

    // THEN
    expect(add).toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }));
  });

  test('should refuse callerRoles on a route served by an HTTP backend', () => {
    // GIVEN
    const { stack } = ordersStack();
    const orders = api(stack, []);
    const reader = orders.addCallerRole('Reader', { subjects: ['alice'] });

    // WHEN
    const add = () => orders.addRoute({ method: HttpMethod.GET, path: '/orders', backend: RouteBackend.http('https://o.example.com/'), callerRoles: [reader] });

    // THEN
    expect(add).toThrow(expect.objectContaining({ code: 'SecuredApi.CallerRolesOnBackend', message: expect.stringMatching(/route GET \/orders has callerRoles but is served by a backend that is not a Lambda function/) }));
  });
});
