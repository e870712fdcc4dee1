/**
 * The contract between a SecuredHttpApi's deployment check (src/http-api/private/deployment-check.ts)
 * and its handler (src/api/runtime/http-*.ts): the expected model (`model.json` in the handler's
 * asset) and the custom resource's properties. Plain data: no aws-cdk-lib import (the runtime reads it).
 */

/** The custom resource's type. */
export const HTTP_DEPLOYMENT_CHECK_RESOURCE_TYPE = 'Custom::SecuredHttpApiDeploymentCheck';

/** The custom resource's property naming the HTTP API. */
export const PROP_HTTP_API_ID = 'ApiId';

/** What a SecuredHttpApi wrote, as the check's model (`model.json` in its asset). */
export interface ExpectedHttpApi {
  readonly version: 1;
  /** Every route the construct made. */
  readonly routes: readonly ExpectedHttpRoute[];
  /** The native JWT authorizer, when a route uses it. */
  readonly jwtAuthorizer?: ExpectedJwtAuthorizer;
  /** The Lambda authorizer, when a route uses it. */
  readonly lambdaAuthorizer?: ExpectedLambdaAuthorizer;
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

