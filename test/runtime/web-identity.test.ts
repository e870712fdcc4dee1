import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  AssumeRoleWithWebIdentityCommand, ExpiredTokenException, IDPCommunicationErrorException, IDPRejectedClaimException,
  InvalidIdentityTokenException, MalformedPolicyDocumentException, PackedPolicyTooLargeException, RegionDisabledException,
  STSClient, STSServiceException,
} from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import * as fc from 'fast-check';
import { signToken } from './tokens';
import { ExchangeAudit } from '../../src/runtime/audit';
import { CallerCredentialsError } from '../../src/runtime/errors';
import {
  bearerToken, mapWebIdentityError, toSessionName, WebIdentityCredentials, WebIdentityCredentialsOptions,
} from '../../src/runtime/web-identity';

const ROLE = 'arn:aws:iam::123456789012:role/orders-reader';
const OTHER_ROLE = 'arn:aws:iam::123456789012:role/orders-writer';
const T0 = 1_700_000_000_000;
const VALID_SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

const sts = mockClient(STSClient);

let now: number;
let lines: string[];
let sleeps: number[];
let issued: number;

/** STS's answer: fresh credentials, numbered so each exchange is told apart, valid for `seconds`. */
function stsCredentials(seconds = 3600) {
  issued++;
  return {
    Credentials: {
      AccessKeyId: `ASIAKEY${issued}`,
      SecretAccessKey: `SECRET${issued}`,
      SessionToken: `SESSIONTOKEN${issued}`,
      Expiration: new Date(now + seconds * 1000),
    },
    $metadata: { httpStatusCode: 200, requestId: `req-${issued}` },
  };
}

function stsError(name: string, message: string, status = 400, fault: 'client' | 'server' = 'client') {
  return new STSServiceException({ name, message, $fault: fault, $metadata: { httpStatusCode: status, requestId: `err-${name}` } });
}

function helper(options: Partial<WebIdentityCredentialsOptions> = {}): WebIdentityCredentials {
  return new WebIdentityCredentials({
    roleArn: ROLE,
    region: 'eu-west-1',
    audit: new ExchangeAudit({ service: 'orders', write: (line) => lines.push(line) }),
    now: () => now,
    random: () => 0.5,
    sleep: async (ms) => { sleeps.push(ms); now += ms; },
    ...options,
  });
}

function audit(): Array<Record<string, unknown>> {
  return lines.map((line) => JSON.parse(line));
}

async function rejection(promise: Promise<unknown>): Promise<CallerCredentialsError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(CallerCredentialsError);
    return error as CallerCredentialsError;
  }
  throw new Error('expected a rejection');
}

function thrown(fn: () => unknown): CallerCredentialsError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CallerCredentialsError);
    return error as CallerCredentialsError;
  }
  throw new Error('expected a throw');
}

beforeEach(() => {
  sts.reset();
  now = T0;
  lines = [];
  sleeps = [];
  issued = 0;
});

