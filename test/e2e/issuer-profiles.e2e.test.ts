import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { ClaimRule, HttpMethod, OidcIssuer, SecuredApi, SecuredApiRoute } from '../../src';
import { LocalIssuer, SynthesizedAuthorizer } from '../../src/testing';
import { okHandler } from '../support/orders-api';

// Issuer profiles end to end: for each preset, a SecuredApi with a scoped route and per-client quotas
// (one declared client, no default tier) is synthesized, its authorizer run from the cloud assembly
// by the test kit, and tokens shaped as each provider documents them (claims of the providers'
// own examples; URLs below) are presented. A 200 with the declared client's API key and `clientId`
// shows the client was read from the profile's claim; the same token naming that client in another
// claim is an undeclared client (403 `client_undeclared`), so no other claim was read.

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const TIERS = [{ name: 'gold', rateLimit: 100, burstLimit: 200, quotaLimit: 1_000_000, quotaPeriod: apigateway.Period.MONTH }];

interface Preset {
  readonly issuer: OidcIssuer;
  readonly iss: string;
  readonly client: string;
  readonly route: Omit<SecuredApiRoute, 'handler' | 'method' | 'path'>;
}

const PRESETS: Record<string, Preset> = {
  // https://developer.okta.com/docs/api/openapi/okta-oauth/guides/overview/#access-token-payload
  Okta: {
    issuer: OidcIssuer.okta('acme.okta.com', { audiences: ['api://default'] }),
    iss: 'https://acme.okta.com/oauth2/default',
    client: '0oa1a2b3c4d5e6f7g8h9',
    route: { scopes: ['orders:read'] },
  },
  // https://auth0.com/docs/secure/tokens/access-tokens/access-token-profiles
  Auth0: {
    issuer: OidcIssuer.auth0('acme.eu.auth0.com', { audiences: ['https://orders.example.com'] }),
    iss: 'https://acme.eu.auth0.com/',
    client: 'my_client_id',
    route: { scopes: ['read:orders'] },
  },
  // https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference
  Entra: {
    issuer: OidcIssuer.entraId(TENANT, { audiences: ['6e74172b-be56-4843-9ff4-e66a39bb12e3'] }),
    iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
    client: '1a2b3c4d-0000-4000-8000-000000000001',
    route: { scopes: ['Orders.Read'] },
  },
  // https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-access-token.html
  Cognito: {
    issuer: OidcIssuer.cognitoUserPoolId('eu-west-1', 'eu-west-1_AbCdEf123', { audiences: ['1example23456789'] }),
    iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123',
    client: '1example23456789',
    route: { scopes: ['orders/read'] },
  },
  Keycloak: {
    issuer: OidcIssuer.keycloak('https://sso.example.com', 'acme', { audiences: ['orders-api'] }),
    iss: 'https://sso.example.com/realms/acme',
    client: 'orders-cli',
    route: { scopes: ['orders:read'] },
  },
  // https://developers.google.com/identity/openid-connect/openid-connect#an-id-tokens-payload
  Google: {
    issuer: OidcIssuer.google({ audiences: ['https://orders.example.com'] }),
    iss: 'https://accounts.google.com',
    client: '1234987819200-abc.apps.googleusercontent.com',
    route: { claimRules: [ClaimRule.equalTo('email', 'ci@my-project.iam.gserviceaccount.com')] },
  },
  // https://www.rfc-editor.org/rfc/rfc9068#section-2.2
  Rfc9068: {
    issuer: OidcIssuer.fromUrl('https://idp.example.com', { audiences: ['api://orders'] }),
    iss: 'https://idp.example.com',
    client: 's6BhdRkqt3',
    route: { scopes: ['orders:read'] },
  },
};

