/**
 * The HTTP API deployment check's reads with the real AWS SDK client, pointed by
 * AWS_ENDPOINT_URL_APIGATEWAYV2 at a local stand-in for API Gateway's v2 API on 127.0.0.1 that pages
 * its lists and throttles (429), as the REST check's server test does for v1: the SDK's adaptive
 * retries carry the check through. The stand-in answers as the v2 API does on the wire (REST JSON,
 * lowerCamelCase members, lists as `{ "items": [...], "nextToken": "..." }`, `maxResults` and
 * `nextToken` as query parameters; errors named by `x-amzn-errortype`):
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-routes.html
 */
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { runHttpCheck } from '../../src/api/runtime/http-check';
import { CheckedHttpApi, DeployedHttpApi } from '../../src/api/runtime/http-compare';
import { createHttpClient, readDeployedHttpApi } from '../../src/api/runtime/http-read';

const ENV = ['AWS_ENDPOINT_URL_APIGATEWAYV2', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'] as const;
const saved: Partial<Record<(typeof ENV)[number], string>> = {};
const API_ID = 'a1b2c3';
const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:111122223333:function:orders';

interface StandIn {
  readonly url: string;
  readonly counts: { requests: number; throttled: number; byList: Record<string, number> };
  close(): Promise<void>;
}
let server: StandIn | undefined;
const clients: Array<ReturnType<typeof createHttpClient>> = [];
/** The check's client, destroyed after the test (its sockets would keep jest from exiting). */
const client = () => {
  const c = createHttpClient();
  clients.push(c);
  return c;
};

/** The v2 API's JSON member names: the SDK's PascalCase with a lower-case first letter. */
function wire(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(wire);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k[0].toLowerCase() + k.slice(1), wire(v)]));
}

/**
 * Serves `api` for `apiId`: every `throttleEvery`-th request is answered 429 TooManyRequestsException;
 * `onRequest` sees each request first (and may leave it unanswered by returning true).
 */
