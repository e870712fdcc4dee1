import type * as nodeCrypto from 'node:crypto';

export interface CachedToken {
  /** Epoch seconds; the entry is never served at or after this instant. */
  readonly trustUntil: number;
}

let hash: typeof nodeCrypto.hash | undefined;

/**
 * The cache key of a token: its SHA-256, so that the cache holds no token, and its size does not
 * grow with the token's. A collision-resistant hash, because a hit skips the signature check: a
 * string that collided with a cached token's key would be served that token's decision.
 */
export function decisionCacheKey(token: string): string {
  // node:crypto is loaded on first use, not at module load: requiring it is a measurable part of a cold
  // start (see the bench's module load), and WebCrypto, which jose uses, does not load it.
  hash ??= process.getBuiltinModule('node:crypto').hash;
  return hash('sha256', token, 'base64url');
}

/**
 * Heap allowance per entry besides what `weigh` counts: the Map slot, the slot object and the
 * 43-character key. An estimate, not a measurement; on the high side.
 */
export const ENTRY_OVERHEAD_BYTES = 256;

/**
 * The decision cache's share of the function's memory (AWS_LAMBDA_FUNCTION_MEMORY_SIZE, MB), in
 * bytes: one eighth, so that a 128 MB function keeps at most 16 MiB of entries (as estimated), and
 * the heap's other tenants (the runtime, jose, the JWKS, the request in flight) keep the rest.
 */
export function decisionCacheBytes(memoryMb: number): number {
  return Math.floor(memoryMb * 1024 * 1024 / 8);
}

interface Slot<T> {
  readonly entry: T;
  readonly bytes: number;
}

/**
 * What the authorizer derived from verified tokens, by token hash (decisionCacheKey), so that a token
 * seen again skips the signature check. The caller stores derived facts only (never the token or
 * its claims object) and an entry is only served before its trustUntil, so nothing derived from a
 * token outlives the token.
 *
 * Bounded LRU, by entry count and by estimated bytes: `weigh` estimates an entry's heap size, which
 * together with ENTRY_OVERHEAD_BYTES is kept under maxBytes; an entry alone over the budget is not
 * stored. A Map keeps insertion order, so a hit is re-inserted at the end and the first key is the
 * least recently used. Setting a key again replaces its entry and weighs it again (an entry that grew).
 */
export class DecisionCache<T extends CachedToken = CachedToken> {
  private readonly entries = new Map<string, Slot<T>>();
  /** The key inserted last, i.e. the most recently used one, which a hit need not move. */
  private newest: string | undefined;
  private total = 0;
  /**
   * Where eviction goes on from: one iterator kept across evictions. A Map iterator visits entries in
   * insertion order, including those inserted after it was made, and skips deleted ones (ECMAScript's
   * Map iteration is live: https://tc39.es/ecma262/#sec-%mapiteratorprototype%.next); every entry before
   * it has been evicted or deleted, so its next entry is the least recently used. A fresh iterator per
   * eviction started at the table's first slot and stepped over every slot that earlier evictions and
   * hits had freed until the next rehash: 1.4 to 9 µs per insertion into a full cache (Node 22, 1,000 to
   * 10,000 entries), against about 0.1 µs for the insertion itself.
   */
  private cursor: Iterator<[string, Slot<T>]> | undefined;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
    private readonly weigh: (entry: T) => number,
  ) {}

  public get(key: string, nowSec: number): T | undefined {
    const slot = this.entries.get(key);
    if (slot === undefined) {
      return undefined;
    }
    if (nowSec >= slot.entry.trustUntil) {
      this.delete(key, slot);
      return undefined;
    }
    if (key !== this.newest) {
      this.entries.delete(key);
      this.entries.set(key, slot);
      this.newest = key;
    }
    return slot.entry;
  }

  public set(key: string, entry: T): void {
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.delete(key, old);
    }
    const bytes = ENTRY_OVERHEAD_BYTES + this.weigh(entry);
    if (this.maxEntries === 0 || bytes > this.maxBytes) {
      return;
    }
    while (this.entries.size > 0 && (this.entries.size >= this.maxEntries || this.total + bytes > this.maxBytes)) {
      let oldest = (this.cursor ??= this.entries.entries()).next();
      if (oldest.done) {
        // Not expected (there is always a live entry after the cursor while the Map holds any), but an
        // iterator that reached its end stays done, and a new one starts at the oldest entry.
        this.cursor = this.entries.entries();
        oldest = this.cursor.next();
      }
      if (oldest.done) {
        break;
      }
      this.delete(oldest.value[0], oldest.value[1]);
    }
    this.entries.set(key, { entry, bytes });
    this.total += bytes;
    this.newest = key;
  }

  /** Entries held. */
  public get size(): number {
    return this.entries.size;
  }

  /** Estimated bytes held: ENTRY_OVERHEAD_BYTES and the weight of each entry. */
  public get bytes(): number {
    return this.total;
  }

  private delete(key: string, slot: Slot<T>): void {
    this.entries.delete(key);
    this.total -= slot.bytes;
  }
}
