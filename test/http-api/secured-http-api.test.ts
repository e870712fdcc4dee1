import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, CfnResource, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { apiBody, authorizersOf, integrationsOf, routesOf } from './body-support';
import {
  ClaimRule, DeploymentCheck, HttpMethod, HttpRouteAuthorizer, OidcIssuer, SecuredApiRoute, SecuredHttpApi, SecuredHttpApiProps,
} from '../../src';
import { authorizerConfigJson } from '../support/cdk';


const ISSUER = OidcIssuer.fromUrl('https://issuer.example.com', { audiences: ['api://orders'] });

function stackOf(): { app: App; stack: Stack } {
  const app = new App();
  return { app, stack: new Stack(app, 'Orders', { env: { account: '123456789012', region: 'eu-west-1' } }) };
}

function handler(stack: Stack, id: string): lambda.Function {
  return new lambda.Function(stack, id, { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });') });
}

function ordersApi(stack: Stack, props: Partial<SecuredHttpApiProps> = {}): SecuredHttpApi {
  const fn = handler(stack, 'Handler');
  return new SecuredHttpApi(stack, 'Api', {
    issuer: ISSUER,
    apiName: 'orders',
    routes: [
      { method: HttpMethod.GET, path: '/orders', handler: fn, scopes: ['orders:read', 'orders:admin'] },
      { method: HttpMethod.POST, path: '/orders', handler: fn, scopes: ['orders:write'], throttle: { rateLimit: 10, burstLimit: 20 } },
      { method: HttpMethod.GET, path: '/orders/{id}', handler: fn, scopes: ['orders:read'], claimRules: [ClaimRule.equalTo('tenant', 'acme')] },
      { method: HttpMethod.GET, path: '/health', handler: fn, public: true },
    ],
    ...props,
  });
}

/** The Api resource's escape hatch. */
function bodyOverride(api: SecuredHttpApi, at: string, value: unknown): void {
  api.cfnApi.addPropertyOverride(`Body.${at}`, value);
}

