import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decisionCacheBytes } from './decision-cache';
import { ConfigError } from './errors';
import { isLoopbackHost } from './loopback';
import { API_GATEWAY_AUTHORIZER_KEYS, CONTEXT_KEYS, DEFAULT_METRICS_NAMESPACE, ENV_AUDIENCES, ENV_CONFIG_FILE, ENV_ISSUER, ENV_JWKS_URI } from '../contract';

import type { AuthorizerConfigFile, CacheMode, ClaimRuleConfig, IssuerProfileConfig, JwksConfig, RouteConfig, RouteMethod } from '../contract';

export type { CacheMode, JwksConfig, RouteConfig };
export type HttpMethod = RouteMethod;
export type ClaimRule = ClaimRuleConfig;

/** config.json as the contract defines it, plus the environment values, validated. */
export interface AuthorizerConfig extends Omit<AuthorizerConfigFile, 'decisionCache' | 'usageKeys'> {
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly jwksUri: string;
  readonly decisionCache: {
    readonly maxEntries: number;
    /**
     * Not in config.json: decisionCacheBytes of the function's memory size, which Lambda sets in
     * AWS_LAMBDA_FUNCTION_MEMORY_SIZE (MB); 128, Lambda's smallest, where it is unset (tests, local runs).
     */
    readonly maxBytes: number;
  };
  /**
   * usageKeys of config.json, the declared clients in a Map: a plain object's lookup would find
   * `Object.prototype`'s members for a client named `constructor` or `__proto__`.
   */
  readonly usageKeys?: { readonly clients: ReadonlyMap<string, string>; readonly others: string | null };
}

/**
 * Asymmetric JWS algorithms the verifier accepts in an allowlist. `none` and HS* are absent on
 * purpose: with a public JWKS, an HMAC "secret" would be public.
 */
export const SUPPORTED_ALGORITHMS: ReadonlySet<string> = new Set([
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519',
]);

const METHODS: ReadonlySet<string> = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY']);

/**
 * JWT registered claims (RFC 7519 section 4.1) that the verifier itself checks or that identify the
 * token, not its client or its grants: a profile may not read a client or scopes from them (in any
 * letter case, so that none can be mistaken for another). `sub` is not among them: a profile may
 * read it, as the principal does.
 */
const RESERVED_CLAIMS: ReadonlySet<string> = new Set(['iss', 'aud', 'exp', 'nbf', 'iat', 'jti']);

/**
 * Reads config.json (beside the bundle, or `SECURED_API_CONFIG_FILE`) and the environment, and
 * validates all of it. Throws ConfigError naming the first bad field; the caller then fails closed.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, baseDir: string = __dirname): AuthorizerConfig {
  const file = env[ENV_CONFIG_FILE] || join(baseDir, 'config.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`cannot read the authorizer configuration ${file}: ${(err as Error).message}`);
  }
  try {
    return parseConfig(raw, env);
  } catch (err) {
    throw new ConfigError(`invalid authorizer configuration (${file} and SECURED_API_* environment): ${(err as Error).message}`);
  }
}

/** Validates an already parsed config.json against the contract, merged with the environment values. */
export function parseConfig(raw: unknown, env: NodeJS.ProcessEnv): AuthorizerConfig {
  const c = obj(raw, 'config.json');
  if (c.version !== 1) {
    fail('version must be 1');
  }
  const issuer = nonEmptyString(env[ENV_ISSUER], ENV_ISSUER);
  const audiences = stringArray(parseJsonEnv(env[ENV_AUDIENCES], ENV_AUDIENCES), ENV_AUDIENCES, 1);
  const jwksUri = checkJwksUri(nonEmptyString(env[ENV_JWKS_URI], ENV_JWKS_URI));

  const algorithms = stringArray(c.algorithms, 'algorithms', 1);
  for (const alg of algorithms) {
    if (!SUPPORTED_ALGORITHMS.has(alg)) {
      fail(`algorithms holds "${alg}", not one of ${[...SUPPORTED_ALGORITHMS].join(', ')}`);
    }
  }

  const jwks = obj(c.jwks, 'jwks');
  const decisionCache = obj(c.decisionCache, 'decisionCache');
  if (c.cacheMode !== 'token' && c.cacheMode !== 'route') {
    fail('cacheMode must be "token" or "route"');
  }
  const memoryMb = env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE;
  const routes = array(c.routes, 'routes').map((r, i) => parseRoute(r, `routes[${i}]`));
  checkRouteTable(routes);

  return {
    version: 1,
    issuer,
    audiences,
    jwksUri,
    algorithms,
    audienceClaim: nonEmptyString(c.audienceClaim, 'audienceClaim'),
    profile: profileOf(c.profile),
    clockToleranceSeconds: int(c.clockToleranceSeconds, 'clockToleranceSeconds', 0, 300),
    maxTokenAgeSeconds: c.maxTokenAgeSeconds === undefined ? undefined : int(c.maxTokenAgeSeconds, 'maxTokenAgeSeconds', 1, 366 * 86400),
    requiredTyp: c.requiredTyp === undefined ? undefined : nonEmptyString(c.requiredTyp, 'requiredTyp'),
    maxTokenBytes: int(c.maxTokenBytes, 'maxTokenBytes', 64, 65536),
    contextClaims: contextClaims(c.contextClaims),
    jwks: {
      timeoutMs: int(jwks.timeoutMs, 'jwks.timeoutMs', 1, 60_000),
      cooldownMs: int(jwks.cooldownMs, 'jwks.cooldownMs', 0, 86_400_000),
      maxBytes: int(jwks.maxBytes, 'jwks.maxBytes', 1, 10_485_760),
      maxKeys: int(jwks.maxKeys, 'jwks.maxKeys', 1, 10_000),
      maxAgeMs: int(jwks.maxAgeMs, 'jwks.maxAgeMs', 1, 7 * 86_400_000),
    },
    decisionCache: {
      maxEntries: int(decisionCache.maxEntries, 'decisionCache.maxEntries', 0, 1_000_000),
      maxBytes: decisionCacheBytes(memoryMb === undefined ? 128 : int(Number(memoryMb), 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 1, 1_048_576)),
    },
    cacheMode: c.cacheMode as CacheMode,
    metricsNamespace: nonEmptyString(c.metricsNamespace, 'metricsNamespace'),
    serviceName: nonEmptyString(c.serviceName, 'serviceName'),
    routes,
    usageKeys: c.usageKeys === undefined ? undefined : usageKeysOf(obj(c.usageKeys, 'usageKeys')),
  };
}

