import { getSystemErrorMap, types } from 'node:util';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as oauth from 'oauth4webapi';
import { ExchangeAudit } from './audit';
import { loadSecretsManager } from './aws-sdk';
import { CallerCredentialsError } from './errors';

/**
 * How the client authenticates to the token endpoint (RFC 6749 section 2.3.1). `client_secret_basic`
 * form-urlencodes the client id and secret before base64 (oauth4webapi's `ClientSecretBasic` does),
 * so a secret holding `:`, `+`, `%` or spaces reaches a conforming server intact.
 */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post';

/** Construction options of `ClientCredentialsTokenSource`. */
export interface ClientCredentialsTokenSourceOptions {
  /** The issuer identifier; its discovery document names the token endpoint. */
  readonly issuer: string;
  /**
   * Where the discovery document is: `oidc` (`<issuer>/.well-known/openid-configuration`) or `oauth2`
   * (RFC 8414, `/.well-known/oauth-authorization-server<issuer path>`).
   * @default 'oidc'
   */
  readonly discovery?: 'oidc' | 'oauth2';
  readonly clientId: string;
  /**
   * The Secrets Manager secret (name or ARN) whose `SecretString` is the client secret, e.g. a
   * `ClientCredentialsSecret`'s. Read once, then again only after the token endpoint answers
   * `invalid_client` (the secret was rotated).
   * @default - `clientSecret` must be given
   */
  readonly secretId?: string;
  /**
   * When the secret is JSON, the field that holds the client secret.
   * @default - the whole `SecretString` is the client secret
   */
  readonly secretJsonField?: string;
  /** @default - a SecretsManagerClient created on first use in `region` */
  readonly secretsManager?: SecretsManagerClient;
  /** @default - `AWS_REGION` */
  readonly region?: string;
  /**
   * The client secret itself, for tests and local runs. Prefer `secretId` in deployed code.
   * @default - read from `secretId`
   */
  readonly clientSecret?: string;
  /** @default 'client_secret_basic' */
  readonly authMethod?: ClientAuthMethod;
  /** Scopes to ask for, space-separated or as a list. @default - the server's default */
  readonly scope?: string | readonly string[];
  /** The `audience` parameter some servers (Auth0) take. @default - none */
  readonly audience?: string;
  /** RFC 8707 resource indicator(s). @default - none */
  readonly resource?: string | readonly string[];
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /**
   * Allow `http:` issuers and endpoints. Only for tests against a server on a loopback address
   * (127.0.0.1, ::1, localhost); any other host is refused.
   * @default false
   */
  readonly allowInsecureRequests?: boolean;
  /** Epoch-milliseconds clock, for expiry and latency. @default Date.now */
  readonly now?: () => number;
  /**
   * How long before the token's expiry it stops being served from cache.
   * @default 60
   */
  readonly refreshBeforeExpirySeconds?: number;
  /** Calls per request (discovery, token) on a 5xx answer or a network error. @default 3 */
  readonly maxAttempts?: number;
  /** The first retry waits up to this long (full jitter, doubling each time). @default 200 */
  readonly retryBaseDelayMs?: number;
  /** Time box of each HTTP request. @default 5000 */
  readonly timeoutMs?: number;
  /** @default - an `ExchangeAudit` writing to stdout */
  readonly audit?: ExchangeAudit;
}

/** An access token and when it expires (undefined when the server did not say; then it is not cached). */
export interface ClientCredentialsToken {
  readonly accessToken: string;
  readonly expiresAt?: Date;
  /** The scopes granted, when the server said. */
  readonly scope?: string;
}

