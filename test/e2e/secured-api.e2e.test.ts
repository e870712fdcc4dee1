import { ChildProcess, fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { HttpMethod, OidcIssuer, SecuredApi } from '../../src';
import { refersTo } from '../../src/testing/cloud-assembly';
import { evaluatePolicy } from '../authorizer/runtime/fixtures';
import { makeTlsCert } from '../support/tls-cert';
import { waitFor } from '../support/wait';

// End to end: a real OIDC provider (oidc-provider, a certified implementation) on 127.0.0.1 issues
// JWT access tokens by client credentials; the authorizer is the asset synthesized into cdk.out,
// run in its own process with the function's synthesized environment, fed API Gateway REQUEST events.
// Both processes read the same wall clock and tokens live 300 s, so token times are no concern; the
// start-up limits are generous (a busy machine only makes start-up slower), and log lines, which come
// over a different pipe than the replies, are waited for rather than given a fixed pause.

const AUDIENCE = 'api://orders';
const ARN_BASE = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod';
const CLIENTS = [
  { client_id: 'reader', client_secret: 'reader-secret-0123456789abcdefghijklmnop', scope: 'orders:read' },
  { client_id: 'writer', client_secret: 'writer-secret-0123456789abcdefghijklmnop', scope: 'orders:read orders:write' },
  { client_id: 'nobody', client_secret: 'nobody-secret-0123456789abcdefghijklmnop', scope: 'profile:read' },
];

interface Provider { issuer: string; jwksUri: string; tokenEndpoint: string }

let work: string;
let certFile: string;
let cert: string;
let idp: ChildProcess;
let provider: Provider;
let authorizer: ChildProcess;
let template: any;
let authorizerEnv: Record<string, string>;
let authorizerId: string;
const pending = new Map<number, (reply: any) => void>();
let nextId = 0;

function startProvider(): Promise<Provider> {
  const optionsFile = join(work, 'oidc-server.json');
  writeFileSync(optionsFile, JSON.stringify({ clients: CLIENTS, audience: AUDIENCE, tls: { cert: certFile, key: join(work, 'key.pem') } }));
  idp = spawn(process.execPath, [join(__dirname, '..', 'support', 'oidc-server.mjs'), optionsFile], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('OIDC provider did not start within 90 s')), 90_000);
    createInterface({ input: idp.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line));
    });
    idp.once('exit', (code) => reject(new Error(`OIDC provider exited with ${code}`)));
  });
}

