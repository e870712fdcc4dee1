import { restoreClocks } from './clock';
import { JwksServer, JwksServerOptions, startJwksServer } from './jwks-server';
import { trackUnhandledRejections, UnhandledRejections } from './unhandled-rejections';
import { sleep } from './wait';
import { JwksCache, JwksFetchResult, JwksOptions } from '../../src/authorizer/runtime/jwks';

/**
 * JwksCache options for tests: a cooldown long enough to count refetches, and a time box so long
 * that a fetch meant to succeed never times out on a busy machine (tests of the time box set their own).
 */
export const JWKS_TEST_DEFAULTS = { timeoutMs: 10_000, cooldownMs: 60_000, maxBytes: 65_536, maxKeys: 50, maxAgeMs: 3_600_000 };

/** A JwksCache on `uri` that records every fetch it reports. */
export function newCache(uri: string, overrides: Partial<JwksOptions> = {}): { cache: JwksCache; fetches: JwksFetchResult[] } {
  const fetches: JwksFetchResult[] = [];
  const cache = new JwksCache({ uri, ...JWKS_TEST_DEFAULTS, onFetch: (r) => fetches.push(r), ...overrides });
  return { cache, fetches };
}

/** What {@link useJwksTestServers} gives a test file. */
export interface JwksTestServers {
  /** The unhandled rejections seen since the last check. */
  readonly rejections: UnhandledRejections;
  /** Starts a JWKS server on 127.0.0.1 that is closed after the current test. */
  server(jwks?: unknown, options?: JwksServerOptions): Promise<JwksServer>;
}

/**
 * Registers the hooks every JWKS test file needs: servers closed after each test, and no unhandled
 * rejection allowed, checked after a short pause so that late timers and sockets surface theirs.
 * Any clock a test froze (test/support/clock.ts) is restored first, then `cleanup` runs (e.g. to
 * close other sockets the file opened).
 */
export function useJwksTestServers(cleanup: () => void = () => undefined): JwksTestServers {
  const servers: JwksServer[] = [];
  let rejections: UnhandledRejections | undefined;
  beforeAll(() => {
    rejections = trackUnhandledRejections();
  });
  afterEach(async () => {
    restoreClocks();
    await Promise.all(servers.splice(0).map((s) => s.close()));
    cleanup();
    await sleep(20);
    expect(rejections!.take()).toEqual([]);
  });
  afterAll(() => rejections!.stop());
  return {
    get rejections() {
      return rejections!;
    },
    server: async (jwks, options = {}) => {
      const s = await startJwksServer({ jwks, ...options });
      servers.push(s);
      return s;
    },
  };
}
