import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { ClaimRule, HttpMethod, OidcIssuer, SecuredApi, SecuredApiProps, SecuredApiRoute } from '../src';
import { acknowledgements, authorizerConfigJson, nagFindings } from './support/cdk';
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

function methodsOf(template: Template): Record<string, any> {
  return template.findResources('AWS::ApiGateway::Method');
}

function resourcePathOf(template: Template, method: any): string {
  const resources = template.findResources('AWS::ApiGateway::Resource');
  const parts: string[] = [];
  let ref = method.Properties.ResourceId.Ref;
  while (ref && resources[ref]) {
    parts.unshift(resources[ref].Properties.PathPart);
    ref = resources[ref].Properties.ParentId.Ref;
  }
  return '/' + parts.join('/');
}

describe('SecuredApi', () => {
  test('should guard every non-public method with the one shared authorizer', () => {
    // GIVEN
    const { stack } = makeStack();

    // WHEN
    ordersApi(stack);

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ApiGateway::Authorizer', 1);
    const authorizerId = Object.keys(template.findResources('AWS::ApiGateway::Authorizer'))[0];
    const methods = Object.values(methodsOf(template)).map((m) => ({
      route: `${m.Properties.HttpMethod} ${resourcePathOf(template, m)}`,
      authorizationType: m.Properties.AuthorizationType,
      authorizerId: m.Properties.AuthorizerId,
    }));
    expect(methods.sort((a, b) => a.route.localeCompare(b.route))).toEqual([
      { route: 'GET /health', authorizationType: 'NONE', authorizerId: undefined },
      { route: 'GET /orders', authorizationType: 'CUSTOM', authorizerId: { Ref: authorizerId } },
      { route: 'GET /orders/{id}', authorizationType: 'CUSTOM', authorizerId: { Ref: authorizerId } },
      { route: 'POST /orders', authorizationType: 'CUSTOM', authorizerId: { Ref: authorizerId } },
    ]);
  });

  test('should configure the authorizer on the Authorization header with a 300 s cache', () => {
    // GIVEN
    const { stack } = makeStack();

    // WHEN
    ordersApi(stack);

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: 300,
      RestApiId: { Ref: Match.stringLikeRegexp('^Api') },
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
    const authorizerId = Object.keys(template.findResources('AWS::ApiGateway::Authorizer'))[0];
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
    expect(authorizerFn && byFunction.get(authorizerFn)).toEqual(executeApi(['/authorizers/', { Ref: authorizerId }]));
  });

  test('should serve routes through Lambda proxy integrations with path parameters', () => {
    // GIVEN
    const { stack } = makeStack();

    // WHEN
    ordersApi(stack);

    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{id}' });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      AuthorizationType: 'CUSTOM',
      RequestParameters: { 'method.request.path.id': true, 'method.request.header.Authorization': true },
      RequestValidatorId: { Ref: Match.stringLikeRegexp('^ApiRequestValidator') },
      Integration: {
        Type: 'AWS_PROXY',
        IntegrationHttpMethod: 'POST',
        Uri: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([{ 'Fn::GetAtt': [Match.stringLikeRegexp('^Get'), 'Arn'] }])]) }),
      },
    });
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestParameters: true,
      ValidateRequestBody: true,
    });
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
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'UNAUTHORIZED',
      StatusCode: '401',
      ResponseParameters: { 'gatewayresponse.header.WWW-Authenticate': "'Bearer'" },
      ResponseTemplates: { 'application/json': '{"message":"Unauthorized","requestId":"$context.requestId"}' },
    });
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'ACCESS_DENIED',
      StatusCode: '403',
      ResponseTemplates: { 'application/json': '{"message":"Forbidden","requestId":"$context.requestId"}' },
    });
    for (const type of ['AUTHORIZER_FAILURE', 'AUTHORIZER_CONFIGURATION_ERROR']) {
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: type,
        StatusCode: '500',
        ResponseTemplates: { 'application/json': '{"message":"Internal server error","requestId":"$context.requestId"}' },
      });
    }
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
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Method', { AuthorizationType: 'NONE' });
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
    expect(Object.keys(methodsOf(template))).toHaveLength(300);
    // One permission per backend function, not per method.
    template.resourceCountIs('AWS::Lambda::Permission', 4);
  });

  describe('validation', () => {
    function expectError(route: Partial<SecuredApiRoute>, message: RegExp | string) {
      const { stack } = makeStack();
      const api = ordersApi(stack);
      expect(() => api.addRoute({ method: HttpMethod.GET, path: '/x', handler: handler(stack, 'X'), ...route })).toThrow(message);
    }

    test('should refuse a public route with scopes', () => {
      expectError(
        { public: true, scopes: ['orders:read'] },
        'Orders/Api: route GET /x is public but has scopes or claim rules, which a public route never checks; remove public: true to guard it, or remove its scopes and claim rules.',
      );
    });

    test('should refuse a public route with claim rules', () => {
      expectError({ public: true, claimRules: [ClaimRule.equalTo('tenant', 'acme')] }, /is public but has scopes or claim rules/);
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
      expectError({ throttle: { rateLimit: -1 } }, /route GET \/x throttle \{"rateLimit":-1\} is not a usable throttle/);
      expectError({ throttle: {} }, /is not a usable throttle/);
    });

    test('should fail synth on an open method added to the REST API directly', () => {
      // GIVEN
      const { stack } = makeStack();
      const api = ordersApi(stack);

      // WHEN
      api.restApi.root.addResource('backdoor').addMethod('GET', new apigateway.MockIntegration());

      // THEN
      expect(() => Template.fromStack(stack)).toThrow(
        /method GET \/backdoor \(Orders\/Api\/Api\/Default\/backdoor\/GET\) was added to the REST API directly and is open to anyone; add it with addRoute\(\) on Orders\/Api/,
      );
    });

    test.each([
      ['with AuthorizationType NONE', 'POST', 'NONE'],
      ['that leaves AuthorizationType out (NONE by default)', 'PUT', undefined],
    ])('should fail synth on an open L1 CfnMethod %s added to the REST API directly', (_, httpMethod, authorizationType) => {
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
      expect(() => Template.fromStack(stack)).toThrow(new RegExp(`method ${httpMethod} \\(Orders/Backdoor\\) was added to the REST API directly and is open to anyone`));
    });

    test.each([
      ['AuthorizationType', 'NONE'],
      ['AuthorizationType', 'AWS_IAM'],
      ['AuthorizerId', 'someOtherAuthorizer'],
    ])('should fail synth when a property override sets %s of a guarded route to %s', (property, value) => {
      // GIVEN
      const { stack } = makeStack();
      const api = ordersApi(stack);
      const method = api.restApi.root.getResource('orders')!.node.findChild('GET').node.defaultChild as apigateway.CfnMethod;

      // WHEN
      method.addPropertyOverride(property, value);

      // THEN
      expect(() => Template.fromStack(stack)).toThrow(
        /method GET \/orders \(Orders\/Api\/Api\/Default\/orders\/GET\) is a guarded route, but as deployed it has AuthorizationType .* instead of this API's token authorizer/,
      );
    });

    test('should fail synth when an override opens a method added to the REST API directly with IAM auth', () => {
      // GIVEN
      const { stack } = makeStack();
      const api = ordersApi(stack);
      const method = api.restApi.root.addResource('admin').addMethod('GET', new apigateway.MockIntegration(), { authorizationType: apigateway.AuthorizationType.IAM });

      // WHEN
      (method.node.defaultChild as apigateway.CfnMethod).addPropertyOverride('AuthorizationType', 'NONE');

      // THEN
      expect(() => Template.fromStack(stack)).toThrow(/method GET \/admin \(Orders\/Api\/Api\/Default\/admin\/GET\) was added to the REST API directly and is open to anyone/);
    });

    test('should accept CORS preflight methods added to the REST API directly', () => {
      // GIVEN
      const { stack } = makeStack();
      const api = ordersApi(stack);

      // WHEN
      api.restApi.root.getResource('orders')!.addCorsPreflight({ allowOrigins: ['https://app.example.com'] });

      // THEN
      Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'OPTIONS', AuthorizationType: 'NONE' });
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
        // API Gateway's own managed policy for pushing logs, on CDK's CloudWatch role.
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs] Orders/Api/Api/CloudWatchRole/Resource',
        'AwsSolutions-APIG6 Orders/Api/Api/DeploymentStage.prod/Resource', // execution logs can record tokens
        'AwsSolutions-COG4 Orders/Api/Api/Default/orders/GET/Resource', // guarded by the TokenAuthorizer, not Cognito
        'AwsSolutions-COG4 Orders/Api/Api/Default/orders/POST/Resource',
        'AwsSolutions-COG4 Orders/Api/Api/Default/orders/{id}/GET/Resource',
        'AwsSolutions-APIG4 Orders/Api/Api/Default/health/GET/Resource', // public: true
        'AwsSolutions-COG4 Orders/Api/Api/Default/health/GET/Resource',
        'AwsSolutions-IAM5[Resource::*] Orders/Api/Authorizer/ServiceRole/DefaultPolicy/Resource', // X-Ray takes no resource
        'AwsSolutions-L1 Orders/Api/Authorizer/Handler/Resource', // Node.js 22 is pinned, as the bundle targets it
      ]);
      for (const { id, reason } of found) {
        expect([id, typeof reason === 'string' && reason.trim().length > 40]).toEqual([id, true]);
      }
      expect(found.find((a) => a.id === 'AwsSolutions-APIG4')?.reason).toMatch(/^Route GET \/health was added with public: true/);
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
