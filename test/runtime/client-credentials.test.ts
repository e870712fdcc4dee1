import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { inspect } from 'node:util';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import * as fc from 'fast-check';
import * as oauth from 'oauth4webapi';
import { ExchangeAudit } from '../../src/runtime/audit';
import { ClientCredentialsTokenSource, ClientCredentialsTokenSourceOptions, RedactedError } from '../../src/runtime/client-credentials';
import { CallerCredentialsError } from '../../src/runtime/errors';

// The token source against a real OpenID provider (oidc-provider, certified) on 127.0.0.1, started
// by this test; Secrets Manager through aws-sdk-client-mock; retries against a tiny local server
// whose answers the test scripts. Token lifetimes are computed from the injected clock, so no
// assertion depends on the wall clock.

const RESOURCE = 'api://inventory';
// A secret with the characters RFC 6749 2.3.1's form-urlencoding exists for.
const BASIC_SECRET = 'basic:secret+with%odd chars/and=more-0123456789abcdef';
const POST_SECRET = 'post-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const CLIENTS = [
  { client_id: 'svc-basic', client_secret: BASIC_SECRET, token_endpoint_auth_method: 'client_secret_basic', scope: 'inventory:read' },
  { client_id: 'svc-post', client_secret: POST_SECRET, token_endpoint_auth_method: 'client_secret_post', scope: 'inventory:read inventory:write' },
];
const SECRETS = [BASIC_SECRET, POST_SECRET, 'old-secret-value-0123456789'];

let work: string;
let idp: ChildProcess;
let issuer: string;
const lines: string[] = [];
const tokensSeen: string[] = [];
const audit = new ExchangeAudit({ service: 'orders', write: (line) => lines.push(line) });
const sm = mockClient(SecretsManagerClient);

function startProvider(): Promise<string> {
  const optionsFile = join(work, 'oidc-server.json');
  writeFileSync(optionsFile, JSON.stringify({ clients: CLIENTS, audience: RESOURCE, defaultResource: false, clientCredentialsTtl: 600 }));
  idp = spawn(process.execPath, [join(__dirname, '..', 'support', 'oidc-server.mjs'), optionsFile], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('OIDC provider did not start within 90 s')), 90_000);
    createInterface({ input: idp.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line).issuer);
    });
    idp.once('exit', (code) => reject(new Error(`OIDC provider exited with ${code}`)));
  });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'client-credentials-'));
  issuer = await startProvider();
});

afterAll(() => {
  idp?.stdin?.end();
  rmSync(work, { recursive: true, force: true });
  // No audit line, of any test, ever held a secret or a token.
  expect(lines.length).toBeGreaterThan(10);
  for (const line of lines) {
    for (const secret of [...SECRETS, ...tokensSeen]) {
      expect(line).not.toContain(secret);
    }
  }
});

beforeEach(() => sm.reset());

/** A fetch that counts the calls to each path. */
function countingFetch(): { fetch: typeof fetch; calls: (path: string) => number } {
  const counts = new Map<string, number>();
  return {
    fetch: (input, init) => {
      const path = new URL(String(input)).pathname;
      counts.set(path, (counts.get(path) ?? 0) + 1);
      return fetch(input, init);
    },
    calls: (path) => counts.get(path) ?? 0,
  };
}

function source(options: Partial<ClientCredentialsTokenSourceOptions> & { clientId: string }): ClientCredentialsTokenSource {
  return new ClientCredentialsTokenSource({ issuer, allowInsecureRequests: true, audit, retryBaseDelayMs: 1, ...options });
}

const auditLines = (from: number) => lines.slice(from).map((l) => JSON.parse(l));

async function failure(promise: Promise<unknown>): Promise<CallerCredentialsError> {
  const err = await promise.then(() => undefined, (e) => e);
  expect(err).toBeInstanceOf(CallerCredentialsError);
  return err;
}