/** The issuer profile; required, since without it the runtime could not tell which claims to read. */
function profileOf(raw: unknown): IssuerProfileConfig {
  const p = obj(raw, 'profile');
  const clientClaims = claimNames(p.clientClaims, 'profile.clientClaims');
  const grantClaims = claimNames(p.grantClaims, 'profile.grantClaims');
  const both = clientClaims.find((name) => grantClaims.includes(name));
  if (both !== undefined) {
    fail(`profile names "${both}" both as a client claim and a grant claim`);
  }
  if (p.tokenKind === undefined) {
    return { clientClaims, grantClaims };
  }
  const kind = obj(p.tokenKind, 'profile.tokenKind');
  const values = stringArray(kind.values, 'profile.tokenKind.values', 1);
  distinct(values, 'profile.tokenKind.values');
  return { clientClaims, grantClaims, tokenKind: { claim: nonEmptyString(kind.claim, 'profile.tokenKind.claim'), values } };
}

/** Claim names of the profile: distinct non-empty strings, none a reserved claim. */
function claimNames(value: unknown, at: string): string[] {
  const names = stringArray(value, at, 0);
  distinct(names, at);
  for (const name of names) {
    if (RESERVED_CLAIMS.has(name.toLowerCase())) {
      fail(`${at} holds "${name}", a registered JWT claim`);
    }
  }
  return names;
}

function distinct(values: readonly string[], at: string): void {
  const repeated = values.find((v, i) => values.indexOf(v) !== i);
  if (repeated !== undefined) {
    fail(`${at} holds "${repeated}" more than once`);
  }
}

function usageKeysOf(u: Record<string, unknown>): AuthorizerConfig['usageKeys'] {
  return {
    clients: new Map(Object.entries(obj(u.clients, 'usageKeys.clients')).map(([id, key]) => [id, nonEmptyString(key, 'usageKeys.clients')])),
    others: u.others === null ? null : nonEmptyString(u.others, 'usageKeys.others'),
  };
}

/**
 * The metric identity to use when the configuration is unusable, taken from whatever parses, so that
 * the failing authorizer still reports under its service's dimension.
 */
export function metricsIdentityOf(env: NodeJS.ProcessEnv = process.env, baseDir: string = __dirname): { namespace: string; service: string } {
  let c: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(env[ENV_CONFIG_FILE] || join(baseDir, 'config.json'), 'utf8'));
    c = isPlainObject(parsed) ? parsed : {};
  } catch {
    // The config error itself has been reported; the defaults below stand in.
  }
  return {
    namespace: typeof c.metricsNamespace === 'string' && c.metricsNamespace ? c.metricsNamespace : DEFAULT_METRICS_NAMESPACE,
    service: typeof c.serviceName === 'string' && c.serviceName ? c.serviceName : 'unknown',
  };
}

