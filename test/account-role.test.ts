import { App, Stack, StackProps, Stage } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as fc from 'fast-check';
import { HttpMethod, OidcIssuer, SecuredApi, SecuredApiProps } from '../src';
import { okHandler } from './support/orders-api';

const ISSUER = OidcIssuer.fromUrl('https://issuer.example.com', { audiences: ['api://orders'] });
const EU = { account: '123456789012', region: 'eu-west-1' };

function api(scope: Stack, id: string, props: Partial<SecuredApiProps> = {}): SecuredApi {
  return new SecuredApi(scope, id, {
    issuer: ISSUER,
    routes: [{ method: HttpMethod.GET, path: '/orders', handler: okHandler(scope, `${id}Handler`), scopes: ['orders:read'] }],
    ...props,
  });
}

function stack(app: App | Stage, id: string, props: StackProps = { env: EU }): Stack {
  return new Stack(app, id, props);
}

/** The AWS::ApiGateway::Account resources of the stack. */
function accountsOf(s: Stack): string[] {
  return Object.keys(Template.fromStack(s).findResources('AWS::ApiGateway::Account'));
}

/** The logical ids of the stack's stages that write access logs, each with what it depends on. */
function accessLoggingStages(template: Template): Array<{ id: string; dependsOn: string[] }> {
  return Object.entries<any>(template.findResources('AWS::ApiGateway::Stage', { Properties: { AccessLogSetting: Match.anyValue() } }))
    .map(([id, r]) => ({ id, dependsOn: r.DependsOn ?? [] }));
}

