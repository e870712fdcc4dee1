import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AuthorizerDecision, DecisionReason } from '../authorizer/metrics';
import { validationError } from '../errors';
import { IMonitoredApi } from './monitored-api';

/**
 * When one alarm fires: its threshold and how many periods of which length must breach it.
 * Missing data never breaches.
 */
export interface AlarmThresholdOptions {
  /**
   * Whether to create the alarm.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * The value the alarm compares its metric with (the unit depends on the alarm).
   *
   * @default - the alarm's own default (see `SecuredApiAlarmsOptions`)
   */
  readonly threshold?: number;

  /**
   * How many of the latest periods the alarm looks at.
   *
   * @default - the alarm's own default (see `SecuredApiAlarmsOptions`)
   */
  readonly evaluationPeriods?: number;

  /**
   * How many of those periods must breach for the alarm to fire ("M out of N"); at most
   * `evaluationPeriods`.
   *
   * @default - the alarm's own default (see `SecuredApiAlarmsOptions`), or `evaluationPeriods` when that is fewer
   */
  readonly datapointsToAlarm?: number;

  /**
   * The length of one period: a whole number of minutes.
   *
   * @default - the alarm's own default (see `SecuredApiAlarmsOptions`)
   */
  readonly period?: Duration;
}

/**
 * When the alarm on the share of 401s among the authorizer's decisions fires.
 */
export interface UnauthorizedShareAlarmOptions extends AlarmThresholdOptions {
  /**
   * The fewest decisions in one period for the share of 401s to count: a period with fewer is
   * taken as 0 %, so a trickle of requests (one stray 401 at night is 100 %) never fires the alarm.
   *
   * @default 20
   */
  readonly minimumDecisions?: number;
}

/**
 * The composite "authentication health" alarm.
 */
export interface AuthenticationHealthAlarmOptions {
  /**
   * Whether to create the composite alarm. It is never created when none of the authorizer's
   * alarms is.
   *
   * @default true
   */
  readonly enabled?: boolean;
}

/**
 * The alarms of a `SecuredApi`: which ones, when each fires, and whom they notify.
 *
 * Every alarm treats missing data as not breaching: no traffic never pages anyone.
 */
export interface SecuredApiAlarmsOptions {
  /**
   * The share of the stage's requests answered 5XX, a fraction from 0 to 1 (the API's
   * `metricServerErrorRate`: `5XXError` `Average` on a REST API, `5xx` / `Count` on an HTTP API).
   *
   * @default - above 0.05 in 3 of 3 periods of 1 minute
   */
  readonly serverErrorRate?: AlarmThresholdOptions;

  /**
   * The stage's p90 latency in milliseconds (`Latency`, the authorizer's time included): AWS's
   * recommended alarm for REST APIs.
   *
   * @default - at or above 2500 ms in 5 of 5 periods of 1 minute
   */
  readonly latencyP90?: AlarmThresholdOptions;

  /**
   * Failed invocations of the authorizer function (crashes, timeouts, out of memory, init
   * failures). Every 401 is a rejected invocation (`Error('Unauthorized')`) that Lambda counts in
   * `Errors`, so the alarm counts `Errors` less the authorizer's 401 decisions.
   *
   * @default - above 0 in 3 of 3 periods of 1 minute
   */
  readonly authorizerErrors?: AlarmThresholdOptions;

  /**
   * Throttled invocations of the authorizer function (API Gateway answers those requests 500).
   *
   * @default - above 0 in 5 of 5 periods of 1 minute
   */
  readonly authorizerThrottles?: AlarmThresholdOptions;

  /**
   * Failed fetches of the issuer's signing keys (JWKS). The authorizer keeps the last good keys,
   * so one failure is not an outage; failures that go on are.
   *
   * @default - above 0 in 2 of 3 periods of 5 minutes
   */
  readonly jwksFetchFailures?: AlarmThresholdOptions;

  /**
   * Decisions with reason `internal_error`: the authorizer failed closed (an unusable
   * configuration, which refuses every request, or an unexpected error).
   *
   * @default - above 0 in 1 of 1 period of 5 minutes
   */
  readonly failClosedDecisions?: AlarmThresholdOptions;

  /**
   * The share of the authorizer's decisions that are 401s, in percent (0 to 100), counted only in
   * periods with at least `minimumDecisions` decisions.
   *
   * @default - above 25 % in 2 of 3 periods of 5 minutes with at least 20 decisions each
   */
  readonly unauthorizedShare?: UnauthorizedShareAlarmOptions;

