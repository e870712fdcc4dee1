import type { JWTPayload } from 'jose';

export interface CachedToken {
  readonly claims: JWTPayload;
  readonly kid: string;
  /** Epoch seconds; the entry is never served at or after this instant. */
  readonly trustUntil: number;
}

/**
 * Verified claims by token, so a token seen again skips the signature check. An entry may also carry
 * what the authorizer derived from those claims (scopes, context, permissions, the latest policy):
 * it is only ever served before trustUntil, so nothing derived from a token outlives the token.
 *
 * The key is the raw token string. That is acceptable because the map lives only in this
 * container's memory, is never logged or serialized, and only a token whose signature verified is
 * ever stored (an attacker cannot fill it with forged tokens). Hashing the key would cost more than
 * the lookup saves and protect nothing the process memory does not already expose.
 *
 * Bounded LRU: a Map keeps insertion order, so a hit is re-inserted at the end and the first key
 * is the least recently used.
 */
export class DecisionCache<T extends CachedToken = CachedToken> {
  private readonly entries = new Map<string, T>();
  /** The key inserted last, i.e. the most recently used one, which a hit need not move. */
  private newest: string | undefined;

  constructor(private readonly maxEntries: number) {}

  public get(token: string, nowSec: number): T | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) {
      return undefined;
    }
    if (nowSec >= entry.trustUntil) {
      this.entries.delete(token);
      return undefined;
    }
    if (token !== this.newest) {
      this.entries.delete(token);
      this.entries.set(token, entry);
      this.newest = token;
    }
    return entry;
  }

  public set(token: string, entry: T): void {
    if (this.maxEntries === 0) {
      return;
    }
    this.entries.delete(token);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    this.entries.set(token, entry);
    this.newest = token;
  }

  public get size(): number {
    return this.entries.size;
  }
}
