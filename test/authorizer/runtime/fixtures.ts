import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { CryptoKey, JWK, JWTPayload } from 'jose';
import { AuditLog } from '../../../src/authorizer/runtime/audit';
import { parseConfig } from '../../../src/authorizer/runtime/config';
import type { AuthorizerConfig } from '../../../src/authorizer/runtime/config';
import type { AuthorizerResult, PolicyDocument } from '../../../src/authorizer/runtime/policy';
import type { IssuerProfileConfig } from '../../../src/authorizer/runtime/profile';
import type { KeyResolver } from '../../../src/authorizer/runtime/verify';

// Shared by the authorizer runtime tests: key pairs made on the fly, tokens signed by the test,
// configs built from the contract's shape. Nothing here touches the network.

export const ISSUER = 'https://issuer.example.com';
export const AUDIENCE = 'api://orders';
export const METHOD_ARN_BASE = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod';
export const SIGNING_ALG: Record<string, { name: string; hash?: string; namedCurve?: string }> = {
  RS256: { name: 'RSASSA-PKCS1-v1_5' },
  ES256: { name: 'ECDSA', hash: 'SHA-256' },
  EdDSA: { name: 'Ed25519' },
};

export interface TestKey {
  readonly alg: string;
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
}

export async function makeKey(alg: 'RS256' | 'ES256' | 'EdDSA', kid: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { alg, kid, privateKey, publicKey };
}

/** A key resolver over fixed keys, as the JWKS cache resolves them: by kid, and only for a fitting alg. */
export function resolverOf(...keys: TestKey[]): KeyResolver & { calls: Array<[string, string]> } {
  const byKid = new Map(keys.map((k) => [k.kid, k]));
  const calls: Array<[string, string]> = [];
  const resolve = async (kid: string, alg: string) => {
    calls.push([kid, alg]);
    const k = byKid.get(kid);
    return k && k.alg === alg ? k.publicKey : undefined;
  };
  return Object.assign(resolve, { calls });
}

export function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * A fixed time, in epoch seconds, for tests that inject a clock: their tokens and the verifier then
 * agree on `now` to the second, however long the test takes.
 */
export const FIXED_NOW = 1_767_225_600; // 2026-01-01T00:00:00Z

/** A clock in epoch milliseconds (what createAuthorizer and TokenVerifier take) that stands at `sec`. */
export const clockAt = (sec: number): (() => number) => () => sec * 1000;

/** Valid claims issued at `now` (epoch seconds, default the wall clock), expiring 10 minutes later. */
export function validClaims(extra: JWTPayload = {}, now: number = nowSec()): JWTPayload {
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'user-1',
    iat: now,
    exp: now + 600,
    scope: 'orders:read orders:write',
    ...extra,
  };
}

/** A well-formed token through jose's SignJWT. */
export async function sign(key: TestKey, claims: JWTPayload = validClaims(), header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, ...header }).sign(key.privateKey);
}

const b64u = (data: string | Uint8Array): string => Buffer.from(data).toString('base64url');

/**
 * A token with exactly the header and payload bytes given (objects are JSON-encoded), signed over
 * those bytes with WebCrypto: for tokens jose's signers refuse to produce.
 */
export async function signRaw(key: TestKey, header: unknown, payload: unknown, signAs: string = key.alg): Promise<string> {
  const enc = (part: unknown) => b64u(typeof part === 'string' || part instanceof Uint8Array ? part : JSON.stringify(part));
  const input = `${enc(header)}.${enc(payload)}`;
  const sig = await crypto.subtle.sign(SIGNING_ALG[signAs], key.privateKey, Buffer.from(input));
  return `${input}.${b64u(new Uint8Array(sig))}`;
}

/**
 * The issuer profile of the fixtures' configs: RFC 9068's client claim and the two grant claims the
 * runtime read for every issuer before profiles, no token kind.
 */
export const PROFILE: IssuerProfileConfig = { clientClaims: ['client_id'], grantClaims: ['scope', 'scp'] };

/** config.json as the construct writes it, with the contract's defaults. */
export function rawConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: 1,
    algorithms: ['RS256'],
    audienceClaim: 'aud',
    profile: PROFILE,
    clockToleranceSeconds: 30,
    maxTokenBytes: 8192,
    contextClaims: [],
    jwks: { timeoutMs: 3000, cooldownMs: 30000, maxBytes: 65536, maxKeys: 50, maxAgeMs: 3600000 },
    decisionCache: { maxEntries: 10000 },
    cacheMode: 'token',
    metricsNamespace: 'SecuredApi',
    serviceName: 'orders-api',
    routes: [
      { method: 'GET', resource: '/orders', arnPath: 'orders', scopes: ['orders:read'], claimRules: [], overlaps: [] },
      { method: 'POST', resource: '/orders', arnPath: 'orders', scopes: ['orders:write'], claimRules: [], overlaps: [] },
      { method: 'GET', resource: '/orders/{id}', arnPath: 'orders/*', scopes: ['orders:read'], claimRules: [], overlaps: [] },
      { method: 'DELETE', resource: '/orders/{id}', arnPath: 'orders/*', scopes: ['orders:admin'], claimRules: [], overlaps: [] },
      { method: 'GET', resource: '/me', arnPath: 'me', scopes: [], claimRules: [], overlaps: [] },
    ],
    ...overrides,
  };
}