/** The options every oauth4webapi request here takes. */
interface HttpOptions {
  readonly [oauth.customFetch]: (url: string, init: object) => Promise<Response>;
  readonly [oauth.allowInsecureRequests]: boolean;
  readonly signal: () => AbortSignal;
}

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * Access tokens for service-to-service calls by the OAuth 2.0 client-credentials grant, through
 * panva's oauth4webapi: the token endpoint from the issuer's discovery document (read once), the
 * client secret from Secrets Manager (read once), the token cached until 60 s before it expires,
 * concurrent callers sharing one request, and bounded, jittered retries on 5xx answers and network
 * errors (never on a 4xx). One audit line per `getToken` call: `issued`, `cached` or `failed`;
 * never the secret or the token.
 *
 * Errors (`CallerCredentialsError`). All 500s are this service's own misconfiguration, not its
 * caller's fault, so none is a 401:
 * - 500 `misconfigured` (options), `discovery_invalid` (no conforming discovery document, or its
 *   issuer differs), `invalid_client` (the token endpoint refused the client's credentials, even
 *   after re-reading the secret), `unauthorized_client`, `invalid_scope`, `invalid_target`,
 *   `token_rejected` (any other 4xx), `token_response_invalid`, `secret_unavailable` (not found,
 *   access denied, not a string).
 * - 503 `discovery_unavailable`, `token_endpoint_unavailable` (5xx, 429, network, time-out, after
 *   retries), `secrets_manager_unavailable`.
 *
 * No error holds the token endpoint's answer or the request: oauth4webapi attaches the whole
 * response body (a valid access token included) and fetch errors may carry the request (the client
 * secret), so every `cause` is a {@link RedactedError} that keeps only the error's class, its code,
 * the HTTP status and a registered OAuth error code, never a message, body or header.
 */
export class ClientCredentialsTokenSource {
  private readonly issuer: URL;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  private readonly audit: ExchangeAudit;
  private readonly marginMs: number;
  private readonly maxAttempts: number;
  private readonly retryBaseDelayMs: number;
  private readonly timeoutMs: number;
  private secretsManager?: SecretsManagerClient;
  private server?: oauth.AuthorizationServer;
  private secret?: string;
  private token?: ClientCredentialsToken;
  private inflight?: Promise<{ token: ClientCredentialsToken; attempts: number }>;

