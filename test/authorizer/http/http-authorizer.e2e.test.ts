import { ChildProcess, fork } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { httpEvent } from './fixtures';
import { ClaimRule, HttpMethod, OidcIssuer, SecuredApi } from '../../../src';
import { LocalIssuer } from '../../../src/testing';
import { waitFor } from '../../support/wait';

// End to end through the bundled HTTP entry (assets/authorizer/http-authorizer.lambda/index.js), run
// the way Lambda runs it: a fresh Node process loading index.js with, beside it, the config.json that
// TokenAuthorizer writes today (taken from a synthesized SecuredApi), and only the function's
// synthesized environment. Tokens come from a LocalIssuer, whose JWKS is served over real HTTP. The
// REST entry of the same synthesis answers the same requests beside it: both must log the same reason
// codes. Tokens live 900 s and expired ones expired an hour ago, so no timing matters.

const AUDIENCE = 'api://orders';
/** The app's issuer as synthesized; the LocalIssuer claims it, and only the JWKS URI is pointed at the LocalIssuer (as the test kit's issuerOverride does). */
const ISSUER = 'https://issuer.example.com';
const HTTP_BUNDLE = join(__dirname, '..', '..', '..', 'assets', 'authorizer', 'http-authorizer.lambda', 'index.js');

interface Entry {
  readonly process: ChildProcess;
  readonly logs: string[];
  invoke(event: unknown): Promise<{ result?: any; error?: string }>;
}

let work: string;
let issuer: LocalIssuer;
let env: Record<string, string>;
let restDir: string;
let httpDir: string;
const entries: ChildProcess[] = [];
let http: Entry;
let rest: Entry;

function synthesize(): void {
  const outdir = join(work, 'cdk.out');
  const app = new App({ outdir });
  const stack = new Stack(app, 'Orders', { env: { account: '123456789012', region: 'eu-west-1' } });
  const backend = (name: string) => new lambda.Function(stack, name, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "ok" });'),
  });
  new SecuredApi(stack, 'Api', {
    issuer: OidcIssuer.fromUrl(ISSUER, { audiences: [AUDIENCE] }),
    contextClaims: ['tenant'],
    routes: [
      { method: HttpMethod.GET, path: '/orders', handler: backend('List'), scopes: ['orders:read'] },
      { method: HttpMethod.POST, path: '/orders', handler: backend('Create'), scopes: ['orders:write'] },
      { method: HttpMethod.GET, path: '/orders/{id}', handler: backend('Get'), scopes: ['orders:read'] },
      { method: HttpMethod.DELETE, path: '/orders/{id}', handler: backend('Delete'), scopes: ['orders:admin'] },
      { method: HttpMethod.ANY, path: '/files/{proxy+}', handler: backend('Files'), scopes: ['files:rw'], claimRules: [ClaimRule.equalTo('tenant', 'acme')] },
    ],
  });
  const template = app.synth().getStackByName('Orders').template;
  const [, fn] = Object.entries<any>(template.Resources).find(([, r]) =>
    r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.SECURED_API_ISSUER !== undefined)!;
  env = { ...fn.Properties.Environment.Variables, SECURED_API_JWKS_URI: issuer.jwksUri };
  const manifest = JSON.parse(readFileSync(join(outdir, 'Orders.assets.json'), 'utf8'));
  restDir = join(outdir, manifest.files[String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')].source.path);
  // The HTTP asset as the SecuredHttpApi construct will ship it: its own index.js, the same config.json.
  httpDir = join(work, 'http-asset');
  mkdirSync(httpDir);
  copyFileSync(HTTP_BUNDLE, join(httpDir, 'index.js'));
  copyFileSync(join(restDir, 'config.json'), join(httpDir, 'config.json'));
}

async function start(assetDir: string, overrides: Record<string, string> = {}): Promise<Entry> {
  const child = fork(join(__dirname, '..', '..', 'e2e', 'harness.js'), [assetDir], {
    // HTTP_AUTHORIZER_E2E_NODE: another Node binary to run the entries with, e.g. Lambda's Node 22 (shared/TOOLCHAIN.md).
    execPath: process.env.HTTP_AUTHORIZER_E2E_NODE || process.execPath,
    env: { PATH: process.env.PATH, ...env, ...overrides },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  entries.push(child);
  const logs: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => logs.push(line));
  const pending = new Map<number, (reply: any) => void>();
  let nextId = 0;
  child.on('message', (m: any) => {
    if (m.id !== undefined) pending.get(m.id)?.(m);
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', (m: any) => (m.ready ? resolve() : reject(new Error('harness did not start'))));
    child.once('exit', (code) => reject(new Error(`authorizer exited with ${code}`)));
  });
  return {
    process: child,
    logs,
    invoke: (event) => new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      child.send({ id, event });
    }),
  };
}

