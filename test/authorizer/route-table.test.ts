import { ClaimRule, HttpMethod, RouteAuthorization } from '../../src/authorizer/route';
import {
  arnPathOf,
  checkRoute,
  checkRouteSet,
  compileRouteTable,
  globMatchesSomePath,
  globMatchesSomeRequest,
  policyGlobOf,
} from '../../src/authorizer/route-table';
import { ErrorCodes } from '../support/error-codes';

const WHERE = 'Stack/Api';
const codes = new ErrorCodes();

function compile(...routes: RouteAuthorization[]) {
  return compileRouteTable(routes.map((r) => checkRoute(WHERE, r)));
}

function indexOf(table: ReturnType<typeof compile>, method: string, resource: string): number {
  const i = table.routes.findIndex((r) => r.method === method && r.resource === resource);
  expect(i).toBeGreaterThanOrEqual(0);
  return i;
}

describe('arnPathOf', () => {
  test.each([
    ['/', ''],
    ['/orders', 'orders'],
    ['/orders/{id}', 'orders/*'],
    ['/orders/{id}/items/{itemId}', 'orders/*/items/*'],
    ['/files/{path+}', 'files/*'],
    ['/{proxy+}', '*'],
  ])('should turn %s into %s', (resource, arnPath) => {
    // WHEN / THEN
    expect(arnPathOf(resource)).toBe(arnPath);
  });
});

describe('globMatchesSomePath', () => {
  test.each([
    // [glob, route template, some request path of the route matches the glob]
    ['orders', '/orders', true],
    ['orders', '/orders/{id}', false],
    ['orders/*', '/orders/{id}', true],
    ['orders/*', '/orders/{id}/items', true], // IAM's * spans "/"
    ['orders/*', '/orders', false], // "orders/" is not a request path of /orders
    ['orders/*/items', '/orders/{id}', false], // a single parameter holds no "/"
    ['orders/*/items', '/orders/{id+}', true], // a greedy parameter does
    ['orders/special', '/orders/{id}', true],
    ['orders/*', '/orders/special', true],
    ['orders/*', '/customers/{id}', false],
    ['*', '/', true], // the root's request path is "", and IAM's * matches zero characters
  ])('should decide glob %s against %s as %s', (glob, resource, expected) => {
    // WHEN / THEN
    expect(globMatchesSomePath(glob, resource)).toBe(expected);
  });

  test('should match the root path only with an empty or star glob', () => {
    // THEN
    expect(globMatchesSomePath('', '/')).toBe(true);
    expect(globMatchesSomePath('', '/orders')).toBe(false);
    expect(globMatchesSomePath('orders', '/')).toBe(false);
  });

  test('should require greedy parameters to produce whole non-empty segments', () => {
    // THEN
    expect(globMatchesSomePath('files/a/b/c', '/files/{p+}')).toBe(true);
    expect(globMatchesSomePath('files/a//c', '/files/{p+}')).toBe(false);
    expect(globMatchesSomePath('files/a/', '/files/{p+}')).toBe(false);
    expect(globMatchesSomePath('files', '/files/{p+}')).toBe(false);
    expect(globMatchesSomePath('files/*/x', '/files/{p+}')).toBe(true);
  });

  test('should treat glob literals against parameters character by character', () => {
    // THEN
    expect(globMatchesSomePath('a/b*c/d', '/a/{x}/d')).toBe(true);
    expect(globMatchesSomePath('a/b*c/d', '/a/bc/d')).toBe(true);
    expect(globMatchesSomePath('a/b*c/d', '/a/cb/d')).toBe(false);
    expect(globMatchesSomePath('a/*-v1', '/a/{x}')).toBe(true);
    expect(globMatchesSomePath('a/*-v1', '/a/{x}/b')).toBe(false);
    expect(globMatchesSomePath('*/*', '/{y}')).toBe(false);
    expect(globMatchesSomePath('*', '/a/{x}')).toBe(true);
  });
});