  constructor(private readonly options: ClientCredentialsTokenSourceOptions) {
    this.issuer = checkUrl(options.issuer, 'issuer', options.allowInsecureRequests === true);
    if (!options.clientId) {
      throw misconfigured('clientId is required.');
    }
    if ((options.secretId === undefined) === (options.clientSecret === undefined)) {
      throw misconfigured('Give exactly one of secretId and clientSecret.');
    }
    if (options.clientSecret === '') {
      throw misconfigured('clientSecret is empty.');
    }
    if (options.authMethod !== undefined && !['client_secret_basic', 'client_secret_post'].includes(options.authMethod)) {
      throw misconfigured(`authMethod must be client_secret_basic or client_secret_post, got ${options.authMethod}.`);
    }
    if (options.secretId !== undefined && !options.secretsManager && !(options.region ?? process.env.AWS_REGION)) {
      throw misconfigured('Reading secretId needs a region (or AWS_REGION) or a secretsManager client.');
    }
    this.secret = options.clientSecret;
    this.secretsManager = options.secretsManager;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.now = options.now ?? Date.now;
    this.audit = options.audit ?? new ExchangeAudit();
    this.marginMs = nonNegative(options.refreshBeforeExpirySeconds ?? 60, 'refreshBeforeExpirySeconds') * 1000;
    this.maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? 3));
    this.retryBaseDelayMs = nonNegative(options.retryBaseDelayMs ?? 200, 'retryBaseDelayMs');
    this.timeoutMs = nonNegative(options.timeoutMs ?? 5000, 'timeoutMs');
  }

  /** A valid access token: from cache until 60 s before it expires, else from the token endpoint. */
  public async getToken(): Promise<ClientCredentialsToken> {
    const started = this.now();
    const cached = this.token;
    if (cached?.expiresAt && started < cached.expiresAt.getTime() - this.marginMs) {
      this.record('cached', started, 0);
      return cached;
    }
    const leader = this.inflight === undefined;
    if (leader) {
      this.inflight = this.issue().finally(() => (this.inflight = undefined));
    }
    try {
      const { token, attempts } = await this.inflight!;
      // A caller that joined another's request made no call of its own.
      this.record(leader ? 'issued' : 'cached', started, leader ? attempts : 0);
      return token;
    } catch (err) {
      const error = err as CallerCredentialsError & { attempts?: number };
      this.record('failed', started, leader ? (error.attempts ?? 0) : 0, error.code);
      throw err;
    }
  }

  /** Drops the cached token, e.g. after a resource server refused it. The next `getToken` asks anew. */
  public invalidate(): void {
    this.token = undefined;
  }

  private async issue(): Promise<{ token: ClientCredentialsToken; attempts: number }> {
    const counter = { attempts: 0 };
    try {
      const server = await this.discover();
      let secret = await this.clientSecret();
      let json: oauth.TokenEndpointResponse;
      try {
        json = await this.requestToken(server, secret, counter);
      } catch (err) {
        if (!(err instanceof CallerCredentialsError) || err.code !== 'invalid_client' || this.options.secretId === undefined) {
          throw err;
        }
        // The secret may have been rotated since it was read: read it again and try once more.
        this.secret = undefined;
        secret = await this.clientSecret();
        json = await this.requestToken(server, secret, counter);
      }
      const issuedAt = this.now();
      const token: ClientCredentialsToken = {
        accessToken: json.access_token,
        expiresAt: typeof json.expires_in === 'number' ? new Date(issuedAt + json.expires_in * 1000) : undefined,
        scope: json.scope,
      };
      this.token = token;
      return { token, attempts: counter.attempts };
    } catch (err) {
      const error = err instanceof CallerCredentialsError
        ? err
        : new CallerCredentialsError('token_endpoint_unavailable', 503, 'The client-credentials exchange failed unexpectedly.', true, { cause: redact(err) });
      throw Object.assign(error, { attempts: counter.attempts });
    }
  }

  private async discover(): Promise<oauth.AuthorizationServer> {
    if (this.server) {
      return this.server;
    }
    const response = await this.withRetries('discovery_unavailable', 'the discovery document', undefined, () =>
      oauth.discoveryRequest(this.issuer, { ...this.httpOptions(), algorithm: this.options.discovery ?? 'oidc' }));
    let server: oauth.AuthorizationServer;
    try {
      server = await oauth.processDiscoveryResponse(this.issuer, response);
    } catch (err) {
      throw new CallerCredentialsError('discovery_invalid', 500,
        `The issuer ${this.issuer.href} has no conforming discovery document (or it names another issuer).`, false, { cause: redact(err) });
    }
    if (!server.token_endpoint) {
      throw new CallerCredentialsError('discovery_invalid', 500, `The discovery document of ${this.issuer.href} names no token_endpoint.`);
    }
    checkUrl(server.token_endpoint, 'token_endpoint', this.options.allowInsecureRequests === true);
    this.server = server;
    return server;
  }

  private async requestToken(server: oauth.AuthorizationServer, secret: string, counter: { attempts: number }): Promise<oauth.TokenEndpointResponse> {
    const client: oauth.Client = { client_id: this.options.clientId };
    const auth = this.options.authMethod === 'client_secret_post' ? oauth.ClientSecretPost(secret) : oauth.ClientSecretBasic(secret);
    const response = await this.withRetries('token_endpoint_unavailable', 'the token endpoint', counter, () =>
      oauth.clientCredentialsGrantRequest(server, client, auth, this.parameters(), this.httpOptions()));
    try {
      return await oauth.processClientCredentialsResponse(server, client, response);
    } catch (err) {
      throw tokenError(err, response.status);
    }
  }

  private parameters(): URLSearchParams {
    const params = new URLSearchParams();
    const { scope, audience, resource } = this.options;
    if (scope !== undefined) {
      params.set('scope', typeof scope === 'string' ? scope : scope.join(' '));
    }
    if (audience !== undefined) {
      params.set('audience', audience);
    }
    for (const r of resource === undefined ? [] : typeof resource === 'string' ? [resource] : resource) {
      params.append('resource', r);
    }
    return params;
  }

  private httpOptions(): HttpOptions {
    return {
      [oauth.customFetch]: (url, init) => this.fetchImpl(url, init as RequestInit),
      [oauth.allowInsecureRequests]: this.options.allowInsecureRequests === true,
      signal: () => AbortSignal.timeout(this.timeoutMs),
    };
  }

  /**
   * Calls `send` until it answers below 500, at most maxAttempts times, waiting a jittered, doubling
   * delay between calls. A 429 is not retried here (the server asked for less traffic) but reported
   * as unavailable.
   */
  private async withRetries(code: string, what: string, counter: { attempts: number } | undefined, send: () => Promise<Response>): Promise<Response> {
    let cause: unknown;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      if (attempt > 1) {
        await sleep(Math.random() * this.retryBaseDelayMs * 2 ** (attempt - 2));
      }
      if (counter) {
        counter.attempts++;
      }
      try {
        const response = await send();
        if (response.status === 429) {
          await response.body?.cancel();
          throw new CallerCredentialsError(code, 503, `${capitalize(what)} is rate-limiting (429); retry later.`);
        }
        if (response.status < 500) {
          return response;
        }
        await response.body?.cancel();
        cause = new Error(`HTTP ${response.status}`);
      } catch (err) {
        if (err instanceof CallerCredentialsError) {
          throw err;
        }
        if (err instanceof oauth.OperationProcessingError || err instanceof TypeError && !isNetworkError(err)) {
          throw new CallerCredentialsError('misconfigured', 500, `The request to ${what} could not be made.`, false, { cause: redact(err) });
        }
        cause = redact(err);
      }
    }
    throw new CallerCredentialsError(code, 503, `${capitalize(what)} is unavailable after ${this.maxAttempts} attempts; retry later.`, true, { cause });
  }

  private async clientSecret(): Promise<string> {
    if (this.secret !== undefined) {
      return this.secret;
    }
    const { GetSecretValueCommand, SecretsManagerClient } = loadSecretsManager();
    this.secretsManager ??= new SecretsManagerClient({ region: this.options.region ?? process.env.AWS_REGION });
    let value: string | undefined;
    try {
      const out = await this.secretsManager.send(new GetSecretValueCommand({ SecretId: this.options.secretId }));
      value = out.SecretString;
    } catch (err) {
      throw secretsManagerError(err);
    }
    if (this.options.secretJsonField !== undefined) {
      try {
        const field = JSON.parse(value ?? '')[this.options.secretJsonField];
        value = typeof field === 'string' ? field : undefined;
      } catch {
        value = undefined;
      }
    }
    if (!value) {
      throw new CallerCredentialsError('secret_unavailable', 500,
        `The secret ${this.options.secretId} holds no client secret${this.options.secretJsonField ? ` in its JSON field ${this.options.secretJsonField}` : ''} (set its value after deploy).`);
    }
    this.secret = value;
    return value;
  }

  private record(outcome: 'issued' | 'cached' | 'failed', started: number, attempts: number, errorCode?: string): void {
    this.audit.record({
      kind: 'client_credentials',
      outcome,
      errorCode,
      clientId: this.options.clientId,
      latencyMs: this.now() - started,
      attempts,
    });
  }
}

