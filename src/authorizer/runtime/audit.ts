import { writeSync } from 'node:fs';
import type { Reason } from './errors';
import {
  DIMENSION_DECISION, DIMENSION_REASON, DIMENSION_SERVICE, METRIC_DECISION_LATENCY, METRIC_DECISIONS, METRIC_JWKS_FETCH_FAILURES, METRIC_JWKS_FETCHES,
} from '../contract';
import type { Decision } from '../contract';

export type { Decision };

export interface DecisionRecord {
  readonly decision: Decision;
  readonly reason: Reason;
  /** Only claims whose signature verified; undefined otherwise. The line reads `sub` from them. */
  readonly claims?: Record<string, unknown>;
  /**
   * The token's client as the issuer profile's client claims name it (logged as `client_id`, the
   * field saved queries read), only from verified claims; undefined when there is none.
   */
  readonly client?: string;
  /** The granted scopes, space-joined (as in the authorizer context). */
  readonly scopes?: string;
  /** `"GET /orders/{id}"`, or null when the event does not say. */
  readonly route: string | null;
  /** The token's kid header as received (untrusted). */
  readonly kid?: string;
  readonly latencyMs: number;
  readonly cached: boolean;
  /** For internal_error: the error's class name (never its message, which may quote input). */
  readonly error?: string;
}

/** What a decision line says besides its latency and whether the decision cache answered. */
export type DecisionFields = Omit<DecisionRecord, 'latencyMs' | 'cached'>;

/**
 * A decision line serialized but for the latency, the cache flag and the timestamp, which
 * AuditLog.writeDecision fills in; the authorizer keeps one with each decision it reuses.
 */
export interface PreparedDecision {
  /** Up to and including `"latency_ms":`. */
  readonly head: string;
  /** After the cache flag, up to and including `"Timestamp":`. */
  readonly middle: string;
  /** After the timestamp, up to and including `"DecisionLatency":`. */
  readonly tail: string;
  /**
   * UTF-8 bytes of head, middle and tail together, counted once here so that the writer need not
   * measure each line: what writeDecision adds to them is ASCII, one byte a character.
   */
  readonly bytes: number;
}

export interface JwksFetchRecord {
  readonly ok: boolean;
  readonly reason?: string;
  readonly latencyMs: number;
  readonly keys: number;
}

/** Writes one line; `bytes`, when the caller knows it, is the line's UTF-8 length (without the newline). */
export type LineWriter = (line: string, bytes?: number) => void;

/** Linux's PIPE_BUF: a write of at most this many bytes to a pipe is never split (pipe(7)). */
const ATOMIC_WRITE_BYTES = 4096;

/**
 * Standard output, not console.log: Lambda's console prefixes each line with a timestamp and request
 * id, and CloudWatch only extracts embedded metrics from a line that is pure JSON. Lambda sends what
 * a function writes to stdout to CloudWatch Logs, whatever writes it
 * (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-logging.html: "any logging library that
 * writes to stdout or stderr").
 *
 * One `fs.writeSync` of the string to fd 1 per line: process.stdout.write ends in the same write(2)
 * but through the stream's machinery first, and a Buffer made first costs its own copy (~0.6 and
 * ~0.25 us per line, measured with Node 22). What fd 1 is in Lambda is not documented, so this is safe
 * under every reading: a line that may exceed ATOMIC_WRITE_BYTES, a line while process.stdout still
 * holds queued data (order), a write that fails (EAGAIN on a full non-blocking pipe) and the rest of
 * a short write all go through process.stdout.write, which queues and never throws here. A short
 * write can only happen to a pipe over PIPE_BUF or a nearly full disk, so a line is never
 * interleaved with another.
 */
const stdout: LineWriter = (line, bytes) => {
  const out = `${line}\n`;
  // Measured at most once, and not at all when the caller counted the bytes: Buffer.byteLength after the
  // write was 13 % of a cached decision's time but for the write (CPU profile, Node 22).
  const size = bytes === undefined ? Buffer.byteLength(out) : bytes + 1;
  let written = 0;
  // At most 3 UTF-8 bytes per UTF-16 code unit: a line this short is within PIPE_BUF without measuring it.
  if ((out.length <= ATOMIC_WRITE_BYTES / 3 || size <= ATOMIC_WRITE_BYTES) && process.stdout.writableLength === 0) {
    try {
      written = writeSync(1, out);
    } catch {
      written = 0;
    }
  }
  if (written === 0) {
    process.stdout.write(out);
  } else if (written < size) {
    process.stdout.write(Buffer.from(out).subarray(written));
  }
};

/**
 * Writes one JSON line per decision that is both the audit record and a CloudWatch EMF document,
 * and one per JWKS fetch. Never writes the token or its signature: the record types have no field
 * for them, and the only token-derived strings (kid, verified claims) are truncated and, for the
 * unverified kid, reduced to a safe character set.
 */
export class AuditLog {
  /**
   * The part of every decision line from `"CloudWatchMetrics"` to `"Service"`, which never changes:
   * serialized once here instead of stringifying the whole EMF object per decision.
   */
  private readonly decisionMetrics: string;
  /** The latest decision line's timestamp, and the same as text. */
  private timestampMs = NaN;
  private timestamp = 'null';

  constructor(
    private readonly namespace: string,
    private readonly service: string,
    private readonly write: LineWriter = stdout,
  ) {
    this.decisionMetrics = `"CloudWatchMetrics":${JSON.stringify([{
      Namespace: namespace,
      Dimensions: [[DIMENSION_SERVICE], [DIMENSION_SERVICE, DIMENSION_DECISION], [DIMENSION_SERVICE, DIMENSION_REASON]],
      Metrics: [{ Name: METRIC_DECISIONS, Unit: 'Count' }, { Name: METRIC_DECISION_LATENCY, Unit: 'Milliseconds' }],
    }])}},"${DIMENSION_SERVICE}":${JSON.stringify(service)}`;
  }

