/**
 * The CORS options of a `SecuredApi` and their checks, on the construct side (they read aws-cdk-lib's
 * `Duration` and `Token`). What the checked options add to the REST API's definition is in `cors.ts`,
 * which imports no aws-cdk-lib.
 */
import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ALL_METHODS, CheckedCors } from './cors';
import type { RouteMethod } from '../authorizer/contract';
import { HttpMethod } from '../authorizer/route';
import { validationError } from '../errors';

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

/**
 * An origin as a browser serializes it: scheme, lowercase host (DNS name, IPv4, or bracketed IPv6)
 * and optional port, nothing else. Also what keeps an origin safe to write into a static mapping
 * value (`'...'`) and a VTL string (`"..."`): no quote, `$`, `#` or backslash can pass.
 */
const ORIGIN = /^https?:\/\/([a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(:[0-9]{1,5})?$/;

/** A header name (an RFC 9110 token without `'`, which would end a static mapping value). */
const HEADER_NAME = /^[A-Za-z0-9!#$%&*+.^_`|~-]+$/;

/**
 * Checks the CORS options (`where`: the API's construct path, which starts each message; `scope`:
 * the construct a validation error relates to); an error says what is wrong and how to fix it.
 */
export function checkCors(where: string, cors: SecuredApiCorsOptions, scope?: IConstruct): CheckedCors {
  const what = `${where}: cors`;
  const origins = cors.allowOrigins;
  if (!Array.isArray(origins) || origins.length === 0) {
    throw validationError('SecuredApi.CorsOriginsEmpty', `${what}.allowOrigins is empty; list the origins browsers may call the API from, e.g. ['https://app.example.com'].`, scope);
  }
  const allowCredentials = cors.allowCredentials ?? false;
  if (typeof allowCredentials !== 'boolean') {
    throw validationError('SecuredApi.CorsCredentialsNotBoolean', `${what}.allowCredentials is ${JSON.stringify(allowCredentials)}; pass true or false.`, scope);
  }
  for (const origin of origins) {
    if (typeof origin !== 'string' || Token.isUnresolved(origin)) {
      throw validationError('SecuredApi.CorsOriginUnresolved', `${what}.allowOrigins has ${JSON.stringify(origin)}, which is not known at synthesis; write each origin out, e.g. 'https://app.example.com'.`, scope);
    }
    if (origin === '*') {
      if (origins.length > 1) {
        throw validationError('SecuredApi.CorsWildcardWithOrigins', `${what}.allowOrigins mixes '*' with other origins (${origins.join(', ')}); pass ['*'] alone for any origin, or list the origins.`, scope);
      }
      if (allowCredentials) {
        throw validationError('SecuredApi.CorsCredentialsFromAnyOrigin', `${what} allows credentials from any origin ('*'), which would let every website act with its visitors' credentials (and browsers refuse it); list the origins that may send credentials, or set allowCredentials to false.`, scope);
      }
      continue;
    }
    if (origin === 'null' || !ORIGIN.test(origin) || !validPort(origin)) {
      throw validationError('SecuredApi.CorsInvalidOrigin', `${what}.allowOrigins has '${origin}', which is not an origin as a browser sends it; write scheme, lowercase host and optional port without a path or trailing '/', e.g. 'https://app.example.com' or 'http://localhost:3000' (no wildcards, no 'null').`, scope);
    }
  }
  if (new Set(origins).size !== origins.length) {
    throw validationError('SecuredApi.CorsDuplicateOrigin', `${what}.allowOrigins lists an origin twice (${origins.join(', ')}); list each once.`, scope);
  }

  const headers = cors.allowHeaders ?? ['Authorization', 'Content-Type'];
  if (!Array.isArray(headers) || headers.length === 0) {
    throw validationError('SecuredApi.CorsHeadersEmpty', `${what}.allowHeaders is empty; list the request headers browsers may send (a SecuredApi needs at least 'Authorization'), or leave it out for ['Authorization', 'Content-Type'].`, scope);
  }
  for (const h of headers) {
    if (typeof h !== 'string' || Token.isUnresolved(h) || !HEADER_NAME.test(h) || h === '*') {
      throw validationError('SecuredApi.CorsInvalidHeader', `${what}.allowHeaders has ${JSON.stringify(h)}, which is not a header name; list header names, e.g. 'Authorization' (no '*': with credentials browsers read it literally).`, scope);
    }
  }

  let allowMethods: RouteMethod[] | undefined;
  if (cors.allowMethods !== undefined) {
    const methods = cors.allowMethods as string[];
    const bad = Array.isArray(methods) ? methods.find((m) => m !== 'ANY' && !ALL_METHODS.includes(m as RouteMethod)) : undefined;
    if (!Array.isArray(methods) || methods.length === 0 || bad !== undefined) {
      throw validationError('SecuredApi.CorsInvalidMethods', `${what}.allowMethods ${JSON.stringify(methods)} is not a list of HttpMethods; pass e.g. [HttpMethod.GET, HttpMethod.POST], or leave it out to allow, per path, the methods of its routes.`, scope);
    }
    allowMethods = methods.includes('ANY') ? [...ALL_METHODS] : [...new Set(methods as RouteMethod[])].sort();
  }

  let maxAgeSeconds: number | undefined;
  if (cors.maxAge !== undefined) {
    const seconds = Token.isUnresolved(cors.maxAge.toSeconds({ integral: false })) ? NaN : cors.maxAge.toSeconds({ integral: false });
    if (!Number.isInteger(seconds) || seconds < 0) {
      throw validationError('SecuredApi.CorsInvalidMaxAge', `${what}.maxAge is ${cors.maxAge.toHumanString()}, not a whole number of seconds known at synthesis; pass e.g. Duration.minutes(10).`, scope);
    }
    maxAgeSeconds = seconds;
  }
  return { origins: [...origins], allowHeaders: headers.join(','), allowMethods, allowCredentials, maxAgeSeconds };
}

function validPort(origin: string): boolean {
  const port = /:([0-9]{1,5})$/.exec(origin)?.[1];
  return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
}

/**
 * Refuses a route of method `OPTIONS` while CORS is on: the preflight operation of its path would
 * take its place. (An `ANY` route is allowed: its path's `OPTIONS` requests go to the preflight.)
 */
export function checkRouteBesidePreflight(where: string, method: RouteMethod, resource: string, scope?: IConstruct): void {
  if (method === 'OPTIONS') {
    throw validationError('SecuredApi.OptionsRouteWithCors', `${where}: route OPTIONS ${resource} conflicts with the CORS preflight this API answers on every path while cors is set; remove the route (browsers' preflights never carry a token, so a guarded OPTIONS route could not answer them), or remove cors and answer preflights in your handler.`, scope);
  }
}