describe('exchange', () => {
  test('should call AssumeRoleWithWebIdentity with the token, role, session name, policy and a duration bounded by the token', async () => {
    // GIVEN
    sts.on(AssumeRoleWithWebIdentityCommand).callsFake(() => stsCredentials());
    const token = await signToken({ nowMs: now, lifetimeSeconds: 1200, claims: { sub: 'auth0|abc' } });
    const credentials = helper({ sessionPolicy: { Version: '2012-10-17', Statement: [] } });

    // WHEN
    const identity = await credentials.forToken(token)();

    // THEN
    expect(identity).toEqual({
      accessKeyId: 'ASIAKEY1',
      secretAccessKey: 'SECRET1',
      sessionToken: 'SESSIONTOKEN1',
      expiration: new Date(T0 + 1200 * 1000),
    });
    const input = sts.commandCalls(AssumeRoleWithWebIdentityCommand)[0].args[0].input;
    expect(input).toEqual({
      RoleArn: ROLE,
      RoleSessionName: toSessionName('auth0|abc'),
      WebIdentityToken: token,
      DurationSeconds: 1200,
      Policy: '{"Version":"2012-10-17","Statement":[]}',
    });
    expect(input.RoleSessionName).toMatch(VALID_SESSION_NAME);
  });

  test('should ask for at least 900 s and at most durationSeconds', async () => {
    sts.on(AssumeRoleWithWebIdentityCommand).callsFake(() => stsCredentials());
    const short = await signToken({ nowMs: now, lifetimeSeconds: 60 });
    const long = await signToken({ nowMs: now, lifetimeSeconds: 86_400, claims: { sub: 'user-2' } });
    const credentials = helper({ durationSeconds: 7200 });

    await credentials.forToken(short)();
    await credentials.forToken(long)();

    const durations = sts.commandCalls(AssumeRoleWithWebIdentityCommand).map((c) => c.args[0].input.DurationSeconds);
    expect(durations).toEqual([900, 7200]);
  });

  test('should default to 3600 s and create its own STS client lazily for the region', async () => {
    sts.on(AssumeRoleWithWebIdentityCommand).callsFake(() => stsCredentials());
    const token = await signToken({ nowMs: now, lifetimeSeconds: 86_400 });

    await helper().forToken(token)();

    const call = sts.commandCalls(AssumeRoleWithWebIdentityCommand)[0];
    expect(call.args[0].input.DurationSeconds).toBe(3600);
    const client = call.thisValue as STSClient;
    expect(await client.config.region()).toBe('eu-west-1');
    expect(await client.config.maxAttempts()).toBe(1);
    expect(client.config.useGlobalEndpoint).toBe(false);
  });

  test('should use the injected STS client', async () => {
    sts.on(AssumeRoleWithWebIdentityCommand).callsFake(() => stsCredentials());
    const injected = new STSClient({ region: 'us-east-2' });
    const token = await signToken({ nowMs: now });

    await helper({ stsClient: injected }).forToken(token)();

    expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand)[0].thisValue).toBe(injected);
  });

  test.each([
    [{ roleArn: 'orders-reader' }, /roleArn must be an IAM role ARN/],
    [{ region: '' }, /region is required/],
    [{ durationSeconds: 899 }, /durationSeconds must be an integer in 900..43200/],
    [{ durationSeconds: 43_201 }, /durationSeconds must be an integer in 900..43200/],
    [{ maxAttempts: 0 }, /maxAttempts must be a number >= 1/],
    [{ maxEntries: 0 }, /maxEntries must be a number >= 1/],
  ])('should reject the options %j', (options, message) => {
    expect(() => helper(options)).toThrow(message);
  });
});

describe('SDK integration', () => {
  test('should be a provider the SDK uses as is, without memoizing it again', async () => {
    // GIVEN
    sts.on(AssumeRoleWithWebIdentityCommand).callsFake(() => stsCredentials(900));
    const token = await signToken({ nowMs: now, lifetimeSeconds: 7200 });
    const provider = helper({ refreshMarginSeconds: 300 }).forToken(token);
    const client = new SecretsManagerClient({ region: 'eu-west-1', credentials: provider });

    // WHEN
    const first = await client.config.credentials();
    now += 601_000; // past the refresh point (expiry - 300 s), which the SDK's own memoizer would not notice
    const second = await client.config.credentials();

    // THEN
    expect(provider.memoized).toBe(true);
    expect(first.accessKeyId).toBe('ASIAKEY1');
    expect(second.accessKeyId).toBe('ASIAKEY2');
    expect(second.expiration).toEqual(new Date(now + 900_000));
  });
});

describe('the audit line\'s client', () => {
  const claims = { sub: 'user-1', cid: 'okta-client', azp: 'authorized-party', client_id: 'rfc-client' };

  test.each([
    ['the option', { clientClaims: ['cid'] }, undefined, 'okta-client'],
    ['the environment a SecuredApi sets', {}, '["cid"]', 'okta-client'],
    ['the option over the environment', { clientClaims: ['azp'] }, '["cid"]', 'authorized-party'],
    ['the default', {}, undefined, 'rfc-client'],
    ['the default, for an environment that is not a list of claims', {}, '{"cid":1}', 'rfc-client'],
    ['no claim of the list', { clientClaims: ['appid'] }, undefined, null],
  ])('should name the client from %s', async (_, options, env, client) => {
    // GIVEN
    const saved = process.env.SECURED_API_CLIENT_CLAIMS;
    if (env === undefined) delete process.env.SECURED_API_CLIENT_CLAIMS;
    else process.env.SECURED_API_CLIENT_CLAIMS = env;
    sts.on(AssumeRoleWithWebIdentityCommand).callsFake(() => stsCredentials());
    try {
      const credentials = helper(options);

      // WHEN
      await credentials.forToken(await signToken({ nowMs: now, claims }))();
    } finally {
      if (saved === undefined) delete process.env.SECURED_API_CLIENT_CLAIMS;
      else process.env.SECURED_API_CLIENT_CLAIMS = saved;
    }

    // THEN
    expect(audit().map((l) => l.client_id)).toEqual([client]);
  });
});

