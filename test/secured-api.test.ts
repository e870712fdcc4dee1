import * as fs from 'node:fs';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { ClaimRule, HttpMethod, OidcIssuer, SecuredApi, SecuredApiProps, SecuredApiRoute } from '../src';
import { acknowledgements, authorizerConfigJson, nagFindings } from './support/cdk';
import { authorizationOf, definitionOf, operationsOf } from './support/definition';
import { okHandler as handler, ordersStack as makeStack } from './support/orders-api';

const ISSUER = OidcIssuer.fromUrl('https://issuer.example.com', { audiences: ['api://orders'] });

/** The Orders API of the README: list, create, get, and a public health check. */
function ordersApi(stack: Stack, props: Partial<SecuredApiProps> = {}): SecuredApi {
  const list = handler(stack, 'List');
  const create = handler(stack, 'Create');
  const get = handler(stack, 'Get');
  const health = handler(stack, 'Health');
  return new SecuredApi(stack, 'Api', {
    issuer: ISSUER,
    apiName: 'orders',
    routes: [
      { method: HttpMethod.GET, path: '/orders', handler: list, scopes: ['orders:read'] },
      { method: HttpMethod.POST, path: '/orders', handler: create, scopes: ['orders:write'], throttle: { rateLimit: 10, burstLimit: 20 } },
      { method: HttpMethod.GET, path: '/orders/{id}', handler: get, scopes: ['orders:read'], claimRules: [ClaimRule.equalTo('tenant', 'acme')] },
      { method: HttpMethod.GET, path: '/health', handler: health, public: true },
    ],
    ...props,
  });
}

/** The logical id named by an invocation URI's Fn::Sub, e.g. `${List1234.Arn}`. */
/**
 * A stack 'Big' (of an app of its own) with 50 functions, and 1,000 routes over them: 25 collections
 * x 10 item paths (250 paths) x GET, POST, PUT, DELETE, each with its collection's read or write
 * scope, or public where `isPublic(i)`.
 */
function thousandRoutes(isPublic: (i: number) => boolean): { app: App; stack: Stack; routes: SecuredApiRoute[] } {
  const app = new App();
  const stack = new Stack(app, 'Big', { env: { account: '123456789012', region: 'eu-west-1' } });
  const functions = Array.from({ length: 50 }, (_, i) => handler(stack, `Fn${i}`));
  const methods = [HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE];
  const routes: SecuredApiRoute[] = Array.from({ length: 1000 }, (_, i) => ({
    method: methods[i % 4],
    path: `/collection${Math.floor(i / 40)}/items${Math.floor(i / 4) % 10}/{id}`,
    handler: functions[i % 50],
    ...(isPublic(i) ? { public: true } : { scopes: [`c${Math.floor(i / 40)}:${methods[i % 4] === HttpMethod.GET ? 'read' : 'write'}`] }),
  }));
  return { app, stack, routes };
}

function functionOfUri(uri: any): string | undefined {
  return /functions\/\$\{([A-Za-z0-9]+)\.Arn\}\/invocations$/.exec(uri?.['Fn::Sub'] ?? '')?.[1];
}

