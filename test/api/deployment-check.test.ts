/**
 * The deployment check as a SecuredApi synthesizes it: the custom resource, what the deployment
 * waits for, the IAM it gets, the model in its asset, and the opt-out.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { DeploymentCheck, HttpMethod, OidcIssuer, RouteBackend, SecuredApi, SecuredApiProps } from '../../src';
import { expectedApiOf } from '../../src/api/deployment-check';
import { runCheck } from '../../src/api/runtime/check';
import { importDefinition } from '../support/api-gateway-import';
import { acknowledgements, nagFindings } from '../support/cdk';
import { deployedOf, deployedTemplateValue } from '../support/deployment-check';
import { okHandler, ordersStack } from '../support/orders-api';

const ISSUER = OidcIssuer.fromUrl('https://issuer.example.com', { audiences: ['api://orders'] });

/** The Orders API: list and get by one function, create by another, a public health check, an HTTP backend. */
function ordersApi(stack: Stack, props: Partial<SecuredApiProps> = {}): SecuredApi {
  const read = okHandler(stack, 'Read');
  const create = okHandler(stack, 'Create');
  return new SecuredApi(stack, 'Api', {
    issuer: ISSUER,
    apiName: 'orders',
    routes: [
      { method: HttpMethod.GET, path: '/orders', handler: read, scopes: ['orders:read'] },
      { method: HttpMethod.GET, path: '/orders/{id}', handler: read, scopes: ['orders:read'] },
      { method: HttpMethod.POST, path: '/orders', handler: create, scopes: ['orders:write'] },
      { method: HttpMethod.GET, path: '/health', handler: read, public: true },
      { method: HttpMethod.GET, path: '/legacy/{id}', backend: RouteBackend.http('https://legacy.example.com/orders/{id}'), scopes: ['orders:read'] },
    ],
    dashboard: false,
    alarms: false,
    auditQueries: false,
    ...props,
  });
}

function checkResource(template: Template): any {
  const found = Object.values<any>(template.findResources('Custom::SecuredApiDeploymentCheck'));
  expect(found).toHaveLength(1);
  return found[0];
}

