/**
 * The contract between a SecuredHttpApi's deployment check (src/http-api/private/deployment-check.ts)
 * and its handler (src/api/runtime/http-*.ts): the expected model (`model.json` in the handler's
 * asset) and the custom resource's properties. Plain data: no aws-cdk-lib import (the runtime reads it).
 */

/** The custom resource's type. */
export const HTTP_DEPLOYMENT_CHECK_RESOURCE_TYPE = 'Custom::SecuredHttpApiDeploymentCheck';

/** The custom resource's property naming the HTTP API. */
export const PROP_HTTP_API_ID = 'ApiId';

import type { ModelString } from './deployment-check-contract';

export type { ModelString };

/** What a SecuredHttpApi expects of its routes and authorizers (the construct's part of the model). */
export interface ExpectedHttpApi {
  readonly version: 1;
  /** Every route the construct made. */
  readonly routes: readonly ExpectedHttpRoute[];
  /** The native JWT authorizer, when a route uses it. */
  readonly jwtAuthorizer?: ExpectedJwtAuthorizer;
  /** The Lambda authorizer, when a route uses it. */
  readonly lambdaAuthorizer?: ExpectedLambdaAuthorizer;
}

/**
 * The check's model (`model.json` in its asset): the construct's routes and authorizers, with every
 * integration of the API's OpenAPI definition (`Body`, by its name there) and the integration each
 * route targets. Values known only at deployment (a function's ARN) are `ModelString`s naming the
 * custom resource's `Values` (`PROP_VALUES`). Integration and authorizer ids exist only once API
 * Gateway has imported the definition: integrations are found through each route's `Target`,
 * authorizers by name.
 */
export interface CheckedHttpApi extends ExpectedHttpApi {
  readonly routes: readonly CheckedHttpRoute[];
  /** Every integration of the API's definition: no other may exist. */
  readonly integrations: readonly ExpectedHttpIntegration[];
  /**
   * What the definition writes of each authorizer of the API (by name) that says which function it
   * calls, and as whom; none when it has none.
   */
  readonly authorizerTargets?: readonly ExpectedAuthorizerTarget[];
}

/** An authorizer's `AuthorizerUri` and `AuthorizerCredentialsArn`, as the definition writes them (absent: left out). */
export interface ExpectedAuthorizerTarget {
  readonly name: string;
  readonly authorizerUri?: ModelString;
  readonly authorizerCredentialsArn?: ModelString;
}

/** A route and the integration the definition gives it. */
export interface CheckedHttpRoute extends ExpectedHttpRoute {
  /** The name of its integration (`ExpectedHttpIntegration.name`); none: the definition gives it none. */
  readonly integration?: string;
}

/**
 * An integration as the definition writes it (`components.x-amazon-apigateway-integrations.<name>`),
 * in the fields GetIntegrations returns, each absent where the definition leaves it out:
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-integration.html
 */
export interface ExpectedHttpIntegration {
  /** Its name in the definition, which differences name. */
  readonly name: string;
  readonly integrationType: ModelString;
  readonly integrationUri?: ModelString;
  readonly integrationMethod?: ModelString;
  readonly payloadFormatVersion?: ModelString;
  readonly connectionType?: ModelString;
  readonly connectionId?: ModelString;
  readonly requestParameters?: { readonly [key: string]: ModelString };
  /** As a string, as CloudFormation passes every custom resource property. */
  readonly timeoutInMillis?: ModelString;
  readonly integrationSubtype?: ModelString;
  readonly credentialsArn?: ModelString;
  /** `TlsConfig.ServerNameToVerify`. */
  readonly serverNameToVerify?: ModelString;
  /** Per status code, the response parameter mappings. */
  readonly responseParameters?: { readonly [statusCode: string]: { readonly [key: string]: ModelString } };
}

export interface ExpectedHttpRoute {
  /** `GET /orders/{id}`. */
  readonly routeKey: string;
  /** NONE (public: true), JWT (the native authorizer) or CUSTOM (the Lambda authorizer). */
  readonly authorizationType: 'NONE' | 'JWT' | 'CUSTOM';
  /** The route's scopes (JWT routes only; empty otherwise). */
  readonly scopes: readonly string[];
}

export interface ExpectedJwtAuthorizer {
  readonly name: string;
  readonly issuer: string;
  readonly audiences: readonly string[];
}

export interface ExpectedLambdaAuthorizer {
  readonly name: string;
  readonly payloadFormatVersion: string;
  readonly simpleResponses: boolean;
  readonly identitySources: readonly string[];
  readonly ttlSeconds: number;
}