function jwtPayload(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

describe('against a real OpenID provider', () => {
  test('should get a token with client_secret_basic, form-encoding an awkward secret', async () => {
    // GIVEN
    const now = 1_800_000_000_000;
    const from = lines.length;

    // WHEN
    const token = await source({ clientId: 'svc-basic', clientSecret: BASIC_SECRET, now: () => now }).getToken();
    tokensSeen.push(token.accessToken);

    // THEN
    expect(token.accessToken).toMatch(/^[\w-]{20,}$/);
    const lifetime = token.expiresAt!.getTime() - now;
    expect(lifetime).toBeGreaterThan(500_000);
    expect(lifetime).toBeLessThanOrEqual(600_000);
    expect(auditLines(from)).toEqual([expect.objectContaining({
      kind: 'client_credentials', outcome: 'issued', error: null, client_id: 'svc-basic', attempts: 1, Role: '-',
    })]);
  });

  test('should get a JWT for a resource with client_secret_post and the asked scopes', async () => {
    // WHEN
    const token = await source({
      clientId: 'svc-post', clientSecret: POST_SECRET, authMethod: 'client_secret_post', resource: RESOURCE, scope: ['inventory:write'],
    }).getToken();
    tokensSeen.push(token.accessToken);

    // THEN
    const claims = jwtPayload(token.accessToken);
    expect(claims).toMatchObject({ iss: issuer, aud: RESOURCE, client_id: 'svc-post', scope: 'inventory:write' });
    expect(token.scope).toBe('inventory:write');
  });

  test.each([
    ['client_secret_basic', 'svc-basic'],
    ['client_secret_post', 'svc-post'],
  ] as const)('should answer a wrong secret sent by %s with invalid_client (500: our misconfiguration)', async (authMethod, clientId) => {
    const from = lines.length;
    const err = await failure(source({ clientId, clientSecret: 'not-the-secret', authMethod }).getToken());
    expect([err.code, err.httpStatus, err.retryable]).toEqual(['invalid_client', 500, false]);
    expect(auditLines(from).map((l) => [l.outcome, l.error, l.attempts])).toEqual([['failed', 'invalid_client', 1]]);
  });

  test('should refuse a scope the client may not have (invalid_scope) and an unknown resource (invalid_target)', async () => {
    const scope = await failure(source({ clientId: 'svc-basic', clientSecret: BASIC_SECRET, scope: 'inventory:write' }).getToken());
    expect([scope.code, scope.httpStatus]).toEqual(['invalid_scope', 500]);
    const target = await failure(source({ clientId: 'svc-basic', clientSecret: BASIC_SECRET, resource: 'api://elsewhere' }).getToken());
    expect([target.code, target.httpStatus]).toEqual(['invalid_target', 500]);
  });

  test('should refuse an issuer without a discovery document', async () => {
    const err = await failure(source({ issuer: `${issuer}/tenant`, clientId: 'svc-basic', clientSecret: BASIC_SECRET }).getToken());
    expect([err.code, err.httpStatus]).toEqual(['discovery_invalid', 500]);
  });

  test('should serve the token from cache until 60 s before it expires, and read discovery once', async () => {
    // GIVEN
    let now = 1_800_000_000_000;
    const counter = countingFetch();
    const tokens = source({ clientId: 'svc-basic', clientSecret: BASIC_SECRET, now: () => now, fetch: counter.fetch });
    const from = lines.length;

    // WHEN
    const first = await tokens.getToken();
    tokensSeen.push(first.accessToken);
    now = first.expiresAt!.getTime() - 60_001;
    const second = await tokens.getToken();
    now += 2;
    const third = await tokens.getToken();
    tokensSeen.push(third.accessToken);

    // THEN
    expect(second).toBe(first);
    expect(third.accessToken).not.toBe(first.accessToken);
    expect(counter.calls('/token')).toBe(2);
    expect(counter.calls('/.well-known/openid-configuration')).toBe(1);
    expect(auditLines(from).map((l) => [l.outcome, l.attempts])).toEqual([['issued', 1], ['cached', 0], ['issued', 1]]);
  });

  test('should ask anew after invalidate()', async () => {
    const counter = countingFetch();
    const tokens = source({ clientId: 'svc-basic', clientSecret: BASIC_SECRET, fetch: counter.fetch });
    tokensSeen.push((await tokens.getToken()).accessToken);
    tokens.invalidate();
    tokensSeen.push((await tokens.getToken()).accessToken);
    expect(counter.calls('/token')).toBe(2);
  });

  test('should make one request for concurrent callers (single flight)', async () => {
    // GIVEN
    const counter = countingFetch();
    const tokens = source({ clientId: 'svc-basic', clientSecret: BASIC_SECRET, fetch: counter.fetch });
    const from = lines.length;

    // WHEN
    const all = await Promise.all(Array.from({ length: 5 }, () => tokens.getToken()));
    tokensSeen.push(all[0].accessToken);

    // THEN
    expect(new Set(all.map((t) => t.accessToken)).size).toBe(1);
    expect(counter.calls('/token')).toBe(1);
    expect(auditLines(from).map((l) => l.outcome).sort()).toEqual(['cached', 'cached', 'cached', 'cached', 'issued']);
  });

  test('should read the secret from Secrets Manager once', async () => {
    // GIVEN
    sm.on(GetSecretValueCommand, { SecretId: 'orders/inventory-client' }).resolves({ SecretString: POST_SECRET });
    const tokens = source({
      clientId: 'svc-post', authMethod: 'client_secret_post', secretId: 'orders/inventory-client', secretsManager: new SecretsManagerClient({ region: 'eu-west-1' }),
    });

    // WHEN
    tokensSeen.push((await tokens.getToken()).accessToken);
    tokens.invalidate();
    tokensSeen.push((await tokens.getToken()).accessToken);

    // THEN
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  test('should read a JSON secret\'s field', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ client_id: 'svc-basic', client_secret: BASIC_SECRET }) });
    const tokens = source({ clientId: 'svc-basic', secretId: 'orders/json', secretJsonField: 'client_secret', secretsManager: new SecretsManagerClient({ region: 'eu-west-1' }) });
    tokensSeen.push((await tokens.getToken()).accessToken);
  });

  test('should read a rotated secret again after invalid_client, once', async () => {
    // GIVEN: the cached secret is stale, Secrets Manager already holds the new one
    sm.on(GetSecretValueCommand).resolvesOnce({ SecretString: 'old-secret-value-0123456789' }).resolves({ SecretString: BASIC_SECRET });
    const tokens = source({ clientId: 'svc-basic', secretId: 'orders/rotated', secretsManager: new SecretsManagerClient({ region: 'eu-west-1' }) });
    const from = lines.length;

    // WHEN
    tokensSeen.push((await tokens.getToken()).accessToken);

    // THEN
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    expect(auditLines(from).map((l) => [l.outcome, l.attempts])).toEqual([['issued', 2]]);
  });

  test('should give up after one re-read when the secret stays wrong', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: 'old-secret-value-0123456789' });
    const tokens = source({ clientId: 'svc-basic', secretId: 'orders/wrong', secretsManager: new SecretsManagerClient({ region: 'eu-west-1' }) });
    const err = await failure(tokens.getToken());
    expect(err.code).toBe('invalid_client');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });
});

