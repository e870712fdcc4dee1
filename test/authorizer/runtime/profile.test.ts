import * as fc from 'fast-check';
import { capturedAudit, captureStdout, evaluatePolicy, loadHandler, makeKey, METHOD_ARN_BASE, publicJwk, rawConfig, requestEvent, resolverOf, signRaw, TEST_ENV, validClaims } from './fixtures';
import type { Handler, TestKey } from './fixtures';
import { createAuthorizer } from '../../../src/authorizer/runtime/authorizer';
import { parseConfig } from '../../../src/authorizer/runtime/config';
import { ClaimInvalidError, TokenKindMismatchError } from '../../../src/authorizer/runtime/errors';
import type { AuthorizerResult } from '../../../src/authorizer/runtime/policy';
import { auditedClientOf, checkTokenKind, clientOf } from '../../../src/authorizer/runtime/profile';
import type { IssuerProfileConfig } from '../../../src/authorizer/runtime/profile';
import { startJwksServer } from '../../support/jwks-server';
import type { JwksServer } from '../../support/jwks-server';
import { waitFor } from '../../support/wait';

// The issuer profile at runtime: the client, the grants and the token kind are read from the claims
// the profile names and from no other. Unit tests of the readers, then the Lambda entry point end to
// end (config.json, a real JWKS endpoint on 127.0.0.1, tokens signed here), then a generated property
// through that same entry point against an independent model.

describe('clientOf', () => {
  test.each([
    ['the first client claim the token has', { azp: 'spa', client_id: 'x' }, ['cid', 'azp', 'client_id'], 'spa'],
    ['nothing when the token has none of them', { client_id: 'x' }, ['cid', 'azp'], undefined],
    ['nothing from no client claims', { client_id: 'x' }, [], undefined],
  ])('should read %s', (_, claims, clientClaims, expected) => {
    // THEN
    expect(clientOf(claims, clientClaims)).toBe(expected);
  });

  test.each([
    ['a number', 7],
    ['empty', ''],
    ['the ABSENT marker', '-'],
    ['a string with a control character', 'a\u007fb'],
    ['an object', { id: 'x' }],
  ])('should refuse (claim_invalid) a client claim that is %s, without reading the next one', (_, value) => {
    // GIVEN
    const claims = { cid: value, azp: 'fallback' };
    // THEN
    expect(() => clientOf(claims, ['cid', 'azp'])).toThrow(ClaimInvalidError);
    expect(auditedClientOf(claims, ['cid', 'azp'])).toBe(typeof value === 'string' ? value : undefined);
  });
});

describe('checkTokenKind', () => {
  const kind = { claim: 'token_use', values: ['access'] };

  test.each([
    ['no token kind in the profile', {}, undefined, true],
    ['an accepted kind', { token_use: 'access' }, kind, true],
    ['another kind', { token_use: 'id' }, kind, false],
    ['no kind claim', {}, kind, false],
    ['a kind claim holding the kind in an array', { token_use: ['access'] }, kind, false],
  ])('should judge %s', (_, claims, tokenKind, ok) => {
    // WHEN
    const check = () => checkTokenKind(claims, tokenKind);
    // THEN
    if (ok) {
      expect(check).not.toThrow();
    } else {
      expect(check).toThrow(TokenKindMismatchError);
    }
  });
});

const KEY_A = 'a'.repeat(40);
const KEY_CONSTRUCTOR = 'b'.repeat(40);
const KEY_PROTO = 'p'.repeat(40);
const KEY_OTHERS = 'c'.repeat(40);
/** Parsed from JSON as config.json is: "__proto__" and "constructor" are own keys. */
const CLIENTS = JSON.parse(`{"app-a":"${KEY_A}","constructor":"${KEY_CONSTRUCTOR}","__proto__":"${KEY_PROTO}"}`);

/** The config.json of an authorizer under test: the fixtures' routes, ES256, this profile and per-client quotas. */
const configWith = (profile: IssuerProfileConfig, others: string | null) => rawConfig({ algorithms: ['ES256'], profile, usageKeys: { clients: CLIENTS, others } });

