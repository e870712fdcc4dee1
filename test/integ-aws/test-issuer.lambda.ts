/**
 * The self-contained OIDC issuer of test/integ.secured-api-aws.ts: two Lambda handlers around one
 * asymmetric KMS key (RSA_2048, SIGN_VERIFY) that CloudFormation creates with the stack.
 *
 * Why a KMS key: every container must sign with, and publish, the same key pair, made once per
 * deployment. A KMS key is exactly that with no custom resource and nothing to store: its private key
 * never leaves KMS, and KMS's RSASSA_PKCS1_V1_5_SHA_256 is JWS's RS256 (RFC 7518, 3.3), the
 * authorizer's default algorithm, so the test runs the configuration users run.
 * (A secret made by GenerateSecretString is a random string, not a key pair; an RSA key cannot be
 * derived from one with node:crypto.)
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_Sign.html (RAW messages up to 4,096 bytes)
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_GetPublicKey.html (a DER-encoded SubjectPublicKeyInfo)
 *
 * - `keysHandler`, behind a public function URL (the issuer's URL): the discovery document and the
 *   JWKS, from kms:GetPublicKey. It cannot sign.
 * - `clientHandler`, with no URL: only IAM principals allowed lambda:InvokeFunction (the integ test's
 *   assertion provider) can run it. It mints a token with kms:Sign for the claims asked, sends one
 *   request to the API and returns its status, a few headers and the body, never the token: the
 *   providers of @aws-cdk/integ-tests-alpha log what they send and receive (an HttpApiCall its
 *   request headers, an AwsApiCall its response), so a token handed to them would end in CloudWatch Logs.
 *
 * Runtime code for Lambda's Node.js 22: node:crypto, global fetch, and the AWS SDK that runtime includes.
 */
import { createHash, createPublicKey, randomUUID } from 'node:crypto';

/** Where the discovery document and the key set are served (paths of the function URL). */
export const DISCOVERY_PATH = '/.well-known/openid-configuration';
export const JWKS_PATH = '/.well-known/jwks.json';
/** Lifetime of a minted token: long enough for one request, short enough to be useless soon after. */
export const TOKEN_LIFETIME_SECONDS = 300;
/** The methods and response headers the client handler deals in; anything else is refused or dropped. */
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
const RETURNED_HEADERS = [
  'access-control-allow-origin', 'access-control-allow-methods', 'access-control-allow-headers',
  'access-control-allow-credentials', 'access-control-max-age', 'vary', 'www-authenticate', 'content-type',
];
/** A path of the API: starts with one '/', then unreserved characters and '/' only (no query, no '..'). */
const API_PATH = /^(?!.*(?:^|\/)\.\.?(?:\/|$))\/(?!\/)[A-Za-z0-9._~\-/]*$/;

