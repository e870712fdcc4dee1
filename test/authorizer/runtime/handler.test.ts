import { captureStdout, evaluatePolicy, FIXED_NOW, ISSUER, loadHandler, makeKey, METHOD_ARN_BASE, publicJwk, rawConfig, requestEvent, sign, TEST_ENV, validClaims } from './fixtures';
import type { TestKey } from './fixtures';
import { freezeWallClock, restoreClocks } from '../../support/clock';
import { startJwksServer } from '../../support/jwks-server';
import type { JwksServer } from '../../support/jwks-server';
import { waitFor } from '../../support/wait';

// The Lambda entry point end to end, in-process: config.json in a temp dir, the JWKS served by a
// real HTTP server on 127.0.0.1, tokens signed with key pairs made here.

let rsa: TestKey;
let ec: TestKey;
let ed: TestKey;
let jwks: JwksServer;
let stdout: ReturnType<typeof captureStdout>;

const env = () => ({ ...TEST_ENV, SECURED_API_JWKS_URI: jwks.url });

async function outcome(p: Promise<unknown>): Promise<unknown> {
  return p.then((v) => v, (err: Error) => {
    expect(Object.getPrototypeOf(err)).toBe(Error.prototype);
    return `rejected: ${err.message}`;
  });
}

beforeAll(async () => {
  [rsa, ec, ed] = await Promise.all([makeKey('RS256', 'rsa-1'), makeKey('ES256', 'ec-1'), makeKey('EdDSA', 'ed-1')]);
  jwks = await startJwksServer({ jwks: { keys: await Promise.all([rsa, ec, ed].map(publicJwk)) } });
});

afterAll(() => jwks.close());

beforeEach(() => {
  jwks.requests.length = 0;
  stdout = captureStdout();
});

afterEach(() => stdout.restore());

const decisions = () => stdout.records().filter((r) => r.type === 'authz_decision');

