import { createHash } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { capturedAudit, config, makeKey, rawConfig, requestEvent, resolverOf, sign, TEST_ENV, validClaims } from './fixtures';
import type { TestKey } from './fixtures';
import { createAuthorizer } from '../../../src/authorizer/runtime/authorizer';
import { parseConfig } from '../../../src/authorizer/runtime/config';
import { DecisionCache, decisionCacheBytes, decisionCacheKey, ENTRY_OVERHEAD_BYTES } from '../../../src/authorizer/runtime/decision-cache';
import type { CachedToken } from '../../../src/authorizer/runtime/decision-cache';
import { TokenVerifier } from '../../../src/authorizer/runtime/verify';

// The decision cache's memory: keyed by a hash of the token, bounded by estimated bytes as well as
// entries, holding what the authorizer derived from a token and nothing else of it. No wall clock:
// trust horizons are plain numbers and tokens expire 600 s after they were made.

interface Sized extends CachedToken {
  readonly size: number;
}
const sized = (size: number, trustUntil = 1000): Sized => ({ size, trustUntil });
const bySize = (e: Sized) => e.size;

/** The keys a cache holds, least recently used first (its private map, read for inspection only). */
const keysOf = (cache: DecisionCache<Sized>) => [...(cache as unknown as { entries: Map<string, unknown> }).entries.keys()];

describe('DecisionCache byte bound', () => {
  test('should keep its accounted bytes within the budget however many large entries arrive', () => {
    // GIVEN: the load, 10,000 distinct entries of about 20 KB each, against a 1 MiB budget
    const budget = 1024 * 1024;
    const cache = new DecisionCache<Sized>(10_000, budget, bySize);
    const per = 20_000 + ENTRY_OVERHEAD_BYTES;
    // WHEN
    let peak = 0;
    for (let i = 0; i < 10_000; i++) {
      cache.set(`k${i}`, sized(20_000));
      peak = Math.max(peak, cache.bytes);
    }
    // THEN
    expect(peak).toBeLessThanOrEqual(budget);
    expect(cache.size).toBe(Math.floor(budget / per));
    expect(cache.bytes).toBe(cache.size * per);
    expect(cache.get('k9999', 0)).toBeDefined();
    expect(cache.get(`k${9999 - cache.size}`, 0)).toBeUndefined();
  });

  test('should evict the least recently used entries until a new one fits', () => {
    // GIVEN
    const per = 100 + ENTRY_OVERHEAD_BYTES;
    const cache = new DecisionCache<Sized>(100, 3 * per, bySize);
    cache.set('a', sized(100));
    cache.set('b', sized(100));
    cache.set('c', sized(100));
    cache.get('a', 0);
    // WHEN: an entry that needs the room of two
    cache.set('d', sized(100 + per));
    // THEN
    expect(keysOf(cache)).toEqual(['a', 'd']);
    expect(cache.bytes).toBe(3 * per);
  });

  test('should not store an entry over the whole budget, nor evict anything for it', () => {
    // GIVEN
    const cache = new DecisionCache<Sized>(100, 10_000, bySize);
    cache.set('small', sized(10));
    // WHEN
    cache.set('huge', sized(10_000));
    // THEN
    expect(keysOf(cache)).toEqual(['small']);
    expect(cache.bytes).toBe(10 + ENTRY_OVERHEAD_BYTES);
  });

  test('should weigh an entry set again afresh, and release the bytes of an expired one', () => {
    // GIVEN
    const cache = new DecisionCache<Sized>(100, 100_000, bySize);
    cache.set('a', sized(10, 500));
    cache.set('b', sized(10));
    // WHEN
    cache.set('b', sized(5_000));
    const afterResize = cache.bytes;
    const expired = cache.get('a', 500);
    // THEN
    expect(afterResize).toBe(10 + 5_000 + 2 * ENTRY_OVERHEAD_BYTES);
    expect(expired).toBeUndefined();
    expect(cache.bytes).toBe(5_000 + ENTRY_OVERHEAD_BYTES);
    expect(cache.size).toBe(1);
  });
});

describe('decision cache key', () => {
  test('should be the SHA-256 of the token, never the token or a part of it', () => {
    // GIVEN
    const token = `eyJhbGciOiJSUzI1NiJ9.${'x'.repeat(8000)}.c2ln`;
    // WHEN
    const key = decisionCacheKey(token);
    // THEN
    expect(key).toBe(createHash('sha256').update(token).digest('base64url'));
    expect(key).toHaveLength(43);
    expect(decisionCacheKey(`${token.slice(0, -1)}m`)).not.toBe(key);
  });
});

