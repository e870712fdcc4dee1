import { AssemblyStack, refersTo, resourcePath, TemplateResource } from './cloud-assembly';
import { definitionOperations } from '../api/definition';

/** A method of the REST API, as API Gateway serves it. */
export interface ApiMethod {
  /** `GET`, …, or `ANY`. */
  readonly httpMethod: string;
  /** The resource path, e.g. `/orders/{id}`. */
  readonly resource: string;
  /** No authorization: API Gateway passes every request on to the integration. */
  readonly isPublic: boolean;
  /**
   * Why the method is neither public nor guarded by the authorizer alone (the test kit does not
   * emulate it); undefined when it is one of the two.
   */
  readonly unguardedBecause?: string;
  /**
   * The operation also requires an API key, which API Gateway takes from the authorizer's
   * `usageIdentifierKey` (the definition's key source is `AUTHORIZER`): an allowed request without
   * one is refused 403.
   */
  readonly apiKeyFromAuthorizer?: boolean;
  /** The method's integration, as far as the test kit emulates it. */
  readonly integration?: ApiIntegration;
}

/** A method's integration: its type and its request parameter mappings. */
export interface ApiIntegration {
  /** Lower case: `aws_proxy`, `http_proxy`, `http`, `mock`, `aws`. */
  readonly type: string;
  /** `integration.request.<kind>.<name>` to its source: `'static'`, `context.…`, `method.request.…`. */
  readonly requestParameters: Readonly<Record<string, string>>;
}

/** A REST API that an authorizer function guards, read from the template. */
export interface AuthorizedApi {
  /** The AWS::ApiGateway::Authorizer; for an authorizer of an OpenAPI `Body`, the RestApi. */
  readonly authorizerLogicalId: string;
  readonly restApiLogicalId: string;
  /** The `Body`'s security scheme that invokes the function; undefined for an AWS::ApiGateway::Authorizer. */
  readonly securitySchemeName?: string;
  readonly identitySources: string[];
  readonly resultsCacheTtlSeconds: number;
  readonly stageName: string;
  readonly methods: ApiMethod[];
}

/** API Gateway's TTL when an authorizer sets none. */
const DEFAULT_TTL_SECONDS = 300;

type Json = Record<string, any>;

/**
 * Every authorizer of `stack` that invokes the function `functionId`: AWS::ApiGateway::Authorizer
 * resources (their API's methods are AWS::ApiGateway::Method resources), and security schemes of
 * RestApis defined by an OpenAPI `Body` (their methods are the Body's operations).
 */
export function authorizedApis(stack: AssemblyStack, functionId: string): AuthorizedApi[] {
  const resources = stack.template.Resources ?? {};
  const found: AuthorizedApi[] = [];
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type === 'AWS::ApiGateway::Authorizer' && refersTo(r.Properties?.AuthorizerUri, functionId)) {
      found.push(fromAuthorizerResource(stack, id, r));
    }
    if (r.Type === 'AWS::ApiGateway::RestApi') {
      const body = definitionOf(r);
      const schemes: Json = body?.components?.securitySchemes ?? body?.securityDefinitions ?? {};
      for (const [name, scheme] of Object.entries<Json>(schemes)) {
        const authorizer = scheme?.['x-amazon-apigateway-authorizer'];
        if (authorizer && refersTo(authorizer.authorizerUri, functionId)) {
          found.push(fromDefinition(stack, id, body!, name, authorizer));
        }
      }
    }
  }
  return found;
}

function fromAuthorizerResource(stack: AssemblyStack, authorizerId: string, authorizer: TemplateResource): AuthorizedApi {
  const props = authorizer.Properties!;
  if (props.Type !== 'REQUEST') {
    throw new Error(`${stack.id}/${authorizerId} is a ${props.Type} authorizer; only REQUEST authorizers are emulated`);
  }
  const restApiId = props.RestApiId?.Ref;
  return {
    authorizerLogicalId: authorizerId,
    restApiLogicalId: restApiId,
    identitySources: splitSources(String(props.IdentitySource ?? '')),
    resultsCacheTtlSeconds: props.AuthorizerResultTtlInSeconds ?? DEFAULT_TTL_SECONDS,
    stageName: stageName(stack, restApiId),
    methods: methodResources(stack, restApiId, authorizerId),
  };
}

