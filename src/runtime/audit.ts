import {
  DIMENSION_EXCHANGE_KIND, DIMENSION_EXCHANGE_OUTCOME, DIMENSION_EXCHANGE_ROLE, DIMENSION_EXCHANGE_SERVICE,
  EXCHANGE_METRICS_NAMESPACE, ExchangeKind, ExchangeOutcome, METRIC_EXCHANGE_LATENCY, METRIC_EXCHANGES,
} from './contract';

/** One exchange, as the audit line records it. Never a token, assertion, secret or credential. */
export interface ExchangeRecord {
  readonly kind: ExchangeKind;
  readonly outcome: ExchangeOutcome;
  /** The error's code when the outcome is `failed`. */
  readonly errorCode?: string;
  /** The caller's `sub` (web identity), SAML subject, or undefined. */
  readonly sub?: string;
  /** The caller's `client_id` / `azp`, or the client of a client-credentials token. */
  readonly clientId?: string;
  /** The role's ARN (web identity, SAML). */
  readonly roleArn?: string;
  readonly sessionName?: string;
  /** The request id of the AWS call or of the handler's invocation, for joining with CloudTrail. */
  readonly requestId?: string;
  readonly latencyMs: number;
  /** Calls made to STS or the token endpoint for this exchange (0 for a cache hit). */
  readonly attempts: number;
}

export interface ExchangeAuditOptions {
  /** Metric namespace. Default `SecuredApi/CallerCredentials`. */
  readonly namespace?: string;
  /** The `Service` dimension: a low-cardinality name of the caller of the helper (e.g. the function). Default `AWS_LAMBDA_FUNCTION_NAME`, else `unknown`. */
  readonly service?: string;
  /** Where lines go. Default: one `process.stdout.write` per line (Lambda sends stdout to CloudWatch Logs). */
  readonly write?: (line: string) => void;
}

/**
 * One JSON line per exchange (cache hits and failures included) that is also CloudWatch embedded
 * metric format: `Exchanges` and `ExchangeLatency` by `[Service, Kind, Outcome]` and
 * `[Service, Role, Outcome]`. Subjects, clients and session names stay in the line, never in a
 * dimension (cost and cardinality).
 */
export class ExchangeAudit {
  private readonly namespace: string;
  private readonly service: string;
  private readonly write: (line: string) => void;

  constructor(options: ExchangeAuditOptions = {}) {
    this.namespace = options.namespace ?? EXCHANGE_METRICS_NAMESPACE;
    this.service = options.service ?? process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'unknown';
    this.write = options.write ?? ((line) => process.stdout.write(line + '\n'));
  }

  public record(rec: ExchangeRecord): void {
    const latency = Math.round(rec.latencyMs * 1000) / 1000;
    this.write(JSON.stringify({
      type: 'credentials_exchange',
      kind: rec.kind,
      outcome: rec.outcome,
      error: rec.errorCode ?? null,
      sub: clip(rec.sub),
      client_id: clip(rec.clientId),
      role: clip(rec.roleArn),
      session_name: clip(rec.sessionName),
      request_id: clip(rec.requestId),
      latency_ms: latency,
      attempts: rec.attempts,
      _aws: {
        Timestamp: Date.now(),
        CloudWatchMetrics: [{
          Namespace: this.namespace,
          Dimensions: [
            [DIMENSION_EXCHANGE_SERVICE, DIMENSION_EXCHANGE_KIND, DIMENSION_EXCHANGE_OUTCOME],
            [DIMENSION_EXCHANGE_SERVICE, DIMENSION_EXCHANGE_ROLE, DIMENSION_EXCHANGE_OUTCOME],
          ],
          Metrics: [{ Name: METRIC_EXCHANGES, Unit: 'Count' }, { Name: METRIC_EXCHANGE_LATENCY, Unit: 'Milliseconds' }],
        }],
      },
      [DIMENSION_EXCHANGE_SERVICE]: this.service,
      [DIMENSION_EXCHANGE_KIND]: rec.kind,
      [DIMENSION_EXCHANGE_ROLE]: roleName(rec.roleArn),
      [DIMENSION_EXCHANGE_OUTCOME]: rec.outcome,
      [METRIC_EXCHANGES]: 1,
      [METRIC_EXCHANGE_LATENCY]: latency,
    }));
  }
}

/** The role's name from its ARN (`arn:aws:iam::1:role/path/name` -> `name`); `-` without one. */
export function roleName(roleArn: string | undefined): string {
  if (!roleArn) {
    return '-';
  }
  const resource = roleArn.split(':').slice(5).join(':');
  return resource.split('/').pop()?.slice(0, 64) || '-';
}

function clip(value: string | undefined): string | null {
  return value === undefined ? null : value.slice(0, 256);
}
