/**
 * What an API's definition declares of a `TokenAuthorizer` rather than creating an authorizer
 * resource (a SecuredApi's REST API: `TokenAuthorizer._declareInDefinition`, written as its
 * `x-amazon-apigateway-authorizer`). Another kind of API declares the same authorizer through a
 * method of its own that returns this.
 */
export interface DeclaredAuthorizer {
  /** The identity sources, in the API's terms; known once every route is added. */
  readonly identitySources: () => string[];
  readonly resultsCacheTtlSeconds: number;
  readonly functionArn: string;
}
