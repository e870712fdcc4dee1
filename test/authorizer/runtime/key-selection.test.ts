import { AUDIENCE, captureStdout, ISSUER, loadHandler, makeKey, PROFILE, publicJwk, rawConfig, requestEvent, sign, TEST_ENV, validClaims } from './fixtures';
import type { TestKey } from './fixtures';
import type { JwksCache } from '../../../src/authorizer/runtime/jwks';
import { MAX_KEYS_PER_KID, TokenVerifier } from '../../../src/authorizer/runtime/verify';
import type { VerifierOptions } from '../../../src/authorizer/runtime/verify';
import { newCache, useJwksTestServers } from '../../support/jwks-cache';

// Which published keys a token is tried against: every key under its kid that fits its alg (up to
// MAX_KEYS_PER_KID), one refetch when none verifies, and EdDSA/Ed25519 as one family. A real JWKS
// endpoint on 127.0.0.1, key pairs made here, and a clock injected into the verifier.

const { server } = useJwksTestServers();

const NOW_MS = Date.UTC(2030, 0, 1);
const NOW = NOW_MS / 1000;
const CLAIMS = { iss: ISSUER, aud: AUDIENCE, sub: 'user-1', iat: NOW, exp: NOW + 600 };
const OPTIONS: VerifierOptions = {
  issuer: ISSUER,
  audiences: [AUDIENCE],
  audienceClaim: 'aud',
  algorithms: ['RS256', 'EdDSA', 'Ed25519'],
  clockToleranceSeconds: 30,
  profile: PROFILE,
};

/** A verifier on a JwksCache, wired as the Lambda entry point wires it. */
function verifierOf(cache: JwksCache): TokenVerifier {
  return new TokenVerifier(
    OPTIONS,
    (kid, alg) => cache.getKeys(kid, alg),
    () => NOW_MS,
    (kid, alg) => cache.peekKeys(kid, alg),
    (kid, alg) => cache.refetchKeys(kid, alg),
  );
}

/** The reason code a verification was refused with, or 'verified'. */
function outcome(p: Promise<unknown>): Promise<string> {
  return p.then(() => 'verified', (err: { reason?: string }) => err.reason ?? `unexpected: ${String(err)}`);
}

/** `n` RS256 key pairs that all carry the kid `kid`. */
function keysUnderOneKid(n: number, kid: string): Promise<TestKey[]> {
  return Promise.all(Array.from({ length: n }, () => makeKey('RS256', kid)));
}

