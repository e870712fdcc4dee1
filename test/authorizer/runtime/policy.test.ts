import { evaluatePolicy as evaluate, METHOD_ARN_BASE } from './fixtures';
import { compileRouteTable } from '../../../src/authorizer/route-table';
import type { RouteConfig } from '../../../src/authorizer/runtime/config';
import { arnBase, policyDocument, routeArn } from '../../../src/authorizer/runtime/policy';
import type { PolicyDocument } from '../../../src/authorizer/runtime/policy';
import { permission } from '../../../src/authorizer/runtime/routes';

describe('the IAM glob evaluator used by these tests', () => {
  test('should match IAM semantics on a few known cases', () => {
    // GIVEN
    const doc: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: ['a/GET/orders/*', 'a/GET/x?z'] },
        { Action: 'execute-api:Invoke', Effect: 'Deny', Resource: ['a/GET/orders/*/items'] },
      ],
    };
    // WHEN
    const got = ['a/GET/orders/1', 'a/GET/orders/1/2', 'a/GET/orders/1/items', 'a/GET/orders', 'a/GET/xyz', 'a/GET/xz', 'a/POST/orders/1'].map((arn) => evaluate(doc, arn));
    // THEN
    expect(got).toEqual(['allow', 'allow', 'deny', 'deny', 'allow', 'deny', 'deny']);
  });
});

type Route = Omit<RouteConfig, 'overlaps' | 'claimRules'>;

/**
 * Concrete requests of a route: [httpMethod, path], with parameter values that include the
 * table's own literal segments (a value equal to another route's literal is where globs meet).
 */
function requestsOf(route: Route, table: Route[] = [route]): Array<[string, string]> {
  const literals = [...new Set(table.flatMap((r) => r.resource.split('/').filter((s) => s !== '' && !s.startsWith('{'))))];
  const values = ['42', 'a-b', ...literals];
  const paths = route.resource.includes('{proxy+}')
    ? ['x', 'x/y/z', ...values, ...literals.map((l) => `x/${l}`)].map((p) => route.resource.replace('{proxy+}', p))
    : values.map((p) => route.resource.replace(/\{[^}]+\}/g, p));
  const methods = route.method === 'ANY' ? ['GET', 'POST', 'DELETE'] : [route.method];
  return methods.flatMap((m) => [...new Set(paths)].map((p): [string, string] => [m, p]));
}

const requestArn = (method: string, path: string) => `${METHOD_ARN_BASE}/${method}${path}`;

/** overlaps as the contract defines them: routes d whose real requests route a's ARN glob matches. */
function withOverlaps(routes: Route[]): RouteConfig[] {
  return routes.map((a, i) => {
    const glob: PolicyDocument = { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [routeArn(METHOD_ARN_BASE, { ...a, claimRules: [], overlaps: [] })] }] };
    const overlaps = routes.flatMap((d, j) => (j !== i && requestsOf(d, routes).some(([m, p]) => evaluate(glob, requestArn(m, p)) === 'allow') ? [j] : []));
    return { ...a, claimRules: [], overlaps };
  });
}

function subsets<T>(items: T[]): T[][] {
  return items.reduce<T[][]>((acc, item) => acc.concat(acc.map((s) => [...s, item])), [[]]);
}

const ORDERS_API: Route[] = [
  { method: 'GET', resource: '/orders', arnPath: 'orders', scopes: ['orders:read'] },
  { method: 'POST', resource: '/orders', arnPath: 'orders', scopes: ['orders:write'] },
  { method: 'GET', resource: '/orders/{id}', arnPath: 'orders/*', scopes: ['orders:read'] },
  { method: 'GET', resource: '/orders/{id}/items', arnPath: 'orders/*/items', scopes: ['orders:items'] },
  { method: 'DELETE', resource: '/orders/{id}', arnPath: 'orders/*', scopes: ['orders:admin'] },
  { method: 'ANY', resource: '/admin/{proxy+}', arnPath: 'admin/*', scopes: ['admin'] },
  { method: 'GET', resource: '/me', arnPath: 'me', scopes: [] },
  { method: 'GET', resource: '/', arnPath: '', scopes: ['root:read'] },
];

const PROXY_API: Route[] = [
  { method: 'ANY', resource: '/things/{proxy+}', arnPath: 'things/*', scopes: ['things:all'] },
  { method: 'GET', resource: '/things/special', arnPath: 'things/special', scopes: ['things:special'] },
  { method: 'GET', resource: '/things/{id}/detail', arnPath: 'things/*/detail', scopes: ['things:detail', 'things:all'] },
];

