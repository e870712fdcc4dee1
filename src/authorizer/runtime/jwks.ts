import type { KeyObject, webcrypto } from 'node:crypto';
import type * as http from 'node:http';
import { monotonicMs } from './clock';
import { isLoopbackHost } from './loopback';
import { MAX_KEYS_PER_KID } from './verify';

// node:http rather than global fetch: fetch loads undici on first use, which measured ~30 ms
// (fetch 37-45 ms vs node:http 9 ms for the first loopback request, Node 20) on a cold start.
// A WebCrypto CryptoKey rather than crypto.createPublicKey: jose verifies with a CryptoKey, so a
// KeyObject is converted again on its first use (export + importKey on Node 20); import + first
// verify measured 0.25 ms (CryptoKey) vs 0.35 ms (createPublicKey) for RS256, about equal for
// ES256/EdDSA. crypto.subtle.importKey with the parameters jose's importJWK passes it, called
// directly: importJWK's module brings jose's JWE algorithm table into the asset (~2.5 KB).

/** The outcome of one JWKS fetch attempt, for logs and metrics. */
export interface JwksFetchResult {
  readonly ok: boolean;
  /**
   * Why the fetch failed: `uri_not_allowed`, `timeout`, `connection_error`, `tls_error`, `redirect`,
   * `http_<status>`, `too_large`, `invalid_json`, `invalid_jwks`, `too_many_keys` or `no_usable_keys`.
   */
  readonly reason?: string;
  readonly latencyMs: number;
  /** Usable keys loaded (0 when the fetch failed). */
  readonly keys: number;
}

/** Options of a {@link JwksCache}: `uri` from the environment, the rest from config.json's `jwks`. */
export interface JwksOptions {
  /**
   * The JWKS URI. `https:`, or `http:` for loopback hosts only (127.0.0.0/8, [::1], localhost).
   * Any other URI fails every fetch (reason `uri_not_allowed`) without sending a request.
   */
  uri: string;
  /** Time box of a whole fetch, connect to last byte. */
  timeoutMs: number;
  /**
   * Minimum time after a fetch settles before getKey may fetch again, for an unknown kid or a
   * background refresh. While no key set was ever loaded, min(cooldownMs, 1 s) after a failure.
   */
  cooldownMs: number;
  /** Response body cap in bytes; a larger body fails the fetch. */
  maxBytes: number;
  /** A set with more keys fails the fetch. */
  maxKeys: number;
  /** Once the key set is older, the next getKey starts a refresh in the background. */
  maxAgeMs: number;
  /**
   * Trusted CA certificate(s), PEM, for an https URI, in place of Node's bundled roots
   * (tests with a self-signed endpoint, private PKI).
   * @default - Node's bundled root CAs
   */
  ca?: string | Buffer;
  /** Called once per fetch attempt, including refused URIs; anything it throws is ignored. */
  onFetch?: (result: JwksFetchResult) => void;
}

/** No key set was ever loaded and the latest fetch attempt failed: no token can be verified. */
export class JwksUnavailableError extends Error {
  constructor(readonly reason: string = 'no_key_set') {
    super(`JWKS unavailable: ${reason}`);
    this.name = 'JwksUnavailableError';
  }
}

/** A key the verifier can use with jose's jwtVerify. */
export type VerificationKey = CryptoKey | KeyObject;

interface KeyType {
  readonly kty: string;
  readonly crv?: string;
  /** The WebCrypto import parameters for a key of this JWS algorithm, as jose's importJWK uses them. */
  readonly importAs: webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams | webcrypto.Algorithm;
}

const ED25519: KeyType = { kty: 'OKP', crv: 'Ed25519', importAs: { name: 'Ed25519' } };

/** What each JWS algorithm needs of a key; anything else (none, HS*, ES256K...) is never resolved. */
const KEY_TYPE_OF_ALG = new Map<string, KeyType>([
  ...[256, 384, 512].flatMap((bits) => [
    [`RS${bits}`, { kty: 'RSA', importAs: { name: 'RSASSA-PKCS1-v1_5', hash: `SHA-${bits}` } }],
    [`PS${bits}`, { kty: 'RSA', importAs: { name: 'RSA-PSS', hash: `SHA-${bits}` } }],
  ] as const),
  ...([['ES256', 'P-256'], ['ES384', 'P-384'], ['ES512', 'P-521']] as const).map(([alg, crv]) =>
    [alg, { kty: 'EC', crv, importAs: { name: 'ECDSA', namedCurve: crv } }] as const),
  ['EdDSA', ED25519],
  ['Ed25519', ED25519],
]);