function tokenError(err: unknown, status: number): CallerCredentialsError {
  let oauthError: string | undefined;
  if (err instanceof oauth.ResponseBodyError) {
    oauthError = registeredOAuthError(err.error);
  } else if (err instanceof oauth.WWWAuthenticateChallengeError) {
    oauthError = registeredOAuthError(err.cause.find((c) => c.parameters.error)?.parameters.error) ?? (status === 401 ? 'invalid_client' : undefined);
  }
  const cause = redact(err);
  switch (oauthError) {
    case 'invalid_client':
    case 'unauthorized_client':
    case 'invalid_scope':
    case 'invalid_target':
      return new CallerCredentialsError(oauthError, 500, `The token endpoint answered ${oauthError} (HTTP ${status}): check the client's id, secret, auth method and grants.`, false, { cause });
  }
  if (status === 401) {
    return new CallerCredentialsError('invalid_client', 500, 'The token endpoint refused the client\'s credentials (HTTP 401).', false, { cause });
  }
  if (status >= 400) {
    return new CallerCredentialsError('token_rejected', 500, `The token endpoint refused the request (HTTP ${status}${oauthError ? `, ${oauthError}` : ''}).`, false, { cause });
  }
  return new CallerCredentialsError('token_response_invalid', 500, 'The token endpoint\'s answer is not a conforming token response.', false, { cause });
}