describe('SecuredHttpApi', () => {
  const { stack } = stackOf();
  const api = ordersApi(stack);
  const template = Template.fromStack(stack);
  const routes = routesOf(template);
  const authorizers = authorizersOf(template);
  const jwtId = 'JwtAuthorizer';
  const lambdaId = 'LambdaAuthorizer';

  test('should guard a route the JWT authorizer can express with it, with the route\'s scopes', () => {
    expect(routes['GET /orders']).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: jwtId, AuthorizationScopes: ['orders:admin', 'orders:read'] });
    expect(routes['POST /orders']).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: jwtId, AuthorizationScopes: ['orders:write'] });
  });

  test('should guard a route with claim rules with the Lambda authorizer, without scopes', () => {
    expect(routes['GET /orders/{id}']).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: lambdaId });
    expect(routes['GET /orders/{id}'].AuthorizationScopes).toBeUndefined();
  });

  test('should leave only the public route without an authorizer', () => {
    expect(routes['GET /health'].AuthorizationType).toBe('NONE');
    const open = Object.entries(routes).filter(([, p]) => (p.AuthorizationType ?? 'NONE') === 'NONE').map(([k]) => k);
    expect(open).toEqual(['GET /health']);
  });

  test('should write the JWT authorizer with the issuer and its audiences', () => {
    expect(authorizers[jwtId]).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: 'https://issuer.example.com', Audience: ['api://orders'] },
    });
  });

  test('should write the Lambda authorizer with payload 2.0, simple responses, the cache TTL and the identity sources', () => {
    expect(authorizers[lambdaId]).toMatchObject({
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      AuthorizerResultTtlInSeconds: 300,
      // One Lambda route: one answer is right for every route it guards.
      IdentitySource: ['$request.header.Authorization'],
    });
    // The authorizer's function, by its invocation URI.
    expect(JSON.stringify(authorizers[lambdaId].AuthorizerUri)).toMatch(/lambda:path\/2015-03-31\/functions\/.*ApiAuthorizerHandler.*\/invocations/);
  });

  test('should be one AWS::ApiGatewayV2::Api importing one OpenAPI definition, with no Route, Integration or Authorizer resource', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { Name: 'orders', FailOnWarnings: true, Body: Match.objectLike({ openapi: '3.0.1' }) });
    for (const type of ['Route', 'Integration', 'Authorizer']) {
      template.resourceCountIs(`AWS::ApiGatewayV2::${type}`, 0);
    }
    // One Lambda proxy integration for the one handler, payload 2.0, shared by its four routes.
    expect(Object.values(integrationsOf(template))).toEqual([
      // The function's invocation URI, as AWS's import examples and API Gateway's exports write it.
      expect.objectContaining({
        IntegrationType: 'AWS_PROXY',
        IntegrationMethod: 'POST',
        PayloadFormatVersion: '2.0',
        IntegrationUri: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':apigateway:eu-west-1:lambda:path/2015-03-31/functions/', { 'Fn::GetAtt': [expect.stringMatching(/^Handler/), 'Arn'] }, '/invocations']] },
      }),
    ]);
    expect(new Set(Object.values(routesOf(template)).map((r) => r.Target))).toEqual(new Set(['Integration0']));
    expect(apiBody(template).info.title).toBe('orders');
    // Each path variable declared, as OpenAPI requires (an invalid structure is an import warning, fatal with FailOnWarnings).
    expect(apiBody(template).paths['/orders/{id}'].get.parameters).toEqual([{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }]);
    expect(apiBody(template).paths['/orders'].get.parameters).toBeUndefined();
  });

  test('should tell which authorizer guards each route, and why the Lambda one', () => {
    expect(api.routeAuthorizations).toEqual([
      { method: 'GET', path: '/orders', authorizer: HttpRouteAuthorizer.JWT, reason: '' },
      { method: 'POST', path: '/orders', authorizer: HttpRouteAuthorizer.JWT, reason: '' },
      { method: 'GET', path: '/orders/{id}', authorizer: HttpRouteAuthorizer.LAMBDA, reason: 'the route has claim rules' },
      { method: 'GET', path: '/health', authorizer: HttpRouteAuthorizer.PUBLIC, reason: '' },
    ]);
  });

  test('should put a route\'s throttle in the stage\'s route settings, and JSON access logs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: 'prod',
      AutoDeploy: false,
      RouteSettings: { 'POST /orders': { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 } },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"clientId":"\\$context.authorizer.clientId"') },
    });
    const format = JSON.parse(template.findResources('AWS::ApiGatewayV2::Stage')[Object.keys(template.findResources('AWS::ApiGatewayV2::Stage'))[0]].Properties.AccessLogSettings.Format);
    expect(Object.values(format).some((v) => String(v).includes('header'))).toBe(false);
  });

  test('should let API Gateway invoke the handler once for the whole API, not once per route', () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).filter((p: any) => p.Properties.FunctionName['Fn::GetAtt']?.[0]?.startsWith('Handler'));
    expect(permissions).toHaveLength(1);
    expect(JSON.stringify((permissions[0] as any).Properties.SourceArn)).toContain('/*/*');
  });

  test('should let API Gateway invoke the Lambda authorizer for this API\'s authorizers only', () => {
    const permissions = Object.values<any>(template.findResources('AWS::Lambda::Permission')).filter((p) => p.Properties.FunctionName['Fn::GetAtt']?.[0]?.startsWith('ApiAuthorizerHandler'));
    expect(permissions).toHaveLength(1);
    expect(JSON.stringify(permissions[0].Properties.SourceArn)).toMatch(/execute-api.*\{"Ref":"ApiF70053CD"\}.*\/authorizers\/\*/);
  });

  test('should read the HTTP API metrics by ApiId and Stage', () => {
    const metric = api.metricClientError();
    expect(metric.namespace).toBe('AWS/ApiGateway');
    expect(metric.metricName).toBe('4xx');
    expect(Object.keys(metric.dimensions ?? {}).sort()).toEqual(['ApiId', 'Stage']);
    expect(api.metricServerError().metricName).toBe('5xx');
    expect(api.metricCount().metricName).toBe('Count');
    expect(api.metricLatency().metricName).toBe('Latency');
    expect(api.metricIntegrationLatency().metricName).toBe('IntegrationLatency');
  });

  test('should alarm on the 5xx rate as 5xx divided by Count, which AWS documents no statistic of an HTTP API for', () => {
    // GIVEN the ServerErrorRate alarm
    const alarm = Object.values(template.findResources('AWS::CloudWatch::Alarm'))
      .find((a: any) => (a.Properties.Metrics ?? []).some((m: any) => m.Expression === 'serverErrors / requests')) as any;
    // THEN it divides the sum of 5xx by the requests, over the same period
    expect(alarm).toBeDefined();
    const byId = Object.fromEntries(alarm.Properties.Metrics.map((m: any) => [m.Id, m]));
    expect(byId.serverErrors.MetricStat).toMatchObject({ Metric: { MetricName: '5xx', Namespace: 'AWS/ApiGateway' }, Stat: 'Sum' });
    expect(byId.requests.MetricStat).toMatchObject({ Metric: { MetricName: 'Count', Namespace: 'AWS/ApiGateway' }, Stat: 'SampleCount' });
    expect(alarm.Properties.Threshold).toBe(0.05);
  });

  test('should create the dashboard, alarms and audit queries', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm')).length).toBeGreaterThan(0);
    expect(Object.keys(template.findResources('AWS::Logs::QueryDefinition')).length).toBeGreaterThan(0);
  });
});

