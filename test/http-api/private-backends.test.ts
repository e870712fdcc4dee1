import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Fn, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as fc from 'fast-check';
import {
  authorizersOf, BACKEND_TEST_ISSUER, deployedFromTemplate, GUARDED_CALLER_MAPPINGS, integrationsOf, modelOf,
  PUBLIC_CALLER_MAPPINGS, routesOf, valuesOf,
} from './body-support';
import {
  HttpMethod, HttpRouteAuthorizer, OidcIssuer, RouteBackend, SecuredApi, SecuredApiRoute, SecuredHttpApi, SecuredHttpApiProps,
} from '../../src';
import { compareHttpApi, DeployedHttpApi, DeployedHttpIntegration } from '../../src/api/runtime/http-compare';
import { LocalIssuer, SynthesizedHttpApi } from '../../src/testing';
import { nagFindings } from '../support/cdk';

// Routes of a SecuredHttpApi served by RouteBackend.privateIntegration: an HTTP API private
// integration (HTTP_PROXY over an AWS::ApiGatewayV2::VpcLink to a listener or Cloud Map service).
// The template's integrations (security-relevant values one by one), the authorizer each route gets,
// the deployment check's model and what it reports, the refusals, the test kit, the access review
// and cdk-nag.

const ISSUER = BACKEND_TEST_ISSUER;
const LISTENER_ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/orders/50dc6c495c0c9188/f2f7dc8efc522ab2';
const NLB_LISTENER_ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/net/files/50dc6c495c0c9188/0467ef3c8400ae65';
const SERVICE_ARN = 'arn:aws:servicediscovery:eu-west-1:123456789012:service/srv-e4anhexample0004';

// A private integration also writes the path the client called (without the stage's name).
const GUARDED_MAPPINGS = { ...GUARDED_CALLER_MAPPINGS, 'overwrite:path': '$request.path' };
const PUBLIC_MAPPINGS = { ...PUBLIC_CALLER_MAPPINGS, 'overwrite:path': '$request.path' };