export const TEST_ENV = {
  SECURED_API_ISSUER: ISSUER,
  SECURED_API_AUDIENCES: JSON.stringify([AUDIENCE, 'api://other']),
  SECURED_API_JWKS_URI: 'https://issuer.example.com/.well-known/jwks.json',
};

export function config(overrides: Record<string, unknown> = {}): AuthorizerConfig {
  return parseConfig(rawConfig(overrides), TEST_ENV);
}

/** An API Gateway REST REQUEST authorizer event. */
export function requestEvent(authorization: string | undefined, method = 'GET', resource = '/orders', path?: string): Record<string, unknown> {
  const concrete = path ?? resource.replace(/\{[^}]+\}/g, '42');
  return {
    type: 'REQUEST',
    methodArn: `${METHOD_ARN_BASE}/${method}${concrete}`,
    resource,
    path: concrete,
    httpMethod: method,
    headers: authorization === undefined ? {} : { Authorization: authorization },
    multiValueHeaders: authorization === undefined ? {} : { Authorization: [authorization] },
  };
}

/** An AuditLog writing into an array, and the parsed lines. */
export function capturedAudit(): { audit: AuditLog; lines: string[]; records: () => Array<Record<string, unknown>> } {
  const lines: string[] = [];
  const audit = new AuditLog('SecuredApi', 'orders-api', (line) => lines.push(line));
  return { audit, lines, records: () => lines.map((l) => JSON.parse(l)) };
}

/** The public JWK as an issuer publishes it. */
export async function publicJwk(key: TestKey): Promise<JWK> {
  return { ...(await exportJWK(key.publicKey)), kid: key.kid, alg: key.alg, use: 'sig' };
}

/** IAM's evaluation for execute-api:Invoke: explicit Deny > Allow > implicit deny; `*` any chars, `?` one. */
export function evaluatePolicy(doc: PolicyDocument, arn: string): 'allow' | 'deny' {
  const matches = (glob: string) => new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's').test(arn);
  const hit = (effect: string) => doc.Statement.some((st) => st.Effect === effect && st.Action === 'execute-api:Invoke' && st.Resource.some(matches));
  if (hit('Deny')) {
    return 'deny';
  }
  return hit('Allow') ? 'allow' : 'deny';
}

export type Handler = (event: unknown) => Promise<AuthorizerResult>;

/**
 * Loads the Lambda entry point afresh (its own module registry, so its init runs again) with
 * config.json written to a temp dir and the SECURED_API_* environment set during the load. The entry
 * point reads config.json only during its init, so the temp dir is removed as soon as it has loaded.
 */
export function loadHandler(raw: Record<string, unknown>, env: Record<string, string>): Handler {
  const dir = mkdtempSync(join(tmpdir(), 'authz-handler-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(raw));
  const vars: Record<string, string> = { SECURED_API_CONFIG_FILE: file, ...env };
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    let handler: Handler | undefined;
    // requireActual, not import(): ts-jest keeps import() native under module node16, and jest's
    // CommonJS runtime cannot run native dynamic imports.
    jest.isolateModules(() => {
      ({ handler } = jest.requireActual<typeof import('../../../src/authorizer/token-authorizer.lambda')>('../../../src/authorizer/token-authorizer.lambda'));
    });
    return handler as Handler;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) {
        delete process.env[k];
      } else {
        process.env[k] = v;
      }
    }
  }
}

/**
 * Collects what the code under test writes to stdout (audit and EMF lines) until restore(): through
 * process.stdout.write and through fs.writeSync to fd 1, which the audit log uses (runtime/audit.ts).
 */
export function captureStdout(): { lines: string[]; records: () => Array<Record<string, unknown>>; restore: () => void } {
  const lines: string[] = [];
  const collect = (chunk: string | Uint8Array) => {
    lines.push(...Buffer.from(chunk).toString().split('\n').filter((l) => l !== ''));
  };
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    collect(chunk);
    return true;
  });
  // The module object itself (an `import * as` namespace would be a copy that the code under test does not read).
  const fs = process.getBuiltinModule('node:fs');
  const writeSync = fs.writeSync;
  const syncSpy = jest.spyOn(fs, 'writeSync').mockImplementation(((fd: number, data: string | NodeJS.ArrayBufferView, ...rest: unknown[]) => {
    if (fd !== 1) {
      return (writeSync as (...args: unknown[]) => number)(fd, data, ...rest);
    }
    const bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    collect(bytes);
    return bytes.length;
  }) as typeof fs.writeSync);
  return {
    lines,
    records: () => lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)),
    restore: () => {
      spy.mockRestore();
      syncSpy.mockRestore();
    },
  };
}