let es: TestKey;
let jwks: JwksServer;
let stdout: ReturnType<typeof captureStdout>;

beforeAll(async () => {
  es = await makeKey('ES256', 'es-1');
  jwks = await startJwksServer({ jwks: { keys: [await publicJwk(es)] } });
});

afterAll(() => jwks.close());

beforeEach(() => {
  stdout = captureStdout();
});

afterEach(() => stdout.restore());

/** The entry point loaded with this profile and per-client quotas; resolves once its JWKS has loaded. */
async function handlerWith(profile: IssuerProfileConfig, others: string | null = KEY_OTHERS): Promise<Handler> {
  const fetched = stdout.records().filter((r) => r.type === 'jwks_fetch').length;
  const handler = loadHandler(configWith(profile, others), { ...TEST_ENV, SECURED_API_JWKS_URI: jwks.url });
  await waitFor(() => stdout.records().filter((r) => r.type === 'jwks_fetch').length > fetched);
  return handler;
}

const tokenOf = (payload: string) => signRaw(es, { alg: 'ES256', kid: 'es-1' }, payload);

/** A request's policy or its refusal, and the one decision line it wrote. */
async function call(handler: Handler, token: string, method = 'GET', resource = '/orders'): Promise<Outcome> {
  const before = stdout.lines.length;
  const result = await handler(requestEvent(`Bearer ${token}`, method, resource)).then((policy) => ({ policy }), (error: Error) => ({ error: error.message }));
  const lines = stdout.lines.slice(before).map((l) => JSON.parse(l)).filter((r) => r.type === 'authz_decision');
  expect(lines).toHaveLength(1);
  return { ...result, line: lines[0] as Record<string, unknown> };
}

describe('the issuer profile through the Lambda entry point', () => {
  const okta: IssuerProfileConfig = { clientClaims: ['cid'], grantClaims: ['scp'] };
  const cognito: IssuerProfileConfig = { clientClaims: ['client_id'], grantClaims: ['scope'], tokenKind: { claim: 'token_use', values: ['access'] } };

  test('should name an Okta token\'s client from cid in the context, the principal, the quota key and the audit line', async () => {
    // GIVEN: an Okta access token names its client in cid and grants in scp (and has no client_id)
    const handler = await handlerWith(okta);
    const payload = JSON.stringify(validClaims({ sub: undefined, scope: undefined, cid: 'app-a', scp: ['orders:read'] }));
    // WHEN
    const got = await call(handler, await tokenOf(payload));
    // THEN
    expect(got.policy?.context).toMatchObject({ clientId: 'app-a', sub: '-', scopes: 'orders:read' });
    expect(got.policy?.principalId).toBe('client:app-a');
    expect(got.policy?.usageIdentifierKey).toBe(KEY_A);
    expect(evaluatePolicy(got.policy!.policyDocument, `${METHOD_ARN_BASE}/GET/orders`)).toBe('allow');
    expect(got.line).toMatchObject({ decision: 'allow', reason: 'allowed', client_id: 'app-a', scopes: 'orders:read' });
  });

  test('should read neither client_id nor scope under a profile that does not name them', async () => {
    // GIVEN
    const handler = await handlerWith(okta, null);
    const payload = JSON.stringify(validClaims({ client_id: 'app-a', scope: 'orders:read' }));
    // WHEN
    const got = await call(handler, await tokenOf(payload));
    // THEN: no client (so undeclared, and refused by quotas without a default tier), no scope
    expect(got.policy?.context).toMatchObject({ clientId: '-', scopes: '-' });
    expect(got.policy?.usageIdentifierKey).toBeUndefined();
    expect(got.line).toMatchObject({ decision: 'deny', reason: 'client_undeclared', client_id: null, scopes: '' });
  });

  test('should refuse, audit and meter a token of another kind (token_kind_mismatch)', async () => {
    // GIVEN: a Cognito ID token presented as an access token
    const handler = await handlerWith(cognito);
    const payload = JSON.stringify(validClaims({ client_id: 'app-a', token_use: 'id' }));
    // WHEN
    const got = await call(handler, await tokenOf(payload));
    // THEN
    expect(got.error).toBe('Unauthorized');
    expect(got.line).toMatchObject({
      decision: 'unauthorized',
      reason: 'token_kind_mismatch',
      sub: 'user-1',
      client_id: 'app-a',
      scopes: 'orders:read orders:write',
      Service: 'orders-api',
      Decision: 'unauthorized',
      Reason: 'token_kind_mismatch',
      Decisions: 1,
    });
  });

  test('should refuse a token whose client claim is unusable, naming no client for it (claim_invalid)', async () => {
    // GIVEN
    const handler = await handlerWith(okta);
    const payload = JSON.stringify(validClaims({ cid: 42, client_id: 'app-a' }));
    // WHEN
    const got = await call(handler, await tokenOf(payload));
    // THEN
    expect(got.error).toBe('Unauthorized');
    expect(got.line).toMatchObject({ reason: 'claim_invalid', client_id: null, sub: 'user-1' });
  });
});