function fromDefinition(stack: AssemblyStack, restApiId: string, body: Json, schemeName: string, authorizer: Json): AuthorizedApi {
  const where = `${stack.id}/${restApiId}, security scheme ${schemeName}`;
  if (String(authorizer.type).toLowerCase() !== 'request') {
    throw new Error(`${where} is a ${authorizer.type} authorizer; only request authorizers are emulated`);
  }
  if (typeof authorizer.identitySource !== 'string') {
    throw new Error(`${where}: identitySource ${JSON.stringify(authorizer.identitySource)} is not known at synthesis`);
  }
  const ttl = authorizer.authorizerResultTtlInSeconds;
  if (ttl !== undefined && typeof ttl !== 'number') {
    throw new Error(`${where}: authorizerResultTtlInSeconds ${JSON.stringify(ttl)} is not a number known at synthesis`);
  }
  // An API key scheme counts only when the key comes from the authorizer (key source AUTHORIZER).
  const apiKeyScheme = String(body['x-amazon-apigateway-api-key-source']).toUpperCase() !== 'AUTHORIZER' ? undefined
    : Object.entries<Json>(body.components?.securitySchemes ?? {}).find(([, scheme]) => scheme?.type === 'apiKey'
      && String(scheme.name).toLowerCase() === 'x-api-key' && scheme['x-amazon-apigateway-authtype'] === undefined)?.[0];
  const operations: ApiMethod[] = definitionOperations(body).map(({ method, resource, operation }) =>
    ({
      httpMethod: method,
      resource,
      ...operationGuard(operation?.security, schemeName, apiKeyScheme),
      ...integrationOf(operation?.['x-amazon-apigateway-integration']),
    }));
  return {
    // A definition's authorizer has no resource of its own; the RestApi declares it.
    authorizerLogicalId: restApiId,
    restApiLogicalId: restApiId,
    securitySchemeName: schemeName,
    identitySources: splitSources(authorizer.identitySource),
    resultsCacheTtlSeconds: ttl ?? DEFAULT_TTL_SECONDS,
    stageName: stageName(stack, restApiId),
    // Methods added to the RestApi as resources are served beside the definition's operations.
    methods: checkUnique(stack, restApiId, [...operations, ...methodResources(stack, restApiId, undefined)]),
  };
}

/**
 * Public only when the operation's security is `[]`; guarded only when it is exactly
 * `[{ <scheme>: [] }]`, or, when the key comes from the authorizer, the authorizer and the API key
 * scheme: `[{ <scheme>: [] }, { <api key scheme>: [] }]` (as API Gateway's export writes a method
 * with both, and reads it: every scheme named applies to the one method) or
 * `[{ <scheme>: [], <api key scheme>: [] }]`. Anything else (no security, which would inherit the
 * definition's top-level one; other schemes, alternatives, empty requirements, or scopes) is not
 * the authorizer alone.
 */
type Guard = Pick<ApiMethod, 'isPublic' | 'unguardedBecause' | 'apiKeyFromAuthorizer'>;

