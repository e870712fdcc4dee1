import * as fc from 'fast-check';
import { DecisionCache, splitToken } from '../../../src/authorizer/runtime/decision-cache';

const entry = (trustUntil: number) => ({ kid: 'k', trustUntil });
/** A cache bounded by entry count only (decision-cache-memory.test.ts covers the byte bound). */
const cacheOf = (maxEntries: number) => new DecisionCache<ReturnType<typeof entry>>(maxEntries, Infinity, () => 0);

describe('DecisionCache', () => {
  test('should serve an entry until its trust horizon and never at or after it', () => {
    // GIVEN
    const cache = cacheOf(10);
    cache.set('t', 'h.p', entry(1000));
    // WHEN
    const before = cache.get('t', 'h.p', 999);
    const at = cache.get('t', 'h.p', 1000);
    const after = cache.get('t', 'h.p', 999);
    // THEN
    expect(before?.kid).toBe('k');
    expect(at).toBeUndefined();
    expect(after).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  test('should evict the least recently used entry when full', () => {
    // GIVEN
    const cache = cacheOf(2);
    cache.set('a', 'h.p', entry(1000));
    cache.set('b', 'h.p', entry(1000));
    cache.get('a', 'h.p', 0);
    // WHEN
    cache.set('c', 'h.p', entry(1000));
    // THEN
    expect(cache.get('a', 'h.p', 0)).toBeDefined();
    expect(cache.get('b', 'h.p', 0)).toBeUndefined();
    expect(cache.get('c', 'h.p', 0)).toBeDefined();
    expect(cache.size).toBe(2);
  });

  test('should keep evicting the least recently used entry when hits land on the newest one', () => {
    // GIVEN
    const cache = cacheOf(2);
    cache.set('a', 'h.p', entry(1000));
    cache.set('b', 'h.p', entry(1000));
    cache.get('b', 'h.p', 0);
    cache.get('a', 'h.p', 0);
    cache.get('a', 'h.p', 0);
    // WHEN
    cache.set('c', 'h.p', entry(1000));
    // THEN
    expect(cache.get('b', 'h.p', 0)).toBeUndefined();
    expect(cache.get('a', 'h.p', 0)).toBeDefined();
    expect(cache.get('c', 'h.p', 0)).toBeDefined();
  });

  test('should hold nothing when maxEntries is 0', () => {
    // GIVEN
    const cache = cacheOf(0);
    // WHEN
    cache.set('a', 'h.p', entry(1000));
    // THEN
    expect(cache.get('a', 'h.p', 0)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  test('should keep keys like __proto__ apart from the prototype', () => {
    // GIVEN
    const cache = cacheOf(10);
    // WHEN
    const missing = cache.get('__proto__', 'h.p', 0);
    cache.set('__proto__', 'h.p', entry(1000));
    // THEN
    expect(missing).toBeUndefined();
    expect(cache.get('__proto__', 'h.p', 0)?.trustUntil).toBe(1000);
  });

  test('should not serve another token that shares the signature segment, nor evict the entry for it', () => {
    // GIVEN: a forger copies a cached token's signature onto their own header and payload
    const cache = cacheOf(10);
    const real = splitToken('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl');
    const forged = splitToken('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJtYWxsb3J5In0.c2lnbmF0dXJl');
    cache.set(real.key, real.signed, entry(1000));
    // WHEN
    const hit = cache.get(forged.key, forged.signed, 0);
    // THEN
    expect(forged.key).toBe(real.key);
    expect(hit).toBeUndefined();
    expect(cache.get(real.key, real.signed, 0)?.kid).toBe('k');
  });

  test('should serve an entry to exactly the token string that stored it (property)', () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9_-]{0,12}$/);
    const token = fc.tuple(segment, segment, segment).map((parts) => parts.join('.'));
    fc.assert(fc.property(token, fc.oneof(token, fc.string({ maxLength: 40 })), (stored, asked) => {
      // GIVEN
      const cache = cacheOf(10);
      const s = splitToken(stored);
      cache.set(s.key, s.signed, entry(1000));
      // WHEN
      const a = splitToken(asked);
      const hit = cache.get(a.key, a.signed, 0);
      // THEN
      expect(hit !== undefined).toBe(asked === stored);
      expect(cache.size).toBe(1);
    }), { numRuns: 500 });
  });

  test('should split a token at its last dot into the signature segment and the signing input (property)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 60 }), (t) => {
      // WHEN
      const { key, signed } = splitToken(t);
      // THEN: a token with a dot is exactly signed + '.' + key; the key never holds a dot
      expect(key.includes('.')).toBe(false);
      expect(t.includes('.') ? `${signed}.${key}` : key).toBe(t);
      expect(t.includes('.') || signed === '').toBe(true);
    }));
  });
});