describe('cache', () => {
  test('should serve a second call from the cache without calling STS', async () => {
    sts.on(AssumeRoleWithWebIdentityCommand).callsFake(() => stsCredentials());
    const token = await signToken({ nowMs: now });
    const credentials = helper();

    const first = await credentials.forToken(token)();
    now += 10_000;
    const second = await credentials.forToken(token)();

    expect(second).toEqual(first);
    expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand)).toHaveLength(1);
    expect(audit().map((l) => [l.outcome, l.attempts])).toEqual([['issued', 1], ['cached', 0]]);
  });

  test('should key the cache on the token, the role and the session policy', async () => {
    sts.on(AssumeRoleWithWebIdentityCommand).callsFake(() => stsCredentials());
    const token = await signToken({ nowMs: now });
    const otherToken = await signToken({ nowMs: now, claims: { sub: 'user-2' } });
    const credentials = helper();

    await credentials.forToken(token)();
    await credentials.forToken(token, { roleArn: OTHER_ROLE })();
    await credentials.forToken(token, { sessionPolicy: '{"Version":"2012-10-17","Statement":[]}' })();
    await credentials.forToken(otherToken)();
    await credentials.forToken(token, { roleArn: OTHER_ROLE })();

    const calls = sts.commandCalls(AssumeRoleWithWebIdentityCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => [c.RoleArn, c.Policy ?? null])).toEqual([
      [ROLE, null], [OTHER_ROLE, null], [ROLE, '{"Version":"2012-10-17","Statement":[]}'], [ROLE, null],
    ]);
  });

  test('should evict the least recently used entry beyond maxEntries', async () => {
    sts.on(AssumeRoleWithWebIdentityCommand).callsFake(() => stsCredentials());
    const [a, b, c] = await Promise.all(['a-user', 'b-user', 'c-user'].map((sub) => signToken({ nowMs: now, claims: { sub } })));
    const credentials = helper({ maxEntries: 2 });

    await credentials.forToken(a)();
    await credentials.forToken(b)();
    await credentials.forToken(a)(); // a is now the most recent
    await credentials.forToken(c)(); // evicts b
    await credentials.forToken(a)();
    await credentials.forToken(b)();

    const subjects = sts.commandCalls(AssumeRoleWithWebIdentityCommand).map((call) => call.args[0].input.RoleSessionName);
    expect(subjects).toEqual(['a-user', 'b-user', 'c-user', 'b-user']);
  });

  test('should exchange again refreshMarginSeconds before STS expiry', async () => {
    sts.on(AssumeRoleWithWebIdentityCommand).callsFake(() => stsCredentials(3600));
    const token = await signToken({ nowMs: now, lifetimeSeconds: 12 * 3600 });
    const credentials = helper({ refreshMarginSeconds: 300 });
    const provider = credentials.forToken(token);

    await provider();
    now = T0 + 3300_000 - 1;
    expect((await provider()).accessKeyId).toBe('ASIAKEY1');
    now = T0 + 3300_000;
    expect((await provider()).accessKeyId).toBe('ASIAKEY2');
    expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand)).toHaveLength(2);
  });

  test('should bound the refresh margin to half the credentials\' lifetime', async () => {
    sts.on(AssumeRoleWithWebIdentityCommand).callsFake(() => stsCredentials(900));
    const token = await signToken({ nowMs: now, lifetimeSeconds: 12 * 3600 });
    const provider = helper({ refreshMarginSeconds: 3600 }).forToken(token);

    await provider();
    now = T0 + 450_000 - 1;
    expect((await provider()).accessKeyId).toBe('ASIAKEY1');
    now = T0 + 450_000;
    expect((await provider()).accessKeyId).toBe('ASIAKEY2');
  });

  test('should not write an audit line when the SDK asks the same provider again for fresh credentials', async () => {
    sts.on(AssumeRoleWithWebIdentityCommand).callsFake(() => stsCredentials());
    const token = await signToken({ nowMs: now });
    const provider = helper().forToken(token);

    await provider();
    await provider();
    await provider();

    expect(lines).toHaveLength(1);
  });
});

