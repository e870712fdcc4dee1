/**
 * A local stand-in for API Gateway's management API on 127.0.0.1, answering the four reads of the
 * deployment check for one imported REST API as API Gateway does on the wire (REST JSON: lists as
 * `{ "item": [...], "position": "..." }`, `limit` up to 500, methods embedded only with
 * `embed=methods`; https://docs.aws.amazon.com/apigateway/latest/api/API_GetResources.html), and
 * throttling: every `throttleEvery`-th request is answered 429 TooManyRequestsException, as API
 * Gateway answers past its rate limits (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html).
 * Point the SDK at it with `AWS_ENDPOINT_URL_API_GATEWAY`.
 */
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { ImportedApi, page } from './api-gateway-import';

export interface StandInServer {
  readonly url: string;
  /** Requests answered, by outcome. */
  readonly counts: { requests: number; throttled: number; byPath: Record<string, number> };
  close(): Promise<void>;
}

export interface StandInOptions {
  /** Answer every n-th request 429 (0: never). */
  readonly throttleEvery?: number;
}

export async function startApiGatewayStandIn(api: ImportedApi, options: StandInOptions = {}): Promise<StandInServer> {
  const counts = { requests: 0, throttled: 0, byPath: {} as Record<string, number> };
  const throttleEvery = options.throttleEvery ?? 0;
  const server = http.createServer((req, res) => {
    counts.requests++;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, body: unknown, errorType?: string) => {
      res.writeHead(status, {
        'content-type': 'application/json',
        'x-amzn-requestid': `req-${counts.requests}`,
        ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
      });
      res.end(JSON.stringify(body));
    };
    if (throttleEvery > 0 && counts.requests % throttleEvery === 0) {
      counts.throttled++;
      send(429, { message: 'Too Many Requests' }, 'TooManyRequestsException');
      return;
    }
    const match = /^\/restapis\/([^/]+)(?:\/(resources|authorizers|gatewayresponses))?$/.exec(url.pathname);
    if (req.method !== 'GET' || !match || match[1] !== api.restApi.id) {
      send(404, { message: 'Invalid API identifier specified' }, 'NotFoundException');
      return;
    }
    const what = match[2] ?? 'restapi';
    counts.byPath[what] = (counts.byPath[what] ?? 0) + 1;
    const limit = url.searchParams.has('limit') ? Number(url.searchParams.get('limit')) : undefined;
    const position = url.searchParams.get('position') ?? undefined;
    const list = <T>(items: readonly T[]) => {
      const p = page(items, limit, position);
      return { item: p.items, ...(p.position ? { position: p.position } : {}) };
    };
    switch (what) {
      case 'restapi':
        send(200, api.restApi);
        return;
      case 'resources': {
        const embed = url.searchParams.getAll('embed').join(',').split(',').includes('methods');
        send(200, list(embed ? api.resources : api.resources.map(({ resourceMethods: _, ...r }) => r)));
        return;
      }
      case 'authorizers':
        send(200, list(api.authorizers));
        return;
      default:
        send(200, list(api.gatewayResponses));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    // The SDK keeps connections alive: end them, or close() waits for their idle timeout.
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