describe('keys published under one kid', () => {
  test('should try the second key of a kid when the first does not verify, without a refetch', async () => {
    // GIVEN
    const [wrong, signer] = await keysUnderOneKid(2, 'shared');
    const s = await server({ keys: [await publicJwk(wrong), await publicJwk(signer)] });
    const verifier = verifierOf(newCache(s.url).cache);
    const token = await sign(signer, CLAIMS);
    // WHEN
    const first = await outcome(verifier.verify(token));
    const again = await outcome(verifier.verify(token));
    // THEN
    expect([first, again]).toEqual(['verified', 'verified']);
    expect(s.requests).toHaveLength(1);
  });

  test(`should try at most ${MAX_KEYS_PER_KID} keys of a kid, in publication order`, async () => {
    // GIVEN
    const keys = await keysUnderOneKid(MAX_KEYS_PER_KID + 1, 'crowded');
    const s = await server({ keys: await Promise.all(keys.map(publicJwk)) });
    const verifier = verifierOf(newCache(s.url).cache);
    // WHEN
    const lastTried = await outcome(verifier.verify(await sign(keys[MAX_KEYS_PER_KID - 1], CLAIMS)));
    const beyond = await outcome(verifier.verify(await sign(keys[MAX_KEYS_PER_KID], CLAIMS)));
    // THEN
    expect(lastTried).toBe('verified');
    expect(beyond).toBe('bad_signature');
  });

  test('should refetch once when no key of a known kid verifies, and verify with a key published since', async () => {
    // GIVEN: the issuer adds a second key under the kid it already uses
    const [old, rotated] = await keysUnderOneKid(2, 'in-place');
    const s = await server({ keys: [await publicJwk(old)] });
    const { cache, fetches } = newCache(s.url, { cooldownMs: 0 });
    const verifier = verifierOf(cache);
    expect(await outcome(verifier.verify(await sign(old, CLAIMS)))).toBe('verified');
    s.jwks = { keys: [await publicJwk(old), await publicJwk(rotated)] };
    // WHEN
    const result = await outcome(verifier.verify(await sign(rotated, CLAIMS)));
    // THEN
    expect(result).toBe('verified');
    expect(fetches.map((f) => [f.ok, f.keys])).toEqual([[true, 1], [true, 2]]);
  });

  test('should refuse a token no key verifies with bad_signature, refetching at most once per cooldown', async () => {
    // GIVEN
    const [published, impostor] = await keysUnderOneKid(2, 'rsa-1');
    const s = await server({ keys: [await publicJwk(published)] });
    const verifier = verifierOf(newCache(s.url).cache);
    expect(await outcome(verifier.verify(await sign(published, CLAIMS)))).toBe('verified');
    // WHEN: the cooldown (60 s in these tests) began with the first fetch
    const forged = await Promise.all([1, 2, 3].map(async () => outcome(verifier.verify(await sign(impostor, CLAIMS)))));
    // THEN
    expect(forged).toEqual(['bad_signature', 'bad_signature', 'bad_signature']);
    expect(s.requests).toHaveLength(1);
  });

  test('should report a claim failure of the key that verified, not a signature failure of the others', async () => {
    // GIVEN
    const [wrong, signer] = await keysUnderOneKid(2, 'shared');
    const s = await server({ keys: [await publicJwk(wrong), await publicJwk(signer)] });
    const verifier = verifierOf(newCache(s.url).cache);
    // WHEN
    const result = await outcome(verifier.verify(await sign(signer, { ...CLAIMS, exp: NOW - 3600 })));
    // THEN
    expect(result).toBe('expired');
  });
});

describe('EdDSA and Ed25519', () => {
  test.each([
    ['EdDSA', 'Ed25519'],
    ['Ed25519', 'EdDSA'],
    ['EdDSA', 'EdDSA'],
    ['Ed25519', 'Ed25519'],
  ])('should verify with a JWK labelled %s a token labelled %s', async (jwkAlg, tokenAlg) => {
    // GIVEN
    const ed = await makeKey('EdDSA', 'ed-1');
    const s = await server({ keys: [{ ...(await publicJwk(ed)), alg: jwkAlg }] });
    const verifier = verifierOf(newCache(s.url).cache);
    // WHEN
    const result = await outcome(verifier.verify(await sign({ ...ed, alg: tokenAlg }, CLAIMS)));
    // THEN
    expect(result).toBe('verified');
  });

  test('should keep an Ed25519 JWK away from a token of another family', async () => {
    // GIVEN
    const ed = await makeKey('EdDSA', 'k');
    const rsa = await makeKey('RS256', 'k');
    const s = await server({ keys: [{ ...(await publicJwk(ed)), alg: 'Ed25519' }] });
    const verifier = verifierOf(newCache(s.url).cache);
    // WHEN
    const result = await outcome(verifier.verify(await sign(rsa, CLAIMS)));
    // THEN
    expect(result).toBe('unknown_kid');
  });
});

describe('the Lambda entry point', () => {
  test('should allow a token signed by the second key published under its kid', async () => {
    // GIVEN
    const stdout = captureStdout();
    try {
      const [wrong, signer] = await keysUnderOneKid(2, 'shared');
      const s = await server({ keys: [await publicJwk(wrong), await publicJwk(signer)] });
      const handler = loadHandler(rawConfig(), { ...TEST_ENV, SECURED_API_JWKS_URI: s.url });
      // WHEN
      const result = await handler(requestEvent(`Bearer ${await sign(signer, validClaims())}`, 'GET', '/orders'));
      // THEN
      expect(result.policyDocument.Statement[0].Effect).toBe('Allow');
      expect(stdout.records().filter((r) => r.type === 'authz_decision')).toEqual([expect.objectContaining({ decision: 'allow', kid: 'shared' })]);
    } finally {
      stdout.restore();
    }
  });
});