describe('token exp bound', () => {
  test('should report the token\'s exp as expiration when it comes before STS\'s', async () => {
    sts.on(AssumeRoleWithWebIdentityCommand).callsFake(() => stsCredentials(3600));
    const token = await signToken({ nowMs: now, lifetimeSeconds: 600 });

    const identity = await helper().forToken(token)();

    expect(identity.expiration).toEqual(new Date(T0 + 600_000));
  });

  test('should serve cached credentials until exp, then fail with expired_token without calling STS', async () => {
    sts.on(AssumeRoleWithWebIdentityCommand).callsFake(() => stsCredentials(3600));
    const token = await signToken({ nowMs: now, lifetimeSeconds: 600 });
    const credentials = helper();
    const provider = credentials.forToken(token);

    await provider();
    now = T0 + 600_000 - 1;
    expect((await credentials.forToken(token)()).accessKeyId).toBe('ASIAKEY1');
    expect((await provider()).accessKeyId).toBe('ASIAKEY1');
    now = T0 + 600_000;
    const fromProvider = await rejection(provider());
    const fromNewProvider = await rejection(credentials.forToken(token)());

    for (const error of [fromProvider, fromNewProvider]) {
      expect([error.code, error.httpStatus, error.retryable]).toEqual(['expired_token', 401, false]);
    }
    expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand)).toHaveLength(1);
    expect(audit().map((l) => l.outcome)).toEqual(['issued', 'cached', 'failed', 'failed']);
  });

  test('should not call STS for a token that has already expired', async () => {
    const token = await signToken({ nowMs: now - 7200_000, lifetimeSeconds: 3600 });

    const error = await rejection(helper().forToken(token)());

    expect(error.code).toBe('expired_token');
    expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand)).toHaveLength(0);
  });

  test('should not retry past the token\'s exp', async () => {
    sts.on(AssumeRoleWithWebIdentityCommand).rejects(new IDPCommunicationErrorException({ message: 'timeout', $metadata: { httpStatusCode: 400 } }));
    const token = await signToken({ nowMs: now, lifetimeSeconds: 1 });

    const error = await rejection(helper({ baseDelayMs: 4000, retryBudgetMs: 60_000 }).forToken(token)());

    expect(error.code).toBe('idp_unavailable');
    expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand)).toHaveLength(1);
  });
});

describe('coalescing', () => {
  test('should make one STS call for concurrent requests for the same token, role and policy', async () => {
    let answer!: () => void;
    sts.on(AssumeRoleWithWebIdentityCommand).callsFake(() => new Promise((resolve) => {
      answer = () => resolve(stsCredentials());
    }));
    const token = await signToken({ nowMs: now });
    const credentials = helper();

    const pending = Array.from({ length: 10 }, () => credentials.forToken(token)());
    await new Promise(setImmediate);
    answer();
    const identities = await Promise.all(pending);

    expect(new Set(identities.map((i) => i.accessKeyId))).toEqual(new Set(['ASIAKEY1']));
    expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand)).toHaveLength(1);
    expect(audit().map((l) => l.outcome).sort()).toEqual([...Array(9).fill('cached'), 'issued']);
  });

  test('should share a failure with the waiters, then not cache it', async () => {
    let fail!: () => void;
    sts.on(AssumeRoleWithWebIdentityCommand)
      .callsFakeOnce(() => new Promise((_, reject) => {
        fail = () => reject(new IDPRejectedClaimException({ message: 'no', $metadata: { httpStatusCode: 403 } }));
      }))
      .callsFake(() => stsCredentials());
    const token = await signToken({ nowMs: now });
    const credentials = helper();

    const pending = Array.from({ length: 3 }, () => rejection(credentials.forToken(token)()));
    await new Promise(setImmediate);
    fail();
    const errors = await Promise.all(pending);
    const identity = await credentials.forToken(token)();

    expect(errors.map((e) => e.code)).toEqual(['idp_rejected_claim', 'idp_rejected_claim', 'idp_rejected_claim']);
    expect(identity.accessKeyId).toBe('ASIAKEY1');
    expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand)).toHaveLength(2);
    expect(audit().map((l) => [l.outcome, l.attempts])).toEqual([
      ['failed', 1], ['failed', 0], ['failed', 0], ['issued', 1],
    ]);
  });
});

