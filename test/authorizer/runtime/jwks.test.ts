import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { JwksUnavailableError } from '../../../src/authorizer/runtime/jwks';
import { freezeMonotonicClock } from '../../support/clock';
import { newCache, useJwksTestServers } from '../../support/jwks-cache';
import { closedPort } from '../../support/jwks-server';
import { generateSigningKey, SigningKey } from '../../support/signing-key';
import { sleep, waitFor } from '../../support/wait';

// Cooldowns and key-set ages are timed on the runtime's monotonic clock: the tests of them freeze it
// (freezeMonotonicClock) and move it by hand, so that no window depends on how fast the machine is.

let rsa: SigningKey;
// Not destructured: the rejection tracker exists only once beforeAll has run.
const harness = useJwksTestServers();
const { server } = harness;

beforeAll(() => {
  rsa = generateSigningKey('RS256', { kid: 'rsa-1' });
});

describe('unhandled rejection tracking', () => {
  test('should see a rejection nobody handles', async () => {
    // GIVEN
    const rejected = Promise.reject(new Error('nobody listens'));
    // WHEN
    await sleep(10);
    // THEN
    expect(harness.rejections.take()).toEqual([new Error('nobody listens')]);
    // Handled late (Node then emits rejectionHandled), so that jest does not fail this test for it.
    rejected.catch(() => undefined);
    await sleep(10);
  });
});

describe('URI policy', () => {
  test('should fetch keys over https when the cert is trusted through ca', async () => {
    // GIVEN
    const s = await server({ keys: [rsa.publicJwk] }, { https: true });
    const { cache, fetches } = newCache(s.url, { ca: s.cert });
    // WHEN
    const key = await cache.getKey('rsa-1', 'RS256');
    // THEN
    expect(key).toBeDefined();
    expect(fetches).toEqual([expect.objectContaining({ ok: true, keys: 1 })]);
    expect(s.requests).toHaveLength(1);
  });

  test.each([
    ['http://127.0.0.1:PORT/jwks', '127.0.0.1'],
    ['http://localhost:PORT/jwks', '127.0.0.1'],
    ['http://127.1:PORT/jwks', '127.0.0.1'],
    ['http://[::1]:PORT/jwks', '::1'],
    ['http://[0:0:0:0:0:0:0:1]:PORT/jwks', '::1'],
  ] as const)('should fetch over http from the loopback URI %s', async (uri, host) => {
    // GIVEN
    const s = await server({ keys: [rsa.publicJwk] }, { host });
    const { cache } = newCache(uri.replace('PORT', String(s.port)));
    // WHEN
    const key = await cache.getKey('rsa-1', 'RS256');
    // THEN
    expect(key).toBeDefined();
    expect(s.requests).toHaveLength(1);
  });

  test.each([
    'http://0.0.0.0:PORT/jwks',
    'http://[::ffff:127.0.0.1]:PORT/jwks',
    'http://127.0.0.1.nip.io:PORT/jwks',
    'http://10.0.0.1/jwks',
    'http://example.com/jwks',
    'ftp://127.0.0.1:PORT/jwks',
    'file:///etc/passwd',
    'not a url',
    '',
  ])('should refuse %s without sending a request', async (uri) => {
    // GIVEN
    const s = await server({ keys: [rsa.publicJwk] });
    const { cache, fetches } = newCache(uri.replace('PORT', String(s.port)));
    // WHEN
    const result = cache.getKey('rsa-1', 'RS256');
    // THEN
    await expect(result).rejects.toThrow(JwksUnavailableError);
    await expect(result).rejects.toMatchObject({ reason: 'uri_not_allowed' });
    expect(fetches).toEqual([expect.objectContaining({ ok: false, reason: 'uri_not_allowed', keys: 0 })]);
    expect(s.requests).toHaveLength(0);
  });
});