describe('globMatchesSomeRequest', () => {
  test.each([
    // [route whose glob, route whose requests, the glob matches some request]
    ['ANY /orders', 'GET /customers/{id}/orders', true], // IAM's * spans the verb and "/"
    ['ANY /reports/{proxy+}', 'DELETE /tenants/{t}/reports/{r}', true],
    ['ANY /orders/{id}', 'GET /customers/{id}/orders/{o}', true],
    ['ANY /orders', 'GET /orders', true],
    ['ANY /orders', 'GET /orders/{id}', true], // "GET/orders/orders"
    ['ANY /orders', 'GET /orders/{id}/items', false],
    ['GET /orders', 'ANY /orders', true],
    ['GET /orders', 'POST /orders', false],
    ['GET /orders', 'GET /x/orders', false],
    ['ANY /', 'GET /{p}', false], // "*/" needs the request to end in "/"
    ['ANY /{p}', 'GET /a/b', true], // "*/*" matches "GET/a/b"
    ['POST /{p}', 'GET /a/b', false],
  ])('should decide the glob of %s against the requests of %s as %s', (a, d, expected) => {
    // GIVEN
    const [am, ar] = a.split(' ');
    const [dm, dr] = d.split(' ');
    // WHEN / THEN
    expect(globMatchesSomeRequest(policyGlobOf(am, ar), dm, dr)).toBe(expected);
  });

  test('should count the ANY route\'s requests on another path as overlaps, and pick route mode when a Deny could shut one', () => {
    // GIVEN / WHEN
    const table = compile(
      { method: HttpMethod.ANY, path: '/orders', scopes: ['orders:write'] },
      { method: HttpMethod.GET, path: '/customers/{id}/orders', scopes: ['customers:read'] },
    );
    // THEN
    const any = indexOf(table, 'ANY', '/orders');
    const customers = indexOf(table, 'GET', '/customers/{id}/orders');
    expect(table.routes[any].overlaps).toEqual([customers]);
    expect(table.routes[customers].overlaps).toEqual([]);
    expect(table.cacheMode).toBe('token');
  });
});