  /**
   * The composite "authentication health" alarm: in ALARM while any of the authorizer's alarms
   * (errors, throttles, JWKS failures, fail-closed decisions, 401 share) is.
   *
   * @default - created when any of those alarms is
   */
  readonly authenticationHealth?: AuthenticationHealthAlarmOptions;

  /**
   * A topic notified when any alarm, the composite included, goes into ALARM and back to OK. For
   * other actions, call `addAlarmAction` on the alarms of `SecuredApiAlarms.alarms`.
   *
   * @default - no notifications
   */
  readonly topic?: sns.ITopic;
}

/**
 * Props of `SecuredApiAlarms`.
 */
export interface SecuredApiAlarmsProps extends SecuredApiAlarmsOptions {
  /** The API to watch: a `SecuredApi`, or a `MonitoredRestApi` for a REST API of your own. */
  readonly api: IMonitoredApi;
}

/** The settings of one alarm once its defaults are applied. */
interface Settings {
  readonly threshold: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly period: Duration;
}

/** What a threshold of one alarm may be: `min <= threshold < max`, or `> min` when `minExclusive`. */
interface ThresholdRange {
  readonly min: number;
  readonly minExclusive?: boolean;
  readonly max?: number;
  readonly unit: string;
}

const COUNT: ThresholdRange = { min: 0, unit: 'a count' };

// AWS's recommended alarms for API Gateway REST APIs (5XXError and Latency by ApiName and Stage):
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Best_Practice_Recommended_Alarms_AWS_Services.html#ApiGateway
const SERVER_ERROR_RATE: Settings = { threshold: 0.05, evaluationPeriods: 3, datapointsToAlarm: 3, period: Duration.minutes(1) };
const LATENCY_P90: Settings = { threshold: 2500, evaluationPeriods: 5, datapointsToAlarm: 5, period: Duration.minutes(1) };
// Ours. The authorizer refuses every request it cannot serve, so each of these is worth a look; the
// periods trade paging speed for tolerance of one transient blip.
const AUTHORIZER_ERRORS: Settings = { threshold: 0, evaluationPeriods: 3, datapointsToAlarm: 3, period: Duration.minutes(1) };
const AUTHORIZER_THROTTLES: Settings = { threshold: 0, evaluationPeriods: 5, datapointsToAlarm: 5, period: Duration.minutes(1) };
// Keys are fetched at cold start, on an unknown kid and on refresh, not per request: failures come
// sparse even when the endpoint is down, hence 5-minute periods.
const JWKS_FETCH_FAILURES: Settings = { threshold: 0, evaluationPeriods: 3, datapointsToAlarm: 2, period: Duration.minutes(5) };
const FAIL_CLOSED_DECISIONS: Settings = { threshold: 0, evaluationPeriods: 1, datapointsToAlarm: 1, period: Duration.minutes(5) };
const UNAUTHORIZED_SHARE: Settings = { threshold: 25, evaluationPeriods: 3, datapointsToAlarm: 2, period: Duration.minutes(5) };
const DEFAULT_MINIMUM_DECISIONS = 20;

/** CloudWatch refuses an alarm whose periods span more than a day. */
const MAX_EVALUATION_SECONDS = 86_400;

/**
 * CloudWatch alarms for a `SecuredApi` (or any `IMonitoredApi`), with the defaults AWS recommends for REST APIs where it
 * recommends any: the API's 5XX rate and p90 latency; the authorizer function's errors and
 * throttles; JWKS fetch failures; fail-closed (`internal_error`) decisions; a spike in the share of
 * 401s among decisions, guarded by a minimum of traffic; and a composite "authentication health"
 * alarm over the authorizer's alarms. Each alarm can be tuned or disabled; missing data never
 * breaches. Each alarm's description says what it means and what to do first.
 *
 * @example
 * new SecuredApiAlarms(this, 'Alarms', { api, topic: onCall, latencyP90: { threshold: 1000 } });
 */
export class SecuredApiAlarms extends Construct {
  /** The 5XX rate of the API's stage. */
  public readonly serverErrorRate?: cloudwatch.Alarm;

  /** The p90 latency of the API's stage. */
  public readonly latencyP90?: cloudwatch.Alarm;

  /** Failed invocations of the authorizer function, its 401s left out. */
  public readonly authorizerErrors?: cloudwatch.Alarm;

