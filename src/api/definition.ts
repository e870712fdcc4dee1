/**
 * The OpenAPI definition a `SecuredApi`'s REST API is imported from (`AWS::ApiGateway::RestApi`'s
 * `Body`): a pure function of its routes, no construct. Values may be CDK tokens (the integrations'
 * and the authorizer's function ARNs); CloudFormation resolves them.
 *
 * ## Why an inline body, and how small it is kept
 *
 * Each route is one operation of this document instead of an `AWS::ApiGateway::Method` (and each
 * path segment no `AWS::ApiGateway::Resource`), so the stack's resource count no longer grows
 * with the routes. The body is in the template, not in S3:
 * - `BodyS3Location` takes a file CloudFormation does not process, so it cannot hold the functions'
 *   ARNs (known at deployment); stage variables could stand for them, but AWS documents them in a
 *   Lambda integration URI only in place of the function *name*, with the region and account
 *   written out, which an environment-agnostic stack does not know
 *   (https://docs.aws.amazon.com/apigateway/latest/developerguide/aws-api-gateway-stage-variables-reference.html);
 * - `Fn::Transform` / `AWS::Include` of an S3 file would resolve them, but the 1 MB limit applies to
 *   the *processed* template, the included body in it
 *   (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-macros-troubleshoot-processed-template.html),
 *   so it would only hide the size from the synthesized template.
 * So the body is written as small as it can be: no descriptions, and nothing API Gateway does not
 * read. The document for readers (`openapi.ts`) is the full one.
 *
 * ## In the forms API Gateway's own export writes
 *
 * The body is imported with `FailOnWarnings` (an import that drops or misreads something fails the
 * deployment), and it is written the way `aws apigateway get-export --export-type oas30` writes a
 * REST API, so that nothing in it depends on how the importer reads other forms:
 * - every operation of a route declares its path parameters itself (`parameters`, `in: path`,
 *   required, `schema: { type: string }`), a greedy `{proxy+}` as `proxy`; the export writes them
 *   per operation, never on the path item, and a mapping of a parameter the method does not declare
 *   fails the import ("Invalid mapping expression parameter specified"). A real export of a
 *   `/{proxy+}` method: https://github.com/columbia-it/django-jsonapi-training/blob/master/docs/aws_api_gw.md
 *   (its console-made `OPTIONS` mock, which maps no parameter, declares none: neither do the
 *   preflights here);
 * - every operation has `responses`: `{}` for a proxy integration, which has no method responses,
 *   as the export writes it in https://docs.aws.amazon.com/apigateway/latest/developerguide/api-key-usage-plan-oas.html;
 * - gateway response and integration response status codes are strings, as in
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-gateway-responses.html.
 *
 * ## Authorization
 *
 * A guarded operation has `security: [{ tokenAuthorizer: [] }]`, the one Lambda REQUEST authorizer
 * defined under `components.securitySchemes`; a public operation has `security: []`. There is no
 * top-level `security`, so no operation inherits anything. The OIDC scopes are not in this
 * document: API Gateway would read scopes of an `oauth2`/`openIdConnect` requirement as Cognito
 * authorization scopes; the authorizer's route table checks them instead.
 *
 * With per-client quotas a guarded operation also requires an API key (the key coming from the
 * authorizer): `security: [{ tokenAuthorizer: [] }, { api_key: [] }]`, two requirement objects, as
 * API Gateway's export writes a method with both a custom authorizer and a required API key (the
 * export above), and as SAM's translator (`set_path_default_apikey_required`,
 * https://github.com/aws/serverless-application-model/blob/develop/samtranslator/swagger/swagger.py)
 * and AWS PDK's type-safe-api write it. OpenAPI would read two objects as alternatives; API Gateway
 * does not: a method has one authorization (here the authorizer) and, besides it, requires an API
 * key or not. `methodAuthorization` reads a `security` that way, for the synth-time check.
 */
import { CheckedCors, CORS_GATEWAY_RESPONSES, gatewayResponseCorsParameters, preflightOperation } from './cors';
import type { RouteMethod } from '../authorizer/contract';

/** The name of the API Gateway Lambda authorizer security scheme. */
export const DEFINITION_AUTHORIZER_SCHEME = 'tokenAuthorizer';

