import * as net from 'node:net';
import { gzipSync } from 'node:zlib';
import { JwksUnavailableError } from '../../../src/authorizer/runtime/jwks';
import { freezeMonotonicClock } from '../../support/clock';
import { newCache, useJwksTestServers } from '../../support/jwks-cache';
import { closedPort, JwksHandler } from '../../support/jwks-server';
import { generateSigningKey, SigningKey } from '../../support/signing-key';
import { makeTlsCert } from '../../support/tls-cert';
import { waitFor } from '../../support/wait';

// Every test talks to real servers on 127.0.0.1; a wrong implementation must fail, not hang.
//
// Nothing here depends on how fast the machine is. Cooldowns and key-set ages run on a frozen
// monotonic clock that the test moves (freezeMonotonicClock). The time box of a fetch is a real
// timer against a real socket, so those tests assert no durations: only reason 'timeout' (which
// nothing but the time box produces) against a server that never finishes answering, with a
// time box far shorter than the test's timeout. A busy machine can only make the timer fire
// later, never let the server answer. Tests where the time box must NOT fire give it 10 s or more
// for a loopback answer that takes milliseconds.
jest.setTimeout(30_000);

const hang: JwksHandler = () => undefined;
const status = (code: number, headers: Record<string, string> = {}): JwksHandler => (_req, res) => res.writeHead(code, headers).end();
const body = (text: string | Buffer, headers: Record<string, string> = {}): JwksHandler => (_req, res) => res.writeHead(200, headers).end(text);

/** Streams chunks for as long as the client keeps reading; never ends the body. */
const endless = (headers: Record<string, string | number>): JwksHandler => (_req, res) => {
  res.writeHead(200, headers);
  const chunk = Buffer.alloc(16 * 1024, 0x20);
  const pump = () => {
    while (!res.destroyed && res.write(chunk)) {
      // keep filling the socket buffer
    }
  };
  res.on('drain', pump);
  pump();
};

let keyA: SigningKey;
let keyB: SigningKey;
const tarpits: net.Server[] = [];
const { server } = useJwksTestServers(() => {
  for (const t of tarpits.splice(0)) t.close();
});

beforeAll(() => {
  keyA = generateSigningKey('RS256', { kid: 'key-a' });
  keyB = generateSigningKey('ES256', { kid: 'key-b' });
});

describe('unreachable endpoint', () => {
  test('should fail closed with one fetch when the connection is refused', async () => {
    // GIVEN
    const port = await closedPort();
    const { cache, fetches } = newCache(`http://127.0.0.1:${port}/jwks`);
    // WHEN
    const result = cache.getKey('key-a', 'RS256');
    // THEN
    await expect(result).rejects.toBeInstanceOf(JwksUnavailableError);
    await expect(result).rejects.toMatchObject({ reason: 'connection_error' });
    expect(fetches).toEqual([expect.objectContaining({ ok: false, reason: 'connection_error', keys: 0 })]);
  });

  test('should give up on an endpoint that accepts but never answers within the time box', async () => {
    // GIVEN
    const s = await server(undefined, { handler: hang });
    const { cache, fetches } = newCache(s.url, { timeoutMs: 300 });
    // WHEN
    const result = cache.getKey('key-a', 'RS256');
    // THEN: the server never answers, so only the time box can end the fetch
    await expect(result).rejects.toMatchObject({ reason: 'timeout' });
    expect(s.requests).toHaveLength(1);
    expect(fetches).toHaveLength(1);
  });

  test('should give up on an https endpoint that accepts TCP but never completes TLS', async () => {
    // GIVEN
    const tarpit = net.createServer(() => undefined);
    const sockets: net.Socket[] = [];
    tarpit.on('connection', (socket) => sockets.push(socket));
    tarpit.on('close', () => sockets.forEach((socket) => socket.destroy()));
    await new Promise<void>((resolve) => tarpit.listen(0, '127.0.0.1', () => resolve()));
    tarpits.push(tarpit);
    const port = (tarpit.address() as net.AddressInfo).port;
    const { cache } = newCache(`https://127.0.0.1:${port}/jwks`, { timeoutMs: 300 });
    // WHEN
    const result = cache.getKey('key-a', 'RS256');
    // THEN: the handshake never completes, so only the time box can end the fetch
    await expect(result).rejects.toMatchObject({ reason: 'timeout' });
    expect(sockets).toHaveLength(1);
    sockets.forEach((socket) => socket.destroy());
  });

  test('should give up on a slow-drip body within the time box', async () => {
    // GIVEN: a valid JWKS, one byte every 20 ms, which takes 8 s or more (longer on a busy machine):
    // a time box that only counted idle time would let it finish and succeed
    const text = JSON.stringify({ keys: [keyA.publicJwk] });
    const s = await server(undefined, {
      handler: (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        let i = 0;
        const drip = setInterval(() => {
          if (res.destroyed || i >= text.length) {
            clearInterval(drip);
            return;
          }
          res.write(text[i++]);
        }, 20);
        res.on('close', () => clearInterval(drip));
      },
    });
    const { cache } = newCache(s.url, { timeoutMs: 300 });
    // WHEN
    const result = cache.getKey('key-a', 'RS256');
    // THEN
    await expect(result).rejects.toMatchObject({ reason: 'timeout' });
    expect(s.requests).toHaveLength(1);
  });

  test('should fail when the connection drops mid-body', async () => {
    // GIVEN
    const s = await server(undefined, {
      handler: (req, res) => {
        res.writeHead(200, { 'content-length': 1000 });
        res.write('{"keys":[', () => req.socket.destroy());
      },
    });
    const { cache } = newCache(s.url);
    // WHEN
    const result = cache.getKey('key-a', 'RS256');
    // THEN
    await expect(result).rejects.toMatchObject({ reason: 'connection_error' });
  });
});