// ---- The property ----

/** Claim names of every provider's client, grant and kind claims, and names a prototype lookup would find. */
const NAMES = [
  'client_id', 'cid', 'azp', 'appid', 'scope', 'scp', 'roles', 'permissions', 'token_use', 'gty', 'ver',
  '__proto__', 'constructor', 'toString', 'hasOwnProperty',
] as const;
const KINDS = ['access', 'id', '2.0', 'client-credentials'];
const STRINGS = [
  'app-a', 'app-b', 'constructor', '__proto__', 'orders:read', 'orders:read orders:write', ' orders:read  app-a ',
  '-', '', 'a b', 'x\u0001y', 'access', 'id', '2.0', 'client-credentials',
];

const stringValue = fc.oneof(fc.constantFrom(...STRINGS), fc.string({ maxLength: 6 }));
/** Mostly the shapes providers send (strings, arrays of strings), often the shapes nobody should. */
const claimValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: stringValue, weight: 6 },
  { arbitrary: fc.array(stringValue, { maxLength: 3 }), weight: 3 },
  fc.array(fc.oneof(stringValue, fc.integer(), fc.constant(null), fc.array(stringValue, { maxLength: 1 })), { minLength: 1, maxLength: 3 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.dictionary(fc.constantFrom('scope', 'cid', '0'), stringValue, { maxKeys: 2 }),
);

/** Distinct names split between client and grant claims (config.json refuses a name in both), and maybe a kind claim. */
const profileArb: fc.Arbitrary<IssuerProfileConfig> = fc.record({
  names: fc.shuffledSubarray([...NAMES]),
  split: fc.nat(),
  tokenKind: fc.option(
    fc.record({ claim: fc.constantFrom(...NAMES), values: fc.shuffledSubarray(KINDS, { minLength: 1 }) }),
    { nil: undefined, freq: 2 },
  ),
}).map(({ names, split, tokenKind }) => {
  const at = split % (names.length + 1);
  return { clientClaims: names.slice(0, at), grantClaims: names.slice(at), ...(tokenKind ? { tokenKind } : {}) };
});

/**
 * The token's claims besides the registered ones, as own properties ("__proto__" included, as
 * JSON.parse makes it): names the profile reads more often than others, and, under a kind claim,
 * often one of its accepted values, so that the readers' every branch is reached.
 */
const claimsFor = (profile: IssuerProfileConfig): fc.Arbitrary<Record<string, unknown>> => {
  const read = [...profile.clientClaims, ...profile.grantClaims];
  const name = read.length ? fc.oneof(fc.constantFrom(...read), fc.constantFrom(...NAMES)) : fc.constantFrom(...NAMES);
  const kind = profile.tokenKind;
  const kindEntry = kind
    ? fc.option(
      fc.tuple(fc.constant(kind.claim), fc.oneof({ arbitrary: fc.constantFrom(...kind.values), weight: 4 }, claimValue)),
      { nil: undefined, freq: 2 },
    )
    : fc.constant(undefined);
  return fc.tuple(kindEntry, fc.array(fc.tuple(name, claimValue), { maxLength: 6 })).map(([k, entries]) => {
    const claims: Record<string, unknown> = {};
    for (const [n, value] of k ? [k, ...entries] : entries) {
      Object.defineProperty(claims, n, { value, enumerable: true, writable: true, configurable: true });
    }
    return claims;
  });
};

interface Expected {
  readonly refused?: 'token_kind_mismatch' | 'claim_invalid';
  /** Allowed: the client; refused: what the audit line names. */
  readonly client?: string;
  readonly scopes: readonly string[];
}

/**
 * What the runtime must read, written out plainly from the contract's docstrings (IssuerProfileConfig),
 * without the runtime's code: only the claims the profile names, own properties only.
 */
function model(claims: Record<string, unknown>, profile: IssuerProfileConfig): Expected {
  const has = (name: string) => Object.prototype.hasOwnProperty.call(claims, name);
  // eslint-disable-next-line no-control-regex
  const control = /[\x00-\x1f\x7f]/;
  // eslint-disable-next-line no-control-regex
  const whitespaceOrControl = /[\s\x00-\x1f\x7f]/;

  let refused: Expected['refused'];
  if (profile.tokenKind) {
    const kind = has(profile.tokenKind.claim) ? claims[profile.tokenKind.claim] : undefined;
    if (typeof kind !== 'string' || !profile.tokenKind.values.includes(kind)) {
      refused = 'token_kind_mismatch';
    }
  }

  let client: string | undefined;
  const first = profile.clientClaims.filter(has)[0];
  if (first !== undefined) {
    const value = claims[first];
    if (typeof value === 'string') {
      client = value;
    }
    if (typeof value !== 'string' || value === '' || value === '-' || control.test(value)) {
      refused ??= 'claim_invalid';
    }
  }

  const scopes: string[] = [];
  for (const name of profile.grantClaims.filter(has)) {
    const value = claims[name];
    let items: unknown[];
    if (typeof value === 'string') {
      items = value.split(' ');
    } else if (Array.isArray(value)) {
      items = value;
      if (!value.every((item) => typeof item === 'string')) {
        refused ??= 'claim_invalid';
      }
    } else {
      refused ??= 'claim_invalid';
      continue;
    }
    for (const item of items) {
      if (typeof item === 'string' && item !== '' && item !== '-' && !whitespaceOrControl.test(item) && !scopes.includes(item)) {
        scopes.push(item);
      }
    }
  }
  return { refused, client, scopes };
}

/** One request through an authorizer: its policy or its refusal, and the one decision line it wrote. */
type Call = (token: string, method: string, resource: string) => Promise<Outcome>;

interface Outcome {
  readonly policy?: AuthorizerResult;
  readonly error?: string;
  readonly line: Record<string, unknown>;
}

/**
 * Sends each token to GET /orders and then (from the decision cache) to GET /me, and checks what the
 * authorizer read against the model: the client (context, principal, quota key, audit line), the
 * grants (context, audit line, the decision) and the kind verdict (the refusal and its reason).
 */
async function checkAgainstModel(
  send: Call, profile: IssuerProfileConfig, tokens: ReadonlyArray<{ token: string; claims: Record<string, unknown> }>, others: string | null,
) {
  for (const { token, claims } of tokens) {
    const expected = model(claims, profile);
    const scopesText = expected.scopes.join(' ');
    const sub = claims.sub as string | undefined;
    const orders = await send(token, 'GET', '/orders');
    const me = await send(token, 'GET', '/me');
    for (const got of [orders, me]) {
      expect(got.line.client_id).toBe(expected.client ?? null);
      expect(got.line.scopes).toBe(scopesText);
      if (expected.refused) {
        expect(got).toMatchObject({ error: 'Unauthorized', line: { decision: 'unauthorized', reason: expected.refused } });
        continue;
      }
      const declared = expected.client !== undefined && Object.prototype.hasOwnProperty.call(CLIENTS, expected.client);
      const own = declared ? CLIENTS[expected.client!] : undefined;
      expect(got.policy?.context).toMatchObject({ clientId: expected.client ?? '-', scopes: scopesText || '-', sub: sub ?? '-' });
      expect(got.policy?.principalId).toBe(sub ? `sub:${sub}` : expected.client ? `client:${expected.client}` : 'anonymous');
      expect(got.policy?.usageIdentifierKey).toBe(own ?? others ?? undefined);
    }
    if (!expected.refused) {
      const undeclared = orders.policy?.usageIdentifierKey === undefined;
      const reason = undeclared ? 'client_undeclared' : expected.scopes.includes('orders:read') ? 'allowed' : 'insufficient_scope';
      expect([orders.line.reason, me.line.reason]).toEqual([reason, undeclared ? 'client_undeclared' : 'allowed']);
      expect(evaluatePolicy(orders.policy!.policyDocument, `${METHOD_ARN_BASE}/GET/orders`)).toBe(reason === 'allowed' ? 'allow' : 'deny');
      expect(me.line.cached).toBe(true);
    }
  }
}

/** A profile, the claims of tokens for it (besides the registered ones, and maybe a sub), and the quotas' default key. */
const caseArb = (maxTokens: number) => profileArb.chain((profile) => fc.record({
  profile: fc.constant(profile),
  claimSets: fc.array(fc.tuple(claimsFor(profile), fc.option(fc.constantFrom('user-1', 'user-2'), { nil: undefined })), { minLength: 1, maxLength: maxTokens }),
  others: fc.option(fc.constant(KEY_OTHERS), { nil: null }),
}));

async function signAll(claimSets: ReadonlyArray<[Record<string, unknown>, string | undefined]>) {
  return Promise.all(claimSets.map(async ([extra, sub]) => {
    // validClaims' own scope and sub give way to the generated claims; the extra claims go in as JSON
    // text, so that an own "__proto__" stays one.
    const base = JSON.stringify(validClaims({ scope: undefined, sub }));
    const payload = Object.keys(extra).length ? `${base.slice(0, -1)},${JSON.stringify(extra).slice(1)}` : base;
    return { token: await tokenOf(payload), claims: JSON.parse(payload) as Record<string, unknown> };
  }));
}

describe('the client, grants and token kind the runtime reads, against a model of the profile, for generated claims and profiles', () => {
  test('should agree through createAuthorizer (parsed config, decision cache, audit line)', async () => {
    await fc.assert(fc.asyncProperty(caseArb(3), async ({ profile, claimSets, others }) => {
      // GIVEN
      const { audit, records } = capturedAudit();
      const authorize = createAuthorizer({ config: parseConfig(configWith(profile, others), TEST_ENV), audit, resolveKey: resolverOf(es) });
      const send: Call = async (token, method, resource) => {
        const before = records().length;
        const result = await authorize(requestEvent(`Bearer ${token}`, method, resource)).then((policy) => ({ policy }), (error: Error) => ({ error: error.message }));
        const lines = records().slice(before);
        expect(lines).toHaveLength(1);
        return { ...result, line: lines[0] };
      };
      // WHEN, THEN
      await checkAgainstModel(send, profile, await signAll(claimSets), others);
    }), { numRuns: 300 });
  });

  test('should agree through the Lambda entry point (config.json, JWKS over HTTP)', async () => {
    // Fewer runs: each loads the entry point afresh (its own module registry), which costs tens of ms.
    await fc.assert(fc.asyncProperty(caseArb(4), async ({ profile, claimSets, others }) => {
      // GIVEN
      const handler = await handlerWith(profile, others);
      // WHEN, THEN
      await checkAgainstModel((token, method, resource) => call(handler, token, method, resource), profile, await signAll(claimSets), others);
    }), { numRuns: 25 });
  });
});
