import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIENCE, ISSUER, rawConfig, TEST_ENV } from './fixtures';
import { loadConfig, metricsIdentityOf, parseConfig } from '../../../src/authorizer/runtime/config';
import { ConfigError } from '../../../src/authorizer/runtime/errors';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'authz-config-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function writeConfig(name: string, content: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  return 'no error';
}

describe('loadConfig', () => {
  test('should read SECURED_API_CONFIG_FILE and merge the environment', () => {
    // GIVEN
    const file = writeConfig('ok.json', rawConfig({ maxTokenAgeSeconds: 3600, requiredTyp: 'at+jwt' }));
    // WHEN
    const config = loadConfig({ ...TEST_ENV, SECURED_API_CONFIG_FILE: file });
    // THEN
    expect(config.issuer).toBe(ISSUER);
    expect(config.audiences).toEqual([AUDIENCE, 'api://other']);
    expect(config.jwksUri).toBe(TEST_ENV.SECURED_API_JWKS_URI);
    expect(config.algorithms).toEqual(['RS256']);
    expect(config.maxTokenAgeSeconds).toBe(3600);
    expect(config.requiredTyp).toBe('at+jwt');
    expect(config.routes).toHaveLength(5);
  });

  test('should read config.json beside the bundle when no file is named', () => {
    // GIVEN
    writeConfig('config.json', rawConfig());
    // WHEN
    const config = loadConfig(TEST_ENV, dir);
    // THEN
    expect(config.serviceName).toBe('orders-api');
  });

  test.each([
    ['a missing file', join('/nonexistent', 'config.json'), /cannot read the authorizer configuration/],
    ['a file that is not JSON', 'not json', /cannot read the authorizer configuration/],
  ])('should fail on %s', (_, content, message) => {
    // GIVEN
    const file = content.startsWith('/') ? content : writeConfig('bad.json', content);
    // WHEN
    const got = messageOf(() => loadConfig({ ...TEST_ENV, SECURED_API_CONFIG_FILE: file }));
    // THEN
    expect(got).toMatch(message);
  });

  test('should name the file and the field when the content is invalid', () => {
    // GIVEN
    const file = writeConfig('invalid.json', rawConfig({ cacheMode: 'path' }));
    // WHEN
    const got = messageOf(() => loadConfig({ ...TEST_ENV, SECURED_API_CONFIG_FILE: file }));
    // THEN
    expect(got).toBe(`invalid authorizer configuration (${file} and SECURED_API_* environment): cacheMode must be "token" or "route"`);
  });
});

