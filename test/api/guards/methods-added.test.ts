import { CfnOutput, Fn, NestedStack, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { methodsAdded } from '../../../src/api/guards/methods-added';
import { messagesOf } from '../../../src/rules/rule';
import { deployedApi, ordersRestApi } from '../../support/api-guard';

const ENV = { account: '123456789012', region: 'eu-west-1' };

describe('methodsAdded', () => {
  test('should find nothing without the app to read', () => {
    expect(messagesOf(methodsAdded, deployedApi())).toEqual([]);
  });

  test('should fail synth on an L2 method added to the REST API, naming its path', () => {
    // GIVEN
    const { app, api } = ordersRestApi();

    // WHEN
    api.restApi.root.addResource('backdoor').addMethod('GET', new apigateway.MockIntegration());

    // THEN
    const synth = () => app.synth();
    expect(synth).toThrow(/method GET \/backdoor \(Orders\/Api\/Api\/Default\/backdoor\/GET\) was added to the REST API directly; .* add it with addRoute\(\) on Orders\/Api, with public: true if it must be open\./);
    expect(synth).toThrow(/resource \/backdoor \(Orders\/Api\/Api\/Default\/backdoor\) was added to the REST API directly[^\n]* \[SecuredApi\.MethodAdded\]/);
  });

  test('should fail synth on L1 methods and resources that name the REST API by Fn::GetAtt', () => {
    // GIVEN
    const { app, stack, cfnApi } = ordersRestApi();

    // WHEN
    const resource = new apigateway.CfnResource(stack, 'Door', { restApiId: cfnApi.attrRestApiId, parentId: cfnApi.attrRootResourceId, pathPart: 'door' });
    new apigateway.CfnMethod(stack, 'Open', { restApiId: cfnApi.attrRestApiId, resourceId: resource.ref, httpMethod: 'GET', authorizationType: 'NONE', integration: { type: 'MOCK' } });
    new apigateway.CfnMethod(stack, 'RootOpen', { restApiId: Fn.sub(`\${${cfnApi.logicalId}}`), resourceId: cfnApi.attrRootResourceId, httpMethod: 'POST', integration: { type: 'MOCK' } });

    // THEN
    const synth = () => app.synth();
    expect(synth).toThrow(/resource door \(Orders\/Door\) was added to the REST API directly/);
    expect(synth).toThrow(/method GET \(Orders\/Open\) was added to the REST API directly/);
    expect(synth).toThrow(/method POST \(Orders\/RootOpen\) was added to the REST API directly/);
  });

  test('should fail synth on an L1 method in another stack, through the export CDK makes', () => {
    // GIVEN
    const { app, cfnApi } = ordersRestApi();
    const other = new Stack(app, 'Other', { env: ENV });

    // WHEN
    new apigateway.CfnMethod(other, 'Open', { restApiId: cfnApi.attrRestApiId, resourceId: cfnApi.attrRootResourceId, httpMethod: 'GET', authorizationType: 'NONE', integration: { type: 'MOCK' } });

    // THEN
    expect(() => app.synth()).toThrow(/method GET \(Other\/Open\) was added to the REST API directly/);
  });

  test('should fail synth on an L1 method in another stack that imports an export of the REST API made by hand', () => {
    // GIVEN
    const { app, stack, api } = ordersRestApi();
    new CfnOutput(stack, 'ApiId', { value: api.restApi.restApiId, exportName: 'OrdersApiId' });
    new CfnOutput(stack, 'RootId', { value: api.restApi.restApiRootResourceId, exportName: 'OrdersRootId' });
    const other = new Stack(app, 'Other', { env: ENV });

    // WHEN
    new apigateway.CfnMethod(other, 'Open', {
      restApiId: Fn.importValue('OrdersApiId'), resourceId: Fn.importValue('OrdersRootId'), httpMethod: 'DELETE', integration: { type: 'MOCK' },
    });

    // THEN
    expect(() => app.synth()).toThrow(/method DELETE \(Other\/Open\) was added to the REST API directly/);
  });

  test('should fail synth on an L1 method in a nested stack, passed the REST API as a parameter', () => {
    // GIVEN
    const { app, stack, cfnApi } = ordersRestApi();
    const nested = new NestedStack(stack, 'Nested');

    // WHEN
    new apigateway.CfnMethod(nested, 'Open', { restApiId: cfnApi.attrRestApiId, resourceId: cfnApi.attrRootResourceId, httpMethod: 'PUT', integration: { type: 'MOCK' } });

    // THEN
    expect(() => app.synth()).toThrow(/method PUT \(Orders\/Nested\/Open\) was added to the REST API directly/);
  });

  test('should fail synth on an L2 method in another stack (aws-cdk-lib refuses it first, as a cycle through the deployment)', () => {
    // GIVEN
    const { app, api } = ordersRestApi();
    const other = new Stack(app, 'Other', { env: ENV });

    // WHEN
    new apigateway.Method(other, 'Open', { httpMethod: 'PATCH', resource: api.restApi.root, integration: new apigateway.MockIntegration() });

    // THEN
    expect(() => app.synth()).toThrow(/would create a cyclic reference|method PATCH \/ \(Other\/Open\) was added to the REST API directly/);
  });

  test('should leave alone a method of another REST API that calls this one', () => {
    // GIVEN
    const { app, stack, api } = ordersRestApi();
    const plain = new apigateway.RestApi(stack, 'Plain', { cloudWatchRole: false });

    // WHEN
    plain.root.addMethod('GET', new apigateway.HttpIntegration(api.url));

    // THEN
    expect(() => app.synth()).not.toThrow();
  });
});