describe('policyDocument in token cache mode', () => {
  test('should leave a proxy API with specific routes under the proxy to route mode, where a token-wide Deny would shut them', () => {
    // GIVEN
    const checked = PROXY_API.map(({ method, resource, scopes }) => ({ method, resource, scopes: [...scopes], claimRules: [] }));
    // WHEN
    const compiled = compileRouteTable(checked);
    // THEN
    expect(compiled.cacheMode).toBe('route');
    expect(compileRouteTable(ORDERS_API.map(({ method, resource, scopes }) => ({ method, resource, scopes: [...scopes], claimRules: [] }))).cacheMode).toBe('token');
  });

  test.each([
    ['an orders API', ORDERS_API],
  ])('should, for %s, allow exactly the permitted routes whichever route computed the cached policy', (_, table) => {
    // GIVEN
    const routes = withOverlaps(table);
    const allScopes = [...new Set(routes.flatMap((r) => r.scopes))];
    const failures: string[] = [];
    // WHEN
    for (const granted of subsets(allScopes)) {
      const scopes = new Set(granted);
      const permitted = (i: number) => permission(routes[i], {}, scopes) === 'allowed';
      routes.forEach((computedFor, current) => {
        const [m, p] = requestsOf(computedFor)[0];
        const doc = policyDocument({ methodArn: requestArn(m, p), routes, cacheMode: 'token', current, permitted });
        routes.forEach((target, t) => {
          for (const [method, path] of requestsOf(target, table)) {
            const expected = permitted(t) ? 'allow' : 'deny';
            const got = evaluate(doc, requestArn(method, path));
            if (got !== expected) {
              failures.push(`scopes [${granted}] policy from ${computedFor.method} ${computedFor.resource}: ${method} ${path} got ${got}`);
            }
          }
        });
      });
    }
    // THEN
    expect(failures).toEqual([]);
  });

  test('should deny a non-permitted route that a permitted route glob covers', () => {
    // GIVEN
    const routes = withOverlaps(ORDERS_API);
    const scopes = new Set(['orders:read']);
    // WHEN
    const doc = policyDocument({
      methodArn: requestArn('GET', '/orders/42'),
      routes,
      cacheMode: 'token',
      current: 2,
      permitted: (i) => permission(routes[i], {}, scopes) === 'allowed',
    });
    // THEN
    expect(routes[2].overlaps).toEqual([3]);
    expect(doc).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [`${METHOD_ARN_BASE}/GET/orders`, `${METHOD_ARN_BASE}/GET/orders/*`, `${METHOD_ARN_BASE}/GET/me`] },
        { Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [`${METHOD_ARN_BASE}/GET/orders/*/items`] },
      ],
    });
  });

  test('should answer with a single Deny of the current route when nothing is permitted', () => {
    // GIVEN
    const routes = withOverlaps(ORDERS_API);
    // WHEN
    const doc = policyDocument({ methodArn: requestArn('DELETE', '/orders/42'), routes, cacheMode: 'token', current: 4, permitted: () => false });
    // THEN
    expect(doc.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [`${METHOD_ARN_BASE}/DELETE/orders/*`] }]);
  });

  test('should keep the permitted routes open and deny the exact request of an unknown route', () => {
    // GIVEN
    const routes = withOverlaps(ORDERS_API);
    const scopes = new Set(['orders:read']);
    const unknown = requestArn('GET', '/orders/42/notes');
    // WHEN
    const doc = policyDocument({ methodArn: unknown, routes, cacheMode: 'token', current: undefined, permitted: (i) => permission(routes[i], {}, scopes) === 'allowed' });
    // THEN
    expect(evaluate(doc, unknown)).toBe('deny');
    expect(evaluate(doc, requestArn('GET', '/orders/42'))).toBe('allow');
    expect(evaluate(doc, requestArn('GET', '/orders'))).toBe('allow');
  });
});

describe('policyDocument in route cache mode', () => {
  test.each([true, false])('should answer for the current route only (permitted: %s)', (ok) => {
    // GIVEN
    const routes = withOverlaps(ORDERS_API);
    // WHEN
    const doc = policyDocument({ methodArn: requestArn('GET', '/orders/42'), routes, cacheMode: 'route', current: 2, permitted: () => ok });
    // THEN
    expect(doc.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: ok ? 'Allow' : 'Deny', Resource: [`${METHOD_ARN_BASE}/GET/orders/*`] }]);
  });

  test('should use * for an ANY route and an empty path for the root', () => {
    // GIVEN
    const routes = withOverlaps(ORDERS_API);
    // WHEN
    const any = policyDocument({ methodArn: requestArn('PATCH', '/admin/x'), routes, cacheMode: 'route', current: 5, permitted: () => true });
    const root = policyDocument({ methodArn: requestArn('GET', '/'), routes, cacheMode: 'route', current: 7, permitted: () => true });
    // THEN
    expect(any.Statement[0].Resource).toEqual([`${METHOD_ARN_BASE}/*/admin/*`]);
    expect(root.Statement[0].Resource).toEqual([`${METHOD_ARN_BASE}/GET/`]);
  });

  test('should keep the Deny of an unknown route within the 512 characters a policy ARN may have', () => {
    // GIVEN
    const long = requestArn('GET', `/${'x'.repeat(1000)}`);
    // WHEN
    const doc = policyDocument({ methodArn: long, routes: [], cacheMode: 'route', current: undefined, permitted: () => true });
    // THEN
    const [resource] = doc.Statement[0].Resource;
    expect(resource).toHaveLength(512);
    expect(resource).toBe(`${long.slice(0, 511)}*`);
    expect(evaluate(doc, long)).toBe('deny');
  });

  test('should deny the exact request of an unknown route', () => {
    // WHEN
    const doc = policyDocument({ methodArn: requestArn('GET', '/nope'), routes: [], cacheMode: 'route', current: undefined, permitted: () => true });
    // THEN
    expect(doc.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [requestArn('GET', '/nope')] }]);
  });
});

describe('arnBase', () => {
  test.each([
    ['arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/orders/42', 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod'],
    ['arn:aws-cn:execute-api:cn-north-1:123456789012:abc123/v1/POST/', 'arn:aws-cn:execute-api:cn-north-1:123456789012:abc123/v1'],
    ['arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/a:b/c', 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod'],
  ])('should take the API and stage of %s', (methodArn, base) => {
    // WHEN
    const got = arnBase(methodArn);
    // THEN
    expect(got).toBe(base);
  });

  test.each([
    'arn:aws:lambda:eu-west-1:123456789012:function:x',
    'arn:aws:execute-api:eu-west-1:123456789012:abc123',
    'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod',
    'not an arn',
    '',
  ])('should refuse %s', (methodArn) => {
    // THEN
    expect(() => arnBase(methodArn)).toThrow('methodArn is not an execute-api method ARN');
  });
});
