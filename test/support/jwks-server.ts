import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { makeTlsCert, TlsCert } from './tls-cert';

/** What a {@link JwksServer} saw of one request. */
export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
}

/** Handles a request to a {@link JwksServer}; `server` is the server itself (e.g. to read its current JWKS). */
export type JwksHandler = (req: http.IncomingMessage, res: http.ServerResponse, server: JwksServer) => void;

/** Options for {@link startJwksServer}. */
export interface JwksServerOptions {
  /** Serve TLS, with `tls` or a fresh self-signed cert for 127.0.0.1. @default false */
  readonly https?: boolean;
  /** Certificate for `https`. @default - a fresh one from makeTlsCert() */
  readonly tls?: TlsCert;
  /** Body the default handler serves (200, application/json). @default { keys: [] } */
  readonly jwks?: unknown;
  /** Replaces the default handler. @default - serve `jwks` */
  readonly handler?: JwksHandler;
  /** Loopback address to listen on. @default '127.0.0.1' */
  readonly host?: '127.0.0.1' | '::1';
}

/** A real JWKS endpoint on a loopback address (ephemeral port). */
export interface JwksServer {
  /** The JWKS URI: `<origin>/jwks`. */
  readonly url: string;
  /** `http(s)://127.0.0.1:<port>` (or `[::1]`) */
  readonly origin: string;
  readonly port: number;
  /** The server's certificate (PEM) when https: pass it as the client's `ca`. */
  readonly cert?: string;
  /** Every request received, in order (recorded before the handler runs). */
  readonly requests: RecordedRequest[];
  /** Body the default handler serves from now on. */
  jwks: unknown;
  /** Handler for requests from now on. */
  handler: JwksHandler;
  /** Stops listening and destroys every open connection (so hanging handlers do not block). */
  close(): Promise<void>;
}

/** The default handler: 200 with the server's current `jwks` as JSON. */
export const serveJwks: JwksHandler = (_req, res, server) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(server.jwks));
};

/** Starts a JWKS endpoint on 127.0.0.1 (or ::1) for tests; always `close()` it. */
export async function startJwksServer(options: JwksServerOptions = {}): Promise<JwksServer> {
  const tls = options.https ? options.tls ?? makeTlsCert() : undefined;
  const sockets = new Set<Socket>();
  let self!: JwksServer;
  const listener: http.RequestListener = (req, res) => {
    self.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    self.handler(req, res, self);
  };
  const server = tls ? https.createServer({ key: tls.key, cert: tls.cert }, listener) : http.createServer(listener);
  // Track raw TCP sockets (not only HTTP ones) so that close() also ends TLS handshakes in progress.
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // Clients that reject the certificate or abort mid-request are what several tests provoke: drop them quietly.
  server.on('clientError', (_err, socket) => socket.destroy());
  server.on('tlsClientError', () => undefined);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `${tls ? 'https' : 'http'}://${host === '::1' ? '[::1]' : host}:${port}`;
  self = {
    url: `${origin}/jwks`,
    origin,
    port,
    cert: tls?.cert,
    requests: [],
    jwks: options.jwks ?? { keys: [] },
    handler: options.handler ?? serveJwks,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    }),
  };
  return self;
}

/** A 127.0.0.1 port that nothing listens on (it was bound, then released), for "connection refused". */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