describe('bad responses', () => {
  test.each([
    ['non-JSON text', body('hello'), 'invalid_json'],
    ['an HTML error page', body('<html><body>Oops</body></html>', { 'content-type': 'text/html' }), 'invalid_json'],
    ['truncated JSON', body('{"keys":['), 'invalid_json'],
    ['an empty body', body(''), 'invalid_json'],
    ['a gzip body although identity was asked', body(gzipSync(JSON.stringify({ keys: [] })), { 'content-encoding': 'gzip' }), 'invalid_json'],
    ['a JSON array', body('[]'), 'invalid_jwks'],
    ['JSON null', body('null'), 'invalid_jwks'],
    ['JSON without keys', body('{"issuer":"https://example.com"}'), 'invalid_jwks'],
    ['keys that is not an array', body('{"keys":{"kid":"key-a"}}'), 'invalid_jwks'],
    ['HTTP 500', status(500), 'http_500'],
    ['HTTP 502', status(502), 'http_502'],
    ['HTTP 503', status(503), 'http_503'],
    ['HTTP 504', status(504), 'http_504'],
    ['HTTP 404', status(404), 'http_404'],
    ['HTTP 204', status(204), 'http_204'],
  ])('should fail the fetch on %s, cold and warm', async (_name, handler, reason) => {
    // GIVEN: cold
    const s = await server({ keys: [keyA.publicJwk] }, { handler });
    const { cache, fetches } = newCache(s.url, { cooldownMs: 0 });
    // WHEN
    const cold = cache.getKey('key-a', 'RS256');
    // THEN
    await expect(cold).rejects.toMatchObject({ name: 'JwksUnavailableError', reason });
    expect(fetches).toEqual([expect.objectContaining({ ok: false, reason, keys: 0 })]);

    // GIVEN: warm, then the same fault
    const warm = newCache(s.url, { cooldownMs: 0 });
    s.handler = (_req, res) => res.writeHead(200).end(JSON.stringify({ keys: [keyA.publicJwk] }));
    expect(await warm.cache.getKey('key-a', 'RS256')).toBeDefined();
    s.handler = handler;
    // WHEN: an unknown kid makes it refetch
    const unknown = await warm.cache.getKey('key-new', 'RS256');
    // THEN: unknown kid is just unknown, and the last good key keeps serving
    expect(unknown).toBeUndefined();
    expect(await warm.cache.getKey('key-a', 'RS256')).toBeDefined();
    expect(warm.fetches.map((f) => f.reason)).toEqual([undefined, reason]);
    expect(s.requests).toHaveLength(3);
  });
});