describe('key filtering', () => {
  const pub = (kid: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ ...rsa.publicJwk, kid, ...extra });
  const jwkOf = (key: KeyObject) => ({ ...key.export({ format: 'jwk' }), kid: 'bad' });
  const withZeroPaddedModulus = (jwk: Record<string, unknown>, zeros: number) =>
    ({ ...jwk, n: Buffer.concat([Buffer.alloc(zeros), Buffer.from(jwk.n as string, 'base64url')]).toString('base64url') });
  const without = (jwk: Record<string, unknown>, ...members: string[]) => {
    const copy = { ...jwk };
    for (const m of members) delete copy[m];
    return copy;
  };

  test.each([
    ['use "enc"', 'RS256', () => pub('bad', { use: 'enc' })],
    ['key_ops without verify', 'RS256', () => pub('bad', { key_ops: ['encrypt', 'sign'] })],
    ['key_ops not an array', 'RS256', () => pub('bad', { key_ops: 'verify' })],
    ['a numeric kid', 'RS256', () => pub('bad', { kid: 7 })],
    ['an empty kid', 'RS256', () => pub('bad', { kid: '' })],
    ['private RSA material (d)', 'RS256', () => jwkOf(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey)],
    ['private EC material (d)', 'ES256', () => jwkOf(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey)],
    ['private Ed25519 material (d)', 'EdDSA', () => jwkOf(generateKeyPairSync('ed25519').privateKey)],
    ['a 1024-bit modulus', 'RS256', () => jwkOf(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey)],
    ['a 1024-bit modulus zero-padded to 2048 bits', 'RS256', () => withZeroPaddedModulus(jwkOf(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey), 128)],
    ['a 2047-bit modulus', 'RS256', () => jwkOf(generateKeyPairSync('rsa', { modulusLength: 2047 }).publicKey)],
    ['a symmetric key', 'HS256', () => ({ kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA', kid: 'bad' })],
    ['an alg it cannot serve', 'RS256', () => pub('bad', { alg: 'ES256' })],
    ['an alg never accepted', 'RS256', () => pub('bad', { alg: 'HS256' })],
    ['no modulus (x5c only)', 'RS256', () => without(pub('bad', { x5c: ['MIIB'] }), 'n', 'e')],
    ['a non-base64url modulus', 'RS256', () => pub('bad', { n: 'not base64url!' })],
    ['an Ed448 curve', 'EdDSA', () => jwkOf(generateKeyPairSync('ed448').publicKey)],
    ['an unsupported EC curve', 'ES256', () => jwkOf(generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey)],
    ['an unknown kty', 'RS256', () => ({ kty: 'AKP', alg: 'ML-DSA-44', pub: 'AAAA', kid: 'bad' })],
    ['no object at all', 'RS256', () => 'bad'],
  ])('should skip a published key with %s and keep the rest', async (_name, alg, makeBad) => {
    // GIVEN
    const s = await server({ keys: [makeBad(), rsa.publicJwk] });
    const { cache, fetches } = newCache(s.url);
    // WHEN
    const badKey = await cache.getKey('bad', alg);
    const goodKey = await cache.getKey('rsa-1', 'RS256');
    // THEN
    expect(badKey).toBeUndefined();
    expect(goodKey).toBeDefined();
    expect(fetches).toEqual([expect.objectContaining({ ok: true, keys: 1 })]);
  });

  test.each([
    ['use "sig"', () => pub('ok', { use: 'sig' })],
    ['no use', () => pub('ok', { use: undefined })],
    ['key_ops with verify', () => pub('ok', { key_ops: ['verify'] })],
    ['a matching alg', () => pub('ok', { alg: 'RS256' })],
    ['no alg', () => pub('ok', { alg: undefined })],
    ['a leading zero byte in its 2048-bit modulus', () => withZeroPaddedModulus(pub('ok'), 1)],
  ])('should accept a published key with %s', async (_name, makeJwk) => {
    // GIVEN
    const s = await server({ keys: [makeJwk()] });
    const { cache } = newCache(s.url);
    // WHEN
    const key = await cache.getKey('ok', 'RS256');
    // THEN
    expect(key).toBeDefined();
  });

  test('should resolve a key only for the alg the JWK names', async () => {
    // GIVEN
    const s = await server({ keys: [pub('pinned', { alg: 'RS384' })] });
    const { cache } = newCache(s.url);
    // WHEN
    const asRs256 = await cache.getKey('pinned', 'RS256');
    const asRs384 = await cache.getKey('pinned', 'RS384');
    // THEN
    expect(asRs256).toBeUndefined();
    expect(asRs384).toBeDefined();
  });

  test.each([
    ['an RSA key for ES256', 'RS256', 'ES256'],
    ['an RSA key for EdDSA', 'RS256', 'EdDSA'],
    ['a P-256 key for ES384', 'ES256', 'ES384'],
    ['a P-384 key for ES256', 'ES384', 'ES256'],
    ['an Ed25519 key for RS256', 'EdDSA', 'RS256'],
    ['an EC key for PS256', 'ES256', 'PS256'],
  ])('should not resolve %s', async (_name, keyAlg, tokenAlg) => {
    // GIVEN
    const { publicJwk } = generateSigningKey(keyAlg, { kid: 'k' });
    const { alg: _drop, ...unpinned } = publicJwk;
    const s = await server({ keys: [unpinned] });
    const { cache } = newCache(s.url);
    // WHEN
    const key = await cache.getKey('k', tokenAlg);
    // THEN
    expect(key).toBeUndefined();
    expect(await cache.getKey('k', keyAlg)).toBeDefined();
  });

  test.each(['none', 'HS256', 'ES256K', '', 'constructor', '__proto__'])('should never resolve alg %j, nor fetch for it', async (alg) => {
    // GIVEN
    const s = await server({ keys: [rsa.publicJwk] });
    const { cache } = newCache(s.url);
    // WHEN
    const key = await cache.getKey('rsa-1', alg);
    // THEN
    expect(key).toBeUndefined();
    expect(s.requests).toHaveLength(0);
  });

  test.each([
    ['an empty set', { keys: [] }],
    ['only unusable keys', () => ({ keys: [{ ...rsa.publicJwk, use: 'enc' }, { ...rsa.publicJwk, d: 'AAAA' }] })],
  ])('should count %s as a failed fetch', async (_name, body) => {
    // GIVEN
    const s = await server(typeof body === 'function' ? body() : body);
    const { cache, fetches } = newCache(s.url);
    // WHEN
    const result = cache.getKey('rsa-1', 'RS256');
    // THEN
    await expect(result).rejects.toMatchObject({ name: 'JwksUnavailableError', reason: 'no_usable_keys' });
    expect(fetches).toEqual([expect.objectContaining({ ok: false, reason: 'no_usable_keys', keys: 0 })]);
  });

  test('should accept exactly maxKeys keys and fail the fetch above', async () => {
    // GIVEN
    const keys = (n: number) => Array.from({ length: n }, (_, i) => ({ ...rsa.publicJwk, kid: `k${i}` }));
    const atCap = await server({ keys: keys(3) });
    const overCap = await server({ keys: keys(4) });
    const a = newCache(atCap.url, { maxKeys: 3 });
    const b = newCache(overCap.url, { maxKeys: 3 });
    // WHEN
    const key = await a.cache.getKey('k2', 'RS256');
    const result = b.cache.getKey('k2', 'RS256');
    // THEN
    expect(key).toBeDefined();
    expect(a.fetches).toEqual([expect.objectContaining({ ok: true, keys: 3 })]);
    await expect(result).rejects.toMatchObject({ reason: 'too_many_keys' });
  });

  test('should keep every key published under one kid and pick the one that fits the alg', async () => {
    // GIVEN
    const ec = generateSigningKey('ES256', { kid: 'shared' });
    const s = await server({ keys: [{ ...rsa.publicJwk, kid: 'shared' }, ec.publicJwk] });
    const { cache } = newCache(s.url);
    // WHEN
    const rsaKey = await cache.getKey('shared', 'RS256');
    const ecKey = await cache.getKey('shared', 'ES256');
    // THEN
    expect((rsaKey as CryptoKey).algorithm.name).toBe('RSASSA-PKCS1-v1_5');
    expect((ecKey as CryptoKey).algorithm.name).toBe('ECDSA');
  });
});

describe('verification keys', () => {
  test.each(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'])(
    'should resolve a key that jose jwtVerify accepts for %s',
    async (alg) => {
      // GIVEN
      const signer = generateSigningKey(alg, { kid: `kid-${alg}` });
      const other = generateSigningKey(alg, { kid: `kid-${alg}` });
      const token = await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg, kid: `kid-${alg}` }).sign(signer.privateKey);
      const forged = await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg, kid: `kid-${alg}` }).sign(other.privateKey);
      const s = await server({ keys: [signer.publicJwk] });
      const { cache } = newCache(s.url);
      // WHEN
      const key = await cache.getKey(`kid-${alg}`, alg);
      // THEN
      expect(key).toBeDefined();
      const { payload } = await jwtVerify(token, key!, { algorithms: [alg] });
      expect(payload.sub).toBe('alice');
      await expect(jwtVerify(forged, key!, { algorithms: [alg] })).rejects.toThrow('signature verification failed');
    },
  );

  test('should import a key once per kid+alg', async () => {
    // GIVEN
    const s = await server({ keys: [{ ...rsa.publicJwk, alg: undefined }] });
    const { cache } = newCache(s.url);
    // WHEN
    const first = await cache.getKey('rsa-1', 'RS256');
    const again = await cache.getKey('rsa-1', 'RS256');
    const pss = await cache.getKey('rsa-1', 'PS256');
    // THEN
    expect(again).toBe(first);
    expect(pss).not.toBe(first);
    expect((pss as CryptoKey).algorithm.name).toBe('RSA-PSS');
    expect((first as CryptoKey).usages).toEqual(['verify']);
  });

  test('should import only public members of a published key', async () => {
    // GIVEN: members a verifier has no use for must not change what is imported
    const s = await server({ keys: [{ ...rsa.publicJwk, ext: false, x5c: ['garbage'], key_ops: ['verify', 'encrypt'] }] });
    const { cache } = newCache(s.url);
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' }).sign(rsa.privateKey);
    // WHEN
    const key = await cache.getKey('rsa-1', 'RS256');
    // THEN
    await expect(jwtVerify(token, key!)).resolves.toBeDefined();
  });

  test('should resolve undefined when a usable-looking key fails to import', async () => {
    // GIVEN: an EC point that is not on the curve
    const ec = generateSigningKey('ES256', { kid: 'ec' }).publicJwk;
    const s = await server({ keys: [{ ...ec, y: ec.x }, rsa.publicJwk] });
    const { cache } = newCache(s.url);
    // WHEN
    const key = await cache.getKey('ec', 'ES256');
    // THEN
    expect(key).toBeUndefined();
    expect(s.requests).toHaveLength(1);
  });
});

