import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { stageDeployment } from '../../../src/api/guards/stage-deployment';
import { messagesOf } from '../../../src/rules/rule';
import { deployedApi, ordersRestApi } from '../../support/api-guard';

const PATH = 'Orders/Api/Api/DeploymentStage.prod/Resource';

describe('stageDeployment', () => {
  test('should pass the stage serving its own deployment', () => {
    expect(messagesOf(stageDeployment, { ...deployedApi(), ownStage: { path: PATH } })).toEqual([]);
  });

  test.each([
    ['an id', 'abc123'],
    ['another deployment', { Ref: 'Other' }],
    ['none', null],
  ])('should refuse a stage serving %s', (_, deploymentId) => {
    expect(messagesOf(stageDeployment, { ...deployedApi(), ownStage: { path: PATH, deploymentId } })).toEqual([
      expect.stringMatching(/^the stage Orders\/Api\/Api\/DeploymentStage\.prod\/Resource serves the deployment .* instead of its own, written from the routes \(an override changed it\); remove that override of .*; the stage of Orders\/Api is redeployed whenever its routes change\.$/),
    ]);
  });

  test('should refuse a canary', () => {
    expect(messagesOf(stageDeployment, { ...deployedApi(), ownStage: { path: PATH, canarySetting: { DeploymentId: 'abc123', PercentTraffic: 10 } } })).toEqual([
      expect.stringMatching(/^the stage Orders\/Api\/Api\/DeploymentStage\.prod\/Resource has a CanarySetting \(an override added it\)/),
    ]);
  });

  test('should pass the untouched stage of a synthesized API', () => {
    const { app } = ordersRestApi();
    expect(() => app.synth()).not.toThrow();
  });

  test.each([
    ['an override points the stage at another deployment', (stage: apigateway.CfnStage) => stage.addPropertyOverride('DeploymentId', 'abc123'), /serves the deployment "abc123" instead of its own/],
    ['an override removes the deployment', (stage: apigateway.CfnStage) => stage.addPropertyDeletionOverride('DeploymentId'), /serves the deployment null instead of its own/],
    ['the L1 property is set to another deployment', (stage: apigateway.CfnStage) => stage.deploymentId = 'abc123', /serves the deployment "abc123" instead of its own/],
    ['an override adds a canary', (stage: apigateway.CfnStage) => stage.addPropertyOverride('CanarySetting', { DeploymentId: 'abc123', PercentTraffic: 50 }), /has a CanarySetting/],
    ['the L1 property adds a canary', (stage: apigateway.CfnStage) => stage.canarySetting = { deploymentId: 'abc123', percentTraffic: 50 }, /has a CanarySetting/],
  ])('should fail synth when %s', (_, change, message) => {
    // GIVEN
    const { app, api } = ordersRestApi();

    // WHEN
    change(api.restApi.deploymentStage.node.defaultChild as apigateway.CfnStage);

    // THEN
    const synth = () => app.synth();
    expect(synth).toThrow(message);
    expect(synth).toThrow(/ \[SecuredApi\.StageDeploymentChanged\]/);
  });
});
