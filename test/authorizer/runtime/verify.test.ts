import { AUDIENCE, clockAt, FIXED_NOW, ISSUER, makeKey, PROFILE, resolverOf, sign, signRaw, validClaims } from './fixtures';
import type { TestKey } from './fixtures';
import { KeysUnavailableError, TokenRejectedError } from '../../../src/authorizer/runtime/errors';
import { TokenVerifier } from '../../../src/authorizer/runtime/verify';
import type { VerifierOptions } from '../../../src/authorizer/runtime/verify';

const OPTIONS: VerifierOptions = {
  issuer: ISSUER,
  audiences: [AUDIENCE, 'api://other'],
  audienceClaim: 'aud',
  algorithms: ['RS256'],
  clockToleranceSeconds: 30,
  profile: PROFILE,
};

let rsa: TestKey;
let ec: TestKey;
let ed: TestKey;

beforeAll(async () => {
  [rsa, ec, ed] = await Promise.all([makeKey('RS256', 'rsa-1'), makeKey('ES256', 'ec-1'), makeKey('EdDSA', 'ed-1')]);
});

async function rejection(p: Promise<unknown>): Promise<TokenRejectedError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof TokenRejectedError) {
      return err;
    }
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('TokenVerifier', () => {
  test('should verify an RS256 token and return its claims, kid and trust horizon', async () => {
    // GIVEN
    const claims = validClaims();
    const verifier = new TokenVerifier(OPTIONS, resolverOf(rsa));
    // WHEN
    const verified = await verifier.verify(await sign(rsa, claims));
    // THEN
    expect(verified.claims).toEqual(claims);
    expect(verified.kid).toBe('rsa-1');
    expect(verified.trustUntil).toBe(claims.exp);
  });

  test.each(['ES256', 'EdDSA'])('should refuse %s unless it is configured', async (alg) => {
    // GIVEN
    const key = alg === 'ES256' ? ec : ed;
    const resolver = resolverOf(key);
    const token = await sign(key);
    // WHEN
    const refused = await rejection(new TokenVerifier(OPTIONS, resolver).verify(token));
    const accepted = await new TokenVerifier({ ...OPTIONS, algorithms: ['RS256', alg] }, resolver).verify(token);
    // THEN
    expect(refused.reason).toBe('alg_not_allowed');
    expect(accepted.kid).toBe(key.kid);
  });

  test('should refuse an RS256 token once the allowlist holds only ES256', async () => {
    // GIVEN
    const verifier = new TokenVerifier({ ...OPTIONS, algorithms: ['ES256'] }, resolverOf(rsa, ec));
    // WHEN
    const err = await rejection(verifier.verify(await sign(rsa)));
    // THEN
    expect(err.reason).toBe('alg_not_allowed');
  });

  test.each([
    ['alg none', { alg: 'none', kid: 'rsa-1' }, 'alg_not_allowed'],
    ['alg rs256 (case)', { alg: 'rs256', kid: 'rsa-1' }, 'alg_not_allowed'],
    ['alg as an array', { alg: ['RS256'], kid: 'rsa-1' }, 'alg_not_allowed'],
    ['no alg', { kid: 'rsa-1' }, 'alg_not_allowed'],
    ['jwk', { alg: 'RS256', kid: 'rsa-1', jwk: { kty: 'RSA' } }, 'forbidden_header'],
    ['jku', { alg: 'RS256', kid: 'rsa-1', jku: 'https://evil.example/jwks' }, 'forbidden_header'],
    ['x5u', { alg: 'RS256', kid: 'rsa-1', x5u: 'https://evil.example/cert' }, 'forbidden_header'],
    ['x5c', { alg: 'RS256', kid: 'rsa-1', x5c: ['MIIB'] }, 'forbidden_header'],
    ['crit', { alg: 'RS256', kid: 'rsa-1', crit: ['exp'] }, 'forbidden_header'],
    ['b64', { alg: 'RS256', kid: 'rsa-1', b64: true }, 'forbidden_header'],
    ['no kid', { alg: 'RS256' }, 'kid_missing'],
    ['an empty kid', { alg: 'RS256', kid: '' }, 'kid_missing'],
    ['a numeric kid', { alg: 'RS256', kid: 1 }, 'kid_missing'],
    ['a 257-character kid', { alg: 'RS256', kid: 'k'.repeat(257) }, 'malformed_token'],
    ['a kid with a newline', { alg: 'RS256', kid: 'rsa-1\n' }, 'malformed_token'],
  ])('should refuse a header with %s before any key lookup', async (_, header, reason) => {
    // GIVEN
    const resolver = resolverOf(rsa);
    const token = await signRaw(rsa, header, validClaims(), 'RS256');
    // WHEN
    const err = await rejection(new TokenVerifier(OPTIONS, resolver).verify(token));
    // THEN
    expect(err.reason).toBe(reason);
    expect(resolver.calls).toEqual([]);
    expect(err.verifiedClaims).toBeUndefined();
  });

  test('should refuse an unknown kid and a key that does not fit the alg as unknown_kid', async () => {
    // GIVEN
    const verifier = new TokenVerifier({ ...OPTIONS, algorithms: ['RS256', 'ES256'] }, resolverOf(rsa));
    const mismatched = new TokenVerifier({ ...OPTIONS, algorithms: ['RS256', 'ES256'] }, async () => rsa.publicKey);
    // WHEN
    const unknown = await rejection(verifier.verify(await sign(rsa, validClaims(), { kid: 'rsa-2' })));
    const wrongType = await rejection(mismatched.verify(await sign(ec)));
    // THEN
    expect(unknown.reason).toBe('unknown_kid');
    expect(unknown.kid).toBe('rsa-2');
    expect(wrongType.reason).toBe('unknown_kid');
  });

  test('should verify with a peeked key without asking the resolver, and refuse with it exactly as with a resolved one', async () => {
    // GIVEN
    const resolver = resolverOf(rsa);
    const peeks: Array<[string, string]> = [];
    const peek = (kid: string, alg: string) => {
      peeks.push([kid, alg]);
      return kid === 'rsa-1' ? rsa.publicKey : undefined;
    };
    const verifier = new TokenVerifier({ ...OPTIONS, algorithms: ['RS256', 'ES256'] }, resolver, undefined, peek);
    const mismatched = new TokenVerifier({ ...OPTIONS, algorithms: ['RS256', 'ES256'] }, resolverOf(), undefined, () => rsa.publicKey);
    const impostor = await makeKey('RS256', 'rsa-1');
    // WHEN
    const verified = await verifier.verify(await sign(rsa));
    const forged = await rejection(verifier.verify(await sign(impostor)));
    const wrongType = await rejection(mismatched.verify(await sign(ec)));
    const unknown = await rejection(verifier.verify(await sign(rsa, validClaims(), { kid: 'rsa-2' })));
    // THEN
    expect(verified.claims.sub).toBe('user-1');
    expect(forged.reason).toBe('bad_signature');
    expect(wrongType.reason).toBe('unknown_kid');
    expect(unknown.reason).toBe('unknown_kid');
    expect(peeks).toEqual([['rsa-1', 'RS256'], ['rsa-1', 'RS256'], ['rsa-2', 'RS256']]);
    expect(resolver.calls).toEqual([['rsa-2', 'RS256']]);
  });

  test('should not peek at a key for a token refused by the header policy', async () => {
    // GIVEN
    const peeks: string[] = [];
    const verifier = new TokenVerifier(OPTIONS, resolverOf(rsa), undefined, (kid) => {
      peeks.push(kid);
      return rsa.publicKey;
    });
    // WHEN
    const err = await rejection(verifier.verify(await sign(rsa, validClaims(), { jku: 'https://evil.example.com/jwks' })));
    // THEN
    expect(err.reason).toBe('forbidden_header');
    expect(peeks).toEqual([]);
  });

  test('should refuse a token signed by another key under a known kid', async () => {
    // GIVEN
    const impostor = await makeKey('RS256', 'rsa-1');
    const verifier = new TokenVerifier(OPTIONS, resolverOf(rsa));
    // WHEN
    const err = await rejection(verifier.verify(await sign(impostor)));
    // THEN
    expect(err.reason).toBe('bad_signature');
    expect(err.verifiedClaims).toBeUndefined();
  });

  test('should refuse a token whose payload was changed after signing', async () => {
    // GIVEN
    const [h, , s] = (await sign(rsa)).split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify(validClaims({ scope: 'orders:admin' }))).toString('base64url')}.${s}`;
    // WHEN
    const err = await rejection(new TokenVerifier(OPTIONS, resolverOf(rsa)).verify(forged));
    // THEN
    expect(err.reason).toBe('bad_signature');
  });

  test('should report jwks_unavailable from the key source and let other errors through', async () => {
    // GIVEN
    const unavailable = new TokenVerifier(OPTIONS, async () => {
      throw new KeysUnavailableError('no JWKS');
    });
    const broken = new TokenVerifier(OPTIONS, async () => {
      throw new RangeError('bug');
    });
    const token = await sign(rsa);
    // WHEN
    const err = await rejection(unavailable.verify(token));
    // THEN
    expect(err.reason).toBe('jwks_unavailable');
    await expect(broken.verify(token)).rejects.toThrow(RangeError);
  });

  describe('claims', () => {
    // The verifier's clock is injected and fixed, and every token is made against the same instant:
    // the boundaries are exact to the second and hold however long the machine takes to get here.
    const now = FIXED_NOW;
    const verifier = (options: VerifierOptions = OPTIONS) => new TokenVerifier(options, resolverOf(rsa), clockAt(now));
    const claimsWith = (change: Record<string, unknown>) => {
      const claims: Record<string, unknown> = { ...validClaims({}, now), ...change };
      for (const k of Object.keys(change)) {
        if (change[k] === undefined) {
          delete claims[k];
        }
      }
      return claims;
    };

    test.each([
      // jose: expired when exp <= now - tolerance; not yet valid when nbf > now + tolerance; ours: iat > now + tolerance.
      ['exp = now - tolerance (at the tolerance)', { exp: now - 30 }, 'expired'],
      ['exp = now - tolerance - 1', { exp: now - 31 }, 'expired'],
      ['exp missing', { exp: undefined }, 'claim_invalid'],
      ['exp a string', { exp: String(now + 600) }, 'claim_invalid'],
      ['exp an array', { exp: [now + 600] }, 'claim_invalid'],
      ['nbf = now + tolerance + 1', { nbf: now + 31 }, 'not_yet_valid'],
      ['iat = now + tolerance + 1', { iat: now + 31 }, 'iat_in_future'],
      ['iat a string', { iat: String(now) }, 'claim_invalid'],
      ['iss missing', { iss: undefined }, 'claim_invalid'],
      ['iss with a trailing slash', { iss: `${ISSUER}/` }, 'issuer_mismatch'],
      ['aud missing', { aud: undefined }, 'claim_invalid'],
      ['aud another API', { aud: 'api://payments' }, 'audience_mismatch'],
      ['aud with a non-string member', { aud: [AUDIENCE, 7] }, 'claim_invalid'],
      ['sub a number', { sub: 7 }, 'claim_invalid'],
      ['sub empty', { sub: '' }, 'claim_invalid'],
      ['sub the marker "-" of an absent claim', { sub: '-' }, 'claim_invalid'],
      ['sub with a line break (a header value cannot carry it)', { sub: 'alice\r\nX-Secured-Api-Principal: sub:admin' }, 'claim_invalid'],
      ['client_id the marker "-"', { client_id: '-' }, 'claim_invalid'],
      ['client_id with a NUL', { client_id: 'app\u0000' }, 'claim_invalid'],
      ['client_id an object', { client_id: { id: 'x' } }, 'claim_invalid'],
    ])('should refuse %s', async (_, change, reason) => {
      // GIVEN
      const token = await signRaw(rsa, { alg: 'RS256', kid: 'rsa-1' }, claimsWith(change));
      // WHEN
      const err = await rejection(verifier().verify(token));
      // THEN
      expect(err.reason).toBe(reason);
      expect(err.verifiedClaims).toBeDefined();
    });

    test.each([
      ['exp = now (inside the tolerance)', { exp: now }],
      ['exp = now - tolerance + 1', { exp: now - 29 }],
      ['nbf = now + tolerance (at the tolerance)', { nbf: now + 30 }],
      ['iat = now + tolerance (at the tolerance)', { iat: now + 30 }],
      ['no iat', { iat: undefined }],
      ['aud as an array', { aud: ['api://payments', 'api://other'] }],
    ])('should accept %s', async (_, change) => {
      // GIVEN
      const token = await signRaw(rsa, { alg: 'RS256', kid: 'rsa-1' }, claimsWith(change));
      // WHEN
      const verified = await verifier().verify(token);
      // THEN
      expect(verified.claims.sub).toBe('user-1');
    });

    test('should refuse exp of 1e999, which JSON.parse turns into Infinity', async () => {
      // GIVEN
      const payload = JSON.stringify(validClaims({}, now)).replace(/"exp":\d+/, '"exp":1e999');
      const token = await signRaw(rsa, { alg: 'RS256', kid: 'rsa-1' }, payload);
      // WHEN
      const err = await rejection(verifier().verify(token));
      // THEN
      expect(err.reason).toBe('claim_invalid');
    });
  });

  describe('max token age', () => {
    // Fixed, injected clock: see 'claims'. A token may be maxTokenAgeSeconds + tolerance old.
    const now = FIXED_NOW;
    const verifier = () => new TokenVerifier({ ...OPTIONS, maxTokenAgeSeconds: 300 }, resolverOf(rsa), clockAt(now));

    test('should refuse a token older than the max age and one without iat', async () => {
      // GIVEN
      const oldest = await sign(rsa, validClaims({}, now - 330));
      const old = await sign(rsa, validClaims({}, now - 331));
      const noIat = await signRaw(rsa, { alg: 'RS256', kid: 'rsa-1' }, { ...validClaims({}, now), iat: undefined });
      // WHEN
      const accepted = await verifier().verify(oldest);
      const tooOld = await rejection(verifier().verify(old));
      const missing = await rejection(verifier().verify(noIat));
      // THEN
      expect(accepted.claims.sub).toBe('user-1');
      expect(tooOld.reason).toBe('token_too_old');
      expect(missing.reason).toBe('claim_invalid');
    });

    test('should refuse iat in the future and trust a young token only until iat + max age', async () => {
      // GIVEN
      const iat = now - 100;
      const atTolerance = await sign(rsa, validClaims({}, now + 30));
      const future = await sign(rsa, validClaims({}, now + 31));
      // WHEN
      const accepted = await verifier().verify(atTolerance);
      const err = await rejection(verifier().verify(future));
      const verified = await verifier().verify(await sign(rsa, validClaims({}, iat)));
      // THEN
      expect(accepted.claims.sub).toBe('user-1');
      expect(err.reason).toBe('iat_in_future');
      expect(verified.trustUntil).toBe(iat + 300);
    });
  });

  describe('typ', () => {
    test.each([
      ['at+jwt', true],
      ['application/at+jwt', true],
      ['AT+JWT', true],
      ['JWT', false],
      [undefined, false],
    ])('should %s typ %s when at+jwt is required', async (typ, ok) => {
      // GIVEN
      const verifier = new TokenVerifier({ ...OPTIONS, requiredTyp: 'at+jwt' }, resolverOf(rsa));
      const token = await sign(rsa, validClaims(), typ === undefined ? {} : { typ });
      // WHEN
      const outcome = await verifier.verify(token).then(() => 'ok', (err: TokenRejectedError) => err.reason);
      // THEN
      expect(outcome).toBe(ok ? 'ok' : 'typ_mismatch');
    });
  });

  describe('the issuer profile', () => {
    const now = FIXED_NOW;
    const withProfile = (profile: Partial<VerifierOptions['profile']>, extra: Partial<VerifierOptions> = {}) =>
      new TokenVerifier({ ...OPTIONS, ...extra, profile: { ...PROFILE, ...profile } }, resolverOf(rsa), clockAt(now));
    const tokenOf = (payload: unknown) => signRaw(rsa, { alg: 'RS256', kid: 'rsa-1' }, payload);
    const outcomeOf = (p: Promise<{ client: string | undefined; scopes: ReadonlySet<string> }>) =>
      p.then((v) => ({ client: v.client, scopes: [...v.scopes] }), (err: TokenRejectedError) => err.reason);

    test.each([
      ['the only client claim', ['cid'], { cid: 'okta-app' }, 'okta-app'],
      ['the first client claim the token has', ['azp', 'client_id'], { azp: 'spa', client_id: 'other' }, 'spa'],
      ['a later client claim when the first is absent', ['azp', 'appid'], { appid: 'entra-v1-app' }, 'entra-v1-app'],
      ['no client when the token has none of the client claims', ['cid'], { client_id: 'not-read' }, undefined],
      ['no client from a profile without client claims', [], { client_id: 'app', azp: 'app' }, undefined],
      ['a client_id of any shape, when the profile does not name it', ['cid'], { cid: 'okta-app', client_id: 7 }, 'okta-app'],
    ])('should read %s', async (_, clientClaims, extra, client) => {
      // GIVEN
      const token = await tokenOf(validClaims(extra, now));
      // WHEN
      const got = await outcomeOf(withProfile({ clientClaims }).verify(token));
      // THEN
      expect(got).toEqual({ client, scopes: ['orders:read', 'orders:write'] });
    });

    test.each([
      ['a number', 7],
      ['an empty string', ''],
      ['the marker "-" of an absent client', '-'],
      ['a string with a line break', 'app\r\nX-Secured-Api-Client-Id: admin'],
      ['null', null],
      ['an array', ['app']],
    ])('should refuse a first client claim that is %s, whatever a later one holds', async (_, value) => {
      // GIVEN
      const token = await tokenOf(validClaims({ azp: value, client_id: 'app' }, now));
      // WHEN
      const got = await outcomeOf(withProfile({ clientClaims: ['azp', 'client_id'] }).verify(token));
      // THEN
      expect(got).toBe('claim_invalid');
    });

    test('should not read a client claim through the prototype', async () => {
      // GIVEN: JSON.parse makes "__proto__" an own property; its members are no claims of the token
      const payload = `{"__proto__":{"cid":"admin-app"},${JSON.stringify(validClaims({}, now)).slice(1)}`;
      // WHEN
      const got = await outcomeOf(withProfile({ clientClaims: ['cid', 'toString', 'constructor'] }).verify(await tokenOf(payload)));
      // THEN
      expect(got).toEqual({ client: undefined, scopes: ['orders:read', 'orders:write'] });
    });

    test('should grant exactly the profile\'s grant claims', async () => {
      // GIVEN
      const token = await tokenOf(validClaims({ scope: 'a', scp: 7, roles: ['orders:admin'], permissions: ['p'] }, now));
      // WHEN
      const got = await outcomeOf(withProfile({ grantClaims: ['roles', 'permissions'] }).verify(token));
      // THEN
      expect(got).toEqual({ client: undefined, scopes: ['orders:admin', 'p'] });
    });

    test('should refuse a grant claim the profile names in a form it cannot read', async () => {
      // GIVEN
      const token = await tokenOf(validClaims({ roles: { admin: true } }, now));
      // WHEN
      const err = await rejection(withProfile({ grantClaims: ['scope', 'roles'] }).verify(token));
      // THEN
      expect(err.reason).toBe('claim_invalid');
      expect(err.verifiedClaims).toBeDefined();
    });

    describe('token kind', () => {
      const cognito = { clientClaims: ['client_id'], grantClaims: ['scope'], tokenKind: { claim: 'token_use', values: ['access'] } };

      test.each([
        ['an accepted kind', { token_use: 'access' }, 'ok'],
        ['another kind', { token_use: 'id' }, 'token_kind_mismatch'],
        ['no kind claim', {}, 'token_kind_mismatch'],
        ['a kind in another letter case', { token_use: 'Access' }, 'token_kind_mismatch'],
        ['a kind claim that is an array holding the kind', { token_use: ['access'] }, 'token_kind_mismatch'],
        ['a kind claim that is null', { token_use: null }, 'token_kind_mismatch'],
      ])('should judge %s', async (_, extra, outcome) => {
        // GIVEN
        const token = await tokenOf(validClaims({ client_id: 'app', ...extra }, now));
        // WHEN
        const got = await withProfile(cognito).verify(token).then(() => 'ok', (err: TokenRejectedError) => err.reason);
        // THEN
        expect(got).toBe(outcome);
      });

      test('should accept any of several kinds', async () => {
        // GIVEN
        const profile = { tokenKind: { claim: 'ver', values: ['1.0', '2.0'] } };
        const tokens = await Promise.all(['1.0', '2.0', '3.0'].map((ver) => tokenOf(validClaims({ ver }, now))));
        // WHEN
        const got = await Promise.all(tokens.map((t) => withProfile(profile).verify(t).then(() => 'ok', (err: TokenRejectedError) => err.reason)));
        // THEN
        expect(got).toEqual(['ok', 'ok', 'token_kind_mismatch']);
      });

      test('should not read the kind claim through the prototype', async () => {
        // GIVEN
        const payload = `{"__proto__":{"token_use":"access"},${JSON.stringify(validClaims({ client_id: 'app' }, now)).slice(1)}`;
        // WHEN
        const err = await rejection(withProfile(cognito).verify(await tokenOf(payload)));
        // THEN
        expect(err.reason).toBe('token_kind_mismatch');
      });

      test('should report a Cognito ID token as the wrong kind, not as the audience claim it lacks, with its claims for the audit line', async () => {
        // GIVEN: an ID token names its client in aud, and carries no client_id (Cognito's access-token audience claim)
        const idToken = await tokenOf({ ...validClaims({ aud: 'app-client-1', token_use: 'id', scope: undefined }, now), 'cognito:username': 'alice' });
        const verifier = withProfile(cognito, { audienceClaim: 'client_id', audiences: ['app-client-1'] });
        // WHEN
        const err = await rejection(verifier.verify(idToken));
        // THEN
        expect(err.reason).toBe('token_kind_mismatch');
        expect(err.verifiedClaims).toMatchObject({ token_use: 'id' });
      });

      test('should report the wrong kind before a malformed client or grant claim', async () => {
        // GIVEN
        const token = await tokenOf(validClaims({ token_use: 'id', client_id: 7, scope: 7 }, now));
        // WHEN
        const err = await rejection(withProfile(cognito).verify(token));
        // THEN
        expect(err.reason).toBe('token_kind_mismatch');
      });
    });
  });

  describe('client_id as the audience claim (Cognito access tokens)', () => {
    const cognito: VerifierOptions = { ...OPTIONS, audienceClaim: 'client_id', audiences: ['app-client-1'] };

    test.each([
      ['the client', { client_id: 'app-client-1', aud: undefined }, 'ok'],
      ['the client, whatever aud says', { client_id: 'app-client-1', aud: 'something-else' }, 'ok'],
      ['another client', { client_id: 'app-client-2', aud: undefined }, 'audience_mismatch'],
      ['a case variant', { client_id: 'APP-CLIENT-1', aud: undefined }, 'audience_mismatch'],
      ['no client_id', { aud: 'app-client-1' }, 'claim_invalid'],
    ])('should judge %s', async (_, change, outcome) => {
      // GIVEN
      const claims: Record<string, unknown> = { ...validClaims(), ...change };
      if (!('client_id' in change)) {
        delete claims.client_id;
      }
      const token = await signRaw(rsa, { alg: 'RS256', kid: 'rsa-1' }, claims);
      // WHEN
      const got = await new TokenVerifier(cognito, resolverOf(rsa)).verify(token).then(() => 'ok', (err: TokenRejectedError) => err.reason);
      // THEN
      expect(got).toBe(outcome);
    });
  });
});
