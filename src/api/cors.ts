/**
 * CORS for a `SecuredApi`: the options, their checks, and what they add to the REST API's
 * definition (a preflight operation per path, and CORS headers on the gateway responses).
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
import { Duration, Token } from 'aws-cdk-lib';
import type { RouteMethod } from '../authorizer/contract';
import { HttpMethod } from '../authorizer/route';

/**
 * Cross-origin resource sharing (CORS) for a `SecuredApi`: which browser origins may call it.
 */
export interface SecuredApiCorsOptions {
  /**
   * The origins browsers may call the API from, each written as a browser sends it in the `Origin`
   * header: scheme, lowercase host and optional port, no path (`https://app.example.com`,
   * `http://localhost:3000`); or `['*']` alone, any origin (not with `allowCredentials`).
   *
   * With several origins, a preflight answers the request's `Origin` when it is one of them, and
   * the first origin otherwise (which the browser then refuses). Gateway responses (401, 403,
   * throttling, 5xx) always carry the first origin: a gateway response cannot compare the request's
   * origin with a list, and echoing it unchecked would admit every origin. A browser on another
   * listed origin sees such an error as a network (CORS) error, without its status.
   */
  readonly allowOrigins: string[];

  /**
   * The request headers a browser may send (`Access-Control-Allow-Headers`).
   *
   * @default ['Authorization', 'Content-Type']
   */
  readonly allowHeaders?: string[];

  /**
   * The methods a browser may use (`Access-Control-Allow-Methods`). `HttpMethod.ANY` stands for
   * every method.
   *
   * @default - per path, the methods of its routes (every method for an `ANY` route)
   */
  readonly allowMethods?: HttpMethod[];

  /**
   * Whether browsers may send credentials (cookies, TLS client certificates, or an `Authorization`
   * header the browser manages) and read the answer (`Access-Control-Allow-Credentials: true`).
   * Not needed for bearer tokens that the page's script puts in `Authorization` itself. Refused with
   * the origin `*`.
   *
   * @default false
   */
  readonly allowCredentials?: boolean;

  /**
   * How long a browser may cache a preflight's answer (`Access-Control-Max-Age`), in whole seconds.
   * Browsers cap it (Chromium at 2 hours, Firefox at 24 hours).
   *
   * @default - no `Access-Control-Max-Age`: browsers cache a preflight for 5 seconds
   */
  readonly maxAge?: Duration;
}

/** The CORS options, checked; header values as API Gateway's static mapping values (quoted). */
export interface CheckedCors {
  readonly origins: readonly string[];
  readonly allowHeaders: string;
  /** Undefined: per path, from its routes. */
  readonly allowMethods?: readonly RouteMethod[];
  readonly allowCredentials: boolean;
  readonly maxAgeSeconds?: number;
}

/** Every method a preflight can allow (`ANY` spelled out). */
const ALL_METHODS: readonly RouteMethod[] = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'];

/**
 * An origin as a browser serializes it: scheme, lowercase host (DNS name, IPv4, or bracketed IPv6)
 * and optional port, nothing else. Also what keeps an origin safe to write into a static mapping
 * value (`'...'`) and a VTL string (`"..."`): no quote, `$`, `#` or backslash can pass.
 */