  /** Throttled invocations of the authorizer function. */
  public readonly authorizerThrottles?: cloudwatch.Alarm;

  /** Failed fetches of the issuer's signing keys. */
  public readonly jwksFetchFailures?: cloudwatch.Alarm;

  /** Decisions with reason `internal_error` (the authorizer failing closed). */
  public readonly failClosedDecisions?: cloudwatch.Alarm;

  /** The share of 401s among the authorizer's decisions, above a minimum of traffic. */
  public readonly unauthorizedShare?: cloudwatch.Alarm;

  /** In ALARM while any of the authorizer's alarms is. */
  public readonly authenticationHealth?: cloudwatch.CompositeAlarm;

  /**
   * Every alarm created, the composite last: for an alarm status widget, or to add other actions
   * (`addAlarmAction`) to all of them.
   */
  public readonly alarms: cloudwatch.AlarmBase[];

  private readonly topicAction?: cloudwatch.IAlarmAction;

  constructor(scope: Construct, id: string, props: SecuredApiAlarmsProps) {
    super(scope, id);
    const { api } = props;
    const where = this.node.path;
    const apiPath = api.node.path;
    this.topicAction = props.topic ? new actions.SnsAction(props.topic) : undefined;

    this.serverErrorRate = this.alarm('ServerErrorRate', 'serverErrorRate', props.serverErrorRate, SERVER_ERROR_RATE,
      { min: 0, max: 1, unit: 'a fraction of requests from 0 to 1 (0.05 is 5 %)' },
      cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      (period) => api.metricServerErrorRate({ period }),
      `${apiPath}: the share of requests answered 5XX is high. API Gateway or a backend is failing. `
      + 'First: the access log (status and integration error), then the errors and logs of the backend functions of the routes concerned.');

    this.latencyP90 = this.alarm('LatencyP90', 'latencyP90', props.latencyP90, LATENCY_P90,
      { min: 0, minExclusive: true, unit: 'milliseconds' },
      cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      (period) => api.metricLatency({ statistic: 'p90', period }),
      `${apiPath}: the p90 latency of the API is high (the authorizer's time included). `
      + 'First: compare IntegrationLatency (the backends) with the authorizer\'s DecisionLatency and Duration to see which side is slow.');

    const fn = api.decisionMetrics.function;
    this.authorizerErrors = this.alarm('AuthorizerErrors', 'authorizerErrors', props.authorizerErrors, AUTHORIZER_ERRORS, COUNT,
      cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      (period) => new cloudwatch.MathExpression({
        // Every 401 is a rejected invocation that Lambda counts as an error; what is left failed.
        expression: 'errors - FILL(unauthorized, 0)',
        usingMetrics: {
          errors: fn.metricErrors({ statistic: 'Sum', period }),
          unauthorized: api.decisionMetrics.metricDecisions({ decision: AuthorizerDecision.UNAUTHORIZED, period }),
        },
        label: 'Authorizer invocations failed (401s left out)',
        period,
      }),
      `${apiPath}: authorizer invocations are failing (crash, timeout, out of memory or init failure), 401s left out. `
      + 'Callers get 500s. First: the authorizer function\'s log for errors, timeouts and REPORT lines, and its most recent deployment.');

    this.authorizerThrottles = this.alarm('AuthorizerThrottles', 'authorizerThrottles', props.authorizerThrottles, AUTHORIZER_THROTTLES, COUNT,
      cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      (period) => fn.metricThrottles({ statistic: 'Sum', period }),
      `${apiPath}: the authorizer function is throttled; API Gateway answers those requests 500. `
      + 'First: the account\'s concurrent executions and the function\'s reserved concurrency; raise the limit or the authorizer cache TTL.');

    this.jwksFetchFailures = this.alarm('JwksFetchFailures', 'jwksFetchFailures', props.jwksFetchFailures, JWKS_FETCH_FAILURES, COUNT,
      cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      (period) => api.decisionMetrics.metricJwksFetchFailures({ period }),
      `${apiPath}: the authorizer cannot fetch the issuer's signing keys (JWKS); new containers refuse every token (jwks_unavailable) and rotated keys are missed. `
      + 'First: check the issuer\'s JWKS endpoint (it must answer 200 with a key set, without redirects) and the function\'s network egress (VPC, NAT, proxy).');

    this.failClosedDecisions = this.alarm('FailClosedDecisions', 'failClosedDecisions', props.failClosedDecisions, FAIL_CLOSED_DECISIONS, COUNT,
      cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      (period) => api.decisionMetrics.metricDecisionsByReason(DecisionReason.INTERNAL_ERROR, { period }),
      `${apiPath}: the authorizer failed closed (reason internal_error) and answered 401. `
      + 'First: read the authorizer log\'s config_error line (an unusable configuration refuses every request) or the error of the internal_error decisions.');

    const share = props.unauthorizedShare;
    const minimumDecisions = this.minimumDecisions(where, share?.minimumDecisions);
    this.unauthorizedShare = this.alarm('UnauthorizedShare', 'unauthorizedShare', share, UNAUTHORIZED_SHARE,
      { min: 0, max: 100, unit: 'a percentage from 0 to 100' },
      cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      (period) => new cloudwatch.MathExpression({
        expression: `IF(decisions >= ${minimumDecisions}, 100 * FILL(unauthorized, 0) / decisions, 0)`,
        usingMetrics: {
          unauthorized: api.decisionMetrics.metricDecisions({ decision: AuthorizerDecision.UNAUTHORIZED, period }),
          decisions: api.decisionMetrics.metricDecisions({ period }),
        },
        label: `401s among decisions (%, periods with at least ${minimumDecisions} decisions)`,
        period,
      }),
      `${apiPath}: the share of 401s among the authorizer's decisions is high. `
      + 'First: the reason codes of the 401s (Decisions by Reason, or the audit log): issuer_mismatch, audience_mismatch or unknown_kid across all callers '
      + 'point at a configuration or key rotation change; one client_id or sub points at a broken or hostile client.');

    const authorizerAlarms = [
      this.authorizerErrors, this.authorizerThrottles, this.jwksFetchFailures, this.failClosedDecisions, this.unauthorizedShare,
    ].filter((a): a is cloudwatch.Alarm => a !== undefined);
    if (this.enabled(where, 'authenticationHealth', props.authenticationHealth?.enabled) && authorizerAlarms.length > 0) {
      const health = new cloudwatch.CompositeAlarm(this, 'AuthenticationHealth', {
        alarmRule: cloudwatch.AlarmRule.anyOf(...authorizerAlarms.map((a) => cloudwatch.AlarmRule.fromAlarm(a, cloudwatch.AlarmState.ALARM))),
        alarmDescription: `${apiPath}: authentication is unhealthy: one of the authorizer's alarms is in ALARM. First: see which one; its description says what to do.`,
      });
      this.notify(health);
      this.authenticationHealth = health;
    }

    this.alarms = [this.serverErrorRate, this.latencyP90, ...authorizerAlarms, this.authenticationHealth]
      .filter((a): a is cloudwatch.Alarm | cloudwatch.CompositeAlarm => a !== undefined);
  }