function secretsManagerError(err: unknown): CallerCredentialsError {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  const name = safeName(err);
  const transient = name === 'InternalServiceError' || /Throttl/i.test(name) || status === undefined || status >= 500;
  return transient
    ? new CallerCredentialsError('secrets_manager_unavailable', 503, 'Secrets Manager is unavailable; retry later.', true, { cause: redact(err) })
    : new CallerCredentialsError('secret_unavailable', 500, `The client secret could not be read (${name}): check the secret's name and the function's grant.`, false, { cause: redact(err) });
}

/**
 * What is left of an error once everything that may hold a token or a secret is dropped: the
 * `cause` of every error the token source throws. oauth4webapi puts the token endpoint's whole answer
 * (a valid access token included) in its errors' `cause` and `response`, and a fetch error may carry
 * the request (the client secret in its Authorization header or body), in its message or anywhere
 * else. So nothing is copied from the original but values from fixed vocabularies: the class name,
 * the error code, the HTTP status, a registered OAuth error code, an AWS request id. Its `cause` is
 * the redacted `cause` of the original when that is an error (fetch's socket error), else none.
 */
export class RedactedError extends Error {
  public override readonly name: string;
  /** oauth4webapi's, Node's, undici's or the AWS SDK's error code. */
  public readonly code?: string;
  /** The HTTP status of the answer the error is about. */
  public readonly status?: number;
  /** A registered OAuth 2.0 error code the server answered (RFC 6749 section 5.2, RFC 6750, RFC 8707). */
  public readonly error?: string;
  /** The AWS request id, for AWS SDK errors. */
  public readonly requestId?: string;

  constructor(original: unknown, depth = 0) {
    const e = (typeof original === 'object' && original !== null ? original : {}) as Record<string, unknown>;
    const name = safeName(original);
    const code = safeCode(e.code);
    const metadata = (typeof e.$metadata === 'object' && e.$metadata !== null ? e.$metadata : {}) as Record<string, unknown>;
    const status = httpStatus(e.status) ?? httpStatus(metadata.httpStatusCode);
    const error = registeredOAuthError(e.error);
    const requestId = typeof metadata.requestId === 'string' && /^[A-Za-z0-9-]{1,64}$/.test(metadata.requestId) ? metadata.requestId : undefined;
    const inner = isError(original) ? original.cause : undefined;
    const cause = depth < 3 && isError(inner) ? new RedactedError(inner, depth + 1) : undefined;
    const facts = [code, status !== undefined ? `HTTP ${status}` : undefined, error].filter((f) => f !== undefined);
    super(`${name}${facts.length ? ` (${facts.join(', ')})` : ''}; its message and data are withheld, as they may hold a token or secret.`,
      cause ? { cause } : undefined);
    this.name = name;
    this.code = code;
    this.status = status;
    this.error = error;
    this.requestId = requestId;
  }
}

