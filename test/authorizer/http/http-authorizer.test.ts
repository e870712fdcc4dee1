import { httpEvent } from './fixtures';
import { AuditLog } from '../../../src/authorizer/runtime/audit';
import { createFailClosedHttpAuthorizer, createHttpAuthorizer } from '../../../src/authorizer/runtime/http-authorizer';
import { parseRouteKey, restEventOf } from '../../../src/authorizer/runtime/http-event';
import { REFUSED, simpleResponseOf } from '../../../src/authorizer/runtime/http-response';
import { capturedAudit, clockAt, config, FIXED_NOW, makeKey, resolverOf, sign, validClaims } from '../runtime/fixtures';
import type { TestKey } from '../runtime/fixtures';

let rsa: TestKey;
let other: TestKey;

beforeAll(async () => {
  [rsa, other] = await Promise.all([makeKey('RS256', 'rsa-1'), makeKey('RS256', 'rsa-other')]);
});

const claims = (extra: Record<string, unknown> = {}) => validClaims(extra, FIXED_NOW);

function authorizer(overrides: Record<string, unknown> = {}) {
  const { audit, records } = capturedAudit();
  const authorize = createHttpAuthorizer({ config: config(overrides), audit, resolveKey: resolverOf(rsa), now: clockAt(FIXED_NOW) });
  return { authorize, records };
}

describe('parseRouteKey', () => {
  test.each([
    ['GET /orders/{id}', 'GET', { method: 'GET', resource: '/orders/{id}' }],
    ['ANY /files/{proxy+}', 'DELETE', { method: 'ANY', resource: '/files/{proxy+}' }],
    ['POST /', 'POST', { method: 'POST', resource: '/' }],
    ['$default', 'PUT', { method: 'PUT', resource: '$default' }],
    ['$default', undefined, { method: 'ANY', resource: '$default' }],
    ['$default', 'BREW', { method: 'ANY', resource: '$default' }],
  ])('should read %j (request method %j)', (routeKey, method, expected) => {
    expect(parseRouteKey(routeKey, method)).toEqual(expected);
  });

  test.each([undefined, 42, '', 'GET', 'GET ', '/orders', 'get /orders', 'BREW /orders', 'GET orders', 'GET /a b', ' GET /orders', '$DEFAULT'])(
    'should refuse %j', (routeKey) => {
      expect(parseRouteKey(routeKey, 'GET')).toBeUndefined();
    });
});

describe('restEventOf', () => {
  test('should hand the core the route key\'s method and path, and the lower-cased authorization header', () => {
    // WHEN
    const event = restEventOf(httpEvent('Bearer abc', 'ANY /files/{proxy+}', { method: 'DELETE', rawPath: '/files/a/b' }));
    // THEN
    expect(event).toMatchObject({ type: 'REQUEST', httpMethod: 'ANY', resource: '/files/{proxy+}', headers: { authorization: 'Bearer abc' } });
    expect(event?.methodArn).toMatch(/^arn:aws:execute-api:[^/]+\/\$default\/ANY\/files\/\{proxy\+\}$/);
  });

  test.each<[unknown]>([['not an object'], [null], [42]])('should refuse %j', (input) => {
    expect(restEventOf(input)).toBeUndefined();
  });

  test('should refuse payload 1.0, a TOKEN event and an unreadable route key', () => {
    expect(restEventOf({ ...httpEvent('Bearer a'), version: '1.0' })).toBeUndefined();
    expect(restEventOf({ ...httpEvent('Bearer a'), type: 'TOKEN' })).toBeUndefined();
    expect(restEventOf({ ...httpEvent('Bearer a'), routeKey: 'GET' })).toBeUndefined();
  });
});

