import { Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { stagesAdded } from '../../../src/api/guards/stages-added';
import { messagesOf } from '../../../src/rules/rule';
import { deployedApi, ordersRestApi } from '../../support/api-guard';

describe('stagesAdded', () => {
  test('should find nothing without the app to read', () => {
    expect(messagesOf(stagesAdded, deployedApi())).toEqual([]);
  });

  test('should pass the construct\'s own stage and deployment', () => {
    const { app } = ordersRestApi();
    expect(() => app.synth()).not.toThrow();
  });

  test('should fail synth on an L1 stage and deployment that name the REST API by Fn::GetAtt', () => {
    // GIVEN
    const { app, stack, cfnApi } = ordersRestApi();

    // WHEN
    const deployment = new apigateway.CfnDeployment(stack, 'HandDeployment', { restApiId: cfnApi.attrRestApiId });
    new apigateway.CfnStage(stack, 'HandStage', { restApiId: cfnApi.attrRestApiId, deploymentId: deployment.ref, stageName: 'dev' });

    // THEN
    const synth = () => app.synth();
    expect(synth).toThrow(/\[Orders\/Api\] a stage \(Orders\/HandStage\) was added to the REST API of Orders\/Api by hand; .*create one SecuredApi per environment/);
    expect(synth).toThrow(/a deployment \(Orders\/HandDeployment\) was added to the REST API of Orders\/Api by hand[^\n]* \[SecuredApi\.StageAdded\]/);
  });

  test('should fail synth on an L1 stage and deployment in another stack, through the export CDK makes', () => {
    // GIVEN
    const { app, api } = ordersRestApi();
    const other = new Stack(app, 'Other', { env: { account: '123456789012', region: 'eu-west-1' } });

    // WHEN
    const deployment = new apigateway.CfnDeployment(other, 'HandDeployment', { restApiId: api.restApi.restApiId });
    new apigateway.CfnStage(other, 'HandStage', { restApiId: api.restApi.restApiId, deploymentId: deployment.ref, stageName: 'dev' });

    // THEN
    const synth = () => app.synth();
    expect(synth).toThrow(/a stage \(Other\/HandStage\) was added to the REST API of Orders\/Api by hand/);
    expect(synth).toThrow(/a deployment \(Other\/HandDeployment\) was added/);
  });
});
