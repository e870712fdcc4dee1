import { capturedAudit, config, evaluatePolicy, makeKey, METHOD_ARN_BASE, nowSec, requestEvent, resolverOf, sign, validClaims } from './fixtures';
import type { TestKey } from './fixtures';
import { AuditLog } from '../../../src/authorizer/runtime/audit';
import { createAuthorizer, createFailClosedAuthorizer } from '../../../src/authorizer/runtime/authorizer';

let rsa: TestKey;

beforeAll(async () => {
  rsa = await makeKey('RS256', 'rsa-1');
});

async function outcome(p: Promise<unknown>): Promise<unknown> {
  return p.then((v) => v, (err: Error) => `rejected: ${err.message}`);
}

describe('createAuthorizer', () => {
  test('should allow a permitted route with a policy, principal and scalar context', async () => {
    // GIVEN
    const { audit, records } = capturedAudit();
    const authorize = createAuthorizer({ config: config({ cacheMode: 'route', contextClaims: ['tenant', 'groups', 'level'] }), audit, resolveKey: resolverOf(rsa) });
    const claims = validClaims({ client_id: 'app-1', tenant: 'acme', groups: ['a'], level: 2 });
    const token = await sign(rsa, claims);
    // WHEN
    const result = await authorize(requestEvent(`Bearer ${token}`, 'GET', '/orders/{id}'));
    // THEN
    expect(result).toEqual({
      principalId: 'sub:user-1',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [`${METHOD_ARN_BASE}/GET/orders/*`] }],
      },
      context: { tenant: 'acme', level: 2, sub: 'user-1', clientId: 'app-1', scopes: 'orders:read orders:write', issuer: 'https://issuer.example.com', exp: claims.exp },
    });
    expect(records()).toEqual([expect.objectContaining({ decision: 'allow', reason: 'allowed', route: 'GET /orders/{id}', kid: 'rsa-1', cached: false, sub: 'user-1' })]);
  });

  test('should answer a valid token without the scope with a Deny policy, not a throw', async () => {
    // GIVEN
    const { audit, records } = capturedAudit();
    const authorize = createAuthorizer({ config: config({ cacheMode: 'route' }), audit, resolveKey: resolverOf(rsa) });
    const token = await sign(rsa);
    // WHEN
    const result = await authorize(requestEvent(`Bearer ${token}`, 'DELETE', '/orders/{id}'));
    // THEN
    expect(result).toMatchObject({
      policyDocument: { Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [`${METHOD_ARN_BASE}/DELETE/orders/*`] }] },
    });
    expect(records()[0]).toMatchObject({ decision: 'deny', reason: 'insufficient_scope', sub: 'user-1', scopes: 'orders:read orders:write' });
  });

  test('should deny an unknown route (route_unknown) after verifying the token', async () => {
    // GIVEN
    const { audit, records } = capturedAudit();
    const authorize = createAuthorizer({ config: config(), audit, resolveKey: resolverOf(rsa) });
    // WHEN
    const result = await authorize(requestEvent(`Bearer ${await sign(rsa)}`, 'GET', '/unknown'));
    // THEN
    expect(result).toMatchObject({ principalId: 'sub:user-1' });
    expect(records()[0]).toMatchObject({ decision: 'deny', reason: 'route_unknown', route: 'GET /unknown' });
  });

  test('should serve a repeated token from the claims cache without a key lookup', async () => {
    // GIVEN
    const { audit, records } = capturedAudit();
    const resolver = resolverOf(rsa);
    const authorize = createAuthorizer({ config: config(), audit, resolveKey: resolver });
    const token = await sign(rsa);
    // WHEN
    await authorize(requestEvent(`Bearer ${token}`, 'GET', '/orders'));
    const second = await authorize(requestEvent(`Bearer ${token}`, 'POST', '/orders'));
    // THEN
    expect(resolver.calls).toHaveLength(1);
    expect(records().map((r) => [r.reason, r.cached])).toEqual([['allowed', false], ['allowed', true]]);
    expect(second.principalId).toBe('sub:user-1');
  });

  test('should evaluate the route again on a cache hit instead of reusing a decision', async () => {
    // GIVEN
    const { audit, records } = capturedAudit();
    const authorize = createAuthorizer({ config: config(), audit, resolveKey: resolverOf(rsa) });
    const token = await sign(rsa, validClaims({ scope: 'orders:read' }));
    // WHEN
    await authorize(requestEvent(`Bearer ${token}`, 'GET', '/orders'));
    await authorize(requestEvent(`Bearer ${token}`, 'POST', '/orders'));
    // THEN
    expect(records().map((r) => [r.decision, r.reason, r.cached])).toEqual([['allow', 'allowed', false], ['deny', 'insufficient_scope', true]]);
  });

  test('should stop serving a cached token at its exp', async () => {
    // GIVEN
    const { audit, records } = capturedAudit();
    let clock = Date.now();
    const authorize = createAuthorizer({ config: config(), audit, resolveKey: resolverOf(rsa), now: () => clock });
    const exp = Math.floor(clock / 1000) + 60;
    const token = await sign(rsa, validClaims({ exp }));
    await authorize(requestEvent(`Bearer ${token}`));
    // WHEN
    clock = (exp + 31) * 1000;
    const after = await outcome(authorize(requestEvent(`Bearer ${token}`)));
    // THEN
    expect(after).toBe('rejected: Unauthorized');
    expect(records().map((r) => [r.reason, r.cached])).toEqual([['allowed', false], ['expired', false]]);
  });

  test('should fall back to client:<client_id> and then anonymous for the principal', async () => {
    // GIVEN
    const { audit } = capturedAudit();
    const authorize = createAuthorizer({ config: config(), audit, resolveKey: resolverOf(rsa) });
    const client = await sign(rsa, validClaims({ sub: undefined, client_id: 'machine-1' }));
    const none = await sign(rsa, validClaims({ sub: undefined, scope: undefined, scp: undefined }));
    // WHEN
    const a = await authorize(requestEvent(`Bearer ${client}`));
    const b = await authorize(requestEvent(`Bearer ${none}`));
    // THEN
    expect(a.principalId).toBe('client:machine-1');
    // sub, clientId and scopes are always in the context, never empty: '-' when the token has no such claim.
    expect(a.context).toEqual({ sub: '-', clientId: 'machine-1', scopes: 'orders:read orders:write', issuer: 'https://issuer.example.com', exp: expect.any(Number) });
    expect(b.principalId).toBe('anonymous');
    expect(b.context).toMatchObject({ sub: '-', clientId: '-', scopes: '-' });
  });

  test('should not let a context claim reach the prototype, and keep only scalar claims', async () => {
    // GIVEN
    const { audit } = capturedAudit();
    const authorize = createAuthorizer({ config: config({ contextClaims: ['__proto__', 'big'] }), audit, resolveKey: resolverOf(rsa) });
    const payload = JSON.parse(`{"scopes":"admin","__proto__":"x","big":1e999,${JSON.stringify(validClaims()).slice(1)}`);
    const token = await sign(rsa, payload);
    // WHEN
    const result = await authorize(requestEvent(`Bearer ${token}`));
    // THEN
    expect(result.context.scopes).toBe('orders:read orders:write');
    expect(Object.getPrototypeOf(result.context)).toBe(Object.prototype);
    expect(Object.hasOwn(result.context, 'big')).toBe(false);
    expect(Object.entries(result.context).sort()).toEqual([
      ['__proto__', 'x'],
      ['clientId', '-'],
      ['exp', payload.exp],
      ['issuer', 'https://issuer.example.com'],
      ['scopes', 'orders:read orders:write'],
      ['sub', 'user-1'],
    ]);
  });

  test.each(['scopes', 'Sub', 'principalId', 'PRINCIPALID', 'integrationLatency', 'claims', 'status'])(
    'should refuse a configuration whose context claims hold %s, a key the authorizer or API Gateway sets', (name) => {
      // WHEN
      const load = () => config({ contextClaims: ['tenant', name] });
      // THEN
      expect(load).toThrow(new RegExp(`contextClaims holds "${name}", a key the authorizer or API Gateway sets`));
    });

  test.each([
    ['a non-object event', 'event'],
    ['a TOKEN authorizer event', { ...requestEvent('Bearer x.y.z'), type: 'TOKEN' }],
    ['an event without methodArn', { ...requestEvent('Bearer x.y.z'), methodArn: undefined }],
  ])('should refuse %s as internal_error', async (_, event) => {
    // GIVEN
    const { audit, records } = capturedAudit();
    const authorize = createAuthorizer({ config: config(), audit, resolveKey: resolverOf(rsa) });
    // WHEN
    const got = await outcome(authorize(event));
    // THEN
    expect(got).toBe('rejected: Unauthorized');
    expect(records()[0]).toMatchObject({ decision: 'unauthorized', reason: 'internal_error', error: 'Error' });
  });

  test('should refuse a valid token with a malformed methodArn as internal_error', async () => {
    // GIVEN
    const { audit, records } = capturedAudit();
    const authorize = createAuthorizer({ config: config(), audit, resolveKey: resolverOf(rsa) });
    const event = { ...requestEvent(`Bearer ${await sign(rsa)}`), methodArn: 'arn:aws:execute-api:x' };
    // WHEN
    const got = await outcome(authorize(event));
    // THEN
    expect(got).toBe('rejected: Unauthorized');
    expect(records()[0]).toMatchObject({ reason: 'internal_error', sub: null });
  });

  test('should reject with exactly Error("Unauthorized") when the key source fails unexpectedly', async () => {
    // GIVEN
    const { audit, records } = capturedAudit();
    const authorize = createAuthorizer({
      config: config(),
      audit,
      resolveKey: async () => {
        throw new TypeError('boom eyJsecret');
      },
    });
    // WHEN
    const err = await authorize(requestEvent(`Bearer ${await sign(rsa)}`)).catch((e: unknown) => e);
    // THEN
    expect(err).toBeInstanceOf(Error);
    expect(Object.getPrototypeOf(err)).toBe(Error.prototype);
    expect((err as Error).message).toBe('Unauthorized');
    expect(records()[0]).toMatchObject({ reason: 'internal_error', error: 'TypeError' });
    expect(JSON.stringify(records())).not.toContain('eyJsecret');
  });
});