describe('SecuredApi', () => {
  test('should guard every non-public route with the one shared authorizer in its definition', () => {
    // GIVEN
    const { stack } = makeStack();

    // WHEN
    ordersApi(stack);

    // THEN
    const template = Template.fromStack(stack);
    // Nothing but the definition: no method, resource, authorizer or gateway response resources.
    for (const type of ['Method', 'Resource', 'Authorizer', 'GatewayResponse', 'RequestValidator']) {
      template.resourceCountIs(`AWS::ApiGateway::${type}`, 0);
    }
    const operations = [...operationsOf(definitionOf(template))].map(([route, op]) => ({ route, security: op.security, read: authorizationOf(op) }));
    const guarded = { security: [{ tokenAuthorizer: [] }], read: { authorizer: 'tokenAuthorizer', apiKeyRequired: false } };
    expect(operations.sort((a, b) => a.route.localeCompare(b.route))).toEqual([
      { route: 'GET /health', security: [], read: { apiKeyRequired: false } },
      { route: 'GET /orders', ...guarded },
      { route: 'GET /orders/{id}', ...guarded },
      { route: 'POST /orders', ...guarded },
    ]);
    expect(definitionOf(template).security).toBeUndefined();
    expect(Object.keys(definitionOf(template).components.securitySchemes)).toEqual(['tokenAuthorizer']);
  });

  test('should declare the authorizer on the Authorization header with a 300 s cache', () => {
    // GIVEN
    const { stack } = makeStack();

    // WHEN
    ordersApi(stack);

    // THEN
    const template = Template.fromStack(stack);
    const scheme = definitionOf(template).components.securitySchemes.tokenAuthorizer;
    expect(scheme).toEqual({
      'type': 'apiKey',
      'name': 'Authorization',
      'in': 'header',
      'x-amazon-apigateway-authtype': 'custom',
      'x-amazon-apigateway-authorizer': {
        type: 'request',
        identitySource: 'method.request.header.Authorization',
        authorizerUri: { 'Fn::Sub': expect.stringMatching(/^arn:\$\{AWS::Partition\}:apigateway:\$\{AWS::Region\}:lambda:path\/2015-03-31\/functions\/\$\{ApiAuthorizerHandler[A-F0-9]{8}\.Arn\}\/invocations$/) },
        authorizerResultTtlInSeconds: 300,
      },
    });
  });

  test('should run the authorizer pinned, with the issuer in its environment', () => {
    // GIVEN
    const { stack } = makeStack();

    // WHEN
    ordersApi(stack);

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Environment: {
        Variables: {
          SECURED_API_ISSUER: 'https://issuer.example.com',
          SECURED_API_AUDIENCES: '["api://orders"]',
          SECURED_API_JWKS_URI: 'https://issuer.example.com/.well-known/jwks.json',
        },
      },
    });
  });

  test('should let API Gateway invoke each function only through this API', () => {
    // GIVEN
    const { stack } = makeStack();

    // WHEN
    ordersApi(stack);

    // THEN
    const template = Template.fromStack(stack);
    const apiId = Object.keys(template.findResources('AWS::ApiGateway::RestApi'))[0];
    const executeApi = (rest: unknown[]) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':execute-api:eu-west-1:123456789012:', { Ref: apiId }, ...rest]],
    });
    const permissions = Object.values<any>(template.findResources('AWS::Lambda::Permission')).map((p) => p.Properties);
    // One per backend function (4) and one for the authorizer.
    expect(permissions).toHaveLength(5);
    for (const p of permissions) {
      expect(p.Principal).toBe('apigateway.amazonaws.com');
      expect(p.Action).toBe('lambda:InvokeFunction');
    }
    const byFunction = new Map(permissions.map((p) => [p.FunctionName['Fn::GetAtt'][0], p.SourceArn]));
    for (const fn of ['List', 'Create', 'Get', 'Health']) {
      const id = [...byFunction.keys()].find((k) => k.startsWith(fn));
      expect(id && byFunction.get(id)).toEqual(executeApi(['/*/*/*']));
    }
    const authorizerFn = [...byFunction.keys()].find((k) => k.startsWith('ApiAuthorizerHandler'));
    // The authorizer's id exists only once API Gateway imports the definition: any authorizer of this API.
    expect(authorizerFn && byFunction.get(authorizerFn)).toEqual(executeApi(['/authorizers/*']));
  });

  test('should serve routes through Lambda proxy integrations, each operation declaring its path parameters and responses as API Gateway\'s export does', () => {
    // GIVEN
    const { stack } = makeStack();

    // WHEN
    ordersApi(stack);

    // THEN
    const template = Template.fromStack(stack);
    const definition = definitionOf(template);
    expect(definition.paths['/orders/{id}'].get.parameters).toEqual([{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }]);
    expect(definition.paths['/orders'].get.parameters).toBeUndefined();
    for (const [route, op] of operationsOf(definition)) {
      expect([route, op.responses]).toEqual([route, {}]);
    }
    // Nothing on the path items but operations.
    expect(Object.values<any>(definition.paths).flatMap((item) => Object.keys(item).filter((k) => k === 'parameters'))).toEqual([]);
    const byRoute = new Map([...operationsOf(definitionOf(template))].map(([route, op]) => [route, op['x-amazon-apigateway-integration']]));
    const functionIds = Object.keys(template.findResources('AWS::Lambda::Function'));
    for (const [route, fn] of [['GET /orders', 'List'], ['POST /orders', 'Create'], ['GET /orders/{id}', 'Get'], ['GET /health', 'Health']]) {
      const integration = byRoute.get(route);
      expect(integration).toMatchObject({ type: 'aws_proxy', httpMethod: 'POST' });
      const id = functionOfUri(integration.uri);
      expect([route, id && functionIds.includes(id) && id.startsWith(fn)]).toEqual([route, true]);
    }
    expect(definition['x-amazon-apigateway-request-validators']).toEqual({ 'params-and-body': { validateRequestParameters: true, validateRequestBody: true } });
    expect(definition['x-amazon-apigateway-request-validator']).toBe('params-and-body');
  });

  test('should integrate functions of other stacks and imported functions by their ARN', () => {
    // GIVEN
    const app = new App();
    const env = { account: '123456789012', region: 'eu-west-1' };
    const backends = new Stack(app, 'Backends', { env });
    const other = handler(backends, 'Other');
    const { stack } = { stack: new Stack(app, 'Orders', { env }) };
    const imported = lambda.Function.fromFunctionArn(stack, 'Imported', 'arn:aws:lambda:eu-west-1:123456789012:function:legacy');

    // WHEN
    new SecuredApi(stack, 'Api', {
      issuer: ISSUER,
      routes: [
        { method: HttpMethod.GET, path: '/other', handler: other, scopes: ['a'] },
        { method: HttpMethod.GET, path: '/legacy', handler: imported, scopes: ['a'] },
      ],
    });

    // THEN
    const byRoute = new Map([...operationsOf(definitionOf(Template.fromStack(stack)))].map(([route, op]) => [route, op['x-amazon-apigateway-integration'].uri]));
    expect(JSON.stringify(byRoute.get('GET /other'))).toMatch(/"Fn::ImportValue":"Backends:ExportsOutputFnGetAttOther[A-F0-9]+Arn/);
    expect(JSON.stringify(byRoute.get('GET /legacy'))).toContain('function:legacy/invocations');
    // The other stack's function is allowed from this stack: no reference back from Backends to Orders.
    Template.fromStack(backends).resourceCountIs('AWS::Lambda::Permission', 0);
    const permissions = Object.values<any>(Template.fromStack(stack).findResources('AWS::Lambda::Permission')).map((p) => JSON.stringify(p.Properties.FunctionName));
    expect(permissions.filter((f) => f.includes('Fn::ImportValue'))).toHaveLength(1);
    expect(permissions.filter((f) => f.includes('function:legacy'))).toHaveLength(1);
  });

  test('should redeploy the stage exactly when the definition changes', () => {
    const deploymentId = (build: (api: SecuredApi, stack: Stack) => void) => {
      const { stack } = makeStack();
      build(ordersApi(stack), stack);
      const deployments = Object.keys(Template.fromStack(stack).findResources('AWS::ApiGateway::Deployment'));
      expect(deployments).toHaveLength(1);
      return deployments[0];
    };
    const same = deploymentId(() => {});
    expect(deploymentId(() => {})).toBe(same);
    expect(deploymentId((api, stack) => api.addRoute({ method: HttpMethod.DELETE, path: '/orders/{id}', handler: handler(stack, 'Delete'), scopes: ['orders:admin'] }))).not.toBe(same);
    // A route turned public changes only an operation's security.
    const { stack } = makeStack();
    const health = handler(stack, 'Health');
    const api = new SecuredApi(stack, 'Api', { issuer: ISSUER, apiName: 'orders', routes: [{ method: HttpMethod.GET, path: '/health', handler: health, public: true }] });
    const publicId = Object.keys(Template.fromStack(stack).findResources('AWS::ApiGateway::Deployment'))[0];
    const { stack: stack2 } = makeStack();
    new SecuredApi(stack2, 'Api', { issuer: ISSUER, apiName: 'orders', routes: [{ method: HttpMethod.GET, path: '/health', handler: handler(stack2, 'Health') }] });
    expect(Object.keys(Template.fromStack(stack2).findResources('AWS::ApiGateway::Deployment'))[0]).not.toBe(publicId);
    expect(api).toBeDefined();
  });

  test('should import the definition in overwrite mode as a regional endpoint', () => {
    // GIVEN
    const { stack } = makeStack();

    // WHEN
    ordersApi(stack, { description: 'Orders of acme' });

    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      Name: 'orders',
      Mode: 'overwrite',
      EndpointConfiguration: { Types: ['REGIONAL'] },
      Parameters: { endpointConfigurationTypes: 'REGIONAL' },
    });
    expect(definitionOf(template).info).toEqual({ title: 'orders', version: '1', description: 'Orders of acme' });
  });

  test('should log access as JSON to its own log group, with execution logging off', () => {
    // GIVEN
    const { stack } = makeStack();

    // WHEN
    ordersApi(stack);

    // THEN
    const template = Template.fromStack(stack);
    const stage = Object.values<any>(template.findResources('AWS::ApiGateway::Stage'))[0].Properties;
    expect(stage.StageName).toBe('prod');
    expect(stage.TracingEnabled).toBe(true);
    expect(stage.AccessLogSetting.DestinationArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ApiAccessLogs/), 'Arn'] });
    const format = JSON.parse(stage.AccessLogSetting.Format);
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      resourcePath: '$context.resourcePath',
      status: '$context.status',
      principalId: '$context.authorizer.principalId',
    });
    expect(Object.values(format).every((v) => typeof v === 'string' && !/header|querystring|\$context\.path/i.test(v as string))).toBe(true);
    expect(stage.MethodSettings).toContainEqual({
      HttpMethod: '*',
      ResourcePath: '/*',
      LoggingLevel: 'OFF',
      DataTraceEnabled: false,
      MetricsEnabled: false,
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      Name: 'orders',
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
  });

  test('should throttle per route through the stage method settings', () => {
    // GIVEN
    const { stack } = makeStack();

    // WHEN
    const api = ordersApi(stack, { throttle: { rateLimit: 100, burstLimit: 200 } });
    api.addRoute({ method: HttpMethod.ANY, path: '/', handler: handler(stack, 'Root'), throttle: { rateLimit: 1 } });

    // THEN
    const stage = Object.values<any>(Template.fromStack(stack).findResources('AWS::ApiGateway::Stage'))[0].Properties;
    expect(stage.MethodSettings).toEqual([
      { HttpMethod: '*', ResourcePath: '/*', LoggingLevel: 'OFF', DataTraceEnabled: false, MetricsEnabled: false, ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
      { HttpMethod: 'POST', ResourcePath: '/~1orders', LoggingLevel: 'OFF', DataTraceEnabled: false, MetricsEnabled: false, ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
      { HttpMethod: '*', ResourcePath: '/', LoggingLevel: 'OFF', DataTraceEnabled: false, MetricsEnabled: false, ThrottlingRateLimit: 1 },
    ]);
  });

  test('should answer 401 and 403 with fixed JSON bodies', () => {
    // GIVEN
    const { stack } = makeStack();

    // WHEN
    ordersApi(stack);

    // THEN
    const error = (message: string) => ({ 'application/json': `{"message":"${message}","requestId":"$context.requestId"}` });
    expect(definitionOf(Template.fromStack(stack))['x-amazon-apigateway-gateway-responses']).toEqual({
      UNAUTHORIZED: { statusCode: '401', responseParameters: { 'gatewayresponse.header.WWW-Authenticate': "'Bearer'" }, responseTemplates: error('Unauthorized') },
      ACCESS_DENIED: { statusCode: '403', responseTemplates: error('Forbidden') },
      AUTHORIZER_FAILURE: { statusCode: '500', responseTemplates: error('Internal server error') },
      AUTHORIZER_CONFIGURATION_ERROR: { statusCode: '500', responseTemplates: error('Internal server error') },
    });
  });

  test('should write guarded routes only, added before or after construction, into config.json', () => {
    // GIVEN
    const { app, stack } = makeStack();
    const api = ordersApi(stack);

    // WHEN
    api.addRoute({ method: HttpMethod.DELETE, path: '/orders/{id}', handler: handler(stack, 'Delete'), scopes: ['orders:admin'] });

    // THEN
    const config = authorizerConfigJson(app, stack);
    expect(config.serviceName).toBe('orders');
    expect(config.cacheMode).toBe('token');
    expect(config.routes).toEqual([
      { method: 'GET', resource: '/orders', arnPath: 'orders', scopes: ['orders:read'], claimRules: [], overlaps: [] },
      { method: 'POST', resource: '/orders', arnPath: 'orders', scopes: ['orders:write'], claimRules: [], overlaps: [] },
      { method: 'DELETE', resource: '/orders/{id}', arnPath: 'orders/*', scopes: ['orders:admin'], claimRules: [], overlaps: [] },
      {
        method: 'GET',
        resource: '/orders/{id}',
        arnPath: 'orders/*',
        scopes: ['orders:read'],
        claimRules: [{ claim: 'tenant', op: 'equals', value: 'acme' }],
        overlaps: [],
      },
    ]);
  });

  test('should synthesize an API of public routes only', () => {
    // GIVEN
    const { app, stack } = makeStack();

    // WHEN
    new SecuredApi(stack, 'Api', {
      issuer: ISSUER,
      routes: [{ method: HttpMethod.GET, path: '/health', handler: handler(stack, 'Health'), public: true }],
    });

    // THEN
    expect(authorizerConfigJson(app, stack).routes).toEqual([]);
    expect([...operationsOf(definitionOf(Template.fromStack(stack)))].map(([route, op]) => [route, op.security])).toEqual([['GET /health', []]]);
  });

  test('should keep the environment small and the whole route table in config.json for 300 routes', () => {
    // GIVEN
    const { app, stack } = makeStack();
    const handlers = [0, 1, 2].map((i) => handler(stack, `Handler${i}`));
    // Five methods on two resources per collection: 300 methods on 120 resources stay within
    // CloudFormation's 500 resources per stack.
    const routes: SecuredApiRoute[] = [];
    for (let i = 0; i < 60; i++) {
      routes.push({ method: HttpMethod.GET, path: `/collection${i}`, handler: handlers[0], scopes: [`c${i}:read`] });
      routes.push({ method: HttpMethod.POST, path: `/collection${i}`, handler: handlers[0], scopes: [`c${i}:write`] });
      routes.push({ method: HttpMethod.GET, path: `/collection${i}/{id}`, handler: handlers[1], scopes: [`c${i}:read`] });
      routes.push({ method: HttpMethod.PUT, path: `/collection${i}/{id}`, handler: handlers[2], scopes: [`c${i}:write`] });
      routes.push({ method: HttpMethod.DELETE, path: `/collection${i}/{id}`, handler: handlers[2], scopes: [`c${i}:admin`] });
    }

    // WHEN
    new SecuredApi(stack, 'Api', { issuer: ISSUER, routes, resultsCacheTtl: Duration.minutes(1) });

    // THEN
    const config = authorizerConfigJson(app, stack);
    expect(config.routes).toHaveLength(300);
    expect(new Set(config.routes.map((r: any) => `${r.method} ${r.resource}`)).size).toBe(300);
    const template = Template.fromStack(stack);
    const authorizerFn = Object.values<any>(template.findResources('AWS::Lambda::Function')).find((r) => r.Properties.Environment?.Variables?.SECURED_API_ISSUER);
    const env: Record<string, string> = authorizerFn.Properties.Environment.Variables;
    const envBytes = Object.entries(env).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
    expect(envBytes).toBeLessThan(4096);
    expect(operationsOf(definitionOf(template)).size).toBe(300);
    // One permission per backend function, not per method.
    template.resourceCountIs('AWS::Lambda::Permission', 4);
  });

  test('should fit 1,000 routes (250 paths x 4 methods over 50 functions) in one stack, within 500 resources and 1 MB', () => {
    // GIVEN: every hundredth route public
    const { app, stack, routes } = thousandRoutes((i) => i % 100 === 0);

    // WHEN
    new SecuredApi(stack, 'Api', { issuer: ISSUER, routes });
    const artifact = app.synth().getStackByName('Big');

    // THEN
    const template = artifact.template;
    const resources = Object.values<any>(template.Resources);
    // Per function: the function, its role and one permission for the API; the rest does not grow
    // (the deployment check's 6 resources included: function, role, 2 policies, log group, custom resource).
    expect(resources.length).toBe(50 * 3 + 30);
    const bytes = fs.statSync(artifact.templateFullPath).size;
    expect(bytes).toBeLessThan(1_000_000);
    const body = resources.find((r) => r.Type === 'AWS::ApiGateway::RestApi').Properties.Body;
    let operations = 0;
    for (const [resource, item] of Object.entries<Record<string, any>>(body.paths)) {
      for (const [key, op] of Object.entries(item)) {
        operations++;
        const route = routes.find((r) => r.path === resource && r.method.toLowerCase() === key)!;
        expect([key, resource, op.security]).toEqual([key, resource, route.public ? [] : [{ tokenAuthorizer: [] }]]);
      }
    }
    expect(operations).toBe(1000);
    // 250 paths of 3 segments under 25 collections: 25 + 250 + 250 resources and the root.
    expect(artifact.messages.map((m) => m.entry.data)).toEqual([expect.stringMatching(/^The REST API has 526 API Gateway resources/)]);
  });

  test('should fit 1,000 routes with CORS for three origins and quotas for 50 clients in 1 MB, with room to spare, in a stack as made by default', () => {
    // GIVEN: every route guarded. The default template file is JSON indented by one space per
    // level: at this size about 38% of it is indentation (figures in docs/performance.md), and the API
    // has its stack write it without.
    const { app, stack, routes } = thousandRoutes(() => false);
    const tiers = ['gold', 'silver', 'bronze'];

    // WHEN
    new SecuredApi(stack, 'Api', {
      issuer: ISSUER,
      routes,
      cors: { allowOrigins: ['https://app.example.com', 'https://admin.example.com', 'http://localhost:3000'] },
      quotas: {
        tiers: tiers.map((name) => ({ name, rateLimit: 100, burstLimit: 200, quotaLimit: 100_000, quotaPeriod: apigateway.Period.DAY })),
        clients: Array.from({ length: 50 }, (_, i) => ({ clientId: `client-${i}`, tier: tiers[i % 3] })),
      },
    });
    const artifact = app.synth().getStackByName('Big');

    // THEN
    // The file the CLI uploads, as written. Headroom for the deployment check's custom resource (its properties: a few KB).
    const written = fs.readFileSync(artifact.templateFullPath, 'utf8');
    expect(written.length).toBeLessThan(1_000_000 - 40_000);
    expect(written).not.toContain('\n');
    expect(artifact.messages.map((m) => [m.level, m.entry.data])).toContainEqual(['info',
      expect.stringMatching(/^cdk-secured-api: this stack's template is 1,\d{3},\d{3} characters indented, over CloudFormation's 1,000,000-byte limit, so it is written without indentation/)]);
    const ops = operationsOf(definitionOf(Template.fromJSON(artifact.template)));
    expect(ops.size).toBe(1000 + 250);
    for (const [route, op] of ops) {
      const preflight = route.startsWith('OPTIONS ');
      expect([route, authorizationOf(op)]).toEqual([route, preflight ? { apiKeyRequired: false } : { authorizer: 'tokenAuthorizer', apiKeyRequired: true }]);
      if (!preflight) {
        expect([route, op.parameters?.map((p: any) => p.name), op.responses]).toEqual([route, ['id'], {}]);
      }
    }
  });

  test('should import its definition with FailOnWarnings, in overwrite mode', () => {
    // GIVEN
    const { stack } = makeStack();

    // WHEN
    ordersApi(stack);

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::RestApi', { FailOnWarnings: true, Mode: 'overwrite' });
  });

  test('should fail synth, naming the API and the fix, when it has no routes', () => {
    // GIVEN
    const { stack } = makeStack();

    // WHEN
    new SecuredApi(stack, 'Api', { issuer: ISSUER });

    // THEN
    expect(() => Template.fromStack(stack)).toThrow(/Orders\/Api has no routes, and API Gateway refuses to deploy a REST API without methods \("The REST API doesn't contain any methods"\); add routes with the routes prop or addRoute\(\)/);
  });

  test('should synthesize when the routes come only through addRoute', () => {
    // GIVEN
    const { stack } = makeStack();
    const api = new SecuredApi(stack, 'Api', { issuer: ISSUER });

    // WHEN
    api.addRoute({ method: HttpMethod.GET, path: '/health', handler: handler(stack, 'Health'), public: true });

    // THEN
    expect(operationsOf(definitionOf(Template.fromStack(stack))).size).toBe(1);
  });

  test('should refuse to hand out an AWS::ApiGateway::Authorizer for the authorizer its definition declares', () => {
    // GIVEN
    const { stack } = makeStack();
    const api = ordersApi(stack);

    // WHEN / THEN
    expect(() => api.authorizer.authorizer).toThrow(
      'Orders/Api/Authorizer: this authorizer is declared in the OpenAPI definition of a SecuredApi, which guards its routes with it; add routes with the SecuredApi\'s addRoute() rather than passing the authorizer to methods.',
    );
  });

  describe('validation', () => {
    function expectError(route: Partial<SecuredApiRoute>, message: RegExp | string, code?: string) {
      const { stack } = makeStack();
      const api = ordersApi(stack);
      const fn = handler(stack, 'X');
      const add = () => api.addRoute({ method: HttpMethod.GET, path: '/x', handler: fn, ...route });
      expect(add).toThrow(message);
      if (code !== undefined) expect(add).toThrow(expect.objectContaining({ code }));
    }

    test('should refuse a public route with scopes', () => {
      expectError(
        { public: true, scopes: ['orders:read'] },
        'Orders/Api: route GET /x is public but has scopes or claim rules, which a public route never checks; remove public: true to guard it, or remove its scopes and claim rules.',
        'SecuredApi.PublicRouteWithScopes',
      );
    });

    test('should refuse a public route with claim rules', () => {
      expectError({ public: true, claimRules: [ClaimRule.equalTo('tenant', 'acme')] }, /is public but has scopes or claim rules/, 'SecuredApi.PublicRouteWithScopes');
    });

    test('should refuse a route no scope the issuer could grant opens', () => {
      expectError({ scopes: [''] }, /Orders\/Api: route GET \/x requires the empty scope "", which no issuer can grant/);
    });

    test('should refuse a duplicate route, public or not', () => {
      expectError({ path: '/orders' }, 'Orders/Api: route GET /orders is defined twice; remove one of them.');
      expectError({ path: '/health', scopes: ['x'] }, 'Orders/Api: route GET /health is defined twice; remove one of them.');
    });

    test('should refuse ANY beside a specific method', () => {
      expectError({ method: HttpMethod.ANY, path: '/orders' }, /route ANY \/orders is defined beside GET \/orders/);
    });

    test('should refuse a malformed path', () => {
      expectError({ path: '/orders/{id}/' }, /Orders\/Api: route GET "\/orders\/\{id\}\/" has a malformed path/);
    });

    test('should refuse a second parameter name under one resource', () => {
      expectError({ path: '/orders/{orderId}/items' }, /puts path part \{orderId\} under \/orders, where another route has \{id\}/);
    });

    test('should refuse an unknown method', () => {
      expectError({ method: 'TRACE' as HttpMethod }, /route method "TRACE" is not supported/);
    });

    test('should refuse a negative or empty throttle', () => {
      expectError({ throttle: { rateLimit: -1 } }, /route GET \/x throttle \{"rateLimit":-1\} is not a usable throttle/, 'SecuredApi.UnusableThrottle');
      expectError({ throttle: {} }, /is not a usable throttle/, 'SecuredApi.UnusableThrottle');
    });

    test('should refuse a public flag that is not a boolean', () => {
      expectError({ public: 'yes' as unknown as boolean }, 'Orders/Api: route GET /x has public "yes"; pass true or false.', 'SecuredApi.PublicNotBoolean');
    });

    test('should refuse an API throttle that is not usable, naming the API', () => {
      const { stack } = makeStack();
      expect(() => ordersApi(stack, { throttle: { burstLimit: 1.5 } }))
        .toThrow(expect.objectContaining({ code: 'SecuredApi.UnusableThrottle', message: expect.stringMatching(/^Orders\/Api: throttle \{"burstLimit":1.5\} is not a usable throttle/) }));
    });

    test('should fail synth on a method added to the REST API directly', () => {
      // GIVEN
      const { stack } = makeStack();
      const api = ordersApi(stack);

      // WHEN
      api.restApi.root.addResource('backdoor').addMethod('GET', new apigateway.MockIntegration());

      // THEN
      expect(() => Template.fromStack(stack)).toThrow(
        /method GET \/backdoor \(Orders\/Api\/Api\/Default\/backdoor\/GET\) was added to the REST API directly; a SecuredApi's REST API is its OpenAPI definition, .* add it with addRoute\(\) on Orders\/Api, with public: true if it must be open/,
      );
      expect(() => Template.fromStack(stack)).toThrow(/resource \/backdoor \(Orders\/Api\/Api\/Default\/backdoor\) was added to the REST API directly/);
    });

    test.each([
      ['with AuthorizationType NONE', 'POST', 'NONE'],
      ['that leaves AuthorizationType out (NONE by default)', 'PUT', undefined],
      ['guarded by IAM', 'PATCH', 'AWS_IAM'],
    ])('should fail synth on an L1 CfnMethod %s added to the REST API directly', (_, httpMethod, authorizationType) => {
      // GIVEN
      const { stack } = makeStack();
      const api = ordersApi(stack);

      // WHEN
      new apigateway.CfnMethod(stack, 'Backdoor', {
        restApiId: api.restApi.restApiId,
        resourceId: api.restApi.root.resourceId,
        httpMethod,
        authorizationType,
        integration: { type: 'MOCK' },
      });

      // THEN
      expect(() => Template.fromStack(stack)).toThrow(new RegExp(`method ${httpMethod} \\(Orders/Backdoor\\) was added to the REST API directly`));
    });

    test('should fail synth on CORS preflights added to the REST API directly', () => {
      // GIVEN
      const { stack } = makeStack();
      const api = ordersApi(stack);

      // WHEN
      api.restApi.root.addCorsPreflight({ allowOrigins: ['https://app.example.com'] });

      // THEN
      expect(() => Template.fromStack(stack)).toThrow(/method OPTIONS \/ \(Orders\/Api\/Api\/Default\/OPTIONS\) was added to the REST API directly/);
    });

    test.each([
      ['removes its security', (api: apigateway.CfnRestApi) => api.addPropertyDeletionOverride('Body.paths./orders.get.security'), 'null'],
      ['empties its security', (api: apigateway.CfnRestApi) => api.addPropertyOverride('Body.paths./orders.get.security', []), '\\[\\]'],
      ['names another scheme', (api: apigateway.CfnRestApi) => api.addPropertyOverride('Body.paths./orders.get.security', [{ iam: [] }]), '\\[\\{"iam":\\[\\]\\}\\]'],
      ['adds an alternative', (api: apigateway.CfnRestApi) => api.addPropertyOverride('Body.paths./orders.get.security', [{ tokenAuthorizer: [] }, {}]), '\\[\\{"tokenAuthorizer":\\[\\]\\},\\{\\}\\]'],
    ])('should fail synth when a property override of the definition %s on a guarded route', (_, override, security) => {
      // GIVEN
      const { stack } = makeStack();
      const api = ordersApi(stack);

      // WHEN
      override(api.restApi.node.defaultChild as apigateway.CfnRestApi);

      // THEN
      expect(() => Template.fromStack(stack)).toThrow(new RegExp(`operation GET /orders is a guarded route, but as deployed its security is ${security} instead of this API's token authorizer`));
    });

    test('should fail synth on every guarded route when an override changes the authorizer scheme', () => {
      // GIVEN
      const { stack } = makeStack();
      const api = ordersApi(stack);

      // WHEN
      (api.restApi.node.defaultChild as apigateway.CfnRestApi).addPropertyOverride(
        'Body.components.securitySchemes.tokenAuthorizer.x-amazon-apigateway-authorizer.authorizerUri', 'arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:allow-all/invocations');

      // THEN
      const synth = () => Template.fromStack(stack);
      for (const route of ['GET /orders', 'POST /orders', 'GET /orders/\\{id\\}']) {
        expect(synth).toThrow(new RegExp(`operation ${route} is a guarded route, but as deployed its security is \\[\\{"tokenAuthorizer":\\[\\]\\}\\] and the definition's token authorizer scheme was changed`));
      }
    });

    test('should fail synth on an operation an override adds to the definition', () => {
      // GIVEN
      const { stack } = makeStack();
      const api = ordersApi(stack);

      // WHEN
      (api.restApi.node.defaultChild as apigateway.CfnRestApi).addPropertyOverride('Body.paths./orders.x-amazon-apigateway-any-method', { security: [] });

      // THEN
      expect(() => Template.fromStack(stack)).toThrow(/operation ANY \/orders is in the REST API's definition \(Orders\/Api\/Api\/Resource\) but no route made it/);
    });

    test('should fail synth when an override points the REST API at a definition in S3', () => {
      // GIVEN
      const { stack } = makeStack();
      const api = ordersApi(stack);

      // WHEN
      (api.restApi.node.defaultChild as apigateway.CfnRestApi).addPropertyOverride('BodyS3Location', { Bucket: 'b', Key: 'k' });

      // THEN
      expect(() => Template.fromStack(stack)).toThrow(/the REST API Orders\/Api\/Api\/Resource has a BodyS3Location/);
    });

    test('should accept overrides of the definition that leave authorization alone', () => {
      // GIVEN
      const { stack } = makeStack();
      const api = ordersApi(stack);

      // WHEN
      (api.restApi.node.defaultChild as apigateway.CfnRestApi).addPropertyOverride('Body.x-amazon-apigateway-binary-media-types', ['image/png']);
      (api.restApi.node.defaultChild as apigateway.CfnRestApi).addPropertyOverride('Body.paths./health.get.security', [{ tokenAuthorizer: [] }]);

      // THEN
      expect(definitionOf(Template.fromStack(stack))['x-amazon-apigateway-binary-media-types']).toEqual(['image/png']);
    });

    test('should warn, naming the quota and how to raise it, when the API has more than 300 API Gateway resources', () => {
      const warnings = (paths: number) => {
        const { stack } = makeStack();
        const fn = handler(stack, 'Fn');
        new SecuredApi(stack, 'Api', {
          issuer: ISSUER,
          // Each path is two resources: /p<i> and /p<i>/{id}; with the root, 2 * paths + 1.
          routes: Array.from({ length: paths }, (_, i) => ({ method: HttpMethod.GET, path: `/p${i}/{id}`, handler: fn })),
        });
        return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('Resources per API')).map((w) => w.entry.data);
      };
      // The root counts: API Gateway lists it among the API's resources (the worse reading).
      expect(warnings(149)).toEqual([]); // 299 resources
      expect(warnings(150)).toEqual([ // 301 resources
        expect.stringMatching(/^The REST API has 301 API Gateway resources .* over API Gateway's default quota "Resources per API" of 300: the deployment fails unless the quota is raised\. Request an increase in the Service Quotas console/),
      ]);
    });

    test('should refuse a route added after synthesis', () => {
      // GIVEN
      const { app, stack } = makeStack();
      const api = ordersApi(stack);
      const late = handler(stack, 'Late');
      app.synth();

      // WHEN / THEN
      expect(() => api.addRoute({ method: HttpMethod.GET, path: '/late', handler: late })).toThrow(/was added after the route table was written/);
    });
  });

  describe('cdk-nag AwsSolutionsChecks', () => {
    test('should leave only APIG3 (no WAF web ACL), which is the user\'s call', () => {
      // GIVEN
      const { app, stack } = makeStack();
      ordersApi(stack);

      // WHEN
      const findings = nagFindings(app);

      // THEN
      expect(findings.filter((f) => f.includes(' Orders/Api/'))).toEqual([
        'AwsSolutions-APIG3 Orders/Api/Api/DeploymentStage.prod/Resource',
      ]);
    });

    test('should acknowledge each finding it has by design on the resource that causes it, with a reason', () => {
      // GIVEN
      const { app, stack } = makeStack();
      ordersApi(stack);

      // WHEN
      nagFindings(app);

      // THEN
      const found = acknowledgements(app);
      expect(found.map((a) => `${a.id} ${a.path}`)).toEqual([
        // The request validator is declared in the imported definition, not as a resource.
        'AwsSolutions-APIG2 Orders/Api/Api/Resource',
        'AwsSolutions-APIG6 Orders/Api/Api/DeploymentStage.prod/Resource', // execution logs can record tokens
        // API Gateway's own managed policy for pushing logs, on the stack's shared CloudWatch role.
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs] Orders/Api/Api/CloudWatchRole/Resource',
        'AwsSolutions-IAM5[Resource::*] Orders/Api/Authorizer/ServiceRole/DefaultPolicy/Resource', // X-Ray takes no resource
        'AwsSolutions-L1 Orders/Api/Authorizer/Handler/Resource', // Node.js 22 is pinned, as the bundle targets it
        // apigateway:GET on this REST API and what is below it, nothing else.
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:apigateway:eu-west-1::/restapis/<ApiCD79AAA0>/*] Orders/Api/DeploymentCheck/ReadApi/Resource',
        'AwsSolutions-L1 Orders/Api/DeploymentCheck/Handler/Resource', // Node.js 22 is pinned, as the check's bundle targets it
      ]);
      for (const { id, reason } of found) {
        expect([id, typeof reason === 'string' && reason.trim().length > 40]).toEqual([id, true]);
      }
      expect(found.find((a) => a.id === 'AwsSolutions-APIG2')?.reason).toMatch(/declares the request validator "params-and-body"/);
      expect(found.find((a) => a.id === 'AwsSolutions-APIG6')?.reason).toMatch(/bearer tokens/);
    });

    test('should clear APIG3 once a WAF web ACL is associated with the stage as its docs show', () => {
      // GIVEN
      const { app, stack } = makeStack();
      const api = ordersApi(stack);
      const webAcl = new wafv2.CfnWebACL(stack, 'WebAcl', {
        scope: 'REGIONAL',
        defaultAction: { allow: {} },
        visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'orders', sampledRequestsEnabled: true },
      });

      // WHEN
      new wafv2.CfnWebACLAssociation(stack, 'OrdersWaf', { resourceArn: api.restApi.deploymentStage.stageArn, webAclArn: webAcl.attrArn });

      // THEN
      expect(nagFindings(app).filter((f) => f.includes(' Orders/Api/'))).toEqual([]);
    });

    test('should let the user acknowledge APIG3 on the stage as its docs show', () => {
      // GIVEN
      const { app, stack } = makeStack();
      const api = ordersApi(stack);

      // WHEN
      Validations.of(api.restApi.deploymentStage).acknowledge({ id: 'AwsSolutions-APIG3', reason: 'Internal API; no WAF by decision.' });

      // THEN
      expect(nagFindings(app).filter((f) => f.includes(' Orders/Api/'))).toEqual([]);
    });

    test('should acknowledge no IAM4 without the CloudWatch role', () => {
      // GIVEN
      const { app, stack } = makeStack();

      // WHEN
      ordersApi(stack, { cloudWatchRole: false });

      // THEN
      expect(nagFindings(app).filter((f) => f.includes(' Orders/Api/'))).toEqual([
        'AwsSolutions-APIG3 Orders/Api/Api/DeploymentStage.prod/Resource',
      ]);
      expect(acknowledgements(app).filter((a) => a.id.startsWith('AwsSolutions-IAM4'))).toEqual([]);
    });
  });

  describe('monitoring', () => {
    test('should create a dashboard, the alarms and the audit queries by default, with the alarms on the dashboard', () => {
      // GIVEN
      const { stack } = makeStack();

      // WHEN
      const api = ordersApi(stack);

      // THEN
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
      template.resourceCountIs('AWS::CloudWatch::Alarm', 7);
      template.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 1);
      expect(Object.keys(template.findResources('AWS::Logs::QueryDefinition')).length).toBeGreaterThanOrEqual(3);
      expect(api.alarms!.alarms).toHaveLength(8);
      const body = JSON.stringify(stack.resolve((api.dashboard!.dashboard.node.defaultChild as any).dashboardBody));
      for (const alarm of api.alarms!.alarms) {
        expect(body).toContain(JSON.stringify(stack.resolve(alarm.alarmArn)));
      }
    });

    test('should leave out what is opted out', () => {
      // GIVEN
      const { stack } = makeStack();

      // WHEN
      const api = ordersApi(stack, { dashboard: false, alarms: false, auditQueries: false });

      // THEN
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
      template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
      template.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 0);
      template.resourceCountIs('AWS::Logs::QueryDefinition', 0);
      expect([api.dashboard, api.alarms, api.auditQueries]).toEqual([undefined, undefined, undefined]);
    });

    test('should pass the dashboard and alarm options on', () => {
      // GIVEN
      const { stack } = makeStack();

      // WHEN
      ordersApi(stack, {
        dashboardOptions: { dashboardName: 'orders-api' },
        alarmOptions: { latencyP90: { enabled: false }, serverErrorRate: { threshold: 0.1 } },
        auditQueryOptions: { queryNamePrefix: 'audit/orders' },
      });

      // THEN
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'orders-api' });
      template.resourceCountIs('AWS::CloudWatch::Alarm', 6);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: '5XXError', Threshold: 0.1 });
      template.hasResourceProperties('AWS::Logs::QueryDefinition', { Name: 'audit/orders/decisions-for-subject' });
    });
  });

  test('should match the snapshot of the Orders API', () => {
    // GIVEN
    const { stack } = makeStack();

    // WHEN
    ordersApi(stack);

    // THEN
    expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
  });
});
