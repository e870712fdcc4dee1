import { DecisionCache } from '../../../src/authorizer/runtime/decision-cache';

const entry = (trustUntil: number) => ({ claims: { sub: 's' }, kid: 'k', trustUntil });

describe('DecisionCache', () => {
  test('should serve an entry until its trust horizon and never at or after it', () => {
    // GIVEN
    const cache = new DecisionCache(10);
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
    const cache = new DecisionCache(2);
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
    const cache = new DecisionCache(2);
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
    const cache = new DecisionCache(0);
    // WHEN
    cache.set('a', entry(1000));
    // THEN
    expect(cache.get('a', 0)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  test('should keep keys like __proto__ apart from the prototype', () => {
    // GIVEN
    const cache = new DecisionCache(10);
    // WHEN
    const missing = cache.get('__proto__', 0);
    cache.set('__proto__', entry(1000));
    // THEN
    expect(missing).toBeUndefined();
    expect(cache.get('__proto__', 0)?.trustUntil).toBe(1000);
  });
});
