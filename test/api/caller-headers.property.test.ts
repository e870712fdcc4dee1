import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as fc from 'fast-check';
import { HttpMethod, OidcIssuer, RouteBackend, SecuredApi } from '../../src';
import { LocalIssuer, SynthesizedAuthorizer } from '../../src/testing';
import type { EmptyMappedValue } from '../../src/testing';
import { AUDIENCE, CALLER_HEADERS, callerHeadersOf, expectedHeaders, ISSUER, PUBLIC_HEADERS, READINGS } from '../support/caller-headers';

// The caller headers an HTTP backend receives, through the test kit's emulation of API Gateway's
// request parameter mappings, under both readings of a header mapped from an empty or missing value
// (AWS documents neither): `dropped` (a client's own header of that name gets through) and `sent`
// (sent empty). Tokens come from a LocalIssuer that claims the app's issuer; the synthesized
// authorizer checks them in its own process.

let work: string;
let outdir: string;
let issuer: LocalIssuer;
const kits = new Map<EmptyMappedValue, SynthesizedAuthorizer>();

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'secured-api-headers-'));
  issuer = await LocalIssuer.start({ issuer: ISSUER });
  outdir = join(work, 'cdk.out');
  const app = new App({ outdir });
  const stack = new Stack(app, 'Headers', { env: { account: '111122223333', region: 'eu-central-1' } });
  const fn = new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'),
  });
  new SecuredApi(stack, 'Api', {
    issuer: OidcIssuer.fromUrl(ISSUER, { audiences: [AUDIENCE] }),
    routes: [
      { method: HttpMethod.GET, path: '/orders/{id}', backend: RouteBackend.http('https://orders.example.com/orders/{id}') },
      { method: HttpMethod.GET, path: '/whoami', backend: RouteBackend.http('https://orders.example.com/whoami') },
      { method: HttpMethod.GET, path: '/status', backend: RouteBackend.http('https://orders.example.com/status'), public: true },
      { method: HttpMethod.GET, path: '/lambda', handler: fn },
    ],
    resultsCacheTtl: Duration.minutes(5),
    dashboard: false,
    alarms: false,
    auditQueries: false,
  });
  app.synth();
  for (const reading of READINGS) {
    kits.set(reading, await SynthesizedAuthorizer.fromCloudAssembly(outdir, {
      issuerOverride: { jwksUri: issuer.jwksUri }, emptyMappedValue: reading, clock: () => 0,
    }));
  }
}, 180_000);