describe('decision cache budget', () => {
  test.each([
    [undefined, 16 * 1024 * 1024],
    ['128', 16 * 1024 * 1024],
    ['256', 32 * 1024 * 1024],
    ['10240', 1280 * 1024 * 1024],
  ])('should take an eighth of AWS_LAMBDA_FUNCTION_MEMORY_SIZE=%s', (memory, bytes) => {
    // WHEN
    const parsed = parseConfig(rawConfig(), memory === undefined ? TEST_ENV : { ...TEST_ENV, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: memory });
    // THEN
    expect(parsed.decisionCache).toEqual({ maxEntries: 10_000, maxBytes: bytes });
    expect(decisionCacheBytes(Number(memory ?? 128))).toBe(bytes);
  });

  test.each(['', '0', 'abc', '256.5', '-1'])('should refuse AWS_LAMBDA_FUNCTION_MEMORY_SIZE=%j', (memory) => {
    // WHEN
    const parse = () => parseConfig(rawConfig(), { ...TEST_ENV, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: memory });
    // THEN
    expect(parse).toThrow(/AWS_LAMBDA_FUNCTION_MEMORY_SIZE must be an integer/);
  });
});

describe('createAuthorizer decision cache', () => {
  let rsa: TestKey;

  beforeAll(async () => {
    rsa = await makeKey('RS256', 'rsa-1');
  });

  let restore = () => undefined as void;

  afterEach(() => restore());

  /** A token of about 8 KB whose scopes (which the cache keeps, as the context does) are large. */
  const largeScopes = (i: number) => sign(rsa, validClaims({
    jti: `t${i}`,
    scope: `orders:read ${Array.from({ length: 300 }, (_, n) => `scope-${i}-${n}`).join(' ')}`.slice(0, 6000),
  }));

  test('should evict by estimated bytes before maxEntries in a small function', async () => {
    // GIVEN: a 1 MB function: a 128 KiB budget, which a few of these entries fill
    const { audit, records } = capturedAudit();
    const cfg = parseConfig(rawConfig(), { ...TEST_ENV, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1' });
    const authorize = createAuthorizer({ config: cfg, audit, resolveKey: resolverOf(rsa) });
    const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => largeScopes(i)));
    for (const token of tokens) {
      await authorize(requestEvent(`Bearer ${token}`));
    }
    // WHEN
    await authorize(requestEvent(`Bearer ${tokens[19]}`));
    await authorize(requestEvent(`Bearer ${tokens[0]}`));
    // THEN
    expect(cfg.decisionCache).toEqual({ maxEntries: 10_000, maxBytes: 128 * 1024 });
    expect(records().slice(20).map((r) => [r.decision, r.cached])).toEqual([['allow', true], ['allow', false]]);
  });

  test('should keep serving from the cache without holding the verified claims object', async () => {
    // GIVEN: a token of about 7 KB, most of it a claim that neither the context, the audit line nor a claim rule reads
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const claimsSeen: Array<WeakRef<object>> = [];
    // Wrapped by hand: a jest spy would itself keep every result it returned.
    const verify = TokenVerifier.prototype.verify;
    TokenVerifier.prototype.verify = async function (this: TokenVerifier, token: string) {
      const verified = await verify.call(this, token);
      claimsSeen.push(new WeakRef(verified.claims));
      return verified;
    };
    restore = () => {
      TokenVerifier.prototype.verify = verify;
    };
    const { audit, records } = capturedAudit();
    const authorize = createAuthorizer({ config: config({ contextClaims: ['tenant'] }), audit, resolveKey: resolverOf(rsa) });
    const token = await sign(rsa, validClaims({ tenant: 'acme', blob: 'b'.repeat(5000) }));
    const first = await authorize(requestEvent(`Bearer ${token}`));
    // WHEN: WeakRef targets stay alive until the current job ends
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    const second = await authorize(requestEvent(`Bearer ${token}`, 'GET', '/orders/{id}'));
    // THEN
    expect(claimsSeen).toHaveLength(1);
    expect(claimsSeen[0].deref()).toBeUndefined();
    expect(records().map((r) => [r.decision, r.cached, r.sub])).toEqual([['allow', false, 'user-1'], ['allow', true, 'user-1']]);
    expect(second.context).toEqual(first.context);
    expect(second.context.tenant).toBe('acme');
  });
});
