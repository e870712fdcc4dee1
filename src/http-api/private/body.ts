// The OpenAPI 3.0 definition a SecuredHttpApi's AWS::ApiGatewayV2::Api imports (`Body`): its routes,
// their integrations and both authorizers, so that 300 routes cost no CloudFormation resource.
// Plain data and pure functions (no aws-cdk-lib): the construct writes it, and the guards, the
// deployment check's model and the test kit (cdk-secured-api/testing) read it.
//
// What API Gateway makes of it:
// - The import: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-open-api.html
//   (OpenAPI 3.0; `FailOnWarnings` makes a definition with warnings fail the import instead of being
//   imported in part). `Body` cannot be combined with Route/Integration/Authorizer resources:
//   https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigatewayv2-api.html
// - A route per path and method; `x-amazon-apigateway-any-method` is the `ANY` route; a route's
//   integration is the operation's `x-amazon-apigateway-integration`, here a `$ref` to one of
//   `components.x-amazon-apigateway-integrations`, so that one integration serves every route of a
//   handler or backend (the 300-integrations quota counts handlers, not routes):
//   https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-extensions-integrations.html
//   https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-integration.html
//   (`type` aws_proxy / http_proxy, `httpMethod`, `uri`, `payloadFormatVersion`, `connectionType`,
//   `connectionId`, `requestParameters` for HTTP APIs, `timeoutInMillis`, `tlsConfig`).
// - Authorizers are `components.securitySchemes` with `x-amazon-apigateway-authorizer` (`jwt` with
//   `jwtConfiguration`, `request` with `authorizerUri`, `authorizerPayloadFormatVersion`,
//   `enableSimpleResponses`, `identitySource`, `authorizerResultTtlInSeconds`), named by the scheme;
//   an operation's `security` names the scheme and, for a JWT authorizer, the route's scopes:
//   https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-authorizer.html
// - CORS: `x-amazon-apigateway-cors`
//   (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-cors-configuration.html),
//   in the definition rather than the Api's `CorsConfiguration`, so that one document holds it.
//
// Where the docs are silent the readers here fail closed: an operation whose authorization cannot be
// read as exactly one scheme of the definition (alternatives, an unknown scheme, a `$ref`'d path
// item) is reported as a problem, never read as guarded.

/** The security schemes (so the authorizers' names, which the deployment check finds them by). */
export const JWT_AUTHORIZER_NAME = 'JwtAuthorizer';
export const LAMBDA_AUTHORIZER_NAME = 'LambdaAuthorizer';

export const ANY_METHOD_KEY = 'x-amazon-apigateway-any-method';
export const INTEGRATION_KEY = 'x-amazon-apigateway-integration';
export const INTEGRATIONS_KEY = 'x-amazon-apigateway-integrations';
export const AUTHORIZER_KEY = 'x-amazon-apigateway-authorizer';
export const CORS_KEY = 'x-amazon-apigateway-cors';
const INTEGRATION_REF_PREFIX = `#/components/${INTEGRATIONS_KEY}/`;

/** OpenAPI operation keys of a path item, and the method each is. */
const METHOD_KEYS: Readonly<Record<string, string>> = {
  get: 'GET', put: 'PUT', post: 'POST', delete: 'DELETE', options: 'OPTIONS', head: 'HEAD', patch: 'PATCH', [ANY_METHOD_KEY]: 'ANY',
};
/** Keys of a path item that make no route. */
const PATH_ITEM_INFO_KEYS = new Set(['summary', 'description', 'parameters']);

/** An integration of the definition (`components.x-amazon-apigateway-integrations.<name>`). */
export interface BodyIntegration {
  readonly type: 'aws_proxy' | 'http_proxy';
  readonly httpMethod: string;
  readonly uri: string;
  readonly payloadFormatVersion: string;
  /** INTERNET, or VPC_LINK for a private integration (`connectionId` the HTTP API VPC link's id, `uri` a listener's or Cloud Map service's ARN). */
  readonly connectionType: 'INTERNET' | 'VPC_LINK';
  readonly connectionId?: string;
  readonly requestParameters?: Readonly<Record<string, string>>;
  readonly timeoutInMillis?: number;
  /** A private integration's TLS: the name verified on the target's certificate (api-gateway-extensions-integration-tls-config.html). */
  readonly tlsConfig?: { readonly serverNameToVerify: string };
}

/** A route as the construct writes it. */
export interface BodyRoute {
  readonly method: string;
  readonly path: string;
  /** NONE (public: true), JWT (the native authorizer, with `scopes`) or CUSTOM (the Lambda authorizer). */
  readonly authorizationType: 'NONE' | 'JWT' | 'CUSTOM';
  readonly scopes: readonly string[];
  /** The name of its integration in `components.x-amazon-apigateway-integrations`. */
  readonly integration: string;
}