function operationGuard(security: unknown, schemeName: string, apiKeyScheme?: string): Guard {
  if (Array.isArray(security) && security.length === 0) {
    return { isPublic: true };
  }
  // A requirement object naming exactly these schemes, each without scopes.
  const alone = (requirement: unknown, ...names: string[]) => typeof requirement === 'object' && requirement !== null
    && !Array.isArray(requirement) && Object.keys(requirement).length === names.length
    && names.every((name) => Object.prototype.hasOwnProperty.call(requirement, name)
      && Array.isArray((requirement as Json)[name]) && (requirement as Json)[name].length === 0);
  const requirements: unknown[] = Array.isArray(security) ? security : [];
  if (requirements.length === 1 && alone(requirements[0], schemeName)) {
    return { isPublic: false };
  }
  if (apiKeyScheme !== undefined && ((requirements.length === 1 && alone(requirements[0], schemeName, apiKeyScheme))
    || (requirements.length === 2 && alone(requirements[0], schemeName) && alone(requirements[1], apiKeyScheme)))) {
    return { isPublic: false, apiKeyFromAuthorizer: true };
  }
  return {
    isPublic: false,
    unguardedBecause: security === undefined ? 'no security of its own' : `security ${JSON.stringify(security)}`,
  };
}

/** The RestApi's AWS::ApiGateway::Method resources; guarded when they use `authorizerId`. */
function methodResources(stack: AssemblyStack, restApiId: string, authorizerId: string | undefined): ApiMethod[] {
  const resources = stack.template.Resources ?? {};
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::ApiGateway::Method' && r.Properties?.RestApiId?.Ref === restApiId)
    .map((r) => {
      const type: string = r.Properties!.AuthorizationType ?? 'NONE';
      const usedAuthorizer: string | undefined = r.Properties!.AuthorizerId?.Ref;
      const integration: Json | undefined = r.Properties!.Integration;
      const guarded = type === 'CUSTOM' && authorizerId !== undefined && usedAuthorizer === authorizerId;
      return {
        httpMethod: r.Properties!.HttpMethod,
        resource: resourcePath(resources, r.Properties!.ResourceId),
        isPublic: type === 'NONE',
        unguardedBecause: type === 'NONE' || guarded ? undefined : `AuthorizationType ${type}${usedAuthorizer ? `, AuthorizerId ${usedAuthorizer}` : ''}`,
        ...integrationOf(integration && { type: integration.Type, requestParameters: integration.RequestParameters }),
      };
    });
}

/** The integration of an operation (`x-amazon-apigateway-integration`) or of a Method resource; mappings only when all are strings. */
function integrationOf(integration: Json | undefined): Pick<ApiMethod, 'integration'> {
  if (!integration || typeof integration.type !== 'string') {
    return {};
  }
  const requestParameters: Record<string, string> = {};
  for (const [target, source] of Object.entries<unknown>(integration.requestParameters ?? {})) {
    if (typeof source !== 'string') {
      throw new Error(`integration request parameter ${target} is mapped from ${JSON.stringify(source)}, which is not known at synthesis; the test kit cannot emulate it`);
    }
    Object.defineProperty(requestParameters, target, { value: source, enumerable: true });
  }
  return { integration: { type: integration.type.toLowerCase(), requestParameters } };
}

function checkUnique(stack: AssemblyStack, restApiId: string, methods: ApiMethod[]): ApiMethod[] {
  const seen = new Set<string>();
  for (const m of methods) {
    const route = `${m.httpMethod} ${m.resource}`;
    if (seen.has(route)) {
      throw new Error(`${stack.id}/${restApiId}: ${route} is both an operation of its definition and an AWS::ApiGateway::Method; API Gateway would serve only one`);
    }
    seen.add(route);
  }
  return methods;
}

function stageName(stack: AssemblyStack, restApiId: string): string {
  const stage = Object.values(stack.template.Resources ?? {})
    .find((r) => r.Type === 'AWS::ApiGateway::Stage' && r.Properties?.RestApiId?.Ref === restApiId);
  const name = stage?.Properties?.StageName;
  return typeof name === 'string' ? name : 'prod';
}

/** The RestApi's OpenAPI definition, when its `Body` is one in the template (inline or as a JSON string). */
function definitionOf(restApi: TemplateResource): Json | undefined {
  let body = restApi.Properties?.Body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  return body && typeof body === 'object' && !Array.isArray(body) ? body : undefined;
}

/** `a, b` and `a,b` alike. */
function splitSources(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}