/**
 * The API key security scheme, as API Gateway names and reads it: an operation whose security
 * requirement names it requires an API key
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-key-usage-plan-oas.html).
 */
export const DEFINITION_API_KEY_SCHEME = 'api_key';

/** The request validator every operation uses. */
const VALIDATOR = 'params-and-body';

/** API Gateway's key for an `ANY` method in a path item. */
const ANY_METHOD = 'x-amazon-apigateway-any-method';

/** A route of the definition. */
export interface DefinitionRoute {
  readonly method: RouteMethod;
  /** API Gateway's resource path, e.g. `/orders/{id}` or `/files/{proxy+}`. */
  readonly resource: string;
  readonly isPublic: boolean;
  /** The invocation URI of the route's function (`arn:…:apigateway:…:lambda:path/…/invocations`); may be a token or an intrinsic. */
  readonly integrationUri: unknown;
  /** The route's `x-amazon-apigateway-integration` when it is not a Lambda proxy integration (`backend.ts`). */
  readonly integration?: { [key: string]: unknown };
}

/** What the definition is made from. */
export interface DefinitionInput {
  /** `info.title`; may be a token. */
  readonly title: string;
  /** `info.version`; may be a token. */
  readonly version: string;
  readonly description?: string;
  /** The authorizer's identity sources, e.g. `method.request.header.Authorization`. */
  readonly identitySources: readonly string[];
  readonly resultsCacheTtlSeconds: number;
  /** The authorizer function's invocation URI; may be a token or an intrinsic. */
  readonly authorizerUri: unknown;
  readonly routes: readonly DefinitionRoute[];
  /** CORS: a preflight operation on every path, and CORS headers on the gateway responses (`cors.ts`). */
  readonly cors?: CheckedCors;
  /**
   * Per-client quotas: every guarded operation requires an API key as well as the authorizer (a
   * second requirement object, which API Gateway reads as "and"), and the API takes keys from the authorizer's `usageIdentifierKey`
   * (`x-amazon-apigateway-api-key-source: AUTHORIZER`). Public operations stay `security: []`: no
   * authorizer runs for them, so they have no key and are not metered.
   */
  readonly apiKeyRequired?: boolean;
  /** Whether the default `execute-api` endpoint is turned off (a custom domain is the only way in). */
  readonly disableExecuteApiEndpoint?: boolean;
}

/**
 * The OpenAPI 3 extension that turns the default endpoint off when the REST API is imported from a
 * definition: on the definition's server object
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-endpoint-configuration.html).
 */
export const ENDPOINT_CONFIGURATION_EXTENSION = 'x-amazon-apigateway-endpoint-configuration';

type Value = unknown;
type Obj = { [key: string]: Value };

/** The invocation URI of a Lambda function for API Gateway, given its ARN and the partition and region. */
export function lambdaInvocationUri(partition: string, region: string, functionArn: string): string {
  return `arn:${partition}:apigateway:${region}:lambda:path/2015-03-31/functions/${functionArn}/invocations`;
}

/**
 * The definition of the REST API. Deterministic: paths and methods sorted, so the same routes give
 * the same body (and the same deployment) in whatever order they were added.
 */