describe('retries', () => {
  const transient = [
    ['IDPCommunicationError', () => new IDPCommunicationErrorException({ message: 'IdP unreachable', $metadata: { httpStatusCode: 400 } }), 'idp_unavailable'],
    ['verification key', () => new InvalidIdentityTokenException({ message: 'Couldn\'t retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements', $metadata: { httpStatusCode: 400 } }), 'idp_unavailable'],
    ['throttling', () => stsError('Throttling', 'Rate exceeded'), 'sts_throttled'],
    ['5xx', () => stsError('InternalFailure', 'oops', 500, 'server'), 'sts_unavailable'],
    ['network', () => Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }), 'sts_unavailable'],
  ] as const;

  test.each(transient)('should retry %s and succeed', async (_, error) => {
    sts.on(AssumeRoleWithWebIdentityCommand).rejectsOnce(error()).callsFake(() => stsCredentials());
    const token = await signToken({ nowMs: now });

    const identity = await helper().forToken(token)();

    expect(identity.accessKeyId).toBe('ASIAKEY1');
    expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand)).toHaveLength(2);
    expect(audit()).toEqual([expect.objectContaining({ outcome: 'issued', attempts: 2 })]);
  });

  test.each(transient)('should give up on %s after maxAttempts, with full-jitter exponential backoff', async (_, error, code) => {
    sts.on(AssumeRoleWithWebIdentityCommand).callsFake(() => Promise.reject(error()));
    const token = await signToken({ nowMs: now });

    const failure = await rejection(helper({ maxAttempts: 4, baseDelayMs: 100, random: () => 0.999 }).forToken(token)());

    expect([failure.code, failure.httpStatus, failure.retryable]).toEqual([code, 503, true]);
    expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand)).toHaveLength(4);
    expect(sleeps).toEqual([99, 199, 399]);
    expect(audit()).toEqual([expect.objectContaining({ outcome: 'failed', error: code, attempts: 4 })]);
  });

  test('should draw each delay uniformly below the doubling bound', async () => {
    sts.on(AssumeRoleWithWebIdentityCommand).rejects(stsError('Throttling', 'Rate exceeded'));
    const token = await signToken({ nowMs: now });
    const draws = [0, 0.5, 0.25];

    await rejection(helper({ maxAttempts: 4, baseDelayMs: 200, random: () => draws.shift()! }).forToken(token)());

    expect(sleeps).toEqual([0, 200, 200]);
  });

  test('should stop retrying when the next backoff would pass retryBudgetMs', async () => {
    sts.on(AssumeRoleWithWebIdentityCommand).rejects(stsError('Throttling', 'Rate exceeded'));
    const token = await signToken({ nowMs: now });

    await rejection(helper({ maxAttempts: 10, baseDelayMs: 1000, random: () => 0.999, retryBudgetMs: 3000 }).forToken(token)());

    // 999 + 1998 = 2997 within the budget; the third backoff (3996) would pass it.
    expect(sleeps).toEqual([999, 1998]);
    expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand)).toHaveLength(3);
  });

  test.each([
    ['ExpiredToken', () => new ExpiredTokenException({ message: 'Token is expired', $metadata: { httpStatusCode: 400 } })],
    ['IDPRejectedClaim', () => new IDPRejectedClaimException({ message: 'Rejected', $metadata: { httpStatusCode: 403 } })],
    ['InvalidIdentityToken', () => new InvalidIdentityTokenException({ message: 'Incorrect token audience', $metadata: { httpStatusCode: 400 } })],
    ['AccessDenied', () => stsError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity', 403)],
    ['MalformedPolicyDocument', () => new MalformedPolicyDocumentException({ message: 'bad', $metadata: { httpStatusCode: 400 } })],
  ])('should never retry %s', async (_, error) => {
    sts.on(AssumeRoleWithWebIdentityCommand).callsFake(() => Promise.reject(error()));
    const token = await signToken({ nowMs: now });

    const failure = await rejection(helper({ maxAttempts: 5 }).forToken(token)());

    expect(failure.retryable).toBe(false);
    expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand)).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });
});

