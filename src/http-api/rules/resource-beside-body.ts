import { SecuredHttpApiSubject } from './subject';
import { messageRule } from '../../rules/rule';

/**
 * No AWS::ApiGatewayV2::Route, Integration or Authorizer (or route / integration response) resource
 * of the API in the template: its routes are one OpenAPI definition (`Body`), which API Gateway does
 * not support combining with them
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigatewayv2-api.html),
 * and the guards read the definition, so such a resource would be unguarded.
 */
export const resourceBesideBody = messageRule<SecuredHttpApiSubject>('SecuredHttpApi.ResourceBesideBody',
  'the HTTP API has no Route, Integration or Authorizer resource beside its OpenAPI definition',
  (api) => {
    const found = api.resourcesBesideBody();
    return found.length === 0 ? [] : [
      `${api.path}: ${found.join(', ')} ${found.length === 1 ? 'is a resource' : 'are resources'} of the API, whose routes, integrations and authorizers are its OpenAPI definition (Body); `
      + 'API Gateway does not support combining the two (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigatewayv2-api.html), and no guard reads them; add routes with addRoute, or remove them.',
    ];
  });
