import { defaultEndpointStillOn } from '../../../src/api/rules/default-endpoint-still-on';
import { messagesOf } from '../../../src/rules/rule';

const OFF = { 'x-amazon-apigateway-endpoint-configuration': { disableExecuteApiEndpoint: true } };
const domain = (properties: unknown) => ({ path: 'Orders/Api', restApiPath: 'Orders/Api/Api/Resource', properties });

describe('defaultEndpointStillOn', () => {
  test('should pass an API whose property and every server turn the default endpoint off', () => {
    expect(messagesOf(defaultEndpointStillOn, domain({ DisableExecuteApiEndpoint: true, Body: { servers: [OFF, OFF] } }))).toEqual([]);
  });

  test('should refuse DisableExecuteApiEndpoint turned back on', () => {
    expect(messagesOf(defaultEndpointStillOn, domain({ DisableExecuteApiEndpoint: false, Body: { servers: [OFF] } }))).toEqual([
      'Orders/Api: domain.disableDefaultEndpoint is true, but the REST API Orders/Api/Api/Resource has DisableExecuteApiEndpoint false (an override or escape hatch changed it): '
      + 'the default execute-api endpoint would stay open beside the domain; remove that override.',
    ]);
    expect(defaultEndpointStillOn.code).toBe('SecuredApi.DefaultEndpointStillOn');
  });

  test.each([
    ['no servers', undefined],
    ['an empty list of servers', []],
    ['a server without the extension', [OFF, { url: 'https://example.com' }]],
  ])('should refuse a definition with %s', (_, servers) => {
    expect(messagesOf(defaultEndpointStillOn, domain({ DisableExecuteApiEndpoint: true, Body: { servers } }))).toEqual([
      expect.stringMatching(/^Orders\/Api: domain\.disableDefaultEndpoint is true, but the REST API's definition \(Orders\/Api\/Api\/Resource\) has a server without x-amazon-apigateway-endpoint-configuration\.disableExecuteApiEndpoint: true/),
    ]);
  });

  test('should refuse both when the properties are gone', () => {
    expect(messagesOf(defaultEndpointStillOn, domain(undefined))).toHaveLength(2);
  });
});
