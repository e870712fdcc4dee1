import { importParameters } from '../../../src/api/guards/import-parameters';
import { messagesOf } from '../../../src/rules/rule';
import { deployedApi, ordersRestApi, writtenProperties } from '../../support/api-guard';

describe('importParameters', () => {
  test('should pass the construct\'s own import parameters', () => {
    expect(messagesOf(importParameters, deployedApi())).toEqual([]);
  });

  test.each([
    ['basepath=split added', { endpointConfigurationTypes: 'REGIONAL', basepath: 'split' }],
    ['basepath=prepend in place of them', { basepath: 'prepend' }],
    ['removed', undefined],
    ['an intrinsic', { 'Fn::If': ['C', {}, {}] }],
  ])('should refuse parameters %s', (_, parameters) => {
    const properties = { ...writtenProperties(), Parameters: parameters };
    expect(messagesOf(importParameters, deployedApi(properties))).toEqual([
      expect.stringMatching(/^the REST API Orders\/Api\/Api\/Resource is imported with the parameters .* instead of \{"endpointConfigurationTypes":"REGIONAL"\} \(an override changed them\); .*remove that override\.$/),
    ]);
  });

  test('should fail synth when an override adds basepath=split', () => {
    // GIVEN
    const { app, cfnApi } = ordersRestApi();

    // WHEN
    cfnApi.addPropertyOverride('Parameters.basepath', 'split');

    // THEN
    expect(() => app.synth()).toThrow(/the REST API Orders\/Api\/Api\/Resource is imported with the parameters \{"endpointConfigurationTypes":"REGIONAL","basepath":"split"\}[^\n]* \[SecuredApi\.ImportParametersChanged\]/);
  });
});