/** The signing key, as far as these handlers need it. */
export interface SigningKey {
  /** The public key, DER-encoded SubjectPublicKeyInfo (what kms:GetPublicKey returns). */
  publicKey(): Promise<Uint8Array>;
  /** An RSASSA-PKCS1-v1_5 SHA-256 signature of `message` (kms:Sign, RAW). */
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/** A public JWK as the JWKS publishes it. */
export interface PublicJwk {
  readonly kty: 'RSA';
  readonly n: string;
  readonly e: string;
  readonly kid: string;
  readonly alg: 'RS256';
  readonly use: 'sig';
}

/** The public JWK of an RSA public key (DER SPKI); its `kid` is the RFC 7638 thumbprint, so it follows the key. */
export function publicJwk(spki: Uint8Array): PublicJwk {
  const jwk = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({ format: 'jwk' });
  if (jwk.kty !== 'RSA' || typeof jwk.n !== 'string' || typeof jwk.e !== 'string') {
    throw new Error(`the signing key is ${String(jwk.kty)}, not RSA; create the KMS key with KeySpec RSA_2048`);
  }
  // RFC 7638, 3.2: the required members in lexicographic order, no whitespace.
  const kid = createHash('sha256').update(JSON.stringify({ e: jwk.e, kty: 'RSA', n: jwk.n })).digest('base64url');
  return { kty: 'RSA', n: jwk.n, e: jwk.e, kid, alg: 'RS256', use: 'sig' };
}

/** The public JWK of the key, fetched once per container; a failed fetch is retried on the next call. */
function cachedJwk(key: SigningKey): () => Promise<PublicJwk> {
  let jwk: Promise<PublicJwk> | undefined;
  return () => {
    jwk ??= key.publicKey().then(publicJwk);
    return jwk.catch((err) => {
      jwk = undefined;
      throw err;
    });
  };
}

/** The claims a minted token carries, besides the fixed ones. */
export interface TokenClaims {
  readonly issuer: string;
  readonly audience: string;
  /** Space-separated scopes; absent: no `scope` claim. */
  readonly scope?: string;
  /** The `client_id` claim; absent: none. */
  readonly clientId?: string;
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs an RS256 access token with the key (RFC 7515 compact serialization). */
export async function mintToken(key: SigningKey, jwk: PublicJwk, claims: TokenClaims, nowSeconds: number): Promise<string> {
  const header = { alg: 'RS256', typ: 'JWT', kid: jwk.kid };
  const payload = {
    iss: claims.issuer,
    aud: claims.audience,
    sub: 'integ-test',
    iat: nowSeconds,
    nbf: nowSeconds,
    exp: nowSeconds + TOKEN_LIFETIME_SECONDS,
    jti: randomUUID(),
    ...(claims.scope === undefined ? {} : { scope: claims.scope }),
    ...(claims.clientId === undefined ? {} : { client_id: claims.clientId }),
  };
  const signingInput = `${base64url(header)}.${base64url(payload)}`;
  const signature = await key.sign(Buffer.from(signingInput, 'ascii'));
  return `${signingInput}.${Buffer.from(signature).toString('base64url')}`;
}

/** The part of a function URL event (payload format 2.0) the keys handler reads. */
export interface FunctionUrlEvent {
  readonly rawPath: string;
  readonly requestContext: { readonly domainName: string; readonly http: { readonly method: string } };
}

/** A function URL response. */
export interface FunctionUrlResult {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

function json(statusCode: number, body: unknown, maxAge?: number): FunctionUrlResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...(maxAge === undefined ? {} : { 'cache-control': `max-age=${maxAge}` }) },
    body: JSON.stringify(body),
  };
}

/**
 * The issuer's public endpoints. The issuer is `https://<the function URL's host>`: the handler
 * cannot be told its own URL (the URL is made after the function, so that would be a cycle), and the
 * host is the one the request came to.
 */
export function createKeysHandler(key: SigningKey): (event: FunctionUrlEvent) => Promise<FunctionUrlResult> {
  const jwk = cachedJwk(key);
  return async (event) => {
    if (event.requestContext.http.method !== 'GET') {
      return json(405, { error: 'method_not_allowed' });
    }
    const issuer = `https://${event.requestContext.domainName}`;
    if (event.rawPath === DISCOVERY_PATH) {
      return json(200, {
        issuer,
        jwks_uri: `${issuer}${JWKS_PATH}`,
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['token'],
        subject_types_supported: ['public'],
      }, 300);
    }
    if (event.rawPath === JWKS_PATH) {
      return json(200, { keys: [await jwk()] }, 300);
    }
    return json(404, { error: 'not_found' });
  };
}

/** What the integ test asks the client handler to send. */
export interface ClientRequest {
  /** The HTTP method, e.g. `GET`. */
  readonly method: string;
  /** The path below the stage URL, e.g. `/orders`. */
  readonly path: string;
  /** Further request headers (never `Authorization`: `token` sets it). */
  readonly headers?: Record<string, string>;
  /** The token to send as `Authorization: Bearer`; absent: no Authorization header. */
  readonly token?: { readonly scope?: string; readonly clientId?: string };
}

/** What the client handler returns: the answer, never the token. */
export interface ClientResponse {
  readonly status: number;
  /** The response's CORS, `Vary`, `WWW-Authenticate` and `Content-Type` headers (lowercase names). */
  readonly headers: Record<string, string>;
  /** The response body (at most 1,000 characters), withheld if it held any part of the token. */
  readonly body: string;
}

/** How the client handler reaches the API and the clock; the Lambda uses fetch and Date.now. */
export interface ClientConfig {
  /** The stage URL, ending in '/'. */
  readonly apiUrl: string;
  readonly issuer: string;
  readonly audience: string;
  readonly fetch: typeof fetch;
  readonly now: () => number;
}

