import { Template } from 'aws-cdk-lib/assertions';
import { failOnWarnings } from '../../../src/api/guards/fail-on-warnings';
import { messagesOf } from '../../../src/rules/rule';
import { deployedApi, ordersRestApi, writtenProperties } from '../../support/api-guard';

describe('failOnWarnings', () => {
  test('should pass FailOnWarnings true, as a Boolean or as CloudFormation\'s "true"', () => {
    expect(messagesOf(failOnWarnings, deployedApi())).toEqual([]);
    expect(messagesOf(failOnWarnings, deployedApi({ ...writtenProperties(), FailOnWarnings: 'true' }))).toEqual([]);
  });

  test.each([
    ['false', false],
    ['"false"', 'false'],
    ['removed', undefined],
    ['an intrinsic', { 'Fn::If': ['C', true, false] }],
  ])('should refuse FailOnWarnings %s', (_, value) => {
    expect(messagesOf(failOnWarnings, deployedApi({ ...writtenProperties(), FailOnWarnings: value }))).toEqual([
      expect.stringMatching(/^the REST API Orders\/Api\/Api\/Resource has FailOnWarnings .* instead of true \(an override turned it off or removed it\); .*remove that override\.$/),
    ]);
  });

  test('should be set by the construct', () => {
    const { stack } = ordersRestApi();
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::RestApi', { FailOnWarnings: true });
  });

  test.each([
    ['turned off', (cfn: any) => cfn.addPropertyOverride('FailOnWarnings', false)],
    ['removed', (cfn: any) => cfn.addPropertyDeletionOverride('FailOnWarnings')],
  ])('should fail synth when an override %s FailOnWarnings', (_, override) => {
    // GIVEN
    const { app, cfnApi } = ordersRestApi();

    // WHEN
    override(cfnApi);

    // THEN
    expect(() => app.synth()).toThrow(/the REST API Orders\/Api\/Api\/Resource has FailOnWarnings (false|null) instead of true[^\n]* \[SecuredApi\.FailOnWarningsOff\]/);
  });
});
