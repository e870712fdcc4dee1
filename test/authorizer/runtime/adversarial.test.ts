import { createHmac } from 'node:crypto';
import { exportJWK, exportSPKI } from 'jose';
import type { JWTPayload } from 'jose';
import { AUDIENCE, captureStdout, evaluatePolicy, FIXED_NOW, ISSUER, loadHandler, makeKey, publicJwk, rawConfig, requestEvent, signRaw, TEST_ENV, validClaims as validClaimsAt } from './fixtures';
import type { Handler, TestKey } from './fixtures';
import { freezeWallClock, restoreClocks } from '../../support/clock';
import { startJwksServer } from '../../support/jwks-server';
import type { JwksServer } from '../../support/jwks-server';
import { waitFor } from '../../support/wait';

// Hostile input, table-driven, through the Lambda entry point with a real loopback JWKS endpoint.
// Every case must end in exactly Error('Unauthorized') or a policy that does not allow the
// request, never an Allow and never another exception, with the specific reason code logged.
//
// The Lambda entry point reads the wall clock (jose's `new Date()`, the decision cache's Date.now),
// so this file stops Date at FIXED_NOW before loading it, and every token is made against that same
// instant: the exp/nbf/iat cases sit exactly at the clock tolerance however slow the machine is.

type Expected = readonly ['unauthorized' | 'deny', string];
type Event = Record<string, unknown>;

interface Case {
  readonly name: string;
  readonly event: () => Promise<Event>;
  readonly expected: Expected;
}

let legit: TestKey;
let legitEc: TestKey;
let attacker: TestKey;
let jwks: JwksServer;
let evil: JwksServer;
let handler: Handler;
let stdout: ReturnType<typeof captureStdout>;
/** Every token and signature a case produced, for the log scan at the end. */
const secrets = new Set<string>();

const b64u = (data: string | Buffer) => Buffer.from(data).toString('base64url');
const seg = (part: unknown) => (typeof part === 'string' ? b64u(part) : Buffer.isBuffer(part) ? b64u(part) : b64u(JSON.stringify(part)));

function track(token: string): string {
  secrets.add(token);
  const sig = token.split('.')[2];
  if (sig && sig.length >= 16) {
    secrets.add(sig);
  }
  return token;
}

const HEADER = { alg: 'RS256', kid: 'rsa-1', typ: 'JWT' };
/** Valid claims at the file's frozen `now`. */
const validClaims = (extra: JWTPayload = {}) => validClaimsAt(extra, FIXED_NOW);

/** Signed by the issuer's real key: header and payload exactly as given. */
const signed = async (payload: unknown, header: unknown = HEADER) => track(await signRaw(legit, header, payload, 'RS256'));
/** A compact string assembled from raw parts (no valid signature). */
const compact = (header: unknown, payload: unknown, signature = 'c2lnbmF0dXJlLWJ5dGVzLWhlcmUtbG9uZy1lbm91Z2g') => track(`${seg(header)}.${seg(payload)}.${signature}`);
const hmac = (alg: 'HS256' | 'HS384' | 'HS512', secret: string, payload: unknown = validClaims()) => {
  const input = `${seg({ alg, kid: 'rsa-1', typ: 'JWT' })}.${seg(payload)}`;
  return track(`${input}.${createHmac(`sha${alg.slice(2)}`, secret).update(input).digest('base64url')}`);
};
const bearer = (token: string, method = 'GET', resource = '/orders'): Event => requestEvent(`Bearer ${token}`, method, resource);
/** validClaims() with a change; `undefined` removes the claim. */
const claims = (change: Record<string, unknown>) => JSON.parse(JSON.stringify({ ...validClaims(), ...change }));

const unauthorized = (reason: string): Expected => ['unauthorized', reason];
const deny = (reason: string): Expected => ['deny', reason];