/** Checks a request from the test; anything unexpected is refused (the invocation fails). */
export function checkClientRequest(request: unknown): ClientRequest {
  const r = request as Partial<ClientRequest> | null;
  if (typeof r !== 'object' || r === null) {
    throw new Error('the request must be an object { method, path, headers?, token? }');
  }
  if (typeof r.method !== 'string' || !METHODS.has(r.method)) {
    throw new Error(`method ${JSON.stringify(r.method)} is not one of ${[...METHODS].join(', ')}`);
  }
  if (typeof r.path !== 'string' || !API_PATH.test(r.path)) {
    throw new Error(`path ${JSON.stringify(r.path)} is not a path of the API (one leading '/', letters, digits, '-._~/' only)`);
  }
  for (const [name, value] of Object.entries(r.headers ?? {})) {
    if (typeof value !== 'string' || !/^[A-Za-z0-9-]+$/.test(name) || name.toLowerCase() === 'authorization' || /[\r\n]/.test(value)) {
      throw new Error(`header ${JSON.stringify(name)} is not allowed (Authorization comes from 'token'; values are single-line strings)`);
    }
  }
  if (r.token !== undefined) {
    const { scope, clientId } = r.token ?? {};
    if ((scope !== undefined && (typeof scope !== 'string' || scope.length > 256))
      || (clientId !== undefined && (typeof clientId !== 'string' || clientId.length === 0 || clientId.length > 128))) {
      throw new Error('token must be { scope?: string (at most 256 characters), clientId?: non-empty string (at most 128) }');
    }
  }
  return r as ClientRequest;
}

/** Sends one request to the API, with a freshly minted token when asked, and returns what came back. */
export function createClientHandler(key: SigningKey, config: ClientConfig): (request: unknown) => Promise<ClientResponse> {
  const jwk = cachedJwk(key);
  if (!config.apiUrl.startsWith('https://') || !config.apiUrl.endsWith('/')) {
    throw new Error(`the API URL ${config.apiUrl} must be https:// and end with '/'`);
  }
  return async (input) => {
    const request = checkClientRequest(input);
    const headers: Record<string, string> = { ...request.headers };
    let token: string | undefined;
    if (request.token) {
      token = await mintToken(key, await jwk(), {
        issuer: config.issuer,
        audience: config.audience,
        scope: request.token.scope,
        clientId: request.token.clientId,
      }, Math.floor(config.now() / 1000));
      headers.Authorization = `Bearer ${token}`;
    }
    // No redirects: the token goes to the API's own URL and nowhere else.
    const response = await config.fetch(`${config.apiUrl}${request.path.slice(1)}`, {
      method: request.method,
      headers,
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.text()).slice(0, 1000);
    const returned: Record<string, string> = {};
    for (const name of RETURNED_HEADERS) {
      const value = response.headers.get(name);
      if (value !== null) {
        returned[name] = value;
      }
    }
    const leaks = (text: string) => token !== undefined && token.split('.').some((part) => text.includes(part));
    return {
      status: response.status,
      headers: Object.fromEntries(Object.entries(returned).map(([n, v]) => [n, leaks(v) ? '(withheld: held part of the token)' : v])),
      body: leaks(body) ? '(withheld: held part of the token)' : body,
    };
  };
}

/** The KMS key named by the environment, through the AWS SDK of Lambda's Node.js runtime. */
function kmsKey(keyId: string): SigningKey {
  // Not a dependency of this repository: Lambda's nodejs22.x runtime includes the AWS SDK for JavaScript v3.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require('@aws-sdk/client-kms');
  const client = new sdk.KMSClient({});
  return {
    publicKey: async () => (await client.send(new sdk.GetPublicKeyCommand({ KeyId: keyId }))).PublicKey,
    sign: async (message) => (await client.send(new sdk.SignCommand({
      KeyId: keyId,
      Message: message,
      MessageType: 'RAW',
      SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256',
    }))).Signature,
  };
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`environment variable ${name} is not set`);
  }
  return value;
}

/** Builds a handler on its first invocation, so that importing this module (as the tests do) needs no AWS SDK. */
function lazy<E, R>(build: () => (event: E) => Promise<R>): (event: E) => Promise<R> {
  let handler: ((event: E) => Promise<R>) | undefined;
  return async (event) => (handler ??= build())(event);
}

export const keysHandler = lazy(() => createKeysHandler(kmsKey(env('SIGNING_KEY_ID'))));

export const clientHandler = lazy(() => createClientHandler(kmsKey(env('SIGNING_KEY_ID')), {
  apiUrl: env('API_URL'),
  issuer: env('ISSUER'),
  audience: env('AUDIENCE'),
  fetch,
  now: Date.now,
}));
