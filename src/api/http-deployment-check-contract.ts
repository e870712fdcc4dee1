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
 * The check's model (`model.json` in its asset): the construct's routes and authorizers, with what
 * the template writes of every `AWS::ApiGatewayV2::Integration` of the API and of each route's
 * `Target`. Values known only at deployment (a function's ARN, a VPC link's id, an integration's id)
 * are `ModelString`s naming the custom resource's `Values` (`PROP_VALUES`).
 */
export interface CheckedHttpApi extends ExpectedHttpApi {
  readonly routes: readonly CheckedHttpRoute[];
  /** Every integration of the API in the template: no other may exist. */
  readonly integrations: readonly ExpectedHttpIntegration[];
  /**
   * What the template writes of each authorizer of the API (by `Name`) that says which function it
   * calls, and as whom; none when the template has none.
   */
  readonly authorizerTargets?: readonly ExpectedAuthorizerTarget[];
}

/** An authorizer's `AuthorizerUri` and `AuthorizerCredentialsArn`, as the template writes them (absent: left out). */
export interface ExpectedAuthorizerTarget {
  readonly name: string;
  readonly authorizerUri?: ModelString;
  readonly authorizerCredentialsArn?: ModelString;
}

/** A route and the `Target` the template writes for it. */
export interface CheckedHttpRoute extends ExpectedHttpRoute {
  /** `integrations/<IntegrationId>`; none: the template's route has no `Target`. */
  readonly target?: ModelString;
}

/**
 * An integration as the template writes it (`AWS::ApiGatewayV2::Integration`), each field absent
 * where the template leaves it out:
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigatewayv2-integration.html
 */
export interface ExpectedHttpIntegration {
  /** Its id (the resource's `Ref`). */
  readonly id: ModelString;
  /** Its construct path, which differences name. */
  readonly path: string;
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

