import * as fc from 'fast-check';
import { capturedAudit, config, evaluatePolicy, makeKey, METHOD_ARN_BASE, rawConfig, requestEvent, resolverOf, sign, TEST_ENV, validClaims } from './fixtures';
import type { TestKey } from './fixtures';
import { createAuthorizer } from '../../../src/authorizer/runtime/authorizer';
import { parseConfig } from '../../../src/authorizer/runtime/config';
import { ConfigError } from '../../../src/authorizer/runtime/errors';
import { isUsableId } from '../../../src/authorizer/runtime/profile';

// Per-client quotas at runtime: the API key the authorizer returns as usageIdentifierKey is the
// token's client's own, else the one undeclared clients share, else none and a Deny.

const KEY_A = 'a'.repeat(64);
const KEY_B = 'b'.repeat(64);
const KEY_OTHERS = 'c'.repeat(64);

let es: TestKey;

beforeAll(async () => {
  es = await makeKey('ES256', 'es-1');
});

function authorizerWith(usageKeys: unknown, overrides: Record<string, unknown> = {}) {
  const { audit, records } = capturedAudit();
  const authorize = createAuthorizer({ config: config({ algorithms: ['ES256'], usageKeys, ...overrides }), audit, resolveKey: resolverOf(es) });
  return { authorize, records };
}

const tokenOf = (claims: Record<string, unknown>) => sign(es, validClaims(claims));

