import { matchResource } from './resource-match';

/** The route key of an HTTP API's catch-all route. */
export const DEFAULT_ROUTE = '$default';

/**
 * API Gateway's choice of an HTTP API route for a request, as documented
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html, "Routing
 * API requests"): a full match of route and method first, then a route with a greedy path variable
 * (`{proxy+}`, one or more path parts), then `$default`; `ANY` matches every method the path has no
 * route of its own for. Among paths, a literal part beats a `{param}`, which beats a greedy variable
 * (the most specific match).
 *
 * The guide does not say which wins when a more specific path has only an `ANY` route and a less
 * specific one has the request's own method (e.g. `ANY /pets/dog` and `GET /pets/{id}` for
 * `GET /pets/dog`), nor whether a non-greedy match beats a greedy one that is more specific on an
 * earlier part (`GET /{a}/b` and `GET /a/{proxy+}` for `GET /a/b`). Every reading is computed; when
 * they differ, this throws rather than pick one,
 * so that no test passes under a reading AWS may not follow.
 *
 * Returns the route key, `$default` when nothing else matches and the API has one, or undefined
 * (API Gateway's 404 `{"message":"Not Found"}`).
 */
export function matchRouteKey(routeKeys: readonly string[], method: string, path: string): string | undefined {
  const routes = routeKeys.filter((k) => k !== DEFAULT_ROUTE).map((key) => {
    const space = key.indexOf(' ');
    return { key, method: key.slice(0, space), path: key.slice(space + 1) };
  });
  const candidates = routes.filter((r) => r.method === method || r.method === 'ANY');
  const greedy = (template: string) => /\{[^}]+\+\}$/.test(template);
  // Which path wins: the guide's order (any non-greedy match, then a greedy one), or the most
  // specific path part by part from the left (a REST API's order, where a greedy variable can win
  // on an earlier literal part).
  const pickPath: Array<(templates: string[]) => string | undefined> = [
    (templates) => matchResource(templates.filter((t) => !greedy(t)), path) ?? matchResource(templates.filter(greedy), path),
    (templates) => matchResource(templates, path),
  ];
  const readings = new Set<string | undefined>();
  for (const pick of pickPath) {
    const best = (within: typeof candidates) => {
      const template = pick([...new Set(within.map((r) => r.path))]);
      if (template === undefined) {
        return undefined;
      }
      const onPath = within.filter((r) => r.path === template);
      return (onPath.find((r) => r.method === method) ?? onPath.find((r) => r.method === 'ANY'))?.key;
    };
    // The most specific path first, then its own method before ANY.
    readings.add(best(candidates));
    // Routes of the request's own method first, then ANY routes.
    readings.add(best(candidates.filter((r) => r.method === method)) ?? best(candidates.filter((r) => r.method === 'ANY')));
  }
  if (readings.size > 1) {
    throw new Error(`${method} ${path} matches ${[...readings].map((r) => r ?? 'no route').join(' or ')} depending on how the API Gateway guide is read; `
      + 'the test kit answers none of them: make the routes unambiguous');
  }
  const [chosen] = readings;
  return chosen ?? (routeKeys.includes(DEFAULT_ROUTE) ? DEFAULT_ROUTE : undefined);
}
