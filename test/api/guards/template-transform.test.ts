import * as sam from 'aws-cdk-lib/aws-sam';
import { templateTransform } from '../../../src/api/guards/template-transform';
import { messagesOf } from '../../../src/rules/rule';
import { deployedApi, ordersRestApi } from '../../support/api-guard';

describe('templateTransform', () => {
  test('should pass a stack without transforms, or with AWS SAM\'s', () => {
    expect(messagesOf(templateTransform, deployedApi())).toEqual([]);
    expect(messagesOf(templateTransform, { ...deployedApi(), transforms: ['AWS::Serverless-2016-10-31'] })).toEqual([]);
  });

  test.each([['MyMacro'], ['AWS::LanguageExtensions']])('should refuse the transform %s', (transform) => {
    expect(messagesOf(templateTransform, { ...deployedApi(), transforms: ['AWS::Serverless-2016-10-31', transform] })).toEqual([
      expect.stringMatching(new RegExp(`^the stack of Orders/Api declares the template transform "${transform}", a macro that processes the whole template at deployment, .*remove the transform from that stack`)),
    ]);
  });

  test('should pass a stack that has AWS SAM resources', () => {
    // GIVEN
    const { app, stack } = ordersRestApi();

    // WHEN
    new sam.CfnFunction(stack, 'Sam', { runtime: 'nodejs22.x', handler: 'index.handler', inlineCode: 'exports.handler = async () => ({})' });

    // THEN
    expect(() => app.synth()).not.toThrow();
  });

  test('should fail synth when the stack declares a macro', () => {
    // GIVEN
    const { app, stack } = ordersRestApi();

    // WHEN
    stack.addTransform('MyMacro');

    // THEN
    expect(() => app.synth()).toThrow(/\[Orders\/Api\] the stack of Orders\/Api declares the template transform "MyMacro"[^\n]* \[SecuredApi\.TemplateTransform\]/);
  });
});
