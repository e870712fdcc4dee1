/**
 * The contract between a `SecuredApi`'s deploy-time check (its custom resource, made at synth) and
 * the check's Lambda handler (runtime code, `src/api/runtime/`): the shape of the expected model
 * written into the handler's asset, and the names of the custom resource's properties and
 * attributes. Import-free, so that both sides import it and cannot drift.
 */

/** The custom resource's type. */
export const DEPLOYMENT_CHECK_RESOURCE_TYPE = 'Custom::SecuredApiDeploymentCheck';

/** The file, beside the bundled handler in its asset, holding the expected model (`ExpectedApi`). */
export const DEPLOYMENT_CHECK_MODEL_FILE = 'model.json';

/** Custom resource property: the REST API's id (its `Ref`). */
export const PROP_REST_API_ID = 'RestApiId';
/** Custom resource property: the deploy-time values the model's `ModelString`s name by index. */
export const PROP_VALUES = 'Values';
/**
 * Custom resource property: a digest of the model and the handler, so that any change runs the check
 * again: the SHA-256 (hex) of the asset's files `MODEL_HASH_FILES`, in that order. The handler
 * computes it of its own files too: an event whose digest is not its own was not written for this
 * code (a rollback; see runtime/check.ts).
 */
export const PROP_MODEL_HASH = 'ModelHash';

/** The files of the check's asset that `ModelHash` digests, in order. */
export const MODEL_HASH_FILES = [DEPLOYMENT_CHECK_MODEL_FILE, 'index.js'] as const;

/** The custom resource's data attribute: how many operations (method + path) were verified, as a string. */
export const ATTR_ROUTES_VERIFIED = 'RoutesVerified';

/**
 * CloudFormation accepts a custom resource response body of at most 4096 bytes
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html).
 */
export const MAX_RESPONSE_BODY_BYTES = 4096;

/**
 * A string of the model: a literal; or one known only at deployment: `{ value: i }`, the custom
 * resource's `Values[i]`, which CloudFormation resolves (a VPC link's id, a URL naming a load
 * balancer, a function of another stack's invocation URI), or `{ join: [...] }`, literal parts and
 * such indexes concatenated (a function's invocation URI around its ARN, the partition and the
 * region, each passed once however many routes name it).
 */
export type ModelString = string | { readonly value: number } | { readonly join: ReadonlyArray<string | number> };

/** What the check expects of the REST API, written from its definition at synth. */
export interface ExpectedApi {
  readonly version: 1;
  readonly authorizer: ExpectedAuthorizer;
  /** `HEADER` (API Gateway's default) or `AUTHORIZER` (per-client quotas). */
  readonly apiKeySource: string;
  /** The 401 and 403 gateway responses. */
  readonly gatewayResponses: readonly ExpectedGatewayResponse[];
  /** Every operation of the API, preflights included: no other method may exist. */
  readonly operations: readonly ExpectedOperation[];
}

/** The one Lambda authorizer of the definition. */
export interface ExpectedAuthorizer {
  /** Its name (the definition's security scheme). */
  readonly name: string;
  /** `REQUEST`. */
  readonly type: string;
  /** The function's invocation URI. */
  readonly uri: ModelString;
  /** Identity sources, e.g. `method.request.header.Authorization` (compared as a set). */
  readonly identitySources: readonly string[];
  readonly ttlSeconds: number;
}

/** A gateway response: its status and the response parameters the definition sets (each must be there, as written). */
export interface ExpectedGatewayResponse {
  readonly responseType: string;
  readonly statusCode: string;
  readonly responseParameters: { readonly [name: string]: string };
}

/** One method of one resource path. */
export interface ExpectedOperation {
  /** `GET`, …, `ANY`. */
  readonly method: string;
  /** API Gateway's resource path, e.g. `/orders/{id}`. */
  readonly path: string;
  /** `CUSTOM` (this API's authorizer) or `NONE`. */
  readonly authorizationType: string;
  readonly apiKeyRequired: boolean;
  readonly integration: ExpectedIntegration;
}

/** A method's integration, as far as the check compares it. */
export interface ExpectedIntegration {
  /** `AWS_PROXY`, `HTTP_PROXY` or `MOCK`. */
  readonly type: string;
  /** The target: a function's invocation URI, or an HTTP URL; none for `MOCK`. */
  readonly uri?: ModelString;
  /** The integration's method (`POST` for Lambda proxies); none for `MOCK`. */
  readonly httpMethod?: string;
  /** `INTERNET` or `VPC_LINK`; none for `MOCK`. */
  readonly connectionType?: string;
  readonly connectionId?: ModelString;
  /** Every request parameter mapping (caller headers, path parameters), exactly. */
  readonly requestParameters?: { readonly [target: string]: string };
}
