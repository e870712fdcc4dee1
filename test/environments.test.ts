import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { environmentsApp, OrdersEnvironment } from '../example/environments';
import { HttpMethod, OidcIssuer, SecuredApi } from '../src';
import { LocalIssuer, SynthesizedAuthorizer } from '../src/testing';
import { okHandler, ordersApi, ordersStack } from './support/orders-api';

// example/environments.ts synthesized into a cloud assembly; each environment's authorizer run
// from it by the test kit, with tokens of a LocalIssuer that carries the app's Okta issuer string
// (only the JWKS URI points at 127.0.0.1). Needs the bundled authorizer (`npx projen bundle`).

const OKTA_ISSUER = 'https://acme.okta.com/oauth2/default';

describe('one SecuredApi per environment (example/environments.ts)', () => {
  let work: string;
  let app: App;
  let issuer: LocalIssuer;
  let staging: SynthesizedAuthorizer;
  let prod: SynthesizedAuthorizer;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'secured-api-environments-'));
    app = environmentsApp(join(work, 'cdk.out'));
    app.synth();
    issuer = await LocalIssuer.start({ issuer: OKTA_ISSUER });
    const options = { issuerOverride: { jwksUri: issuer.jwksUri } };
    staging = await SynthesizedAuthorizer.fromCloudAssembly(join(work, 'cdk.out'), { ...options, stackName: 'Staging-OrdersApi' });
    prod = await SynthesizedAuthorizer.fromCloudAssembly(join(work, 'cdk.out'), { ...options, stackName: 'Prod-OrdersApi' });
  }, 120_000);

  afterAll(async () => {
    await staging?.stop();
    await prod?.stop();
    await issuer?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  /** An Okta client-credentials access token of `aud`, scope orders:read. */
  const token = (aud: string) => issuer.token({ sub: 'reporting', aud, claims: { cid: 'reporting', scp: ['orders:read'] } });

  test('should let a staging token into staging and refuse it in prod with 401 audience_mismatch', async () => {
    // GIVEN
    const stagingToken = await token('api://orders-staging');

    // WHEN
    const inStaging = await staging.request({ method: 'GET', path: '/orders', token: stagingToken });
    const inProd = await prod.request({ method: 'GET', path: '/orders', token: stagingToken });

    // THEN
    expect([inStaging.status, inStaging.reason]).toEqual([200, 'allowed']);
    expect([inProd.status, inProd.reason, inProd.invoked]).toEqual([401, 'audience_mismatch', true]);
  });

  test('should let a prod token into prod and refuse it in staging with 401 audience_mismatch', async () => {
    // GIVEN
    const prodToken = await token('api://orders');

    // WHEN
    const inProd = await prod.request({ method: 'GET', path: '/orders', token: prodToken });
    const inStaging = await staging.request({ method: 'GET', path: '/orders', token: prodToken });

    // THEN
    expect([inProd.status, inProd.reason]).toEqual([200, 'allowed']);
    expect([inStaging.status, inStaging.reason]).toEqual([401, 'audience_mismatch']);
  });

  test('should pin each environment\'s caller role to its own audience, and guard each with its own domain and web ACL', () => {
    // GIVEN
    const stages = app.node.children.filter((c): c is OrdersEnvironment => c instanceof OrdersEnvironment);

    // WHEN
    const found = stages.map((stage) => {
      const template = Template.fromStack(stage.api.restApi.stack as Stack);
      const roles = Object.values<any>(template.findResources('AWS::IAM::Role'))
        .filter((r) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('sts:AssumeRoleWithWebIdentity'));
      return {
        stage: stage.stageName,
        aud: roles.map((r) => r.Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals['acme.okta.com/oauth2/default:aud']),
        domains: Object.values<any>(template.findResources('AWS::ApiGateway::DomainName')).map((d) => d.Properties.DomainName),
        webAcls: Object.keys(template.findResources('AWS::WAFv2::WebACLAssociation')).length,
        accounts: Object.keys(template.findResources('AWS::ApiGateway::Account')).length,
      };
    });

    // THEN
    expect(found).toEqual([
      { stage: 'Staging', aud: ['api://orders-staging'], domains: ['api.staging.example.com'], webAcls: 1, accounts: 1 },
      { stage: 'Prod', aud: ['api://orders'], domains: ['api.example.com'], webAcls: 1, accounts: 1 },
    ]);
  });
});

describe('a stage added to a SecuredApi\'s REST API by hand', () => {
  test('should fail synth for an L2 stage, pointing at one SecuredApi per environment', () => {
    // GIVEN
    const { app, stack, api } = ordersApi();

    // WHEN
    new apigateway.Stage(stack, 'Staging', {
      deployment: new apigateway.Deployment(stack, 'StagingDeployment', { api: api.restApi }),
      stageName: 'staging',
    });

    // THEN
    expect(() => app.synth()).toThrow(/a stage \(Orders\/Staging\/Resource\) was added to the REST API of Orders\/Api by hand;.*create one SecuredApi per environment/);
    expect(() => app.synth()).toThrow(/a deployment \(Orders\/StagingDeployment\/Resource\) was added/);
  });

  test('should fail synth for an L1 stage or deployment naming the REST API', () => {
    // GIVEN
    const { app, stack, api } = ordersApi();

    // WHEN
    const deployment = new apigateway.CfnDeployment(stack, 'HandDeployment', { restApiId: api.restApi.restApiId });
    new apigateway.CfnStage(stack, 'HandStage', { restApiId: api.restApi.restApiId, deploymentId: deployment.ref, stageName: 'dev' });

    // THEN
    expect(() => app.synth()).toThrow(/a stage \(Orders\/HandStage\) was added/);
    expect(() => app.synth()).toThrow(/a deployment \(Orders\/HandDeployment\) was added/);
  });

  test('should fail synth for a stage of the REST API in another stack', () => {
    // GIVEN
    const { app, api } = ordersApi();
    const other = new Stack(app, 'Other', { env: { account: '123456789012', region: 'eu-west-1' } });

    // WHEN
    new apigateway.Stage(other, 'Staging', {
      deployment: new apigateway.Deployment(other, 'StagingDeployment', { api: api.restApi }),
      stageName: 'staging',
    });

    // THEN
    expect(() => app.synth()).toThrow(/a stage \(Other\/Staging\/Resource\) was added to the REST API of Orders\/Api by hand/);
  });

  test('should leave stages of other REST APIs alone', () => {
    // GIVEN
    const { app, stack } = ordersStack();
    new SecuredApi(stack, 'Api', {
      issuer: OidcIssuer.fromUrl('https://issuer.example.com', { audiences: ['api://orders'] }),
      cloudWatchRole: false,
      routes: [{ method: HttpMethod.GET, path: '/health', handler: okHandler(stack), public: true }],
    });
    const plain = new apigateway.RestApi(stack, 'Plain', { cloudWatchRole: false });
    plain.root.addMethod('GET', new apigateway.MockIntegration());

    // WHEN
    const assembly = app.synth();

    // THEN
    expect(Object.values<any>(assembly.getStackByName('Orders').template.Resources).filter((r) => r.Type === 'AWS::ApiGateway::Stage')).toHaveLength(2);
  });
});