describe('peekKey', () => {
  test('should peek only a key that getKey has resolved, and never fetch', async () => {
    // GIVEN
    const s = await server({ keys: [rsa.publicJwk] });
    const { cache } = newCache(s.url);
    // WHEN
    const cold = cache.peekKey('rsa-1', 'RS256');
    const requestsWhileCold = s.requests.length;
    const key = await cache.getKey('rsa-1', 'RS256');
    // THEN
    expect(cold).toBeUndefined();
    expect(requestsWhileCold).toBe(0);
    expect(cache.peekKey('rsa-1', 'RS256')).toBe(key);
    expect(cache.peekKey('rsa-1', 'PS256')).toBeUndefined();
    expect(cache.peekKey('rsa-2', 'RS256')).toBeUndefined();
    expect(cache.peekKey('rsa-1', 'HS256')).toBeUndefined();
    expect(s.requests).toHaveLength(1);
  });

  test('should peek nothing once a refresh is due, and leave starting it to getKey', async () => {
    // GIVEN
    const next = generateSigningKey('RS256', { kid: 'rsa-2' });
    const clock = freezeMonotonicClock();
    const s = await server({ keys: [rsa.publicJwk] });
    const { cache, fetches } = newCache(s.url, { maxAgeMs: 100, cooldownMs: 0 });
    const first = await cache.getKey('rsa-1', 'RS256');
    s.jwks = { keys: [next.publicJwk] };
    clock.advance(100);
    const atMaxAge = cache.peekKey('rsa-1', 'RS256');
    // WHEN
    clock.advance(1);
    const due = cache.peekKey('rsa-1', 'RS256');
    // Time for a fetch that the peek had started to reach the server.
    await sleep(20);
    const requestsAfterPeek = s.requests.length;
    expect(await cache.getKey('rsa-1', 'RS256')).toBeDefined();
    await waitFor(() => fetches.length === 2);
    // THEN
    expect(atMaxAge).toBe(first);
    expect(due).toBeUndefined();
    expect(requestsAfterPeek).toBe(1);
    expect(cache.peekKey('rsa-1', 'RS256')).toBeUndefined();
    const rotated = await cache.getKey('rsa-2', 'RS256');
    expect(cache.peekKey('rsa-2', 'RS256')).toBe(rotated);
  });
});