describe('simpleResponseOf', () => {
  const allow = { Version: '2012-10-17' as const, Statement: [{ Action: 'execute-api:Invoke' as const, Effect: 'Allow' as const, Resource: ['x'] }] };
  const deny = { Version: '2012-10-17' as const, Statement: [{ Action: 'execute-api:Invoke' as const, Effect: 'Deny' as const, Resource: ['x'] }] };

  test('should allow with every context value as a string', () => {
    expect(simpleResponseOf({ principalId: 'p', policyDocument: allow, context: { sub: 'u', exp: 1767226200, admin: true } }))
      .toEqual({ isAuthorized: true, context: { sub: 'u', exp: '1767226200', admin: 'true', principal: 'p' } });
  });

  test('should set the principal last, over a context key of that name', () => {
    const response = simpleResponseOf({ principalId: 'sub:u', policyDocument: allow, context: { principal: 'forged', sub: 'u' } });
    expect(response.context).toEqual({ principal: 'sub:u', sub: 'u' });
  });

  test('should refuse a Deny, a mixed policy and no statement, without context', () => {
    expect(simpleResponseOf({ principalId: 'p', policyDocument: deny, context: { sub: 'u' } })).toBe(REFUSED);
    expect(simpleResponseOf({ principalId: 'p', policyDocument: { ...allow, Statement: [...allow.Statement, ...deny.Statement] }, context: {} })).toBe(REFUSED);
    expect(simpleResponseOf({ principalId: 'p', policyDocument: { ...allow, Statement: [] }, context: {} })).toBe(REFUSED);
    expect(REFUSED).toEqual({ isAuthorized: false });
  });

  test('should keep a context key named __proto__ a key', () => {
    const context = JSON.parse('{"__proto__":"x","sub":"u"}');
    const response = simpleResponseOf({ principalId: 'p', policyDocument: allow, context });
    expect(Object.keys(response.context!)).toEqual(['__proto__', 'sub', 'principal']);
    expect(Object.getPrototypeOf(response.context)).toBe(Object.prototype);
  });
});

