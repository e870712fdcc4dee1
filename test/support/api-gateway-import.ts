/**
 * A stand-in for API Gateway's import of an OpenAPI definition and its read API: turns a REST API
 * definition (a resolved `Body`, every value concrete) into what GetRestApi, GetResources
 * (`embed=methods`), GetAuthorizers and GetGatewayResponses would return for the imported API.
 *
 * Written from API Gateway's documentation, not from src/: it reads the definition as API Gateway
 * does, so that the deployment check is tested against an independent reading.
 * - Shapes: https://docs.aws.amazon.com/apigateway/latest/api/API_GetResources.html,
 *   API_GetAuthorizers.html, API_GetRestApi.html, API_GetGatewayResponses.html, and the CLI's
 *   `aws apigateway get-resources --rest-api-id … --embed methods` example output
 *   (https://docs.aws.amazon.com/cli/latest/reference/apigateway/get-resources.html).
 * - A security requirement naming a scheme with `x-amazon-apigateway-authtype` and
 *   `x-amazon-apigateway-authorizer` makes the method CUSTOM with that authorizer; one naming an
 *   `apiKey` scheme on the `x-api-key` header makes it require an API key
 *   (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-key-usage-plan-oas.html).
 * - Every path prefix becomes a resource (the root `/` included); methods live on their resource.
 * - Gateway responses: every type exists with its default status; the definition's
 *   `x-amazon-apigateway-gateway-responses` replace the defaults of theirs
 *   (https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html).
 */
import { createHash } from 'node:crypto';
import { OPERATION_KEYS } from './definition';

/** Gateway response types and their default status codes (a subset of the documented list, the ones tests touch and a few more). */
const DEFAULT_GATEWAY_RESPONSES: Readonly<Record<string, string | undefined>> = {
  ACCESS_DENIED: '403',
  API_CONFIGURATION_ERROR: '500',
  AUTHORIZER_CONFIGURATION_ERROR: '500',
  AUTHORIZER_FAILURE: '500',
  BAD_REQUEST_BODY: '400',
  BAD_REQUEST_PARAMETERS: '400',
  DEFAULT_4XX: undefined,
  DEFAULT_5XX: undefined,
  EXPIRED_TOKEN: '403',
  INTEGRATION_FAILURE: '504',
  INTEGRATION_TIMEOUT: '504',
  INVALID_API_KEY: '403',
  INVALID_SIGNATURE: '403',
  MISSING_AUTHENTICATION_TOKEN: '403',
  QUOTA_EXCEEDED: '429',
  REQUEST_TOO_LARGE: '413',
  RESOURCE_NOT_FOUND: '404',
  THROTTLED: '429',
  UNAUTHORIZED: '401',
  UNSUPPORTED_MEDIA_TYPE: '415',
  WAF_FILTERED: '403',
};

/** What the read API returns for the imported API. */
export interface ImportedApi {
  readonly restApi: Record<string, any>;
  readonly resources: Array<Record<string, any>>;
  readonly authorizers: Array<Record<string, any>>;
  readonly gatewayResponses: Array<Record<string, any>>;
}

/** An id as API Gateway makes them (10 lowercase alphanumerics), stable for the same seed. */
export function fakeId(seed: string): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, 10);
}