describe('redirects', () => {
  test.each([301, 302, 303, 307, 308])('should treat a %d as a failure and never follow it', async (code) => {
    // GIVEN
    const elsewhere = await server({ keys: [keyA.publicJwk, keyB.publicJwk] });
    const s = await server(undefined, { handler: status(code, { location: elsewhere.url }) });
    const { cache, fetches } = newCache(s.url);
    // WHEN
    const result = cache.getKey('key-a', 'RS256');
    // THEN
    await expect(result).rejects.toMatchObject({ reason: 'redirect' });
    expect(fetches).toEqual([expect.objectContaining({ ok: false, reason: 'redirect' })]);
    expect(s.requests).toHaveLength(1);
    expect(elsewhere.requests).toHaveLength(0);
  });

  test('should not pick up keys from a redirect target after warm-up', async () => {
    // GIVEN
    const elsewhere = await server({ keys: [keyA.publicJwk, keyB.publicJwk] });
    const s = await server({ keys: [keyA.publicJwk] });
    const { cache } = newCache(s.url, { cooldownMs: 0 });
    expect(await cache.getKey('key-a', 'RS256')).toBeDefined();
    s.handler = status(302, { location: elsewhere.url });
    // WHEN
    const redirectedKid = await cache.getKey('key-b', 'ES256');
    // THEN
    expect(redirectedKid).toBeUndefined();
    expect(await cache.getKey('key-a', 'RS256')).toBeDefined();
    expect(s.requests).toHaveLength(2);
    expect(elsewhere.requests).toHaveLength(0);
  });
});

describe('size caps', () => {
  const jwksOfSize = (size: number): string => {
    const text = JSON.stringify({ keys: [keyA.publicJwk] });
    return text + ' '.repeat(size - Buffer.byteLength(text));
  };

  test('should refuse a declared content-length above the cap before reading the body', async () => {
    // GIVEN: headers announce 10 MB, then nothing comes (a reader that waited for it would end in 'timeout')
    const s = await server(undefined, { handler: (_req, res) => res.writeHead(200, { 'content-length': 10 * 1024 * 1024 }).write('{') });
    const { cache } = newCache(s.url, { timeoutMs: 10_000 });
    // WHEN
    const result = cache.getKey('key-a', 'RS256');
    // THEN
    await expect(result).rejects.toMatchObject({ reason: 'too_large' });
  });

  test('should abort an endless body without content-length as soon as it crosses the cap', async () => {
    // GIVEN
    const s = await server(undefined, { handler: endless({ 'content-type': 'application/json' }) });
    const { cache, fetches } = newCache(s.url, { timeoutMs: 10_000 });
    // WHEN
    const result = cache.getKey('key-a', 'RS256');
    // THEN: too_large, not timeout: it stopped at the cap
    await expect(result).rejects.toMatchObject({ reason: 'too_large' });
    expect(fetches).toEqual([expect.objectContaining({ ok: false, reason: 'too_large' })]);
  });

  test.each([
    ['with content-length', true],
    ['chunked', false],
  ])('should accept a body of exactly maxBytes and refuse one byte more (%s)', async (_name, declareLength) => {
    // GIVEN
    const maxBytes = 4096;
    const serve = (text: string): JwksHandler => (_req, res) => {
      res.writeHead(200, declareLength ? { 'content-length': Buffer.byteLength(text) } : {});
      // Two writes so that the chunked variant really is streamed in pieces.
      res.write(text.slice(0, 100));
      res.end(text.slice(100));
    };
    const atCap = await server(undefined, { handler: serve(jwksOfSize(maxBytes)) });
    const overCap = await server(undefined, { handler: serve(jwksOfSize(maxBytes + 1)) });
    // WHEN
    const ok = newCache(atCap.url, { maxBytes }).cache.getKey('key-a', 'RS256');
    const tooLarge = newCache(overCap.url, { maxBytes }).cache.getKey('key-a', 'RS256');
    // THEN
    await expect(ok).resolves.toBeDefined();
    await expect(tooLarge).rejects.toMatchObject({ reason: 'too_large' });
  });
});

