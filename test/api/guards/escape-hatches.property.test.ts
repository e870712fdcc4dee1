/**
 * Generated escape hatches: random route sets of a SecuredApi, each with one edit from a list of
 * override kinds (applied to a random route where the kind takes one) or none. Every edit fails
 * synth, naming the SecuredApi; the untouched API always synthesizes. One synth per case.
 */
import { App, CfnResource, Fn, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as fc from 'fast-check';
import { HttpMethod, OidcIssuer, SecuredApi, SecuredApiRoute } from '../../../src';
import { okHandler } from '../../support/orders-api';

const ISSUER = OidcIssuer.fromUrl('https://issuer.example.com', { audiences: ['api://orders'] });
const ENV = { account: '123456789012', region: 'eu-west-1' };

/** Routes that go together in any subset (no ANY beside a method, one parameter name per place). */
const POOL: Array<{ method: HttpMethod; path: string }> = [
  { method: HttpMethod.GET, path: '/orders' },
  { method: HttpMethod.POST, path: '/orders' },
  { method: HttpMethod.GET, path: '/orders/{id}' },
  { method: HttpMethod.DELETE, path: '/orders/{id}' },
  { method: HttpMethod.GET, path: '/health' },
  { method: HttpMethod.PUT, path: '/items/{proxy+}' },
];

interface Built {
  readonly app: App;
  readonly stack: Stack;
  readonly api: SecuredApi;
  readonly cfn: apigateway.CfnRestApi;
  /** The route the edit is applied to: a guarded one. */
  readonly route: SecuredApiRoute;
}

const key = (method: string) => (method === 'ANY' ? 'x-amazon-apigateway-any-method' : method.toLowerCase());
const at = (route: SecuredApiRoute, rest = '') => `Body.paths.${route.path}${rest}`;

/**
 * The override kinds: each opens, or could open, a route, hides the API from the guards, or lets it
 * be deployed without the deployment check.
 */
const EDITS: Record<string, (b: Built) => void> = {
  'security removed': (b) => b.cfn.addPropertyDeletionOverride(at(b.route, `.${key(b.route.method)}.security`)),
  'security emptied': (b) => b.cfn.addPropertyOverride(at(b.route, `.${key(b.route.method)}.security`), []),
  'security alternative': (b) => b.cfn.addPropertyOverride(at(b.route, `.${key(b.route.method)}.security`), [{ tokenAuthorizer: [] }, {}]),
  'authorizer scheme changed': (b) => b.cfn.addPropertyOverride('Body.components.securitySchemes.tokenAuthorizer.x-amazon-apigateway-authorizer.identitySource', 'method.request.header.X'),
  'operation added': (b) => b.cfn.addPropertyOverride(at(b.route, '.head'), { security: [] }),
  'method key in upper case': (b) => b.cfn.addPropertyOverride(at(b.route, `.${b.route.method.toUpperCase()}`), { security: [] }),
  'path in upper case': (b) => b.cfn.addPropertyOverride(`Body.paths.${b.route.path.toUpperCase()}`, { [key(b.route.method)]: { security: [] } }),
  'path item an Fn::If': (b) => b.cfn.addPropertyOverride(at(b.route), { 'Fn::If': ['Open', { [key(b.route.method)]: { security: [] } }, {}] }),
  'paths an Fn::Transform': (b) => b.cfn.addPropertyOverride('Body.paths', { 'Fn::Transform': { Name: 'AWS::Include', Parameters: { Location: 's3://b/paths.yaml' } } }),
  'Body a string': (b) => b.cfn.addPropertyOverride('Body', JSON.stringify({ openapi: '3.0.1', paths: {} })),
  'Body an Fn::If': (b) => b.cfn.addPropertyOverride('Body', { 'Fn::If': ['Open', {}, {}] }),
  'Properties an Fn::If': (b) => b.cfn.addOverride('Properties', { 'Fn::If': ['Open', {}, {}] }),
  'BodyS3Location': (b) => b.cfn.addPropertyOverride('BodyS3Location', { Bucket: 'b', Key: 'k' }),
  'Swagger 2.0': (b) => b.cfn.addPropertyOverride('Body.swagger', '2.0'),
  'OpenAPI 3.1': (b) => b.cfn.addPropertyOverride('Body.openapi', '3.1.0'),
  'Mode merge': (b) => b.cfn.addPropertyOverride('Mode', 'merge'),
  'Mode removed': (b) => b.cfn.addPropertyDeletionOverride('Mode'),
  'basepath=split': (b) => b.cfn.addPropertyOverride('Parameters.basepath', 'split'),
  'FailOnWarnings off': (b) => b.cfn.addPropertyOverride('FailOnWarnings', false),
  'FailOnWarnings removed': (b) => b.cfn.addPropertyDeletionOverride('FailOnWarnings'),
  'L1 method by Fn::GetAtt': (b) => new apigateway.CfnMethod(b.stack, 'Open', {
    restApiId: b.cfn.attrRestApiId, resourceId: b.cfn.attrRootResourceId, httpMethod: b.route.method, authorizationType: 'NONE', integration: { type: 'MOCK' },
  }),
  'L1 resource by Fn::GetAtt': (b) => new apigateway.CfnResource(b.stack, 'Door', { restApiId: Fn.getAtt(b.cfn.logicalId, 'RestApiId').toString(), parentId: b.cfn.attrRootResourceId, pathPart: 'door' }),
  'L1 stage by Fn::GetAtt': (b) => new apigateway.CfnStage(b.stack, 'Dev', { restApiId: b.cfn.attrRestApiId, deploymentId: 'abc123', stageName: 'dev' }),
  'L1 method in another stack': (b) => new apigateway.CfnMethod(new Stack(b.app, 'Other', { env: ENV }), 'Open', {
    restApiId: b.api.restApi.restApiId, resourceId: b.api.restApi.restApiRootResourceId, httpMethod: b.route.method, integration: { type: 'MOCK' },
  }),
  'L1 deployment in another stack': (b) => new apigateway.CfnDeployment(new Stack(b.app, 'Other', { env: ENV }), 'Deployment', { restApiId: b.api.restApi.restApiId }),
  'L2 method': (b) => b.api.restApi.root.addMethod(b.route.method, new apigateway.MockIntegration()),
  'template macro': (b) => b.stack.addTransform('OpenEverything'),
  'stage at another deployment': (b) => (b.api.restApi.deploymentStage.node.defaultChild as apigateway.CfnStage).addPropertyOverride('DeploymentId', 'abc123'),
  'canary on the stage': (b) => (b.api.restApi.deploymentStage.node.defaultChild as apigateway.CfnStage).addPropertyOverride('CanarySetting', { DeploymentId: 'abc123', PercentTraffic: 50 }),
  'Type overridden to a method': (b) => new CfnResource(b.stack, 'Disguised', { type: 'AWS::SNS::Topic', properties: { RestApiId: b.api.restApi.restApiId, ResourceId: b.cfn.attrRootResourceId, HttpMethod: 'GET' } })
    .addOverride('Type', 'AWS::ApiGateway::Method'),
  'deployment check removed': (b) => b.api.deploymentCheck!.node.tryRemoveChild('Default'),
  'deployment check Type overridden': (b) => checkL1(b).addOverride('Type', 'AWS::CloudFormation::WaitConditionHandle'),
  'deployment check Condition': (b) => checkL1(b).addOverride('Condition', 'Never'),
  'deployment check ServiceToken overridden': (b) => checkL1(b).addPropertyOverride('ServiceToken', 'arn:aws:lambda:eu-west-1:123456789012:function:yes'),
  'deployment check RestApiId overridden': (b) => checkL1(b).addPropertyOverride('RestApiId', 'abc123'),
  'deployment check ModelHash overridden': (b) => checkL1(b).addPropertyOverride('ModelHash', '0'.repeat(64)),
  'deployment check Values overridden': (b) => checkL1(b).addPropertyOverride('Values.0', 'aws-cn'),
  'deployment check function Code overridden': (b) => checkFunctionL1(b).addPropertyOverride('Code.S3Key', 'other.zip'),
  'deployment check function Handler overridden': (b) => checkFunctionL1(b).addPropertyOverride('Handler', 'other.handler'),
  'deployment check function Runtime overridden': (b) => checkFunctionL1(b).addPropertyOverride('Runtime', 'nodejs20.x'),
  'deployment check function Environment': (b) => checkFunctionL1(b).addPropertyOverride('Environment.Variables.AWS_ENDPOINT_URL_API_GATEWAY', 'https://fake.example.com'),
  'deployment check function Layers': (b) => checkFunctionL1(b).addPropertyOverride('Layers', ['arn:aws:lambda:eu-west-1:123456789012:layer:sdk:1']),
  'deployment DependsOn removed': (b) => deploymentL1(b).addDeletionOverride('DependsOn'),
  'deployment DependsOn replaced': (b) => deploymentL1(b).addOverride('DependsOn', ['Other']),
};

function checkL1(b: Built): CfnResource {
  return b.api.deploymentCheck!.node.defaultChild as CfnResource;
}

function checkFunctionL1(b: Built): CfnResource {
  return b.api.node.findChild('DeploymentCheck').node.findChild('Handler').node.defaultChild as CfnResource;
}

function deploymentL1(b: Built): CfnResource {
  return b.api.restApi.latestDeployment!.node.defaultChild as CfnResource;
}

function build(picked: number[], publics: boolean[], target: number): Built {
  const app = new App();
  const stack = new Stack(app, 'Gen', { env: ENV });
  const handler = okHandler(stack, 'Fn');
  // The first route is guarded, so that every edit has a guarded route to apply to.
  const routes: SecuredApiRoute[] = picked.map((i, n) => ({ ...POOL[i], handler, ...(publics[n] && n > 0 ? { public: true } : { scopes: ['orders:read'] }) }));
  const api = new SecuredApi(stack, 'Api', { issuer: ISSUER, routes, dashboard: false, alarms: false, auditQueries: false });
  const guarded = routes.filter((r) => !r.public);
  return { app, stack, api, cfn: api.restApi.node.defaultChild as apigateway.CfnRestApi, route: guarded[target % guarded.length] };
}

const routeSet = fc.record({
  picked: fc.uniqueArray(fc.nat(POOL.length - 1), { minLength: 1, maxLength: 4 }),
  publics: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
  target: fc.nat(3),
});

describe('SecuredApi escape hatches (generated)', () => {
  // Each kind by name, on generated route sets and target routes: two cases each keeps the whole run in seconds.
  test.each(Object.keys(EDITS))('should fail synth, naming the SecuredApi, on the escape hatch "%s" applied to any route', (edit) => {
    fc.assert(fc.property(routeSet, ({ picked, publics, target }) => {
      const built = build(picked, publics, target);
      EDITS[edit](built);
      expect(() => built.app.synth()).toThrow(/Validation failed with the following errors:\n {2}\[Gen\/Api\] /);
    }), { numRuns: 2, seed: 20261207 });
  });

  test('should synthesize every untouched route set', () => {
    fc.assert(fc.property(routeSet, ({ picked, publics, target }) => {
      expect(() => build(picked, publics, target).app.synth()).not.toThrow();
    }), { numRuns: 8, seed: 20261207 });
  });
});
