import { JwksCache, JwksFetchResult, JwksOptions } from '../../src/authorizer/runtime/jwks';

/** JwksCache options for tests: a 2 s timeout and a cooldown long enough to count refetches. */
export const JWKS_TEST_DEFAULTS = { timeoutMs: 2000, cooldownMs: 60_000, maxBytes: 65_536, maxKeys: 50, maxAgeMs: 3_600_000 };

/** A JwksCache on `uri` that records every fetch it reports. */
export function newCache(uri: string, overrides: Partial<JwksOptions> = {}): { cache: JwksCache; fetches: JwksFetchResult[] } {
  const fetches: JwksFetchResult[] = [];
  const cache = new JwksCache({ uri, ...JWKS_TEST_DEFAULTS, onFetch: (r) => fetches.push(r), ...overrides });
  return { cache, fetches };
}