describe('compileRouteTable', () => {
  test('should compute overlaps from each glob to the routes whose requests it matches', () => {
    // WHEN
    const table = compile(
      { method: HttpMethod.GET, path: '/orders', scopes: ['orders:read'] },
      { method: HttpMethod.GET, path: '/orders/{id}', scopes: ['orders:read'] },
      { method: HttpMethod.GET, path: '/orders/{id}/items', scopes: ['items:read'] },
      { method: HttpMethod.POST, path: '/orders/{id}/items', scopes: ['items:write'] },
    );

    // THEN
    const get = indexOf(table, 'GET', '/orders/{id}');
    const items = indexOf(table, 'GET', '/orders/{id}/items');
    expect(table.routes[get].arnPath).toBe('orders/*');
    // GET orders/* matches GET /orders/1/items but not the POST route: methods differ.
    expect(table.routes[get].overlaps).toEqual([items]);
    expect(table.routes[items].overlaps).toEqual([]);
    expect(table.routes[indexOf(table, 'GET', '/orders')].overlaps).toEqual([]);
  });

  test('should choose token mode for /orders, /orders/{id} and /orders/{id}/items', () => {
    // WHEN
    const table = compile(
      { method: HttpMethod.GET, path: '/orders', scopes: ['orders:read'] },
      { method: HttpMethod.GET, path: '/orders/{id}', scopes: ['orders:read'] },
      { method: HttpMethod.GET, path: '/orders/{id}/items', scopes: ['items:read'] },
    );

    // THEN
    expect(table.cacheMode).toBe('token');
  });

  test('should choose route mode for /orders/special beside /orders/{id} with different scopes', () => {
    // WHEN
    const table = compile(
      { method: HttpMethod.GET, path: '/orders/special', scopes: ['special'] },
      { method: HttpMethod.GET, path: '/orders/{id}', scopes: ['orders:read'] },
    );

    // THEN
    const special = indexOf(table, 'GET', '/orders/special');
    const get = indexOf(table, 'GET', '/orders/{id}');
    expect(table.routes[special].overlaps).toEqual([get]);
    expect(table.routes[get].overlaps).toEqual([special]);
    expect(table.cacheMode).toBe('route');
  });

  test('should keep token mode for /orders/special beside /orders/{id} with the same requirements', () => {
    // WHEN
    const table = compile(
      { method: HttpMethod.GET, path: '/orders/special', scopes: ['orders:read'] },
      { method: HttpMethod.GET, path: '/orders/{id}', scopes: ['orders:read'] },
    );

    // THEN
    expect(table.cacheMode).toBe('token');
  });

  test('should choose route mode when the Deny is triggered by one route and shuts another', () => {
    // GIVEN no pair is mutual, yet a token with s1 (holding /{y} and /a/{x}/b, not /a/{x}) would
    // be Denied a/*, which matches /a/q/b.
    const routes = [
      { method: HttpMethod.GET, path: '/{y}', scopes: ['s1'] },
      { method: HttpMethod.GET, path: '/a/{x}', scopes: ['s2'] },
      { method: HttpMethod.GET, path: '/a/{x}/b', scopes: ['s1'] },
    ];

    // WHEN
    const table = compile(...routes);

    // THEN
    const y = indexOf(table, 'GET', '/{y}');
    const ax = indexOf(table, 'GET', '/a/{x}');
    const axb = indexOf(table, 'GET', '/a/{x}/b');
    expect(table.routes[y].overlaps).toContain(ax);
    expect(table.routes[ax].overlaps).toEqual([axb]);
    expect(table.routes[axb].overlaps).not.toContain(ax);
    expect(table.cacheMode).toBe('route');
  });

  test('should keep token mode when every route that could trigger a Deny implies the Denied route', () => {
    // GIVEN the routes of the previous case, but /a/{x} also opens to s1: a token holding /{y}
    // (s1) always holds /a/{x}, so a/* is never Denied to it.
    // WHEN
    const table = compile(
      { method: HttpMethod.GET, path: '/{y}', scopes: ['s1'] },
      { method: HttpMethod.GET, path: '/a/{x}', scopes: ['s1', 's2'] },
      { method: HttpMethod.GET, path: '/a/{x}/b', scopes: ['s1'] },
    );

    // THEN
    expect(table.cacheMode).toBe('token');
  });

  test('should choose route mode when a route needing only a valid token is overlapped by a scoped one', () => {
    // GIVEN a token without "special" is permitted /orders/{id} but Denied orders/special. The table
    // models the request paths of /orders/{id} without API Gateway's preference for literal
    // resources, so it counts orders/special among them: erring towards route mode costs cache
    // hits, never correctness.
    // WHEN
    const table = compile(
      { method: HttpMethod.GET, path: '/orders/special', scopes: ['special'] },
      { method: HttpMethod.GET, path: '/orders/{id}' },
    );

    // THEN
    expect(table.cacheMode).toBe('route');
  });

  test('should choose route mode when claim rules alone differ', () => {
    // WHEN
    const table = compile(
      { method: HttpMethod.GET, path: '/orders/special', scopes: ['orders:read'], claimRules: [ClaimRule.equalTo('tier', 'gold')] },
      { method: HttpMethod.GET, path: '/orders/{id}', scopes: ['orders:read'] },
    );

    // THEN
    expect(table.cacheMode).toBe('route');
  });

  test('should treat ANY as meeting every method', () => {
    // WHEN
    const table = compile(
      { method: HttpMethod.ANY, path: '/orders/{id}', scopes: ['orders:admin'] },
      { method: HttpMethod.DELETE, path: '/orders/special', scopes: ['special'] },
    );

    // THEN
    expect(table.routes[indexOf(table, 'ANY', '/orders/{id}')].overlaps).toEqual([indexOf(table, 'DELETE', '/orders/special')]);
    expect(table.cacheMode).toBe('route');
  });

  test('should sort routes by path and method whatever the order they were added in', () => {
    // GIVEN
    const a = { method: HttpMethod.POST, path: '/orders', scopes: ['w'] };
    const b = { method: HttpMethod.GET, path: '/orders', scopes: ['r'] };
    const c = { method: HttpMethod.GET, path: '/', scopes: ['r'] };

    // WHEN / THEN
    expect(compile(a, b, c)).toEqual(compile(c, b, a));
    expect(compile(a, b, c).routes.map((r) => `${r.method} ${r.resource}`)).toEqual(['GET /', 'GET /orders', 'POST /orders']);
  });

  test('should compile 300 routes quickly enough for synth', () => {
    // GIVEN
    const routes: RouteAuthorization[] = [];
    for (let i = 0; i < 100; i++) {
      routes.push({ method: HttpMethod.GET, path: `/r${i}`, scopes: ['read'] });
      routes.push({ method: HttpMethod.GET, path: `/r${i}/{id}`, scopes: ['read'] });
      routes.push({ method: HttpMethod.PUT, path: `/r${i}/{id}/sub/{sub+}`, scopes: ['write'] });
    }

    // WHEN
    const table = compile(...routes);

    // THEN
    expect(table.routes).toHaveLength(300);
    expect(table.cacheMode).toBe('token');
  });
});