/**
 * `EdDSA` (RFC 8037) and `Ed25519` (RFC 9864) name the same Ed25519 signatures, so a JWK labelled
 * with one serves tokens labelled with the other; every other alg is its own family.
 */
function familyOf(alg: string): string {
  return alg === 'Ed25519' ? 'EdDSA' : alg;
}

const NO_KEYS: readonly VerificationKey[] = Object.freeze([]);

/** JWK members that carry private or symmetric key material: an issuer that publishes them has leaked a key. */
const SECRET_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'];

const MIN_RSA_MODULUS_BITS = 2048;

/** A container with no keys can verify nothing, so it retries sooner than the unknown-kid cooldown, but
 * no more than once a second, so that a hanging endpoint does not add timeoutMs to every request. */
const COLD_RETRY_MS = 1000;

/** A published key that passed the checks, reduced to the members an import needs. */
interface PublishedKey {
  readonly alg?: string;
  readonly jwk: { kty: string; crv?: string; n?: string; e?: string; x?: string; y?: string };
}

type KeySet = Map<string, PublishedKey[]>;

class FetchFailure extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/**
 * The issuer's signing keys, fetched over HTTPS, cached per container and imported per kid and alg family.
 *
 * Concurrent fetches share one in-flight request. An unknown kid refetches at most once per cooldown
 * (callers arriving while a fetch is in flight wait for it; otherwise, during the cooldown, an unknown
 * kid resolves no keys at once). A failed refetch keeps the last good key set serving.
 *
 * A kid may name more than one key (an issuer that rotates in place, or publishes the next key early
 * under the same kid): every key of that kid that fits the alg is a candidate, in publication order,
 * at most MAX_KEYS_PER_KID of them. A token that none of them verifies may refetch (refetchKeys).
 */
export class JwksCache {
  private readonly url: URL | undefined;
  private keys: KeySet | undefined;
  private loadedAt = 0;
  /** The candidate keys of the current key set by alg family and kid. */
  private imported = new Map<string, Promise<readonly VerificationKey[]>>();
  /** The lists of `imported` that have resolved to at least one key, for peekKeys. */
  private ready = new Map<string, readonly VerificationKey[]>();
  private inFlight: Promise<void> | undefined;
  private lastSettledAt = -Infinity;
  private lastFailure = 'no_key_set';

  constructor(private readonly opts: JwksOptions) {
    this.url = allowedUrl(opts.uri);
  }

  /** Begins the first fetch (call during init); never throws. */
  start(): void {
    if (!this.keys && !this.inFlight) {
      void this.refresh();
    }
  }

  /** The first of getKeys' keys. */
  async getKey(kid: string, alg: string): Promise<VerificationKey | undefined> {
    return (await this.getKeys(kid, alg))[0];
  }

  /**
   * The verification keys for kid+alg, in publication order, at most MAX_KEYS_PER_KID; none when
   * the key set has none usable for that alg.
   * @throws JwksUnavailableError (as a rejection) when no key set was ever loaded and the latest fetch failed.
   */
  async getKeys(kid: string, alg: string): Promise<readonly VerificationKey[]> {
    if (!KEY_TYPE_OF_ALG.has(alg)) {
      return NO_KEYS;
    }
    if (!this.keys) {
      if (!this.inFlight && this.mayFetch()) {
        void this.refresh();
      }
      await this.inFlight;
      if (!this.keys) {
        throw new JwksUnavailableError(this.lastFailure);
      }
    } else if (this.refreshDue()) {
      void this.refresh();
    }

    if (!this.keys.has(kid)) {
      if (this.inFlight) {
        await this.inFlight;
      } else if (this.mayFetch()) {
        await this.refresh();
      } else {
        return NO_KEYS;
      }
      if (!this.keys.has(kid)) {
        return NO_KEYS;
      }
    }
    return this.keysOf(this.keys, kid, alg);
  }