/** The REST REQUEST event for the same request. */
function restEvent(authorization: string | undefined, routeKey: string): unknown {
  const [method, resource] = routeKey.split(' ');
  const path = resource.replace(/\{[^}]+\}/g, '42');
  const httpMethod = method === 'ANY' ? 'GET' : method;
  return {
    type: 'REQUEST',
    methodArn: `arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/${httpMethod}${path}`,
    resource,
    path,
    httpMethod,
    headers: authorization === undefined ? {} : { Authorization: authorization },
    multiValueHeaders: authorization === undefined ? {} : { Authorization: [authorization] },
  };
}

const decisions = (entry: Entry) => entry.logs.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).filter((r) => r.type === 'authz_decision');

/** Asks both entries; returns the HTTP reply and the reason both logged (they must agree). */
async function ask(authorization: string | undefined, routeKey: string): Promise<{ reply: any; reason: string; decision: string }> {
  const [h, r] = [decisions(http).length, decisions(rest).length];
  const reply = await http.invoke(httpEvent(authorization, routeKey));
  await rest.invoke(restEvent(authorization, routeKey));
  await waitFor(() => decisions(http).length > h && decisions(rest).length > r);
  const [hd, rd] = [decisions(http)[h], decisions(rest)[r]];
  expect({ reason: hd.reason, decision: hd.decision }).toEqual({ reason: rd.reason, decision: rd.decision });
  return { reply, reason: hd.reason, decision: hd.decision };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  if (!existsSync(HTTP_BUNDLE)) {
    throw new Error(`${HTTP_BUNDLE} is missing: run npx projen bundle`);
  }
  work = mkdtempSync(join(tmpdir(), 'http-authorizer-e2e-'));
  issuer = await LocalIssuer.start({ issuer: ISSUER });
  synthesize();
  [http, rest] = await Promise.all([start(httpDir), start(restDir)]);
}, 120_000);