describe('Secrets Manager failures', () => {
  const err = (name: string, httpStatusCode: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode } });

  test.each([
    ['ResourceNotFoundException', err('ResourceNotFoundException', 400), 'secret_unavailable', 500],
    ['AccessDeniedException', err('AccessDeniedException', 400), 'secret_unavailable', 500],
    ['DecryptionFailure', err('DecryptionFailure', 400), 'secret_unavailable', 500],
    ['InternalServiceError', err('InternalServiceError', 500), 'secrets_manager_unavailable', 503],
    ['ThrottlingException', err('ThrottlingException', 400), 'secrets_manager_unavailable', 503],
    ['a network error', new Error('socket hang up'), 'secrets_manager_unavailable', 503],
  ])('should map %s', async (_name, smErr, code, httpStatus) => {
    sm.on(GetSecretValueCommand).rejects(smErr);
    const from = lines.length;
    const e = await failure(source({ clientId: 'svc-basic', secretId: 'orders/x', secretsManager: new SecretsManagerClient({ region: 'eu-west-1' }) }).getToken());
    expect([e.code, e.httpStatus, e.retryable]).toEqual([code, httpStatus, httpStatus === 503]);
    expect(auditLines(from)).toEqual([expect.objectContaining({ outcome: 'failed', error: code, attempts: 0 })]);
  });

  test.each([
    ['no SecretString', {}, undefined],
    ['an empty string', { SecretString: '' }, undefined],
    ['JSON without the field', { SecretString: '{"other":"x"}' }, 'client_secret'],
    ['not JSON', { SecretString: 'plain' }, 'client_secret'],
  ])('should refuse a secret with %s', async (_name, answer, secretJsonField) => {
    sm.on(GetSecretValueCommand).resolves(answer);
    const e = await failure(source({ clientId: 'svc-basic', secretId: 'orders/x', secretJsonField, secretsManager: new SecretsManagerClient({ region: 'eu-west-1' }) }).getToken());
    expect([e.code, e.httpStatus]).toEqual(['secret_unavailable', 500]);
  });
});

