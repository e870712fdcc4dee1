import fs from 'node:fs';
import * as path from 'node:path';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ClaimRule, HttpMethod, OidcIssuer, TokenAuthorizer, TokenAuthorizerProps } from '../../src';
import { parseConfig } from '../../src/authorizer/runtime/config';
import { authorizerConfigJson, nagFindings } from '../support/cdk';
import { ErrorCodes } from '../support/error-codes';

const ISSUER = OidcIssuer.fromUrl('https://issuer.example.com', { audiences: ['api://orders'] });
const codes = new ErrorCodes();

function makeStack(): { app: App; stack: Stack } {
  const app = new App();
  return { app, stack: new Stack(app, 'Auth', { env: { account: '123456789012', region: 'eu-west-1' } }) };
}

/** A REST API whose GET /orders and GET /orders/{id} use the authorizer. */
function guardedApi(stack: Stack, props: Partial<TokenAuthorizerProps> = {}) {
  const authorizer = new TokenAuthorizer(stack, 'Authz', {
    issuer: ISSUER,
    routes: [
      { method: HttpMethod.GET, path: '/orders', scopes: ['orders:read'] },
      { method: HttpMethod.GET, path: '/orders/{id}', scopes: ['orders:read'] },
    ],
    ...props,
  });
  const api = new apigateway.RestApi(stack, 'Api');
  const orders = api.root.addResource('orders');
  orders.addMethod('GET', new apigateway.MockIntegration(), { authorizer: authorizer.authorizer });
  orders.addResource('{id}').addMethod('GET', new apigateway.MockIntegration(), { authorizer: authorizer.authorizer });
  return { authorizer, api };
}