afterAll(async () => {
  await Promise.all([...kits.values()].map((kit) => kit.stop()));
  await issuer?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('caller headers of an HTTP backend', () => {
  // A claim value: absent, empty, the absence marker, a plain value, or one that looks like another kind of principal.
  const claimValue = fc.oneof(
    fc.constant(undefined),
    fc.constantFrom('', '-', 'alice', 'admin', 'client:abc', 'sub:abc', 'anonymous', 'public', 'abc'),
    fc.stringMatching(/^[A-Za-z0-9:@._|-]{1,12}$/),
  );
  const claimsArb = fc.record({
    sub: claimValue,
    client_id: claimValue,
    sameAsSub: fc.boolean(),
    scope: fc.option(fc.array(fc.constantFrom('orders:read', 'a', '-', 'x:y', ''), { maxLength: 4 }).map((s) => s.join(' ')), { nil: undefined }),
  }).map(({ sub, client_id, sameAsSub, scope }) => ({ sub, client_id: sameAsSub && sub !== undefined ? sub : client_id, scope }));
  // Caller headers as a client might forge them, in any letter case, and an unrelated header that must pass.
  const forgedArb = fc.array(fc.tuple(
    fc.constantFrom(...CALLER_HEADERS).chain((name) => fc.constantFrom(name, name.toLowerCase(), name.toUpperCase())),
    fc.constantFrom('admin', 'sub:admin', 'client:admin', 'anonymous', 'public', '-', '', 'orders:admin'),
  ), { maxLength: 8 }).map((pairs) => ({ ...Object.fromEntries(pairs), 'X-Request-Id': 'r-1' }));

  test('should give the backend exactly the authorizer\'s caller values, never the client\'s, under both readings of an empty mapped value', async () => {
    await fc.assert(fc.asyncProperty(claimsArb, forgedArb, fc.constantFrom(...READINGS), async (claims, forged, reading) => {
      // GIVEN
      const kit = kits.get(reading)!;
      kit.clearCache();
      const token = await issuer.token({ aud: AUDIENCE, claims: { sub: claims.sub, client_id: claims.client_id, scope: claims.scope } });
      const exp = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).exp;
      const refused = [claims.sub, claims.client_id].some((v) => v === '' || v === '-');

      // WHEN: a fresh decision, one the result cache answers, and a public route
      const first = await kit.request({ method: 'GET', path: '/orders/7', token, headers: forged });
      const cached = await kit.request({ method: 'GET', path: '/whoami', token, headers: forged });
      const open = await kit.request({ method: 'GET', path: '/status', token, headers: forged });

      // THEN
      if (refused) {
        // An empty sub or client_id, or one that reads as the absence marker: 401, nothing reaches the backend.
        expect([first.status, first.reason, first.backendHeaders]).toEqual([401, 'claim_invalid', undefined]);
      } else {
        const expected = expectedHeaders({ ...claims, exp });
        expect(first).toMatchObject({ status: 200, cached: false });
        expect(callerHeadersOf(first.backendHeaders)).toEqual(expected);
        expect(cached).toMatchObject({ status: 200, cached: true });
        expect(callerHeadersOf(cached.backendHeaders)).toEqual(expected);
        expect(first.backendHeaders!['X-Request-Id']).toBe('r-1');
      }
      expect(open.status).toBe(200);
      expect(callerHeadersOf(open.backendHeaders)).toEqual(PUBLIC_HEADERS);
    }), { numRuns: 150 });
  }, 300_000);

  test('should never give a sub and a client id the same principal', async () => {
    const value = fc.stringMatching(/^[A-Za-z0-9:@._|-]{1,12}$/).filter((v) => v !== '-');
    await fc.assert(fc.asyncProperty(value, value, fc.option(value, { nil: undefined }), async (sub, clientId, alongside) => {
      // GIVEN: a user token (sub, perhaps a client_id too) and a client token (client_id only), sub === clientId allowed
      const kit = kits.get('dropped')!;
      kit.clearCache();
      const user = await issuer.token({ aud: AUDIENCE, sub, claims: { client_id: alongside } });
      const client = await issuer.token({ aud: AUDIENCE, claims: { sub: undefined, client_id: clientId } });

      // WHEN
      const a = await kit.request({ method: 'GET', path: '/whoami', token: user });
      const b = await kit.request({ method: 'GET', path: '/whoami', token: client });

      // THEN
      expect([a.principalId, b.principalId]).toEqual([`sub:${sub}`, `client:${clientId}`]);
      expect(a.backendHeaders!['X-Secured-Api-Principal']).not.toBe(b.backendHeaders!['X-Secured-Api-Principal']);
    }), { numRuns: 100 });
  }, 300_000);

  test('should give no backend headers for a Lambda proxy route, which reads the context instead', async () => {
    // GIVEN
    const kit = kits.get('dropped')!;
    const token = await issuer.token({ aud: AUDIENCE, sub: 'alice' });

    // WHEN
    const res = await kit.request({ method: 'GET', path: '/lambda', token, headers: { 'X-Secured-Api-Sub': 'admin' } });

    // THEN
    expect(res).toMatchObject({ status: 200, principalId: 'sub:alice', context: { sub: 'alice', clientId: '-' } });
    expect(res.backendHeaders).toBeUndefined();
  });

  test.each<[EmptyMappedValue, string]>([['dropped', 'admin'], ['sent', '']])(
    'should emulate a header mapped from a missing context value as the %s reading says', async (reading, received) => {
      // GIVEN: the same API with one mapping from a context key the authorizer never sets
      const copy = join(work, `tampered-${reading}`);
      rmSync(copy, { recursive: true, force: true });
      cpSync(outdir, copy, { recursive: true });
      const file = join(copy, 'Headers.template.json');
      const template = JSON.parse(readFileSync(file, 'utf8'));
      const api = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::ApiGateway::RestApi');
      api.Properties.Body.paths['/whoami'].get['x-amazon-apigateway-integration'].requestParameters['integration.request.header.X-Tenant'] = 'context.authorizer.tenant';
      writeFileSync(file, JSON.stringify(template));
      const kit = await SynthesizedAuthorizer.fromCloudAssembly(copy, { issuerOverride: { jwksUri: issuer.jwksUri }, emptyMappedValue: reading });
      try {
        const token = await issuer.token({ aud: AUDIENCE, sub: 'alice' });

        // WHEN
        const res = await kit.request({ method: 'GET', path: '/whoami', token, headers: { 'x-tenant': 'admin' } });

        // THEN: under `dropped` the client's header reaches the backend; the SecuredApi's own mappings never read a missing value
        expect(res.status).toBe(200);
        expect(Object.entries(res.backendHeaders!).filter(([k]) => k.toLowerCase() === 'x-tenant')).toEqual([[reading === 'dropped' ? 'x-tenant' : 'X-Tenant', received]]);
        expect(res.backendHeaders!['X-Secured-Api-Principal']).toBe('sub:alice');
      } finally {
        await kit.stop();
      }
    }, 120_000);
});