describe('error mapping', () => {
  test.each([
    [new ExpiredTokenException({ message: 'Token is expired', $metadata: { httpStatusCode: 400 } }), 'expired_token', 401, false],
    [new IDPRejectedClaimException({ message: 'Rejected', $metadata: { httpStatusCode: 403 } }), 'idp_rejected_claim', 403, false],
    [new InvalidIdentityTokenException({ message: 'Incorrect token audience', $metadata: { httpStatusCode: 400 } }), 'invalid_identity_token', 401, false],
    [new InvalidIdentityTokenException({ message: 'Couldn\'t retrieve verification key from your identity provider', $metadata: { httpStatusCode: 400 } }), 'idp_unavailable', 503, true],
    [new IDPCommunicationErrorException({ message: 'unreachable', $metadata: { httpStatusCode: 400 } }), 'idp_unavailable', 503, true],
    [stsError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity', 403), 'access_denied', 403, false],
    [new MalformedPolicyDocumentException({ message: 'bad', $metadata: { httpStatusCode: 400 } }), 'malformed_policy_document', 500, false],
    [new PackedPolicyTooLargeException({ message: 'big', $metadata: { httpStatusCode: 400 } }), 'packed_policy_too_large', 500, false],
    [new RegionDisabledException({ message: 'off', $metadata: { httpStatusCode: 403 } }), 'region_disabled', 500, false],
    [stsError('ValidationError', '1 validation error detected'), 'sts_rejected_request', 500, false],
    [stsError('Throttling', 'Rate exceeded'), 'sts_throttled', 503, true],
    [stsError('ServiceUnavailable', 'try later', 503, 'server'), 'sts_unavailable', 503, true],
    [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'sts_unavailable', 503, true],
  ])('should map %p to %s (%d)', (error, code, status, retryable) => {
    const mapped = mapWebIdentityError(error);

    expect([mapped.code, mapped.httpStatus, mapped.retryable]).toEqual([code, status, retryable]);
    expect(mapped.cause).toBe(error);
  });

  test('should answer a token that is not a JWT with 401 malformed_token, without calling STS', () => {
    const credentials = helper();

    for (const token of ['', 'abc', 'a.b', 'a.!!.c', 'a.bm90IGpzb24.c', `a.${Buffer.from('{"sub":"x"}').toString('base64url')}.c`]) {
      const error = thrown(() => credentials.forToken(token));
      expect([error.code, error.httpStatus]).toEqual(['malformed_token', 401]);
    }
    expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand)).toHaveLength(0);
    expect(audit().map((l) => l.error)).toEqual(Array(6).fill('malformed_token'));
  });

  test('should answer STS credentials that are incomplete with 503', async () => {
    sts.on(AssumeRoleWithWebIdentityCommand).resolves({ $metadata: {} });
    const token = await signToken({ nowMs: now });

    const error = await rejection(helper({ maxAttempts: 1 }).forToken(token)());

    expect([error.code, error.httpStatus]).toEqual(['sts_invalid_response', 503]);
  });
});

