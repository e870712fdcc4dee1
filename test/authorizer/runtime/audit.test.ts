import * as fc from 'fast-check';
import { AuditLog, milliseconds, sanitizeKid } from '../../../src/authorizer/runtime/audit';

function capture(): { audit: AuditLog; lines: string[] } {
  const lines: string[] = [];
  return { audit: new AuditLog('SecuredApi', 'orders-api', (l) => lines.push(l)), lines };
}

describe('AuditLog.decision', () => {
  test('should write one JSON line that is the audit record and an EMF document', () => {
    // GIVEN
    const { audit, lines } = capture();
    // WHEN
    audit.decision({
      decision: 'allow',
      reason: 'allowed',
      claims: { sub: 'user-1', client_id: 'app-1', scope: 'orders:read' },
      client: 'app-1',
      scopes: 'orders:read orders:write',
      route: 'GET /orders/{id}',
      kid: 'key-1',
      latencyMs: 1.23456,
      cached: true,
    });
    // THEN
    expect(lines).toHaveLength(1);
    const rec = JSON.parse(lines[0]);
    expect(rec).toEqual({
      type: 'authz_decision',
      decision: 'allow',
      reason: 'allowed',
      sub: 'user-1',
      client_id: 'app-1',
      route: 'GET /orders/{id}',
      scopes: 'orders:read orders:write',
      kid: 'key-1',
      latency_ms: 1.235,
      cached: true,
      _aws: {
        Timestamp: expect.any(Number),
        CloudWatchMetrics: [{
          Namespace: 'SecuredApi',
          Dimensions: [['Service'], ['Service', 'Decision'], ['Service', 'Reason']],
          Metrics: [{ Name: 'Decisions', Unit: 'Count' }, { Name: 'DecisionLatency', Unit: 'Milliseconds' }],
        }],
      },
      Service: 'orders-api',
      Decision: 'allow',
      Reason: 'allowed',
      Decisions: 1,
      DecisionLatency: 1.235,
    });
  });

  test('should log the client it is given as client_id, never a claim of that name', () => {
    // GIVEN
    const { audit, lines } = capture();
    // WHEN
    audit.decision({ decision: 'allow', reason: 'allowed', claims: { sub: 'u', client_id: 'not-the-client' }, client: 'okta-app', route: null, latencyMs: 0, cached: false });
    audit.decision({ decision: 'allow', reason: 'allowed', claims: { sub: 'u', client_id: 'not-the-client' }, route: null, latencyMs: 0, cached: false });
    // THEN
    expect(lines.map((l) => JSON.parse(l).client_id)).toEqual(['okta-app', null]);
  });

  test('should write nulls for what an unauthorized request did not prove', () => {
    // GIVEN
    const { audit, lines } = capture();
    // WHEN
    audit.decision({ decision: 'unauthorized', reason: 'bad_signature', route: null, latencyMs: 0.5, cached: false });
    // THEN
    expect(JSON.parse(lines[0])).toMatchObject({ sub: null, client_id: null, scopes: null, kid: null, route: null, Reason: 'bad_signature' });
  });

  test('should log the error class of an internal error', () => {
    // GIVEN
    const { audit, lines } = capture();
    // WHEN
    audit.decision({ decision: 'unauthorized', reason: 'internal_error', route: null, latencyMs: 0, cached: false, error: 'TypeError' });
    // THEN
    expect(JSON.parse(lines[0]).error).toBe('TypeError');
  });

  test('should keep one valid JSON line whatever the strings hold', () => {
    // GIVEN
    const odd = 'a"b\\c\nd\re\u2028f\ud800g</script>';
    const lines: string[] = [];
    const audit = new AuditLog(`ns${odd}`, `svc${odd}`, (l) => lines.push(l));
    // WHEN
    audit.decision({
      decision: 'deny',
      reason: 'insufficient_scope',
      claims: { sub: odd },
      client: odd,
      scopes: `${odd} x`,
      route: `GET /${odd}`,
      kid: odd,
      latencyMs: Number.NaN,
      cached: false,
      error: odd,
    });
    // THEN
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/[\n\r]/);
    const rec = JSON.parse(lines[0]);
    expect(rec).toMatchObject({ sub: odd, client_id: odd, route: `GET /${odd}`, scopes: `${odd} x`, error: odd, Service: `svc${odd}`, latency_ms: null });
    expect(rec.kid).toBe('a?b?c?d?e?f?g?/script?');
    expect(rec._aws.CloudWatchMetrics[0].Namespace).toBe(`ns${odd}`);
  });

  test('should write a prepared line again with each decision\'s own latency and cache flag', () => {
    // GIVEN
    const { audit, lines } = capture();
    const prepared = audit.prepare({ decision: 'deny', reason: 'claim_rule_failed', claims: { sub: 'u' }, client: 'c', scopes: 'a b', route: 'GET /x', kid: 'k' });
    // WHEN
    audit.writeDecision(prepared, 1.23456, false);
    audit.writeDecision(prepared, 0.5, true);
    audit.decision({ decision: 'deny', reason: 'claim_rule_failed', claims: { sub: 'u' }, client: 'c', scopes: 'a b', route: 'GET /x', kid: 'k', latencyMs: 0.5, cached: true });
    // THEN
    const [first, second, direct] = lines.map((l) => JSON.parse(l));
    expect(first).toMatchObject({ latency_ms: 1.235, DecisionLatency: 1.235, cached: false, sub: 'u', Reason: 'claim_rule_failed' });
    expect(second).toMatchObject({ latency_ms: 0.5, DecisionLatency: 0.5, cached: true });
    expect({ ...direct, _aws: { ...direct._aws, Timestamp: 0 } }).toEqual({ ...second, _aws: { ...second._aws, Timestamp: 0 } });
  });

  test('should hand the writer each decision line\'s exact UTF-8 length, for any text in its fields', () => {
    // GIVEN any strings (non-ASCII, astral, lone surrogates, pairs cut by truncation) in every variable field
    const anyText = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 300 }).map((units) => String.fromCharCode(...units)),
    );
    fc.assert(fc.property(
      fc.record({ sub: anyText, client: anyText, scopes: anyText, route: anyText, kid: anyText, error: fc.option(anyText, { nil: undefined }) }),
      fc.oneof(fc.double(), fc.integer({ min: 0, max: 1e9 }).map((us) => us / 1000)),
      fc.boolean(),
      (f, latencyMs, cached) => {
        const written: Array<[string, number | undefined]> = [];
        const audit = new AuditLog(`ns-${f.sub}`, `svc-${f.client}`, (line, bytes) => written.push([line, bytes]));
        // WHEN
        const prepared = audit.prepare({ decision: 'deny', reason: 'insufficient_scope', claims: { sub: f.sub }, client: f.client, scopes: f.scopes, route: f.route, kid: f.kid, error: f.error });
        audit.writeDecision(prepared, latencyMs, cached);
        audit.decision({ decision: 'allow', reason: 'allowed', claims: { sub: f.sub }, client: f.client, scopes: f.scopes, route: f.route, kid: f.kid, latencyMs, cached });
        // THEN the count the writer skips measuring is the line's byte length
        expect(written).toHaveLength(2);
        for (const [line, bytes] of written) {
          expect(bytes).toBe(Buffer.byteLength(line));
        }
      },
    ));
  });

  test('should truncate long verified claims', () => {
    // GIVEN
    const { audit, lines } = capture();
    // WHEN
    audit.decision({
      decision: 'deny', reason: 'insufficient_scope', claims: { sub: 's'.repeat(5000) }, client: 'c'.repeat(5000), scopes: 'x'.repeat(5000), route: 'GET /', latencyMs: 0, cached: false,
    });
    // THEN
    const rec = JSON.parse(lines[0]);
    expect(rec.sub).toHaveLength(256);
    expect(rec.client_id).toHaveLength(256);
    expect(rec.scopes).toHaveLength(1024);
    expect(lines[0].length).toBeLessThan(3000);
  });
});

