import * as fc from 'fast-check';
import { matchRouteKey } from '../../src/testing';

// Route selection of an HTTP API (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html,
// "Routing API requests"): the guide's example routes, and properties over generated route tables.

describe('matchRouteKey', () => {
  const routes = ['GET /pets/dog/1', 'GET /pets/dog/{id}', 'GET /pets/{proxy+}', 'ANY /{proxy+}', '$default'];

  test.each([
    ['GET', '/pets/dog/1', 'GET /pets/dog/1'],
    ['GET', '/pets/dog/2', 'GET /pets/dog/{id}'],
    ['GET', '/pets/cat/1', 'GET /pets/{proxy+}'],
    ['POST', '/pets/cat/1', 'ANY /{proxy+}'],
    ['GET', '/', '$default'],
  ])('should route %s %s to %s', (method, path, expected) => {
    expect(matchRouteKey(routes, method, path)).toBe(expected);
  });

  test('should answer no route (404) without $default', () => {
    expect(matchRouteKey(['GET /pets'], 'GET', '/dogs')).toBeUndefined();
    expect(matchRouteKey(['GET /pets'], 'POST', '/pets')).toBeUndefined();
  });

  test('should refuse to pick where the guide allows two answers', () => {
    expect(() => matchRouteKey(['ANY /pets/dog', 'GET /pets/{id}'], 'GET', '/pets/dog')).toThrow(/ANY \/pets\/dog or GET \/pets\/\{id\}|GET \/pets\/\{id\} or ANY \/pets\/dog/);
    expect(() => matchRouteKey(['GET /{a}/b', 'GET /a/{proxy+}'], 'GET', '/a/b')).toThrow(/make the routes unambiguous/);
  });

  const part = fc.constantFrom('a', 'b', 'c');
  const templatePart = fc.constantFrom('a', 'b', '{p}');
  const template = fc.tuple(fc.array(templatePart, { minLength: 0, maxLength: 3 }), fc.boolean())
    .map(([parts, greedy]) => `/${[...parts, ...(greedy ? ['{proxy+}'] : [])].join('/')}`);
  const method = fc.constantFrom('GET', 'POST');
  const routeKey = fc.tuple(fc.constantFrom('GET', 'POST', 'ANY'), template).map(([m, t]) => `${m} ${t}`);
  const request = fc.tuple(method, fc.array(part, { minLength: 0, maxLength: 4 }).map((p) => `/${p.join('/')}`));

  /** Whether a route key's template and method match the request. */
  function matches(key: string, m: string, path: string): boolean {
    const [km, kt] = key.split(' ');
    if (km !== m && km !== 'ANY') return false;
    const t = kt.split('/').filter(Boolean);
    const p = path.split('/').filter(Boolean);
    for (let i = 0; i < t.length; i++) {
      if (t[i] === '{proxy+}') return i === t.length - 1 && p.length > i;
      if (i >= p.length || (t[i] !== '{p}' && t[i] !== p[i])) return false;
    }
    return t.length === p.length;
  }

  /** The answer, or 'ambiguous' when the kit refuses to pick. */
  function answer(keys: string[], m: string, path: string): string | undefined {
    try {
      return matchRouteKey(keys, m, path);
    } catch {
      return 'ambiguous';
    }
  }

  test('should only ever pick a route that matches the request, or $default, or none', () => {
    fc.assert(fc.property(fc.uniqueArray(routeKey, { maxLength: 8 }), fc.boolean(), request, (keys, withDefault, [m, path]) => {
      const all = withDefault ? [...keys, '$default'] : keys;
      const got = answer(all, m, path);
      if (got === 'ambiguous') return;
      const anyMatch = keys.some((k) => matches(k, m, path));
      if (got === undefined) {
        expect(anyMatch || withDefault).toBe(false);
      } else if (got === '$default') {
        expect(anyMatch).toBe(false);
      } else {
        expect(matches(got, m, path)).toBe(true);
      }
    }));
  });

  test('should pick the literal route of the request\'s own method whenever there is one', () => {
    fc.assert(fc.property(fc.uniqueArray(routeKey, { maxLength: 8 }), request, (keys, [m, path]) => {
      const literal = `${m} ${path}`;
      fc.pre(!path.split('/').some((p) => p.startsWith('{')));
      expect(answer([...keys.filter((k) => k !== literal), literal], m, path)).toBe(literal);
    }));
  });
});
