/**
 * A SecuredHttpApi's deployment check in the template: the stage serves only a deployment made after
 * the check (no AutoDeploy; DeploymentId names it; it depends on the check, which depends on the
 * routes), a new deployment per route change, the model in the check's asset, the skip path, and
 * escape hatches that bypass the check failing synth (SecuredHttpApi.DeploymentCheckBypassed).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ClaimRule, DeploymentCheck, HttpMethod, OidcIssuer, SecuredApiRoute, SecuredHttpApi, SecuredHttpApiProps } from '../../src';
import { compareHttpApi, DeployedHttpApi } from '../../src/api/runtime/http-compare';
import { deploymentCheckBypassed } from '../../src/http-api/rules/deployment-check-bypassed';

const ISSUER = OidcIssuer.fromUrl('https://issuer.example.com', { audiences: ['api://orders'] });

function build(props: Partial<SecuredHttpApiProps> = {}, extra: SecuredApiRoute[] = []) {
  const app = new App();
  const stack = new Stack(app, 'Orders', { env: { account: '123456789012', region: 'eu-west-1' } });
  const fn = new lambda.Function(stack, 'Handler', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });') });
  const api = new SecuredHttpApi(stack, 'Api', {
    issuer: ISSUER,
    apiName: 'orders',
    routes: [
      { method: HttpMethod.GET, path: '/orders', handler: fn, scopes: ['orders:read'] },
      { method: HttpMethod.GET, path: '/health', handler: fn, public: true },
      ...extra.map((r) => ({ ...r, handler: fn })),
    ],
    ...props,
  });
  return { app, stack, api };
}

const only = (template: Template, type: string): [string, any] => {
  const entries = Object.entries(template.findResources(type));
  expect(entries).toHaveLength(1);
  return entries[0];
};

describe('SecuredHttpApi deployment check (verify, the default)', () => {
  const { app, stack } = build();
  const template = Template.fromStack(stack);
  const [checkId, check] = only(template, 'Custom::SecuredHttpApiDeploymentCheck');
  const [deploymentId, deployment] = only(template, 'AWS::ApiGatewayV2::Deployment');
  const [, stage] = only(template, 'AWS::ApiGatewayV2::Stage');
  const [apiId] = only(template, 'AWS::ApiGatewayV2::Api');

  test('the stage serves the checked deployment, without AutoDeploy', () => {
    expect(stage.Properties.AutoDeploy).toBe(false);
    expect(stage.Properties.DeploymentId).toEqual({ Ref: deploymentId });
    expect(deployment.Properties.ApiId).toEqual({ Ref: apiId });
  });

  test('the deployment depends on the check, and the check on the API\'s routes and authorizers', () => {
    expect(deployment.DependsOn).toContain(checkId);
    const routeIds = Object.keys(template.findResources('AWS::ApiGatewayV2::Route'));
    const authorizerIds = Object.keys(template.findResources('AWS::ApiGatewayV2::Authorizer'));
    for (const id of [...routeIds, ...authorizerIds]) {
      expect(check.DependsOn).toContain(id);
    }
    expect(check.Properties.ApiId).toEqual({ Ref: apiId });
    expect(check.Properties.ModelHash).toMatch(/^[0-9a-f]{64}$/);
  });

  test('the check reads this API only (apigateway:GET on it and below)', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p: any) => JSON.stringify(p).includes('apigateway:GET'));
    expect(policies).toHaveLength(1);
    const statements = (policies[0] as any).Properties.PolicyDocument.Statement;
    expect(statements).toHaveLength(1);
    expect(statements[0].Action).toBe('apigateway:GET');
    expect(JSON.stringify(statements[0].Resource)).toContain('::/apis/');
  });

  test('the model in the check\'s asset is what the construct wrote', () => {
    const assembly = app.synth();
    const dirs = fs.readdirSync(assembly.directory).filter((d) => d.startsWith('asset.'));
    const models = dirs.map((d) => path.join(assembly.directory, d, 'model.json')).filter((f) => fs.existsSync(f)).map((f) => JSON.parse(fs.readFileSync(f, 'utf8')));
    const model = models.find((m) => Array.isArray(m.routes));
    expect(model).toEqual({
      version: 1,
      routes: [
        { routeKey: 'GET /orders', authorizationType: 'JWT', scopes: ['orders:read'] },
        { routeKey: 'GET /health', authorizationType: 'NONE', scopes: [] },
      ],
      jwtAuthorizer: { name: 'JwtAuthorizer', issuer: 'https://issuer.example.com', audiences: ['api://orders'] },
    });
  });
});

/** The model.json of the check's asset in a synthesized assembly. */
function modelOf(directory: string): any {
  const files = fs.readdirSync(directory).filter((d) => d.startsWith('asset.')).map((d) => path.join(directory, d, 'model.json')).filter((f) => fs.existsSync(f));
  return files.map((f) => JSON.parse(fs.readFileSync(f, 'utf8'))).find((m) => Array.isArray(m.routes));
}

/** What GetRoutes/GetAuthorizers/GetIntegrations would return for the template as written (logical ids as API Gateway ids). */
function deployedFromTemplate(template: Template): DeployedHttpApi {
  const ref = (v: any) => (v && typeof v === 'object' && 'Ref' in v ? v.Ref : v);
  const target = (v: any) => (typeof v === 'string' ? v : v['Fn::Join'][1].map(ref).join(v['Fn::Join'][0]));
  return {
    routes: Object.entries(template.findResources('AWS::ApiGatewayV2::Route')).map(([id, r]: [string, any]) => ({
      RouteId: id,
      RouteKey: r.Properties.RouteKey,
      AuthorizationType: r.Properties.AuthorizationType,
      AuthorizerId: ref(r.Properties.AuthorizerId),
      AuthorizationScopes: r.Properties.AuthorizationScopes,
      Target: target(r.Properties.Target),
    })),
    authorizers: Object.entries(template.findResources('AWS::ApiGatewayV2::Authorizer')).map(([id, a]: [string, any]) => ({ AuthorizerId: id, ...a.Properties })),
    integrations: Object.keys(template.findResources('AWS::ApiGatewayV2::Integration')).map((id) => ({ IntegrationId: id })),
  };
}