describe('SecuredApi deployment check', () => {
  test('should create the check by default, and make the deployment wait for it', () => {
    // GIVEN
    const { stack } = ordersStack();

    // WHEN
    const api = ordersApi(stack);

    // THEN
    const template = Template.fromStack(stack);
    const check = checkResource(template);
    const checkId = stack.resolve((api.deploymentCheck!.node.defaultChild as any).logicalId);
    expect(check.Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [expect.stringMatching(/^ApiDeploymentCheckHandler/), 'Arn'] },
      ServiceTimeout: '600',
      RestApiId: { Ref: stack.resolve((api.restApi.node.defaultChild as any).logicalId) },
      Values: expect.any(Array),
      ModelHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const deployments = Object.values<any>(template.findResources('AWS::ApiGateway::Deployment'));
    expect(deployments).toHaveLength(1);
    expect(deployments[0].DependsOn).toEqual([checkId]);
    expect(stack.resolve(api.deploymentCheck!.getAttString('RoutesVerified'))).toEqual({ 'Fn::GetAtt': [checkId, 'RoutesVerified'] });
  });

  test('should pass each deploy-time value once: the authorizer and each function, whatever number of routes it serves', () => {
    // GIVEN
    const { stack } = ordersStack();

    // WHEN
    ordersApi(stack);

    // THEN
    const values: any[] = checkResource(Template.fromStack(stack)).Properties.Values;
    expect(values).toEqual([
      { Ref: 'AWS::Partition' },
      { Ref: 'AWS::Region' },
      { 'Fn::GetAtt': [expect.stringMatching(/^ApiAuthorizerHandler/), 'Arn'] },
      { 'Fn::GetAtt': [expect.stringMatching(/^Read/), 'Arn'] },
      { 'Fn::GetAtt': [expect.stringMatching(/^Create/), 'Arn'] },
    ]);
  });

  test('should read this API only: apigateway:GET on its ARN and below', () => {
    // GIVEN
    const { stack } = ordersStack();

    // WHEN
    const api = ordersApi(stack);

    // THEN
    const template = Template.fromStack(stack);
    const apiId = stack.resolve((api.restApi.node.defaultChild as any).logicalId);
    const arn = (suffix: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':apigateway:eu-west-1::/restapis/', { Ref: apiId }, ...(suffix ? [suffix] : [])]] });
    const fn = Object.values<any>(template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('deployment check') } }))[0];
    const role = fn.Properties.Role['Fn::GetAtt'][0];
    const statements = Object.values<any>(template.findResources('AWS::IAM::Policy'))
      .filter((p) => p.Properties.Roles.some((r: any) => r.Ref === role))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual(expect.arrayContaining([
      { Action: 'apigateway:GET', Effect: 'Allow', Resource: [arn(''), arn('/*')] },
    ]));
    // Besides reading the API: writing its own log group, nothing else.
    expect(statements.filter((s) => s.Action !== 'apigateway:GET')).toEqual([
      { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [fn.Properties.LoggingConfig.LogGroup.Ref, 'Arn'] } },
    ]);
    template.hasResourceProperties('AWS::IAM::Role', Match.objectLike({ Description: Match.stringLikeRegexp('^Reads back the REST API of Orders/Api'), ManagedPolicyArns: Match.absent() }));
  });

  test('should keep its logs as long as the API\'s logRetention says', () => {
    // GIVEN
    const { stack } = ordersStack();

    // WHEN
    ordersApi(stack, { logRetention: logs.RetentionDays.ONE_MONTH });

    // THEN
    const template = Template.fromStack(stack);
    const fn = Object.values<any>(template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('deployment check') } }))[0];
    expect(template.toJSON().Resources[fn.Properties.LoggingConfig.LogGroup.Ref].Properties).toEqual({ RetentionInDays: 30 });
  });

  test('should write a model into its asset that the faithful import of the synthesized definition passes', async () => {
    // GIVEN
    const { app, stack } = ordersStack();
    ordersApi(stack, { cors: { allowOrigins: ['https://app.example.com'] }, quotas: { tiers: [{ name: 'std', rateLimit: 10 }], defaultTier: 'std' } });

    // WHEN
    const assembly = app.synth();
    const template = assembly.getStackByName(stack.stackName).template;

    // THEN
    const resources = Object.values<any>(template.Resources);
    const fn = resources.find((r) => r.Type === 'AWS::Lambda::Function' && /deployment check/.test(r.Properties.Description));
    const dir = path.join(assembly.directory, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
    expect(fs.readdirSync(dir).sort()).toEqual(['index.js', 'model.json']);
    const model = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
    const body = deployedTemplateValue(resources.find((r) => r.Type === 'AWS::ApiGateway::RestApi').Properties.Body);
    const values: string[] = deployedTemplateValue(resources.find((r) => r.Type === 'Custom::SecuredApiDeploymentCheck').Properties.Values);
    const answer = await runCheck({
      RequestType: 'Create',
      ResponseURL: 'http://127.0.0.1:1/',
      StackId: 's',
      RequestId: 'r',
      LogicalResourceId: 'l',
      ResourceProperties: { RestApiId: 'a1b2c3d4e5', Values: values },
    }, { model: () => model, client: () => undefined as any, read: async () => deployedOf(importDefinition('a1b2c3d4e5', body)), budgetMs: 60_000, log: () => undefined });
    // 5 routes and a preflight on each of their 4 paths.
    expect(answer).toEqual({ status: 'SUCCESS', physicalResourceId: 'deployment-check-a1b2c3d4e5', data: { RoutesVerified: '9' } });
    expect(model.apiKeySource).toBe('AUTHORIZER');
    // The handler recognises its own model by the digest of these files (a rollback sends another).
    const digest = createHash('sha256');
    for (const file of ['model.json', 'index.js']) {
      digest.update(fs.readFileSync(path.join(dir, file)));
    }
    expect(resources.find((r) => r.Type === 'Custom::SecuredApiDeploymentCheck').Properties.ModelHash).toBe(digest.digest('hex'));
    // No temporary folder is left beside the assembly.
    expect(fs.readdirSync(assembly.directory).filter((f) => f.startsWith('.deployment-check-'))).toEqual([]);
  });

  test('should run again whenever the routes change, and only then', () => {
    // GIVEN
    const hashOf = (extra: boolean) => {
      const { stack } = ordersStack();
      const api = ordersApi(stack);
      if (extra) {
        api.addRoute({ method: HttpMethod.DELETE, path: '/orders/{id}', handler: okHandler(stack, 'Delete'), scopes: ['orders:write'] });
      }
      return checkResource(Template.fromStack(stack)).Properties.ModelHash;
    };

    // WHEN / THEN
    expect(hashOf(false)).toBe(hashOf(false));
    expect(hashOf(true)).not.toBe(hashOf(false));
  });

  test('should pass a function of another stack as a cross-stack value', () => {
    // GIVEN
    const app = new App();
    const env = { account: '123456789012', region: 'eu-west-1' };
    const fns = new Stack(app, 'Functions', { env });
    const apis = new Stack(app, 'Apis', { env });

    // WHEN
    new SecuredApi(apis, 'Api', {
      issuer: ISSUER,
      routes: [{ method: HttpMethod.GET, path: '/orders', handler: okHandler(fns, 'List'), scopes: ['orders:read'] }],
      dashboard: false,
      alarms: false,
      auditQueries: false,
    });

    // THEN
    const values: any[] = checkResource(Template.fromStack(apis)).Properties.Values;
    expect(JSON.stringify(values)).toMatch(/Fn::ImportValue/);
  });

  describe('the model read from a definition', () => {
    const definition = (security: unknown) => ({
      components: { securitySchemes: { tokenAuthorizer: { 'x-amazon-apigateway-authorizer': { type: 'request', identitySource: 'method.request.header.Authorization', authorizerUri: 'arn:aws:apigateway:eu-west-1:lambda:path/x' } } } },
      paths: { '/a': { get: { security, 'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri: 'arn:aws:apigateway:eu-west-1:lambda:path/y' } } } },
    });

    test.each([
      [[{ tokenAuthorizer: [], api_key: [] }]],
      [[{ tokenAuthorizer: [] }, { api_key: [] }]],
    ])('should expect CUSTOM with an API key from the security %j, as API Gateway reads it', (security) => {
      const { model } = expectedApiOf('Test', definition(security), () => undefined);
      expect(model.operations).toEqual([expect.objectContaining({ method: 'GET', path: '/a', authorizationType: 'CUSTOM', apiKeyRequired: true })]);
    });

    test('should refuse a scheme it does not know, naming the operation', () => {
      expect(() => expectedApiOf('Test', definition([{ other: [] }]), () => undefined))
        .toThrow(/^Test: operation GET \/a has the security \[\{"other":\[\]\}\], whose scheme\(s\) other the deployment check does not know/);
    });
  });

  describe('cdk-nag AwsSolutionsChecks', () => {
    test('should leave no finding on the check, acknowledging only its read below this API and its pinned runtime, with reasons', () => {
      // GIVEN
      const { app, stack } = ordersStack();
      ordersApi(stack);

      // WHEN
      const findings = nagFindings(app);

      // THEN
      expect(findings.filter((f) => f.includes('/DeploymentCheck/'))).toEqual([]);
      const found = acknowledgements(app).filter((a) => a.path.includes('/DeploymentCheck/'));
      expect(found.map((a) => `${a.id} ${a.path}`)).toEqual([
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:apigateway:eu-west-1::/restapis/<ApiCD79AAA0>/*] Orders/Api/DeploymentCheck/ReadApi/Resource',
        'AwsSolutions-L1 Orders/Api/DeploymentCheck/Handler/Resource',
      ]);
      for (const { reason } of found) {
        expect(typeof reason === 'string' && reason.length > 40).toBe(true);
      }
    });

    test('should still report a wildcard someone else adds to the check\'s read policy', () => {
      // GIVEN
      const { app, stack } = ordersStack();
      const api = ordersApi(stack);

      // WHEN
      const policy = api.node.findChild('DeploymentCheck').node.findChild('ReadApi') as iam.Policy;
      policy.addStatements(new iam.PolicyStatement({ actions: ['apigateway:GET'], resources: ['arn:aws:apigateway:eu-west-1::/restapis/*'] }));

      // THEN
      expect(nagFindings(app).filter((f) => f.includes('/DeploymentCheck/'))).toEqual([
        'AwsSolutions-IAM5[Resource::arn:aws:apigateway:eu-west-1::/restapis/*] Orders/Api/DeploymentCheck/ReadApi/Resource',
      ]);
    });
  });

  describe('opt-out', () => {
    test.each([[''], ['   ']])('should refuse DeploymentCheck.skip(%j) without a reason', (reason) => {
      // GIVEN
      const { stack } = ordersStack();

      // WHEN / THEN
      expect(() => ordersApi(stack, { deploymentCheck: DeploymentCheck.skip(reason) }))
        .toThrow(expect.objectContaining({ code: 'SecuredApi.DeploymentCheckSkipWithoutReason', message: expect.stringMatching(/^Orders\/Api: deploymentCheck is DeploymentCheck\.skip\(.*\), without a reason; say why/) }));
    });

    test('should skip the check with a reason, as a synth warning and in the OpenAPI document', () => {
      // GIVEN
      const { stack } = ordersStack();

      // WHEN
      const api = ordersApi(stack, { deploymentCheck: DeploymentCheck.skip('LocalStack has no API Gateway read API') });

      // THEN
      const template = Template.fromStack(stack);
      template.resourceCountIs('Custom::SecuredApiDeploymentCheck', 0);
      expect(api.deploymentCheck).toBeUndefined();
      expect(Object.values<any>(template.findResources('AWS::ApiGateway::Deployment'))[0].DependsOn).toBeUndefined();
      Annotations.fromStack(stack).hasWarning('/Orders/Api', Match.stringLikeRegexp('The deployment check is skipped \\(LocalStack has no API Gateway read API\\)'));
      const document = JSON.parse(api.renderOpenApi());
      expect(document['x-cdk-secured-api-deployment-check']).toEqual({ skipped: true, reason: 'LocalStack has no API Gateway read API' });
    });

    test('should keep the check with DeploymentCheck.verify(), and record nothing in the OpenAPI document', () => {
      // GIVEN
      const { stack } = ordersStack();

      // WHEN
      const api = ordersApi(stack, { deploymentCheck: DeploymentCheck.verify() });

      // THEN
      Template.fromStack(stack).resourceCountIs('Custom::SecuredApiDeploymentCheck', 1);
      expect(JSON.parse(api.renderOpenApi())['x-cdk-secured-api-deployment-check']).toBeUndefined();
    });
  });
});
