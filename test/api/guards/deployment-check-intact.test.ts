import { App, CfnCondition, CfnResource, Fn, NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as fc from 'fast-check';
import { DeploymentCheck, HttpMethod, OidcIssuer, SecuredApi } from '../../../src';
import { DeployedCheck } from '../../../src/api/guards/deployed-api';
import { deploymentCheckIntact } from '../../../src/api/guards/deployment-check-intact';
import { messagesOf } from '../../../src/rules/rule';
import { deployedApi, ordersRestApi } from '../../support/api-guard';
import { okHandler } from '../../support/orders-api';

const CHECK = 'Orders/Api/DeploymentCheck/Resource/Default';
const FUNCTION = 'Orders/Api/DeploymentCheck/Handler/Resource';
const DEPLOYMENT = 'Orders/Api/Api/Deployment/Resource';

/** The check as the construct writes it, as hand-written template data. */
function intact(): DeployedCheck {
  const properties = {
    ServiceToken: { 'Fn::GetAtt': ['ApiDeploymentCheckHandler', 'Arn'] },
    RestApiId: { Ref: 'ApiF70053CD' },
    ModelHash: 'a'.repeat(64),
    Values: [{ Ref: 'AWS::Partition' }, { Ref: 'AWS::Region' }, { 'Fn::GetAtt': ['List', 'Arn'] }],
  };
  const code = { S3Bucket: 'cdk-assets', S3Key: 'b'.repeat(64) + '.zip' };
  return {
    resource: {
      path: CHECK,
      logicalId: 'ApiDeploymentCheck',
      deployed: { Type: 'Custom::SecuredApiDeploymentCheck', Properties: { ...properties, ServiceTimeout: '600' } },
      written: { type: 'Custom::SecuredApiDeploymentCheck', properties },
    },
    function: {
      path: FUNCTION,
      logicalId: 'ApiDeploymentCheckHandler',
      deployed: { Type: 'AWS::Lambda::Function', Properties: { Code: code, Handler: 'index.handler', Runtime: 'nodejs22.x', MemorySize: 512 } },
      written: { type: 'AWS::Lambda::Function', properties: { Code: code, Handler: 'index.handler', Runtime: 'nodejs22.x' } },
    },
    deployment: { path: DEPLOYMENT, dependsOn: ['ApiDeploymentCheck'] },
  };
}

/** The guard's messages for the intact check after `edit`. */
function messages(edit: (check: any) => void): string[] {
  const check: any = JSON.parse(JSON.stringify(intact()));
  edit(check);
  return messagesOf(deploymentCheckIntact, { ...deployedApi(), deploymentCheck: check });
}

const FIX = /; remove that override or escape hatch of .*; to deploy Orders\/Api without the check, say why with deploymentCheck: DeploymentCheck\.skip\('<why>'\)\.$/;

/** The check's parts of a synthesized Orders API. */
function parts(api: SecuredApi) {
  const root = api.node.findChild('DeploymentCheck');
  const handler = root.node.findChild('Handler') as lambda.Function;
  return {
    root,
    resource: api.deploymentCheck!.node.defaultChild as CfnResource,
    handler,
    cfnFunction: handler.node.defaultChild as lambda.CfnFunction,
    deployment: api.restApi.latestDeployment!.node.defaultChild as apigateway.CfnDeployment,
  };
}

describe('deploymentCheckIntact', () => {
  describe('on template data', () => {
    test('should pass the check as written, and properties it does not read', () => {
      expect(messages(() => undefined)).toEqual([]);
    });

    test('should pass an API whose check is skipped (nothing to read)', () => {
      expect(messagesOf(deploymentCheckIntact, deployedApi())).toEqual([]);
    });

    test('should pass a DependsOn written as one logical id, or beside others', () => {
      expect(messages((c) => c.deployment.dependsOn = 'ApiDeploymentCheck')).toEqual([]);
      expect(messages((c) => c.deployment.dependsOn = ['Other', 'ApiDeploymentCheck'])).toEqual([]);
    });

    test('should refuse the custom resource out of the template', () => {
      expect(messages((c) => delete c.resource.deployed)).toEqual([
        expect.stringMatching(new RegExp(`^the deployment check ${CHECK} is not in the template \\(an escape hatch removed it\\), so the REST API of Orders/Api would be deployed unchecked`)),
      ]);
    });

    test.each([
      ['its type changed', (c: any) => c.resource.deployed.Type = 'AWS::CloudFormation::WaitConditionHandle', /has the type "AWS::CloudFormation::WaitConditionHandle" instead of Custom::SecuredApiDeploymentCheck/],
      ['a Condition', (c: any) => c.resource.deployed.Condition = 'Never', /has the Condition "Never" .* so CloudFormation would not create it when the condition is false/],
      ['another ServiceToken', (c: any) => c.resource.deployed.Properties.ServiceToken = 'arn:aws:lambda:eu-west-1:123456789012:function:yes', /has the ServiceToken "arn:aws:lambda:eu-west-1:123456789012:function:yes" instead of \{"Fn::GetAtt":\["ApiDeploymentCheckHandler","Arn"\]\}, as the construct wrote it .*another handler/],
      ['another RestApiId', (c: any) => c.resource.deployed.Properties.RestApiId = 'abc123', /has the RestApiId "abc123" instead of \{"Ref":"ApiF70053CD"\}.*another REST API/],
      ['another ModelHash', (c: any) => c.resource.deployed.Properties.ModelHash = '0'.repeat(64), /has the ModelHash "0{64}" instead of "a{64}".*an event whose ModelHash is not its own/],
      ['no ModelHash', (c: any) => delete c.resource.deployed.Properties.ModelHash, /has the ModelHash none instead of "a{64}"/],
      ['other Values', (c: any) => c.resource.deployed.Properties.Values[2] = 'arn:aws:lambda:eu-west-1:123456789012:function:other', /has the Values \[.*function:other"\] instead of \[/],
      ['no Properties', (c: any) => delete c.resource.deployed.Properties, /has the ServiceToken none instead of/],
    ])('should refuse the custom resource with %s', (_, edit, message) => {
      const found = messages(edit);
      expect(found.length).toBeGreaterThan(0);
      expect(found[0]).toMatch(message);
      expect(found[0]).toMatch(new RegExp(`^the deployment check ${CHECK} `));
      for (const m of found) expect(m).toMatch(FIX);
    });

    test.each([
      ['out of the template', (c: any) => delete c.function.deployed, /^the deployment check's function .* is not in the template/],
      ['its type changed', (c: any) => c.function.deployed.Type = 'AWS::Serverless::Function', /has the type "AWS::Serverless::Function" instead of AWS::Lambda::Function/],
      ['a Condition', (c: any) => c.function.deployed.Condition = 'Never', /has the Condition "Never"/],
      ['other Code', (c: any) => c.function.deployed.Properties.Code = { ZipFile: 'exports.handler = ...' }, /has the Code \{"ZipFile":"exports.handler = ..."\} instead of \{"S3Bucket":"cdk-assets"/],
      ['another S3 key', (c: any) => c.function.deployed.Properties.Code.S3Key = 'other.zip', /has the Code \{"S3Bucket":"cdk-assets","S3Key":"other.zip"\}/],
      ['another Handler', (c: any) => c.function.deployed.Properties.Handler = 'other.handler', /has the Handler "other.handler" instead of "index.handler"/],
      ['another Runtime', (c: any) => c.function.deployed.Properties.Runtime = 'provided.al2023', /has the Runtime "provided.al2023" instead of "nodejs22.x"/],
      ['an Environment', (c: any) => c.function.deployed.Properties.Environment = { Variables: { AWS_ENDPOINT_URL_API_GATEWAY: 'https://fake.example.com' } }, /has the Environment .* instead of none, .*AWS_ENDPOINT_URL_API_GATEWAY/],
      ['Layers', (c: any) => c.function.deployed.Properties.Layers = ['arn:aws:lambda:eu-west-1:123456789012:layer:sdk:1'], /has the Layers .* instead of none, .*replace the AWS SDK/],
    ])('should refuse the function %s', (_, edit, message) => {
      const found = messages(edit);
      expect(found).toEqual([expect.stringMatching(message)]);
      expect(found[0]).toMatch(new RegExp(`^the deployment check's function ${FUNCTION} `));
      expect(found[0]).toMatch(FIX);
    });

    test.each([
      ['no DependsOn', (c: any) => delete c.deployment.dependsOn, 'none'],
      ['an empty DependsOn', (c: any) => c.deployment.dependsOn = [], '\\[\\]'],
      ['another DependsOn', (c: any) => c.deployment.dependsOn = ['Other'], '\\["Other"\\]'],
      ['a DependsOn of another resource', (c: any) => c.deployment.dependsOn = 'Other', '"Other"'],
    ])('should refuse a deployment with %s', (_, edit, shown) => {
      expect(messages(edit)).toEqual([expect.stringMatching(new RegExp(
        `^the deployment ${DEPLOYMENT} of the REST API of Orders/Api does not depend on the deployment check ${CHECK} \\(its DependsOn is ${shown}, not one naming ApiDeploymentCheck: .*\\), so the stage could serve the deployment before the check has read the API back; remove that override of ${DEPLOYMENT}; to deploy Orders/Api without the check, say why with deploymentCheck: DeploymentCheck\\.skip\\('<why>'\\)\\.$`,
      ))]);
    });

    test('should refuse every generated change to a property the check depends on, naming it, and pass every change to one it does not', () => {
      const checked: Array<['resource' | 'function', string]> = [
        ...['ServiceToken', 'RestApiId', 'ModelHash', 'Values'].map((k): ['resource', string] => ['resource', k]),
        ...['Code', 'Handler', 'Runtime', 'Environment', 'Layers'].map((k): ['function', string] => ['function', k]),
      ];
      const unread = fc.constantFrom('ServiceTimeout', 'MemorySize', 'Description', 'Timeout', 'Tags');
      fc.assert(fc.property(fc.constantFrom(...checked), fc.jsonValue(), unread, fc.jsonValue(), ([part, key], value, other, otherValue) => {
        // A change to a property the check depends on is one finding, naming that property.
        const written = (intact() as any)[part].written.properties[key];
        fc.pre(JSON.stringify(value) !== JSON.stringify(written));
        expect(messages((c) => c[part].deployed.Properties[key] = value)).toEqual([expect.stringContaining(`has the ${key} `)]);
        // Deleting it is one too, unless it was never written.
        expect(messages((c) => delete c[part].deployed.Properties[key])).toHaveLength(written === undefined ? 0 : 1);
        // Any other property may be anything.
        expect(messages((c) => c[part].deployed.Properties[other] = otherValue)).toEqual([]);
      }), { numRuns: 300, seed: 20261207 });
    });

    test('should refuse every generated DependsOn that does not name the check, and pass every one that does', () => {
      const id = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,20}$/).filter((s) => s !== 'ApiDeploymentCheck');
      fc.assert(fc.property(fc.array(id, { maxLength: 4 }), fc.boolean(), fc.nat(4), (others, single, at) => {
        expect(messages((c) => c.deployment.dependsOn = single && others.length > 0 ? others[0] : others)).toHaveLength(1);
        const withCheck = [...others.slice(0, at), 'ApiDeploymentCheck', ...others.slice(at)];
        expect(messages((c) => c.deployment.dependsOn = single ? 'ApiDeploymentCheck' : withCheck)).toEqual([]);
      }), { numRuns: 300, seed: 20261207 });
    });

    test('should refuse an API without its deployment', () => {
      expect(messages((c) => delete c.deployment)).toEqual([expect.stringMatching(/^the REST API of Orders\/Api has no deployment in the template/)]);
    });
  });

  describe('on a synthesized API', () => {
    test('should pass the untouched check, and leave the deployment depending on it', () => {
      // GIVEN
      const { app, stack, api } = ordersRestApi();

      // WHEN
      app.synth();

      // THEN
      const { resource } = parts(api);
      const deployments = Object.values<any>(Template.fromStack(stack).findResources('AWS::ApiGateway::Deployment'));
      expect(deployments.map((d) => d.DependsOn)).toEqual([[stack.resolve(resource.logicalId)]]);
    });

    test('should pass an API whose check is skipped', () => {
      const app = new App();
      const skipped = new Stack(app, 'Skipped', { env: { account: '123456789012', region: 'eu-west-1' } });
      const api = new SecuredApi(skipped, 'Api', {
        issuer: OidcIssuer.fromUrl('https://issuer.example.com', { audiences: ['api://orders'] }),
        routes: [{ method: HttpMethod.GET, path: '/orders', handler: okHandler(skipped), scopes: ['orders:read'] }],
        deploymentCheck: DeploymentCheck.skip('LocalStack emulates no API Gateway read API'),
        dashboard: false,
        alarms: false,
        auditQueries: false,
      });
      expect(api.deploymentCheck).toBeUndefined();
      expect(() => app.synth()).not.toThrow();
    });

    test('should pass a check whose values name a function of another stack (an import CDK makes)', () => {
      // GIVEN
      const app = new App();
      const env = { account: '123456789012', region: 'eu-west-1' };
      const handlers = new Stack(app, 'Handlers', { env });
      const stack = new Stack(app, 'Orders', { env });

      // WHEN
      new SecuredApi(stack, 'Api', {
        issuer: OidcIssuer.fromUrl('https://issuer.example.com', { audiences: ['api://orders'] }),
        routes: [{ method: HttpMethod.GET, path: '/orders', handler: okHandler(handlers), scopes: ['orders:read'] }],
        dashboard: false,
        alarms: false,
        auditQueries: false,
      });

      // THEN
      expect(() => app.synth()).not.toThrow();
      const check = Object.values<any>(Template.fromStack(stack).findResources('Custom::SecuredApiDeploymentCheck'))[0];
      expect(JSON.stringify(check.Properties.Values)).toContain('Fn::ImportValue');
    });

    test('should pass the check of an API in a nested stack whose handler is in the parent (a parameter CDK makes)', () => {
      // GIVEN
      const app = new App();
      const parent = new Stack(app, 'Parent', { env: { account: '123456789012', region: 'eu-west-1' } });
      const nested = new NestedStack(parent, 'Nested');

      // WHEN
      new SecuredApi(nested, 'Api', {
        issuer: OidcIssuer.fromUrl('https://issuer.example.com', { audiences: ['api://orders'] }),
        routes: [{ method: HttpMethod.GET, path: '/orders', handler: okHandler(parent), scopes: ['orders:read'] }],
        dashboard: false,
        alarms: false,
        auditQueries: false,
      });

      // THEN
      expect(() => app.synth()).not.toThrow();
      const check = Object.values<any>(Template.fromStack(nested).findResources('Custom::SecuredApiDeploymentCheck'))[0];
      expect(JSON.stringify(check.Properties.Values)).toMatch(/"Ref":"referencetoParent/);
    });

    test.each<[string, (p: ReturnType<typeof parts>, api: SecuredApi) => void]>([
      ['an override the check does not read (ServiceTimeout)', (p) => p.resource.addPropertyOverride('ServiceTimeout', '900')],
      ['a DependsOn override that keeps the check', (p, api) => p.deployment.addOverride('DependsOn', [Stack.of(api).resolve(p.resource.logicalId), 'Other'])],
      ['removeDependency before synthesis (CDK adds the construct dependency back)', (p) => p.deployment.removeDependency(p.resource)],
      ['a function property that leaves the code alone (MemorySize)', (p) => p.cfnFunction.addPropertyOverride('MemorySize', 1024)],
    ])('should pass %s', (_, change) => {
      // GIVEN
      const { app, api } = ordersRestApi();

      // WHEN
      change(parts(api), api);

      // THEN
      expect(() => app.synth()).not.toThrow();
    });

    test.each<[string, (p: ReturnType<typeof parts>, api: SecuredApi) => void, RegExp]>([
      ['the custom resource is removed from the tree', (p) => p.resource.node.scope!.node.tryRemoveChild(p.resource.node.id),
        /the deployment check Orders\/Api\/DeploymentCheck\/Resource\/Default is not in the template \(an escape hatch removed it\)/],
      ['the whole check is removed from the tree', (p, api) => api.node.tryRemoveChild(p.root.node.id),
        /the deployment check Orders\/Api\/DeploymentCheck\/Resource\/Default is not in the template[^\n]*\n {2}\[Orders\/Api\] the deployment check's function Orders\/Api\/DeploymentCheck\/Handler\/Resource is not in the template/],
      ['its type is overridden', (p) => p.resource.addOverride('Type', 'AWS::CloudFormation::WaitConditionHandle'),
        /the deployment check Orders\/Api\/DeploymentCheck\/Resource\/Default has the type "AWS::CloudFormation::WaitConditionHandle" instead of Custom::SecuredApiDeploymentCheck/],
      ['it is given a Condition', (p, api) => p.resource.cfnOptions.condition = new CfnCondition(Stack.of(api), 'Never', { expression: Fn.conditionEquals('a', 'b') }),
        /has the Condition "Never"/],
      ['its ServiceToken is overridden', (p) => p.resource.addPropertyOverride('ServiceToken', 'arn:aws:lambda:eu-west-1:123456789012:function:yes'),
        /has the ServiceToken "arn:aws:lambda:eu-west-1:123456789012:function:yes" instead of \{"Fn::GetAtt":\["ApiDeploymentCheckHandler[0-9A-F]+","Arn"\]\}/],
      ['its RestApiId is overridden', (p) => p.resource.addPropertyOverride('RestApiId', 'abc123'), /has the RestApiId "abc123" instead of \{"Ref":"Api[0-9A-F]+"\}/],
      ['its ModelHash is overridden', (p) => p.resource.addPropertyOverride('ModelHash', '0'.repeat(64)), /has the ModelHash "0{64}" instead of "[0-9a-f]{64}"/],
      ['its ModelHash is deleted', (p) => p.resource.addPropertyDeletionOverride('ModelHash'), /has the ModelHash none instead of "[0-9a-f]{64}"/],
      ['one of its Values is overridden', (p) => p.resource.addPropertyOverride('Values.0', 'aws-cn'), /has the Values \["aws-cn",/],
      ['its Values are replaced', (p) => p.resource.addPropertyOverride('Values', []), /has the Values \[\] instead of \[/],
      ['its Properties are merged with others', (p) => p.resource.addOverride('Properties', { ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:yes' }), /has the ServiceToken "arn:aws:lambda:eu-west-1:123456789012:function:yes"/],
      ['its Properties are replaced by an intrinsic', (p) => p.resource.addOverride('Properties', { 'Fn::If': ['Never', {}, {}] }), /has the RestApiId none instead of/],
      ['the function is removed from the tree', (p) => p.handler.node.tryRemoveChild('Resource'),
        /the deployment check's function Orders\/Api\/DeploymentCheck\/Handler\/Resource is not in the template/],
      ['the function\'s Code is overridden', (p) => p.cfnFunction.addPropertyOverride('Code', { ZipFile: 'exports.handler = async () => ({})' }), /the deployment check's function .* has the Code \{"S3Bucket":.*,"ZipFile":"exports.handler = async \(\) => \(\{\}\)"\} instead of/],
      ['the function\'s S3Key is overridden', (p) => p.cfnFunction.addPropertyOverride('Code.S3Key', 'other.zip'), /has the Code \{"S3Bucket":.*"S3Key":"other.zip"\}/],
      ['the function\'s L1 code is replaced', (p) => p.cfnFunction.code = { zipFile: 'exports.handler = async () => ({})' }, /has the Code \{"ZipFile"/],
      ['the function\'s Handler is overridden', (p) => p.cfnFunction.addPropertyOverride('Handler', 'other.handler'), /has the Handler "other.handler" instead of "index.handler"/],
      ['the function\'s Runtime is overridden', (p) => p.cfnFunction.addPropertyOverride('Runtime', 'nodejs20.x'), /has the Runtime "nodejs20.x" instead of "nodejs22.x"/],
      ['the function is given an environment variable', (p) => p.handler.addEnvironment('AWS_ENDPOINT_URL_API_GATEWAY', 'https://fake.example.com'), /has the Environment \{"Variables":\{"AWS_ENDPOINT_URL_API_GATEWAY":"https:\/\/fake.example.com"\}\} instead of none/],
      ['the function is given a layer', (p, api) => p.handler.addLayers(lambda.LayerVersion.fromLayerVersionArn(api, 'Sdk', 'arn:aws:lambda:eu-west-1:123456789012:layer:sdk:1')), /has the Layers \["arn:aws:lambda:eu-west-1:123456789012:layer:sdk:1"\] instead of none/],
      ['the deployment\'s DependsOn is deleted', (p) => p.deployment.addDeletionOverride('DependsOn'), /does not depend on the deployment check .* \(its DependsOn is none,/],
      ['the deployment\'s DependsOn is replaced', (p) => p.deployment.addOverride('DependsOn', ['Other']), /does not depend on the deployment check .* \(its DependsOn is \["Other"\],/],
      ['the deployment\'s DependsOn is overridden item by item', (p) => p.deployment.addOverride('DependsOn.0', 'Other'), /does not depend on the deployment check .* \(its DependsOn is \["Other"\],/],
      ['the deployment is removed from the tree', (_, api) => api.restApi.latestDeployment!.node.tryRemoveChild('Resource'),
        /the REST API of Orders\/Api has no deployment in the template \(an escape hatch removed it\) to wait for the deployment check/],
      ['the dependency is removed once CDK has prepared the app', (p, api) => Stack.of(api).node.addValidation({ validate: () => { p.deployment.removeDependency(p.resource); return []; } }),
        /does not depend on the deployment check .* \(its DependsOn is none,/],
      ['the dependency is replaced once CDK has prepared the app', (p, api) => {
        const other = new CfnResource(Stack.of(api), 'Other', { type: 'AWS::CloudFormation::WaitConditionHandle' });
        Stack.of(api).node.addValidation({ validate: () => { p.deployment.replaceDependency(p.resource, other); return []; } });
      }, /does not depend on the deployment check .* \(its DependsOn is \["Other"\],/],
    ])('should fail synth, naming the SecuredApi, when %s', (_, change, message) => {
      // GIVEN
      const { app, api } = ordersRestApi();

      // WHEN
      change(parts(api), api);

      // THEN
      const synth = () => app.synth();
      expect(synth).toThrow(/Validation failed with the following errors:\n {2}\[Orders\/Api\] /);
      expect(synth).toThrow(/ \[SecuredApi\.DeploymentCheckAltered\]/);
      expect(synth).toThrow(message);
    });
  });
});