describe('session names', () => {
  const ENCODED = /\.[0-9a-f]{24}$/i;

  test('should keep a subject STS accepts and encode one it does not', () => {
    expect(toSessionName('user-1@example.com')).toBe('user-1@example.com');
    expect(toSessionName('auth0|abc')).toMatch(/^auth0_abc\.[0-9a-f]{24}$/);
    expect(toSessionName('a')).toMatch(/^a\.[0-9a-f]{24}$/);
    expect(toSessionName('')).toMatch(/^\.[0-9a-f]{24}$/);
    expect(toSessionName('x'.repeat(65))).toMatch(/^x{39}\.[0-9a-f]{24}$/);
  });

  test('should encode a subject with a capital letter, so that names differ whatever the letter case', () => {
    expect(toSessionName('Alice')).toMatch(/^Alice\.[0-9a-f]{24}$/);
    expect(toSessionName('Alice').toLowerCase()).not.toBe(toSessionName('alice'));
    expect(toSessionName('alice')).toBe('alice');
  });

  test('should not let a crafted subject take the encoded name of another (a/b and a_b.<hash>)', () => {
    // GIVEN: the name of `a/b`, offered as a subject of its own
    const encoded = toSessionName('a/b');
    expect(encoded).toMatch(/^a_b\.[0-9a-f]{24}$/);

    // THEN: a subject that looks encoded is encoded again, in any letter case
    expect(toSessionName(encoded)).not.toBe(encoded);
    expect(toSessionName(encoded.toUpperCase()).toLowerCase()).not.toBe(encoded.toLowerCase());
    expect(toSessionName(encoded)).toMatch(ENCODED);
  });

  test('should turn any string into a name that satisfies STS\'s pattern and length', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (subject) => {
      expect(toSessionName(subject)).toMatch(VALID_SESSION_NAME);
    }), { numRuns: 2000 });
  });

  /** Subjects built to collide: valid and invalid characters, capitals, and the encoded names of others. */
  const subjects = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 100 }),
    fc.string({ unit: fc.constantFrom('a', 'A', '|', '_', '.', ' ', 'é', '/', '-', '0', 'f'), maxLength: 80 }),
    fc.string({ unit: fc.constantFrom('x', '_', '/'), minLength: 60, maxLength: 70 }),
    // lone surrogates, which a JSON sub may hold ("\ud800") and UTF-8 would turn into one U+FFFD
    fc.string({ unit: fc.constantFrom('\uD800', '\uD801', '\uDC00', '\uFFFD', 'a'), maxLength: 6 }),
  ).chain((s) => fc.constantFrom(s, toSessionName(s), toSessionName(s).toUpperCase(), `${s}.${'0'.repeat(24)}`));

  test('should give distinct subjects distinct names, even compared without regard to case', () => {
    fc.assert(fc.property(fc.uniqueArray(subjects, { minLength: 2, maxLength: 50 }), (list) => {
      const names = list.map(toSessionName);
      expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(list.length);
    }), { numRuns: 1000 });
  });

  test('should keep a subject only when it is valid, lowercase and not encoded-looking; encode all else', () => {
    fc.assert(fc.property(subjects, (subject) => {
      const name = toSessionName(subject);
      if (name === subject) {
        expect(subject).toMatch(VALID_SESSION_NAME);
        expect(subject).not.toMatch(/[A-Z]/);
        expect(subject).not.toMatch(ENCODED);
      } else {
        expect(name).toMatch(ENCODED);
      }
    }), { numRuns: 1000 });
  });

  test('should use sessionName(claims), made valid, and the token hash when there is no sub', async () => {
    sts.on(AssumeRoleWithWebIdentityCommand).callsFake(() => stsCredentials());
    const withEmail = await signToken({ nowMs: now, claims: { email: 'Jane Doe <jane@example.com>' } });
    const withoutSub = await signToken({ nowMs: now, claims: { sub: undefined } });

    await helper({ sessionName: (claims) => String(claims.email) }).forToken(withEmail)();
    await helper().forToken(withoutSub)();
    await helper().forToken(await signToken({ nowMs: now + 1000, claims: { sub: undefined } }))();

    const names = sts.commandCalls(AssumeRoleWithWebIdentityCommand).map((c) => c.args[0].input.RoleSessionName!);
    expect(names[0]).toMatch(/^Jane_Doe__jane@example\.com_\.[0-9a-f]{24}$/);
    expect(names[1]).toMatch(/^token\.[0-9a-f]{24}$/);
    expect(names[2]).toMatch(/^token\.[0-9a-f]{24}$/);
    expect(names[2]).not.toBe(names[1]);
  });

  test('should name a session by the token when its sub is not a string', async () => {
    sts.on(AssumeRoleWithWebIdentityCommand).callsFake(() => stsCredentials());
    for (const sub of [42, { id: 'x' }, ['a']]) {
      await helper().forToken(await signToken({ nowMs: now, claims: { sub } }))();
    }
    const names = sts.commandCalls(AssumeRoleWithWebIdentityCommand).map((c) => c.args[0].input.RoleSessionName!);
    expect(names).toEqual([expect.stringMatching(/^token\.[0-9a-f]{24}$/), expect.stringMatching(/^token\.[0-9a-f]{24}$/), expect.stringMatching(/^token\.[0-9a-f]{24}$/)]);
  });
});