describe('usage keys', () => {
  describe('config', () => {
    test('should read the declared clients and the shared key', () => {
      // WHEN
      const parsed = config({ usageKeys: { clients: { app: KEY_A }, others: KEY_OTHERS } });
      // THEN
      expect(parsed.usageKeys).toEqual({ clients: new Map([['app', KEY_A]]), others: KEY_OTHERS });
    });

    test('should have no usage keys when config.json has none', () => {
      // THEN
      expect(config().usageKeys).toBeUndefined();
    });

    test.each([
      ['not an object', 'keys'],
      ['clients not an object', { clients: [], others: null }],
      ['an empty key', { clients: { app: '' }, others: null }],
      ['a key that is not a string', { clients: { app: 7 }, others: null }],
      ['others missing', { clients: { app: KEY_A } }],
      ['others empty', { clients: {}, others: '' }],
    ])('should refuse usageKeys with %s (the authorizer then fails closed)', (_, usageKeys) => {
      // THEN
      expect(() => parseConfig(rawConfig({ usageKeys }), TEST_ENV)).toThrow(ConfigError);
      expect(() => parseConfig(rawConfig({ usageKeys }), TEST_ENV)).toThrow(/usageKeys/);
    });
  });

  describe('decisions', () => {
    test('should return a declared client its own key with an Allow', async () => {
      // GIVEN
      const { authorize, records } = authorizerWith({ clients: { 'app-a': KEY_A, 'app-b': KEY_B }, others: null });
      // WHEN
      const result = await authorize(requestEvent(`Bearer ${await tokenOf({ client_id: 'app-b' })}`, 'GET', '/orders'));
      // THEN
      expect(result.usageIdentifierKey).toBe(KEY_B);
      expect(evaluatePolicy(result.policyDocument, `${METHOD_ARN_BASE}/GET/orders`)).toBe('allow');
      expect(records()[0]).toMatchObject({ decision: 'allow', reason: 'allowed', client_id: 'app-b' });
    });

    test('should return the key with a Deny too, whose cached policy may allow other routes', async () => {
      // GIVEN
      const { authorize } = authorizerWith({ clients: { 'app-a': KEY_A }, others: null });
      // WHEN
      const result = await authorize(requestEvent(`Bearer ${await tokenOf({ client_id: 'app-a' })}`, 'DELETE', '/orders/{id}'));
      // THEN
      expect(evaluatePolicy(result.policyDocument, `${METHOD_ARN_BASE}/DELETE/orders/42`)).toBe('deny');
      expect(evaluatePolicy(result.policyDocument, `${METHOD_ARN_BASE}/GET/orders`)).toBe('allow');
      expect(result.usageIdentifierKey).toBe(KEY_A);
    });

    test.each([
      ['an undeclared client_id', { client_id: 'stranger' }],
      ['no client_id', {}],
      ['a client_id named like an Object.prototype member', { client_id: 'constructor' }],
      ['a client_id of __proto__', { client_id: '__proto__' }],
    ])('should give the shared key to %s when undeclared clients are admitted', async (_, claims) => {
      // GIVEN
      const { authorize } = authorizerWith({ clients: { 'app-a': KEY_A }, others: KEY_OTHERS });
      // WHEN
      const result = await authorize(requestEvent(`Bearer ${await tokenOf(claims)}`, 'GET', '/orders'));
      // THEN
      expect(result.usageIdentifierKey).toBe(KEY_OTHERS);
      expect(evaluatePolicy(result.policyDocument, `${METHOD_ARN_BASE}/GET/orders`)).toBe('allow');
    });

    test.each(['token', 'route'])('should deny %s-mode requests of an undeclared client on every route, with client_undeclared and no key', async (cacheMode) => {
      // GIVEN
      const { authorize, records } = authorizerWith({ clients: { 'app-a': KEY_A, 'constructor': KEY_B }, others: null }, { cacheMode });
      const token = await tokenOf({ client_id: 'toString' });
      // WHEN
      const results = [await authorize(requestEvent(`Bearer ${token}`, 'GET', '/orders')), await authorize(requestEvent(`Bearer ${token}`, 'GET', '/me'))];
      // THEN
      for (const result of results) {
        expect(result.usageIdentifierKey).toBeUndefined();
        for (const arn of ['GET/orders', 'POST/orders', 'GET/orders/42', 'DELETE/orders/42', 'GET/me']) {
          expect(evaluatePolicy(result.policyDocument, `${METHOD_ARN_BASE}/${arn}`)).toBe('deny');
        }
      }
      expect(records().map((r) => [r.decision, r.reason])).toEqual([['deny', 'client_undeclared'], ['deny', 'client_undeclared']]);
    });

    test('should return no key without usage keys', async () => {
      // GIVEN
      const { authorize } = authorizerWith(undefined);
      // WHEN
      const result = await authorize(requestEvent(`Bearer ${await tokenOf({ client_id: 'app-a' })}`, 'GET', '/orders'));
      // THEN
      expect(Object.keys(result)).not.toContain('usageIdentifierKey');
    });
  });

  test('should return each token exactly its own client\'s key, or none and deny everything, across generated client tables and interleaved requests', async () => {
    // Client ids from a small alphabet, so that tables and tokens share ids often, plus names that a
    // plain object lookup would resolve through Object.prototype.
    // (The verifier refuses a token whose client is not a usable id: empty, not a string, ABSENT's
    // `-` or with a control character, 401 and no decision; profile.test.ts covers those. So the
    // generated ids leave them out.)
    const clientId = fc.oneof(fc.constantFrom('a', 'b', 'c', 'd', '__proto__', 'constructor', 'hasOwnProperty'), fc.string({ minLength: 1, maxLength: 3 }))
      .filter((id) => isUsableId(id));
    const hexKey = fc.stringMatching(/^[0-9a-f]{64}$/);
    const routes = ['GET /orders', 'POST /orders', 'GET /orders/{id}', 'DELETE /orders/{id}', 'GET /me'];
    await fc.assert(fc.asyncProperty(
      fc.dictionary(clientId, hexKey, { maxKeys: 4 }),
      fc.option(hexKey, { nil: null }),
      fc.constantFrom('token', 'route'),
      fc.array(fc.option(clientId, { nil: undefined }), { minLength: 1, maxLength: 4 }),
      fc.array(fc.tuple(fc.nat(), fc.constantFrom(...routes)), { minLength: 1, maxLength: 12 }),
      async (table, others, cacheMode, tokenClients, requests) => {
        // fc.dictionary may make "__proto__" an own key; config.json (JSON.parse) does too.
        const clients = JSON.parse(JSON.stringify(table));
        const { authorize } = authorizerWith({ clients, others }, { cacheMode });
        const tokens = await Promise.all(tokenClients.map((id) => tokenOf(id === undefined ? {} : { client_id: id })));
        for (const [n, route] of requests) {
          const i = n % tokens.length;
          const [method, resource] = route.split(' ');
          const result = await authorize(requestEvent(`Bearer ${tokens[i]}`, method, resource));
          const id = tokenClients[i];
          const own = id !== undefined && Object.prototype.hasOwnProperty.call(clients, id) ? clients[id] : undefined;
          const expected = own ?? others ?? undefined;
          expect(result.usageIdentifierKey).toBe(expected);
          if (expected === undefined) {
            expect(result.policyDocument.Statement.every((s) => s.Effect === 'Deny')).toBe(true);
          }
        }
      },
    ), { numRuns: 60 });
  });
});