describe('createHttpAuthorizer', () => {
  test('should allow a permitted route with the REST context, as strings, and log the REST audit line', async () => {
    // GIVEN
    const { authorize, records } = authorizer({ contextClaims: ['tenant', 'level'] });
    const c = claims({ client_id: 'app-1', tenant: 'acme', level: 2, scope: 'orders:read' });
    // WHEN
    const result = await authorize(httpEvent(`Bearer ${await sign(rsa, c)}`, 'GET /orders/{id}'));
    // THEN
    expect(result).toEqual({
      isAuthorized: true,
      context: { tenant: 'acme', level: '2', sub: 'user-1', clientId: 'app-1', scopes: 'orders:read', issuer: 'https://issuer.example.com', exp: String(c.exp), principal: 'sub:user-1' },
    });
    expect(records()).toEqual([expect.objectContaining({ type: 'authz_decision', decision: 'allow', reason: 'allowed', route: 'GET /orders/{id}', kid: 'rsa-1', sub: 'user-1' })]);
  });

  test('should refuse (403) a valid token lacking the scope, logged as insufficient_scope', async () => {
    const { authorize, records } = authorizer();
    const result = await authorize(httpEvent(`Bearer ${await sign(rsa, claims({ scope: 'orders:read' }))}`, 'DELETE /orders/{id}'));
    expect(result).toEqual({ isAuthorized: false });
    expect(records()[0]).toMatchObject({ decision: 'deny', reason: 'insufficient_scope', route: 'DELETE /orders/{id}' });
  });

  test('should answer per route for one token (the core runs in route mode even for a token-mode table)', async () => {
    const { authorize } = authorizer({ cacheMode: 'token' });
    const token = `Bearer ${await sign(rsa, claims({ scope: 'orders:read' }))}`;
    expect(await authorize(httpEvent(token, 'GET /orders'))).toMatchObject({ isAuthorized: true });
    expect(await authorize(httpEvent(token, 'POST /orders'))).toEqual({ isAuthorized: false });
    expect(await authorize(httpEvent(token, 'GET /orders/{id}'))).toMatchObject({ isAuthorized: true });
    expect(await authorize(httpEvent(token, 'DELETE /orders/{id}'))).toEqual({ isAuthorized: false });
  });

  test('should refuse $default and a route key the table does not hold (route_unknown)', async () => {
    const { authorize, records } = authorizer();
    const token = `Bearer ${await sign(rsa, claims())}`;
    expect(await authorize(httpEvent(token, '$default'))).toEqual({ isAuthorized: false });
    expect(await authorize(httpEvent(token, 'GET /unknown'))).toEqual({ isAuthorized: false });
    expect(records().map((r) => [r.decision, r.reason, r.route])).toEqual([['deny', 'route_unknown', 'GET $default'], ['deny', 'route_unknown', 'GET /unknown']]);
  });

  test('should select an ANY route by its route key whatever the request method', async () => {
    const routes = [{ method: 'ANY', resource: '/files/{proxy+}', arnPath: 'files/*', scopes: ['files:rw'], claimRules: [], overlaps: [] }];
    const { authorize } = authorizer({ routes });
    const token = `Bearer ${await sign(rsa, claims({ scope: 'files:rw' }))}`;
    expect(await authorize(httpEvent(token, 'ANY /files/{proxy+}', { method: 'DELETE', rawPath: '/files/a/b/c' }))).toMatchObject({ isAuthorized: true });
    // A method-specific route key the table lacks is not the ANY route's (it would only exist outside the table).
    expect(await authorize(httpEvent(token, 'GET /files'))).toEqual({ isAuthorized: false });
  });

  test.each([
    ['a missing header', undefined, 'missing_token'],
    ['another scheme', 'Basic dXNlcjpwYXNz', 'bad_scheme'],
    ['a malformed token', 'Bearer not-a-jwt', 'malformed_token'],
  ])('should refuse %s, logged as unauthorized, never throwing', async (_, authorization, reason) => {
    const { authorize, records } = authorizer();
    await expect(authorize(httpEvent(authorization, 'GET /orders'))).resolves.toEqual({ isAuthorized: false });
    expect(records()[0]).toMatchObject({ decision: 'unauthorized', reason, route: 'GET /orders' });
  });

  test('should refuse an expired token, a wrong audience and a foreign signature with the REST reason codes', async () => {
    const { authorize, records } = authorizer();
    for (const token of [
      await sign(rsa, claims({ exp: FIXED_NOW - 3600, iat: FIXED_NOW - 7200 })),
      await sign(rsa, claims({ aud: 'api://elsewhere' })),
      await sign(other, claims(), { kid: 'rsa-1' }),
    ]) {
      await expect(authorize(httpEvent(`Bearer ${token}`, 'GET /orders'))).resolves.toEqual({ isAuthorized: false });
    }
    expect(records().map((r) => [r.decision, r.reason])).toEqual([
      ['unauthorized', 'expired'], ['unauthorized', 'audience_mismatch'], ['unauthorized', 'bad_signature'],
    ]);
  });

  test('should refuse two authorization headers joined by a comma (payload 2.0 joins repeated headers)', async () => {
    const { authorize, records } = authorizer();
    const token = await sign(rsa, claims());
    await expect(authorize(httpEvent(`Bearer ${token},Bearer ${token}`, 'GET /orders'))).resolves.toEqual({ isAuthorized: false });
    expect(records()[0]).toMatchObject({ decision: 'unauthorized', reason: 'malformed_token' });
  });

  test.each([
    ['undefined', undefined],
    ['a REST event', { type: 'REQUEST', methodArn: 'arn:aws:execute-api:eu-west-1:1:a/prod/GET/orders', httpMethod: 'GET', resource: '/orders', headers: {} }],
    ['a payload 1.0 event', { version: '1.0', type: 'REQUEST', routeKey: 'GET /orders', headers: {} }],
  ])('should refuse %s as internal_error', async (_, event) => {
    const { authorize, records } = authorizer();
    await expect(authorize(event)).resolves.toEqual({ isAuthorized: false });
    expect(records()[0]).toMatchObject({ decision: 'unauthorized', reason: 'internal_error' });
  });

  test('should never allow when the keys cannot be resolved', async () => {
    const { audit, records } = capturedAudit();
    const authorize = createHttpAuthorizer({
      config: config(),
      audit,
      now: clockAt(FIXED_NOW),
      resolveKey: async () => { throw new Error('boom'); },
    });
    await expect(authorize(httpEvent(`Bearer ${await sign(rsa, claims())}`, 'GET /orders'))).resolves.toEqual({ isAuthorized: false });
    expect(records()[0]).toMatchObject({ decision: 'unauthorized' });
  });

  test('should leave the token out of every audit line', async () => {
    const { authorize, records } = authorizer();
    const tokens = [await sign(rsa, claims()), await sign(rsa, claims({ aud: 'x' })), await sign(rsa, claims({ scope: '' }))];
    for (const t of tokens) {
      await authorize(httpEvent(`Bearer ${t}`, 'POST /orders'));
    }
    const text = JSON.stringify(records());
    for (const t of tokens) {
      expect(text).not.toContain(t);
      expect(text).not.toContain(t.split('.')[2]);
    }
  });
});

describe('createFailClosedHttpAuthorizer', () => {
  test('should refuse every request as internal_error', async () => {
    const lines: string[] = [];
    const authorize = createFailClosedHttpAuthorizer(new AuditLog('SecuredApi', 'orders-api', (l) => lines.push(l)));
    await expect(authorize(httpEvent('Bearer x', 'GET /orders'))).resolves.toEqual({ isAuthorized: false });
    expect(JSON.parse(lines[0])).toMatchObject({ decision: 'unauthorized', reason: 'internal_error', error: 'ConfigError' });
  });
});