  public decision(rec: DecisionRecord): void {
    this.writeDecision(this.prepare(rec), rec.latencyMs, rec.cached);
  }

  /**
   * Serializes everything of a decision line that does not change when the same decision is
   * made again. Every variable string goes through JSON.stringify, so quotes, control characters
   * and lone surrogates are escaped; the constant EMF part was serialized once, in the constructor.
   */
  public prepare(rec: DecisionFields): PreparedDecision {
    const claims = rec.claims;
    const decisionName = json(rec.decision);
    const reason = json(rec.reason);
    const head = `{"type":"authz_decision","decision":${decisionName},"reason":${reason}`
        + `,"sub":${json(claims ? text(claims.sub, 256) : null)}`
        + `,"client_id":${json(text(rec.client, 256))}`
        + `,"route":${json(rec.route === null ? null : rec.route.slice(0, 256))}`
        + `,"scopes":${json(rec.scopes === undefined ? null : rec.scopes.slice(0, 1024))}`
        + `,"kid":${json(sanitizeKid(rec.kid))},"latency_ms":`;
    const middle = `${rec.error ? `,"error":${json(rec.error.slice(0, 64))}` : ''},"_aws":{"Timestamp":`;
    const tail = `,${this.decisionMetrics},"${DIMENSION_DECISION}":${decisionName},"${DIMENSION_REASON}":${reason},"${METRIC_DECISIONS}":1,"${METRIC_DECISION_LATENCY}":`;
    // Each part is whole JSON text around ASCII punctuation, so no surrogate pair spans two parts and
    // their byte lengths add up (JSON.stringify escapes a lone surrogate as ASCII).
    return { head, middle, tail, bytes: Buffer.byteLength(head) + Buffer.byteLength(middle) + Buffer.byteLength(tail) };
  }

  /** Writes one decision line: a prepared one with this decision's latency, cache flag and time. */
  public writeDecision(prepared: PreparedDecision, latencyMs: number, cached: boolean): void {
    const latency = milliseconds(latencyMs);
    const now = Date.now();
    if (now !== this.timestampMs) {
      // Formatting a number as text showed in the profile of a repeated token; the clock ticks once a millisecond.
      this.timestampMs = now;
      this.timestamp = number(now);
    }
    const flag = cached ? 'true' : 'false';
    // The parts added here (digits, `,"cached":`, the flag, `}`) are ASCII: one byte a character.
    const bytes = prepared.bytes + 2 * latency.length + 10 + flag.length + this.timestamp.length + 1;
    this.write(`${prepared.head}${latency},"cached":${flag}${prepared.middle}${this.timestamp}${prepared.tail}${latency}}`, bytes);
  }

  public jwksFetch(rec: JwksFetchRecord): void {
    this.write(JSON.stringify({
      type: 'jwks_fetch',
      ok: rec.ok,
      ...(rec.ok ? {} : { reason: text(rec.reason, 256) ?? 'unknown' }),
      latency_ms: Math.round(rec.latencyMs * 1000) / 1000,
      keys: rec.keys,
      _aws: {
        Timestamp: Date.now(),
        CloudWatchMetrics: [{
          Namespace: this.namespace,
          Dimensions: [[DIMENSION_SERVICE]],
          Metrics: [{ Name: METRIC_JWKS_FETCHES, Unit: 'Count' }, { Name: METRIC_JWKS_FETCH_FAILURES, Unit: 'Count' }],
        }],
      },
      [DIMENSION_SERVICE]: this.service,
      [METRIC_JWKS_FETCHES]: 1,
      [METRIC_JWKS_FETCH_FAILURES]: rec.ok ? 0 : 1,
    }));
  }

  /** The one line that says why the authorizer fails closed. */
  public configError(message: string): void {
    this.write(JSON.stringify({ type: 'config_error', message: message.slice(0, 2048) }));
  }
}

function json(v: string | null): string {
  return v === null ? 'null' : JSON.stringify(v);
}

/**
 * A latency rounded to the microsecond, as `number(Math.round(ms * 1000) / 1000)` writes it, but
 * from integers: a small integer's text is cheap, a fraction's is not (it showed in the profile).
 */
export function milliseconds(ms: number): string {
  const us = Math.round(ms * 1000);
  if (!(us >= 0 && us < 1e15)) {
    return number(Math.round(ms * 1000) / 1000);
  }
  const whole = Math.floor(us / 1000);
  let frac = us - whole * 1000;
  if (frac === 0) {
    return String(whole);
  }
  let digits = 3;
  while (frac % 10 === 0) {
    frac /= 10;
    digits--;
  }
  return `${whole}.${String(frac).padStart(digits, '0')}`;
}

/** As JSON.stringify writes a number: NaN and the infinities have no JSON form. */
function number(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null';
}

function text(v: unknown, max: number): string | null {
  return typeof v === 'string' ? v.slice(0, max) : null;
}

/** The kid is read before the signature is checked: keep it short and free of anything odd. */
export function sanitizeKid(kid: string | undefined): string | null {
  if (kid === undefined) {
    return null;
  }
  const safe = kid.slice(0, 64).replace(/[^A-Za-z0-9._~+/=:@-]/g, '?');
  return kid.length > 64 ? `${safe}...` : safe;
}
