import { generateKeyPairSync, KeyObject, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as fc from 'fast-check';
import { calculateJwkThumbprint, createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import {
  checkClientRequest, ClientConfig, createClientHandler, createKeysHandler, DISCOVERY_PATH, FunctionUrlEvent,
  JWKS_PATH, publicJwk, SigningKey, TOKEN_LIFETIME_SECONDS,
} from './test-issuer.lambda';
import { SynthesizedAuthorizer } from '../../src/testing';

// The test issuer of test/integ.secured-api-aws.ts, offline: a node:crypto RSA key stands in for the
// KMS key (KMS's RSASSA_PKCS1_V1_5_SHA_256 and node's RSA `sign('sha256')` are the same signature), and
// the last part runs the authorizer bundle of the committed integ snapshot (what integ-runner deploys)
// on the tokens the client handler mints, so that the outcomes the AWS assertions expect are checked here first.

const HOST = 'abcdefghij0123456789.lambda-url.eu-west-1.on.aws';
const ISSUER = `https://${HOST}`;
const AUDIENCE = 'api://orders-integ';
const API_URL = 'https://api0123456.execute-api.eu-west-1.amazonaws.com/prod/';
const NOW = Date.UTC(2030, 0, 1);

/** One RSA key pair for the whole file (making one costs up to a second on a busy machine). */
const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });

/** The key pair as a SigningKey, counting its public key reads. */
function testKey(): SigningKey & { calls: { publicKey: number }; privateKey: KeyObject } {
  const { privateKey, publicKey } = pair;
  const calls = { publicKey: 0 };
  return {
    calls,
    privateKey,
    publicKey: async () => {
      calls.publicKey++;
      return publicKey.export({ format: 'der', type: 'spki' });
    },
    sign: async (message) => sign('sha256', message, privateKey),
  };
}

const urlEvent = (rawPath: string, method = 'GET'): FunctionUrlEvent => ({ rawPath, requestContext: { domainName: HOST, http: { method } } });

/** A fetch that records what it was sent and answers with `answer`. */
function recordingFetch(answer: (url: string, init: RequestInit) => Response = () => new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } })) {
  const sent: Array<{ url: string; init: RequestInit }> = [];
  const fetchFn = (async (url: string, init: RequestInit) => {
    sent.push({ url, init });
    return answer(url, init);
  }) as unknown as typeof fetch;
  return { sent, fetchFn };
}

function config(fetchFn: typeof fetch, now = () => NOW): ClientConfig {
  return { apiUrl: API_URL, issuer: ISSUER, audience: AUDIENCE, fetch: fetchFn, now };
}

const authorization = (init: RequestInit) => (init.headers as Record<string, string>).Authorization;

describe('keys handler', () => {
  test('should publish the key as an RS256 JWK whose kid is its RFC 7638 thumbprint', async () => {
    // GIVEN
    const key = testKey();
    const handler = createKeysHandler(key);

    // WHEN
    const res = await handler(urlEvent(JWKS_PATH));

    // THEN
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    const { keys } = JSON.parse(res.body);
    expect(keys).toHaveLength(1);
    const expected = key.privateKey.export({ format: 'jwk' });
    expect(keys[0]).toEqual({ kty: 'RSA', n: expected.n, e: expected.e, kid: keys[0].kid, alg: 'RS256', use: 'sig' });
    // jose's thumbprint is an independent implementation of RFC 7638.
    expect(keys[0].kid).toBe(await calculateJwkThumbprint({ kty: 'RSA', n: expected.n, e: expected.e }));
  });

  test('should serve the discovery document naming the issuer and its JWKS', async () => {
    // WHEN
    const res = await createKeysHandler(testKey())(urlEvent(DISCOVERY_PATH));

    // THEN
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ issuer: ISSUER, jwks_uri: `${ISSUER}${JWKS_PATH}`, id_token_signing_alg_values_supported: ['RS256'] });
  });

  test('should answer 404 on other paths and 405 to other methods', async () => {
    // GIVEN
    const handler = createKeysHandler(testKey());

    // THEN
    for (const path of ['/', '/token', '/mint', `${JWKS_PATH}/`, '/.well-known/jwks']) {
      expect((await handler(urlEvent(path))).statusCode).toBe(404);
    }
    for (const method of ['POST', 'PUT', 'DELETE']) {
      expect((await handler(urlEvent(JWKS_PATH, method))).statusCode).toBe(405);
    }
  });

  test('should read the public key once per container, and again after a failed read', async () => {
    // GIVEN
    const key = testKey();
    let fail = true;
    const flaky: SigningKey = { ...key, publicKey: async () => (fail ? Promise.reject(new Error('throttled')) : key.publicKey()) };
    const handler = createKeysHandler(flaky);

    // WHEN / THEN
    await expect(handler(urlEvent(JWKS_PATH))).rejects.toThrow('throttled');
    fail = false;
    await handler(urlEvent(JWKS_PATH));
    await handler(urlEvent(JWKS_PATH));
    expect(key.calls.publicKey).toBe(1);
  });

  test('should refuse a key that is not RSA', () => {
    // GIVEN
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'der', type: 'spki' });

    // THEN
    expect(() => publicJwk(ec)).toThrow(/is EC, not RSA; create the KMS key with KeySpec RSA_2048/);
  });
});