  /** One metric alarm with its options checked and its defaults applied, or none when disabled. */
  private alarm(
    id: string,
    name: string,
    options: AlarmThresholdOptions | undefined,
    defaults: Settings,
    range: ThresholdRange,
    comparisonOperator: cloudwatch.ComparisonOperator,
    metric: (period: Duration) => cloudwatch.IMetric,
    description: string,
  ): cloudwatch.Alarm | undefined {
    const where = this.node.path;
    if (!this.enabled(where, name, options?.enabled)) {
      return undefined;
    }
    const settings = settingsOf(this, name, options ?? {}, defaults, range);
    const alarm = new cloudwatch.Alarm(this, id, {
      metric: metric(settings.period),
      threshold: settings.threshold,
      evaluationPeriods: settings.evaluationPeriods,
      datapointsToAlarm: settings.datapointsToAlarm,
      comparisonOperator,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    this.notify(alarm);
    return alarm;
  }

  private notify(alarm: cloudwatch.AlarmBase): void {
    if (this.topicAction) {
      alarm.addAlarmAction(this.topicAction);
      alarm.addOkAction(this.topicAction);
    }
  }

  private enabled(where: string, name: string, enabled: boolean | undefined): boolean {
    if (enabled !== undefined && typeof enabled !== 'boolean') {
      throw validationError('SecuredApiAlarms.EnabledNotBoolean', `${where}: ${name}.enabled ${JSON.stringify(enabled)} is not a boolean; pass true or false.`, this);
    }
    return enabled ?? true;
  }

  private minimumDecisions(where: string, value: number | undefined): number {
    if (value === undefined) {
      return DEFAULT_MINIMUM_DECISIONS;
    }
    if (Token.isUnresolved(value)) {
      throw validationError('SecuredApiAlarms.UnresolvedMinimumDecisions', `${where}: unauthorizedShare.minimumDecisions is not known at synth; pass a literal number, so that it can be checked.`, this);
    }
    if (!isLiteralNumber(value) || !Number.isInteger(value) || value < 1) {
      throw validationError('SecuredApiAlarms.InvalidMinimumDecisions', `${where}: unauthorizedShare.minimumDecisions ${show(value)} is not a whole number of at least 1; `
        + 'pass the fewest decisions per period for the share of 401s to count.', this);
    }
    return value;
  }
}

function settingsOf(scope: Construct, name: string, options: AlarmThresholdOptions, defaults: Settings, range: ThresholdRange): Settings {
  const where = scope.node.path;
  const threshold = options.threshold ?? defaults.threshold;
  const evaluationPeriods = options.evaluationPeriods ?? defaults.evaluationPeriods;
  // A smaller N than the default M would otherwise fail for a reason the caller did not write.
  const datapointsToAlarm = options.datapointsToAlarm ?? Math.min(defaults.datapointsToAlarm, evaluationPeriods);
  const period = options.period ?? defaults.period;

  for (const [key, value] of Object.entries({ threshold, evaluationPeriods, datapointsToAlarm })) {
    if (Token.isUnresolved(value)) {
      throw validationError('SecuredApiAlarms.UnresolvedSetting', `${where}: ${name}.${key} is not known at synth; pass a literal number, so that it can be checked.`, scope);
    }
  }
  const below = range.minExclusive ? threshold <= range.min : threshold < range.min;
  const above = range.max !== undefined && threshold >= range.max;
  if (!isLiteralNumber(threshold) || below || above) {
    const bounds = range.max !== undefined ? `from ${range.min} up to (not including) ${range.max}` : `${range.minExclusive ? 'above' : 'at least'} ${range.min}`;
    throw validationError('SecuredApiAlarms.ThresholdOutOfRange', `${where}: ${name}.threshold ${show(threshold)} is out of range; pass ${range.unit}, ${bounds}.`, scope);
  }
  if (!isLiteralNumber(evaluationPeriods) || !Number.isInteger(evaluationPeriods) || evaluationPeriods < 1) {
    throw validationError('SecuredApiAlarms.InvalidEvaluationPeriods', `${where}: ${name}.evaluationPeriods ${show(evaluationPeriods)} is not a whole number of at least 1.`, scope);
  }
  if (!isLiteralNumber(datapointsToAlarm) || !Number.isInteger(datapointsToAlarm) || datapointsToAlarm < 1 || datapointsToAlarm > evaluationPeriods) {
    throw validationError('SecuredApiAlarms.InvalidDatapointsToAlarm', `${where}: ${name}.datapointsToAlarm ${show(datapointsToAlarm)} must be a whole number from 1 to evaluationPeriods (${evaluationPeriods}); `
      + 'it is how many of the evaluated periods must breach.', scope);
  }
  if (period.isUnresolved()) {
    throw validationError('SecuredApiAlarms.UnresolvedPeriod', `${where}: ${name}.period is not known at synth; pass a literal Duration of whole minutes.`, scope);
  }
  const seconds = period.toSeconds({ integral: false });
  if (seconds < 60 || seconds % 60 !== 0) {
    throw validationError('SecuredApiAlarms.PeriodNotWholeMinutes', `${where}: ${name}.period ${period.toHumanString()} is not a whole number of minutes; `
      + 'these metrics have one-minute resolution, so pass e.g. Duration.minutes(1) or Duration.minutes(5).', scope);
  }
  if (seconds * evaluationPeriods > MAX_EVALUATION_SECONDS) {
    throw validationError('SecuredApiAlarms.EvaluationLongerThanADay', `${where}: ${name} evaluates ${evaluationPeriods} periods of ${period.toHumanString()}, more than the one day CloudWatch allows; `
      + 'lower evaluationPeriods or period.', scope);
  }
  return { threshold, evaluationPeriods, datapointsToAlarm, period };
}

function isLiteralNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function show(value: unknown): string {
  return typeof value === 'number' ? String(value) : JSON.stringify(value) ?? String(value);
}