describe('parseConfig', () => {
  test.each([
    ['version 2', { version: 2 }, /version must be 1/],
    ['alg none', { algorithms: ['RS256', 'none'] }, /algorithms holds "none"/],
    ['HS256', { algorithms: ['HS256'] }, /algorithms holds "HS256"/],
    ['a lowercase alg', { algorithms: ['rs256'] }, /algorithms holds "rs256"/],
    ['no algorithms', { algorithms: [] }, /algorithms must be an array of at least one/],
    ['a negative tolerance', { clockToleranceSeconds: -1 }, /clockToleranceSeconds must be an integer/],
    ['a missing tolerance', { clockToleranceSeconds: undefined }, /clockToleranceSeconds must be an integer/],
    ['a string maxTokenBytes', { maxTokenBytes: '8192' }, /maxTokenBytes must be an integer/],
    ['an empty audienceClaim', { audienceClaim: '' }, /audienceClaim must be a non-empty string/],
    ['jwks missing', { jwks: undefined }, /jwks must be an object/],
    ['a zero JWKS timeout', { jwks: { timeoutMs: 0, cooldownMs: 1, maxBytes: 1, maxKeys: 1, maxAgeMs: 1 } }, /jwks.timeoutMs must be an integer/],
    ['an unknown cache mode', { cacheMode: 'none' }, /cacheMode must be/],
    ['an empty requiredTyp', { requiredTyp: '' }, /requiredTyp must be a non-empty string/],
    ['routes not an array', { routes: {} }, /routes must be an array/],
    ['a route with a bad method', { routes: [{ method: 'get', resource: '/', arnPath: '', scopes: [], claimRules: [], overlaps: [] }] }, /routes\[0\].method "get"/],
    ['a resource without a leading slash', { routes: [{ method: 'GET', resource: 'orders', arnPath: 'orders', scopes: [], claimRules: [], overlaps: [] }] }, /routes\[0\].resource "orders"/],
    ['an arnPath with a leading slash', { routes: [{ method: 'GET', resource: '/orders', arnPath: '/orders', scopes: [], claimRules: [], overlaps: [] }] }, /routes\[0\].arnPath/],
    ['an empty scope', { routes: [{ method: 'GET', resource: '/', arnPath: '', scopes: [''], claimRules: [], overlaps: [] }] }, /routes\[0\].scopes/],
    ['an overlap on itself', { routes: [{ method: 'GET', resource: '/', arnPath: '', scopes: [], claimRules: [], overlaps: [0] }] }, /routes\[0\].overlaps holds 0/],
    ['an overlap out of range', { routes: [{ method: 'GET', resource: '/', arnPath: '', scopes: [], claimRules: [], overlaps: [3] }] }, /routes\[0\].overlaps holds 3/],
    ['a repeated route', {
      routes: [
        { method: 'GET', resource: '/', arnPath: '', scopes: [], claimRules: [], overlaps: [] },
        { method: 'GET', resource: '/', arnPath: '', scopes: [], claimRules: [], overlaps: [] },
      ],
    }, /routes\[1\] repeats the route GET \//],
    ['an unknown claim rule op', { routes: [{ method: 'GET', resource: '/', arnPath: '', scopes: [], claimRules: [{ claim: 'x', op: 'regex', value: '.*' }], overlaps: [] }] }, /claimRules\[0\].op/],
    ['equals without a value', { routes: [{ method: 'GET', resource: '/', arnPath: '', scopes: [], claimRules: [{ claim: 'x', op: 'equals' }], overlaps: [] }] }, /claimRules\[0\].value/],
    ['oneOf without values', { routes: [{ method: 'GET', resource: '/', arnPath: '', scopes: [], claimRules: [{ claim: 'x', op: 'oneOf', values: [] }], overlaps: [] }] }, /claimRules\[0\].values/],
  ])('should refuse %s', (_, overrides, message) => {
    // GIVEN
    const raw = rawConfig(overrides);
    // WHEN
    const got = messageOf(() => parseConfig(raw, TEST_ENV));
    // THEN
    expect(got).toMatch(message);
  });

  test.each([
    ['no issuer', { SECURED_API_ISSUER: undefined }, /SECURED_API_ISSUER must be a non-empty string/],
    ['audiences not JSON', { SECURED_API_AUDIENCES: 'api://orders' }, /SECURED_API_AUDIENCES must be a JSON array/],
    ['no audience', { SECURED_API_AUDIENCES: '[]' }, /SECURED_API_AUDIENCES must be an array of at least one/],
    ['a non-string audience', { SECURED_API_AUDIENCES: '[1]' }, /SECURED_API_AUDIENCES must be an array/],
    ['an http JWKS URI', { SECURED_API_JWKS_URI: 'http://issuer.example.com/jwks' }, /must use https:/],
    ['a file JWKS URI', { SECURED_API_JWKS_URI: 'file:///etc/passwd' }, /must use https:/],
    ['an http JWKS URI on a host named like loopback', { SECURED_API_JWKS_URI: 'http://127.0.0.1.nip.io/jwks' }, /must use https:/],
    ['a JWKS URI that is not a URL', { SECURED_API_JWKS_URI: 'jwks' }, /is not a URL/],
  ])('should refuse an environment with %s', (_, env, message) => {
    // GIVEN
    const merged = { ...TEST_ENV, ...env };
    // WHEN
    const got = messageOf(() => parseConfig(rawConfig(), merged));
    // THEN
    expect(got).toMatch(message);
  });

  test.each(['http://127.0.0.1:8080/jwks', 'http://127.0.0.2/jwks', 'http://localhost/jwks', 'http://[::1]:9/jwks'])('should accept the loopback http JWKS URI %s', (uri) => {
    // WHEN
    const config = parseConfig(rawConfig(), { ...TEST_ENV, SECURED_API_JWKS_URI: uri });
    // THEN
    expect(config.jwksUri).toBe(uri);
  });
});

describe('parseConfig: the issuer profile', () => {
  const profile = (p: Record<string, unknown>) => rawConfig({ profile: p });

  test('should read the client claims, the grant claims and the token kind', () => {
    // GIVEN
    const raw = profile({ clientClaims: ['cid', 'azp'], grantClaims: ['scp', 'roles'], tokenKind: { claim: 'token_use', values: ['access'] } });
    // WHEN
    const config = parseConfig(raw, TEST_ENV);
    // THEN
    expect(config.profile).toEqual({ clientClaims: ['cid', 'azp'], grantClaims: ['scp', 'roles'], tokenKind: { claim: 'token_use', values: ['access'] } });
  });

  test('should accept empty claim lists and no token kind', () => {
    // WHEN
    const config = parseConfig(profile({ clientClaims: [], grantClaims: [] }), TEST_ENV);
    // THEN
    expect(config.profile).toEqual({ clientClaims: [], grantClaims: [] });
  });

  test.each([
    ['no profile', undefined, 'profile must be an object'],
    ['a profile that is an array', [], 'profile must be an object'],
    ['no clientClaims', { grantClaims: ['scope'] }, 'profile.clientClaims must be an array of non-empty strings'],
    ['clientClaims a string', { clientClaims: 'client_id', grantClaims: ['scope'] }, 'profile.clientClaims must be an array of non-empty strings'],
    ['an empty client claim', { clientClaims: [''], grantClaims: ['scope'] }, 'profile.clientClaims must be an array of non-empty strings'],
    ['a client claim that is not a string', { clientClaims: [7], grantClaims: ['scope'] }, 'profile.clientClaims must be an array of non-empty strings'],
    ['a repeated client claim', { clientClaims: ['azp', 'cid', 'azp'], grantClaims: ['scope'] }, 'profile.clientClaims holds "azp" more than once'],
    ['aud as a client claim', { clientClaims: ['aud'], grantClaims: ['scope'] }, 'profile.clientClaims holds "aud", a registered JWT claim'],
    ['iss as a client claim', { clientClaims: ['client_id', 'iss'], grantClaims: ['scope'] }, 'profile.clientClaims holds "iss", a registered JWT claim'],
    ['Jti (any letter case) as a client claim', { clientClaims: ['Jti'], grantClaims: ['scope'] }, 'profile.clientClaims holds "Jti", a registered JWT claim'],
    ['no grantClaims', { clientClaims: ['client_id'] }, 'profile.grantClaims must be an array of non-empty strings'],
    ['a repeated grant claim', { clientClaims: [], grantClaims: ['scp', 'scp'] }, 'profile.grantClaims holds "scp" more than once'],
    ['exp as a grant claim', { clientClaims: [], grantClaims: ['scope', 'exp'] }, 'profile.grantClaims holds "exp", a registered JWT claim'],
    ['NBF as a grant claim', { clientClaims: [], grantClaims: ['NBF'] }, 'profile.grantClaims holds "NBF", a registered JWT claim'],
    ['iat as a grant claim', { clientClaims: [], grantClaims: ['iat'] }, 'profile.grantClaims holds "iat", a registered JWT claim'],
    ['a claim both naming the client and granting', { clientClaims: ['azp'], grantClaims: ['scope', 'azp'] }, 'profile names "azp" both as a client claim and a grant claim'],
    ['a token kind that is not an object', { clientClaims: [], grantClaims: [], tokenKind: 'access' }, 'profile.tokenKind must be an object'],
    ['a token kind without a claim', { clientClaims: [], grantClaims: [], tokenKind: { values: ['access'] } }, 'profile.tokenKind.claim must be a non-empty string'],
    ['a token kind with an empty claim', { clientClaims: [], grantClaims: [], tokenKind: { claim: '', values: ['access'] } }, 'profile.tokenKind.claim must be a non-empty string'],
    ['a token kind without values', { clientClaims: [], grantClaims: [], tokenKind: { claim: 'token_use', values: [] } }, 'profile.tokenKind.values must be an array of at least one non-empty string'],
    ['a token kind with an empty value', { clientClaims: [], grantClaims: [], tokenKind: { claim: 'token_use', values: ['access', ''] } }, 'profile.tokenKind.values must be an array of at least one'],
    ['a token kind with a repeated value', { clientClaims: [], grantClaims: [], tokenKind: { claim: 'token_use', values: ['access', 'access'] } }, 'profile.tokenKind.values holds "access" more than once'],
  ])('should refuse %s, naming the field (the authorizer then fails closed)', (_, p, message) => {
    // GIVEN
    const raw = rawConfig({ profile: p });
    // WHEN
    const got = messageOf(() => parseConfig(raw, TEST_ENV));
    // THEN
    expect(got).toContain(message);
  });
});

describe('metricsIdentityOf', () => {
  test('should keep the service dimension of a config that fails validation', () => {
    // GIVEN
    const file = writeConfig('partial.json', { metricsNamespace: 'Team', serviceName: 'billing', version: 9 });
    // WHEN
    const identity = metricsIdentityOf({ SECURED_API_CONFIG_FILE: file });
    // THEN
    expect(identity).toEqual({ namespace: 'Team', service: 'billing' });
  });

  test('should fall back to defaults when nothing parses', () => {
    // WHEN
    const identity = metricsIdentityOf({ SECURED_API_CONFIG_FILE: join(dir, 'missing.json') });
    // THEN
    expect(identity).toEqual({ namespace: 'SecuredApi', service: 'unknown' });
  });
});