describe('checkRoute', () => {
  test('should render scopes sorted and unique and claim rules in config form', () => {
    // WHEN
    const route = checkRoute(WHERE, {
      method: HttpMethod.GET,
      path: '/orders',
      scopes: ['b', 'a', 'b'],
      claimRules: [ClaimRule.equalTo('tier', 'gold'), ClaimRule.contains('groups', 'ops'), ClaimRule.oneOf('region', ['us', 'eu'])],
    });

    // THEN
    expect(route).toEqual({
      method: 'GET',
      resource: '/orders',
      scopes: ['a', 'b'],
      claimRules: [
        { claim: 'tier', op: 'equals', value: 'gold' },
        { claim: 'groups', op: 'contains', value: 'ops' },
        { claim: 'region', op: 'oneOf', values: ['eu', 'us'] },
      ],
    });
  });

  test.each([
    ['orders', /must start with/],
    ['/orders/', /not end with one/],
    ['/orders//items', /empty segment/],
    ['/orders/*', /segment "\*"/],
    ['/orders/{id', /segment "\{id"/],
    ['/orders/{}', /parameter "\{\}"/],
    ['/files/{p+}/x', /greedy "\{p\+\}" is not the last segment/],
    ['/a/{id}/b/{id}', /parameter "id" appears twice/],
  ])('should reject the path %s', (path, message) => {
    // WHEN / THEN
    codes.expectThrows(() => checkRoute(WHERE, { method: HttpMethod.GET, path }), 'Route.MalformedPath', message);
  });

  test('should name the construct path, the value and the fix in a path error', () => {
    // WHEN / THEN
    codes.expectThrows(() => checkRoute(WHERE, { method: HttpMethod.GET, path: '/orders/' }), 'Route.MalformedPath',
      /^Stack\/Api: route GET "\/orders\/" has a malformed path .*; write it as '\/' or '\/segment\/\{param\}'/,
    );
  });

  test('should reject an unknown method', () => {
    // WHEN / THEN
    codes.expectThrows(() => checkRoute(WHERE, { method: 'FETCH' as HttpMethod, path: '/' }), 'Route.UnsupportedMethod', /route method "FETCH" is not supported; use one of GET, POST/);
  });

  test.each([
    [[''], 'Route.EmptyScope', /empty scope "", which no issuer can grant/],
    [['orders read'], 'Route.ScopeWithWhitespace', /with whitespace/],
    [['orders\u0000read'], 'Route.ScopeWithWhitespace', /with whitespace or control characters/],
    [['-'], 'Route.ReservedScope', /requires the scope "-", which the authorizer never grants \(it is the context's marker for "no scopes"\)/],
    [[42 as unknown as string], 'Route.UnresolvedScope', /not a literal string/],
    ['orders:read' as unknown as string[], 'Route.ScopesNotList', /^Stack\/Api: route GET \/ has scopes that are not a list; pass an array of scope names\.$/],
  ])('should reject the scopes %j', (scopes, code, message) => {
    // WHEN / THEN
    codes.expectThrows(() => checkRoute(WHERE, { method: HttpMethod.GET, path: '/', scopes }), code, message);
  });

  test.each([
    [ClaimRule.equalTo('', 'x'), 'Route.InvalidClaimRule', /empty or unresolved claim name/],
    [ClaimRule.equalTo('tier', ''), 'Route.InvalidClaimRule', /value ""/],
    [ClaimRule.contains('groups', ''), 'Route.InvalidClaimRule', /value ""/],
    [ClaimRule.oneOf('region', []), 'Route.InvalidClaimRule', /values \[\]/],
    [ClaimRule.oneOf('region', ['eu', '']), 'Route.InvalidClaimRule', /values \["eu",""\]/],
    [{ claim: 'tier' } as unknown as ClaimRule, 'Route.NotAClaimRule', /not a ClaimRule/],
  ])('should reject a malformed claim rule (%#)', (rule, code, message) => {
    // WHEN / THEN
    codes.expectThrows(() => checkRoute(WHERE, { method: HttpMethod.GET, path: '/', claimRules: [rule] }), code, message);
  });
});

describe('checkRouteSet', () => {
  test('should reject the same method and path twice', () => {
    // WHEN / THEN
    codes.expectThrows(() => checkRouteSet(WHERE, [
      { method: 'GET', resource: '/orders' },
      { method: 'GET', resource: '/orders' },
    ]), 'Route.DefinedTwice', 'Stack/Api: route GET /orders is defined twice; remove one of them.');
  });

  test('should reject ANY beside a specific method on the same path', () => {
    // WHEN / THEN
    codes.expectThrows(() => checkRouteSet(WHERE, [
      { method: 'ANY', resource: '/orders' },
      { method: 'GET', resource: '/orders' },
    ]), 'Route.AnyBesideMethod', /route GET \/orders is defined beside ANY \/orders/);
    codes.expectThrows(() => checkRouteSet(WHERE, [
      { method: 'GET', resource: '/orders' },
      { method: 'ANY', resource: '/orders' },
    ]), 'Route.AnyBesideMethod', /route ANY \/orders is defined beside GET \/orders/);
  });

  test('should reject two variable path parts under one parent', () => {
    // WHEN / THEN
    codes.expectThrows(() => checkRouteSet(WHERE, [
      { method: 'GET', resource: '/orders/{id}' },
      { method: 'GET', resource: '/orders/{orderId}/items' },
    ]), 'Route.ConflictingPathParameter', /puts path part \{orderId\} under \/orders, where another route has \{id\}/);
  });

  test('should accept distinct methods, and literal siblings of a parameter', () => {
    // WHEN / THEN
    expect(() => checkRouteSet(WHERE, [
      { method: 'GET', resource: '/orders/{id}' },
      { method: 'PUT', resource: '/orders/{id}' },
      { method: 'GET', resource: '/orders/special' },
      { method: 'GET', resource: '/orders/{id}/items' },
    ])).not.toThrow();
  });
});

describe('route table error codes', () => {
  test('should test every code the route checks throw', () => {
    expect(codes.untested('src/authorizer/route-table.ts')).toEqual([]);
  });
});
