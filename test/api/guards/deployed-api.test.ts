import { App, CfnOutput, Fn, NestedStack, Stack, Stage } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { DeployedApp } from '../../../src/api/guards';

const ENV = { account: '123456789012', region: 'eu-west-1' };

/** A REST API in a stack of a Stage, and a reader of the stacks deployed with it (after the Stage is prepared by a synth). */
function restApiApp() {
  const app = new App();
  const stage = new Stage(app, 'Prod', { env: ENV });
  const stack = new Stack(stage, 'Api');
  const api = new apigateway.CfnRestApi(stack, 'Api', { name: 'api' });
  return { app, stage, stack, api, reader: () => new DeployedApp(stack, stack.resolve(api.logicalId)) };
}

describe('DeployedApp', () => {
  test('should see every form of reference to the REST API in its own stack', () => {
    const { stack, api, reader } = restApiApp();
    const id: string = stack.resolve(api.logicalId);
    const app = reader();
    for (const value of [
      { Ref: id },
      { 'Fn::GetAtt': [id, 'RootResourceId'] },
      { 'Fn::GetAtt': `${id}.RestApiId` },
      { 'Fn::Sub': `\${${id}}` },
      { 'Fn::Sub': [`\${${id}.RootResourceId}`, {}] },
      { 'Fn::Join': ['', [{ Ref: id }]] },
    ]) {
      expect([value, app.refersToApi(stack, value)]).toEqual([value, true]);
    }
    expect(app.refersToApi(stack, { Ref: 'Other' })).toBe(false);
    expect(app.refersToApi(stack, { 'Fn::Sub': `\${${id}Other}` })).toBe(false);
  });

  test('should see a reference from another stack of the Stage only through an export of the REST API', () => {
    // GIVEN
    const { stage, stack, api, reader } = restApiApp();
    new CfnOutput(stack, 'Id', { value: api.ref, exportName: 'ApiId' });
    new CfnOutput(stack, 'Name', { value: 'not the api', exportName: 'Other' });
    const other = new Stack(stage, 'Other');

    // THEN
    const app = reader();
    expect(app.refersToApi(other, Fn.importValue('ApiId'))).toBe(false); // an unresolved token is not read
    expect(app.refersToApi(other, { 'Fn::ImportValue': 'ApiId' })).toBe(true);
    expect(app.refersToApi(other, { 'Fn::ImportValue': 'Other' })).toBe(false);
    expect(app.refersToApi(other, { Ref: stack.resolve(api.logicalId) })).toBe(false);
  });

  test('should see a reference in a nested stack through the parameter its parent passes the REST API in', () => {
    // GIVEN
    const { app, stack, api, reader } = restApiApp();
    const nested = new NestedStack(stack, 'Nested');
    const method = new apigateway.CfnMethod(nested, 'M', { restApiId: api.ref, resourceId: api.attrRootResourceId, httpMethod: 'GET' });
    app.synth();

    // THEN
    const found = reader().resourcesOfType(['AWS::ApiGateway::Method']);
    expect(found.map((r) => r.construct)).toEqual([method]);
    expect(reader().refersToApi(nested, found[0].properties.RestApiId)).toBe(true);
  });

  test('should read a resource whose type an override changed', () => {
    // GIVEN
    const { stack, reader } = restApiApp();
    const topic = new apigateway.CfnResource(stack, 'Disguised', { restApiId: 'x', parentId: 'y', pathPart: 'z' });
    topic.addOverride('Type', 'AWS::ApiGateway::Method');

    // THEN
    expect(reader().resourcesOfType(['AWS::ApiGateway::Resource'])).toEqual([]);
    expect(reader().resourcesOfType(['AWS::ApiGateway::Method']).map((r) => r.logicalId)).toEqual([stack.resolve(topic.logicalId)]);
  });

  test('should read the stacks of the REST API\'s Stage only', () => {
    // GIVEN
    const { app, reader } = restApiApp();
    new apigateway.CfnMethod(new Stack(app, 'Elsewhere', { env: ENV }), 'M', { restApiId: 'x', resourceId: 'y', httpMethod: 'GET' });

    // THEN
    expect(reader().resourcesOfType(['AWS::ApiGateway::Method'])).toEqual([]);
  });
});