describe('fetch lifecycle', () => {
  test('should not throw from start() for a refused URI, and fail getKey closed', async () => {
    // GIVEN
    const { cache, fetches } = newCache('http://203.0.113.7/jwks');
    // WHEN
    expect(() => cache.start()).not.toThrow();
    const result = cache.getKey('rsa-1', 'RS256');
    // THEN
    await expect(result).rejects.toBeInstanceOf(JwksUnavailableError);
    expect(fetches).toHaveLength(1);
  });

  test('should fetch once when start() is called twice and getKey joins it', async () => {
    // GIVEN
    const s = await server({ keys: [rsa.publicJwk] });
    const { cache, fetches } = newCache(s.url);
    // WHEN
    cache.start();
    cache.start();
    const key = await cache.getKey('rsa-1', 'RS256');
    cache.start();
    // THEN
    expect(key).toBeDefined();
    expect(s.requests).toHaveLength(1);
    expect(fetches).toHaveLength(1);
  });

  test('should send a plain GET asking for JSON without compression', async () => {
    // GIVEN
    const s = await server({ keys: [rsa.publicJwk] });
    const { cache } = newCache(s.url);
    // WHEN
    await cache.getKey('rsa-1', 'RS256');
    // THEN
    expect(s.requests[0]).toMatchObject({
      method: 'GET',
      url: '/jwks',
      headers: expect.objectContaining({ 'accept': 'application/json', 'accept-encoding': 'identity' }),
    });
  });

  test('should report each fetch once with its latency and key count', async () => {
    // GIVEN
    const ec = generateSigningKey('ES256');
    const s = await server({ keys: [rsa.publicJwk, ec.publicJwk] });
    const { cache, fetches } = newCache(s.url);
    // WHEN
    await cache.getKey('rsa-1', 'RS256');
    // THEN
    expect(fetches).toHaveLength(1);
    expect(fetches[0]).toEqual({ ok: true, latencyMs: expect.any(Number), keys: 2 });
    expect(fetches[0].latencyMs).toBeGreaterThan(0);
  });

  test('should keep working when onFetch throws', async () => {
    // GIVEN
    const s = await server({ keys: [rsa.publicJwk] });
    const { cache } = newCache(s.url, { onFetch: () => { throw new Error('metrics down'); } });
    // WHEN
    const key = await cache.getKey('rsa-1', 'RS256');
    // THEN
    expect(key).toBeDefined();
  });

  test('should fail fast while cold after a failure, then retry after min(cooldown, 1 s)', async () => {
    // GIVEN
    const port = await closedPort();
    const clock = freezeMonotonicClock();
    const { cache, fetches } = newCache(`http://127.0.0.1:${port}/jwks`, { cooldownMs: 200 });
    await expect(cache.getKey('rsa-1', 'RS256')).rejects.toMatchObject({ reason: 'connection_error' });
    // WHEN
    const during = cache.getKey('rsa-1', 'RS256');
    clock.advance(199);
    const justBefore = cache.getKey('rsa-1', 'RS256');
    // THEN
    await expect(during).rejects.toMatchObject({ reason: 'connection_error' });
    await expect(justBefore).rejects.toMatchObject({ reason: 'connection_error' });
    expect(fetches).toHaveLength(1);
    // WHEN
    clock.advance(1);
    await expect(cache.getKey('rsa-1', 'RS256')).rejects.toThrow(JwksUnavailableError);
    // THEN
    expect(fetches).toHaveLength(2);
  });

  test('should retry a cold failure after 1 s even with a long cooldown', async () => {
    // GIVEN
    const clock = freezeMonotonicClock();
    const s = await server(undefined, { handler: (_req, res) => res.writeHead(503).end() });
    const { cache } = newCache(s.url, { cooldownMs: 60_000 });
    await expect(cache.getKey('rsa-1', 'RS256')).rejects.toMatchObject({ reason: 'http_503' });
    s.handler = (_req, res) => res.writeHead(200).end(JSON.stringify({ keys: [rsa.publicJwk] }));
    await expect(cache.getKey('rsa-1', 'RS256')).rejects.toThrow(JwksUnavailableError);
    clock.advance(999);
    await expect(cache.getKey('rsa-1', 'RS256')).rejects.toThrow(JwksUnavailableError);
    expect(s.requests).toHaveLength(1);
    // WHEN
    clock.advance(1);
    const key = await cache.getKey('rsa-1', 'RS256');
    // THEN
    expect(key).toBeDefined();
    expect(s.requests).toHaveLength(2);
  });

  test('should refresh in the background once keys are older than maxAgeMs, without making getKey wait', async () => {
    // GIVEN
    const next = generateSigningKey('RS256', { kid: 'rsa-2' });
    const clock = freezeMonotonicClock();
    const s = await server({ keys: [rsa.publicJwk] });
    const { cache, fetches } = newCache(s.url, { maxAgeMs: 100, cooldownMs: 0 });
    await cache.getKey('rsa-1', 'RS256');
    let release!: () => void;
    const released = new Promise<void>((resolve) => { release = resolve; });
    s.handler = (_req, res) => {
      void released.then(() => res.writeHead(200).end(JSON.stringify({ keys: [next.publicJwk] })));
    };
    clock.advance(101);
    // WHEN
    const stale = await cache.getKey('rsa-1', 'RS256');
    // THEN: served from the old set while the refresh is still waiting on the server
    expect(stale).toBeDefined();
    await waitFor(() => s.requests.length === 2);
    expect(fetches).toHaveLength(1);
    // WHEN
    release();
    await waitFor(() => fetches.length === 2);
    // THEN
    expect(await cache.getKey('rsa-2', 'RS256')).toBeDefined();
    expect(await cache.getKey('rsa-1', 'RS256')).toBeUndefined();
  });

  test('should retry a failing background refresh at most once per cooldown', async () => {
    // GIVEN
    const clock = freezeMonotonicClock();
    const s = await server({ keys: [rsa.publicJwk] });
    const { cache, fetches } = newCache(s.url, { maxAgeMs: 0, cooldownMs: 300 });
    await cache.getKey('rsa-1', 'RS256');
    s.handler = (_req, res) => res.writeHead(500).end();
    clock.advance(300);
    // WHEN
    for (let i = 0; i < 50; i++) {
      expect(await cache.getKey('rsa-1', 'RS256')).toBeDefined();
    }
    await waitFor(() => fetches.length === 2);
    for (let i = 0; i < 50; i++) {
      expect(await cache.getKey('rsa-1', 'RS256')).toBeDefined();
    }
    clock.advance(299);
    expect(await cache.getKey('rsa-1', 'RS256')).toBeDefined();
    // THEN
    await sleep(20);
    expect(s.requests).toHaveLength(2);
    expect(fetches[1]).toMatchObject({ ok: false, reason: 'http_500' });
    // WHEN: the cooldown has passed
    clock.advance(1);
    expect(await cache.getKey('rsa-1', 'RS256')).toBeDefined();
    await waitFor(() => fetches.length === 3);
    // THEN
    expect(s.requests).toHaveLength(3);
  });
});