function stackOf(app = new App()): { app: App; stack: Stack; link: apigwv2.VpcLink } {
  const stack = new Stack(app, 'Orders', { env: { account: '123456789012', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  return { app, stack, link: new apigwv2.VpcLink(stack, 'Link', { vpc, subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }) };
}

function handler(stack: Stack, id: string): lambda.Function {
  return new lambda.Function(stack, id, { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });') });
}

function privateRoutes(link: apigwv2.IVpcLink): SecuredApiRoute[] {
  return [
    {
      method: HttpMethod.GET,
      path: '/orders/{id}',
      scopes: ['orders:read'],
      backend: RouteBackend.privateIntegration(link, LISTENER_ARN, { timeout: Duration.seconds(5), serverNameToVerify: 'orders.internal.example.com' }),
    },
    { method: HttpMethod.ANY, path: '/files/{proxy+}', backend: RouteBackend.privateIntegration(link, Fn.importValue('FilesListenerArn')) },
    { method: HttpMethod.GET, path: '/status', backend: RouteBackend.privateIntegration(link, SERVICE_ARN), public: true },
    { method: HttpMethod.GET, path: '/whoami', backend: RouteBackend.privateIntegration(link, NLB_LISTENER_ARN) },
    { method: HttpMethod.GET, path: '/me', backend: RouteBackend.privateIntegration(link, NLB_LISTENER_ARN) },
  ];
}

function privateApi(stack: Stack, link: apigwv2.IVpcLink, props: Partial<SecuredHttpApiProps> = {}): SecuredHttpApi {
  return new SecuredHttpApi(stack, 'Api', {
    issuer: ISSUER,
    dashboard: false,
    alarms: false,
    auditQueries: false,
    routes: [...privateRoutes(link), { method: HttpMethod.GET, path: '/orders', handler: handler(stack, 'List'), scopes: ['orders:read'] }],
    ...props,
  });
}

/** The integration each route key targets (from the API's OpenAPI definition), by route key. */
function integrationsByRoute(template: Template): Record<string, any> {
  const integrations = integrationsOf(template);
  return Object.fromEntries(Object.values(routesOf(template)).map((r: any) => [r.RouteKey, { name: r.Target, ...integrations[r.Target], route: r }]));
}

describe('SecuredHttpApi with private backends', () => {
  const { app, stack, link } = stackOf();
  const api = privateApi(stack, link);
  const template = Template.fromStack(stack);
  const byRoute = integrationsByRoute(template);
  const linkId = stack.resolve(link.vpcLinkId);

  test('should serve a guarded route by an HTTP_PROXY integration through the VPC link to the listener, with TLS to the server name', () => {
    expect(linkId).toEqual({ Ref: expect.stringMatching(/^Link/) });
    expect(byRoute['GET /orders/{id}']).toMatchObject({
      IntegrationType: 'HTTP_PROXY',
      IntegrationMethod: 'GET',
      IntegrationUri: LISTENER_ARN,
      ConnectionType: 'VPC_LINK',
      ConnectionId: linkId,
      TlsConfig: { ServerNameToVerify: 'orders.internal.example.com' },
      PayloadFormatVersion: '1.0',
      TimeoutInMillis: 5000,
    });
    expect(apiBodyIntegration(template, byRoute['GET /orders/{id}'].name)).toEqual({
      type: 'http_proxy',
      httpMethod: 'GET',
      uri: LISTENER_ARN,
      payloadFormatVersion: '1.0',
      connectionType: 'VPC_LINK',
      connectionId: linkId,
      requestParameters: GUARDED_MAPPINGS,
      timeoutInMillis: 5000,
      tlsConfig: { serverNameToVerify: 'orders.internal.example.com' },
    });
  });

  test('should overwrite every caller header from the Lambda authorizer\'s context, and the path with the request\'s (no stage name)', () => {
    for (const key of ['GET /orders/{id}', 'ANY /files/{proxy+}', 'GET /whoami', 'GET /me']) {
      expect(byRoute[key].RequestParameters).toEqual(GUARDED_MAPPINGS);
    }
  });

  test('should give a public private route fixed caller headers, never a context value', () => {
    expect(byRoute['GET /status'].RequestParameters).toEqual(PUBLIC_MAPPINGS);
    expect(byRoute['GET /status'].route.AuthorizationType).toBe('NONE');
    expect(byRoute['GET /status']).toMatchObject({ IntegrationUri: SERVICE_ARN, ConnectionType: 'VPC_LINK', ConnectionId: linkId });
  });

  test('should take a target ARN known only at deployment, and send plain HTTP without a server name', () => {
    expect(byRoute['ANY /files/{proxy+}']).toMatchObject({ IntegrationMethod: 'ANY', IntegrationUri: { 'Fn::ImportValue': 'FilesListenerArn' }, TimeoutInMillis: 29000 });
    expect(byRoute['ANY /files/{proxy+}'].TlsConfig).toBeUndefined();
  });

  test('should guard every guarded private route with the Lambda authorizer, and say why', () => {
    const lambdaAuthorizer = Object.entries(authorizersOf(template)).filter(([, a]) => a.AuthorizerType === 'REQUEST').map(([name]) => name);
    expect(lambdaAuthorizer).toHaveLength(1);
    for (const key of ['GET /orders/{id}', 'ANY /files/{proxy+}', 'GET /whoami', 'GET /me']) {
      expect(byRoute[key].route).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: lambdaAuthorizer[0] });
    }
    const choice = Object.fromEntries(api.routeAuthorizations.map((a) => [`${a.method} ${a.path}`, a]));
    expect(choice['GET /orders/{id}']).toMatchObject({ authorizer: HttpRouteAuthorizer.LAMBDA, reason: expect.stringContaining('the route has a backend') });
    expect(choice['GET /status']).toMatchObject({ authorizer: HttpRouteAuthorizer.PUBLIC });
    expect(choice['GET /orders']).toMatchObject({ authorizer: HttpRouteAuthorizer.JWT });
  });

  test('should share one integration between routes that would get the same one, and no more', () => {
    expect(byRoute['GET /whoami'].name).toBe(byRoute['GET /me'].name);
    expect(Object.keys(integrationsOf(template))).toHaveLength(5);
  });

  test('should show the target and the VPC link in the access review', () => {
    const review = JSON.parse(api.renderAccessReview());
    const servedBy = Object.fromEntries(review.routes.map((r: any) => [`${r.method} ${r.path}`, r.servedBy]));
    expect(servedBy['GET /orders/{id}']).toBe(`HTTP backend ${LISTENER_ARN} over the HTTP API VPC link \${Orders/Link}`);
    expect(servedBy['GET /status']).toBe(`HTTP backend ${SERVICE_ARN} over the HTTP API VPC link \${Orders/Link}`);
  });

  test('should put the VPC link id, the URI, the path mapping and the TLS server name in the deployment check\'s model, and pass the API as imported', () => {
    const model = modelOf(app.synth().directory);
    const values = valuesOf(template);
    const orders = model.integrations.find((i: any) => i.name === byRoute['GET /orders/{id}'].name);
    expect(orders).toEqual({
      name: byRoute['GET /orders/{id}'].name,
      integrationType: 'HTTP_PROXY',
      integrationUri: LISTENER_ARN,
      integrationMethod: 'GET',
      payloadFormatVersion: '1.0',
      connectionType: 'VPC_LINK',
      connectionId: { value: expect.any(Number) },
      requestParameters: GUARDED_MAPPINGS,
      timeoutInMillis: '5000',
      serverNameToVerify: 'orders.internal.example.com',
    });
    expect(values[orders.connectionId.value]).toBe(linkId.Ref);
    const files = model.integrations.find((i: any) => i.name === byRoute['ANY /files/{proxy+}'].name);
    expect(values[files.integrationUri.value]).toBe('imported:FilesListenerArn');
    expect(files.serverNameToVerify).toBeUndefined();
    expect(compareHttpApi(model, values, deployedFromTemplate(template))).toEqual([]);
  });

  test('should report any single change of a deployed private integration\'s connection, target, TLS name, type or path mapping', () => {
    const model = modelOf(app.synth().directory);
    const values = valuesOf(template);
    const deployed = deployedFromTemplate(template);
    const privateIds = deployed.integrations.filter((i) => i.ConnectionType === 'VPC_LINK').map((i) => i.IntegrationId!);
    expect(privateIds).toHaveLength(4);
    const text = fc.string({ minLength: 1, maxLength: 40 });
    const change = fc.oneof(
      text.map((v) => ['ConnectionId', (i: DeployedHttpIntegration): DeployedHttpIntegration => ({ ...i, ConnectionId: v })] as const),
      fc.constant(['ConnectionId', (i: DeployedHttpIntegration): DeployedHttpIntegration => ({ ...i, ConnectionId: undefined })] as const),
      fc.constantFrom(LISTENER_ARN, NLB_LISTENER_ARN, SERVICE_ARN, 'imported:FilesListenerArn', 'https://orders.example.com').chain((uri) => fc.oneof(fc.constant(uri), text))
        .map((v) => ['IntegrationUri', (i: DeployedHttpIntegration): DeployedHttpIntegration => ({ ...i, IntegrationUri: v })] as const),
      fc.option(text, { nil: undefined })
        .map((v) => ['TlsConfig.ServerNameToVerify', (i: DeployedHttpIntegration): DeployedHttpIntegration => ({ ...i, TlsConfig: v === undefined ? undefined : { ServerNameToVerify: v } })] as const),
      fc.constantFrom('INTERNET', 'VPC_LINK', undefined)
        .map((v) => ['ConnectionType', (i: DeployedHttpIntegration): DeployedHttpIntegration => ({ ...i, ConnectionType: v })] as const),
      fc.constantFrom('HTTP', 'AWS_PROXY', 'AWS', 'MOCK', 'HTTP_PROXY')
        .map((v) => ['IntegrationType', (i: DeployedHttpIntegration): DeployedHttpIntegration => ({ ...i, IntegrationType: v })] as const),
      fc.constantFrom(undefined, '$request.path.proxy', '/', '/prod$request.path')
        .map((v) => ['RequestParameters', (i: DeployedHttpIntegration): DeployedHttpIntegration => {
          const { 'overwrite:path': _path, ...rest } = i.RequestParameters ?? {};
          return { ...i, RequestParameters: v === undefined ? rest : { ...rest, 'overwrite:path': v } };
        }] as const),
    );
    fc.assert(fc.property(fc.constantFrom(...privateIds), change, (id, [field, edit]) => {
      const before = deployed.integrations.find((i) => i.IntegrationId === id)!;
      const after = edit(before);
      const changed: DeployedHttpApi = { ...deployed, integrations: deployed.integrations.map((i) => (i === before ? after : i)) };
      const diffs = compareHttpApi(model, values, changed);
      if (JSON.stringify(after) === JSON.stringify(before)) {
        expect(diffs).toEqual([]);
      } else {
        expect(diffs).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^integration ${id} .*: ${field.replace('.', '\\.')} `))]));
      }
    }), { numRuns: 300, seed: 20261208 });
  });
});

/** The integration as the definition writes it. */
function apiBodyIntegration(template: Template, name: string): any {
  const api = Object.values<any>(template.findResources('AWS::ApiGatewayV2::Api'))[0];
  return api.Properties.Body.components['x-amazon-apigateway-integrations'][name];
}

describe('RouteBackend.privateIntegration refusals', () => {
  const refusals: Array<[string, string, (link: apigwv2.IVpcLink) => RouteBackend, RegExp]> = [
    ['a load balancer\'s ARN (not its listener\'s)', 'SecuredHttpApi.InvalidPrivateIntegrationTarget',
      (link) => RouteBackend.privateIntegration(link, 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/orders/50dc6c495c0c9188'),
      /^Orders\/Api: route GET \/x: RouteBackend\.privateIntegration\(\.\.\.\) targets "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer\/app\/orders\/50dc6c495c0c9188", which is neither a load balancer listener's ARN .* nor a Cloud Map service's .*; pass e\.g\. listener\.listenerArn \(not the load balancer's ARN\) or service\.serviceArn\./],
    ['a function\'s ARN', 'SecuredHttpApi.InvalidPrivateIntegrationTarget',
      (link) => RouteBackend.privateIntegration(link, 'arn:aws:lambda:eu-west-1:123456789012:function:orders'), /targets "arn:aws:lambda:/],
    ['a Cloud Map namespace\'s ARN', 'SecuredHttpApi.InvalidPrivateIntegrationTarget',
      (link) => RouteBackend.privateIntegration(link, 'arn:aws:servicediscovery:eu-west-1:123456789012:namespace/ns-abc'), /targets "arn:aws:servicediscovery:/],
    ['a URL', 'SecuredHttpApi.InvalidPrivateIntegrationTarget',
      (link) => RouteBackend.privateIntegration(link, 'http://internal-orders.eu-west-1.elb.amazonaws.com/orders'), /targets "http:/],
    ['an empty ARN', 'SecuredHttpApi.InvalidPrivateIntegrationTarget', (link) => RouteBackend.privateIntegration(link, ''), /targets ""/],
    ['a token in the wrong service', 'SecuredHttpApi.InvalidPrivateIntegrationTarget',
      (link) => RouteBackend.privateIntegration(link, `arn:aws:lambda:eu-west-1:123456789012:function:${Fn.importValue('Name')}`), /targets "arn:aws:lambda:/],
    ['a server name with a scheme', 'SecuredHttpApi.InvalidServerNameToVerify',
      (link) => RouteBackend.privateIntegration(link, LISTENER_ARN, { serverNameToVerify: 'https://orders.internal.example.com' }),
      /^Orders\/Api: route GET \/x: serverNameToVerify "https:\/\/orders\.internal\.example\.com" is not a DNS name .*; pass the name the certificate is issued for, without scheme, port or path/],
    ['a server name with a port', 'SecuredHttpApi.InvalidServerNameToVerify',
      (link) => RouteBackend.privateIntegration(link, LISTENER_ARN, { serverNameToVerify: 'orders.internal.example.com:443' }), /serverNameToVerify "orders\.internal\.example\.com:443"/],
    ['an empty server name', 'SecuredHttpApi.InvalidServerNameToVerify',
      (link) => RouteBackend.privateIntegration(link, LISTENER_ARN, { serverNameToVerify: '' }), /serverNameToVerify ""/],
    ['a timeout over 29 s', 'SecuredApi.InvalidBackendTimeout',
      (link) => RouteBackend.privateIntegration(link, LISTENER_ARN, { timeout: Duration.seconds(30) }), /^Orders\/Api: route GET \/x: backend timeout 30 seconds is outside API Gateway's 50 ms to 29 s/],
    ['a timeout under 50 ms', 'SecuredApi.InvalidBackendTimeout',
      (link) => RouteBackend.privateIntegration(link, LISTENER_ARN, { timeout: Duration.millis(10) }), /backend timeout 10 millis/],
    ['no VPC link', 'SecuredHttpApi.MissingVpcLink',
      () => RouteBackend.privateIntegration(undefined as unknown as apigwv2.IVpcLink, LISTENER_ARN), /^Orders\/Api: route GET \/x: RouteBackend\.privateIntegration\(\.\.\.\) has the VPC link null, which names no AWS::ApiGatewayV2::VpcLink; pass an apigwv2\.VpcLink/],
  ];
  test.each(refusals)('should refuse %s with %s', (_name, code, backend, message) => {
    const { stack, link } = stackOf();
    const api = new SecuredHttpApi(stack, 'Api', { issuer: ISSUER, dashboard: false, alarms: false, auditQueries: false });
    expect(() => api.addRoute({ method: HttpMethod.GET, path: '/x', backend: backend(link) }))
      .toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }));
  });

  test('should take the targets AWS names, written out or known only at deployment, and DNS names to verify', () => {
    const { stack, link } = stackOf();
    const api = new SecuredHttpApi(stack, 'Api', { issuer: ISSUER, dashboard: false, alarms: false, auditQueries: false });
    const targets = [
      LISTENER_ARN, NLB_LISTENER_ARN, SERVICE_ARN,
      'arn:aws-cn:elasticloadbalancing:cn-north-1:123456789012:listener/net/files/50dc6c495c0c9188/0467ef3c8400ae65',
      Fn.importValue('ListenerArn'),
      `arn:${Stack.of(stack).partition}:elasticloadbalancing:${Stack.of(stack).region}:123456789012:listener/${Fn.importValue('ListenerPath')}`,
      `arn:aws:servicediscovery:eu-west-1:123456789012:service/${Fn.importValue('ServiceId')}`,
    ];
    const names = ['orders.internal.example.com', '*.internal.example.com', 'localhost', Fn.importValue('ServerName')];
    targets.forEach((arn, i) => api.addRoute({ method: HttpMethod.GET, path: `/t${i}`, backend: RouteBackend.privateIntegration(link, arn, { serverNameToVerify: names[i % names.length] }) }));
    expect(Object.keys(integrationsOf(Template.fromStack(stack)))).toHaveLength(targets.length);
  });

  test('should make one integration per VPC link, and per server name, for the same target', () => {
    const { stack, link } = stackOf();
    const other = new apigwv2.VpcLink(stack, 'OtherLink', { vpc: link.vpc, subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
    new SecuredHttpApi(stack, 'Api', {
      issuer: ISSUER,
      dashboard: false,
      alarms: false,
      auditQueries: false,
      routes: [
        { method: HttpMethod.GET, path: '/a', backend: RouteBackend.privateIntegration(link, LISTENER_ARN) },
        { method: HttpMethod.GET, path: '/b', backend: RouteBackend.privateIntegration(other, LISTENER_ARN) },
        { method: HttpMethod.GET, path: '/c', backend: RouteBackend.privateIntegration(link, LISTENER_ARN, { serverNameToVerify: 'orders.internal.example.com' }) },
        { method: HttpMethod.GET, path: '/d', backend: RouteBackend.privateIntegration(link, LISTENER_ARN) },
      ],
    });
    const byRoute = integrationsByRoute(Template.fromStack(stack));
    expect(new Set(['GET /a', 'GET /b', 'GET /c'].map((k) => byRoute[k].name)).size).toBe(3);
    expect(byRoute['GET /d'].name).toBe(byRoute['GET /a'].name);
    expect([byRoute['GET /a'].ConnectionId, byRoute['GET /b'].ConnectionId]).toEqual([stack.resolve(link.vpcLinkId), stack.resolve(other.vpcLinkId)]);
  });

  test('should refuse it on a SecuredApi (REST API), naming the REST VPC link instead', () => {
    const { stack, link } = stackOf();
    const rest = new SecuredApi(stack, 'Rest', { issuer: ISSUER, dashboard: false, alarms: false, auditQueries: false });
    expect(() => rest.addRoute({ method: HttpMethod.GET, path: '/orders', backend: RouteBackend.privateIntegration(link, LISTENER_ARN) }))
      .toThrow(expect.objectContaining({
        code: 'SecuredApi.HttpVpcLinkNotSupported',
        message: expect.stringMatching(/^Orders\/Rest: route GET \/orders has RouteBackend\.privateIntegration\(\.\.\.\), an HTTP API private integration .* which a REST API cannot be given: .*; serve the route with RouteBackend\.vpcLink\(restVpcLink, url\) .*, or put it on a SecuredHttpApi\./),
      }));
  });
});

describe('SecuredHttpApi with private backends and cdk-nag', () => {
  test('should leave no AwsSolutions finding on the API', () => {
    const { app, stack, link } = stackOf();
    privateApi(stack, link);
    expect(nagFindings(app).filter((f) => f.includes(' Orders/Api/'))).toEqual([]);
  });
});

describe('SecuredHttpApi private backends in the test kit', () => {
  const AUDIENCE = 'api://private';
  let work: string;
  let issuer: LocalIssuer;
  let kit: SynthesizedHttpApi;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'secured-http-api-private-'));
    issuer = await LocalIssuer.start({ issuer: 'https://issuer.example.com' });
    const outdir = join(work, 'cdk.out');
    const { app, stack, link } = stackOf(new App({ outdir }));
    new SecuredHttpApi(stack, 'Api', {
      issuer: OidcIssuer.fromUrl('https://issuer.example.com', { audiences: [AUDIENCE] }),
      dashboard: false,
      alarms: false,
      auditQueries: false,
      routes: [
        { method: HttpMethod.GET, path: '/orders/{id}', scopes: ['orders:read'], backend: RouteBackend.privateIntegration(link, LISTENER_ARN) },
        { method: HttpMethod.GET, path: '/status', public: true, backend: RouteBackend.privateIntegration(link, SERVICE_ARN) },
      ],
    });
    app.synth();
    kit = await SynthesizedHttpApi.fromCloudAssembly(outdir, { issuerOverride: { jwksUri: issuer.jwksUri } });
  }, 180_000);

  afterAll(async () => {
    await kit?.stop();
    await issuer?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('should answer backendHeaders with the authorizer\'s caller values, never the client\'s', async () => {
    const token = await issuer.token({ aud: AUDIENCE, sub: 'alice', claims: { scope: 'orders:read' } });
    const res = await kit.request({ method: 'GET', path: '/orders/7', token, headers: { 'x-secured-api-sub': 'admin', 'X-Request-Id': 'r-1' } });
    expect(res).toMatchObject({ status: 200, authorizationType: 'CUSTOM' });
    expect(res.backendHeaders).toMatchObject({
      'X-Secured-Api-Principal': 'sub:alice', 'X-Secured-Api-Sub': 'alice', 'X-Secured-Api-Scopes': 'orders:read', 'X-Request-Id': 'r-1',
    });
    expect(Object.keys(res.backendHeaders!).filter((h) => h.toLowerCase() === 'x-secured-api-sub')).toEqual(['X-Secured-Api-Sub']);
  });

  test('should refuse a token without the route\'s scope before the backend', async () => {
    const token = await issuer.token({ aud: AUDIENCE, sub: 'alice', claims: { scope: 'orders:write' } });
    const res = await kit.request({ method: 'GET', path: '/orders/7', token });
    expect(res.status).toBe(403);
    expect(res.backendHeaders).toBeUndefined();
  });

  test('should give a public route the fixed caller headers', async () => {
    const res = await kit.request({ method: 'GET', path: '/status', headers: { 'X-Secured-Api-Principal': 'sub:admin' } });
    expect(res.status).toBe(200);
    expect(res.backendHeaders).toMatchObject({ 'X-Secured-Api-Principal': 'public', 'X-Secured-Api-Sub': '-' });
  });
});
