/**
 * A SecuredHttpApi's deployment check in the template: the stage serves only a deployment made after
 * the check (no AutoDeploy; DeploymentId names it; it depends on the check, which depends on the
 * API and so its OpenAPI definition), a new deployment per change of the definition, the model in
 * the check's asset (from the definition), the skip path, and
 * escape hatches that bypass the check failing synth (SecuredHttpApi.DeploymentCheckBypassed).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, CfnCondition, CfnResource, Duration, Fn, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as fc from 'fast-check';
import { deployedFromTemplate, modelOf, valuesOf } from './body-support';
import { ClaimRule, DeploymentCheck, HttpMethod, OidcIssuer, SecuredApiRoute, SecuredHttpApi, SecuredHttpApiProps } from '../../src';
import { deploymentCheckAsDeployed } from '../../src/api/guards/deployed-api';
import { deploymentCheckIntactErrors } from '../../src/api/guards/deployment-check-intact';
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

  test('the deployment depends on the check, and the check on the API (its definition: routes, integrations, authorizers)', () => {
    expect(deployment.DependsOn).toContain(checkId);
    expect(check.DependsOn).toContain(apiId);
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
    // One integration (both routes share the handler), by its name in the definition: its function's ARN is a deploy-time value.
    expect(model).toEqual({
      version: 1,
      routes: [
        { routeKey: 'GET /orders', authorizationType: 'JWT', scopes: ['orders:read'], integration: 'Integration0' },
        { routeKey: 'GET /health', authorizationType: 'NONE', scopes: [], integration: 'Integration0' },
      ],
      jwtAuthorizer: { name: 'JwtAuthorizer', issuer: 'https://issuer.example.com', audiences: ['api://orders'] },
      integrations: [{
        name: 'Integration0', integrationType: 'AWS_PROXY', integrationUri: { value: 0 }, integrationMethod: 'POST', payloadFormatVersion: '2.0', connectionType: 'INTERNET',
      }],
      authorizerTargets: [{ name: 'JwtAuthorizer' }],
    });
    expect(check.Properties.Values).toEqual([{
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':apigateway:eu-west-1:lambda:path/2015-03-31/functions/', { 'Fn::GetAtt': [expect.stringMatching(/^Handler/), 'Arn'] }, '/invocations']],
    }]);
  });
});

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
    expect(model.authorizerTargets).toEqual(expect.arrayContaining([{ name: 'LambdaAuthorizer', authorizerUri: { value: expect.any(Number) } }]));
    expect(compareHttpApi(model, valuesOf(template), deployedFromTemplate(template))).toEqual([]);
    // The Lambda authorizer pointed at another function is a difference.
    const deployed = deployedFromTemplate(template);
    const allowAll = 'arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:allow-all/invocations';
    const other = { ...deployed, authorizers: deployed.authorizers.map((a) => (a.Name === 'LambdaAuthorizer' ? { ...a, AuthorizerUri: allowAll } : a)) };
    expect(compareHttpApi(model, valuesOf(template), other))
      .toEqual([expect.stringMatching(/^authorizer LambdaAuthorizer \(.*\): AuthorizerUri arn:aws:apigateway:.*allow-all\/invocations, expected arn:.*function:ApiAuthorizerHandler/)]);
  });

  test('for generated route sets, the import of the definition passes the check, and pointing any route elsewhere or opening it does not', () => {
    const genRoute = fc.record({
      method: fc.constantFrom(HttpMethod.GET, HttpMethod.POST, HttpMethod.DELETE),
      path: fc.array(fc.constantFrom('a', 'orders', '{id}'), { minLength: 1, maxLength: 2 }).map((p) => `/x/${p.join('/')}`),
      kind: fc.constantFrom('public', 'scopes', 'claims'),
    });
    const genRoutes = fc.uniqueArray(genRoute, { minLength: 1, maxLength: 5, selector: (r) => `${r.method} ${r.path.replace(/\{id\}/g, '{}')}` })
      .filter((rs) => rs.every((r) => (r.path.match(/\{id\}/g) ?? []).length <= 1));
    fc.assert(fc.property(genRoutes, fc.nat(), fc.constantFrom('open', 'retarget'), (routes, pick, change) => {
      const { app, stack } = build({}, routes.map((r): SecuredApiRoute => ({
        method: r.method,
        path: r.path,
        ...(r.kind === 'public' ? { public: true } : r.kind === 'scopes' ? { scopes: ['orders:read'] } : { claimRules: [ClaimRule.equalTo('tenant', 'acme')] }),
      })));
      const template = Template.fromStack(stack);
      const model = modelOf(app.synth().directory);
      const deployed = deployedFromTemplate(template);
      expect(compareHttpApi(model, valuesOf(template), deployed)).toEqual([]);
      // One route changed as deployed: opened (no authorizer), or pointed at an integration the definition does not give it.
      const target = deployed.routes[pick % deployed.routes.length];
      const other = { IntegrationId: 'elsewhere', IntegrationType: 'HTTP_PROXY', IntegrationUri: 'https://evil.example.com', IntegrationMethod: 'ANY', PayloadFormatVersion: '1.0' };
      const changed: DeployedHttpApi = change === 'open'
        ? { ...deployed, routes: deployed.routes.map((r) => (r === target ? { ...r, AuthorizationType: r.AuthorizationType === 'NONE' ? 'JWT' : 'NONE', AuthorizerId: undefined } : r)) }
        : { ...deployed, integrations: [...deployed.integrations, other], routes: deployed.routes.map((r) => (r === target ? { ...r, Target: 'integrations/elsewhere' } : r)) };
      expect(compareHttpApi(model, valuesOf(template), changed)).not.toEqual([]);
    }), { numRuns: 6 });
  });

  test('an escape hatch on the definition (another function) fails synth, so the check never holds a model the template disagrees with', () => {
    const { app, stack, api } = build();
    const other = new lambda.Function(stack, 'Other', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });') });
    api.cfnApi.addPropertyOverride('Body.components.x-amazon-apigateway-integrations.Integration0.uri', other.functionArn);
    expect(() => app.synth()).toThrow(/SecuredHttpApi\.ResourceOverridden/);
  });

  test('an integration of the API made outside the construct fails synth (it cannot be combined with the definition), one of another API does not', () => {
    const { app, stack, api } = build();
    const otherApi = new apigwv2.HttpApi(stack, 'OtherApi');
    new apigwv2.CfnIntegration(stack, 'OfOtherApi', { apiId: otherApi.apiId, integrationType: 'HTTP_PROXY', integrationUri: 'https://other.example.com', integrationMethod: 'GET', payloadFormatVersion: '1.0' });
    expect(() => app.synth()).not.toThrow();
    const second = build();
    new apigwv2.CfnIntegration(second.stack, 'ByHand', { apiId: second.api.httpApi.apiId, integrationType: 'HTTP_PROXY', integrationUri: 'https://backend.example.com', integrationMethod: 'GET', payloadFormatVersion: '1.0' });
    expect(() => second.app.synth()).toThrow(/Orders\/ByHand \(AWS::ApiGatewayV2::Integration\) is a resource of the API.*SecuredHttpApi\.ResourceBesideBody/s);
    void api;
  });
});

describe('SecuredHttpApi deployment check: deploy-time values', () => {
  test('a handler of another stack reaches the check as an import CloudFormation resolves', () => {
    // GIVEN
    const app = new App();
    const env = { account: '123456789012', region: 'eu-west-1' };
    const handlers = new Stack(app, 'Handlers', { env });
    const stack = new Stack(app, 'Orders', { env });
    const fn = new lambda.Function(handlers, 'Handler', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });') });

    // WHEN
    new SecuredHttpApi(stack, 'Api', { issuer: ISSUER, routes: [{ method: HttpMethod.GET, path: '/orders', handler: fn, scopes: ['orders:read'] }] });

    // THEN
    expect(() => app.synth()).not.toThrow();
    const check = Object.values<any>(Template.fromStack(stack).findResources('Custom::SecuredHttpApiDeploymentCheck'))[0];
    expect(JSON.stringify(check.Properties.Values)).toContain('Fn::ImportValue');
    expect(JSON.stringify(check.Properties.Values)).not.toContain('"Fn::GetAtt":["Handler');
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

  test('any change of the OpenAPI definition alone (the Lambda authorizer\'s cache TTL, CORS) makes a new deployment', () => {
    const lambdaRoute: SecuredApiRoute[] = [{ method: HttpMethod.GET, path: '/tenants', claimRules: [ClaimRule.equalTo('tenant', 'acme')] }];
    const ids = (t: Template) => Object.keys(t.findResources('AWS::ApiGatewayV2::Deployment'));
    const base = Template.fromStack(build({}, lambdaRoute).stack);
    const ttl = Template.fromStack(build({ resultsCacheTtl: Duration.seconds(60) }, lambdaRoute).stack);
    const cors = Template.fromStack(build({ cors: { allowOrigins: ['https://app.example.com'] } }, lambdaRoute).stack);
    expect(ids(ttl)).not.toEqual(ids(base));
    expect(ids(cors)).not.toEqual(ids(base));
    expect(ids(Template.fromStack(build({}, lambdaRoute).stack))).toEqual(ids(base));
  });

  test('a route served by another handler makes a new deployment, and the check expects the other function', () => {
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
    const values = (t: Template) => Object.values(t.findResources('Custom::SecuredHttpApiDeploymentCheck')).map((r: any) => JSON.stringify(r.Properties.Values));
    const [a, b] = [twoHandlers(false), twoHandlers(true)];
    expect(values(a)).not.toEqual(values(b));
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
    ['the stage names another deployment', (api) => (api.stage.node.defaultChild as apigwv2.CfnStage).addPropertyOverride('DeploymentId', 'abc123'), /the stage Orders\/Api\/Stage\/Resource of the HTTP API of Orders\/Api has the DeploymentId "abc123", not the checked deployment/],
    ['the stage names no deployment', (api) => (api.stage.node.defaultChild as apigwv2.CfnStage).addDeletionOverride('Properties.DeploymentId'), /has the DeploymentId null, not the checked deployment/],
    ['the dependency removed', (api) => (api.node.findChild('DeploymentCheck').node.findChild('Deployment') as apigwv2.CfnDeployment).addDeletionOverride('DependsOn'), /the deployment Orders\/Api\/DeploymentCheck\/Deployment of the HTTP API of Orders\/Api does not depend on the deployment check .* \(its DependsOn is none,/],
    ['the check removed', (api) => api.node.findChild('DeploymentCheck').node.tryRemoveChild('Resource'), /the deployment check Orders\/Api\/DeploymentCheck\/Resource\/Default is not in the template \(an escape hatch removed it\), so the HTTP API of Orders\/Api would be deployed unchecked/],
  ];
  test.each(cases)('%s', (_name, hatch, message) => {
    const { app, api } = build();
    hatch(api);
    expect(() => app.synth()).toThrow(message);
    expect(() => app.synth()).toThrow(/SecuredHttpApi.DeploymentCheckBypassed|DeploymentCheckBypassed/);
  });

  const check = (api: SecuredHttpApi) => {
    const root = api.node.findChild('DeploymentCheck');
    const handler = root.node.findChild('Handler') as lambda.Function;
    return { resource: root.node.findChild('Resource').node.defaultChild as CfnResource, handler, fn: handler.node.defaultChild as lambda.CfnFunction };
  };
  const RESOURCE = 'the deployment check Orders/Api/DeploymentCheck/Resource/Default';
  const FUNCTION = 'the deployment check\'s function Orders/Api/DeploymentCheck/Handler/Resource';
  test.each<[string, (api: SecuredHttpApi) => void, RegExp]>([
    ['its type is overridden', (api) => check(api).resource.addOverride('Type', 'AWS::CloudFormation::WaitConditionHandle'), new RegExp(`${RESOURCE} has the type "AWS::CloudFormation::WaitConditionHandle" instead of Custom::SecuredHttpApiDeploymentCheck`)],
    ['it is given a Condition', (api) => check(api).resource.cfnOptions.condition = new CfnCondition(Stack.of(api), 'Never', { expression: Fn.conditionEquals('a', 'b') }), /has the Condition "Never"/],
    ['its ServiceToken is overridden', (api) => check(api).resource.addPropertyOverride('ServiceToken', 'arn:aws:lambda:eu-west-1:123456789012:function:yes'), new RegExp(`${RESOURCE} has the ServiceToken "arn:aws:lambda:eu-west-1:123456789012:function:yes" instead of .*another handler`)],
    ['its ApiId is overridden', (api) => check(api).resource.addPropertyOverride('ApiId', 'abc123'), /has the ApiId "abc123" instead of \{"Ref":"Api[0-9A-F]+"\}.*another HTTP API/],
    ['its ModelHash is overridden', (api) => check(api).resource.addPropertyOverride('ModelHash', '0'.repeat(64)), /has the ModelHash "0{64}" instead of "[0-9a-f]{64}"/],
    ['its Values are replaced', (api) => check(api).resource.addPropertyOverride('Values', []), /has the Values \[\] instead of \[/],
    ['the function\'s Code is overridden', (api) => check(api).fn.addPropertyOverride('Code', { ZipFile: 'exports.handler = async () => ({})' }), new RegExp(`${FUNCTION} has the Code`)],
    ['the function\'s Handler is overridden', (api) => check(api).fn.addPropertyOverride('Handler', 'other.handler'), /has the Handler "other.handler" instead of "index.handler"/],
    ['the function\'s Runtime is overridden', (api) => check(api).fn.addPropertyOverride('Runtime', 'nodejs20.x'), /has the Runtime "nodejs20.x" instead of "nodejs22.x"/],
    ['the function is given an environment variable', (api) => check(api).handler.addEnvironment('AWS_ENDPOINT_URL_APIGATEWAYV2', 'https://fake.example.com'), /has the Environment \{"Variables":\{"AWS_ENDPOINT_URL_APIGATEWAYV2":"https:\/\/fake.example.com"\}\} instead of none/],
    ['the function is given a layer', (api) => check(api).handler.addLayers(lambda.LayerVersion.fromLayerVersionArn(api, 'Sdk', 'arn:aws:lambda:eu-west-1:123456789012:layer:sdk:1')), /has the Layers \["arn:aws:lambda:eu-west-1:123456789012:layer:sdk:1"\] instead of none/],
    ['the function is removed from the tree', (api) => check(api).handler.node.tryRemoveChild('Resource'), new RegExp(`${FUNCTION} is not in the template`)],
  ])('%s (as SecuredApi\'s check refuses it)', (_name, hatch, message) => {
    const { app, api } = build();
    hatch(api);
    const synth = () => app.synth();
    expect(synth).toThrow(message);
    expect(synth).toThrow(/\[SecuredHttpApi\.DeploymentCheckBypassed\]/);
  });

  test('should pass overrides the check does not read (ServiceTimeout, MemorySize)', () => {
    const { app, api } = build();
    check(api).resource.addPropertyOverride('ServiceTimeout', '900');
    check(api).fn.addPropertyOverride('MemorySize', 1024);
    expect(() => app.synth()).not.toThrow();
  });

  test('should refuse every generated change to a property the check depends on, and pass every change to one it does not', () => {
    // The guard's reading on the HTTP check's data (the synthesized cases above show it is what synth runs).
    const { app, api } = build();
    app.synth();
    const created = (api as any).deploymentCheck;
    const deployed = deploymentCheckAsDeployed(api, created, created.cfnDeployment);
    const keys: Array<['resource' | 'function', string]> = [
      ...['ServiceToken', 'ApiId', 'ModelHash', 'Values'].map((k): ['resource', string] => ['resource', k]),
      ...['Code', 'Handler', 'Runtime', 'Environment', 'Layers'].map((k): ['function', string] => ['function', k]),
    ];
    const errors = (edit: (c: any) => void) => {
      const copy: any = JSON.parse(JSON.stringify(deployed));
      edit(copy);
      return deploymentCheckIntactErrors(copy, 'the HTTP API of Orders/Api', 'skip');
    };
    expect(errors(() => undefined)).toEqual([]);
    fc.assert(fc.property(fc.constantFrom(...keys), fc.jsonValue(), fc.constantFrom('ServiceTimeout', 'MemorySize', 'Description', 'Timeout', 'Tags'), fc.jsonValue(), ([part, key], value, other, otherValue) => {
      const written = (deployed as any)[part].written.properties[key];
      fc.pre(JSON.stringify(value) !== JSON.stringify(written));
      expect(errors((c) => c[part].deployed.Properties[key] = value)).toEqual([expect.stringContaining(`has the ${key} `)]);
      expect(errors((c) => delete c[part].deployed.Properties[key])).toHaveLength(written === undefined ? 0 : 1);
      expect(errors((c) => c[part].deployed.Properties[other] = otherValue)).toEqual([]);
    }), { numRuns: 300, seed: 20261207 });
  });

  test('the rule is listed with its code', () => {
    expect(deploymentCheckBypassed.code).toBe('SecuredHttpApi.DeploymentCheckBypassed');
  });
});