describe('degraded after warm-up', () => {
  test('should keep serving the last good keys when the endpoint goes down', async () => {
    // GIVEN
    const s = await server({ keys: [keyA.publicJwk] });
    const { cache, fetches } = newCache(s.url, { maxAgeMs: 0, cooldownMs: 0 });
    const warm = await cache.getKey('key-a', 'RS256');
    await s.close();
    // WHEN: every call now also starts a (failing) background refresh
    for (let i = 0; i < 5; i++) {
      expect(await cache.getKey('key-a', 'RS256')).toBe(warm);
      await waitFor(() => fetches.length === i + 2);
    }
    const unknown = await cache.getKey('key-new', 'RS256');
    // THEN
    expect(unknown).toBeUndefined();
    expect(fetches[0]).toMatchObject({ ok: true });
    expect(fetches.slice(1).every((f) => !f.ok && f.reason === 'connection_error')).toBe(true);
    expect(s.requests).toHaveLength(1);
  });

  test('should not make callers wait for a background refresh that hangs', async () => {
    // GIVEN
    const clock = freezeMonotonicClock();
    const s = await server({ keys: [keyA.publicJwk] });
    const { cache, fetches } = newCache(s.url, { maxAgeMs: 50, cooldownMs: 0, timeoutMs: 1000 });
    await cache.getKey('key-a', 'RS256');
    s.handler = hang;
    clock.advance(51);
    // WHEN
    const keys = await Promise.all([cache.getKey('key-a', 'RS256'), cache.getKey('key-a', 'RS256')]);
    // THEN: answered from the old set while the refresh is still in flight
    expect(keys.every((k) => k !== undefined)).toBe(true);
    expect(fetches).toHaveLength(1);
    await waitFor(() => fetches.length === 2);
    expect(fetches[1]).toMatchObject({ ok: false, reason: 'timeout' });
    expect(s.requests).toHaveLength(2);
  });
});

describe('key rotation', () => {
  test('should pick up a new kid and drop a removed one', async () => {
    // GIVEN
    const clock = freezeMonotonicClock();
    const s = await server({ keys: [keyA.publicJwk] });
    const { cache, fetches } = newCache(s.url, { cooldownMs: 200, maxAgeMs: 200 });
    expect(await cache.getKey('key-a', 'RS256')).toBeDefined();
    expect(await cache.getKey('key-b', 'ES256')).toBeUndefined();
    expect(s.requests).toHaveLength(1);

    // WHEN: the issuer adds key-b, and the cooldown has passed
    s.jwks = { keys: [keyA.publicJwk, keyB.publicJwk] };
    clock.advance(200);
    const added = await cache.getKey('key-b', 'ES256');
    // THEN
    expect(added).toBeDefined();
    expect(await cache.getKey('key-a', 'RS256')).toBeDefined();
    expect(s.requests).toHaveLength(2);

    // WHEN: the issuer removes key-a; the next call past maxAge refreshes in the background
    s.jwks = { keys: [keyB.publicJwk] };
    clock.advance(201);
    expect(await cache.getKey('key-b', 'ES256')).toBeDefined();
    await waitFor(() => fetches.length === 3);
    const removed = await cache.getKey('key-a', 'RS256');
    // THEN: key-a is gone at once, and being unknown within the cooldown it costs no fetch
    expect(removed).toBeUndefined();
    expect(s.requests).toHaveLength(3);
  });
});