const ORIGIN = /^https?:\/\/([a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(:[0-9]{1,5})?$/;

/** A header name (an RFC 9110 token without `'`, which would end a static mapping value). */
const HEADER_NAME = /^[A-Za-z0-9!#$%&*+.^_`|~-]+$/;

/** Checks the CORS options; an error says what is wrong and how to fix it. */
export function checkCors(where: string, cors: SecuredApiCorsOptions): CheckedCors {
  const what = `${where}: cors`;
  const origins = cors.allowOrigins;
  if (!Array.isArray(origins) || origins.length === 0) {
    throw new Error(`${what}.allowOrigins is empty; list the origins browsers may call the API from, e.g. ['https://app.example.com'].`);
  }
  const allowCredentials = cors.allowCredentials ?? false;
  if (typeof allowCredentials !== 'boolean') {
    throw new Error(`${what}.allowCredentials is ${JSON.stringify(allowCredentials)}; pass true or false.`);
  }
  for (const origin of origins) {
    if (typeof origin !== 'string' || Token.isUnresolved(origin)) {
      throw new Error(`${what}.allowOrigins has ${JSON.stringify(origin)}, which is not known at synthesis; write each origin out, e.g. 'https://app.example.com'.`);
    }
    if (origin === '*') {
      if (origins.length > 1) {
        throw new Error(`${what}.allowOrigins mixes '*' with other origins (${origins.join(', ')}); pass ['*'] alone for any origin, or list the origins.`);
      }
      if (allowCredentials) {
        throw new Error(`${what} allows credentials from any origin ('*'), which would let every website act with its visitors' credentials (and browsers refuse it); list the origins that may send credentials, or set allowCredentials to false.`);
      }
      continue;
    }
    if (origin === 'null' || !ORIGIN.test(origin) || !validPort(origin)) {
      throw new Error(`${what}.allowOrigins has '${origin}', which is not an origin as a browser sends it; write scheme, lowercase host and optional port without a path or trailing '/', e.g. 'https://app.example.com' or 'http://localhost:3000' (no wildcards, no 'null').`);
    }
  }
  if (new Set(origins).size !== origins.length) {
    throw new Error(`${what}.allowOrigins lists an origin twice (${origins.join(', ')}); list each once.`);
  }

  const headers = cors.allowHeaders ?? ['Authorization', 'Content-Type'];
  if (!Array.isArray(headers) || headers.length === 0) {
    throw new Error(`${what}.allowHeaders is empty; list the request headers browsers may send (a SecuredApi needs at least 'Authorization'), or leave it out for ['Authorization', 'Content-Type'].`);
  }
  for (const h of headers) {
    if (typeof h !== 'string' || Token.isUnresolved(h) || !HEADER_NAME.test(h) || h === '*') {
      throw new Error(`${what}.allowHeaders has ${JSON.stringify(h)}, which is not a header name; list header names, e.g. 'Authorization' (no '*': with credentials browsers read it literally).`);
    }
  }

  let allowMethods: RouteMethod[] | undefined;
  if (cors.allowMethods !== undefined) {
    const methods = cors.allowMethods as string[];
    const bad = methods.find((m) => m !== 'ANY' && !ALL_METHODS.includes(m as RouteMethod));
    if (!Array.isArray(methods) || methods.length === 0 || bad !== undefined) {
      throw new Error(`${what}.allowMethods ${JSON.stringify(methods)} is not a list of HttpMethods; pass e.g. [HttpMethod.GET, HttpMethod.POST], or leave it out to allow, per path, the methods of its routes.`);
    }
    allowMethods = methods.includes('ANY') ? [...ALL_METHODS] : [...new Set(methods as RouteMethod[])].sort();
  }

  let maxAgeSeconds: number | undefined;
  if (cors.maxAge !== undefined) {
    const seconds = Token.isUnresolved(cors.maxAge.toSeconds({ integral: false })) ? NaN : cors.maxAge.toSeconds({ integral: false });
    if (!Number.isInteger(seconds) || seconds < 0) {
      throw new Error(`${what}.maxAge is ${cors.maxAge.toHumanString()}, not a whole number of seconds known at synthesis; pass e.g. Duration.minutes(10).`);
    }
    maxAgeSeconds = seconds;
  }
  return { origins: [...origins], allowHeaders: headers.join(','), allowMethods, allowCredentials, maxAgeSeconds };
}

function validPort(origin: string): boolean {
  const port = /:([0-9]{1,5})$/.exec(origin)?.[1];
  return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
}

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

/**
 * Refuses a route of method `OPTIONS` while CORS is on: the preflight operation of its path would
 * take its place. (An `ANY` route is allowed: its path's `OPTIONS` requests go to the preflight.)
 */
export function checkRouteBesidePreflight(where: string, method: RouteMethod, resource: string): void {
  if (method === 'OPTIONS') {
    throw new Error(`${where}: route OPTIONS ${resource} conflicts with the CORS preflight this API answers on every path while cors is set; remove the route (browsers' preflights never carry a token, so a guarded OPTIONS route could not answer them), or remove cors and answer preflights in your handler.`);
  }
}
