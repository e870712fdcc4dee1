import { HttpMethod } from '../../../src';
import { letterCase } from '../../../src/api/guards/letter-case';
import { messagesOf } from '../../../src/rules/rule';
import { deployedApi, ordersRestApi, writtenProperties } from '../../support/api-guard';
import { okHandler } from '../../support/orders-api';

describe('letterCase', () => {
  test('should pass the definition as written', () => {
    expect(messagesOf(letterCase, deployedApi())).toEqual([]);
  });

  test('should refuse a method key in upper case, beside its lower case key or alone', () => {
    const properties = writtenProperties();
    properties.Body.paths['/orders'].GET = { security: [] };
    properties.Body.paths['/health'] = { Get: { security: [] }, parameters: [] };
    properties.Body.paths['/health']['X-Amazon-Apigateway-Any-Method'] = { security: [] };
    expect(messagesOf(letterCase, deployedApi(properties))).toEqual([
      expect.stringMatching(/^the REST API Orders\/Api\/Api\/Resource's definition has the method key "GET" under \/orders beside "get", which OpenAPI writes in lower case only.*; remove the override of Orders\/Api\/Api\/Resource that wrote it, and add routes with addRoute\(\) on Orders\/Api\.$/),
      expect.stringMatching(/has the method key "Get" under \/health, which/),
      expect.stringMatching(/has the method key "X-Amazon-Apigateway-Any-Method" under \/health, which/),
    ]);
  });

  test('should refuse a path beside another in another letter case that no route made', () => {
    const properties = writtenProperties();
    properties.Body.paths['/Orders'] = { get: { security: [] } };
    expect(messagesOf(letterCase, deployedApi(properties))).toEqual([
      expect.stringMatching(/has the paths \/orders, \/Orders, which differ in letter case only, and not all of them were made by routes/),
    ]);
  });

  test('should pass routes whose paths differ in letter case only', () => {
    // GIVEN
    const { app, stack, api } = ordersRestApi();

    // WHEN
    api.addRoute({ method: HttpMethod.GET, path: '/Orders', handler: okHandler(stack, 'Upper'), scopes: ['orders:read'] });

    // THEN
    expect(() => app.synth()).not.toThrow();
  });

  test('should fail synth when an override adds GET beside get', () => {
    // GIVEN
    const { app, cfnApi } = ordersRestApi();

    // WHEN
    cfnApi.addPropertyOverride('Body.paths./orders.GET', { 'security': [], 'x-amazon-apigateway-integration': { type: 'mock' } });

    // THEN
    expect(() => app.synth()).toThrow(/definition has the method key "GET" under \/orders beside "get"[^\n]* \[SecuredApi\.LetterCaseAmbiguous\]/);
  });
});