function parseRoute(raw: unknown, at: string): RouteConfig {
  const r = obj(raw, at);
  const method = nonEmptyString(r.method, `${at}.method`);
  if (!METHODS.has(method)) {
    fail(`${at}.method "${method}" must be one of ${[...METHODS].join(', ')}`);
  }
  const resource = nonEmptyString(r.resource, `${at}.resource`);
  if (!resource.startsWith('/')) {
    fail(`${at}.resource "${resource}" must start with "/"`);
  }
  if (typeof r.arnPath !== 'string' || r.arnPath.startsWith('/')) {
    fail(`${at}.arnPath must be a string without a leading "/"`);
  }
  return {
    method: method as HttpMethod,
    resource,
    arnPath: r.arnPath as string,
    scopes: stringArray(r.scopes, `${at}.scopes`, 0),
    claimRules: array(r.claimRules, `${at}.claimRules`).map((x, i) => parseClaimRule(x, `${at}.claimRules[${i}]`)),
    overlaps: array(r.overlaps, `${at}.overlaps`).map((x, i) => int(x, `${at}.overlaps[${i}]`, 0, Number.MAX_SAFE_INTEGER)),
  };
}

function parseClaimRule(raw: unknown, at: string): ClaimRule {
  const r = obj(raw, at);
  const claim = nonEmptyString(r.claim, `${at}.claim`);
  switch (r.op) {
    case 'equals':
    case 'contains':
      return { claim, op: r.op, value: nonEmptyString(r.value, `${at}.value`) };
    case 'oneOf':
      return { claim, op: r.op, values: stringArray(r.values, `${at}.values`, 1) };
    default:
      return fail(`${at}.op must be "equals", "contains" or "oneOf"`);
  }
}

function checkRouteTable(routes: readonly RouteConfig[]): void {
  const seen = new Set<string>();
  routes.forEach((route, i) => {
    const key = `${route.method} ${route.resource}`;
    if (seen.has(key)) {
      fail(`routes[${i}] repeats the route ${key}`);
    }
    seen.add(key);
    for (const o of route.overlaps) {
      if (o >= routes.length || o === i) {
        fail(`routes[${i}].overlaps holds ${o}, not another route's index`);
      }
    }
  });
}

function checkJwksUri(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail(`${ENV_JWKS_URI} "${value}" is not a URL`);
  }
  // The same loopback hosts as the JWKS fetcher.
  const loopbackHttp = url.protocol === 'http:' && isLoopbackHost(url.hostname);
  if (url.protocol !== 'https:' && !loopbackHttp) {
    fail(`${ENV_JWKS_URI} "${value}" must use https: (http: only for a loopback host)`);
  }
  return value;
}

function parseJsonEnv(value: string | undefined, name: string): unknown {
  try {
    return JSON.parse(nonEmptyString(value, name));
  } catch (err) {
    if (err instanceof ConfigError) {
      throw err;
    }
    return fail(`${name} must be a JSON array of strings`);
  }
}

function fail(message: string): never {
  throw new ConfigError(message);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function obj(v: unknown, at: string): Record<string, unknown> {
  return isPlainObject(v) ? v : fail(`${at} must be an object`);
}

function array(v: unknown, at: string): unknown[] {
  return Array.isArray(v) ? v : fail(`${at} must be an array`);
}

function nonEmptyString(v: unknown, at: string): string {
  return typeof v === 'string' && v.length > 0 ? v : fail(`${at} must be a non-empty string`);
}

/** The construct refuses these names; a hand-edited config.json that holds one fails closed too. */
function contextClaims(value: unknown): string[] {
  const names = stringArray(value, 'contextClaims', 0);
  const taken = new Set<string>([...CONTEXT_KEYS, ...API_GATEWAY_AUTHORIZER_KEYS].map((key) => key.toLowerCase()));
  for (const name of names) {
    if (taken.has(name.toLowerCase())) {
      fail(`contextClaims holds "${name}", a key the authorizer or API Gateway sets`);
    }
  }
  return names;
}

function stringArray(v: unknown, at: string, minLength: number): string[] {
  if (!Array.isArray(v) || v.length < minLength || v.some((x) => typeof x !== 'string' || x.length === 0)) {
    fail(`${at} must be an array of ${minLength > 0 ? 'at least one ' : ''}non-empty string${minLength > 0 ? '' : 's'}`);
  }
  return v;
}

function int(v: unknown, at: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    fail(`${at} must be an integer from ${min} to ${max}`);
  }
  return v;
}
