import { httpApi } from './subject';
import { resourceBesideBody } from '../../../src/http-api/rules/resource-beside-body';
import { messagesOf } from '../../../src/rules/rule';

describe('resourceBesideBody', () => {
  test('should pass an API with no Route, Integration or Authorizer resource', () => {
    expect(messagesOf(resourceBesideBody, httpApi())).toEqual([]);
    expect(resourceBesideBody.code).toBe('SecuredHttpApi.ResourceBesideBody');
  });

  test('should name each resource beside the definition', () => {
    const [message] = messagesOf(resourceBesideBody, httpApi({ resourcesBesideBody: () => ['Orders/Sneaky (AWS::ApiGatewayV2::Route)', 'Orders/Other (AWS::ApiGatewayV2::Authorizer)'] }));
    expect(message).toMatch(/^Orders\/Api: Orders\/Sneaky \(AWS::ApiGatewayV2::Route\), Orders\/Other \(AWS::ApiGatewayV2::Authorizer\) are resources of the API, whose routes, integrations and authorizers are its OpenAPI definition \(Body\)/);
    expect(message).toContain('add routes with addRoute, or remove them');
  });
});