function redact(err: unknown): RedactedError {
  return new RedactedError(err);
}

/** https://www.iana.org/assignments/oauth-parameters/oauth-parameters.xhtml#extensions-error, as token endpoints answer them. */
const OAUTH_ERRORS = new Set([
  'invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope',
  'invalid_target', 'invalid_token', 'insufficient_scope', 'access_denied', 'server_error', 'temporarily_unavailable',
  'slow_down', 'authorization_pending', 'expired_token', 'invalid_dpop_proof', 'use_dpop_nonce', 'invalid_authorization_details',
]);
const ERROR_NAMES = new Set(['Error', 'TypeError', 'RangeError', 'SyntaxError', 'AbortError', 'TimeoutError', 'DOMException']);
const OAUTH_ERROR_CLASSES: Array<[new (...args: any[]) => Error, string]> = [
  [oauth.ResponseBodyError, 'ResponseBodyError'],
  [oauth.WWWAuthenticateChallengeError, 'WWWAuthenticateChallengeError'],
  [oauth.OperationProcessingError, 'OperationProcessingError'],
  [oauth.AuthorizationResponseError, 'AuthorizationResponseError'],
  [oauth.UnsupportedOperationError, 'UnsupportedOperationError'],
];
let systemErrorCodes: Set<string> | undefined;

function registeredOAuthError(value: unknown): string | undefined {
  return typeof value === 'string' && OAUTH_ERRORS.has(value) ? value : undefined;
}

/** The error's class, from a fixed list or the AWS SDK's `...Exception` shape; `Error` otherwise. */
function safeName(err: unknown): string {
  for (const [type, name] of OAUTH_ERROR_CLASSES) {
    if (err instanceof type) {
      return name;
    }
  }
  const name = (err as { name?: unknown } | null | undefined)?.name;
  if (typeof name === 'string' && (ERROR_NAMES.has(name) || /^[A-Z][A-Za-z]{1,60}(Exception|Error|Failure)$/.test(name))) {
    return name;
  }
  return isError(err) ? 'Error' : `thrown ${err === null ? 'null' : typeof err}`;
}

/** An error of any realm (fetch's errors come from Node's own, not from a vm context's such as jest's). */
function isError(value: unknown): value is Error {
  return value instanceof Error || types.isNativeError(value);
}

/** oauth4webapi's codes (`OAUTH_...`), Node's (`ERR_...`, `ECONNREFUSED`...) and undici's (`UND_ERR_...`); nothing else. */
function safeCode(value: unknown): string | undefined {
  if (typeof value !== 'string') {
    return undefined;
  }
  systemErrorCodes ??= new Set(Array.from(getSystemErrorMap().values(), ([name]) => name));
  return /^(OAUTH|ERR|UND_ERR)_[A-Z0-9_]{1,60}$/.test(value) || systemErrorCodes.has(value) ? value : undefined;
}

function httpStatus(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599 ? value : undefined;
}

function checkUrl(value: string, name: string, allowInsecure: boolean): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch (err) {
    throw misconfigured(`${name} must be a URL, got ${value}.`);
  }
  if (url.protocol === 'https:') {
    return url;
  }
  if (url.protocol === 'http:' && allowInsecure && LOOPBACK.has(url.hostname)) {
    return url;
  }
  throw misconfigured(`${name} must be an https: URL (http: only with allowInsecureRequests on a loopback address), got ${value}.`);
}

function isNetworkError(err: TypeError): boolean {
  // undici's fetch reports connection failures as TypeError('fetch failed') with the socket error as cause.
  return err.message === 'fetch failed' || err.cause !== undefined;
}

function misconfigured(message: string): CallerCredentialsError {
  return new CallerCredentialsError('misconfigured', 500, message);
}

function nonNegative(value: number, name: string): number {
  if (!Number.isFinite(value) || value < 0) {
    throw misconfigured(`${name} must be a non-negative number, got ${value}.`);
  }
  return value;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