/** The REST API `restApiId` as API Gateway would have imported it from `body`. */
export function importDefinition(restApiId: string, body: any): ImportedApi {
  const schemes: Record<string, any> = body.components?.securitySchemes ?? {};
  const authorizers: Array<Record<string, any>> = [];
  const authorizerIds = new Map<string, string>();
  for (const [name, scheme] of Object.entries(schemes)) {
    const declared = scheme?.['x-amazon-apigateway-authorizer'];
    if (declared && String(scheme['x-amazon-apigateway-authtype']).toLowerCase() === 'custom') {
      const id = fakeId(`${restApiId}/authorizer/${name}`);
      authorizerIds.set(name, id);
      authorizers.push({
        id,
        name,
        type: String(declared.type).toUpperCase(),
        authType: 'custom',
        authorizerUri: declared.authorizerUri,
        identitySource: declared.identitySource,
        ...(declared.authorizerResultTtlInSeconds === undefined ? {} : { authorizerResultTtlInSeconds: declared.authorizerResultTtlInSeconds }),
      });
    }
  }
  const isApiKeyScheme = (name: string) => schemes[name]?.type === 'apiKey' && schemes[name]?.name === 'x-api-key' && schemes[name]?.in === 'header'
    && schemes[name]?.['x-amazon-apigateway-authtype'] === undefined;

  const resources = new Map<string, Record<string, any>>();
  const resourceOf = (path: string): Record<string, any> => {
    let resource = resources.get(path);
    if (!resource) {
      const segments = path.split('/').filter(Boolean);
      const parent = segments.length === 0 ? undefined : resourceOf('/' + segments.slice(0, -1).join('/'));
      resource = {
        id: fakeId(`${restApiId}/resource${path}`),
        ...(parent ? { parentId: parent.id, pathPart: segments[segments.length - 1] } : {}),
        path,
      };
      resources.set(path, resource);
    }
    return resource;
  };
  resourceOf('/');
  for (const [path, item] of Object.entries<Record<string, any>>(body.paths ?? {})) {
    const resource = resourceOf(path);
    for (const [key, op] of Object.entries<any>(item ?? {})) {
      const httpMethod = OPERATION_KEYS[key];
      if (!httpMethod) {
        continue;
      }
      const requirements: Array<Record<string, unknown>> = op.security ?? body.security ?? [];
      const custom = requirements.flatMap((r) => Object.keys(r).filter((n) => authorizerIds.has(n)))[0];
      const apiKeyRequired = requirements.some((r) => Object.keys(r).some(isApiKeyScheme));
      const integration = op['x-amazon-apigateway-integration'];
      resource.resourceMethods ??= {};
      resource.resourceMethods[httpMethod] = {
        httpMethod,
        authorizationType: custom ? 'CUSTOM' : 'NONE',
        ...(custom ? { authorizerId: authorizerIds.get(custom) } : {}),
        apiKeyRequired,
        ...(integration ? { methodIntegration: methodIntegration(integration, resource.id) } : {}),
      };
    }
  }

  const customised: Record<string, any> = body['x-amazon-apigateway-gateway-responses'] ?? {};
  const gatewayResponses = Object.entries(DEFAULT_GATEWAY_RESPONSES).map(([responseType, statusCode]) => {
    const own = customised[responseType];
    return own ? {
      responseType,
      statusCode: own.statusCode === undefined ? statusCode : String(own.statusCode),
      responseParameters: own.responseParameters ?? {},
      responseTemplates: own.responseTemplates ?? {},
      defaultResponse: false,
    } : {
      responseType,
      ...(statusCode ? { statusCode } : {}),
      responseParameters: {},
      responseTemplates: { 'application/json': '{"message":$context.error.messageString}' },
      defaultResponse: true,
    };
  });

  return {
    restApi: {
      id: restApiId,
      name: body.info?.title,
      // Timestamps are epoch seconds on the wire.
      createdDate: 1765108800,
      apiKeySource: body['x-amazon-apigateway-api-key-source'] ?? 'HEADER',
      endpointConfiguration: { types: ['REGIONAL'] },
      disableExecuteApiEndpoint: false,
    },
    resources: [...resources.values()],
    authorizers,
    gatewayResponses,
  };
}

function methodIntegration(integration: any, resourceId: string): Record<string, any> {
  const type = String(integration.type).toUpperCase();
  if (type === 'MOCK') {
    return {
      type,
      requestTemplates: integration.requestTemplates,
      passthroughBehavior: String(integration.passthroughBehavior ?? 'WHEN_NO_MATCH').toUpperCase(),
      timeoutInMillis: 29000,
      cacheNamespace: resourceId,
      cacheKeyParameters: [],
      integrationResponses: {},
    };
  }
  return {
    type,
    httpMethod: String(integration.httpMethod).toUpperCase(),
    uri: integration.uri,
    connectionType: String(integration.connectionType ?? 'INTERNET').toUpperCase(),
    ...(integration.connectionId === undefined ? {} : { connectionId: integration.connectionId }),
    ...(integration.requestParameters ? { requestParameters: integration.requestParameters } : {}),
    passthroughBehavior: 'WHEN_NO_MATCH',
    timeoutInMillis: integration.timeoutInMillis ?? 29000,
    cacheNamespace: resourceId,
    cacheKeyParameters: [],
  };
}

/** Splits a list into pages as API Gateway does (`limit`, then an opaque `position`). */
export function page<T>(items: readonly T[], limit: number | undefined, position: string | undefined): { items: T[]; position?: string } {
  const size = Math.min(limit ?? 25, 500);
  const start = position === undefined ? 0 : Number(Buffer.from(position, 'base64url').toString('utf8'));
  const end = start + size;
  return {
    items: items.slice(start, end),
    ...(end < items.length ? { position: Buffer.from(String(end), 'utf8').toString('base64url') } : {}),
  };
}