describe('token-authorizer.lambda handler', () => {
  test('should start the JWKS fetch during init, before any request', async () => {
    // WHEN
    loadHandler(rawConfig(), env());
    // THEN
    await waitFor(() => stdout.records().some((r) => r.type === 'jwks_fetch'));
    expect(jwks.requests.map((r) => r.url)).toEqual(['/jwks']);
    expect(stdout.records()).toEqual([expect.objectContaining({ type: 'jwks_fetch', ok: true, keys: 3, Service: 'orders-api', JwksFetches: 1, JwksFetchFailures: 0 })]);
  });

  test('should allow a permitted route and deny, without throwing, a route the token lacks the scope for', async () => {
    // GIVEN
    const handler = loadHandler(rawConfig(), env());
    const token = await sign(rsa, validClaims({ scope: 'orders:read' }));
    // WHEN
    const get = await handler(requestEvent(`Bearer ${token}`, 'GET', '/orders/{id}'));
    const del = await handler(requestEvent(`Bearer ${token}`, 'DELETE', '/orders/{id}'));
    // THEN
    expect(evaluatePolicy(get.policyDocument, `${METHOD_ARN_BASE}/GET/orders/42`)).toBe('allow');
    expect(evaluatePolicy(del.policyDocument, `${METHOD_ARN_BASE}/DELETE/orders/42`)).toBe('deny');
    expect(get.context).toEqual({ sub: 'user-1', clientId: '-', scopes: 'orders:read', issuer: ISSUER, exp: expect.any(Number) });
    expect(decisions().map((d) => [d.decision, d.reason, d.cached])).toEqual([['allow', 'allowed', false], ['deny', 'insufficient_scope', true]]);
    expect(jwks.requests).toHaveLength(1);
  });

  test('should refuse ES256 and EdDSA tokens under the default allowlist and accept them once configured', async () => {
    // GIVEN
    const rsOnly = loadHandler(rawConfig(), env());
    const all = loadHandler(rawConfig({ algorithms: ['RS256', 'ES256', 'EdDSA'] }), env());
    const tokens = [await sign(ec), await sign(ed)];
    // WHEN
    const refused = await Promise.all(tokens.map((t) => outcome(rsOnly(requestEvent(`Bearer ${t}`)))));
    const accepted = await Promise.all(tokens.map((t) => all(requestEvent(`Bearer ${t}`))));
    // THEN
    expect(refused).toEqual(['rejected: Unauthorized', 'rejected: Unauthorized']);
    expect(accepted.map((r) => evaluatePolicy(r.policyDocument, `${METHOD_ARN_BASE}/GET/orders`))).toEqual(['allow', 'allow']);
    expect(decisions().map((d) => d.reason)).toEqual(expect.arrayContaining(['alg_not_allowed', 'alg_not_allowed', 'allowed', 'allowed']));
  });

  test('should refuse a token signed by a key the JWKS does not hold', async () => {
    // GIVEN
    const handler = loadHandler(rawConfig(), env());
    const stranger = await makeKey('RS256', 'rsa-9');
    // WHEN
    const got = await outcome(handler(requestEvent(`Bearer ${await sign(stranger)}`)));
    // THEN
    expect(got).toBe('rejected: Unauthorized');
    expect(decisions()).toEqual([expect.objectContaining({ decision: 'unauthorized', reason: 'unknown_kid', kid: 'rsa-9', sub: null })]);
  });

  test('should accept boundary times inside the clock tolerance', async () => {
    // GIVEN: the entry point reads the wall clock; frozen (before the load) at the tokens' `now`
    const now = FIXED_NOW;
    freezeWallClock(now * 1000);
    const handler = loadHandler(rawConfig(), env());
    const tokens = await Promise.all([
      sign(rsa, validClaims({ exp: now - 29 }, now)),
      sign(rsa, validClaims({ nbf: now + 30 }, now)),
      sign(rsa, validClaims({ iat: now + 30 }, now)),
    ]);
    // WHEN
    const results = await Promise.all(tokens.map((t) => handler(requestEvent(`Bearer ${t}`)))).finally(restoreClocks);
    // THEN
    expect(results.map((r) => evaluatePolicy(r.policyDocument, `${METHOD_ARN_BASE}/GET/orders`))).toEqual(['allow', 'allow', 'allow']);
  });

  test('should fail closed with one config_error line when config.json is invalid', async () => {
    // GIVEN
    const handler = loadHandler(rawConfig({ algorithms: ['HS256'] }), env());
    // WHEN
    const got = await outcome(handler(requestEvent(`Bearer ${await sign(rsa)}`)));
    // THEN
    expect(got).toBe('rejected: Unauthorized');
    const records = stdout.records();
    expect(records.filter((r) => r.type === 'config_error')).toEqual([{
      type: 'config_error',
      message: expect.stringMatching(/^authorizer fails closed: invalid authorizer configuration .*algorithms holds "HS256"/),
    }]);
    expect(decisions()).toEqual([expect.objectContaining({ decision: 'unauthorized', reason: 'internal_error', Service: 'orders-api' })]);
    expect(jwks.requests).toEqual([]);
  });

  test('should fail closed when the environment is missing', async () => {
    // GIVEN
    const handler = loadHandler(rawConfig(), { SECURED_API_JWKS_URI: jwks.url, SECURED_API_ISSUER: '' });
    // WHEN
    const got = await outcome(handler(requestEvent(`Bearer ${await sign(rsa)}`)));
    // THEN
    expect(got).toBe('rejected: Unauthorized');
    expect(stdout.records()[0]).toEqual({ type: 'config_error', message: expect.stringContaining('SECURED_API_ISSUER must be a non-empty string') });
  });

  test('should report jwks_unavailable when the JWKS endpoint cannot be reached', async () => {
    // GIVEN
    const down = await startJwksServer({ handler: (_req, res) => res.writeHead(503).end() });
    const handler = loadHandler(rawConfig(), { ...TEST_ENV, SECURED_API_JWKS_URI: down.url });
    // WHEN
    const got = await outcome(handler(requestEvent(`Bearer ${await sign(rsa)}`)));
    await down.close();
    // THEN
    expect(got).toBe('rejected: Unauthorized');
    expect(decisions()).toEqual([expect.objectContaining({ reason: 'jwks_unavailable', kid: 'rsa-1' })]);
    expect(stdout.records()).toContainEqual(expect.objectContaining({ type: 'jwks_fetch', ok: false, reason: 'http_503', JwksFetchFailures: 1 }));
  });

  test.each([
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['an array', []],
    ['an empty object', {}],
  ])('should reject %s as an event with exactly Error("Unauthorized")', async (_, event) => {
    // GIVEN
    const handler = loadHandler(rawConfig(), env());
    // WHEN
    const got = await outcome(handler(event));
    // THEN
    expect(got).toBe('rejected: Unauthorized');
    expect(decisions()).toEqual([expect.objectContaining({ reason: 'internal_error' })]);
    // Let the init fetch finish inside this test, so that its line is captured here.
    await waitFor(() => stdout.records().some((r) => r.type === 'jwks_fetch'));
  });
});