function clientCredentialsToken(clientId: string, scope: string): Promise<string> {
  const client = CLIENTS.find((c) => c.client_id === clientId)!;
  const body = new URLSearchParams({ grant_type: 'client_credentials', scope }).toString();
  return new Promise((resolve, reject) => {
    const req = request(provider.tokenEndpoint, {
      method: 'POST',
      ca: cert,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'authorization': `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
      },
    }, (res) => {
      let data = '';
      res.on('data', (chunk) => (data += chunk));
      res.on('end', () => {
        const json = JSON.parse(data);
        if (res.statusCode !== 200) reject(new Error(`token endpoint: ${res.statusCode} ${data}`));
        else resolve(json.access_token);
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

function synthesize(): { assetDir: string } {
  const outdir = join(work, 'cdk.out');
  const app = new App({ outdir });
  const stack = new Stack(app, 'Orders', { env: { account: '123456789012', region: 'eu-west-1' } });
  const backend = (name: string) => new lambda.Function(stack, name, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "ok" });'),
  });
  const list = backend('List');
  const api = new SecuredApi(stack, 'Api', {
    issuer: OidcIssuer.fromUrl(provider.issuer, { audiences: [AUDIENCE], jwksUri: provider.jwksUri }),
    requiredTokenType: 'at+jwt',
    routes: [
      { method: HttpMethod.GET, path: '/orders', handler: list, scopes: ['orders:read'] },
      { method: HttpMethod.POST, path: '/orders', handler: backend('Create'), scopes: ['orders:write'] },
      { method: HttpMethod.GET, path: '/orders/{id}', handler: backend('Get'), scopes: ['orders:read'] },
      { method: HttpMethod.DELETE, path: '/orders/{id}', handler: backend('Delete'), scopes: ['orders:admin'] },
      { method: HttpMethod.GET, path: '/orders/{id}/audit', handler: backend('Audit'), scopes: ['orders:admin'] },
      { method: HttpMethod.GET, path: '/me', handler: backend('Me') },
    ],
  });
  api.addRoute({ method: HttpMethod.GET, path: '/health', handler: backend('Health'), public: true });
  const assembly = app.synth();
  const artifact = assembly.getStackByName('Orders');
  template = artifact.template;

  const [fnId, fn] = Object.entries<any>(template.Resources).find(([, r]) =>
    r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.SECURED_API_ISSUER !== undefined)!;
  authorizerEnv = fn.Properties.Environment.Variables;
  authorizerId = fnId;
  const objectKey: string = fn.Properties.Code.S3Key;
  const manifest = JSON.parse(readFileSync(join(outdir, 'Orders.assets.json'), 'utf8'));
  const asset = manifest.files[objectKey.replace(/\.zip$/, '')];
  if (!asset) throw new Error(`no asset in the manifest for ${fnId}'s code ${objectKey}`);
  return { assetDir: join(outdir, asset.source.path) };
}

function startAuthorizer(assetDir: string): Promise<void> {
  authorizer = fork(join(__dirname, 'harness.js'), [assetDir], {
    // The synthesized environment and nothing else of ours; the test CA the way Lambda would get a custom one.
    env: { PATH: process.env.PATH, ...authorizerEnv, NODE_EXTRA_CA_CERTS: certFile },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const logs: string[] = [];
  createInterface({ input: authorizer.stdout! }).on('line', (line) => logs.push(line));
  (authorizer as any).logs = logs;
  authorizer.on('message', (m: any) => {
    if (m.id !== undefined) pending.get(m.id)?.(m);
  });
  return new Promise((resolve, reject) => {
    authorizer.once('message', (m: any) => (m.ready ? resolve() : reject(new Error('harness did not start'))));
    authorizer.once('exit', (code) => reject(new Error(`authorizer exited with ${code}`)));
  });
}

function invoke(apiEvent: unknown): Promise<any> {
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    authorizer.send({ id, event: apiEvent });
  });
}

function event(authorization: string | undefined, method: string, resource: string, path = resource): unknown {
  return {
    type: 'REQUEST',
    methodArn: `${ARN_BASE}/${method}${path}`,
    resource,
    path,
    httpMethod: method,
    headers: authorization === undefined ? {} : { Authorization: authorization },
    multiValueHeaders: authorization === undefined ? {} : { Authorization: [authorization] },
    requestContext: { accountId: '123456789012', apiId: 'abc123', stage: 'prod', httpMethod: method, resourcePath: resource },
  };
}

/** What API Gateway would do with this reply for the request `method path`. */
function outcome(reply: any, method: string, path: string): 'allow' | 'deny' | 'unauthorized' | 'error' {
  if (reply.error !== undefined) return reply.isError && reply.error === 'Unauthorized' ? 'unauthorized' : 'error';
  return evaluatePolicy(reply.result.policyDocument, `${ARN_BASE}/${method}${path}`);
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'secured-api-e2e-'));
  const tls = makeTlsCert();
  cert = tls.cert;
  certFile = join(work, 'cert.pem');
  writeFileSync(certFile, tls.cert);
  writeFileSync(join(work, 'key.pem'), tls.key);
  provider = await startProvider();
  const { assetDir } = synthesize();
  await startAuthorizer(assetDir);
}, 180_000);

afterAll(() => {
  authorizer?.kill();
  idp?.stdin?.end();
  idp?.kill();
  rmSync(work, { recursive: true, force: true });
});

describe('SecuredApi end to end with a real OIDC provider', () => {
  test('should synthesize the authorizer with the issuer and JWKS URI of the provider', () => {
    // THEN
    expect(authorizerEnv.SECURED_API_ISSUER).toBe(provider.issuer);
    expect(authorizerEnv.SECURED_API_JWKS_URI).toBe(provider.jwksUri);
    expect(JSON.parse(authorizerEnv.SECURED_API_AUDIENCES)).toEqual([AUDIENCE]);
  });

  test('should guard every route of the REST API definition by the authorizer run here, and /health by none', () => {
    // GIVEN
    const [body] = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::ApiGateway::RestApi').map((r) => r.Properties.Body);
    const schemes = Object.entries<any>(body.components.securitySchemes)
      .filter(([, scheme]) => refersTo(scheme['x-amazon-apigateway-authorizer']?.authorizerUri, authorizerId))
      .map(([name]) => name);

    // WHEN
    const security = Object.entries<any>(body.paths).flatMap(([path, item]) => Object.entries<any>(item)
      .filter(([key]) => key !== 'parameters')
      .map(([key, op]) => `${key} ${path} ${JSON.stringify(op.security)}`));

    // THEN
    expect(schemes).toHaveLength(1);
    const guarded = JSON.stringify([{ [schemes[0]]: [] }]);
    expect(security.sort()).toEqual([
      `delete /orders/{id} ${guarded}`,
      'get /health []',
      `get /me ${guarded}`,
      `get /orders ${guarded}`,
      `get /orders/{id} ${guarded}`,
      `get /orders/{id}/audit ${guarded}`,
      `post /orders ${guarded}`,
    ]);
  });

  test('should allow and deny per route and scope for client-credentials tokens', async () => {
    // GIVEN
    const reader = await clientCredentialsToken('reader', 'orders:read');
    const writer = await clientCredentialsToken('writer', 'orders:read orders:write');
    const nobody = await clientCredentialsToken('nobody', 'profile:read');
    const cases: Array<[string, string, string, string, string]> = [
      // token, method, resource, path, expected
      [reader, 'GET', '/orders', '/orders', 'allow'],
      [reader, 'GET', '/orders/{id}', '/orders/42', 'allow'],
      [reader, 'POST', '/orders', '/orders', 'deny'],
      [reader, 'DELETE', '/orders/{id}', '/orders/42', 'deny'],
      [reader, 'GET', '/orders/{id}/audit', '/orders/42/audit', 'deny'],
      [reader, 'GET', '/me', '/me', 'allow'],
      [writer, 'POST', '/orders', '/orders', 'allow'],
      [writer, 'GET', '/orders/{id}', '/orders/7', 'allow'],
      [writer, 'DELETE', '/orders/{id}', '/orders/7', 'deny'],
      [nobody, 'GET', '/orders', '/orders', 'deny'],
      [nobody, 'GET', '/me', '/me', 'allow'],
    ];

    // WHEN
    const outcomes = [];
    for (const [token, method, resource, path] of cases) {
      outcomes.push(outcome(await invoke(event(`Bearer ${token}`, method, resource, path)), method, path));
    }

    // THEN
    expect(outcomes).toEqual(cases.map((c) => c[4]));
  });

  test('should keep a policy cached for one route correct for every other route', async () => {
    // GIVEN: API Gateway caches the first reply per token (identity source: the Authorization header)
    const reader = await clientCredentialsToken('reader', 'orders:read');
    const reply = await invoke(event(`Bearer ${reader}`, 'GET', '/orders', '/orders'));

    // THEN: that one cached policy answers every route exactly as a fresh decision would
    expect(outcome(reply, 'GET', '/orders')).toBe('allow');
    expect(outcome(reply, 'GET', '/orders/99')).toBe('allow');
    expect(outcome(reply, 'GET', '/me')).toBe('allow');
    expect(outcome(reply, 'POST', '/orders')).toBe('deny');
    expect(outcome(reply, 'DELETE', '/orders/99')).toBe('deny');
    // `orders/*` (GET /orders/{id}) also matches this path; the policy must still shut it.
    expect(outcome(reply, 'GET', '/orders/99/audit')).toBe('deny');
  });

  test('should answer Unauthorized for missing, tampered and foreign tokens', async () => {
    // GIVEN
    const reader = await clientCredentialsToken('reader', 'orders:read');
    const [h, p, s] = reader.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const escalated = Buffer.from(JSON.stringify({ ...claims, scope: 'orders:read orders:write orders:admin' })).toString('base64url');
    const bad = [
      undefined,
      '',
      'Bearer',
      `Basic ${reader}`,
      `Bearer ${h}.${escalated}.${s}`,
      `Bearer ${h}.${p}.${s.slice(0, -4)}AAAA`,
      `Bearer ${h}.${p}.`,
    ];

    // WHEN
    const outcomes = [];
    for (const authorization of bad) {
      outcomes.push(outcome(await invoke(event(authorization, 'GET', '/orders')), 'GET', '/orders'));
    }

    // THEN
    expect(outcomes).toEqual(bad.map(() => 'unauthorized'));
  });

  test('should log one audit line per decision with a reason and never the token', async () => {
    // GIVEN
    const writer = await clientCredentialsToken('writer', 'orders:read orders:write');
    const logs: string[] = (authorizer as any).logs;
    const before = logs.length;

    // WHEN
    await invoke(event(`Bearer ${writer}`, 'POST', '/orders'));
    await invoke(event(`Bearer ${writer}`, 'DELETE', '/orders/{id}', '/orders/1'));
    // The replies come over IPC, the log lines over stdout: either may arrive first.
    const decisions = () => logs.slice(before).map((l) => JSON.parse(l)).filter((l) => l.type === 'authz_decision');
    await waitFor(() => decisions().length >= 2);

    // THEN
    const lines = decisions();
    expect(lines.map((l) => [l.decision, l.reason, l.route, l.client_id])).toEqual([
      ['allow', 'allowed', 'POST /orders', 'writer'],
      ['deny', 'insufficient_scope', 'DELETE /orders/{id}', 'writer'],
    ]);
    const all = logs.join('\n');
    expect(all).not.toContain(writer);
    expect(all).not.toContain(writer.split('.')[2]);
  });

  test('should have fetched the provider JWKS once, during init', async () => {
    // GIVEN
    const logs: string[] = (authorizer as any).logs;
    await waitFor(() => logs.some((l) => JSON.parse(l).type === 'jwks_fetch'));
    // THEN
    const fetches = ((authorizer as any).logs as string[]).map((l) => JSON.parse(l)).filter((l) => l.type === 'jwks_fetch');
    expect(fetches).toHaveLength(1);
    expect(fetches[0].ok).toBe(true);
  });
});