describe('client handler', () => {
  test('should send a token that verifies against the published JWKS, with the claims asked', async () => {
    // GIVEN
    const key = testKey();
    const jwks = JSON.parse((await createKeysHandler(key)(urlEvent(JWKS_PATH))).body);
    const { sent, fetchFn } = recordingFetch();
    const handler = createClientHandler(key, config(fetchFn));

    // WHEN
    const res = await handler({ method: 'GET', path: '/orders', token: { scope: 'orders:read', clientId: 'integ-quota-client' } });

    // THEN
    expect(res).toEqual({ status: 200, headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(sent).toHaveLength(1);
    expect(sent[0].url).toBe(`${API_URL}orders`);
    expect(sent[0].init).toMatchObject({ method: 'GET', redirect: 'manual' });
    const token = authorization(sent[0].init).replace(/^Bearer /, '');
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', typ: 'JWT', kid: jwks.keys[0].kid });
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), {
      issuer: ISSUER, audience: AUDIENCE, algorithms: ['RS256'], currentDate: new Date(NOW),
    });
    expect(payload).toMatchObject({ sub: 'integ-test', scope: 'orders:read', client_id: 'integ-quota-client', iat: NOW / 1000, nbf: NOW / 1000 });
    expect(payload.exp! - payload.iat!).toBe(TOKEN_LIFETIME_SECONDS);
  });

  test('should send no Authorization header, and no scope or client_id claim, unless asked', async () => {
    // GIVEN
    const { sent, fetchFn } = recordingFetch();
    const handler = createClientHandler(testKey(), config(fetchFn));

    // WHEN
    await handler({ method: 'OPTIONS', path: '/orders', headers: { Origin: 'https://app.example.com' } });
    await handler({ method: 'GET', path: '/orders', token: {} });

    // THEN
    expect(sent[0].init.headers).toEqual({ Origin: 'https://app.example.com' });
    const payload = JSON.parse(Buffer.from(authorization(sent[1].init).split('.')[1], 'base64url').toString());
    expect(payload).not.toHaveProperty('scope');
    expect(payload).not.toHaveProperty('client_id');
  });

  test.each([
    ['a string', 'GET /orders', /must be an object/],
    ['an unknown method', { method: 'TRACE', path: '/orders' }, /method "TRACE" is not one of/],
    ['a lowercase method', { method: 'get', path: '/orders' }, /method "get" is not one of/],
    ['an absolute URL', { method: 'GET', path: 'https://elsewhere.example.com/' }, /is not a path of the API/],
    ['a protocol-relative path', { method: 'GET', path: '//elsewhere.example.com/x' }, /is not a path of the API/],
    ['a parent segment', { method: 'GET', path: '/../other-stage/orders' }, /is not a path of the API/],
    ['a query', { method: 'GET', path: '/orders?x=1' }, /is not a path of the API/],
    ['an encoded dot', { method: 'GET', path: '/%2e%2e/orders' }, /is not a path of the API/],
    ['an Authorization header', { method: 'GET', path: '/orders', headers: { authorization: 'Bearer x' } }, /header "authorization" is not allowed/],
    ['a header with a line break', { method: 'GET', path: '/orders', headers: { Origin: 'a\r\nX-Evil: 1' } }, /header "Origin" is not allowed/],
    ['an empty client id', { method: 'GET', path: '/orders', token: { clientId: '' } }, /token must be/],
    ['a scope that is not a string', { method: 'GET', path: '/orders', token: { scope: ['orders:read'] } }, /token must be/],
  ])('should refuse %s and send nothing', async (_what, request, message) => {
    // GIVEN
    const { sent, fetchFn } = recordingFetch();
    const handler = createClientHandler(testKey(), config(fetchFn));

    // THEN
    await expect(handler(request)).rejects.toThrow(message);
    expect(sent).toHaveLength(0);
  });

  test('should send every accepted path to the stage URL and nowhere else (generated paths)', () => {
    const stage = new URL(API_URL);
    const pathChars = fc.constantFrom(...'/./.%?#@:\\a-_~0'.split(''));
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string({ unit: pathChars }).map((s) => `/${s}`)), (path) => {
      let accepted = true;
      try {
        checkClientRequest({ method: 'GET', path });
      } catch {
        accepted = false;
      }
      if (accepted) {
        const url = new URL(`${API_URL}${path.slice(1)}`);
        expect(url.origin).toBe(stage.origin);
        expect(url.pathname.startsWith(stage.pathname)).toBe(true);
        expect(url.pathname).toBe(`${stage.pathname}${path.slice(1)}`);
      }
    }), { numRuns: 2000 });
  });

  test('should never return any part of the token, even when the API echoes it (generated claims)', async () => {
    // GIVEN: an API that echoes the Authorization header in its body and in every header returned
    const key = testKey();
    const echo = (_url: string, init: RequestInit) => {
      const value = authorization(init) ?? '';
      return new Response(`{"echo":"${value}"}`, {
        status: 401,
        headers: { 'www-authenticate': `Bearer error="${value.slice(-20)}"`, 'vary': value.split('.')[1] ?? '', 'content-type': 'application/json' },
      });
    };
    const handler = createClientHandler(key, config(recordingFetch(echo).fetchFn));

    // THEN
    await fc.assert(fc.asyncProperty(
      fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
      fc.option(fc.string({ minLength: 1, maxLength: 40 }), { nil: undefined }),
      async (scope, clientId) => {
        const { sent, fetchFn } = recordingFetch(echo);
        const res = await createClientHandler(key, config(fetchFn))({ method: 'GET', path: '/orders', token: { scope, clientId } });
        const token = authorization(sent[0].init).replace(/^Bearer /, '');
        const returned = JSON.stringify(res);
        for (const part of token.split('.')) {
          expect(returned).not.toContain(part);
        }
        expect(res.status).toBe(401);
      },
    ), { numRuns: 50 });
    expect((await handler({ method: 'GET', path: '/orders', token: {} })).body).toBe('(withheld: held part of the token)');
  });

  test('should refuse a stage URL that is not https:// or does not end in /', () => {
    // THEN
    expect(() => createClientHandler(testKey(), { ...config(recordingFetch().fetchFn), apiUrl: 'http://api.example.com/prod/' })).toThrow(/must be https:\/\/ and end with '\/'/);
    expect(() => createClientHandler(testKey(), { ...config(recordingFetch().fetchFn), apiUrl: 'https://api.example.com/prod' })).toThrow(/must be https:\/\/ and end with '\/'/);
  });
});