describe('API Gateway\'s account-level CloudWatch role', () => {
  test('should share one role and Account among the SecuredApis of a stack, and make every access-logging stage wait for it', () => {
    // GIVEN
    const app = new App();
    const orders = stack(app, 'Orders');

    // WHEN
    api(orders, 'Orders');
    api(orders, 'Billing');
    api(orders, 'Quiet', { cloudWatchRole: false });

    // THEN
    const template = Template.fromStack(orders);
    const accounts = template.findResources('AWS::ApiGateway::Account');
    expect(Object.keys(accounts)).toHaveLength(1);
    const [accountId, account] = Object.entries<any>(accounts)[0];
    // Where RestApi put its own, so the first API's logical ids stay as they were.
    expect(accountId).toMatch(/^OrdersApiAccount/);
    expect(account).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    const roles = template.findResources('AWS::IAM::Role', {
      Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'apigateway.amazonaws.com' } })] } },
    });
    expect(Object.keys(roles)).toEqual([account.Properties.CloudWatchRoleArn['Fn::GetAtt'][0]]);
    const stages = accessLoggingStages(template);
    expect(stages).toHaveLength(3);
    for (const stage of stages) {
      expect(stage.dependsOn).toContain(accountId);
    }
  });

  test('should also make a plain RestApi\'s access-logging stage in the stack wait for the shared Account', () => {
    // GIVEN
    const app = new App();
    const orders = stack(app, 'Orders');
    api(orders, 'Orders');

    // WHEN
    const plain = new apigateway.RestApi(orders, 'Plain', {
      cloudWatchRole: false,
      deployOptions: { accessLogDestination: new apigateway.LogGroupLogDestination(new logs.LogGroup(orders, 'PlainLogs')) },
    });
    plain.root.addMethod('GET', new apigateway.MockIntegration());

    // THEN
    const template = Template.fromStack(orders);
    const accountId = Object.keys(template.findResources('AWS::ApiGateway::Account'))[0];
    expect(accessLoggingStages(template).map((s) => s.dependsOn.includes(accountId))).toEqual([true, true]);
  });

  test('should share one role and Account among the stacks of one account and region, each stack waiting for the one that holds it', () => {
    // GIVEN
    const app = new App();
    const first = stack(app, 'First');
    const second = stack(app, 'Second');
    const third = stack(app, 'Third');

    // WHEN: four SecuredApis in three stacks, no options
    api(first, 'Orders');
    api(first, 'Billing');
    api(second, 'Reports');
    api(third, 'Audit');

    // THEN
    const assembly = app.synth();
    expect(accountsOf(first)).toHaveLength(1);
    expect(accountsOf(second)).toHaveLength(0);
    expect(accountsOf(third)).toHaveLength(0);
    expect(second.dependencies).toEqual([first]);
    expect(third.dependencies).toEqual([first]);
    expect(assembly.getStackByName('Second').dependencies.map((d) => d.id)).toContain('First');
    expect(assembly.getStackByName('Third').dependencies.map((d) => d.id)).toContain('First');
  });

  test('should share one per account and region across two environments, and one among environment-agnostic stacks', () => {
    // GIVEN
    const app = new App();
    const US = { account: '123456789012', region: 'us-east-1' };
    const euA = stack(app, 'EuA');
    const usA = stack(app, 'UsA', { env: US });
    const euB = stack(app, 'EuB');
    const usB = stack(app, 'UsB', { env: US });
    const other = new App();
    const anyA = stack(other, 'AnyA', {});
    const anyB = stack(other, 'AnyB', {});

    // WHEN
    for (const s of [euA, usA, euB, usB, anyA, anyB]) {
      api(s, 'Orders');
    }

    // THEN
    expect(() => app.synth()).not.toThrow();
    expect(() => other.synth()).not.toThrow();
    expect([euA, usA, euB, usB, anyA, anyB].map((s) => accountsOf(s).length)).toEqual([1, 1, 0, 0, 1, 0]);
    expect(euB.dependencies).toEqual([euA]);
    expect(usB.dependencies).toEqual([usA]);
    expect(usA.dependencies).toEqual([]);
    expect(anyB.dependencies).toEqual([anyA]);
  });

  test('should make a stack whose SecuredApis do not want the role wait for its place\'s Account', () => {
    // GIVEN
    const app = new App();
    const first = stack(app, 'First');
    const quiet = stack(app, 'Quiet');
    api(first, 'Orders');

    // WHEN
    api(quiet, 'Reports', { cloudWatchRole: false });

    // THEN
    app.synth();
    expect(quiet.dependencies).toEqual([first]);
    expect(accountsOf(quiet)).toHaveLength(0);
  });

  test('should fail synth when an environment-agnostic stack and a stack with an env both set it, saying how to fix it', () => {
    // GIVEN
    const app = new App();
    api(stack(app, 'Agnostic', {}), 'Orders');
    api(stack(app, 'Pinned'), 'Reports');

    // WHEN / THEN
    expect(() => app.synth()).toThrow(/Pinned\/Reports\/Api\/Account sets .* in stack Pinned \(123456789012\/eu-west-1\), and so does Agnostic\/Orders\/Api\/Account in stack Agnostic \(any account\/any region\).*give both stacks an explicit env \(account and region\), or set cloudWatchRole: false on the SecuredApis of stack Pinned and make it depend on the other \(Pinned.node.addDependency\(Agnostic\)\)/);
  });

  test('should report a clash once, on the later stack', () => {
    // GIVEN
    const app = new App();
    api(stack(app, 'Agnostic', {}), 'Orders');
    api(stack(app, 'Pinned'), 'Reports');

    // WHEN
    let message = '';
    try {
      app.synth();
    } catch (e) {
      message = (e as Error).message;
    }

    // THEN
    expect(message.match(/sets API Gateway's account-level CloudWatch role/g)).toHaveLength(1);
    expect(message).toMatch(/Pinned\/Reports\/Api\/Account sets/);
  });

  test('should fail synth for two CDK Stages in one account and region, which cannot be ordered', () => {
    // GIVEN
    const app = new App();
    const beta = new Stage(app, 'Beta');
    const prod = new Stage(app, 'Prod');

    // WHEN
    api(stack(beta, 'Api'), 'Orders');
    api(stack(prod, 'Api'), 'Orders');

    // THEN
    expect(() => app.synth()).toThrow(/Prod\/Api\/Orders\/Api\/Account sets .* and so does Beta\/Api\/Orders\/Api\/Account .*share one only inside one CDK Stage .*set cloudWatchRole: false on the SecuredApis of stack Prod\/Api, and deploy Stage Beta first/);
  });

  test('should fail synth for a plain RestApi\'s Account beside it, in the same stack or another', () => {
    // GIVEN
    const app = new App();
    const orders = stack(app, 'Orders');
    api(orders, 'Orders');

    // WHEN
    const plain = new apigateway.RestApi(stack(app, 'Legacy'), 'Legacy', { cloudWatchRole: true });
    plain.root.addMethod('GET', new apigateway.MockIntegration());

    // THEN
    expect(() => app.synth()).toThrow(/Orders\/Orders\/Api\/Account sets .* and so does Legacy\/Legacy\/Account in stack Legacy.*The other is not a SecuredApi's: remove it \(a RestApi's: cloudWatchRole: false\)/);
  });

  test('should fail synth for a plain RestApi\'s Account in the same stack', () => {
    // GIVEN
    const app = new App();
    const orders = stack(app, 'Orders');
    api(orders, 'Orders');

    // WHEN
    new apigateway.RestApi(orders, 'Legacy', { cloudWatchRole: true }).root.addMethod('GET', new apigateway.MockIntegration());

    // THEN
    expect(() => app.synth()).toThrow(/Orders\/Orders\/Api\/Account sets .* and so does Orders\/Legacy\/Account in the same stack/);
  });

  test('should allow one per account and region: other accounts, other regions, CDK Stages of their own', () => {
    // GIVEN
    const app = new App();
    api(stack(app, 'Eu'), 'Orders');
    api(stack(app, 'Us', { env: { account: '123456789012', region: 'us-east-1' } }), 'Orders');
    api(stack(new Stage(app, 'Staging', { env: { account: '111111111111', region: 'eu-west-1' } }), 'Api', { env: { account: '111111111111', region: 'eu-west-1' } }), 'Orders');

    // WHEN / THEN
    expect(() => app.synth()).not.toThrow();
  });

  test('should allow stacks of the same account and region when all but one pass cloudWatchRole: false', () => {
    // GIVEN
    const app = new App();
    const first = stack(app, 'First');
    const second = stack(app, 'Second', {});

    // WHEN
    api(first, 'Orders');
    api(second, 'Reports', { cloudWatchRole: false });
    second.node.addDependency(first);

    // THEN
    expect(() => app.synth()).not.toThrow();
    expect(Template.fromStack(second).findResources('AWS::ApiGateway::Account')).toEqual({});
    expect(JSON.stringify(Template.fromStack(second).toJSON())).not.toContain('AmazonAPIGatewayPushToCloudWatchLogs');
  });

  test('should, for any layout of stacks and places, make one Account per place that wants it, and have every stack there wait for it', () => {
    const PLACES = {
      eu: EU,
      us: { account: '123456789012', region: 'us-east-1' },
      other: { account: '210987654321', region: 'eu-west-1' },
    };
    const layouts = fc.array(fc.record({ place: fc.constantFrom('eu', 'us', 'other'), wantsRole: fc.boolean() }), { minLength: 2, maxLength: 3 });
    fc.assert(fc.property(layouts, (layout) => {
      // GIVEN
      const app = new App();
      const stacks = layout.map((l, i) => {
        const s = stack(app, `S${i}`, { env: PLACES[l.place as keyof typeof PLACES] });
        api(s, 'Api', { cloudWatchRole: l.wantsRole });
        return s;
      });

      // WHEN
      app.synth();

      // THEN
      for (const place of Object.keys(PLACES)) {
        const here = stacks.filter((_, i) => layout[i].place === place);
        const holders = here.filter((s) => accountsOf(s).length > 0);
        const wanted = layout.some((l) => l.place === place && l.wantsRole);
        expect(holders.map((h) => accountsOf(h).length)).toEqual(wanted ? [1] : []);
        // The holder is the place's first stack whose SecuredApi wants the role; the others wait for it.
        expect(holders[0]).toBe(here.find((x) => layout[stacks.indexOf(x)].wantsRole));
        for (const s of here) {
          expect(s.dependencies).toEqual(wanted && s !== holders[0] ? [holders[0]] : []);
        }
      }
    }), { numRuns: 8 });
  });
});

