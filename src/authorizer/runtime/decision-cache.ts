export interface CachedToken {
  /** Epoch seconds; the entry is never served at or after this instant. */
  readonly trustUntil: number;
}

/**
 * A compact JWS split at its last dot: the signature segment (the cache key) and what precedes it,
 * the signing input `header.payload`. A string without a dot has no signing input ('') and can
 * never be served: every entry was stored by a token that passed the compact-JWS check.
 */
export function splitToken(token: string): { readonly key: string; readonly signed: string } {
  const dot = token.lastIndexOf('.');
  return { key: token.slice(dot + 1), signed: dot < 0 ? '' : token.slice(0, dot) };
}

/**
 * Heap allowance per entry besides what `weigh` and the token's characters count: the Map slot,
 * the slot object, the `Bearer ` prefix and the dot of the Authorization value that the key and
 * signing input are slices of. An estimate, not a measurement; on the high side.
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
  /** The signing input (`header.payload`) of the token that stored the entry. */
  readonly signed: string;
  readonly bytes: number;
}

/**
 * What the authorizer derived from verified tokens, so that a token seen again skips the signature
 * check. The caller stores derived facts only (never the claims object) and an entry is only served
 * before its trustUntil, and dropped when found past it.
 *
 * Keyed by the token's signature segment, and served only to the very token that stored it: a hit
 * also needs this token's signing input (`header.payload`) to equal the stored one, so the key and
 * the signing input together are the whole token string, compared character for character. No hash
 * (the SHA-256 key this replaces cost a hash per request, and ~10 ms of cold start to load
 * node:crypto), and no collision argument: two different tokens may share a signature segment (a
 * forger can copy one), but they differ in their signing input, and a mismatch is a miss that
 * leaves the entry alone, so the forged token goes to the signature check like any unknown one.
 * Whether the algorithm is deterministic does not matter: RS256 (RSASSA-PKCS1-v1_5) signs one input
 * one way, while PS256 and ES256 are randomized, so a token signed again is a new key and a miss.
 * The price is the token itself, held as long as its entry is: counted at 2 bytes a character in
 * the entry's weight, within the byte budget, and gone when the entry is evicted or found expired.
 *
 * Bounded LRU, by entry count and by estimated bytes: `weigh` estimates an entry's heap size, which
 * together with the token's characters and ENTRY_OVERHEAD_BYTES is kept under maxBytes; an entry alone
 * over the budget is not stored. A Map keeps insertion order, so a hit is re-inserted at the end and
 * the first key is the least recently used. Setting a key again replaces its entry and weighs it
 * again (an entry that grew).
 */
export class DecisionCache<T extends CachedToken = CachedToken> {
  private readonly entries = new Map<string, Slot<T>>();
  /** The key inserted last, i.e. the most recently used one, which a hit need not move. */
  private newest: string | undefined;
  private total = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
    private readonly weigh: (entry: T) => number,
  ) {}

  /** The entry stored by the token `signed + '.' + key`, if it is still to be trusted at nowSec. */
  public get(key: string, signed: string, nowSec: number): T | undefined {
    const slot = this.entries.get(key);
    if (slot === undefined || slot.signed !== signed) {
      // Another token with this signature segment is not this one: not served, and not evicted for it.
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

  /** Stores the entry of the verified token `signed + '.' + key` (replacing any under that key). */
  public set(key: string, signed: string, entry: T): void {
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.delete(key, old);
    }
    const bytes = ENTRY_OVERHEAD_BYTES + 2 * (key.length + signed.length) + this.weigh(entry);
    if (this.maxEntries === 0 || bytes > this.maxBytes) {
      return;
    }
    // Checked before the loop too: a Map iterator (and its [key, value] array) per insertion showed in the profile.
    if (this.entries.size >= this.maxEntries || this.total + bytes > this.maxBytes) {
      for (const [oldest, slot] of this.entries) {
        if (this.entries.size < this.maxEntries && this.total + bytes <= this.maxBytes) {
          break;
        }
        this.delete(oldest, slot);
      }
    }
    this.entries.set(key, { entry, signed, bytes });
    this.total += bytes;
    this.newest = key;
  }

  /** Entries held. */
  public get size(): number {
    return this.entries.size;
  }

  /** Estimated bytes held: ENTRY_OVERHEAD_BYTES, the token's characters and the weight of each entry. */
  public get bytes(): number {
    return this.total;
  }

  private delete(key: string, slot: Slot<T>): void {
    this.entries.delete(key);
    this.total -= slot.bytes;
  }
}