export function restApiDefinition(input: DefinitionInput): Obj {
  const sorted = sortedRoutes(input.routes);
  const paths = pathItems(sorted, undefined, (route) => operation(route, input.apiKeyRequired ?? false));
  if (input.cors) {
    for (const [resource, item] of Object.entries(paths)) {
      item.options = preflightOperation(input.cors, sorted.filter((r) => r.resource === resource).map((r) => r.method));
    }
  }
  const body = (message: string) => ({ 'application/json': `{"message":"${message}","requestId":"$context.requestId"}` });
  return {
    'openapi': '3.0.1',
    'info': {
      title: input.title,
      version: input.version,
      ...(input.description === undefined ? {} : { description: input.description }),
    },
    // A server URL of '/' adds no base path, whichever basepath import mode applies.
    ...(input.disableExecuteApiEndpoint ? { servers: [{ url: '/', [ENDPOINT_CONFIGURATION_EXTENSION]: { disableExecuteApiEndpoint: true } }] } : {}),
    paths,
    'components': {
      securitySchemes: {
        [DEFINITION_AUTHORIZER_SCHEME]: {
          'type': 'apiKey',
          'name': 'Authorization',
          'in': 'header',
          'x-amazon-apigateway-authtype': 'custom',
          'x-amazon-apigateway-authorizer': {
            type: 'request',
            identitySource: input.identitySources.join(', '),
            authorizerUri: input.authorizerUri,
            authorizerResultTtlInSeconds: input.resultsCacheTtlSeconds,
          },
        },
        ...(input.apiKeyRequired ? { [DEFINITION_API_KEY_SCHEME]: { type: 'apiKey', name: 'x-api-key', in: 'header' } } : {}),
      },
    },
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-api-key-source.html
    ...(input.apiKeyRequired ? { 'x-amazon-apigateway-api-key-source': 'AUTHORIZER' } : {}),
    // Parameters: each path's parameters. Bodies: only where an operation declares a request model,
    // which routes do not.
    'x-amazon-apigateway-request-validators': {
      [VALIDATOR]: { validateRequestParameters: true, validateRequestBody: true },
    },
    'x-amazon-apigateway-request-validator': VALIDATOR,
    // Fixed bodies for authorization failures: API Gateway's defaults echo its error message (e.g.
    // that an explicit deny matched), which tells a caller more than it needs.
    'x-amazon-apigateway-gateway-responses': withCors(input.cors, {
      UNAUTHORIZED: {
        statusCode: '401',
        responseParameters: { 'gatewayresponse.header.WWW-Authenticate': "'Bearer'" },
        responseTemplates: body('Unauthorized'),
      },
      ACCESS_DENIED: { statusCode: '403', responseTemplates: body('Forbidden') },
      AUTHORIZER_FAILURE: { statusCode: '500', responseTemplates: body('Internal server error') },
      AUTHORIZER_CONFIGURATION_ERROR: { statusCode: '500', responseTemplates: body('Internal server error') },
    }),
  };
}

/** The gateway responses, with CORS headers on those `cors.ts` names (adding DEFAULT_4XX and DEFAULT_5XX) when CORS is on. */
function withCors(cors: CheckedCors | undefined, responses: { [type: string]: Obj }): Obj {
  if (!cors) {
    return responses;
  }
  const headers = gatewayResponseCorsParameters(cors);
  const all: { [type: string]: Obj } = { ...responses };
  for (const type of CORS_GATEWAY_RESPONSES) {
    const response = all[type] ?? {};
    all[type] = { ...response, responseParameters: { ...(response.responseParameters as Obj | undefined), ...headers } };
  }
  return all;
}

/** Routes sorted by resource path, then method: documents written from them do not depend on the order routes were added in. */
export function sortedRoutes<R extends { readonly method: RouteMethod; readonly resource: string }>(routes: readonly R[]): R[] {
  return [...routes].sort((a, b) => compare(a.resource, b.resource) || compare(a.method, b.method));
}

/**
 * OpenAPI path items from routes (in the order given): per path, its parameters once (when
 * `parameters` is given; else the operations declare their own), and each route's operation under
 * its method's key.
 */
export function pathItems<R extends { readonly method: RouteMethod; readonly resource: string }>(
  routes: readonly R[], parameters: ((resource: string) => unknown[]) | undefined, operationOf: (route: R) => unknown): { [path: string]: Obj } {
  const paths: { [path: string]: Obj } = {};
  for (const route of routes) {
    const item = paths[route.resource] ??= {};
    const params = parameters?.(route.resource) ?? [];
    if (params.length > 0 && !item.parameters) {
      item.parameters = params;
    }
    item[operationKey(route.method)] = operationOf(route);
  }
  return paths;
}

/** The key of a method in a path item: `get`, …, or API Gateway's `x-amazon-apigateway-any-method`. */
function operationKey(method: RouteMethod): string {
  return method === 'ANY' ? ANY_METHOD : method.toLowerCase();
}

/**
 * Every operation of a definition (what `pathItems` writes, or a template's resolved `Body`): its
 * method, resource path and the operation object; path item keys that are not methods
 * (`parameters`, …) are skipped.
 */