/** What the definition is written from. */
export interface BodyInput {
  readonly title: string;
  readonly description?: string;
  readonly routes: readonly BodyRoute[];
  readonly integrations: ReadonlyMap<string, BodyIntegration>;
  readonly jwtAuthorizer?: { readonly issuer: string; readonly audiences: readonly string[]; readonly identitySource: string };
  readonly lambdaAuthorizer?: {
    /** `arn:<partition>:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations`. */
    readonly authorizerUri: string;
    readonly identitySources: readonly string[];
    readonly ttlSeconds: number;
  };
  readonly cors?: {
    readonly allowOrigins: readonly string[];
    readonly allowHeaders: readonly string[];
    readonly allowMethods?: readonly string[];
    readonly allowCredentials?: boolean;
    readonly maxAge?: number;
  };
  readonly disableExecuteApiEndpoint: boolean;
}

/** The definition, as the Api's `Body` holds it (values known only at deployment stay CDK tokens). */
export function httpApiBody(input: BodyInput): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of input.routes) {
    const item = paths[route.path] ??= {};
    const key = route.method === 'ANY' ? ANY_METHOD_KEY : route.method.toLowerCase();
    // Every path variable declared (OpenAPI 3.0 requires it of each template expression, and a
    // structure invalid by the specification is an import warning: http-api-open-api.html), by the
    // expression's own name (`proxy+` for a greedy `{proxy+}`).
    const parameters = [...route.path.matchAll(/\{([^}]+)\}/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
    item[key] = {
      ...(parameters.length > 0 ? { parameters } : {}),
      [INTEGRATION_KEY]: { $ref: `${INTEGRATION_REF_PREFIX}${route.integration}` },
      // A public route has no security requirement: an HTTP API route without one has no authorizer.
      ...(route.authorizationType === 'JWT' ? { security: [{ [JWT_AUTHORIZER_NAME]: [...route.scopes] }] } : {}),
      ...(route.authorizationType === 'CUSTOM' ? { security: [{ [LAMBDA_AUTHORIZER_NAME]: [] }] } : {}),
      responses: { default: { description: 'The integration\'s response.' } },
    };
  }
  const securitySchemes: Record<string, unknown> = {};
  if (input.jwtAuthorizer) {
    // An `oauth2` scheme, as the extension's JWT authorizer example; with an (empty) `flows`, which
    // OpenAPI 3.0 requires: a structure invalid by the specification is an import warning
    // (http-api-open-api.html, "Import validation information"), which FailOnWarnings makes fatal.
    securitySchemes[JWT_AUTHORIZER_NAME] = {
      type: 'oauth2',
      flows: {},
      [AUTHORIZER_KEY]: {
        type: 'jwt',
        jwtConfiguration: { issuer: input.jwtAuthorizer.issuer, audience: [...input.jwtAuthorizer.audiences] },
        identitySource: input.jwtAuthorizer.identitySource,
      },
    };
  }
  if (input.lambdaAuthorizer) {
    // As the extension's Lambda authorizer example for HTTP APIs writes it: an `apiKey` scheme in the header.
    securitySchemes[LAMBDA_AUTHORIZER_NAME] = {
      type: 'apiKey',
      name: 'Authorization',
      in: 'header',
      [AUTHORIZER_KEY]: {
        type: 'request',
        authorizerUri: input.lambdaAuthorizer.authorizerUri,
        authorizerPayloadFormatVersion: '2.0',
        enableSimpleResponses: true,
        // A comma-separated list in the extension (api-gateway-swagger-extensions-authorizer.html).
        identitySource: input.lambdaAuthorizer.identitySources.join(', '),
        authorizerResultTtlInSeconds: input.lambdaAuthorizer.ttlSeconds,
      },
    };
  }
  const integrations: Record<string, unknown> = {};
  for (const [name, integration] of input.integrations) {
    integrations[name] = { ...integration };
  }
  return {
    'openapi': '3.0.1',
    // The import algorithm's version, as API Gateway's exports write it; 1.0 is the only one:
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-extensions-importexport-version.html
    'x-amazon-apigateway-importexport-version': '1.0',
    'info': { title: input.title, version: '1', ...(input.description !== undefined ? { description: input.description } : {}) },
    'paths': paths,
    'components': { securitySchemes, [INTEGRATIONS_KEY]: integrations },
    ...(input.cors ? {
      [CORS_KEY]: {
        allowOrigins: [...input.cors.allowOrigins],
        allowHeaders: [...input.cors.allowHeaders],
        ...(input.cors.allowMethods ? { allowMethods: [...input.cors.allowMethods] } : {}),
        ...(input.cors.allowCredentials !== undefined ? { allowCredentials: input.cors.allowCredentials } : {}),
        ...(input.cors.maxAge !== undefined ? { maxAge: input.cors.maxAge } : {}),
      },
    } : {}),
    ...(input.disableExecuteApiEndpoint ? { 'x-amazon-apigateway-endpoint-configuration': { disableExecuteApiEndpoint: true } } : {}),
  };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An operation of a definition (one route), read back. */
export interface ReadOperation {
  /** `GET /orders/{id}`, `ANY /files/{proxy+}`. */
  readonly routeKey: string;
  /** NONE, JWT or CUSTOM (the authorizer's `type` jwt / request), or undefined when it cannot be read (see `problem`). */
  readonly authorizationType?: 'NONE' | 'JWT' | 'CUSTOM';
  /** The security scheme (authorizer) name. */
  readonly authorizer?: string;
  /** The scopes of its security requirement (sorted). */
  readonly scopes: readonly string[];
  /** The integration's name when it is a `$ref` to a component. */
  readonly integrationName?: string;
  /** The integration (the component it refers to, or inline). */
  readonly integration?: Obj;
  /** Why its authorization or integration cannot be read; the readers fail closed on it. */
  readonly problem?: string;
}

/** A definition's routes, authorizers and integrations, as API Gateway would import them. */
export interface ReadBody {
  readonly operations: readonly ReadOperation[];
  /** The authorizers (`x-amazon-apigateway-authorizer` of each security scheme), by name. */
  readonly authorizers: ReadonlyMap<string, Obj>;
  /** `components.x-amazon-apigateway-integrations`, by name. */
  readonly integrations: ReadonlyMap<string, Obj>;
  /** What cannot be read as a route (a path item that is a `$ref`, an unknown key). */
  readonly problems: readonly string[];
}

/** Reads a definition (resolved: as the template holds it). */
export function readBody(body: unknown): ReadBody {
  const problems: string[] = [];
  const root = isObj(body) ? body : {};
  if (!isObj(body)) problems.push(`the definition is ${JSON.stringify(body)}, not an object`);
  const components = isObj(root.components) ? root.components : {};
  const authorizers = new Map<string, Obj>();
  for (const [name, scheme] of Object.entries(isObj(components.securitySchemes) ? components.securitySchemes : {})) {
    if (isObj(scheme) && isObj(scheme[AUTHORIZER_KEY])) authorizers.set(name, scheme[AUTHORIZER_KEY]);
  }
  const integrations = new Map<string, Obj>();
  for (const [name, integration] of Object.entries(isObj(components[INTEGRATIONS_KEY]) ? components[INTEGRATIONS_KEY] : {})) {
    if (isObj(integration)) integrations.set(name, integration);
  }
  const operations: ReadOperation[] = [];
  for (const [path, item] of Object.entries(isObj(root.paths) ? root.paths : {})) {
    if (!isObj(item)) {
      problems.push(`the path ${path} is ${JSON.stringify(item)}, not a path item`);
      continue;
    }
    for (const [key, operation] of Object.entries(item)) {
      const method = METHOD_KEYS[key];
      if (method === undefined) {
        if (!PATH_ITEM_INFO_KEYS.has(key)) problems.push(`the path ${path} has ${key}, which is not an operation the construct writes`);
        continue;
      }
      // The catch-all route is the path `/$default` with `x-amazon-apigateway-any-method`, as API
      // Gateway exports it (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-open-api.html).
      const routeKey = path === '/$default' && method === 'ANY' ? '$default' : `${method} ${path}`;
      operations.push(readOperation(routeKey, operation, root.security, authorizers, integrations));
    }
  }
  return { operations, authorizers, integrations, problems };
}

function readOperation(
  routeKey: string, operation: unknown, topSecurity: unknown, authorizers: ReadonlyMap<string, Obj>, integrations: ReadonlyMap<string, Obj>,
): ReadOperation {
  if (!isObj(operation)) return { routeKey, scopes: [], problem: `its operation is ${JSON.stringify(operation)}` };
  // OpenAPI: an operation's `security` replaces the definition's top-level one.
  const security = operation.security !== undefined ? operation.security : topSecurity;
  const ref = isObj(operation[INTEGRATION_KEY]) ? operation[INTEGRATION_KEY].$ref : undefined;
  const integrationName = typeof ref === 'string' && ref.startsWith(INTEGRATION_REF_PREFIX) ? ref.slice(INTEGRATION_REF_PREFIX.length) : undefined;
  const integration = integrationName !== undefined ? integrations.get(integrationName)
    : isObj(operation[INTEGRATION_KEY]) && ref === undefined ? operation[INTEGRATION_KEY] : undefined;
  const base = { routeKey, ...(integrationName !== undefined ? { integrationName } : {}), ...(integration ? { integration } : {}) };
  if (security === undefined || (Array.isArray(security) && security.length === 0)) {
    return { ...base, authorizationType: 'NONE', scopes: [] };
  }
  if (!Array.isArray(security) || security.length !== 1 || !isObj(security[0]) || Object.keys(security[0]).length !== 1) {
    // Several requirements are alternatives in OpenAPI, which an HTTP API route (one authorizer) cannot hold.
    return { ...base, scopes: [], problem: `its security ${JSON.stringify(security)} is not one requirement naming one authorizer` };
  }
  const [[name, scopes]] = Object.entries(security[0]);
  const authorizer = authorizers.get(name);
  const type = authorizer?.type === 'jwt' ? 'JWT' : authorizer?.type === 'request' ? 'CUSTOM' : undefined;
  if (type === undefined) {
    return { ...base, authorizer: name, scopes: [], problem: `its security names ${name}, which is not a jwt or request authorizer of the definition` };
  }
  if (!Array.isArray(scopes) || scopes.some((s) => typeof s !== 'string')) {
    return { ...base, authorizer: name, scopes: [], problem: `its scopes ${JSON.stringify(scopes)} are not a list of strings` };
  }
  return { ...base, authorizationType: type, authorizer: name, scopes: [...scopes as string[]].sort() };
}

/** An authorizer of the definition in the shape GetAuthorizers returns (and the template's L1 had). */
export interface ImportedAuthorizer {
  readonly Name: string;
  readonly AuthorizerType?: string;
  readonly JwtConfiguration?: { readonly Issuer?: unknown; readonly Audience?: unknown };
  readonly IdentitySource: readonly string[];
  readonly AuthorizerUri?: unknown;
  readonly AuthorizerPayloadFormatVersion?: unknown;
  readonly EnableSimpleResponses?: unknown;
  readonly AuthorizerResultTtlInSeconds?: unknown;
  readonly AuthorizerCredentialsArn?: unknown;
}

/** An integration of the definition in the shape GetIntegrations returns. */
export interface ImportedIntegration {
  readonly Name: string;
  readonly IntegrationType?: string;
  readonly IntegrationUri?: unknown;
  readonly IntegrationMethod?: unknown;
  readonly PayloadFormatVersion?: unknown;
  readonly ConnectionType?: unknown;
  readonly ConnectionId?: unknown;
  readonly RequestParameters?: unknown;
  readonly TimeoutInMillis?: unknown;
  readonly IntegrationSubtype?: unknown;
  readonly CredentialsArn?: unknown;
  /** `{ ServerNameToVerify }` from the definition's `tlsConfig`, or its value as written when that is not an object. */
  readonly TlsConfig?: unknown;
}

/**
 * The authorizers as API Gateway imports them (api-gateway-swagger-extensions-authorizer.html):
 * `type` jwt -> JWT, request -> REQUEST; `identitySource` a comma-separated list.
 */
export function importedAuthorizer(name: string, a: Obj): ImportedAuthorizer {
  const type = typeof a.type === 'string' ? a.type.toUpperCase() : undefined;
  const jwt = isObj(a.jwtConfiguration) ? a.jwtConfiguration : undefined;
  const sources = typeof a.identitySource === 'string' ? a.identitySource.split(',').map((s) => s.trim()).filter(Boolean)
    : Array.isArray(a.identitySource) ? a.identitySource.map(String) : [];
  const strip = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  return strip({
    Name: name,
    AuthorizerType: type,
    JwtConfiguration: jwt ? strip({ Issuer: jwt.issuer, Audience: jwt.audience }) : undefined,
    IdentitySource: sources,
    AuthorizerUri: a.authorizerUri,
    AuthorizerPayloadFormatVersion: a.authorizerPayloadFormatVersion,
    EnableSimpleResponses: a.enableSimpleResponses,
    AuthorizerResultTtlInSeconds: a.authorizerResultTtlInSeconds,
    AuthorizerCredentialsArn: a.authorizerCredentials,
  });
}

/** An integration as API Gateway imports it (api-gateway-swagger-extensions-integration.html): `type` upper-cased. */
export function importedIntegration(name: string, i: Obj): ImportedIntegration {
  const strip = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  return strip({
    Name: name,
    IntegrationType: typeof i.type === 'string' ? i.type.toUpperCase() : undefined,
    IntegrationUri: i.uri,
    IntegrationMethod: i.httpMethod,
    PayloadFormatVersion: i.payloadFormatVersion,
    ConnectionType: i.connectionType,
    ConnectionId: i.connectionId,
    RequestParameters: i.requestParameters,
    TimeoutInMillis: i.timeoutInMillis,
    IntegrationSubtype: i.integrationSubtype,
    CredentialsArn: i.credentials,
    TlsConfig: isObj(i.tlsConfig) ? strip({ ServerNameToVerify: i.tlsConfig.serverNameToVerify }) : i.tlsConfig,
  });
}