  /**
   * The keys for kid+alg after one more fetch, for a token that none of getKeys' keys verified: the
   * issuer may have published a new key under a kid it already used. The fetch obeys the cooldown
   * of an unknown kid (a fetch in flight is awaited); without one, or when it fails, the current keys,
   * as the same objects, so that the caller can skip the keys it has tried.
   */
  async refetchKeys(kid: string, alg: string): Promise<readonly VerificationKey[]> {
    if (this.inFlight) {
      await this.inFlight;
    } else if (this.mayFetch()) {
      await this.refresh();
    }
    return this.keys?.has(kid) && KEY_TYPE_OF_ALG.has(alg) ? this.keysOf(this.keys, kid, alg) : NO_KEYS;
  }

  /** The first of peekKeys' keys. */
  peekKey(kid: string, alg: string): VerificationKey | undefined {
    return this.peekKeys(kid, alg)?.[0];
  }

  /**
   * The keys that getKeys(kid, alg) would resolve to at once, with no fetch, refresh or import to
   * start; undefined whenever getKeys has any such work to do (then call getKeys). It has no side
   * effects, so the verifier may call it before jose has looked at the rest of the token.
   */
  peekKeys(kid: string, alg: string): readonly VerificationKey[] | undefined {
    return this.keys === undefined || this.refreshDue() ? undefined : this.ready.get(`${familyOf(alg)} ${kid}`);
  }

  private refreshDue(): boolean {
    return !this.inFlight && monotonicMs() - this.loadedAt > this.opts.maxAgeMs && this.mayFetch();
  }

  private mayFetch(): boolean {
    const wait = this.keys ? this.opts.cooldownMs : Math.min(this.opts.cooldownMs, COLD_RETRY_MS);
    return monotonicMs() - this.lastSettledAt >= wait;
  }

  /** Fetches once; never rejects. */
  private refresh(): Promise<void> {
    const started = monotonicMs();
    const fetched = this.url
      ? fetchJson(this.url, this.opts).then((body) => parseKeySet(body, this.opts.maxKeys))
      : Promise.reject(new FetchFailure('uri_not_allowed'));
    const settled = fetched.then(
      (keys) => {
        this.keys = keys;
        this.imported = new Map();
        this.ready = new Map();
        this.loadedAt = monotonicMs();
        this.report({ ok: true, latencyMs: monotonicMs() - started, keys: countKeys(keys) });
      },
      (err: unknown) => {
        this.lastFailure = err instanceof FetchFailure ? err.reason : 'internal_error';
        this.report({ ok: false, reason: this.lastFailure, latencyMs: monotonicMs() - started, keys: 0 });
      },
    ).finally(() => {
      this.inFlight = undefined;
      this.lastSettledAt = monotonicMs();
    });
    this.inFlight = settled;
    return settled;
  }

  private report(result: JwksFetchResult): void {
    try {
      this.opts.onFetch?.(result);
    } catch {
      // Metrics are best effort; they must not break key loading.
    }
  }

  private keysOf(keys: KeySet, kid: string, alg: string): Promise<readonly VerificationKey[]> {
    // A family is one of KEY_TYPE_OF_ALG's names (no spaces), so these ids are unambiguous.
    const family = familyOf(alg);
    const id = `${family} ${kid}`;
    let list = this.imported.get(id);
    if (list === undefined) {
      const want = KEY_TYPE_OF_ALG.get(alg)!;
      const matches = keys.get(kid)!.filter((k) =>
        k.jwk.kty === want.kty && k.jwk.crv === want.crv && (k.alg === undefined || familyOf(k.alg) === family));
      // The map of this key set: a list that settles after the set was replaced must not land in the new one.
      const ready = this.ready;
      // Extractable, as importJWK makes a public key: there is nothing secret to protect.
      list = Promise.all(matches.slice(0, MAX_KEYS_PER_KID).map((match) =>
        crypto.subtle.importKey('jwk', match.jwk, want.importAs, true, ['verify']).then((k): VerificationKey | undefined => k, () => undefined),
      )).then((imported) => {
        const usable = imported.filter((k) => k !== undefined);
        if (usable.length > 0) {
          ready.set(id, usable);
        }
        return usable;
      });
      this.imported.set(id, list);
    }
    return list;
  }
}

function allowedUrl(uri: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if (url.protocol === 'https:') {
    return url;
  }
  return url.protocol === 'http:' && isLoopbackHost(url.hostname) ? url : undefined;
}