describe('AuditLog.jwksFetch', () => {
  test.each([
    [{ ok: true, latencyMs: 12.5, keys: 2 }, { ok: true, keys: 2, JwksFetches: 1, JwksFetchFailures: 0 }],
    [{ ok: false, reason: 'timeout', latencyMs: 3000, keys: 0 }, { ok: false, reason: 'timeout', keys: 0, JwksFetches: 1, JwksFetchFailures: 1 }],
  ])('should write one EMF line per fetch (%o)', (fetch, expected) => {
    // GIVEN
    const { audit, lines } = capture();
    // WHEN
    audit.jwksFetch(fetch);
    // THEN
    const rec = JSON.parse(lines[0]);
    expect(rec).toMatchObject({ type: 'jwks_fetch', latency_ms: fetch.latencyMs, Service: 'orders-api', ...expected });
    expect(rec._aws.CloudWatchMetrics).toEqual([{
      Namespace: 'SecuredApi',
      Dimensions: [['Service']],
      Metrics: [{ Name: 'JwksFetches', Unit: 'Count' }, { Name: 'JwksFetchFailures', Unit: 'Count' }],
    }]);
  });
});

describe('sanitizeKid', () => {
  test.each([
    [undefined, null],
    ['abc-DEF_123.=+/:', 'abc-DEF_123.=+/:'],
    ['../../etc/passwd', '../../etc/passwd'],
    ["' OR 1=1 --", '??OR?1=1?--'],
    ['kid\nINJECTED {"type":"authz_decision"}', 'kid?INJECTED??"type":"authz_decision"?'.replace(/"/g, '?')],
    ['k'.repeat(100), `${'k'.repeat(64)}...`],
  ])('should reduce %j to %j', (kid, expected) => {
    // THEN
    expect(sanitizeKid(kid)).toBe(expected);
  });
});

describe('milliseconds', () => {
  const asBefore = (ms: number) => {
    const n = Math.round(ms * 1000) / 1000;
    return Number.isFinite(n) ? String(n) : 'null';
  };

  const cases = [
    0, 0.0004, 0.0005, 0.001, 0.01, 0.1, 0.12, 0.123, 1, 1.5, 12.3456, 999.9996,
    1e9 + 0.001, 1e12 + 0.5, 1e13, -0, -0.0004, -1.5, NaN, Infinity, -Infinity,
  ];
  test.each(cases)('should write %p as the microsecond-rounded number JSON.stringify writes', (ms) => {
    // WHEN
    const text = milliseconds(ms);
    // THEN
    expect(text).toBe(asBefore(ms));
  });

  test('should write every latency as the microsecond-rounded number JSON.stringify writes (property)', () => {
    const latencies = fc.oneof(fc.double(), fc.double({ min: 0, max: 1e6, noNaN: true }), fc.integer({ min: 0, max: 1e9 }).map((us) => us / 1000));
    fc.assert(fc.property(latencies, (ms) => {
      // THEN
      expect(milliseconds(ms)).toBe(asBefore(ms));
    }), { numRuns: 2000 });
  });
});

describe('AuditLog default writer (stdout)', () => {
  const fs = process.getBuiltinModule('node:fs');
  let written: string[];
  let queued: string[];
  afterEach(() => jest.restoreAllMocks());
  beforeEach(() => {
    written = [];
    queued = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      queued.push(Buffer.from(chunk).toString());
      return true;
    });
  });
  const record = { decision: 'allow', reason: 'allowed', route: 'GET /orders', latencyMs: 1, cached: false } as const;

  test('should write each line whole with one fs.writeSync to fd 1', () => {
    // GIVEN
    jest.spyOn(fs, 'writeSync').mockImplementation(((fd: number, text: string) => {
      written.push(`${fd}:${text}`);
      return Buffer.byteLength(text);
    }) as typeof fs.writeSync);
    // WHEN
    new AuditLog('SecuredApi', 'orders-api').decision(record);
    // THEN
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/^1:\{"type":"authz_decision".*\}\n$/s);
    expect(queued).toEqual([]);
  });

  test('should hand the line to process.stdout.write when the direct write fails (EAGAIN)', () => {
    // GIVEN
    jest.spyOn(fs, 'writeSync').mockImplementation(() => {
      throw Object.assign(new Error('EAGAIN'), { code: 'EAGAIN' });
    });
    // WHEN
    new AuditLog('SecuredApi', 'orders-api').decision(record);
    // THEN
    expect(queued).toHaveLength(1);
    expect(JSON.parse(queued[0])).toEqual(expect.objectContaining({ type: 'authz_decision', decision: 'allow' }));
  });

  test('should hand the rest of a short write to process.stdout.write, non-ASCII bytes included', () => {
    // GIVEN: a sub with multi-byte characters, and a write that stops after 10 bytes
    jest.spyOn(fs, 'writeSync').mockImplementation(((_fd: number, text: string) => {
      written.push(Buffer.from(text).subarray(0, 10).toString('latin1'));
      return 10;
    }) as typeof fs.writeSync);
    // WHEN
    new AuditLog('SecuredApi', 'orders-api').decision({ ...record, claims: { sub: 'zoë-日本' } });
    // THEN
    const line = Buffer.concat([Buffer.from(written[0], 'latin1'), Buffer.from(queued[0])]).toString();
    expect(JSON.parse(line).sub).toBe('zoë-日本');
  });

  test('should hand on the rest of a non-ASCII line whose short write is exactly its length in characters', () => {
    // GIVEN: the bytes written equal the line's UTF-16 length, short of its UTF-8 length
    jest.spyOn(fs, 'writeSync').mockImplementation(((_fd: number, text: string) => {
      written.push(Buffer.from(text).subarray(0, text.length).toString('latin1'));
      return text.length;
    }) as typeof fs.writeSync);
    // WHEN
    new AuditLog('SecuredApi', 'orders-api').decision({ ...record, claims: { sub: 'zoë' } });
    // THEN
    const line = Buffer.concat([Buffer.from(written[0], 'latin1'), Buffer.from(queued[0] ?? '')]).toString();
    expect(JSON.parse(line).sub).toBe('zoë');
  });

  test('should send a line that may exceed PIPE_BUF, and any line while stdout holds queued data, through process.stdout.write', () => {
    // GIVEN
    const direct = jest.spyOn(fs, 'writeSync');
    const audit = new AuditLog('SecuredApi', 'orders-api');
    // WHEN
    audit.configError('x'.repeat(2000).replace(/x/g, '\u0001'));
    // An own property over the prototype's getter, removed again below.
    Object.defineProperty(process.stdout, 'writableLength', { value: 10, configurable: true });
    try {
      audit.decision(record);
    } finally {
      delete (process.stdout as { writableLength?: number }).writableLength;
    }
    // THEN
    expect(direct).not.toHaveBeenCalled();
    expect(queued).toHaveLength(2);
  });
});
