import { createHash } from 'node:crypto';
import type { AssumeRoleWithWebIdentityCommandOutput, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { ExchangeAudit } from './audit';
import { loadSts } from './aws-sdk';
import { DEFAULT_CLIENT_CLAIMS, ENV_CLIENT_CLAIMS } from './contract';
import { CallerCredentialsError } from './errors';
import { isRoleArn, quoteForMessage } from './role-arn';

/** STS limits on `DurationSeconds` for AssumeRoleWithWebIdentity. */
const MIN_DURATION_SECONDS = 900;
const MAX_DURATION_SECONDS = 43_200;
/**
 * STS's `RoleSessionName`: 2 to 64 characters of `[\w+=,.@-]`
 * (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html).
 */
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const SESSION_NAME_CHAR = /^[\w+=,.@-]$/;
/** Hex characters of the subject's SHA-256 in an encoded name (96 bits). */
const SESSION_HASH_CHARS = 24;
/** What every encoded name ends with, and no name kept as it is may end with (in any letter case). */
const ENCODED_SESSION_NAME = new RegExp(`\\.[0-9a-f]{${SESSION_HASH_CHARS}}$`, 'i');
/** RFC 6750 `b64token`. */
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const VERIFICATION_KEY_MESSAGE = /couldn't retrieve verification key/i;
const THROTTLING = new Set([
  'Throttling', 'ThrottlingException', 'ThrottledException', 'RequestThrottledException', 'TooManyRequestsException',
  'RequestLimitExceeded', 'SlowDown', 'RequestThrottled',
]);

/** The claims of the caller's token this helper reads (it never verifies them: the authorizer did, and STS does). */
export interface WebIdentityClaims {
  readonly sub?: string;
  readonly exp: number;
  readonly client_id?: string;
  readonly azp?: string;
  readonly [claim: string]: unknown;
}

/** An API Gateway proxy event, as far as {@link WebIdentityCredentials.forEvent} reads it (REST v1 and HTTP v2 both fit). */
export interface BearerEvent {
  readonly headers?: Readonly<Record<string, string | undefined>> | null;
  readonly multiValueHeaders?: Readonly<Record<string, readonly string[] | undefined>> | null;
}

/** Per-call choices of {@link WebIdentityCredentials.forToken}: the role and session policy for this caller. */
export interface WebIdentityExchangeOptions {
  /**
   * The role to assume, e.g. the one the handler picked from the verified scopes. It must be an IAM
   * role ARN (`arn:<partition>:iam::<account>:role/<path/><name>`), else `forToken` throws 500
   * `invalid_role_arn` without calling STS.
   * @default - the `roleArn` of the helper
   */
  readonly roleArn?: string;
  /**
   * A session policy (JSON text or an object) narrowing the role for this session. It binds only calls
   * made through this helper: a caller holding the token can call STS without it (see the threat model).
   * @default - the `sessionPolicy` of the helper
   */
  readonly sessionPolicy?: string | object;
}

/** Options of {@link WebIdentityCredentials}. */
export interface WebIdentityCredentialsOptions extends WebIdentityExchangeOptions {
  /** The role to assume, unless a call names another. */
  readonly roleArn: string;
  /** The STS region; the helper calls its regional endpoint (`sts.<region>.amazonaws.com`), never the global one. */
  readonly region: string;
  /**
   * The STS client. Its own retry settings apply on top of this helper's attempts.
   * @default - created on first use: `new STSClient({ region, maxAttempts: 1, useGlobalEndpoint: false })`;
   * the SDK's retries are off so that `maxAttempts` bounds the calls made for one exchange.
   */
  readonly stsClient?: STSClient;
  /**
   * Requested session length, 900..43200 and at most the role's maximum session duration. Each request
   * asks for no more than the caller's token has left (but at least STS's minimum of 900 s), so the
   * credentials outlive the token by at most 15 minutes.
   * @default 3600 (the default maximum session duration of a role)
   */
  readonly durationSeconds?: number;
  /**
   * The session name from the token's claims. Whatever it returns is made valid for STS by
   * {@link toSessionName} (invalid characters replaced, a hash appended when anything changed).
   * @default - the token's `sub`
   */
  readonly sessionName?: (claims: WebIdentityClaims) => string | undefined;
  /**
   * Credentials are exchanged again this long before STS's expiration, bounded to half their lifetime.
   * @default 300 (the margin the AWS SDK itself uses)
   */
  readonly refreshMarginSeconds?: number;
  /**
   * How many exchanges the cache holds, least recently used evicted first.
   * @default 1000
   */
  readonly maxEntries?: number;
  /**
   * Calls to STS per exchange, retries of transient failures included.
   * @default 3
   */
  readonly maxAttempts?: number;
  /**
   * The first backoff's upper bound; each retry doubles it (full jitter: a uniform delay in `[0, bound)`).
   * @default 100
   */
  readonly baseDelayMs?: number;
  /**
   * No retry starts after this long since the exchange began (its backoff included).
   * @default 3000
   */
  readonly retryBudgetMs?: number;
  /**
   * Where each exchange is recorded; `false` records nothing.
   * @default - a new `ExchangeAudit()` writing to stdout
   */
  readonly audit?: ExchangeAudit | false;
  /**
   * The claims that name the caller's OAuth client, for the audit line's `client_id`: the first one
   * the token has (the issuer profile's `clientClaims`, e.g. `['cid']` for Okta).
   * @default - the JSON array in `SECURED_API_CLIENT_CLAIMS`, which a SecuredApi sets on the handlers
   * of routes with caller roles; else `['client_id', 'azp']`
   */
  readonly clientClaims?: readonly string[];
  /** Epoch milliseconds. @default Date.now */
  readonly now?: () => number;
  /** A number in [0, 1) for the backoff's jitter. @default Math.random */
  readonly random?: () => number;
  /** Waits for a backoff. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** An AWS SDK v3 credential provider that does its own caching, so the SDK must not wrap it again. */
export type WebIdentityCredentialProvider = AwsCredentialIdentityProvider & { readonly memoized: true };

interface CacheEntry {
  readonly credentials: AwsCredentialIdentity;
  /** From here on the entry is not served: exchange again (or fail, once the token has expired). */
  readonly refreshAt: number;
  readonly requestId?: string;
}

/** How an exchange ended; never a rejected promise, so that no waiter sees an unhandled rejection. */
type Outcome = { readonly entry: CacheEntry; readonly attempts: number } | { readonly error: CallerCredentialsError; readonly attempts: number };

interface Exchange {
  readonly token: string;
  readonly tokenHash: string;
  readonly claims: WebIdentityClaims;
  readonly roleArn: string;
  readonly policy?: string;
  readonly sessionName: string;
  readonly key: string;
}

/**
 * Exchanges the caller's bearer token for credentials of an IAM role with `AssumeRoleWithWebIdentity`,
 * and hands them out as an AWS SDK v3 credential provider (`new S3Client({ credentials })`).
 *
 * Exchanges are cached per (token, role, session policy) in a bounded LRU, refreshed before they
 * expire, never served at or past the token's `exp`, and coalesced while in flight; failures are not
 * cached. Transient failures (the identity provider unreachable, throttling, STS 5xx, the network) are
 * retried with full-jitter exponential backoff within `maxAttempts` and `retryBudgetMs`. Every
 * failure is a {@link CallerCredentialsError} whose `httpStatus` (401, 403, 500, 503) is what the
 * handler should answer. Every exchange, cache hits and failures included, writes one audit line.
 *
 * Anyone holding a token the role's trust admits can call STS directly, so the role may hold only what
 * every such caller may do; per-caller scoping comes from the token (session tags, source identity).
 *
 * @see https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
 */
export class WebIdentityCredentials {
  private readonly roleArn: string;
  private readonly region: string;
  private readonly sessionPolicy?: string;
  private readonly durationSeconds: number;
  private readonly sessionNameOf: (claims: WebIdentityClaims) => string | undefined;
  private readonly clientClaims: readonly string[];
  private readonly refreshMarginMs: number;
  private readonly maxEntries: number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly retryBudgetMs: number;
  private readonly audit?: ExchangeAudit;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private client?: STSClient;
  /** Insertion order is recency order: a hit moves its entry to the end. */
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inFlight = new Map<string, Promise<Outcome>>();

  constructor(options: WebIdentityCredentialsOptions) {
    if (!isRoleArn(options.roleArn)) {
      throw new Error(`WebIdentityCredentials: roleArn must be an IAM role ARN (arn:<partition>:iam::<account>:role/<path/><name>), got ${quoteForMessage(options.roleArn)}.`);
    }
    if (!options.region) {
      throw new Error('WebIdentityCredentials: region is required (the STS regional endpoint to call), e.g. process.env.AWS_REGION.');
    }
    const duration = options.durationSeconds ?? 3600;
    if (!Number.isInteger(duration) || duration < MIN_DURATION_SECONDS || duration > MAX_DURATION_SECONDS) {
      throw new Error(`WebIdentityCredentials: durationSeconds must be an integer in ${MIN_DURATION_SECONDS}..${MAX_DURATION_SECONDS}, got ${duration}.`);
    }
    const positive = (name: string, value: number | undefined, fallback: number, min = 1): number => {
      const v = value ?? fallback;
      if (!Number.isFinite(v) || v < min) {
        throw new Error(`WebIdentityCredentials: ${name} must be a number >= ${min}, got ${v}.`);
      }
      return v;
    };
    this.roleArn = options.roleArn;
    this.region = options.region;
    this.sessionPolicy = policyText(options.sessionPolicy);
    this.durationSeconds = duration;
    this.sessionNameOf = options.sessionName ?? ((claims) => claims.sub);
    this.clientClaims = options.clientClaims ?? clientClaimsOfEnvironment();
    this.refreshMarginMs = positive('refreshMarginSeconds', options.refreshMarginSeconds, 300, 0) * 1000;
    this.maxEntries = Math.floor(positive('maxEntries', options.maxEntries, 1000));
    this.maxAttempts = Math.floor(positive('maxAttempts', options.maxAttempts, 3));
    this.baseDelayMs = positive('baseDelayMs', options.baseDelayMs, 100, 0);
    this.retryBudgetMs = positive('retryBudgetMs', options.retryBudgetMs, 3000, 0);
    this.audit = options.audit === false ? undefined : options.audit ?? new ExchangeAudit();
    this.client = options.stsClient;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /**
   * A credential provider for the bearer token of an API Gateway proxy event: the one `Authorization`
   * header (any case) holding exactly `Bearer <token>`.
   * @throws CallerCredentialsError 401 `missing_token` when there is not exactly one such header,
   * 500 `invalid_role_arn` as {@link forToken}, and whatever {@link forToken} throws.
   */
  public forEvent(event: BearerEvent, options: WebIdentityExchangeOptions = {}): WebIdentityCredentialProvider {
    this.checkRoleArn(this.now(), options);
    const token = bearerToken(event);
    if (token === undefined) {
      const error = new CallerCredentialsError('missing_token', 401, 'The request has no single "Authorization: Bearer <token>" header.');
      this.record(this.now(), { roleArn: options.roleArn ?? this.roleArn }, error, 0);
      throw error;
    }
    return this.forToken(token, options);
  }

  /**
   * A credential provider for the caller's token. The provider resolves to credentials whose
   * `expiration` is the earlier of STS's and the token's `exp`; it is marked `memoized` so the AWS SDK
   * calls it whenever it needs credentials instead of caching them itself. Call `await provider()`
   * first to fail fast, before any client uses it.
   * @throws CallerCredentialsError 500 `invalid_role_arn` when `options.roleArn` is not an IAM role
   * ARN; 401 `malformed_token` when the token's payload does not decode or has no numeric `exp`.
   */
  public forToken(token: string, options: WebIdentityExchangeOptions = {}): WebIdentityCredentialProvider {
    const started = this.now();
    this.checkRoleArn(started, options);
    const roleArn = options.roleArn ?? this.roleArn;
    const claims = decodePayload(token);
    if (!claims) {
      const error = new CallerCredentialsError('malformed_token', 401, 'The bearer token is not a JWT with a numeric exp claim.');
      this.record(started, { roleArn }, error, 0);
      throw error;
    }
    const tokenHash = sha256(token);
    const policy = options.sessionPolicy === undefined ? this.sessionPolicy : policyText(options.sessionPolicy);
    const exchange: Exchange = {
      token,
      tokenHash,
      claims,
      roleArn,
      policy,
      sessionName: sessionNameFor(this.sessionNameOf(claims), tokenHash),
      key: sha256(`${tokenHash}\n${roleArn}\n${policy ?? ''}`),
    };
    let served: CacheEntry | undefined;
    const provider = async (): Promise<AwsCredentialIdentity> => {
      // The SDK calls a memoized provider before every request: the same entry is one exchange, not many.
      if (served && this.now() < served.refreshAt) {
        return served.credentials;
      }
      served = await this.resolve(exchange);
      return served.credentials;
    };
    return Object.assign(provider, { memoized: true as const });
  }

  /** Refuses a per-call role that is not an IAM role ARN, before anything reaches STS. */
  private checkRoleArn(started: number, options: WebIdentityExchangeOptions): void {
    if (options.roleArn === undefined || isRoleArn(options.roleArn)) {
      return;
    }
    // The handler chose it, so this is its bug (500); the string is no role, so it is not audited as one.
    const error = new CallerCredentialsError('invalid_role_arn', 500,
      `The roleArn ${quoteForMessage(options.roleArn)} is not an IAM role ARN (arn:<partition>:iam::<account>:role/<path/><name>); STS was not called.`);
    this.record(started, {}, error, 0);
    throw error;
  }

  private async resolve(exchange: Exchange): Promise<CacheEntry> {
    const started = this.now();
    const tokenExpMs = exchange.claims.exp * 1000;
    if (started >= tokenExpMs) {
      this.cache.delete(exchange.key);
      const error = new CallerCredentialsError('expired_token', 401, 'The bearer token has expired.');
      this.record(started, exchange, error, 0);
      throw error;
    }
    const cached = this.cache.get(exchange.key);
    if (cached && started < cached.refreshAt) {
      this.cache.delete(exchange.key);
      this.cache.set(exchange.key, cached);
      this.record(started, exchange, undefined, 0, cached.requestId);
      return cached;
    }
    if (cached) {
      this.cache.delete(exchange.key);
    }
    let pending = this.inFlight.get(exchange.key);
    const leader = !pending;
    if (!pending) {
      pending = this.exchange(exchange).finally(() => this.inFlight.delete(exchange.key));
      this.inFlight.set(exchange.key, pending);
    }
    const outcome = await pending;
    const attempts = leader ? outcome.attempts : 0;
    if ('error' in outcome) {
      this.record(started, exchange, outcome.error, attempts);
      throw outcome.error;
    }
    this.record(started, exchange, undefined, attempts, outcome.entry.requestId);
    return outcome.entry;
  }

  /** Calls STS, retrying transient failures; caches the entry it returns. */
  private async exchange(exchange: Exchange): Promise<Outcome> {
    const started = this.now();
    const tokenExpMs = exchange.claims.exp * 1000;
    for (let attempt = 1; ; attempt++) {
      const issuedAt = this.now();
      const remaining = Math.ceil((tokenExpMs - issuedAt) / 1000);
      try {
        const { AssumeRoleWithWebIdentityCommand } = loadSts();
        const output = await (await this.sts()).send(new AssumeRoleWithWebIdentityCommand({
          RoleArn: exchange.roleArn,
          RoleSessionName: exchange.sessionName,
          WebIdentityToken: exchange.token,
          DurationSeconds: Math.min(this.durationSeconds, Math.max(MIN_DURATION_SECONDS, remaining)),
          Policy: exchange.policy,
        }));
        const entry = this.entryOf(output, issuedAt, tokenExpMs);
        this.store(exchange.key, entry);
        return { entry, attempts: attempt };
      } catch (error) {
        const mapped = mapWebIdentityError(error);
        const bound = this.baseDelayMs * 2 ** (attempt - 1);
        const delay = Math.floor(this.random() * bound);
        const elapsed = this.now() - started;
        if (!mapped.retryable || attempt >= this.maxAttempts || elapsed + delay > this.retryBudgetMs
          || this.now() + delay >= tokenExpMs) {
          return { error: mapped, attempts: attempt };
        }
        await this.sleep(delay);
      }
    }
  }

  private entryOf(output: AssumeRoleWithWebIdentityCommandOutput, issuedAt: number, tokenExpMs: number): CacheEntry {
    const c = output.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw new CallerCredentialsError('sts_invalid_response', 503, 'STS answered without complete credentials.');
    }
    const stsExpMs = c.Expiration.getTime();
    // Fresh credentials would be bounded by the same exp, so a token-bound entry is served until exp.
    const refreshAt = tokenExpMs <= stsExpMs
      ? tokenExpMs
      : stsExpMs - Math.min(this.refreshMarginMs, Math.max(0, (stsExpMs - issuedAt) / 2));
    return {
      credentials: {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
        expiration: new Date(Math.min(stsExpMs, tokenExpMs)),
      },
      refreshAt,
      requestId: output.$metadata?.requestId,
    };
  }

  private store(key: string, entry: CacheEntry): void {
    this.cache.delete(key);
    this.cache.set(key, entry);
    while (this.cache.size > this.maxEntries) {
      this.cache.delete(this.cache.keys().next().value as string);
    }
  }

  private async sts(): Promise<STSClient> {
    if (!this.client) {
      const { STSClient } = loadSts();
      this.client ??= new STSClient({ region: this.region, maxAttempts: 1, useGlobalEndpoint: false });
    }
    return this.client;
  }

  private record(
    started: number,
    exchange: Partial<Pick<Exchange, 'claims' | 'roleArn' | 'sessionName'>>,
    error: CallerCredentialsError | undefined,
    attempts: number,
    requestId?: string,
  ): void {
    this.audit?.record({
      kind: 'web_identity',
      outcome: error ? 'failed' : attempts > 0 ? 'issued' : 'cached',
      errorCode: error?.code,
      sub: typeof exchange.claims?.sub === 'string' ? exchange.claims.sub : undefined,
      clientId: clientIdOf(exchange.claims, this.clientClaims),
      roleArn: exchange.roleArn,
      sessionName: exchange.sessionName,
      requestId: requestId ?? stsRequestId(error?.cause),
      latencyMs: Math.max(0, this.now() - started),
      attempts,
    });
  }
}

/**
 * A valid STS `RoleSessionName` (2-64 of `[\w+=,.@-]`) for any string, different for different
 * strings. The string itself when STS accepts it, it has no capital letter, and it does not end like
 * an encoded name; otherwise the encoded name: its valid characters (others replaced by `_`), cut to
 * leave room, then `.` and 24 hex characters (96 bits) of the SHA-256 of its UTF-16 code units
 * (`auth0|abc` -> `auth0_abc.<hash>`).
 *
 * Why this is injective (up to a SHA-256 collision): a name kept as it is never ends in `.` and 24
 * hex characters, and every encoded name does, so no kept name equals an encoded one; two kept names
 * are their subjects; two encoded names are equal only if their hashes are. Capital letters are
 * encoded, so that the names of two subjects differ even if some AWS component compared session
 * names without regard to case (AWS does not say it does not), and the hash is lowercase hex for
 * the same reason.
 */
export function toSessionName(subject: string): string {
  if (SESSION_NAME.test(subject) && !/[A-Z]/.test(subject) && !ENCODED_SESSION_NAME.test(subject)) {
    return subject;
  }
  const mapped = Array.from(subject, (ch) => (SESSION_NAME_CHAR.test(ch) ? ch : '_')).join('');
  // UTF-16 code units, not UTF-8: UTF-8 turns every lone surrogate (JSON may hold one) into U+FFFD.
  return encodedSessionName(mapped, createHash('sha256').update(subject, 'utf16le').digest('hex'));
}

/** The session name of an exchange: the subject's, or, without a string one, `token.<hash of the token>`. */
function sessionNameFor(subject: unknown, tokenHash: string): string {
  // No subject's name is `token.<hash>`: `token` is kept as it is, so no encoded name has that prefix.
  return typeof subject === 'string' ? toSessionName(subject) : encodedSessionName('token', tokenHash);
}

function encodedSessionName(prefix: string, hexHash: string): string {
  return `${prefix.slice(0, 64 - 1 - SESSION_HASH_CHARS)}.${hexHash.slice(0, SESSION_HASH_CHARS)}`;
}

/** The token of an event's single `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(event: BearerEvent): string | undefined {
  const values: string[] = [];
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (name.toLowerCase() === 'authorization' && value !== undefined) {
      values.push(value);
    }
  }
  for (const [name, list] of Object.entries(event.multiValueHeaders ?? {})) {
    if (name.toLowerCase() === 'authorization' && list) {
      // API Gateway repeats the last value in `headers`: count distinct values, not copies.
      values.push(...list.filter((v) => !values.includes(v)));
    }
  }
  if (values.length !== 1) {
    return undefined;
  }
  return BEARER.exec(values[0])?.[1];
}

/** Maps an error of the STS call to the CallerCredentialsError a handler answers with. */
export function mapWebIdentityError(error: unknown): CallerCredentialsError {
  if (error instanceof CallerCredentialsError) {
    return error;
  }
  const e = (error ?? {}) as { name?: string; message?: string; $fault?: string; $metadata?: { httpStatusCode?: number } };
  const name = e.name ?? '';
  const status = e.$metadata?.httpStatusCode;
  const fail = (code: string, httpStatus: 401 | 403 | 500 | 503, message: string, retryable = httpStatus === 503) =>
    new CallerCredentialsError(code, httpStatus, `${message} (STS ${name || 'error'})`, retryable, { cause: error });
  switch (name) {
    case 'ExpiredTokenException':
    case 'ExpiredToken':
      return fail('expired_token', 401, 'The identity provider token has expired.');
    case 'IDPRejectedClaimException':
    case 'IDPRejectedClaim':
      return fail('idp_rejected_claim', 403, 'STS rejected a claim of the token for this role.');
    case 'InvalidIdentityTokenException':
    case 'InvalidIdentityToken':
      return VERIFICATION_KEY_MESSAGE.test(e.message ?? '')
        ? fail('idp_unavailable', 503, 'STS could not retrieve the identity provider\'s verification key.')
        : fail('invalid_identity_token', 401, 'STS could not validate the token.');
    case 'IDPCommunicationErrorException':
    case 'IDPCommunicationError':
      return fail('idp_unavailable', 503, 'STS could not reach the identity provider.');
    case 'AccessDenied':
    case 'AccessDeniedException':
      return fail('access_denied', 403, 'The role\'s trust policy does not admit this token.');
    case 'MalformedPolicyDocumentException':
    case 'MalformedPolicyDocument':
      return fail('malformed_policy_document', 500, 'The session policy is malformed.');
    case 'PackedPolicyTooLargeException':
    case 'PackedPolicyTooLarge':
      return fail('packed_policy_too_large', 500, 'The session policy and the token\'s session tags are too large.');
    case 'RegionDisabledException':
    case 'RegionDisabled':
      return fail('region_disabled', 500, 'STS is not activated in this region for the account.');
  }
  if (THROTTLING.has(name) || status === 429) {
    return fail('sts_throttled', 503, 'STS throttled the request.');
  }
  if (e.$fault === 'server' || (status !== undefined && status >= 500)) {
    return fail('sts_unavailable', 503, 'STS failed.');
  }
  if (status === undefined) {
    // No HTTP answer at all: the connection, DNS or a time-out failed.
    return fail('sts_unavailable', 503, 'STS could not be reached.');
  }
  return fail('sts_rejected_request', 500, 'STS rejected the request.');
}

function decodePayload(token: string): WebIdentityClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !/^[A-Za-z0-9_-]+$/.test(parts[1])) {
    return undefined;
  }
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      return undefined;
    }
    const exp = (payload as { exp?: unknown }).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? payload as WebIdentityClaims : undefined;
  } catch {
    return undefined;
  }
}