describe('issuer profiles through the synthesized authorizer', () => {
  let work: string;
  let local: LocalIssuer;
  const authorizers = new Map<string, SynthesizedAuthorizer>();
  const keys = new Map<string, string>();

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'secured-api-profiles-'));
    const app = new App({ outdir: join(work, 'cdk.out') });
    Object.entries(PRESETS).forEach(([name, preset], i) => {
      const stack = new Stack(app, name, { env: { account: '123456789012', region: 'eu-west-1' } });
      new SecuredApi(stack, 'Api', {
        issuer: preset.issuer,
        routes: [{ method: HttpMethod.GET, path: '/orders', handler: okHandler(stack), ...preset.route }],
        quotas: { tiers: TIERS, clients: [{ clientId: preset.client, tier: 'gold' }] },
        cloudWatchRole: i === 0,
        dashboard: false,
        alarms: false,
        auditQueries: false,
      });
    });
    const assembly = app.synth();
    for (const name of Object.keys(PRESETS)) {
      const key = Object.values<any>(assembly.getStackByName(name).template.Resources).find((r) => r.Type === 'AWS::ApiGateway::ApiKey');
      keys.set(name, key.Properties.Value);
    }
    local = await LocalIssuer.start();
    for (const name of Object.keys(PRESETS)) {
      authorizers.set(name, await SynthesizedAuthorizer.fromCloudAssembly(join(work, 'cdk.out'), { stackName: name, issuerOverride: { jwksUri: local.jwksUri } }));
    }
  }, 180_000);

  afterAll(async () => {
    for (const authorizer of authorizers.values()) await authorizer.stop();
    await local?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  /** A token of the preset's issuer with exactly these claims besides iss, iat, exp and jti. */
  const tokenOf = (name: string, claims: Record<string, unknown>) =>
    local.token({ aud: [], claims: { iss: PRESETS[name].iss, sub: undefined, aud: undefined, ...claims } });
  const ask = async (name: string, claims: Record<string, unknown>) =>
    authorizers.get(name)!.request({ method: 'GET', path: '/orders', token: await tokenOf(name, claims) });

  // Each provider's documented claims; `client` is the declared client, in the provider's client claim.
  const allowed: Array<[string, string, (client: string) => Record<string, unknown>]> = [
    ['Okta', 'user token', (cid) => ({ ver: 1, aud: 'api://default', cid, uid: '00uid4BxXw6I6TV4m0g3', scp: ['openid', 'orders:read'], sub: 'john.doe@example.com' })],
    ['Okta', 'client-credentials token', (cid) => ({ ver: 1, aud: 'api://default', cid, scp: ['orders:read'], sub: cid })],
    ['Auth0', 'user token (Auth0 profile)', (azp) => ({ sub: 'auth0|123456', aud: ['https://orders.example.com', 'https://acme.eu.auth0.com/userinfo'], azp, scope: 'openid profile read:orders' })],
    ['Auth0', 'machine token (Auth0 profile)', (azp) => ({ sub: `${azp}@clients`, aud: 'https://orders.example.com', azp, gty: 'client-credentials', scope: 'read:orders' })],
    ['Auth0', 'user token (RFC 9068 profile)', (client_id) => ({ sub: 'auth0|123456', aud: 'https://orders.example.com', client_id, scope: 'openid read:orders' })],
    ['Entra', 'delegated (v2.0) token', (azp) => ({ ver: '2.0', aud: '6e74172b-be56-4843-9ff4-e66a39bb12e3', azp, azpacr: '0', scp: 'Orders.Read User.Read', oid: '690222be-ff1a-4d56-abd1-7e4f7d38e474', tid: TENANT, sub: 'AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ' })],
    ['Entra', 'app-only (v2.0) token', (azp) => ({ ver: '2.0', aud: '6e74172b-be56-4843-9ff4-e66a39bb12e3', azp, roles: ['Orders.Read'], oid: 'b3a1c5e2-0000-4000-8000-000000000002', tid: TENANT, sub: 'b3a1c5e2-0000-4000-8000-000000000002' })],
    ['Cognito', 'access token', (client_id) => ({ 'sub': 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', 'cognito:groups': ['admin'], 'token_use': 'access', 'scope': 'aws.cognito.signin.user.admin orders/read', client_id, 'username': 'my-test-user' })],
    ['Cognito', 'client-credentials token', (client_id) => ({ sub: client_id, token_use: 'access', scope: 'orders/read', client_id })],
    ['Keycloak', 'access token', (azp) => ({ typ: 'Bearer', aud: 'orders-api', azp, scope: 'openid profile orders:read', sub: 'f1b2c3d4-0000-4000-8000-000000000003', preferred_username: 'alice' })],
    ['Google', 'service account ID token', (azp) => ({ aud: 'https://orders.example.com', azp, email: 'ci@my-project.iam.gserviceaccount.com', email_verified: true, sub: '110169484474386276334' })],
    ['Rfc9068', 'access token', (client_id) => ({ aud: 'api://orders', client_id, scope: 'orders:read', sub: '5ba552d67' })],
  ];

  test.each(allowed)('%s %s: allowed, the client read from the profile\'s claim, its own API key', async (name, _, claims) => {
    // WHEN
    const answer = await ask(name, claims(PRESETS[name].client));

    // THEN
    expect([answer.status, answer.reason, answer.context?.clientId, answer.usageIdentifierKey]).toEqual([200, 'allowed', PRESETS[name].client, keys.get(name)]);
  });

  // The same client named in a claim that is not the provider's client claim: an undeclared client.
  const elsewhere: Array<[string, string, (client: string) => Record<string, unknown>]> = [
    ['Okta', 'client_id instead of cid', (client) => ({ ver: 1, aud: 'api://default', client_id: client, cid: 'someone-else', scp: ['orders:read'], sub: 'john' })],
    ['Auth0', 'cid instead of azp', (client) => ({ aud: 'https://orders.example.com', cid: client, azp: 'someone-else', scope: 'read:orders', sub: 'auth0|1' })],
    ['Entra', 'client_id instead of azp', (client) => ({ ver: '2.0', aud: '6e74172b-be56-4843-9ff4-e66a39bb12e3', client_id: client, azp: 'someone-else', scp: 'Orders.Read', sub: 's' })],
    ['Rfc9068', 'azp instead of client_id', (client) => ({ aud: 'api://orders', azp: client, client_id: 'someone-else', scope: 'orders:read', sub: 's' })],
  ];

  test.each(elsewhere)('%s, the client in %s: an undeclared client, refused 403', async (name, _, claims) => {
    // WHEN
    const answer = await ask(name, claims(PRESETS[name].client));

    // THEN
    expect([answer.status, answer.reason, answer.usageIdentifierKey]).toEqual([403, 'client_undeclared', undefined]);
  });

  test.each([
    ['Okta', 'scope instead of scp', { ver: 1, aud: 'api://default', cid: '0oa1a2b3c4d5e6f7g8h9', scope: 'orders:read', sub: 'john' }],
    ['Rfc9068', 'scp instead of scope', { aud: 'api://orders', client_id: 's6BhdRkqt3', scp: 'orders:read', sub: 's' }],
    ['Auth0', 'permissions, not read by default', { aud: 'https://orders.example.com', azp: 'my_client_id', permissions: ['read:orders'], scope: 'openid', sub: 'auth0|1' }],
    ['Entra', 'scope instead of scp', { ver: '2.0', aud: '6e74172b-be56-4843-9ff4-e66a39bb12e3', azp: '1a2b3c4d-0000-4000-8000-000000000001', scope: 'Orders.Read', sub: 's' }],
  ])('%s, the scope granted in %s: not granted, 403', async (name, _, claims) => {
    // WHEN
    const answer = await ask(name, claims);

    // THEN
    expect([answer.status, answer.reason]).toEqual([403, 'insufficient_scope']);
  });

  test.each([
    ['Cognito', 'an ID token of the pool', { 'token_use': 'id', 'aud': '1example23456789', 'cognito:username': 'my-test-user', 'email': 'a@example.com', 'sub': 's' }, 'token_kind_mismatch'],
    ['Cognito', 'an ID token that also names the client', { token_use: 'id', client_id: '1example23456789', scope: 'orders/read', sub: 's' }, 'token_kind_mismatch'],
    ['Cognito', 'a token without token_use', { client_id: '1example23456789', scope: 'orders/read', sub: 's' }, 'token_kind_mismatch'],
    ['Entra', 'a v1.0 token under the v2.0 issuer', { ver: '1.0', aud: '6e74172b-be56-4843-9ff4-e66a39bb12e3', appid: '1a2b3c4d-0000-4000-8000-000000000001', scp: 'Orders.Read', sub: 's' }, 'token_kind_mismatch'],
    ['Okta', 'an ID token (aud is the signing-in client)', { ver: 1, aud: '0oa1a2b3c4d5e6f7g8h9', amr: ['pwd'], idp: '00oid', nonce: 'n', sub: 'john' }, 'audience_mismatch'],
    ['Okta', 'a client claim that is not a string', { ver: 1, aud: 'api://default', cid: ['0oa1a2b3c4d5e6f7g8h9'], scp: ['orders:read'], sub: 'john' }, 'claim_invalid'],
  ])('%s, %s: refused 401', async (name, _, claims, reason) => {
    // WHEN
    const answer = await ask(name, claims);

    // THEN
    expect([answer.status, answer.reason]).toEqual([401, reason]);
  });
});
