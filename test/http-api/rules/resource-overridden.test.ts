import { httpApi } from './subject';
import { resourceOverridden } from '../../../src/http-api/rules/resource-overridden';
import { messagesOf } from '../../../src/rules/rule';

describe('resourceOverridden', () => {
  test('should pass when every resource is as written', () => {
    expect(messagesOf(resourceOverridden, httpApi())).toEqual([]);
    expect(resourceOverridden.code).toBe('SecuredHttpApi.ResourceOverridden');
  });

  test('should report each changed resource', () => {
    const lines = ['Orders/Api: the OpenAPI definition of Orders/Api/Resource (AWS::ApiGatewayV2::Api Body) is not as the construct wrote it (Body.components.securitySchemes.LambdaAuthorizer.x-amazon-apigateway-authorizer.authorizerUri changed)'];
    expect(messagesOf(resourceOverridden, httpApi({ changedResources: () => lines }))).toEqual(lines);
  });
});