describe('load', () => {
  test('should make exactly one fetch for a 100-request cold stampede', async () => {
    // GIVEN: a slow endpoint, so that all 100 arrive while the fetch is in flight
    const s = await server({ keys: [keyA.publicJwk] }, {
      handler: (_req, res, self) => setTimeout(() => res.writeHead(200).end(JSON.stringify(self.jwks)), 100),
    });
    const { cache, fetches } = newCache(s.url);
    // WHEN
    const keys = await Promise.all(Array.from({ length: 100 }, () => cache.getKey('key-a', 'RS256')));
    // THEN
    expect(s.requests).toHaveLength(1);
    expect(fetches).toHaveLength(1);
    expect(keys[0]).toBeDefined();
    expect(keys.every((k) => k === keys[0])).toBe(true);
  });

  test('should make exactly one fetch when start() and a 100-request stampede meet a dead endpoint', async () => {
    // GIVEN
    const s = await server(undefined, { handler: (_req, res) => setTimeout(() => res.writeHead(503).end(), 100) });
    const { cache, fetches } = newCache(s.url);
    cache.start();
    // WHEN
    const results = await Promise.allSettled(Array.from({ length: 100 }, () => cache.getKey('key-a', 'RS256')));
    // THEN
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof JwksUnavailableError)).toBe(true);
    expect(s.requests).toHaveLength(1);
    expect(fetches).toHaveLength(1);
  });

  test('should make at most one fetch per cooldown for a flood of 1000 distinct unknown kids', async () => {
    // GIVEN
    const cooldownMs = 500;
    const clock = freezeMonotonicClock();
    const s = await server({ keys: [keyA.publicJwk] }, {
      handler: (_req, res, self) => setTimeout(() => res.writeHead(200).end(JSON.stringify(self.jwks)), 50),
    });
    const { cache } = newCache(s.url, { cooldownMs });
    await cache.getKey('key-a', 'RS256');
    const flood = (round: number) => Promise.all(
      Array.from({ length: 1000 }, (_, i) => cache.getKey(`unknown-${round}-${i}`, 'RS256')));

    // WHEN: within the cooldown of the warm-up fetch
    const inCooldown = await flood(0);
    // THEN
    expect(inCooldown.every((k) => k === undefined)).toBe(true);
    expect(s.requests).toHaveLength(1);

    // WHEN: the cooldown has all but passed
    clock.advance(cooldownMs - 1);
    const justBefore = await flood(3);
    // THEN
    expect(justBefore.every((k) => k === undefined)).toBe(true);
    expect(s.requests).toHaveLength(1);

    // WHEN: the cooldown has passed
    clock.advance(1);
    const afterCooldown = await flood(1);
    const rightAfter = await flood(2);
    // THEN: one refetch, shared by the whole flood; the next flood costs none
    expect(afterCooldown.every((k) => k === undefined)).toBe(true);
    expect(rightAfter.every((k) => k === undefined)).toBe(true);
    expect(s.requests).toHaveLength(2);
    expect(await cache.getKey('key-a', 'RS256')).toBeDefined();
  });

  test('should answer an unknown kid at once during the cooldown, even from a hanging endpoint', async () => {
    // GIVEN
    const s = await server({ keys: [keyA.publicJwk] });
    const { cache } = newCache(s.url, { cooldownMs: 60_000, timeoutMs: 5000 });
    await cache.getKey('key-a', 'RS256');
    s.handler = hang;
    // WHEN
    const keys = await Promise.all(Array.from({ length: 1000 }, (_, i) => cache.getKey(`unknown-${i}`, 'RS256')));
    // THEN: no fetch was made, so nothing waited for the hanging endpoint (one that did would have
    // waited for its 5 s time box and made a second request)
    expect(keys.every((k) => k === undefined)).toBe(true);
    expect(s.requests).toHaveLength(1);
  });
});

describe('TLS', () => {
  test('should fetch when the endpoint cert is trusted (control)', async () => {
    // GIVEN
    const s = await server({ keys: [keyA.publicJwk] }, { https: true });
    const { cache } = newCache(s.url, { ca: s.cert });
    // WHEN
    const key = await cache.getKey('key-a', 'RS256');
    // THEN
    expect(key).toBeDefined();
    expect(s.requests).toHaveLength(1);
  });

  test.each([
    ['no ca (bundled roots only)', () => undefined],
    ['the ca of another self-signed cert', () => makeTlsCert().cert],
  ])('should fail closed on an untrusted cert with %s', async (_name, ca) => {
    // GIVEN
    const s = await server({ keys: [keyA.publicJwk] }, { https: true });
    const { cache, fetches } = newCache(s.url, { ca: ca() });
    // WHEN
    const result = cache.getKey('key-a', 'RS256');
    // THEN
    await expect(result).rejects.toMatchObject({ name: 'JwksUnavailableError', reason: 'tls_error' });
    expect(fetches).toEqual([expect.objectContaining({ ok: false, reason: 'tls_error' })]);
    expect(s.requests).toHaveLength(0);
  });

  test('should fail closed on a trusted cert issued for another host', async () => {
    // GIVEN
    const tls = makeTlsCert({ subjectAltName: 'DNS:jwks.example.com' });
    const s = await server({ keys: [keyA.publicJwk] }, { https: true, tls });
    const { cache } = newCache(s.url, { ca: tls.cert });
    // WHEN
    const result = cache.getKey('key-a', 'RS256');
    // THEN
    await expect(result).rejects.toMatchObject({ reason: 'tls_error' });
    expect(s.requests).toHaveLength(0);
  });
});