async function startStandIn(api: DeployedHttpApi, options: { throttleEvery?: number; onRequest?: () => boolean } = {}): Promise<StandIn> {
  const counts = { requests: 0, throttled: 0, byList: {} as Record<string, number> };
  const lists: Record<string, readonly unknown[]> = { routes: api.routes, authorizers: api.authorizers, integrations: api.integrations };
  const srv = http.createServer((req, res) => {
    counts.requests++;
    if (options.onRequest?.()) return;
    const send = (status: number, body: unknown, errorType?: string) => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': `req-${counts.requests}`, ...(errorType ? { 'x-amzn-errortype': errorType } : {}) });
      res.end(JSON.stringify(body));
    };
    if (options.throttleEvery && counts.requests % options.throttleEvery === 0) {
      counts.throttled++;
      send(429, { message: 'Too Many Requests' }, 'TooManyRequestsException');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const match = /^\/v2\/apis\/([^/]+)\/(routes|authorizers|integrations)$/.exec(url.pathname);
    if (req.method !== 'GET' || !match) {
      send(404, { message: `No such path ${url.pathname}` }, 'NotFoundException');
      return;
    }
    if (match[1] !== API_ID) {
      send(404, { message: 'Invalid API identifier specified' }, 'NotFoundException');
      return;
    }
    counts.byList[match[2]] = (counts.byList[match[2]] ?? 0) + 1;
    const items = lists[match[2]];
    const size = Number(url.searchParams.get('maxResults') ?? '25');
    const start = Number(url.searchParams.get('nextToken') ?? '0');
    const end = start + size;
    send(200, { items: wire(items.slice(start, end)), ...(end < items.length ? { nextToken: String(end) } : {}) });
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
    counts,
    close: () => new Promise((resolve) => {
      srv.closeAllConnections();
      srv.close(() => resolve());
    }),
  };
}

/** An API of `n` routes, every one served by one Lambda integration, and the check's model of it. */
function ordersApi(n: number): { model: CheckedHttpApi; deployed: DeployedHttpApi } {
  const keys = Array.from({ length: n }, (_, i) => `GET /orders${i}`);
  return {
    model: {
      version: 1,
      routes: keys.map((routeKey) => ({ routeKey, authorizationType: 'JWT', scopes: ['orders:read'], integration: 'Integration0' })),
      jwtAuthorizer: { name: 'JwtAuthorizer', issuer: 'https://issuer.example.com', audiences: ['api://orders'] },
      integrations: [{ name: 'Integration0', integrationType: 'AWS_PROXY', integrationUri: { value: 1 }, payloadFormatVersion: '2.0' }],
    },
    deployed: {
      routes: keys.map((RouteKey, i) => ({ RouteId: `r${i}`, RouteKey, AuthorizationType: 'JWT', AuthorizerId: 'j1', AuthorizationScopes: ['orders:read'], Target: 'integrations/i1' })),
      authorizers: [{ AuthorizerId: 'j1', Name: 'JwtAuthorizer', AuthorizerType: 'JWT', JwtConfiguration: { Issuer: 'https://issuer.example.com', Audience: ['api://orders'] } }],
      integrations: [{ IntegrationId: 'i1', IntegrationType: 'AWS_PROXY', IntegrationUri: FUNCTION_ARN, IntegrationMethod: 'POST', PayloadFormatVersion: '2.0', ConnectionType: 'INTERNET', TimeoutInMillis: 30000 }],
    },
  };
}

const event = (apiId = API_ID) => ({
  RequestType: 'Create' as const,
  ResponseURL: 'http://127.0.0.1:1/response',
  StackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/s/1',
  RequestId: 'req-1',
  LogicalResourceId: 'ApiDeploymentCheck',
  ResourceProperties: { ServiceToken: 'x', ApiId: apiId, ModelHash: 'h1', Values: ['i1', FUNCTION_ARN] },
});

beforeEach(() => {
  for (const name of ENV) {
    saved[name] = process.env[name];
    delete process.env[name];
  }
  // Dummy credentials: the stand-in checks no signature.
  process.env.AWS_REGION = 'eu-west-1';
  process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'stand-in-secret';
});

afterEach(async () => {
  clients.splice(0).forEach((c) => c.destroy());
  await server?.close();
  server = undefined;
  for (const name of ENV) {
    if (saved[name] === undefined) {
      delete process.env[name];
    } else {
      process.env[name] = saved[name];
    }
  }
});

describe('HTTP API deployment check against a local API Gateway v2 stand-in', () => {
  test('should read every page through throttling, and pass', async () => {
    // GIVEN: 600 routes (more than one page of 500), every 4th request throttled
    const { model, deployed } = ordersApi(600);
    server = await startStandIn(deployed, { throttleEvery: 4 });
    process.env.AWS_ENDPOINT_URL_APIGATEWAYV2 = server.url;

    // WHEN
    const answer = await runHttpCheck(event(), { model: () => model, client, read: readDeployedHttpApi, budgetMs: 120_000, log: () => undefined });

    // THEN
    expect(answer).toEqual(expect.objectContaining({ status: 'SUCCESS', data: { RoutesVerified: '600' } }));
    expect(server.counts.throttled).toBeGreaterThan(0);
    expect(server.counts.byList.routes).toBe(2);
  });

  test('should fail with the API Gateway error when the API does not exist', async () => {
    // GIVEN
    const { model, deployed } = ordersApi(1);
    server = await startStandIn(deployed);
    process.env.AWS_ENDPOINT_URL_APIGATEWAYV2 = server.url;

    // WHEN
    const answer = await runHttpCheck(event('other0'), { model: () => model, client, read: readDeployedHttpApi, budgetMs: 60_000, log: () => undefined });

    // THEN
    expect(answer.status).toBe('FAILED');
    expect(answer.reason?.head).toMatch(/^The deployment check could not read the HTTP API other0 back: NotFoundException: Invalid API identifier specified\./);
  });

  test('should stop its requests when the signal aborts', async () => {
    // GIVEN: a stand-in that never answers, and an abort once it has a request
    const controller = new AbortController();
    server = await startStandIn(ordersApi(1).deployed, { onRequest: () => { controller.abort(); return true; } });
    process.env.AWS_ENDPOINT_URL_APIGATEWAYV2 = server.url;

    // WHEN / THEN
    await expect(readDeployedHttpApi(client(), API_ID, controller.signal)).rejects.toThrow(expect.objectContaining({ name: 'AbortError' }));
  });
});