/** The first of the client claims the token has, as an own property, when it is a string. */
function clientIdOf(claims: WebIdentityClaims | undefined, clientClaims: readonly string[]): string | undefined {
  const name = claims === undefined ? undefined : clientClaims.find((claim) => Object.hasOwn(claims, claim));
  const id = name === undefined ? undefined : (claims as Record<string, unknown>)[name];
  return typeof id === 'string' ? id : undefined;
}

/**
 * ENV_CLIENT_CLAIMS when it is a JSON array of strings; else (unset, or not such an array: the
 * audit line is not worth failing an exchange for) DEFAULT_CLIENT_CLAIMS.
 */
function clientClaimsOfEnvironment(): readonly string[] {
  const raw = process.env[ENV_CLIENT_CLAIMS];
  if (raw === undefined) return DEFAULT_CLIENT_CLAIMS;
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) && parsed.every((c) => typeof c === 'string') ? parsed : DEFAULT_CLIENT_CLAIMS;
  } catch {
    return DEFAULT_CLIENT_CLAIMS;
  }
}

function stsRequestId(cause: unknown): string | undefined {
  const id = (cause as { $metadata?: { requestId?: unknown } } | undefined)?.$metadata?.requestId;
  return typeof id === 'string' ? id : undefined;
}

function policyText(policy: string | object | undefined): string | undefined {
  return policy === undefined || typeof policy === 'string' ? policy : JSON.stringify(policy);
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