describe('SecuredHttpApi: the Lambda authorizer\'s asset', () => {
  test('should run the HTTP API entry with a config.json holding the Lambda routes only', () => {
    // GIVEN
    const { app, stack } = stackOf();
    ordersApi(stack);

    // WHEN
    const config = authorizerConfigJson(app, stack);

    // THEN: the one claim-ruled route; the JWT and public routes are not the Lambda's
    expect(config.routes.map((r: any) => `${r.method} ${r.resource}`)).toEqual(['GET /orders/{id}']);
    expect(config.routes[0].claimRules).toEqual([{ claim: 'tenant', op: 'equals', value: 'acme' }]);
    const assembly = app.synth();
    const fn = Object.values<any>(assembly.getStackByName(stack.stackName).template.Resources)
      .find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.SECURED_API_ISSUER !== undefined);
    const bundle = fs.readFileSync(path.join(assembly.directory, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`, 'index.js'), 'utf8');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(bundle).toBe(fs.readFileSync(path.join(require('../../src/http-api/private/http-bundle').HTTP_BUNDLE_DIR, 'index.js'), 'utf8'));
  });
});

describe('SecuredHttpApi: CORS, domain, stage throttle', () => {
  test('should write the HTTP API\'s own CORS configuration, in the OpenAPI definition', () => {
    const { stack } = stackOf();
    ordersApi(stack, { cors: { allowOrigins: ['https://app.example.com'], allowCredentials: true, maxAge: Duration.minutes(10) } });
    const template = Template.fromStack(stack);
    expect(apiBody(template)['x-amazon-apigateway-cors']).toEqual({ allowOrigins: ['https://app.example.com'], allowCredentials: true, maxAge: 600, allowHeaders: ['Authorization', 'Content-Type'] });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { CorsConfiguration: Match.absent() });
  });

  test('should map a custom domain with TLS 1.2 to the stage, and take the URL from it', () => {
    const { stack } = stackOf();
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc');
    const api = ordersApi(stack, { domain: { domainName: 'api.example.com', certificate, basePath: 'orders', disableDefaultEndpoint: true } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', { DomainName: 'api.example.com', DomainNameConfigurations: [Match.objectLike({ SecurityPolicy: 'TLS_1_2' })] });
    template.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', { ApiMappingKey: 'orders', Stage: Match.anyValue() });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: true });
    expect(apiBody(template)['x-amazon-apigateway-endpoint-configuration']).toEqual({ disableExecuteApiEndpoint: true });
    expect(api.url).toBe('https://api.example.com/orders/');
  });

  test('should throttle the stage by default route settings', () => {
    const { stack } = stackOf();
    ordersApi(stack, { throttle: { rateLimit: 100, burstLimit: 50 } });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 50 },
    });
  });
});

describe('SecuredHttpApi: the authorizer per issuer', () => {
  const cases: Array<[string, OidcIssuer, HttpRouteAuthorizer]> = [
    ['fromUrl (RFC 9068)', ISSUER, HttpRouteAuthorizer.JWT],
    ['Auth0', OidcIssuer.auth0('acme.eu.auth0.com', { audiences: ['api://orders'] }), HttpRouteAuthorizer.JWT],
    ['Okta', OidcIssuer.okta('acme.okta.com', { audiences: ['api://orders'] }), HttpRouteAuthorizer.JWT],
    ['Keycloak (aud only with an audience mapper)', OidcIssuer.keycloak('https://sso.example.com', 'acme', { audiences: ['orders'] }), HttpRouteAuthorizer.LAMBDA],
    ['Entra ID (token kind, roles)', OidcIssuer.entraId('00000000-0000-0000-0000-000000000000', { audiences: ['api://orders'] }), HttpRouteAuthorizer.LAMBDA],
    ['Cognito (token kind, client_id)', OidcIssuer.cognitoUserPoolId('eu-west-1', 'eu-west-1_abc', { audiences: ['client'] }), HttpRouteAuthorizer.LAMBDA],
    ['Okta with a pinned jwksUri (the native one reads the discovery document\'s)', OidcIssuer.okta('acme.okta.com', { audiences: ['api://orders'], jwksUri: 'https://acme.okta.com/oauth2/v1/keys' }), HttpRouteAuthorizer.LAMBDA],
    ['fromUrl with a pinned jwksUri', OidcIssuer.fromUrl('https://issuer.example.com', { audiences: ['api://orders'], jwksUri: 'https://keys.example.com/jwks.json' }), HttpRouteAuthorizer.LAMBDA],
  ];
  test.each(cases)('should choose for %s', (_name, issuer, expected) => {
    const { stack } = stackOf();
    const api = new SecuredHttpApi(stack, 'Api', { issuer, routes: [{ method: HttpMethod.GET, path: '/orders', handler: handler(stack, 'H'), scopes: ['orders:read'] }] });
    expect(api.routeAuthorizations[0].authorizer).toBe(expected);
  });

  test('should use the Lambda authorizer for issuers whose callers choose the audience', () => {
    const { stack } = stackOf();
    const api = new SecuredHttpApi(stack, 'Api', {
      issuer: OidcIssuer.githubActions(),
      routes: [{ method: HttpMethod.POST, path: '/deploy', handler: handler(stack, 'H'), claimRules: [ClaimRule.equalTo('repository', 'acme/app')] }],
    });
    expect(api.routeAuthorizations[0]).toMatchObject({ authorizer: HttpRouteAuthorizer.LAMBDA, reason: 'the issuer\'s callers choose their audience' });
  });

  test.each([
    ['forceLambdaAuthorizer', { forceLambdaAuthorizer: true }],
    ['requiredTokenType', { requiredTokenType: 'at+jwt' }],
    ['maxTokenAge', { maxTokenAge: Duration.hours(1) }],
    ['contextClaims', { contextClaims: ['tenant'] }],
  ])('should use the Lambda authorizer for every route with %s', (_name, props) => {
    const { stack } = stackOf();
    const api = ordersApi(stack, props as Partial<SecuredHttpApiProps>);
    expect(api.routeAuthorizations.filter((r) => r.authorizer === HttpRouteAuthorizer.JWT)).toEqual([]);
    expect(Object.values(authorizersOf(Template.fromStack(stack))).filter((a) => a.AuthorizerType === 'JWT')).toEqual([]);
  });

  test('should cache the Lambda authorizer per route when its routes ask different things', () => {
    const { stack } = stackOf();
    ordersApi(stack, { forceLambdaAuthorizer: true, resultsCacheTtl: Duration.seconds(60) });
    expect(authorizersOf(Template.fromStack(stack)).LambdaAuthorizer).toMatchObject({
      AuthorizerType: 'REQUEST',
      AuthorizerResultTtlInSeconds: 60,
      IdentitySource: ['$request.header.Authorization', '$context.routeKey'],
    });
  });

  test('should use the Lambda authorizer for a route with more than 10 scopes', () => {
    const { stack } = stackOf();
    const scopes = Array.from({ length: 11 }, (_, i) => `s${i}`);
    const api = new SecuredHttpApi(stack, 'Api', { issuer: ISSUER, routes: [{ method: HttpMethod.GET, path: '/x', handler: handler(stack, 'H'), scopes }] });
    expect(api.routeAuthorizations[0].authorizer).toBe(HttpRouteAuthorizer.LAMBDA);
  });
});

describe('SecuredHttpApi: what HTTP APIs cannot do', () => {
  test.each([
    ['SecuredHttpApi.QuotasNotSupported', { quotas: { tiers: [], clients: [] } }],
    ['SecuredHttpApi.WebAclNotSupported', { webAcl: {} }],
    ['SecuredHttpApi.DeploymentCheckSkipWithoutReason', { deploymentCheck: DeploymentCheck.skip(' ') }],
  ])('should fail with %s', (code, props) => {
    const { stack } = stackOf();
    expect(() => ordersApi(stack, props as unknown as Partial<SecuredHttpApiProps>)).toThrow(expect.objectContaining({ code }));
  });

  test('should refuse a route over a REST API VPC link (backends are tested in backends.test.ts)', () => {
    const { stack } = stackOf();
    const { RouteBackend } = jest.requireActual('../../src');
    const vpcLink = { vpcLinkId: 'abc123' };
    const route: SecuredApiRoute = { method: HttpMethod.GET, path: '/x', backend: RouteBackend.vpcLink(vpcLink, 'http://nlb.internal/x') };
    expect(() => new SecuredHttpApi(stack, 'Api', { issuer: ISSUER, routes: [route] })).toThrow(expect.objectContaining({ code: 'SecuredHttpApi.RestVpcLinkNotSupported' }));
  });

  test('should refuse a second caller role whose environment variable clashes', () => {
    const { stack } = stackOf();
    const api = ordersApi(stack);
    const options = { allowAnySubjectOfAudience: 'a test of the id clash' };
    api.addCallerRole('OrdersReader', options);
    expect(() => api.addCallerRole('ORDERS_READER', options)).toThrow(expect.objectContaining({ code: 'SecuredHttpApi.CallerRoleIdClash' }));
  });

  test('should fail synth past 300 routes', () => {
    const { app, stack } = stackOf();
    const fn = handler(stack, 'H');
    new SecuredHttpApi(stack, 'Api', {
      issuer: ISSUER,
      dashboard: false,
      alarms: false,
      auditQueries: false,
      routes: Array.from({ length: 301 }, (_, i) => ({ method: HttpMethod.GET, path: `/r${i}`, handler: fn })),
    });
    expect(() => app.synth()).toThrow(/SecuredHttpApi\.TooManyRoutes/);
  });
});

describe('SecuredHttpApi: quotas', () => {
  function routes(stack: Stack, count: number, handlers: number): SecuredApiRoute[] {
    const fns = Array.from({ length: handlers }, (_, i) => handler(stack, `H${i}`));
    return Array.from({ length: count }, (_, i) => ({ method: HttpMethod.GET, path: `/r${i}`, handler: fns[i % handlers] }));
  }
  const quiet = { issuer: ISSUER, dashboard: false, alarms: false, auditQueries: false };

  test('should allow more routes once maxRoutes is raised', () => {
    const { app, stack } = stackOf();
    new SecuredHttpApi(stack, 'Api', { ...quiet, maxRoutes: 400, routes: routes(stack, 301, 1) });
    expect(() => app.synth()).not.toThrow();
  });

  test('should fail synth past 300 integrations (one per handler)', () => {
    const { app, stack } = stackOf();
    new SecuredHttpApi(stack, 'Api', { ...quiet, maxRoutes: 400, routes: routes(stack, 301, 301) });
    expect(() => app.synth()).toThrow(/SecuredHttpApi\.TooManyIntegrations/);
  });

  test('should refuse a maxRoutes that is not a whole number of at least 1', () => {
    const { stack } = stackOf();
    expect(() => new SecuredHttpApi(stack, 'Api', { ...quiet, maxRoutes: 0 })).toThrow(expect.objectContaining({ code: 'SecuredHttpApi.InvalidMaxRoutes' }));
  });
});

describe('SecuredHttpApi: routes after synthesis', () => {
  test('should refuse a guarded route added once the Lambda authorizer\'s table is written', () => {
    const { app, stack } = stackOf();
    const api = ordersApi(stack);
    app.synth();
    expect(() => api.addRoute({ method: HttpMethod.DELETE, path: '/orders/{id}', handler: handler(stack, 'Late'), scopes: ['orders:write'] }))
      .toThrow(expect.objectContaining({ code: 'TokenAuthorizer.RouteAfterSynthesis' }));
  });
});

describe('SecuredHttpApi: the route guard', () => {
  test('should fail synth when an escape hatch opens a guarded route', () => {
    const { app, stack } = stackOf();
    const api = ordersApi(stack);
    api.cfnApi.addDeletionOverride('Properties.Body.paths./orders.get.security');
    expect(() => app.synth()).toThrow(/SecuredHttpApi\.RouteOpened/);
  });

  test('should fail synth when an escape hatch adds an operation without an authorizer', () => {
    const { app, stack } = stackOf();
    const api = ordersApi(stack);
    bodyOverride(api, 'paths./admin.delete', { 'x-amazon-apigateway-integration': { $ref: '#/components/x-amazon-apigateway-integrations/Integration0' } });
    expect(() => app.synth()).toThrow(/the route DELETE \/admin \(in the API's OpenAPI definition\) is not one of the API's routes and has no authorizer/);
  });

  test('should fail synth when an escape hatch gives a route alternatives (one of them could be weaker)', () => {
    const { app, stack } = stackOf();
    const api = ordersApi(stack);
    bodyOverride(api, 'paths./orders.get.security', [{ JwtAuthorizer: ['orders:read'] }, {}]);
    expect(() => app.synth()).toThrow(/GET \/orders in the API's OpenAPI definition \(Body\) cannot be read as guarded: its security .* is not one requirement naming one authorizer/);
  });

  test.each([
    ['a route pointed at another authorizer', (api: SecuredHttpApi) => {
      bodyOverride(api, 'components.securitySchemes.Other', { 'type': 'oauth2', 'flows': {}, 'x-amazon-apigateway-authorizer': { type: 'jwt', jwtConfiguration: { issuer: 'https://evil.example.com', audience: ['x'] }, identitySource: '$request.header.Authorization' } });
      bodyOverride(api, 'paths./orders.get.security', [{ Other: ['orders:read'] }]);
    }, /Body\.components\.securitySchemes\.Other, Body\.paths\.\/orders\.get\.security changed/],
    ['the JWT authorizer\'s issuer', (api: SecuredHttpApi) => {
      bodyOverride(api, 'components.securitySchemes.JwtAuthorizer.x-amazon-apigateway-authorizer.jwtConfiguration.issuer', 'https://evil.example.com');
    }, /Body\.components\.securitySchemes\.JwtAuthorizer\.x-amazon-apigateway-authorizer\.jwtConfiguration\.issuer changed/],
    ['the Lambda authorizer\'s function', (api: SecuredHttpApi) => {
      bodyOverride(api, 'components.securitySchemes.LambdaAuthorizer.x-amazon-apigateway-authorizer.authorizerUri', 'arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:allow-all/invocations');
    }, /LambdaAuthorizer\.x-amazon-apigateway-authorizer\.authorizerUri changed/],
    ['the Lambda authorizer\'s identity sources', (api: SecuredHttpApi) => {
      bodyOverride(api, 'components.securitySchemes.LambdaAuthorizer.x-amazon-apigateway-authorizer.identitySource', '$request.header.Authorization');
    }, /LambdaAuthorizer\.x-amazon-apigateway-authorizer\.identitySource changed/],
    ['an integration\'s function', (api: SecuredHttpApi) => {
      bodyOverride(api, 'components.x-amazon-apigateway-integrations.Integration0.uri', 'arn:aws:lambda:eu-west-1:123456789012:function:other');
    }, /Body\.components\.x-amazon-apigateway-integrations\.Integration0\.uri changed/],
    ['the API\'s definition, by another one in S3 beside it', (api: SecuredHttpApi) => {
      api.cfnApi.addPropertyOverride('BodyS3Location', { Bucket: 'elsewhere', Key: 'open.json' });
    }, /Resource \(AWS::ApiGatewayV2::Api\) is not as the construct wrote it \(Properties.BodyS3Location changed\)/],
    ['the API\'s FailOnWarnings', (api: SecuredHttpApi) => {
      api.cfnApi.addPropertyOverride('FailOnWarnings', false);
    }, /Resource \(AWS::ApiGatewayV2::Api\) is not as the construct wrote it \(Properties.FailOnWarnings changed\)/],
  ])('should fail synth when an escape hatch changes %s', (_name, change, message) => {
    const { app, stack } = stackOf();
    const api = ordersApi(stack, { forceLambdaAuthorizer: false });
    api.addRoute({ method: HttpMethod.GET, path: '/tenants', handler: handler(stack, 'T'), claimRules: [ClaimRule.equalTo('tenant', 'acme')] });
    change(api);
    expect(() => app.synth()).toThrow(expect.objectContaining({ message: expect.stringMatching(message) }));
    expect(() => app.synth()).toThrow(/SecuredHttpApi\.ResourceOverridden/);
  });

  test('should synthesize with a handler of another stack, whose ARN becomes an import only at synthesis', () => {
    const { app, stack } = stackOf();
    const other = new Stack(app, 'Handlers', { env: { account: '123456789012', region: 'eu-west-1' } });
    const api = ordersApi(stack);
    api.addRoute({ method: HttpMethod.GET, path: '/elsewhere', handler: handler(other, 'Elsewhere'), scopes: ['orders:read'] });
    expect(() => app.synth()).not.toThrow();
  });

  test('should synthesize with a cdk-nag suppression or a dependency added to the API (metadata, not what it guards)', () => {
    const { app, stack } = stackOf();
    const api = ordersApi(stack);
    api.cfnApi.addMetadata('cdk_nag', { rules_to_suppress: [{ id: 'AwsSolutions-APIG4', reason: 'test' }] });
    api.cfnApi.addDependency(api.accessLogGroup.node.defaultChild as CfnResource);
    expect(() => app.synth()).not.toThrow();
  });

  test.each([
    ['a route', (stack: Stack, apiId: string) => new apigwv2.CfnRoute(stack, 'Sneaky', { apiId, routeKey: '$default' })],
    ['an authorizer', (stack: Stack, apiId: string) => new apigwv2.CfnAuthorizer(stack, 'Sneaky', { apiId, authorizerType: 'JWT', name: 'Other', identitySource: ['$request.header.Authorization'], jwtConfiguration: { issuer: 'https://evil.example.com', audience: ['x'] } })],
    ['an integration', (stack: Stack, apiId: string) => new apigwv2.CfnIntegration(stack, 'Sneaky', { apiId, integrationType: 'HTTP_PROXY', integrationUri: 'https://backend.example.com', integrationMethod: 'GET', payloadFormatVersion: '1.0' })],
  ])('should fail synth when %s is added to the API by hand (it cannot be combined with the OpenAPI definition)', (_name, add) => {
    const { app, stack } = stackOf();
    const api = ordersApi(stack);
    add(stack, api.httpApi.apiId);
    expect(() => app.synth()).toThrow(/SecuredHttpApi\.ResourceBesideBody/);
    expect(() => app.synth()).toThrow(/Orders\/Sneaky \(AWS::ApiGatewayV2::\w+\) is a resource of the API, whose routes, integrations and authorizers are its OpenAPI definition/);
  });

  test('should synthesize when nothing is overridden', () => {
    const { app, stack } = stackOf();
    ordersApi(stack);
    expect(() => app.synth()).not.toThrow();
  });
});

describe('SecuredHttpApi: the dashboard', () => {
  test('should say which routes the native JWT authorizer guards, and what the dashboard cannot show of them', () => {
    const { stack } = stackOf();
    ordersApi(stack);
    const body = JSON.stringify(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'));
    expect(body).toContain('native JWT authorizer** (2): `GET /orders`, `POST /orders`');
    expect(body).toContain('not in the decisions by reason nor the audit trail');
  });
});