describe('TokenAuthorizer', () => {
  test('should leave no folder behind but the staged asset', () => {
    // GIVEN: every folder made with mkdtemp during the synthesis
    const made: string[] = [];
    const mkdtemp = fs.mkdtempSync;
    const spy = jest.spyOn(fs, 'mkdtempSync').mockImplementation(((prefix: string, options?: any) => {
      const dir = mkdtemp(prefix, options) as string;
      made.push(dir);
      return dir;
    }) as typeof fs.mkdtempSync);
    try {
      // WHEN
      const { app, stack } = makeStack();
      guardedApi(stack);
      app.synth();
      // THEN: the folder the authorizer's asset was written to was staged (copied) into the assembly and removed
      const staging = made.filter((d) => path.basename(d).startsWith('.token-authorizer-'));
      expect(staging).toHaveLength(1);
      expect(staging.filter((d) => fs.existsSync(d))).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });

  test('should create a pinned Node.js 22 ARM64 function with the issuer in its environment', () => {
    // GIVEN
    const { stack } = makeStack();

    // WHEN
    guardedApi(stack);

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 256,
      Timeout: 8,
      TracingConfig: { Mode: 'Active' },
      Environment: {
        Variables: {
          SECURED_API_ISSUER: 'https://issuer.example.com',
          SECURED_API_AUDIENCES: '["api://orders"]',
          SECURED_API_JWKS_URI: 'https://issuer.example.com/.well-known/jwks.json',
        },
      },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^AuthzLogGroup') } },
    });
  });

  test('should create a REQUEST authorizer on the Authorization header with a 300 s cache', () => {
    // GIVEN
    const { stack } = makeStack();

    // WHEN
    guardedApi(stack);

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ApiGateway::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: 300,
      AuthorizerUri: Match.objectLike({
        'Fn::Join': Match.arrayWith([Match.arrayWith([{ 'Fn::GetAtt': [Match.stringLikeRegexp('^AuthzHandler'), 'Arn'] }])]),
      }),
    });
  });

  test('should let API Gateway invoke the function only as this API\'s authorizer', () => {
    // GIVEN
    const { stack } = makeStack();

    // WHEN
    guardedApi(stack);

    // THEN
    const template = Template.fromStack(stack);
    const authorizerId = Object.keys(template.findResources('AWS::ApiGateway::Authorizer'))[0];
    const apiId = Object.keys(template.findResources('AWS::ApiGateway::RestApi'))[0];
    template.resourceCountIs('AWS::Lambda::Permission', 1);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuthzHandler'), 'Arn'] },
      SourceArn: {
        'Fn::Join': ['', [
          'arn:', { Ref: 'AWS::Partition' }, ':execute-api:eu-west-1:123456789012:', { Ref: apiId }, '/authorizers/', { Ref: authorizerId },
        ]],
      },
    });
  });

  test('should write logs to its own log group, kept a year, with a role limited to it', () => {
    // GIVEN
    const { stack } = makeStack();

    // WHEN
    guardedApi(stack);

    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] }),
      ManagedPolicyArns: Match.absent(),
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: Match.arrayWith([{
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuthzLogGroup'), 'Arn'] },
        }]),
      },
    });
  });

  test('should write the contract\'s config.json with defaults into the function\'s asset', () => {
    // GIVEN
    const { app, stack } = makeStack();

    // WHEN
    guardedApi(stack, { serviceName: 'orders-api' });

    // THEN
    expect(authorizerConfigJson(app, stack)).toEqual({
      version: 1,
      algorithms: ['RS256'],
      audienceClaim: 'aud',
      profile: { clientClaims: ['client_id'], grantClaims: ['scope'] },
      clockToleranceSeconds: 30,
      maxTokenBytes: 8192,
      contextClaims: [],
      jwks: { timeoutMs: 3000, cooldownMs: 30000, maxBytes: 65536, maxKeys: 50, maxAgeMs: 3600000 },
      decisionCache: { maxEntries: 10000 },
      cacheMode: 'token',
      metricsNamespace: 'SecuredApi',
      serviceName: 'orders-api',
      routes: [
        { method: 'GET', resource: '/orders', arnPath: 'orders', scopes: ['orders:read'], claimRules: [], overlaps: [] },
        { method: 'GET', resource: '/orders/{id}', arnPath: 'orders/*', scopes: ['orders:read'], claimRules: [], overlaps: [] },
      ],
    });
  });

  test('should write a config.json that the runtime\'s loader accepts', () => {
    // GIVEN
    const { app, stack } = makeStack();
    const { authorizer, api } = guardedApi(stack, { maxTokenAge: Duration.hours(1), requiredTokenType: 'at+jwt', contextClaims: ['tenant'] });
    authorizer.addRoute({ method: HttpMethod.ANY, path: '/orders/{id}/{rest+}', claimRules: [ClaimRule.oneOf('region', ['eu', 'us'])] });
    api.root.resourceForPath('/orders/{id}/{rest+}').addMethod('ANY', new apigateway.MockIntegration(), { authorizer: authorizer.authorizer });

    // WHEN
    const parsed = parseConfig(authorizerConfigJson(app, stack), {
      SECURED_API_ISSUER: 'https://issuer.example.com',
      SECURED_API_AUDIENCES: '["api://orders"]',
      SECURED_API_JWKS_URI: 'https://issuer.example.com/.well-known/jwks.json',
    });

    // THEN
    expect(parsed.routes.map((r) => `${r.method} ${r.resource} -> ${r.arnPath}`)).toEqual([
      'GET /orders -> orders',
      'GET /orders/{id} -> orders/*',
      'ANY /orders/{id}/{rest+} -> orders/*/*',
    ]);
    expect(parsed.maxTokenAgeSeconds).toBe(3600);
  });

  test('should write the options into config.json', () => {
    // GIVEN
    const { app, stack } = makeStack();

    // WHEN
    guardedApi(stack, {
      clockTolerance: Duration.seconds(5),
      maxTokenAge: Duration.hours(1),
      requiredTokenType: 'at+jwt',
      contextClaims: ['tenant', 'email'],
      jwks: { timeout: Duration.millis(1500), cooldown: Duration.minutes(1), maxBytes: 16384 },
      decisionCacheSize: 0,
      metricsNamespace: 'Acme/Orders',
    });

    // THEN
    expect(authorizerConfigJson(app, stack)).toMatchObject({
      clockToleranceSeconds: 5,
      maxTokenAgeSeconds: 3600,
      requiredTyp: 'at+jwt',
      contextClaims: ['tenant', 'email'],
      jwks: { timeoutMs: 1500, cooldownMs: 60000, maxBytes: 16384 },
      decisionCache: { maxEntries: 0 },
      metricsNamespace: 'Acme/Orders',
    });
  });

  test('should include routes added after construction in the synthesized config.json', () => {
    // GIVEN
    const { app, stack } = makeStack();
    const { authorizer, api } = guardedApi(stack);

    // WHEN
    authorizer.addRoute({ method: HttpMethod.DELETE, path: '/orders/{id}', scopes: ['orders:admin'], claimRules: [ClaimRule.equalTo('tier', 'gold')] });
    api.root.getResource('orders')!.getResource('{id}')!.addMethod('DELETE', new apigateway.MockIntegration(), { authorizer: authorizer.authorizer });

    // THEN
    const config = authorizerConfigJson(app, stack);
    expect(config.routes.map((r: any) => `${r.method} ${r.resource}`)).toEqual(['GET /orders', 'DELETE /orders/{id}', 'GET /orders/{id}']);
    expect(config.routes[1]).toEqual({
      method: 'DELETE',
      resource: '/orders/{id}',
      arnPath: 'orders/*',
      scopes: ['orders:admin'],
      claimRules: [{ claim: 'tier', op: 'equals', value: 'gold' }],
      overlaps: [],
    });
  });

  test('should key the cache on the route too when the route table needs it', () => {
    // GIVEN
    const { app, stack } = makeStack();
    const { authorizer, api } = guardedApi(stack);

    // WHEN
    authorizer.addRoute({ method: HttpMethod.GET, path: '/orders/special', scopes: ['special'] });
    api.root.getResource('orders')!.addResource('special').addMethod('GET', new apigateway.MockIntegration(), { authorizer: authorizer.authorizer });

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Authorizer', {
      IdentitySource: 'method.request.header.Authorization,context.httpMethod,context.resourcePath',
    });
    expect(authorizerConfigJson(app, stack).cacheMode).toBe('route');
  });

  test('should disable API Gateway\'s cache with a zero TTL', () => {
    // GIVEN
    const { stack } = makeStack();

    // WHEN
    guardedApi(stack, { resultsCacheTtl: Duration.seconds(0) });

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Authorizer', { AuthorizerResultTtlInSeconds: 0 });
  });

  test('should check the client_id claim for a Cognito issuer', () => {
    // GIVEN
    const { app, stack } = makeStack();
    const pool = new cognito.UserPool(stack, 'Pool');
    const issuer = OidcIssuer.cognito(pool, { audiences: ['client-1'] });

    // WHEN
    guardedApi(stack, { issuer });

    // THEN
    expect(authorizerConfigJson(app, stack).audienceClaim).toBe('client_id');
  });

  test('should apply memory, retention, tracing and reserved concurrency options', () => {
    // GIVEN
    const { stack } = makeStack();

    // WHEN
    guardedApi(stack, { memorySize: 512, logRetention: 30, tracing: false, reservedConcurrency: 20 });

    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 512,
      TracingConfig: Match.absent(),
      ReservedConcurrentExecutions: 20,
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('should produce the same asset whatever the order routes were added in', () => {
    // GIVEN
    const routes = [
      { method: HttpMethod.GET, path: '/orders', scopes: ['orders:read'] },
      { method: HttpMethod.GET, path: '/orders/{id}', scopes: ['orders:read'] },
    ];
    const keyOf = (ordered: typeof routes) => {
      const { stack } = makeStack();
      guardedApi(stack, { routes: ordered });
      return Template.fromStack(stack).findResources('AWS::Lambda::Function');
    };

    // WHEN / THEN
    expect(JSON.stringify(keyOf(routes))).toEqual(JSON.stringify(keyOf([...routes].reverse())));
  });

  test('should fail synth when a method uses the authorizer without a route', () => {
    // GIVEN
    const { stack } = makeStack();
    const { authorizer, api } = guardedApi(stack);

    // WHEN
    api.root.addResource('admin').addMethod('POST', new apigateway.MockIntegration(), { authorizer: authorizer.authorizer });

    // THEN
    expect(() => Template.fromStack(stack)).toThrow(`[${codes.saw('TokenAuthorizer.UnregisteredMethod')}]`);
    expect(() => Template.fromStack(stack)).toThrow(
      /method POST \/admin \(Auth\/Api\/Default\/admin\/POST\) uses this authorizer but is not in its route table.*call addRoute\(\{ method: 'POST', path: '\/admin', \.\.\. \}\) on Auth\/Authz/,
    );
  });

  test.each([
    // arn:<aws-us-gov at most>:execute-api:eu-west-1:123456789012:<10-char api id>/prod/GET/ is 70 characters
    [442, undefined],
    [443, /\[TokenAuthorizer\.PolicyResourceTooLong\]/],
    [443, /route GET \/a{443} has a policy resource of up to 513 characters .*longer than 512.*shorten the route's path or the stage name by 1 characters/],
  ])('should refuse at synth a route whose policy resource can exceed 512 characters (path part of %s)', (length, error) => {
    // GIVEN
    const { stack } = makeStack();
    const { authorizer, api } = guardedApi(stack);
    const longPath = `/${'a'.repeat(length as number)}`;

    // WHEN
    authorizer.addRoute({ method: HttpMethod.GET, path: longPath });
    api.root.addResource(longPath.slice(1)).addMethod('GET', new apigateway.MockIntegration(), { authorizer: authorizer.authorizer });

    // THEN
    if (error) {
      expect(() => Template.fromStack(stack)).toThrow(error);
      codes.saw('TokenAuthorizer.PolicyResourceTooLong');
    } else {
      expect(() => Template.fromStack(stack)).not.toThrow();
    }
  });

  test('should refuse a route added after synthesis', () => {
    // GIVEN
    const { app, stack } = makeStack();
    const { authorizer } = guardedApi(stack);
    app.synth();

    // WHEN / THEN
    codes.expectThrows(() => authorizer.addRoute({ method: HttpMethod.GET, path: '/late' }), 'TokenAuthorizer.RouteAfterSynthesis',
      /Auth\/Authz: route GET \/late was added after the route table was written/,
    );
  });

  test('should refuse a duplicate route with the construct path', () => {
    // GIVEN
    const { stack } = makeStack();
    const { authorizer } = guardedApi(stack);

    // WHEN / THEN
    codes.expectThrows(() => authorizer.addRoute({ method: HttpMethod.ANY, path: '/orders' }), 'Route.AnyBesideMethod',
      'Auth/Authz: route ANY /orders is defined beside GET /orders',
    );
  });

  test.each<[string, string, Partial<TokenAuthorizerProps>, RegExp]>([
    ['a JWKS timeout over 10 s', 'TokenAuthorizer.ValueOutOfRange', { jwks: { timeout: Duration.seconds(11) } }, /jwks\.timeout \(milliseconds\) is 11000, which is not a whole number from 1 to 10000/],
    ['a clock tolerance over 5 min', 'TokenAuthorizer.ValueOutOfRange', { clockTolerance: Duration.minutes(6) }, /clockTolerance \(seconds\) is 360/],
    ['a cache TTL over an hour', 'TokenAuthorizer.ValueOutOfRange', { resultsCacheTtl: Duration.hours(2) }, /resultsCacheTtl \(seconds\) is 7200/],
    ['a fractional cache TTL', 'TokenAuthorizer.ValueOutOfRange', { resultsCacheTtl: Duration.millis(1500) }, /resultsCacheTtl \(seconds\) is 1.5/],
    ['a zero reserved concurrency', 'TokenAuthorizer.ValueOutOfRange', { reservedConcurrency: 0 }, /reservedConcurrency is 0/],
    ['a memory size under 128', 'TokenAuthorizer.ValueOutOfRange', { memorySize: 64 }, /memorySize is 64/],
    ['a context claim the context always has', 'TokenAuthorizer.ContextClaimShadowsContextKey', { contextClaims: ['scopes'] }, /contextClaims holds "scopes", which is \(in some letter case\) the key "scopes" the authorizer context always carries .*; remove it/],
    ['a context claim the context always has, in another letter case', 'TokenAuthorizer.ContextClaimShadowsContextKey', { contextClaims: ['ClientID'] }, /contextClaims holds "ClientID", which is \(in some letter case\) the key "clientId"/],
    ['principalId, API Gateway\'s own key', 'TokenAuthorizer.ContextClaimReservedByApiGateway', { contextClaims: ['principalId'] }, /Auth\/Authz: contextClaims holds "principalId", which is \(in some letter case\) API Gateway's own \$context\.authorizer\.principalId .*; remove it \(the principal is in principalId already\), or have the issuer put the value in a claim of another name/],
    ['integrationLatency, API Gateway\'s own key', 'TokenAuthorizer.ContextClaimReservedByApiGateway', { contextClaims: ['integrationLatency'] }, /API Gateway's own \$context\.authorizer\.integrationLatency \(reserved: principalId, claims, error, integrationLatency, integrationStatus, latency, requestId, status\)/],
    ['claims, a Cognito authorizer\'s key', 'TokenAuthorizer.ContextClaimReservedByApiGateway', { contextClaims: ['Claims'] }, /API Gateway's own \$context\.authorizer\.claims/],
    ['a context claim twice', 'TokenAuthorizer.DuplicateContextClaim', { contextClaims: ['tenant', 'tenant'] }, /contextClaims holds "tenant" twice/],
    ['a context claim twice in different letter cases', 'TokenAuthorizer.DuplicateContextClaim', { contextClaims: ['tenant', 'Tenant'] }, /contextClaims holds "Tenant" twice \(in some letter case\)/],
    ['an AWS/ namespace', 'TokenAuthorizer.InvalidMetricsNamespace', { metricsNamespace: 'AWS/Lambda' }, /metricsNamespace "AWS\/Lambda" is not a valid CloudWatch namespace/],
    ['a token type with whitespace', 'TokenAuthorizer.InvalidRequiredTokenType', { requiredTokenType: 'at jwt' }, /requiredTokenType "at jwt" is not a literal string without whitespace/],
    ['an empty context claim', 'TokenAuthorizer.InvalidContextClaim', { contextClaims: [''] }, /^Auth\/Authz: contextClaims holds "", which is not a non-empty literal string; pass claim names\.$/],
    ['an empty service name', 'TokenAuthorizer.InvalidServiceName', { serviceName: '' }, /serviceName "" is not usable as a metric dimension value/],
  ])('should refuse %s', (_what, code, props, message) => {
    // GIVEN
    const { stack } = makeStack();

    // WHEN / THEN
    const error = codes.expectThrows(() => new TokenAuthorizer(stack, 'Authz', { issuer: ISSUER, ...props }), code, message);
    expect((error as unknown as { constructPath?: string }).constructPath).toBe('Auth/Authz');
  });

  test('should refuse to create an AWS::ApiGateway::Authorizer once declared in a definition', () => {
    // GIVEN
    const { stack } = makeStack();
    const authorizer = new TokenAuthorizer(stack, 'Authz', { issuer: ISSUER });
    authorizer._declareInDefinition(new apigateway.RestApi(stack, 'Api'), () => 'prod');

    // WHEN / THEN
    codes.expectThrows(() => authorizer.authorizer, 'TokenAuthorizer.DeclaredInDefinition',
      "Auth/Authz: this authorizer is declared in the OpenAPI definition of a SecuredApi, which guards its routes with it; add routes with the SecuredApi's addRoute() rather than passing the authorizer to methods.");
  });

  test('should tell the developer to bundle when the handler bundle is missing', () => {
    // GIVEN
    const { stack } = makeStack();
    const exists = fs.existsSync;
    const spy = jest.spyOn(fs, 'existsSync').mockImplementation((p) => !String(p).endsWith(path.join('token-authorizer.lambda', 'index.js')) && exists(p));

    // WHEN / THEN
    try {
      codes.expectThrows(() => new TokenAuthorizer(stack, 'Authz', { issuer: ISSUER }), 'TokenAuthorizer.MissingBundle', /Auth\/Authz: the authorizer bundle .*index\.js is missing; run `npx projen bundle`/);
    } finally {
      spy.mockRestore();
    }
  });

  describe('cdk-nag AwsSolutionsChecks', () => {
    test('should acknowledge COG4 on the methods that use it and on no other', () => {
      // GIVEN
      const { app, stack } = makeStack();
      const { api } = guardedApi(stack);

      // WHEN
      api.root.addResource('admin').addMethod('GET', new apigateway.MockIntegration(), { authorizationType: apigateway.AuthorizationType.IAM });

      // THEN
      expect(nagFindings(app).filter((f) => f.startsWith('AwsSolutions-COG4 '))).toEqual(['AwsSolutions-COG4 Auth/Api/Default/admin/GET/Resource']);
    });

    test('should leave no finding on its own resources', () => {
      // GIVEN
      const { app, stack } = makeStack();

      // WHEN
      guardedApi(stack);

      // THEN
      expect(nagFindings(app).filter((f) => f.includes(' Auth/Authz/'))).toEqual([]);
    });

    test('should still report a grant on "*" that is not X-Ray\'s', () => {
      // GIVEN
      const { app, stack } = makeStack();
      const { authorizer } = guardedApi(stack);

      // WHEN
      authorizer.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListAllMyBuckets'], resources: ['*'] }));

      // THEN
      expect(nagFindings(app).filter((f) => f.includes(' Auth/Authz/'))).toEqual([
        'AwsSolutions-IAM5[Resource::*] Auth/Authz/ServiceRole/DefaultPolicy/Resource',
      ]);
    });

    test('should acknowledge no IAM5 when tracing is off', () => {
      // GIVEN
      const { app, stack } = makeStack();

      // WHEN
      guardedApi(stack, { tracing: false });

      // THEN
      expect(nagFindings(app).filter((f) => f.includes(' Auth/Authz/'))).toEqual([]);
      const policy = stack.node.findChild('Authz').node.findChild('ServiceRole').node.findChild('DefaultPolicy').node.defaultChild!;
      expect(policy.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)).toEqual([]);
    });
  });
});

describe('TokenAuthorizer error codes', () => {
  test('should test every code TokenAuthorizer throws', () => {
    expect(codes.untested('src/authorizer/token-authorizer.ts')).toEqual([]);
  });
});
