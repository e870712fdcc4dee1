import { openApiVersion } from '../../../src/api/guards/openapi-version';
import { messagesOf } from '../../../src/rules/rule';
import { deployedApi, ordersRestApi, writtenProperties } from '../../support/api-guard';

function withBody(change: (body: any) => void) {
  const properties = writtenProperties();
  change(properties.Body);
  return deployedApi(properties);
}

describe('openApiVersion', () => {
  test('should pass OpenAPI 3.0.x', () => {
    expect(messagesOf(openApiVersion, deployedApi())).toEqual([]);
    expect(messagesOf(openApiVersion, withBody((b) => b.openapi = '3.0.3'))).toEqual([]);
  });

  test('should refuse a Swagger 2.0 definition, beside openapi or instead of it', () => {
    const swagger = [expect.stringMatching(/^the REST API Orders\/Api\/Api\/Resource's definition declares Swagger "2.0" \(an override added "swagger"\).*; remove the override of Orders\/Api\/Api\/Resource that changed it/)];
    expect(messagesOf(openApiVersion, withBody((b) => b.swagger = '2.0'))).toEqual(swagger);
    expect(messagesOf(openApiVersion, withBody((b) => { delete b.openapi; b.swagger = '2.0'; }))).toEqual(swagger);
  });

  test.each([['3.1.0'], ['3.0'], ['2.0'], [undefined], [3]])('should refuse openapi %s', (version) => {
    expect(messagesOf(openApiVersion, withBody((b) => b.openapi = version))).toEqual([
      expect.stringMatching(/^the REST API Orders\/Api\/Api\/Resource's definition declares openapi .* instead of 3\.0\.x/),
    ]);
  });

  test('should fail synth when an override switches the definition to Swagger 2.0', () => {
    // GIVEN
    const { app, cfnApi } = ordersRestApi();

    // WHEN
    cfnApi.addPropertyDeletionOverride('Body.openapi');
    cfnApi.addPropertyOverride('Body.swagger', '2.0');

    // THEN
    expect(() => app.synth()).toThrow(/the REST API Orders\/Api\/Api\/Resource's definition declares Swagger "2.0"[^\n]* \[SecuredApi\.OpenApiVersionChanged\]/);
  });
});
