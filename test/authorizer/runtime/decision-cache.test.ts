import { DecisionCache } from '../../../src/authorizer/runtime/decision-cache';

const entry = (trustUntil: number) => ({ kid: 'k', trustUntil });
/** A cache bounded by entry count only (decision-cache-memory.test.ts covers the byte bound). */
const cacheOf = (maxEntries: number) => new DecisionCache<ReturnType<typeof entry>>(maxEntries, Infinity, () => 0);

describe('DecisionCache', () => {
  test('should serve an entry until its trust horizon and never at or after it', () => {
    // GIVEN
    const cache = cacheOf(10);
    cache.set('t', entry(1000));
    // WHEN
    const before = cache.get('t', 999);
    const at = cache.get('t', 1000);
    const after = cache.get('t', 999);
    // THEN
    expect(before?.kid).toBe('k');
    expect(at).toBeUndefined();
    expect(after).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  test('should evict the least recently used entry when full', () => {
    // GIVEN
    const cache = cacheOf(2);
    cache.set('a', entry(1000));
    cache.set('b', entry(1000));
    cache.get('a', 0);
    // WHEN
    cache.set('c', entry(1000));
    // THEN
    expect(cache.get('a', 0)).toBeDefined();
    expect(cache.get('b', 0)).toBeUndefined();
    expect(cache.get('c', 0)).toBeDefined();
    expect(cache.size).toBe(2);
  });

  test('should keep evicting the least recently used entry when hits land on the newest one', () => {
    // GIVEN
    const cache = cacheOf(2);
    cache.set('a', entry(1000));
    cache.set('b', entry(1000));
    cache.get('b', 0);
    cache.get('a', 0);
    cache.get('a', 0);
    // WHEN
    cache.set('c', entry(1000));
    // THEN
    expect(cache.get('b', 0)).toBeUndefined();
    expect(cache.get('a', 0)).toBeDefined();
    expect(cache.get('c', 0)).toBeDefined();
  });

  test('should hold nothing when maxEntries is 0', () => {
    // GIVEN
    const cache = cacheOf(0);
    // WHEN
    cache.set('a', entry(1000));
    // THEN
    expect(cache.get('a', 0)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  test('should keep keys like __proto__ apart from the prototype', () => {
    // GIVEN
    const cache = cacheOf(10);
    // WHEN
    const missing = cache.get('__proto__', 0);
    cache.set('__proto__', entry(1000));
    // THEN
    expect(missing).toBeUndefined();
    expect(cache.get('__proto__', 0)?.trustUntil).toBe(1000);
  });
});
