import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { HttpMethod, OidcIssuer, SecuredApi } from '../../src';
import { LocalIssuer, SynthesizedAuthorizer } from '../../src/testing';
import { okHandler } from '../support/orders-api';

// Per-client quotas end to end: an API with quotas synthesized into a cloud assembly, its authorizer
// run from it by the test kit, which refuses (403) an allowed request that the authorizer gives no
// API key, as API Gateway does for an operation requiring a key from the authorizer.

const ISSUER = 'https://login.example.com';

/** The API key values of the template, by client id (from the usage-plan keys' construct paths). */
function keyValues(app: App, stackName: string): string[] {
  const template = app.synth().getStackByName(stackName).template;
  return Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::ApiGateway::ApiKey').map((r) => r.Properties.Value);
}

describe('per-client quotas through the synthesized authorizer', () => {
  let work: string;
  let issuer: LocalIssuer;
  let refusing: SynthesizedAuthorizer;
  let defaulting: SynthesizedAuthorizer;
  let keyless: SynthesizedAuthorizer;
  let refusingKeys: string[];
  let defaultingKeys: string[];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'secured-api-quotas-'));
    const app = new App({ outdir: join(work, 'cdk.out') });
    const tiers = [{ name: 'gold', rateLimit: 100, burstLimit: 200, quotaLimit: 1_000_000, quotaPeriod: apigateway.Period.MONTH }];
    for (const [name, defaultTier] of [['Refusing', undefined], ['Defaulting', 'gold']] as const) {
      const stack = new Stack(app, name, { env: { account: '123456789012', region: 'eu-west-1' } });
      new SecuredApi(stack, 'Api', {
        issuer: OidcIssuer.fromUrl(ISSUER, { audiences: ['api://orders'] }),
        routes: [
          { method: HttpMethod.GET, path: '/orders', handler: okHandler(stack), scopes: ['orders:read'] },
          { method: HttpMethod.GET, path: '/health', handler: okHandler(stack, 'Health'), public: true },
        ],
        quotas: { tiers, clients: [{ clientId: 'checkout', tier: 'gold' }], defaultTier },
        cloudWatchRole: name === 'Refusing',
        dashboard: false,
        alarms: false,
        auditQueries: false,
      });
    }
    refusingKeys = keyValues(app, 'Refusing');
    defaultingKeys = keyValues(app, 'Defaulting');
    issuer = await LocalIssuer.start({ issuer: ISSUER });
    const options = { issuerOverride: { jwksUri: issuer.jwksUri } };
    refusing = await SynthesizedAuthorizer.fromCloudAssembly(join(work, 'cdk.out'), { ...options, stackName: 'Refusing' });
    defaulting = await SynthesizedAuthorizer.fromCloudAssembly(join(work, 'cdk.out'), { ...options, stackName: 'Defaulting' });
    // A copy of the assembly whose authorizer config lost its usage keys: it allows without a key.
    cpSync(join(work, 'cdk.out'), join(work, 'keyless.out'), { recursive: true });
    for (const dir of readdirSync(join(work, 'keyless.out')).filter((d) => d.startsWith('asset.'))) {
      const file = join(work, 'keyless.out', dir, 'config.json');
      try {
        const config = JSON.parse(readFileSync(file, 'utf8'));
        delete config.usageKeys;
        writeFileSync(file, JSON.stringify(config));
      } catch {
        // Not an authorizer asset.
      }
    }
    keyless = await SynthesizedAuthorizer.fromCloudAssembly(join(work, 'keyless.out'), { ...options, stackName: 'Refusing' });
  }, 120_000);

  afterAll(async () => {
    await refusing?.stop();
    await defaulting?.stop();
    await keyless?.stop();
    await issuer?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const token = (clientId: string) => issuer.token({ sub: clientId, aud: 'api://orders', claims: { client_id: clientId, scope: 'orders:read' } });

  test('should let a declared client in with its own API key', async () => {
    // WHEN
    const answer = await refusing.request({ method: 'GET', path: '/orders', token: await token('checkout') });

    // THEN
    expect([answer.status, answer.reason]).toEqual([200, 'allowed']);
    expect(refusingKeys).toEqual([answer.usageIdentifierKey]);
  });

  test('should refuse an undeclared client with 403 when there is no default tier', async () => {
    // WHEN
    const answer = await refusing.request({ method: 'GET', path: '/orders', token: await token('stranger') });

    // THEN
    expect([answer.status, answer.reason, answer.usageIdentifierKey]).toEqual([403, 'client_undeclared', undefined]);
  });

  test('should give an undeclared client the default tier\'s shared key, never a declared client\'s', async () => {
    // WHEN
    const stranger = await defaulting.request({ method: 'GET', path: '/orders', token: await token('stranger') });
    const checkout = await defaulting.request({ method: 'GET', path: '/orders', token: await token('checkout') });

    // THEN
    expect([stranger.status, checkout.status]).toEqual([200, 200]);
    expect(new Set(defaultingKeys)).toEqual(new Set([stranger.usageIdentifierKey, checkout.usageIdentifierKey]));
    expect(stranger.usageIdentifierKey).not.toBe(checkout.usageIdentifierKey);
  });

  test('should leave public routes unmetered', async () => {
    // WHEN
    const answer = await refusing.request({ method: 'GET', path: '/health' });

    // THEN
    expect([answer.status, answer.reason, answer.invoked]).toEqual([200, 'public', false]);
  });

  test('should refuse 403 an allowed request the authorizer gives no key, as API Gateway does', async () => {
    // WHEN
    const answer = await keyless.request({ method: 'GET', path: '/orders', token: await token('checkout') });

    // THEN
    expect([answer.status, answer.reason, answer.invoked]).toEqual([403, 'api_key_missing', true]);
  });
});