function cases(): Case[] {
  const now = FIXED_NOW;
  const list: Case[] = [];
  const add = (name: string, event: () => Promise<Event> | Event, expected: Expected) => list.push({ name, event: async () => event(), expected });
  const token = (name: string, make: () => Promise<string> | string, expected: Expected, method?: string, resource?: string) =>
    add(name, async () => bearer(await make(), method, resource), expected);

  // Authorization header and scheme
  add('no Authorization header', () => requestEvent(undefined), unauthorized('missing_token'));
  add('an empty Authorization header', () => requestEvent(''), unauthorized('missing_token'));
  add('the Bearer scheme without a token', () => requestEvent('Bearer'), unauthorized('missing_token'));
  add('the Basic scheme', () => requestEvent('Basic dXNlcjpwYXNzd29yZA=='), unauthorized('bad_scheme'));
  add('a token without a scheme', async () => requestEvent(await signed(validClaims())), unauthorized('bad_scheme'));
  add('the Token scheme', async () => requestEvent(`Token ${await signed(validClaims())}`), unauthorized('bad_scheme'));
  add('the DPoP scheme', async () => requestEvent(`DPoP ${await signed(validClaims())}`), unauthorized('bad_scheme'));
  add('Bearer followed by two spaces', async () => requestEvent(`Bearer  ${await signed(validClaims())}`), unauthorized('malformed_token'));
  add('two tokens in one header', async () => requestEvent(`Bearer ${await signed(validClaims())} ${await signed(validClaims())}`), unauthorized('malformed_token'));
  add('duplicate Authorization values in multiValueHeaders', async () => {
    const t = `Bearer ${await signed(validClaims())}`;
    return { ...requestEvent(t), multiValueHeaders: { Authorization: [t, t] } };
  }, unauthorized('malformed_token'));
  add('duplicate Authorization headers under two spellings', async () => {
    const t = `Bearer ${await signed(validClaims())}`;
    return { ...requestEvent(t), headers: { Authorization: t, authorization: 'Bearer x.y.z' } };
  }, unauthorized('malformed_token'));
  add('a valid token next to a second, different Authorization value', async () => {
    const t = `Bearer ${await signed(validClaims())}`;
    return { ...requestEvent(t), multiValueHeaders: { authorization: [t, 'Bearer a.b.c'] } };
  }, unauthorized('malformed_token'));

  // alg
  for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
    token(`alg "${alg}" with an empty signature`, () => track(`${seg({ alg, typ: 'JWT' })}.${seg(validClaims())}.`), unauthorized('alg_not_allowed'));
  }
  token('alg none with a kid and a borrowed signature', async () => {
    const sig = (await signed(validClaims())).split('.')[2];
    return track(`${seg({ alg: 'none', kid: 'rsa-1' })}.${seg(validClaims())}.${sig}`);
  }, unauthorized('alg_not_allowed'));
  token('HS256 with the RSA public key (PEM) as the HMAC secret', async () => hmac('HS256', await exportSPKI(legit.publicKey)), unauthorized('alg_not_allowed'));
  token('HS256 with the RSA public key (JWK JSON) as the HMAC secret', async () => hmac('HS256', JSON.stringify(await exportJWK(legit.publicKey))), unauthorized('alg_not_allowed'));
  token('HS384 with the RSA public key (PEM) as the HMAC secret', async () => hmac('HS384', await exportSPKI(legit.publicKey)), unauthorized('alg_not_allowed'));
  token('HS512 with the RSA public key (PEM) as the HMAC secret', async () => hmac('HS512', await exportSPKI(legit.publicKey)), unauthorized('alg_not_allowed'));
  token('alg rs256 in lower case', () => signed(validClaims(), { ...HEADER, alg: 'rs256' }), unauthorized('alg_not_allowed'));
  token('alg "RS256 " with a trailing space', () => signed(validClaims(), { ...HEADER, alg: 'RS256 ' }), unauthorized('alg_not_allowed'));
  token('no alg', () => signed(validClaims(), { kid: 'rsa-1' }), unauthorized('alg_not_allowed'));
  token('alg null', () => signed(validClaims(), { ...HEADER, alg: null }), unauthorized('alg_not_allowed'));
  token('alg as an array', () => signed(validClaims(), { ...HEADER, alg: ['RS256'] }), unauthorized('alg_not_allowed'));
  token('ES256 from a published key while only RS256 is allowed', async () => track(await signRaw(legitEc, { alg: 'ES256', kid: 'ec-1' }, validClaims())), unauthorized('alg_not_allowed'));
  token('PS256 signed with the issuer key', async () => track(await signRaw(legit, { alg: 'PS256', kid: 'rsa-1' }, validClaims(), 'RS256')), unauthorized('alg_not_allowed'));

  // Header parameters that bring their own key or change processing
  token('an embedded jwk with the attacker key', async () => track(await signRaw(attacker, { alg: 'RS256', kid: 'attacker', jwk: await publicJwk(attacker) }, validClaims())), unauthorized('forbidden_header'));
  token('an embedded jwk under the issuer kid', async () => track(await signRaw(attacker, { alg: 'RS256', kid: 'rsa-1', jwk: await publicJwk(attacker) }, validClaims())), unauthorized('forbidden_header'));
  token('jku pointing at an attacker JWKS', async () => track(await signRaw(attacker, { alg: 'RS256', kid: 'rsa-1', jku: evil.url }, validClaims())), unauthorized('forbidden_header'));
  token('x5u pointing at an attacker certificate', async () => track(await signRaw(attacker, { alg: 'RS256', kid: 'rsa-1', x5u: `${evil.origin}/cert.pem` }, validClaims())), unauthorized('forbidden_header'));
  token('x5c with an attacker certificate chain', async () => track(await signRaw(attacker, { alg: 'RS256', kid: 'rsa-1', x5c: ['MIIBszCCAVmgAwIBAgIU'] }, validClaims())), unauthorized('forbidden_header'));
  token('crit naming a header parameter', () => signed(validClaims(), { ...HEADER, crit: ['exp'], exp: now + 600 }), unauthorized('forbidden_header'));
  token('an empty crit', () => signed(validClaims(), { ...HEADER, crit: [] }), unauthorized('forbidden_header'));
  token('b64 false with crit b64 (unencoded payload)', () => signed(validClaims(), { ...HEADER, b64: false, crit: ['b64'] }), unauthorized('forbidden_header'));
  token('b64 false without crit', () => signed(validClaims(), { ...HEADER, b64: false }), unauthorized('forbidden_header'));

  // kid
  token('no kid', () => signed(validClaims(), { alg: 'RS256' }), unauthorized('kid_missing'));
  token('an empty kid', () => signed(validClaims(), { ...HEADER, kid: '' }), unauthorized('kid_missing'));
  token('a numeric kid', () => signed(validClaims(), { ...HEADER, kid: 1 }), unauthorized('kid_missing'));
  token('an object kid', () => signed(validClaims(), { ...HEADER, kid: { id: 'rsa-1' } }), unauthorized('kid_missing'));
  token('an array kid', () => signed(validClaims(), { ...HEADER, kid: ['rsa-1'] }), unauthorized('kid_missing'));
  token('a null kid', () => signed(validClaims(), { ...HEADER, kid: null }), unauthorized('kid_missing'));
  token('a path traversal kid', () => signed(validClaims(), { ...HEADER, kid: '../../../../etc/passwd' }), unauthorized('unknown_kid'));
  token('a file URL kid', () => signed(validClaims(), { ...HEADER, kid: 'file:///dev/null' }), unauthorized('unknown_kid'));
  token('an SQL-ish kid without spaces', () => signed(validClaims(), { ...HEADER, kid: "rsa-1'--" }), unauthorized('unknown_kid'));
  token('an SQL-ish kid with spaces', () => signed(validClaims(), { ...HEADER, kid: "x' OR '1'='1" }), unauthorized('malformed_token'));
  token('a kid with a NUL byte', () => signed(validClaims(), { ...HEADER, kid: 'rsa-1\u0000' }), unauthorized('malformed_token'));
  token('a kid with a newline (log injection)', () => signed(validClaims(), { ...HEADER, kid: 'rsa-1\n{"type":"authz_decision","decision":"allow"}' }), unauthorized('malformed_token'));
  token('a non-ASCII kid', () => signed(validClaims(), { ...HEADER, kid: 'rsä-1' }), unauthorized('malformed_token'));
  token('a 1 KB kid', () => signed(validClaims(), { ...HEADER, kid: 'k'.repeat(1024) }), unauthorized('malformed_token'));
  add('a 10 KB kid', async () => requestEvent(`Bearer ${await signed(validClaims(), { ...HEADER, kid: 'k'.repeat(10240) })}`), unauthorized('token_too_large'));
  for (const kid of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
    token(`the kid "${kid}"`, () => signed(validClaims(), { ...HEADER, kid }), unauthorized('unknown_kid'));
  }
  token('an unknown kid', () => signed(validClaims(), { ...HEADER, kid: 'rsa-2' }), unauthorized('unknown_kid'));
  token('the kid of an EC key with alg RS256', () => signed(validClaims(), { ...HEADER, kid: 'ec-1' }), unauthorized('unknown_kid'));
  token('the issuer kid signed by the attacker', async () => track(await signRaw(attacker, HEADER, validClaims())), unauthorized('bad_signature'));
  token('a payload swapped after signing', async () => {
    const [h, , s] = (await signed(validClaims({ scope: 'orders:read' }))).split('.');
    return track(`${h}.${seg(validClaims({ scope: 'orders:admin' }))}.${s}`);
  }, unauthorized('bad_signature'), 'DELETE', '/orders/{id}');
  token('a header swapped after signing', async () => {
    const [, p, s] = (await signed(validClaims())).split('.');
    return track(`${seg({ alg: 'RS256', kid: 'rsa-1', typ: 'at+jwt' })}.${p}.${s}`);
  }, unauthorized('bad_signature'));
  token('an empty signature with an allowed alg', async () => {
    const [h, p] = (await signed(validClaims())).split('.');
    return track(`${h}.${p}.`);
  }, unauthorized('bad_signature'));

  // Serialization and encoding
  token('a JWE (5 parts) instead of a JWS', () => track(`${seg({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'rsa-1' })}.${b64u('k'.repeat(256))}.${b64u('iv-iv-iv-iv')}.${b64u('ciphertext')}.${b64u('tag-tag-tag-tag')}`), unauthorized('malformed_token'));
  token('a JWS JSON serialization', async () => {
    const [h, p, s] = (await signed(validClaims())).split('.');
    return JSON.stringify({ payload: p, signatures: [{ protected: h, signature: s }] });
  }, unauthorized('malformed_token'));
  token('a flattened JWS JSON serialization, base64url-encoded', async () => {
    const [h, p, s] = (await signed(validClaims())).split('.');
    return b64u(JSON.stringify({ payload: p, protected: h, signature: s }));
  }, unauthorized('malformed_token'));
  token('base64 padding', async () => `${await signed(validClaims())}==`, unauthorized('malformed_token'));
  token('standard base64 + and / in the header', async () => {
    const [h, p, s] = (await signed(validClaims())).split('.');
    return track(`${Buffer.from(h, 'base64url').toString('base64').replace(/=+$/, '')}+/.${p}.${s}`);
  }, unauthorized('malformed_token'));
  token('a signature of impossible base64url length (4n+1)', async () => `${await signed(validClaims())}AAA`, unauthorized('malformed_token'));
  token('a signature with extra bytes', async () => `${await signed(validClaims())}AA`, unauthorized('bad_signature'));
  token('a newline inside the token', async () => {
    const [h, p, s] = (await signed(validClaims())).split('.');
    return `${h}.${p}\n.${s}`;
  }, unauthorized('malformed_token'));
  token('a tab inside the token', async () => {
    const [h, p, s] = (await signed(validClaims())).split('.');
    return `${h}.\t${p}.${s}`;
  }, unauthorized('malformed_token'));
  token('a space inside the token', async () => {
    const [h, p, s] = (await signed(validClaims())).split('.');
    return `${h}.${p} .${s}`;
  }, unauthorized('malformed_token'));
  token('two parts', async () => (await signed(validClaims())).split('.').slice(0, 2).join('.'), unauthorized('malformed_token'));
  token('a header that is not JSON', () => compact('{"alg":"RS256",', validClaims()), unauthorized('malformed_token'));
  for (const [what, header] of [['an array', '["RS256"]'], ['a string', '"RS256"'], ['a number', '256'], ['null', 'null'], ['true', 'true']]) {
    token(`a header that is ${what}`, () => compact(header, validClaims()), unauthorized('malformed_token'));
  }
  token('a header with invalid UTF-8', () => compact(Buffer.concat([Buffer.from('{"alg":"RS256","kid":"rsa-1","x":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]), validClaims()), unauthorized('malformed_token'));
  token('a header with a lone surrogate escape', () => compact('{"alg":"RS256","kid":"rsa-1","x":"\\ud800"}', validClaims()), unauthorized('bad_signature'));
  for (const [what, payload] of [['an array', '[1]'], ['a string', '"sub"'], ['a number', '42'], ['null', 'null'], ['not JSON', '{"sub":']]) {
    token(`a signed payload that is ${what}`, () => signed(payload), unauthorized('malformed_token'));
  }
  token('a signed payload with invalid UTF-8', () => signed(Buffer.concat([Buffer.from(JSON.stringify(validClaims()).slice(0, -1)), Buffer.from(',"sub2":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')])), unauthorized('malformed_token'));
  add('a 9 KB token', async () => bearer(await signed(validClaims({ pad: 'x'.repeat(7000) }))), unauthorized('token_too_large'));
  add('a 1 MB Authorization header', () => requestEvent(`Bearer ${'a'.repeat(1_048_576)}.b.c`), unauthorized('token_too_large'));
  token('a header nested 2500 levels deep', () => compact(`{"alg":"RS256","kid":"rsa-1","x":${'['.repeat(2500)}${']'.repeat(2500)}}`, validClaims()), unauthorized('bad_signature'));
  token('an unsigned payload nested 2500 levels deep', () => compact(HEADER, `{"x":${'['.repeat(2500)}${']'.repeat(2500)}}`), unauthorized('bad_signature'));
  token('a signed payload whose __proto__ claims orders:admin', () => signed(`{"__proto__":{"scope":"orders:admin","scp":["orders:admin"]},${JSON.stringify(validClaims({ scope: 'orders:read' })).slice(1)}`), deny('insufficient_scope'), 'DELETE', '/orders/{id}');
  token('a signed payload with constructor.prototype claims', () => signed(`{"constructor":{"prototype":{"scope":"orders:admin"}},${JSON.stringify(validClaims({ scope: 'orders:read' })).slice(1)}`), deny('insufficient_scope'), 'DELETE', '/orders/{id}');

  // Claims: missing, wrong type, boundary values (signed by the issuer's key)
  const claim = (name: string, change: Record<string, unknown>, reason: string) => token(name, () => signed(claims(change)), unauthorized(reason));
  claim('exp missing', { exp: undefined }, 'claim_invalid');
  claim('exp null', { exp: null }, 'claim_invalid');
  claim('exp a numeric string', { exp: String(now + 600) }, 'claim_invalid');
  claim('exp "NaN"', { exp: 'NaN' }, 'claim_invalid');
  claim('exp an array', { exp: [now + 600] }, 'claim_invalid');
  claim('exp true', { exp: true }, 'claim_invalid');
  claim('exp an object', { exp: { value: now + 600 } }, 'claim_invalid');
  token('exp 1e999 (Infinity after JSON.parse)', () => signed(JSON.stringify(validClaims()).replace(/"exp":\d+/, '"exp":1e999')), unauthorized('claim_invalid'));
  token('exp NaN (not JSON)', () => signed(JSON.stringify(validClaims()).replace(/"exp":\d+/, '"exp":NaN')), unauthorized('malformed_token'));
  // jose: expired when exp <= now - tolerance (30 s); not yet valid when nbf > now + tolerance.
  claim('exp = now - tolerance', { exp: now - 30 }, 'expired');
  claim('exp = now - tolerance - 1', { exp: now - 31 }, 'expired');
  claim('exp = 0', { exp: 0 }, 'expired');
  claim('exp negative', { exp: -1 }, 'expired');
  claim('nbf = now + tolerance + 1', { nbf: now + 31 }, 'not_yet_valid');
  claim('nbf a string', { nbf: String(now) }, 'claim_invalid');
  claim('nbf null', { nbf: null }, 'claim_invalid');
  claim('iat = now + tolerance + 1', { iat: now + 31 }, 'iat_in_future');
  claim('iat far in the future', { iat: now + 10 * 365 * 86400 }, 'iat_in_future');
  claim('iat a string', { iat: String(now) }, 'claim_invalid');
  claim('iat an array', { iat: [now] }, 'claim_invalid');
  token('iat 1e999', () => signed(JSON.stringify(validClaims()).replace(/"iat":\d+/, '"iat":1e999')), unauthorized('claim_invalid'));
  claim('iss missing', { iss: undefined }, 'claim_invalid');
  claim('iss with a trailing slash', { iss: `${ISSUER}/` }, 'issuer_mismatch');
  claim('iss in upper case', { iss: ISSUER.toUpperCase() }, 'issuer_mismatch');
  claim('iss with leading whitespace', { iss: ` ${ISSUER}` }, 'issuer_mismatch');
  claim('iss with trailing whitespace', { iss: `${ISSUER} ` }, 'issuer_mismatch');
  claim('iss over http', { iss: ISSUER.replace('https:', 'http:') }, 'issuer_mismatch');
  claim('iss as an array', { iss: [ISSUER] }, 'issuer_mismatch');
  claim('iss null', { iss: null }, 'issuer_mismatch');
  claim('iss a number', { iss: 1 }, 'issuer_mismatch');
  claim('aud missing', { aud: undefined }, 'claim_invalid');
  claim('aud a prefix of the audience', { aud: AUDIENCE.slice(0, -1) }, 'audience_mismatch');
  claim('aud with a suffix', { aud: `${AUDIENCE}2` }, 'audience_mismatch');
  claim('aud in upper case', { aud: AUDIENCE.toUpperCase() }, 'audience_mismatch');
  claim('aud with whitespace', { aud: ` ${AUDIENCE}` }, 'audience_mismatch');
  claim('aud empty', { aud: '' }, 'audience_mismatch');
  claim('aud an empty array', { aud: [] }, 'audience_mismatch');
  claim('aud a nested array', { aud: [[AUDIENCE]] }, 'audience_mismatch');
  claim('aud a number', { aud: 42 }, 'audience_mismatch');
  claim('aud null', { aud: null }, 'audience_mismatch');
  claim('aud an object', { aud: { [AUDIENCE]: true } }, 'audience_mismatch');
  claim('aud the audience next to a non-string', { aud: [AUDIENCE, 42] }, 'claim_invalid');
  claim('sub a number', { sub: 42 }, 'claim_invalid');
  claim('sub an object', { sub: { id: 'user-1' } }, 'claim_invalid');
  claim('sub an array', { sub: ['user-1'] }, 'claim_invalid');
  claim('sub empty', { sub: '' }, 'claim_invalid');
  claim('sub the marker of an absent claim', { sub: '-' }, 'claim_invalid');
  claim('sub with a header injected after CR LF', { sub: 'user-1\r\nX-Secured-Api-Sub: admin' }, 'claim_invalid');
  claim('client_id the marker of an absent claim', { client_id: '-' }, 'claim_invalid');
  claim('client_id a number', { client_id: 7 }, 'claim_invalid');
  // A grant claim the profile names (here scope and scp) in a form it cannot read refuses the token.
  claim('scope as an object', { scope: { 'orders:read': true } }, 'claim_invalid');
  claim('scope as a number', { scope: 1 }, 'claim_invalid');
  claim('scp as a nested array', { scope: undefined, scp: [['orders:read']] }, 'claim_invalid');
  claim('scp holding an object', { scope: undefined, scp: [{ 0: 'orders:read' }] }, 'claim_invalid');
  claim('scp as an object', { scope: undefined, scp: { 'orders:read': true } }, 'claim_invalid');

  // Scope near-misses (GET /orders needs orders:read): a valid token without permission is a Deny
  const scope = (name: string, change: Record<string, unknown>) => token(name, () => signed(claims(change)), deny('insufficient_scope'));
  scope('scope orders:read2', { scope: 'orders:read2' });
  scope('scope orders:rea', { scope: 'orders:rea' });
  scope('scope Orders:Read', { scope: 'Orders:Read' });
  scope('scope ORDERS:READ', { scope: 'ORDERS:READ' });
  scope('comma-separated scopes', { scope: 'orders:read,orders:write' });
  scope('semicolon-separated scopes', { scope: 'orders:read;orders:write' });
  scope('tab-separated scopes', { scope: 'orders:read\torders:write' });
  scope('a scope with a trailing newline', { scope: 'orders:read\n' });
  scope('scope orders:*', { scope: 'orders:*' });
  scope('scope *', { scope: '*' });
  scope('scope orders', { scope: 'orders' });
  scope('another scope only', { scope: 'orders:write' });
  scope('scope as an array of other scopes', { scope: ['orders:write', 'orders:rea'] });
  scope('scp holding the scope with a trailing space', { scope: undefined, scp: ['orders:read '] });
  scope('no scope at all', { scope: undefined });
  scope('roles instead of scopes', { scope: undefined, roles: ['orders:read'] });
  scope('permissions instead of scopes', { scope: undefined, permissions: ['orders:read'] });

  // Not an API Gateway REQUEST event
  add('a null event', () => null as unknown as Event, unauthorized('internal_error'));
  add('a TOKEN authorizer event', async () => ({ type: 'TOKEN', methodArn: bearer('x').methodArn, authorizationToken: `Bearer ${await signed(validClaims())}` }), unauthorized('internal_error'));
  add('a malformed methodArn with a valid token', async () => ({ ...bearer(await signed(validClaims())), methodArn: 'arn:aws:execute-api:eu-west-1:1:abc' }), unauthorized('internal_error'));
  return list;
}

beforeAll(async () => {
  [legit, legitEc, attacker] = await Promise.all([makeKey('RS256', 'rsa-1'), makeKey('ES256', 'ec-1'), makeKey('RS256', 'rsa-1')]);
  jwks = await startJwksServer({ jwks: { keys: [await publicJwk(legit), await publicJwk(legitEc)] } });
  evil = await startJwksServer({ jwks: { keys: [{ ...(await publicJwk(attacker)), kid: 'rsa-1' }] } });
  stdout = captureStdout();
  // Before the load: the entry point takes its Date.now when it builds the authorizer.
  freezeWallClock(FIXED_NOW * 1000);
  handler = loadHandler(rawConfig(), { ...TEST_ENV, SECURED_API_JWKS_URI: jwks.url });
  await waitFor(() => stdout.records().some((r) => r.type === 'jwks_fetch'));
});

afterAll(async () => {
  restoreClocks();
  stdout.restore();
  await Promise.all([jwks.close(), evil.close()]);
});

describe('adversarial tokens and events', () => {
  test.each(cases().map((c) => [c.name, c] as const))('should refuse %s', async (_, c) => {
    // GIVEN
    const event = await c.event();
    const before = stdout.lines.length;
    // WHEN
    const result = await handler(event).then((policy) => ({ policy }), (error: unknown) => ({ error }));
    // THEN
    const lines = stdout.lines.slice(before).map((l) => JSON.parse(l)).filter((r) => r.type === 'authz_decision');
    expect(lines).toHaveLength(1);
    expect([lines[0].decision, lines[0].reason]).toEqual(c.expected);
    if (c.expected[0] === 'unauthorized') {
      expect(result).toEqual({ error: new Error('Unauthorized') });
      expect(Object.getPrototypeOf((result as { error: unknown }).error)).toBe(Error.prototype);
    } else {
      expect(result).toHaveProperty('policy');
      const { policy } = result as { policy: Awaited<ReturnType<Handler>> };
      expect(evaluatePolicy(policy.policyDocument, event.methodArn as string)).toBe('deny');
      expect(lines[0].sub).toBe('user-1');
    }
  });

  test.each([
    ['exp = now - tolerance + 1', { exp: FIXED_NOW - 29 }],
    ['nbf = now + tolerance', { nbf: FIXED_NOW + 30 }],
    ['iat = now + tolerance', { iat: FIXED_NOW + 30 }],
  ])('should allow %s (control for the time boundaries above)', async (_, change) => {
    // GIVEN
    const event = bearer(await signed(validClaims(change)));
    // WHEN
    const policy = await handler(event);
    // THEN
    expect(evaluatePolicy(policy.policyDocument, event.methodArn as string)).toBe('allow');
  });

  test('should not have let any payload pollute Object.prototype', () => {
    // THEN
    expect(({} as Record<string, unknown>).scope).toBeUndefined();
    expect(({} as Record<string, unknown>).scp).toBeUndefined();
  });

  test('should never have fetched a key from a jku or x5u URL, nor from anywhere but the JWKS URI', () => {
    // THEN
    expect(evil.requests).toEqual([]);
    expect(jwks.requests.map((r) => r.url)).toEqual(['/jwks']);
  });

  test('should never have written a token or a signature to the log', () => {
    // GIVEN
    const log = stdout.lines.join('\n');
    // THEN
    expect(secrets.size).toBeGreaterThan(100);
    expect([...secrets].filter((s) => log.includes(s))).toEqual([]);
  });
});