function fetchJson(url: URL, opts: JwksOptions): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let settled = false;
    // Loaded on first use, not at module load: node:https (with tls and net) costs ~3 ms of cold start,
    // and an http (loopback) URI never needs it. getBuiltinModule: Node >= 20.16 and 22.3.
    const request: typeof http.request = url.protocol === 'https:' ? process.getBuiltinModule('node:https').request : process.getBuiltinModule('node:http').request;
    // agent: false gives every fetch its own connection, closed afterwards: fetches are rare and a pooled
    // socket idling across Lambda freezes is more likely reset than reused.
    const req = request(url, {
      method: 'GET',
      agent: false,
      headers: { 'accept': 'application/json', 'accept-encoding': 'identity' },
      ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
    });
    const finish = (failure: FetchFailure | undefined, body?: unknown) => {
      if (settled) {
        return;
      }
      settled = true;
      clearTimeout(timer);
      if (failure) {
        req.destroy();
        reject(failure);
      } else {
        resolve(body);
      }
    };
    const fail = (reason: string) => finish(new FetchFailure(reason));
    const timer = setTimeout(() => fail('timeout'), opts.timeoutMs);

    req.on('error', (err: NodeJS.ErrnoException) => fail(/CERT|TLS|SSL/.test(err.code ?? '') ? 'tls_error' : 'connection_error'));
    req.on('response', (res) => {
      res.on('error', () => fail('connection_error'));
      // Without 'end' the peer closed mid-body.
      res.on('close', () => fail('connection_error'));
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400) {
        return fail('redirect');
      }
      if (status !== 200) {
        return fail(`http_${status}`);
      }
      if (Number(res.headers['content-length']) > opts.maxBytes) {
        return fail('too_large');
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > opts.maxBytes) {
          return fail('too_large');
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        if (settled) {
          return;
        }
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks, size).toString('utf8'));
        } catch {
          return fail('invalid_json');
        }
        finish(undefined, body);
      });
    });
    req.end();
  });
}

function parseKeySet(body: unknown, maxKeys: number): KeySet {
  const published = isObject(body) ? body.keys : undefined;
  if (!Array.isArray(published)) {
    throw new FetchFailure('invalid_jwks');
  }
  if (published.length > maxKeys) {
    throw new FetchFailure('too_many_keys');
  }
  const keys: KeySet = new Map();
  for (const raw of published) {
    const key = usableKey(raw);
    if (key) {
      const kid = (raw as { kid: string }).kid;
      keys.set(kid, [...keys.get(kid) ?? [], key]);
    }
  }
  if (keys.size === 0) {
    throw new FetchFailure('no_usable_keys');
  }
  return keys;
}

/** The key reduced to its public members, or undefined when it may not verify signatures here. */
function usableKey(raw: unknown): PublishedKey | undefined {
  if (!isObject(raw) || typeof raw.kid !== 'string' || raw.kid === '') {
    return undefined;
  }
  const { use, key_ops: ops, alg, kty, crv, n, e, x, y } = raw;
  if (use !== undefined && use !== 'sig') {
    return undefined;
  }
  if (ops !== undefined && !(Array.isArray(ops) && ops.includes('verify'))) {
    return undefined;
  }
  if (SECRET_MEMBERS.some((member) => Object.hasOwn(raw, member))) {
    return undefined;
  }
  let jwk: PublishedKey['jwk'];
  if (kty === 'RSA' && isBase64Url(n) && isBase64Url(e) && modulusBits(n) >= MIN_RSA_MODULUS_BITS) {
    jwk = { kty, n, e };
  } else if (kty === 'EC' && (crv === 'P-256' || crv === 'P-384' || crv === 'P-521') && isBase64Url(x) && isBase64Url(y)) {
    jwk = { kty, crv, x, y };
  } else if (kty === 'OKP' && crv === 'Ed25519' && isBase64Url(x)) {
    jwk = { kty, crv, x };
  } else {
    return undefined;
  }
  if (alg === undefined) {
    return { jwk };
  }
  // A key bound to an algorithm it cannot serve (or one we never accept) could never verify anything.
  const want = typeof alg === 'string' ? KEY_TYPE_OF_ALG.get(alg) : undefined;
  return want && want.kty === jwk.kty && want.crv === jwk.crv ? { alg: alg as string, jwk } : undefined;
}

function modulusBits(n: string): number {
  const bytes = Buffer.from(n, 'base64url');
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) {
    i++;
  }
  return i === bytes.length ? 0 : (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]));
}

function isBase64Url(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]+$/.test(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function countKeys(keys: KeySet): number {
  let count = 0;
  for (const list of keys.values()) {
    count += list.length;
  }
  return count;
}
