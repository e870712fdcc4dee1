import { operationSecurity } from '../../../src/api/guards/operation-security';
import { messagesOf } from '../../../src/rules/rule';
import { deployedApi, ordersRestApi, writtenProperties } from '../../support/api-guard';

describe('operationSecurity', () => {
  test('should pass the definition as written, and a public operation guarded by an override', () => {
    expect(messagesOf(operationSecurity, deployedApi())).toEqual([]);
    const properties = writtenProperties();
    properties.Body.paths['/health'].get.security = [{ tokenAuthorizer: [] }];
    expect(messagesOf(operationSecurity, deployedApi(properties))).toEqual([]);
  });

  test.each([
    ['removed', undefined, 'null'],
    ['emptied', [], '\\[\\]'],
    ['another scheme', [{ iam: [] }], '\\[\\{"iam":\\[\\]\\}\\]'],
    ['an alternative added', [{ tokenAuthorizer: [] }, {}], '\\[\\{"tokenAuthorizer":\\[\\]\\},\\{\\}\\]'],
  ])('should refuse a guarded operation\'s security %s', (_, security, shown) => {
    const properties = writtenProperties();
    properties.Body.paths['/orders'].get.security = security;
    expect(messagesOf(operationSecurity, deployedApi(properties))).toEqual([
      expect.stringMatching(new RegExp(`^operation GET /orders is a guarded route, but as deployed its security is ${shown} instead of this API's token authorizer`)),
    ]);
  });

  test('should refuse every guarded operation when the authorizer scheme changed', () => {
    const properties = writtenProperties();
    properties.Body.components.securitySchemes.tokenAuthorizer = { type: 'apiKey', name: 'x' };
    expect(messagesOf(operationSecurity, deployedApi(properties))).toEqual([
      expect.stringMatching(/^operation GET \/orders is a guarded route, but as deployed its security is \[\{"tokenAuthorizer":\[\]\}\] and the definition's token authorizer scheme was changed/),
    ]);
  });

  test('should refuse an operation no route made', () => {
    const properties = writtenProperties();
    properties.Body.paths['/orders']['x-amazon-apigateway-any-method'] = { security: [] };
    expect(messagesOf(operationSecurity, deployedApi(properties))).toEqual([
      'operation ANY /orders is in the REST API\'s definition (Orders/Api/Api/Resource) but no route made it (an override or escape hatch added it); add it with addRoute() on Orders/Api, with public: true if it must be open.',
    ]);
  });

  test('should refuse a written operation that is neither public nor guarded by the authorizer (a bug)', () => {
    const api = deployedApi();
    const written = { ...api.written, body: { ...api.written.body, paths: { '/x': { get: { security: [{ other: [] }] } } } } };
    expect(messagesOf(operationSecurity, { ...api, written })).toContainEqual(expect.stringMatching(/^operation GET \/x was written with the security \[\{"other":\[\]\}\], .* this is a bug in cdk-secured-api/));
  });

  test('should fail synth when an override empties a guarded route\'s security', () => {
    // GIVEN
    const { app, cfnApi } = ordersRestApi();

    // WHEN
    cfnApi.addPropertyOverride('Body.paths./orders.get.security', []);

    // THEN
    expect(() => app.synth()).toThrow(/\[Orders\/Api\] operation GET \/orders is a guarded route, but as deployed its security is \[\][^\n]* \[SecuredApi\.OperationSecurityChanged\]/);
  });
});

describe('operationSecurity on paths', () => {
  test('should refuse a path no route made, even without operations (a $ref could fill it)', () => {
    const properties = writtenProperties();
    properties.Body.paths['/admin'] = { $ref: '#/paths/~1health' };
    expect(messagesOf(operationSecurity, deployedApi(properties))).toEqual([
      'path /admin is in the REST API\'s definition (Orders/Api/Api/Resource) but no route made it (an override added it; what API Gateway makes of it, e.g. of a $ref, is not checked); remove that override, and add it with addRoute() on Orders/Api, with public: true if it must be open.',
    ]);
  });
});