describe('against the authorizer of the integ snapshot', () => {
  // The committed snapshot is what integ-runner deploys (`npx projen integ` checks that a fresh synth
  // matches it). Its authorizer trusts the function URL's host, a deploy-time value: the override gives
  // it this test's issuer, and its JWKS is the keys handler, served on 127.0.0.1.
  const snapshot = join(__dirname, '..', 'integ.secured-api-aws.ts.snapshot');
  const key = testKey();
  let server: Server;
  let authorizer: SynthesizedAuthorizer;

  beforeAll(async () => {
    const keys = createKeysHandler(key);
    server = createServer((req, res) => {
      void keys(urlEvent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname, req.method)).then((r) => {
        res.writeHead(r.statusCode, { ...r.headers, connection: 'close' });
        res.end(r.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}${JWKS_PATH}`;
    authorizer = await SynthesizedAuthorizer.fromCloudAssembly(snapshot, { issuerOverride: { issuer: ISSUER, jwksUri }, clock: () => NOW });
  }, 120_000);

  afterAll(async () => {
    await authorizer?.stop();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server ? server.close(() => resolve()) : resolve());
  });

  /** The client handler, its requests answered by the synthesized authorizer as API Gateway would (the backend answers 200). */
  async function send(request: unknown) {
    let decision: Awaited<ReturnType<SynthesizedAuthorizer['request']>> | undefined;
    const fetchFn = (async (url: string, init: RequestInit) => {
      decision = await authorizer.request({ method: init.method!, path: `/${url.slice(API_URL.length)}`, headers: init.headers as Record<string, string> });
      return new Response(decision.status === 200 ? '{}' : '{"message":"…"}', { status: decision.status });
    }) as unknown as typeof fetch;
    // The authorizer checks exp and iat against the real clock in its own process.
    const res = await createClientHandler(key, config(fetchFn, Date.now))(request);
    return { status: res.status, reason: decision?.reason, usageIdentifierKey: decision?.usageIdentifierKey };
  }

  test('should allow the quota client with the scope, under its own API key', async () => {
    // GIVEN: the key the template gives the declared client
    const template = JSON.parse(readFileSync(join(snapshot, 'SecuredApiAwsInteg.template.json'), 'utf8'));
    const apiKeys = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::ApiGateway::ApiKey');
    expect(apiKeys).toHaveLength(1);

    // WHEN
    const res = await send({ method: 'GET', path: '/orders', token: { scope: 'orders:read', clientId: 'integ-quota-client' } });

    // THEN
    expect(res).toEqual({ status: 200, reason: 'allowed', usageIdentifierKey: apiKeys[0].Properties.Value });
  });

  test.each([
    ['no token', { method: 'GET', path: '/orders' }, 401, 'identity_source_missing'],
    ['a token without the scope', { method: 'GET', path: '/orders', token: { scope: 'orders:write', clientId: 'integ-quota-client' } }, 403, 'insufficient_scope'],
    ['a client the quotas do not declare', { method: 'GET', path: '/orders', token: { scope: 'orders:read', clientId: 'integ-undeclared-client' } }, 403, 'client_undeclared'],
    ['the public route, without a token', { method: 'GET', path: '/health' }, 200, 'public'],
  ])('should answer %s as the AWS assertions expect', async (_what, request, status, reason) => {
    // WHEN
    const res = await send(request);

    // THEN
    expect(res).toMatchObject({ status, reason });
  });
});