afterAll(async () => {
  for (const child of entries) {
    child.kill();
  }
  await issuer?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('the HTTP API authorizer entry, bundled, end to end', () => {
  test('should allow a permitted route with the REST context names, every value a string', async () => {
    const token = await issuer.token({ aud: AUDIENCE, scope: 'orders:read', claims: { client_id: 'app-1', tenant: 'acme' } });
    const { reply, reason } = await ask(`Bearer ${token}`, 'GET /orders/{id}');
    expect(reason).toBe('allowed');
    expect(reply.result).toEqual({
      isAuthorized: true,
      context: { tenant: 'acme', sub: 'test-subject', clientId: 'app-1', scopes: 'orders:read', issuer: ISSUER, exp: expect.stringMatching(/^\d+$/), principal: 'sub:test-subject' },
    });
  });

  test('should refuse (403) a valid token without the scope, and a claim rule that fails', async () => {
    const reader = await issuer.token({ aud: AUDIENCE, scope: 'orders:read files:rw', claims: { tenant: 'beta' } });
    const del = await ask(`Bearer ${reader}`, 'DELETE /orders/{id}');
    const files = await ask(`Bearer ${reader}`, 'ANY /files/{proxy+}');
    expect([del.reply.result, del.reason, files.reply.result, files.reason]).toEqual([{ isAuthorized: false }, 'insufficient_scope', { isAuthorized: false }, 'claim_rule_failed']);
  });

  test('should allow a greedy ANY route by its route key', async () => {
    const token = await issuer.token({ aud: AUDIENCE, scope: 'files:rw', claims: { tenant: 'acme' } });
    const { reply } = await ask(`Bearer ${token}`, 'ANY /files/{proxy+}');
    expect(reply.result).toMatchObject({ isAuthorized: true });
  });

  test.each([
    ['a missing token', async () => undefined, 'missing_token'],
    ['a malformed token', async () => 'Bearer abc.def', 'malformed_token'],
    ['an expired token', async () => `Bearer ${await issuer.token({ aud: AUDIENCE, scope: 'orders:read', expiresIn: -3600 })}`, 'expired'],
    ['a token for another audience', async () => `Bearer ${await issuer.token({ aud: 'api://elsewhere', scope: 'orders:read' })}`, 'audience_mismatch'],
  ])('should refuse %s as the REST entry does (401 there), never with an error', async (_, authorization, reason) => {
    const { reply, decision, reason: logged } = await ask(await authorization(), 'GET /orders');
    expect(reply).toEqual({ id: expect.any(Number), result: { isAuthorized: false } });
    expect([decision, logged]).toEqual(['unauthorized', reason]);
  });

  test('should deny $default and a route key the table does not hold', async () => {
    const token = await issuer.token({ aud: AUDIENCE, scope: 'orders:read orders:write orders:admin files:rw' });
    const unknown = await ask(`Bearer ${token}`, 'GET /unknown');
    const reply = await http.invoke(httpEvent(`Bearer ${token}`, '$default'));
    expect([unknown.reply.result, unknown.reason, reply.result]).toEqual([{ isAuthorized: false }, 'route_unknown', { isAuthorized: false }]);
    await waitFor(() => decisions(http).some((d) => d.route === 'GET $default'));
    expect(decisions(http).find((d) => d.route === 'GET $default')).toMatchObject({ decision: 'deny', reason: 'route_unknown' });
  });

  test('should fail closed, with the REST entry\'s reason, when the JWKS endpoint is down', async () => {
    const down = `http://127.0.0.1:${await freePort()}/jwks`;
    const [h, r] = await Promise.all([start(httpDir, { SECURED_API_JWKS_URI: down }), start(restDir, { SECURED_API_JWKS_URI: down })]);
    const token = await issuer.token({ aud: AUDIENCE, scope: 'orders:read' });
    const reply = await h.invoke(httpEvent(`Bearer ${token}`, 'GET /orders'));
    await r.invoke(restEvent(`Bearer ${token}`, 'GET /orders'));
    await waitFor(() => decisions(h).length > 0 && decisions(r).length > 0);
    expect(reply.result).toEqual({ isAuthorized: false });
    expect(decisions(h)[0]).toMatchObject({ decision: 'unauthorized', reason: 'jwks_unavailable' });
    expect(decisions(r)[0]).toMatchObject({ decision: 'unauthorized', reason: 'jwks_unavailable' });
    h.process.kill();
    r.process.kill();
  });

  test('should write EMF metrics on its decision lines and never a token', async () => {
    const token = await issuer.token({ aud: AUDIENCE, scope: 'orders:read' });
    await ask(`Bearer ${token}`, 'GET /orders');
    const lines = decisions(http);
    expect(lines[lines.length - 1]).toHaveProperty('_aws.CloudWatchMetrics');
    const all = http.logs.join('\n');
    expect(all).not.toContain(token);
    expect(all).not.toContain(token.split('.')[2]);
  });
});
