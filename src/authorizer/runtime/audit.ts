import type { Reason } from './errors';

export type Decision = 'allow' | 'deny' | 'unauthorized';

export interface DecisionRecord {
  readonly decision: Decision;
  readonly reason: Reason;
  /** Only claims whose signature verified; undefined otherwise. */
  readonly claims?: Record<string, unknown>;
  readonly scopes?: ReadonlySet<string>;
  /** `"GET /orders/{id}"`, or null when the event does not say. */
  readonly route: string | null;
  /** The token's kid header as received (untrusted). */
  readonly kid?: string;
  readonly latencyMs: number;
  readonly cached: boolean;
  /** For internal_error: the error's class name (never its message, which may quote input). */
  readonly error?: string;
}

export interface JwksFetchRecord {
  readonly ok: boolean;
  readonly reason?: string;
  readonly latencyMs: number;
  readonly keys: number;
}

export type LineWriter = (line: string) => void;

/**
 * process.stdout.write, not console.log: Lambda's console prefixes each line with a timestamp and
 * request id, and CloudWatch only extracts embedded metrics from a line that is pure JSON.
 */
const stdout: LineWriter = (line) => {
  process.stdout.write(`${line}\n`);
};

/**
 * Writes one JSON line per decision that is both the audit record and a CloudWatch EMF document,
 * and one per JWKS fetch. Never writes the token or its signature: the record types have no field
 * for them, and the only token-derived strings (kid, verified claims) are truncated and, for the
 * unverified kid, reduced to a safe character set.
 */
export class AuditLog {
  constructor(
    private readonly namespace: string,
    private readonly service: string,
    private readonly write: LineWriter = stdout,
  ) {}

  public decision(rec: DecisionRecord): void {
    const claims = rec.claims;
    const decisionName = rec.decision;
    this.write(JSON.stringify({
      type: 'authz_decision',
      decision: decisionName,
      reason: rec.reason,
      sub: claims ? text(claims.sub, 256) : null,
      client_id: claims ? text(claims.client_id, 256) : null,
      route: rec.route === null ? null : rec.route.slice(0, 256),
      scopes: rec.scopes ? [...rec.scopes].join(' ').slice(0, 1024) : null,
      kid: sanitizeKid(rec.kid),
      latency_ms: Math.round(rec.latencyMs * 1000) / 1000,
      cached: rec.cached,
      ...(rec.error ? { error: rec.error.slice(0, 64) } : {}),
      _aws: {
        Timestamp: Date.now(),
        CloudWatchMetrics: [{
          Namespace: this.namespace,
          Dimensions: [['Service', 'Decision'], ['Service', 'Reason']],
          Metrics: [{ Name: 'Decisions', Unit: 'Count' }, { Name: 'DecisionLatency', Unit: 'Milliseconds' }],
        }],
      },
      Service: this.service,
      Decision: decisionName,
      Reason: rec.reason,
      Decisions: 1,
      DecisionLatency: Math.round(rec.latencyMs * 1000) / 1000,
    }));
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
          Dimensions: [['Service']],
          Metrics: [{ Name: 'JwksFetches', Unit: 'Count' }, { Name: 'JwksFetchFailures', Unit: 'Count' }],
        }],
      },
      Service: this.service,
      JwksFetches: 1,
      JwksFetchFailures: rec.ok ? 0 : 1,
    }));
  }

  /** The one line that says why the authorizer fails closed. */
  public configError(message: string): void {
    this.write(JSON.stringify({ type: 'config_error', message: message.slice(0, 2048) }));
  }
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
