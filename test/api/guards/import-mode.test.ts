import { importMode } from '../../../src/api/guards/import-mode';
import { messagesOf } from '../../../src/rules/rule';
import { deployedApi, ordersRestApi, writtenProperties } from '../../support/api-guard';

describe('importMode', () => {
  test('should pass the overwrite mode the construct writes', () => {
    expect(messagesOf(importMode, deployedApi())).toEqual([]);
  });

  test.each([
    ['merge', 'merge'],
    ['removed (API Gateway then merges)', undefined],
    ['an intrinsic', { 'Fn::If': ['C', 'overwrite', 'merge'] }],
  ])('should refuse a Mode %s', (_, mode) => {
    const properties = { ...writtenProperties(), Mode: mode };
    expect(messagesOf(importMode, deployedApi(properties))).toEqual([
      expect.stringMatching(/^the REST API Orders\/Api\/Api\/Resource is imported with Mode .* instead of "overwrite" \(an override changed it\); in any other mode a route removed from Orders\/Api stays deployed, open if it was public; remove that override\.$/),
    ]);
  });

  test('should fail synth when an override sets Mode to merge', () => {
    // GIVEN
    const { app, cfnApi } = ordersRestApi();

    // WHEN
    cfnApi.addPropertyOverride('Mode', 'merge');

    // THEN
    expect(() => app.synth()).toThrow(/\[Orders\/Api\] the REST API Orders\/Api\/Api\/Resource is imported with Mode "merge" instead of "overwrite"[^\n]* \[SecuredApi\.ImportModeChanged\]/);
  });
});
