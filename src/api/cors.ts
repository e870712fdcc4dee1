/**
 * CORS for a `SecuredApi`: what the checked options (`cors-options.ts`) add to the REST API's
 * definition (a preflight operation per path, and CORS headers on the gateway responses). Imports no
 * aws-cdk-lib: the definition and the `cdk-secured-api/testing` entry read it.
 *
 * How API Gateway does CORS for REST APIs
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html):
 * - a preflight is answered by an `OPTIONS` method with a mock integration whose method response
 *   declares the `Access-Control-Allow-*` headers, passthrough behaviour `NEVER`;
 * - for Lambda and HTTP *proxy* integrations the backend itself must return
 *   `Access-Control-Allow-Origin` (and the other headers it needs) on its responses: a proxy
 *   integration has no integration response for API Gateway to add them to;
 * - errors API Gateway answers itself (401, 403, throttling 429, 5xx) are gateway responses, which
 *   carry CORS headers only when given them
 *   (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-gateway-responses.responseParameters.html).
 */
import type { RouteMethod } from '../authorizer/contract';

/**
 * The CORS options, checked by `checkCors` (`cors-options.ts`), whose checks also keep every origin and
 * header safe to write into a static mapping value and a VTL string; header values as API Gateway's
 * static mapping values (quoted).
 */
export interface CheckedCors {
  readonly origins: readonly string[];
  readonly allowHeaders: string;
  /** Undefined: per path, from its routes. */
  readonly allowMethods?: readonly RouteMethod[];
  readonly allowCredentials: boolean;
  readonly maxAgeSeconds?: number;
}

/** Every method a preflight can allow (`ANY` spelled out). */
export const ALL_METHODS: readonly RouteMethod[] = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'];

/** The headers every CORS answer carries: origin, `Vary`, credentials. Values are static mapping values. */
function originHeaders(cors: CheckedCors): Record<string, string> {
  const [first] = cors.origins;
  return {
    'Access-Control-Allow-Origin': `'${first}'`,
    // The answer depends on the request's origin unless it is '*': caches must not share it.
    ...(first === '*' ? {} : { Vary: "'Origin'" }),
    ...(cors.allowCredentials ? { 'Access-Control-Allow-Credentials': "'true'" } : {}),
  };
}

/** The status code of a preflight's answer. */
const PREFLIGHT_STATUS = '204';

/**
 * The `OPTIONS` operation answering preflights on a path: public (`security: []`), a mock
 * integration that reaches no backend, and the configured headers. `methods` are the path's route
 * methods, used when `allowMethods` is not set.
 */
export function preflightOperation(cors: CheckedCors, methods: readonly RouteMethod[]): Record<string, unknown> {
  const allowMethods = cors.allowMethods ?? (methods.includes('ANY') ? ALL_METHODS : [...new Set(methods)].sort());
  const headers: Record<string, string> = {
    ...originHeaders(cors),
    'Access-Control-Allow-Headers': `'${cors.allowHeaders}'`,
    'Access-Control-Allow-Methods': `'${allowMethods.join(',')}'`,
    ...(cors.maxAgeSeconds === undefined ? {} : { 'Access-Control-Max-Age': `'${cors.maxAgeSeconds}'` }),
  };
  const responseParameters: Record<string, string> = {};
  const declared: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    responseParameters[`method.response.header.${name}`] = value;
    declared[name] = { schema: { type: 'string' } };
  }
  // With several origins, the static value is the first; the template answers the request's origin
  // instead when it is one of the others (as aws-cdk-lib's addCorsPreflight does: the `Origin`
  // header, else `origin` as HTTP/2 sends it). Written without whitespace, and with single-quoted
  // (literal) VTL strings, which JSON need not escape: it is repeated on every path. Origins were
  // checked to hold no character that could leave the VTL string (no quote, `$`, `#`, backslash).
  const others = cors.origins.slice(1);
  const responseTemplates = others.length === 0 ? undefined : {
    'application/json': '#set($o=$input.params().header.get(\'Origin\'))'
      + '#if($o==\'\')#set($o=$input.params().header.get(\'origin\'))#end'
      + `#if(${others.map((o) => `$o=='${o}'`).join('||')})#set($context.responseOverride.header.Access-Control-Allow-Origin=$o)#end`,
  };
  return {
    'security': [],
    'responses': { [PREFLIGHT_STATUS]: { description: 'CORS preflight', headers: declared } },
    'x-amazon-apigateway-integration': {
      type: 'mock',
      // A request without Content-Type is taken as application/json; NEVER refuses others (415).
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
      passthroughBehavior: 'never',
      responses: {
        default: {
          statusCode: PREFLIGHT_STATUS,
          responseParameters,
          ...(responseTemplates ? { responseTemplates } : {}),
        },
      },
    },
  };
}

/** The gateway responses given CORS headers, beside those the definition already customises. */
export const CORS_GATEWAY_RESPONSES = ['UNAUTHORIZED', 'ACCESS_DENIED', 'AUTHORIZER_FAILURE', 'AUTHORIZER_CONFIGURATION_ERROR', 'DEFAULT_4XX', 'DEFAULT_5XX'] as const;

/** The `responseParameters` CORS adds to a gateway response (`gatewayresponse.header.*`, static values). */
export function gatewayResponseCorsParameters(cors: CheckedCors): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(originHeaders(cors))) {
    params[`gatewayresponse.header.${name}`] = value;
  }
  return params;
}
