import * as fc from 'fast-check';
import { DecisionCache, ENTRY_OVERHEAD_BYTES } from '../../../src/authorizer/runtime/decision-cache';

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

describe('DecisionCache eviction order', () => {
  /** The same contract, written plainly: an array in least-recently-used order. */
  class ReferenceCache {
    readonly slots: Array<{ key: string; trustUntil: number; bytes: number }> = [];
    constructor(private readonly maxEntries: number, private readonly maxBytes: number) {}
    get(key: string, now: number): number | undefined {
      const i = this.slots.findIndex((s) => s.key === key);
      if (i < 0) return undefined;
      const [slot] = this.slots.splice(i, 1);
      if (now >= slot.trustUntil) return undefined;
      this.slots.push(slot);
      return slot.trustUntil;
    }
    set(key: string, trustUntil: number, weight: number): void {
      const i = this.slots.findIndex((s) => s.key === key);
      if (i >= 0) this.slots.splice(i, 1);
      const bytes = ENTRY_OVERHEAD_BYTES + weight;
      if (this.maxEntries === 0 || bytes > this.maxBytes) return;
      while (this.slots.length > 0 && (this.slots.length >= this.maxEntries || this.total() + bytes > this.maxBytes)) this.slots.shift();
      this.slots.push({ key, trustUntil, bytes });
    }
    total(): number {
      return this.slots.reduce((sum, s) => sum + s.bytes, 0);
    }
  }

  test('should hold, serve and evict exactly as a plain least-recently-used list does, across many evictions', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key: fc.integer({ min: 0, max: 40 }), trustUntil: fc.integer({ min: 0, max: 20 }), weight: fc.integer({ min: 0, max: 600 }) }),
      fc.record({ kind: fc.constant('get' as const), key: fc.integer({ min: 0, max: 40 }), now: fc.integer({ min: 0, max: 20 }) }),
    );
    const bounds = [fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 4000 })] as const;
    fc.assert(fc.property(...bounds, fc.array(op, { maxLength: 400 }), (maxEntries, maxBytes, ops) => {
      // GIVEN
      const cache = new DecisionCache<{ trustUntil: number; weight: number }>(maxEntries, maxBytes, (e) => e.weight);
      const reference = new ReferenceCache(maxEntries, maxBytes);
      for (const o of ops) {
        // WHEN
        if (o.kind === 'set') {
          cache.set(`k${o.key}`, { trustUntil: o.trustUntil, weight: o.weight });
          reference.set(`k${o.key}`, o.trustUntil, o.weight);
        } else {
          // THEN every lookup answers alike
          expect(cache.get(`k${o.key}`, o.now)?.trustUntil).toBe(reference.get(`k${o.key}`, o.now));
        }
        expect(cache.size).toBe(reference.slots.length);
        expect(cache.bytes).toBe(reference.total());
      }
    }));
  });
});