describe('retries', () => {
  let server: Server;
  let base: string;
  /** Scripted answers of the token endpoint, in order; the last one repeats. */
  let tokenAnswers: Array<[number, object | string]>;
  let discoveryAnswers: Array<[number, object | string]>;
  let tokenCalls: number;

  const answer = (res: ServerResponse, [status, body]: [number, object | string]) => {
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      req.on('end', () => {
        if (req.url === '/.well-known/openid-configuration') {
          answer(res, discoveryAnswers.length > 1 ? discoveryAnswers.shift()! : discoveryAnswers[0]);
        } else {
          tokenCalls++;
          answer(res, tokenAnswers.length > 1 ? tokenAnswers.shift()! : tokenAnswers[0]);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  beforeEach(() => {
    tokenCalls = 0;
    discoveryAnswers = [[200, { issuer: base, token_endpoint: `${base}/token` }]];
  });

  const OK: [number, object] = [200, { access_token: 'scripted-access-token-value', token_type: 'Bearer', expires_in: 300 }];
  const local = () => source({ issuer: base, clientId: 'svc', clientSecret: 'scripted-secret', maxAttempts: 3 });

  test('should retry a 503 and succeed', async () => {
    tokenAnswers = [[503, 'busy'], OK];
    const from = lines.length;
    const token = await local().getToken();
    expect(token.accessToken).toBe('scripted-access-token-value');
    expect(tokenCalls).toBe(2);
    expect(auditLines(from)).toEqual([expect.objectContaining({ outcome: 'issued', attempts: 2 })]);
  });

  test('should give up after maxAttempts 5xx answers (503 token_endpoint_unavailable)', async () => {
    tokenAnswers = [[502, 'bad gateway']];
    const from = lines.length;
    const err = await failure(local().getToken());
    expect([err.code, err.httpStatus, err.retryable]).toEqual(['token_endpoint_unavailable', 503, true]);
    expect(tokenCalls).toBe(3);
    expect(auditLines(from)).toEqual([expect.objectContaining({ outcome: 'failed', error: 'token_endpoint_unavailable', attempts: 3 })]);
  });

  test.each([
    ['400 invalid_request', [400, { error: 'invalid_request' }], 'token_rejected', 500],
    ['401 invalid_client', [401, { error: 'invalid_client' }], 'invalid_client', 500],
    ['401 without a body', [401, ''], 'invalid_client', 500],
    ['429', [429, { error: 'slow_down' }], 'token_endpoint_unavailable', 503],
    ['200 without access_token', [200, { token_type: 'Bearer' }], 'token_response_invalid', 500],
  ] as Array<[string, [number, object | string], string, number]>)('should not retry a %s', async (_name, reply, code, httpStatus) => {
    tokenAnswers = [reply, OK];
    const err = await failure(local().getToken());
    expect([err.code, err.httpStatus]).toEqual([code, httpStatus]);
    expect(tokenCalls).toBe(1);
  });

  test('should retry discovery on a 500 and keep the document', async () => {
    discoveryAnswers = [[500, 'oops'], discoveryAnswers[0]];
    tokenAnswers = [OK];
    const tokens = local();
    await tokens.getToken();
    tokens.invalidate();
    await tokens.getToken();
    expect(tokenCalls).toBe(2);
  });

  test('should refuse a discovery document that names another issuer', async () => {
    discoveryAnswers = [[200, { issuer: 'https://evil.example.com', token_endpoint: `${base}/token` }]];
    const err = await failure(local().getToken());
    expect([err.code, err.httpStatus]).toEqual(['discovery_invalid', 500]);
  });

  test('should refuse an http token endpoint off loopback even when insecure requests are allowed', async () => {
    discoveryAnswers = [[200, { issuer: base, token_endpoint: 'http://tokens.example.com/token' }]];
    const err = await failure(local().getToken());
    expect([err.code, err.httpStatus]).toEqual(['misconfigured', 500]);
  });

  test('should retry network errors, then answer 503 discovery_unavailable', async () => {
    // GIVEN: a port nobody listens on
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    let calls = 0;
    const tokens = source({
      issuer: `http://127.0.0.1:${port}`, clientId: 'svc', clientSecret: 'x', fetch: (i, init) => (calls++, fetch(i, init)),
    });

    // THEN
    const err = await failure(tokens.getToken());
    expect([err.code, err.httpStatus, err.retryable]).toEqual(['discovery_unavailable', 503, true]);
    expect(calls).toBe(3);
  });
});

describe('options', () => {
  test.each([
    ['an http issuer off loopback', { issuer: 'http://login.example.com', clientSecret: 'x', allowInsecureRequests: true }],
    ['an http issuer without allowInsecureRequests', { issuer: 'http://127.0.0.1:1', clientSecret: 'x' }],
    ['no secret', { issuer: 'https://login.example.com' }],
    ['both secrets', { issuer: 'https://login.example.com', clientSecret: 'x', secretId: 'y', region: 'eu-west-1' }],
    ['an unknown auth method', { issuer: 'https://login.example.com', clientSecret: 'x', authMethod: 'private_key_jwt' as any }],
    ['a negative margin', { issuer: 'https://login.example.com', clientSecret: 'x', refreshBeforeExpirySeconds: -1 }],
  ])('should refuse %s', (_name, options) => {
    let thrown: unknown;
    try {
      new ClientCredentialsTokenSource({ clientId: 'svc', ...options });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(CallerCredentialsError);
    expect((thrown as CallerCredentialsError).code).toBe('misconfigured');
  });
});

describe('no token or secret in any error', () => {
  // A token endpoint on 127.0.0.1 whose answer each case scripts, and fetches that fail the ways
  // fetch and oauth4webapi fail. Whatever the failure, the thrown error, inspected every way a log
  // line or a debugger would (message, stack, own and hidden properties, util.inspect, JSON), holds
  // neither a token the endpoint sent nor the client secret in any encoding the request carried it in.
  interface Reply {
    readonly status: number;
    readonly contentType?: string;
    readonly body: string;
    readonly wwwAuthenticate?: string;
  }

  let server: Server;
  let base: string;
  let closedPort: number;
  let reply: Reply;
  let tokenEndpoint: 'live' | 'closed';
  /** What the requests carried: the secret as the server received it (Authorization header, body). */
  let carried: string[];
  const errorLines: string[] = [];
  const errorAudit = new ExchangeAudit({ service: 'orders', write: (line) => errorLines.push(line) });

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/.well-known/openid-configuration') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ issuer: base, token_endpoint: tokenEndpoint === 'live' ? `${base}/token` : `http://127.0.0.1:${closedPort}/token` }));
          return;
        }
        carried.push(req.headers.authorization ?? '', Buffer.concat(chunks).toString('utf8'));
        const headers: Record<string, string> = {};
        if (reply.contentType) headers['content-type'] = reply.contentType;
        if (reply.wwwAuthenticate) headers['www-authenticate'] = reply.wwwAuthenticate;
        res.writeHead(reply.status, headers);
        res.end(reply.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  beforeEach(() => {
    carried = [];
    tokenEndpoint = 'live';
  });

  /** Every string an error exposes: message, stack, every own property (hidden and symbol-keyed too), inspect and JSON. */
  function exposed(root: unknown): string {
    const out: string[] = [];
    const seen = new Set<unknown>();
    const visit = (value: unknown, depth: number): void => {
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') {
        out.push(String(value));
        return;
      }
      if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value) || depth > 30) {
        return;
      }
      seen.add(value);
      if (value instanceof Uint8Array) {
        out.push(Buffer.from(value).toString('utf8'));
      }
      if (value instanceof Error) {
        out.push(value.message, String(value.stack));
      }
      for (const key of Reflect.ownKeys(value)) {
        out.push(String(key));
        const descriptor = Object.getOwnPropertyDescriptor(value, key);
        if (descriptor && 'value' in descriptor) {
          visit(descriptor.value, depth + 1);
        }
      }
    };
    visit(root, 0);
    out.push(inspect(root, { depth: Infinity, showHidden: true, getters: true }), String(root));
    try {
      out.push(JSON.stringify(root));
    } catch {
      // a circular structure: inspect above has it all
    }
    return out.join('\n');
  }

  /** The secret as the request carried it: the raw value, the Basic credentials, the form field. */
  function secretForms(secret: string): string[] {
    const forms = [secret, encodeURIComponent(secret)];
    for (const value of carried) {
      const basic = /^Basic (.+)$/.exec(value)?.[1];
      if (basic) forms.push(basic, Buffer.from(basic, 'base64').toString('utf8'));
      const field = /(?:^|&)client_secret=([^&]*)/.exec(value)?.[1];
      if (field) forms.push(field, value);
    }
    return forms;
  }

  function expectNothingSecret(err: unknown, secrets: string[]): void {
    expect(err).toBeInstanceOf(CallerCredentialsError);
    const text = exposed(err);
    for (const secret of secrets) {
      expect(text).not.toContain(secret);
    }
    for (const line of errorLines) {
      for (const secret of secrets) {
        expect(line).not.toContain(secret);
      }
    }
  }

  const tokenSource = (secret: string, options: Partial<ClientCredentialsTokenSourceOptions> = {}) => new ClientCredentialsTokenSource({
    issuer: base, clientId: 'svc', clientSecret: secret, allowInsecureRequests: true, audit: errorAudit, maxAttempts: 2, retryBaseDelayMs: 0, ...options,
  });

  const ACCESS = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzdmMiLCJzY29wZSI6ImFsbCJ9.c2lnbmF0dXJlLW9mLXRoZS1hY2Nlc3MtdG9rZW4';
  const SECRET = 'cs-0123456789:secret+/=%with odd chars';

  test('should keep nothing of a 200 answer that oauth4webapi refuses (the review\'s finding)', async () => {
    // GIVEN: a valid access token, but no token_type, so the answer is not conforming
    reply = { status: 200, contentType: 'application/json', body: JSON.stringify({ access_token: ACCESS, expires_in: 300, echo: SECRET }) };

    // WHEN
    const err = await failure(tokenSource(SECRET).getToken());

    // THEN
    expect(err.code).toBe('token_response_invalid');
    expect(err.cause).toBeInstanceOf(RedactedError);
    expect(err.cause).toMatchObject({ name: 'OperationProcessingError', code: 'OAUTH_INVALID_RESPONSE' });
    expect((err.cause as RedactedError).cause).toBeUndefined();
    expectNothingSecret(err, [ACCESS, ...secretForms(SECRET)]);
  });

  test('should keep the status and a registered error code, but not an unregistered one or the description', async () => {
    reply = { status: 400, contentType: 'application/json', body: JSON.stringify({ error: 'invalid_scope', error_description: `nope ${SECRET}` }) };
    const scope = await failure(tokenSource(SECRET).getToken());
    expect(scope.cause).toMatchObject({ name: 'ResponseBodyError', status: 400, error: 'invalid_scope' });
    expectNothingSecret(scope, [SECRET, `nope ${SECRET}`]);

    reply = { status: 400, contentType: 'application/json', body: JSON.stringify({ error: SECRET }) };
    const odd = await failure(tokenSource(SECRET).getToken());
    expect([odd.code, (odd.cause as RedactedError).error]).toEqual(['token_rejected', undefined]);
    expectNothingSecret(odd, secretForms(SECRET));
  });

  test('should keep the socket error\'s code of a network failure, for diagnosis', async () => {
    tokenEndpoint = 'closed';
    const err = await failure(tokenSource(SECRET).getToken());
    expect(err.code).toBe('token_endpoint_unavailable');
    expect(err.cause).toMatchObject({ name: 'TypeError', cause: expect.objectContaining({ code: 'ECONNREFUSED' }) });
    expectNothingSecret(err, secretForms(SECRET));
  });

  type Failure = 'none' | 'closed-port' | 'fetch-carries-request' | 'fetch-message' | 'timeout' | 'oauth-error' | 'thrown-string';
  const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max }).map((b) => Buffer.from(b).toString('base64url'));
  const scenario = fc.record({
    secret: fc.uint8Array({ minLength: 18, maxLength: 36 }).map((b) => `cs-${Buffer.from(b).toString('base64')}`),
    access: fc.oneof(bytes(24, 48).map((b) => `eyJhbGciOiJSUzI1NiJ9.${b}.c2ln`), bytes(20, 40).map((b) => `at_${b}`)),
    refresh: bytes(20, 40).map((b) => `rt_${b}`),
    id: bytes(24, 48).map((b) => `eyJ0eXAiOiJKV1QifQ.${b}.aWQ`),
    authMethod: fc.constantFrom<'client_secret_basic' | 'client_secret_post'>('client_secret_basic', 'client_secret_post'),
    status: fc.constantFrom(200, 200, 200, 201, 400, 401, 403, 404, 500, 503),
    contentType: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'text/html', undefined),
    shape: fc.constantFrom('object', 'object', 'object', 'text', 'array', 'truncated', 'empty'),
    fields: fc.record({
      access_token: fc.constantFrom('token', 'number', 'absent'),
      token_type: fc.constantFrom('Bearer', 'bearer', 'DPoP', 'mac', 42, undefined),
      expires_in: fc.constantFrom(300, -1, '300', 1.5, undefined),
      refresh_token: fc.boolean(),
      id_token: fc.boolean(),
      scope: fc.constantFrom('all', 7, undefined),
      error: fc.constantFrom('invalid_client', 'invalid_scope', 'server_error', 'secret', 'token', undefined),
      error_description: fc.constantFrom('secret', 'token', undefined),
      echo: fc.boolean(),
    }),
    challenge: fc.constantFrom(undefined, 'bearer', 'basic', 'secret'),
    failure: fc.constantFrom<Failure>('none', 'none', 'none', 'none', 'closed-port', 'fetch-carries-request', 'fetch-message', 'timeout', 'oauth-error', 'thrown-string'),
  });
  type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

  function replyOf(s: Scenario): Reply {
    const value = (which: string | undefined) => (which === 'secret' ? `x ${s.secret}` : which === 'token' ? s.access : which);
    const f = s.fields;
    const object: Record<string, unknown> = {
      ...(f.access_token === 'absent' ? {} : { access_token: f.access_token === 'token' ? s.access : 12345 }),
      token_type: f.token_type,
      expires_in: f.expires_in,
      ...(f.refresh_token ? { refresh_token: s.refresh } : {}),
      ...(f.id_token ? { id_token: s.id } : {}),
      scope: f.scope,
      error: value(f.error),
      error_description: value(f.error_description),
      ...(f.echo ? { client_secret: s.secret } : {}),
    };
    const json = JSON.stringify(object);
    const body = {
      object: json,
      text: `access_token=${s.access}&refresh_token=${s.refresh}&secret=${s.secret}`,
      array: JSON.stringify([object, s.access, s.secret]),
      truncated: json.slice(0, Math.max(1, json.length - 7)),
      empty: '',
    }[s.shape]!;
    const wwwAuthenticate = s.status !== 401 ? undefined : {
      bearer: 'Bearer error="invalid_token"',
      basic: `Basic realm="${s.access}"`,
      secret: `Bearer error="invalid_client", error_description="${s.secret}"`,
      none: undefined,
    }[s.challenge ?? 'none'];
    return { status: s.status, contentType: s.contentType, body, wwwAuthenticate };
  }

  /** A fetch that records what the token request carried and fails it the scenario's way (or sends it). */
  function failingFetch(s: Scenario): typeof fetch {
    const fail = (url: string, init: RequestInit): never => {
      const headers = new Headers(init.headers);
      const body = String(init.body ?? '');
      carried.push(headers.get('authorization') ?? '', body);
      switch (s.failure) {
        case 'fetch-carries-request':
          throw Object.assign(new TypeError('fetch failed'), {
            cause: Object.assign(new Error(`connect ECONNRESET ${url}`), { code: 'ECONNRESET', request: { url, headers: Object.fromEntries(headers), body } }),
          });
        case 'fetch-message':
          throw new Error(`POST ${url} failed: ${headers.get('authorization')} ${body} ${s.secret}`);
        case 'timeout':
          throw new DOMException(`The operation was aborted due to timeout (${body})`, 'TimeoutError');
        case 'oauth-error':
          throw new oauth.OperationProcessingError(`unexpected ${s.access}`, { cause: { body: { access_token: s.access, refresh_token: s.refresh }, secret: s.secret } });
        default:
          // eslint-disable-next-line no-throw-literal
          throw `${s.secret} ${s.access}`;
      }
    };
    const record = (init: RequestInit = {}) => carried.push(new Headers(init.headers).get('authorization') ?? '', String(init.body ?? ''));
    return ((input: string | URL | Request, init?: RequestInit) => {
      if (!String(input).endsWith('/token')) {
        return fetch(input, init);
      }
      if (['none', 'closed-port'].includes(s.failure)) {
        record(init);
        return fetch(input, init);
      }
      return fail(String(input), init ?? {});
    }) as typeof fetch;
  }

  /** One case of each failure, run before the generated ones, so that every kind is met whatever the seed. */
  const BASE: Scenario = {
    secret: 'cs-example/secret+value==',
    access: 'at_exampleAccessToken0123456789',
    refresh: 'rt_exampleRefreshToken0123456789',
    id: 'eyJ0eXAiOiJKV1QifQ.exampleIdToken0123456789.aWQ',
    authMethod: 'client_secret_basic',
    status: 200,
    contentType: 'application/json',
    shape: 'object',
    challenge: undefined,
    failure: 'none',
    fields: {
      access_token: 'token',
      token_type: 'Bearer',
      expires_in: 300,
      refresh_token: true,
      id_token: true,
      scope: 'all',
      error: undefined,
      error_description: undefined,
      echo: true,
    },
  };
  const EXAMPLES: Scenario[] = [
    { ...BASE, fields: { ...BASE.fields, token_type: undefined } },
    { ...BASE, status: 400, fields: { ...BASE.fields, error: 'secret', error_description: 'token' } },
    { ...BASE, status: 401, challenge: 'secret', authMethod: 'client_secret_post' },
    { ...BASE, status: 401, challenge: 'basic' },
    ...(['closed-port', 'fetch-carries-request', 'fetch-message', 'timeout', 'oauth-error', 'thrown-string'] as const).map((kind) => ({ ...BASE, failure: kind })),
  ];
  const shapes = new Set<string>();

  test('should never expose a token or the secret, whatever the endpoint answers or fetch throws (property)', async () => {
    await fc.assert(fc.asyncProperty(scenario, async (s) => {
      // GIVEN
      carried = [];
      errorLines.length = 0;
      reply = replyOf(s);
      tokenEndpoint = s.failure === 'closed-port' ? 'closed' : 'live';

      // WHEN
      const outcome = await tokenSource(s.secret, { authMethod: s.authMethod, fetch: failingFetch(s) }).getToken().then(
        (token) => ({ token }), (error: unknown) => ({ error }));

      // THEN
      if ('token' in outcome) {
        expect(outcome.token.accessToken).toBe(s.access);
        return;
      }
      expectNothingSecret(outcome.error, [s.access, s.refresh, s.id, ...secretForms(s.secret)]);
      expect(carried.length).toBeGreaterThan(0);
      const error = outcome.error as CallerCredentialsError;
      shapes.add(`${error.code} ${(error.cause as RedactedError).name}`);
    }), { numRuns: 250, examples: EXAMPLES.map((e) => [e]) });

    // The run met every kind of error the library and fetch produce.
    expect([...shapes].map((shape) => shape.slice(shape.indexOf(' ') + 1))).toEqual(expect.arrayContaining([
      'ResponseBodyError', 'OperationProcessingError', 'WWWAuthenticateChallengeError', 'TypeError', 'TimeoutError', 'thrown string', 'Error',
    ]));
  });
});