describe('per-call roleArn', () => {
  test.each([
    ['a name', 'orders-writer'],
    ['a user ARN', 'arn:aws:iam::123456789012:user/alice'],
    ['an unknown partition', 'arn:aws-mars:iam::123456789012:role/orders'],
    ['a short account', 'arn:aws:iam::12345:role/orders'],
    ['a region', 'arn:aws:iam:eu-west-1:123456789012:role/orders'],
    ['no role name', 'arn:aws:iam::123456789012:role/'],
    ['a path without its leading slash', 'arn:aws:iam::123456789012:roleteam/orders'],
    ['a name longer than 64', `arn:aws:iam::123456789012:role/${'r'.repeat(65)}`],
    ['a space in the name', 'arn:aws:iam::123456789012:role/orders writer'],
    ['a space in the path', 'arn:aws:iam::123456789012:role/my team/orders'],
    ['a wildcard name', 'arn:aws:iam::123456789012:role/*'],
    ['an assumed-role ARN', 'arn:aws:sts::123456789012:assumed-role/orders/alice'],
    ['a newline after it', `${OTHER_ROLE}\n`],
  ])('should refuse %s with 500 invalid_role_arn before STS, in forToken and forEvent', async (_name, roleArn) => {
    // GIVEN
    const token = await signToken({ nowMs: now });

    // WHEN
    const direct = thrown(() => helper().forToken(token, { roleArn }));
    const viaEvent = thrown(() => helper().forEvent({ headers: { authorization: `Bearer ${token}` } }, { roleArn }));

    // THEN
    for (const error of [direct, viaEvent]) {
      expect([error.code, error.httpStatus, error.retryable]).toEqual(['invalid_role_arn', 500, false]);
    }
    expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand)).toHaveLength(0);
    expect(audit().map((l) => [l.outcome, l.error, l.role, l.Role])).toEqual([
      ['failed', 'invalid_role_arn', null, '-'], ['failed', 'invalid_role_arn', null, '-'],
    ]);
  });

  test.each([
    'arn:aws:iam::123456789012:role/orders',
    'arn:aws-cn:iam::123456789012:role/team/orders',
    'arn:aws-us-gov:iam::123456789012:role/a/b/c/orders+writer=1,x.y@z-w',
    'arn:aws-iso-b:iam::123456789012:role/service-role/orders',
    'arn:aws:iam::123456789012:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS',
    `arn:aws:iam::123456789012:role/${'r'.repeat(64)}`,
  ])('should pass the role %s to STS', async (roleArn) => {
    sts.on(AssumeRoleWithWebIdentityCommand).callsFake(() => stsCredentials());
    await helper().forToken(await signToken({ nowMs: now }), { roleArn })();
    expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand)[0].args[0].input.RoleArn).toBe(roleArn);
  });
});

describe('forEvent', () => {
  test.each([
    [{ headers: { Authorization: 'Bearer abc.def.ghi' } }, 'abc.def.ghi'],
    [{ headers: { authorization: 'bearer abc.def.ghi' } }, 'abc.def.ghi'],
    [{ headers: { AUTHORIZATION: 'BEARER  abc.def.ghi ' } }, 'abc.def.ghi'],
    [{ headers: { Authorization: 'Bearer abc' }, multiValueHeaders: { Authorization: ['Bearer abc'] } }, 'abc'],
    [{ headers: null, multiValueHeaders: { authorization: ['Bearer abc'] } }, 'abc'],
    [{ headers: {} }, undefined],
    [{}, undefined],
    [{ headers: { Authorization: 'Basic dXNlcjpwYXNz' } }, undefined],
    [{ headers: { Authorization: 'Bearer' } }, undefined],
    [{ headers: { Authorization: 'Bearer a b' } }, undefined],
    [{ headers: { Authorization: 'Bearer a,Bearer b' } }, undefined],
    [{ headers: { Authorization: 'Bearer a', authorization: 'Bearer b' } }, undefined],
    [{ headers: { Authorization: 'Bearer b' }, multiValueHeaders: { Authorization: ['Bearer a', 'Bearer b'] } }, undefined],
  ])('should read %j as %p', (event, token) => {
    expect(bearerToken(event)).toBe(token);
  });

  test('should exchange the event\'s bearer token', async () => {
    sts.on(AssumeRoleWithWebIdentityCommand).callsFake(() => stsCredentials());
    const token = await signToken({ nowMs: now });

    const identity = await helper().forEvent({ headers: { authorization: `Bearer ${token}` } }, { roleArn: OTHER_ROLE })();

    expect(identity.accessKeyId).toBe('ASIAKEY1');
    expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand)[0].args[0].input).toMatchObject({ WebIdentityToken: token, RoleArn: OTHER_ROLE });
  });

  test('should answer 401 missing_token without a single bearer token', () => {
    const error = thrown(() => helper().forEvent({ headers: { Authorization: 'Basic dXNlcjpwYXNz' } }));

    expect([error.code, error.httpStatus, error.retryable]).toEqual(['missing_token', 401, false]);
  });
});