describe('SecuredHttpApi deployment check: the model agrees with the template', () => {
  test('the API as the template writes it (JWT, Lambda and public routes) passes the check', () => {
    const { app, stack } = build({}, [
      { method: HttpMethod.GET, path: '/orders/{id}', scopes: ['orders:read'], claimRules: [ClaimRule.equalTo('tenant', 'acme')] },
      { method: HttpMethod.POST, path: '/orders', scopes: ['orders:write'] },
    ]);
    const template = Template.fromStack(stack);
    const model = modelOf(app.synth().directory);
    expect(model.lambdaAuthorizer).toBeDefined();
    expect(model.jwtAuthorizer).toBeDefined();
    expect(compareHttpApi(model, deployedFromTemplate(template))).toEqual([]);
  });
});

describe('SecuredHttpApi deployment check: a new deployment per route change', () => {
  test('adding a route changes the deployment\'s logical id and the model hash', () => {
    const a = Template.fromStack(build().stack);
    const b = Template.fromStack(build({}, [{ method: HttpMethod.POST, path: '/orders', scopes: ['orders:write'] }]).stack);
    const same = Template.fromStack(build().stack);
    const ids = (t: Template) => Object.keys(t.findResources('AWS::ApiGatewayV2::Deployment'));
    expect(ids(a)).not.toEqual(ids(b));
    expect(ids(a)).toEqual(ids(same));
  });

  test('a route served by another handler (same routes, same model) makes a new deployment too', () => {
    const twoHandlers = (swap: boolean): Template => {
      const stack = new Stack(new App(), 'Orders', { env: { account: '123456789012', region: 'eu-west-1' } });
      const fn = (id: string) => new lambda.Function(stack, id, { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });') });
      const [first, second] = [fn('First'), fn('Second')];
      new SecuredHttpApi(stack, 'Api', {
        issuer: ISSUER,
        apiName: 'orders',
        routes: [
          { method: HttpMethod.GET, path: '/orders', handler: swap ? second : first, scopes: ['orders:read'] },
          { method: HttpMethod.GET, path: '/health', handler: first, public: true },
        ],
      });
      return Template.fromStack(stack);
    };
    const ids = (t: Template) => Object.keys(t.findResources('AWS::ApiGatewayV2::Deployment'));
    const hash = (t: Template) => Object.values(t.findResources('Custom::SecuredHttpApiDeploymentCheck')).map((r: any) => r.Properties.ModelHash);
    const [a, b] = [twoHandlers(false), twoHandlers(true)];
    expect(hash(a)).toEqual(hash(b));
    expect(ids(a)).not.toEqual(ids(b));
  });
});

describe('SecuredHttpApi deployment check: skip', () => {
  test('DeploymentCheck.skip(reason) keeps AutoDeploy, makes no check, and warns', () => {
    const { stack } = build({ deploymentCheck: DeploymentCheck.skip('LocalStack has no API Gateway v2 read API') });
    const template = Template.fromStack(stack);
    template.resourceCountIs('Custom::SecuredHttpApiDeploymentCheck', 0);
    template.resourceCountIs('AWS::ApiGatewayV2::Deployment', 0);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { AutoDeploy: true });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('The deployment check is skipped \\(LocalStack has no API Gateway v2 read API\\)'));
    expect(warnings).toHaveLength(1);
  });

  test('a skip without a reason fails', () => {
    expect(() => build({ deploymentCheck: DeploymentCheck.skip('') })).toThrow(expect.objectContaining({ code: 'SecuredHttpApi.DeploymentCheckSkipWithoutReason' }));
  });
});

describe('SecuredHttpApi deployment check: escape hatches that bypass it fail synth', () => {
  const cases: Array<[string, (api: SecuredHttpApi) => void, RegExp]> = [
    ['AutoDeploy back on', (api) => (api.stage.node.defaultChild as apigwv2.CfnStage).addPropertyOverride('AutoDeploy', true), /AutoDeploy true/],
    ['the stage names another deployment', (api) => (api.stage.node.defaultChild as apigwv2.CfnStage).addPropertyOverride('DeploymentId', 'abc123'), /DeploymentId is "abc123"/],
    ['the stage names no deployment', (api) => (api.stage.node.defaultChild as apigwv2.CfnStage).addDeletionOverride('Properties.DeploymentId'), /DeploymentId is null/],
    ['the dependency removed', (api) => (api.node.findChild('DeploymentCheck').node.findChild('Deployment') as apigwv2.CfnDeployment).addDeletionOverride('DependsOn'), /no longer depends on the deployment check/],
    ['the check removed', (api) => api.node.findChild('DeploymentCheck').node.tryRemoveChild('Resource'), /custom resource .* is missing from the template/],
  ];
  test.each(cases)('%s', (_name, hatch, message) => {
    const { app, api } = build();
    hatch(api);
    expect(() => app.synth()).toThrow(message);
    expect(() => app.synth()).toThrow(/SecuredHttpApi.DeploymentCheckBypassed|DeploymentCheckBypassed/);
  });

  test('the rule is listed with its code', () => {
    expect(deploymentCheckBypassed.code).toBe('SecuredHttpApi.DeploymentCheckBypassed');
  });
});