export function definitionOperations(definition: { readonly paths?: unknown }): Array<{ method: RouteMethod; resource: string; operation: any }> {
  const paths = (definition.paths ?? {}) as Record<string, Record<string, unknown> | null>;
  return Object.entries(paths).flatMap(([resource, item]) => Object.entries(item ?? {}).flatMap(([key, op]) => {
    const method = methodOfKey(key);
    return method === undefined ? [] : [{ method, resource, operation: op }];
  }));
}

/** The route method of a path item key, or undefined for keys that are not operations (`parameters`, …). */
function methodOfKey(key: string): RouteMethod | undefined {
  if (key === ANY_METHOD) {
    return 'ANY';
  }
  const upper = key.toUpperCase();
  return (['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const).find((m) => m === upper);
}

/**
 * An operation. A guarded one does not declare the `Authorization` header as a required parameter:
 * API Gateway answers 401 without invoking the authorizer when a cached authorizer's identity
 * source is missing, and with caching off the authorizer answers 401 itself; the declaration
 * would cost about 100 bytes of template per route.
 */
function operation(route: DefinitionRoute, apiKeyRequired: boolean): Obj {
  const parameters = pathParameters(route.resource);
  return {
    ...(parameters.length > 0 ? { parameters } : {}),
    'responses': {},
    'security': route.isPublic ? [] : guardedSecurity(apiKeyRequired),
    // Lambda proxy integrations are always invoked with POST.
    'x-amazon-apigateway-integration': route.integration ?? { type: 'aws_proxy', httpMethod: 'POST', uri: route.integrationUri },
  };
}

/** The `security` of a guarded operation: this API's authorizer, and an API key when quotas are on (see the module's docs). */
export function guardedSecurity(apiKeyRequired: boolean): Obj[] {
  return [{ [DEFINITION_AUTHORIZER_SCHEME]: [] }, ...(apiKeyRequired ? [{ [DEFINITION_API_KEY_SCHEME]: [] }] : [])];
}

/** A path parameter of an operation, in the form API Gateway's export writes. */
export interface PathParameter {
  readonly name: string;
  readonly in: 'path';
  readonly required: true;
  readonly schema: { readonly type: 'string' };
}

/**
 * The path parameters of a resource path: `{id}` and a greedy `{proxy+}`, as required string
 * parameters named as API Gateway names them, a greedy one without its `+` (`proxy`): so API
 * Gateway's own OpenAPI 3.0 definition of a proxy resource declares `/{proxy+}`, and maps it as
 * `method.request.path.proxy`
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-set-up-lambda-proxy-integration-on-proxy-resource.html).
 * The one naming of path parameters: the definition and the readers' document (`openapi.ts`) both
 * write these.
 */
export function pathParameters(resource: string): PathParameter[] {
  return [...resource.matchAll(/\{([^}+]+)\+?\}/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
}

/** How API Gateway sets up a method from an operation's `security` (see `methodAuthorization`). */
export interface MethodAuthorization {
  /** The security schemes the method names, in any requirement object: its authorizer(s) and `api_key`. */
  readonly schemes: readonly string[];
  /** Whether the method requires an API key (`api_key` named). */
  readonly apiKeyRequired: boolean;
}

/**
 * How API Gateway reads an operation's `security` into a method of a definition without top-level
 * `security`: none or `[]` is a method open to anyone (`NONE`); otherwise every scheme named in any
 * requirement object applies to the method (its authorizer, and `api_key` making an API key
 * required), not one requirement object or another as OpenAPI would read it. Returns undefined for
 * a `security` that is not a list of requirement objects (name to list), which is read as nothing
 * here.
 */
export function methodAuthorization(security: unknown): MethodAuthorization | undefined {
  if (security === undefined) {
    return { schemes: [], apiKeyRequired: false };
  }
  if (!Array.isArray(security) || !security.every((req) => typeof req === 'object' && req !== null && !Array.isArray(req)
    && Object.values(req).every((scopes) => Array.isArray(scopes)))) {
    return undefined;
  }
  const schemes = [...new Set(security.flatMap((req: Obj) => Object.keys(req)))].sort();
  return { schemes, apiKeyRequired: schemes.includes(DEFINITION_API_KEY_SCHEME) };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