describe('decisions kept with a cached token', () => {
  const withArn = (event: Record<string, unknown>, methodArn: string) => ({ ...event, methodArn });
  const resources = (result: { policyDocument: { Statement: ReadonlyArray<{ Effect: string; Resource: readonly string[] }> } }) =>
    result.policyDocument.Statement.map((st) => [st.Effect, [...st.Resource]]);
  const scopedRoutes = [
    { method: 'GET', resource: '/orders', arnPath: 'orders', scopes: ['orders:read'], claimRules: [], overlaps: [] },
    { method: 'DELETE', resource: '/orders/{id}', arnPath: 'orders/*', scopes: ['orders:admin'], claimRules: [], overlaps: [] },
  ];

  test('should answer the same request again with an equal, deeply frozen result and log each decision', async () => {
    // GIVEN
    const { audit, records } = capturedAudit();
    const authorize = createAuthorizer({ config: config(), audit, resolveKey: resolverOf(rsa) });
    const token = await sign(rsa);
    // WHEN
    const first = await authorize(requestEvent(`Bearer ${token}`));
    const second = await authorize(requestEvent(`Bearer ${token}`));
    // THEN
    expect(second).toEqual(first);
    const doc = second.policyDocument;
    for (const part of [second, doc, doc.Statement, ...doc.Statement, ...doc.Statement.map((st) => st.Resource), second.context]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
    expect(records().map((r) => [r.decision, r.reason, r.cached])).toEqual([['allow', 'allowed', false], ['allow', 'allowed', true]]);
  });

  test.each(['token', 'route'])('should build the policy for the API and stage of each request in %s mode', async (cacheMode) => {
    // GIVEN
    const { audit } = capturedAudit();
    const authorize = createAuthorizer({ config: config({ cacheMode }), audit, resolveKey: resolverOf(rsa) });
    const token = await sign(rsa);
    const event = requestEvent(`Bearer ${token}`);
    const otherStage = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/test/GET/orders';
    const otherApi = 'arn:aws:execute-api:eu-west-1:123456789012:xyz789/prod/GET/orders';
    // WHEN
    const prod = await authorize(event);
    const test = await authorize(withArn(event, otherStage));
    const api = await authorize(withArn(event, otherApi));
    const again = await authorize(event);
    // THEN
    expect(evaluatePolicy(prod.policyDocument, `${METHOD_ARN_BASE}/GET/orders`)).toBe('allow');
    expect(evaluatePolicy(prod.policyDocument, otherStage)).toBe('deny');
    expect(evaluatePolicy(test.policyDocument, otherStage)).toBe('allow');
    expect(evaluatePolicy(test.policyDocument, `${METHOD_ARN_BASE}/GET/orders`)).toBe('deny');
    expect(evaluatePolicy(api.policyDocument, otherApi)).toBe('allow');
    expect(evaluatePolicy(api.policyDocument, `${METHOD_ARN_BASE}/GET/orders`)).toBe('deny');
    expect(again).toEqual(prod);
  });

  test('should share a token-mode policy only between tokens permitted the same routes', async () => {
    // GIVEN
    const { audit } = capturedAudit();
    const authorize = createAuthorizer({ config: config(), audit, resolveKey: resolverOf(rsa) });
    const [alice, bob, reader] = await Promise.all([
      sign(rsa, validClaims({ sub: 'alice' })),
      sign(rsa, validClaims({ sub: 'bob' })),
      sign(rsa, validClaims({ sub: 'reader', scope: 'orders:read' })),
    ]);
    // WHEN
    const a = await authorize(requestEvent(`Bearer ${alice}`));
    const b = await authorize(requestEvent(`Bearer ${bob}`, 'GET', '/me'));
    const r = await authorize(requestEvent(`Bearer ${reader}`));
    // THEN
    expect(b.policyDocument).toBe(a.policyDocument);
    expect([a.principalId, b.principalId, b.context.sub]).toEqual(['sub:alice', 'sub:bob', 'bob']);
    expect(r.policyDocument).not.toBe(a.policyDocument);
    expect(evaluatePolicy(a.policyDocument, `${METHOD_ARN_BASE}/POST/orders`)).toBe('allow');
    expect(evaluatePolicy(r.policyDocument, `${METHOD_ARN_BASE}/POST/orders`)).toBe('deny');
  });

  test('should deny each route on its own when a token-mode token is permitted none', async () => {
    // GIVEN
    const { audit, records } = capturedAudit();
    const authorize = createAuthorizer({ config: config({ routes: scopedRoutes }), audit, resolveKey: resolverOf(rsa) });
    const [first, second] = await Promise.all([sign(rsa, validClaims({ scope: 'profile' })), sign(rsa, validClaims({ sub: 'other', scope: 'profile' }))]);
    // WHEN
    const list = await authorize(requestEvent(`Bearer ${first}`));
    const del = await authorize(requestEvent(`Bearer ${second}`, 'DELETE', '/orders/{id}'));
    const listAgain = await authorize(requestEvent(`Bearer ${second}`));
    // THEN
    expect(resources(list)).toEqual([['Deny', [`${METHOD_ARN_BASE}/GET/orders`]]]);
    expect(resources(del)).toEqual([['Deny', [`${METHOD_ARN_BASE}/DELETE/orders/*`]]]);
    expect(listAgain.policyDocument).toBe(list.policyDocument);
    expect(records().map((r) => r.reason)).toEqual(['insufficient_scope', 'insufficient_scope', 'insufficient_scope']);
  });

  test('should decide again when the same token asks for another route in route mode', async () => {
    // GIVEN
    const { audit, records } = capturedAudit();
    const authorize = createAuthorizer({ config: config({ cacheMode: 'route', routes: scopedRoutes }), audit, resolveKey: resolverOf(rsa) });
    const token = await sign(rsa);
    // WHEN
    const list = await authorize(requestEvent(`Bearer ${token}`));
    const del = await authorize(requestEvent(`Bearer ${token}`, 'DELETE', '/orders/{id}'));
    const listAgain = await authorize(requestEvent(`Bearer ${token}`));
    // THEN
    expect(resources(list)).toEqual([['Allow', [`${METHOD_ARN_BASE}/GET/orders`]]]);
    expect(resources(del)).toEqual([['Deny', [`${METHOD_ARN_BASE}/DELETE/orders/*`]]]);
    expect(listAgain).toEqual(list);
    expect(records().map((r) => [r.reason, r.cached])).toEqual([['allowed', false], ['insufficient_scope', true], ['allowed', true]]);
  });

  test('should still refuse a token that is not a compact JWS when a near copy of it is cached', async () => {
    // GIVEN
    const { audit, records } = capturedAudit();
    const authorize = createAuthorizer({ config: config(), audit, resolveKey: resolverOf(rsa) });
    const token = await sign(rsa);
    await authorize(requestEvent(`Bearer ${token}`));
    // WHEN
    const padded = await outcome(authorize(requestEvent(`Bearer ${token}==`)));
    const spaced = await outcome(authorize(requestEvent(`Bearer ${token} `)));
    const again = await authorize(requestEvent(`Bearer ${token}`));
    // THEN
    expect([padded, spaced]).toEqual(['rejected: Unauthorized', 'rejected: Unauthorized']);
    expect(again.principalId).toBe('sub:user-1');
    expect(records().map((r) => [r.reason, r.cached])).toEqual([['allowed', false], ['malformed_token', false], ['malformed_token', false], ['allowed', true]]);
  });

  test('should not serve a decision kept with a token after its exp', async () => {
    // GIVEN
    const { audit, records } = capturedAudit();
    let clock = Date.now();
    const authorize = createAuthorizer({ config: config(), audit, resolveKey: resolverOf(rsa), now: () => clock });
    const exp = Math.floor(clock / 1000) + 60;
    const token = await sign(rsa, validClaims({ exp }));
    await authorize(requestEvent(`Bearer ${token}`));
    await authorize(requestEvent(`Bearer ${token}`));
    // WHEN
    clock = exp * 1000;
    const atExp = await outcome(authorize(requestEvent(`Bearer ${token}`)));
    // THEN: within the clock tolerance jose still accepts the token, but only after verifying it again
    expect(atExp).toMatchObject({ principalId: 'sub:user-1' });
    expect(records().map((r) => r.cached)).toEqual([false, true, false]);
  });
});

describe('createFailClosedAuthorizer', () => {
  test('should refuse every request and log internal_error', async () => {
    // GIVEN
    const lines: string[] = [];
    const authorize = createFailClosedAuthorizer(new AuditLog('SecuredApi', 'orders-api', (l) => lines.push(l)));
    // WHEN
    const got = await outcome(authorize(requestEvent(`Bearer ${await sign(rsa)}`)));
    // THEN
    expect(got).toBe('rejected: Unauthorized');
    expect(JSON.parse(lines[0])).toMatchObject({ decision: 'unauthorized', reason: 'internal_error', route: 'GET /orders', error: 'ConfigError' });
  });
});

test('nowSec helper should agree with Date.now', () => {
  // Bracketed by two clock reads, so the time the calls take cannot matter.
  const before = Math.floor(Date.now() / 1000);
  const sec = nowSec();
  const after = Math.floor(Date.now() / 1000);
  expect(sec).toBeGreaterThanOrEqual(before);
  expect(sec).toBeLessThanOrEqual(after);
});
