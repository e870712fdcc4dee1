import { Duration, Lazy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { IMonitoredApi } from './monitored-api';
import { DENY_REASONS, REASON_CLIENT_UNDECLARED, UNAUTHORIZED_REASONS } from '../authorizer/contract';
import { AuthorizerDecision, DecisionReason } from '../authorizer/metrics';
import {
  DIMENSION_EXCHANGE_OUTCOME, DIMENSION_EXCHANGE_ROLE, DIMENSION_EXCHANGE_SERVICE,
  EXCHANGE_METRICS_NAMESPACE, METRIC_EXCHANGE_LATENCY, METRIC_EXCHANGES,
} from '../runtime/contract';

/** CloudWatch dashboards are 24 grid units wide. */
const FULL_WIDTH = 24;
const HEADLINE_HEIGHT = 4;
const GRAPH_HEIGHT = 6;
const TABLE_HEIGHT = 8;

/** Every Logs Insights query over the authorizer's log starts here: decision lines only. */
const DENIED_DECISIONS = 'filter type = "authz_decision" and decision != "allow"';

/**
 * Options of a `SecuredApiDashboard`, as `SecuredApi` takes them too.
 */
export interface SecuredApiDashboardOptions {
  /**
   * The dashboard's name: letters, digits, `-` and `_`.
   *
   * @default - a name CloudFormation generates
   */
  readonly dashboardName?: string;

  /**
   * The period of every metric on the dashboard. When set, the dashboard keeps it at every time
   * range (`periodOverride: inherit`) instead of letting CloudWatch widen it for long ranges.
   *
   * @default - 5 minutes, widened by CloudWatch for long time ranges
   */
  readonly period?: Duration;

  /**
   * Alarms to show in an alarm status widget in the headline row, e.g. those of
   * `SecuredApiAlarms`.
   *
   * @default - no alarm status widget
   */
  readonly alarms?: cloudwatch.IAlarm[];

  /**
   * Widgets appended below the built-in ones, one row each: pass a `cloudwatch.Row` to put several
   * side by side.
   *
   * @default - none
   */
  readonly extraWidgets?: cloudwatch.IWidget[];
}

/**
 * Properties of a `SecuredApiDashboard`.
 */
export interface SecuredApiDashboardProps extends SecuredApiDashboardOptions {
  /**
   * The API to show: a `SecuredApi`, or a `MonitoredRestApi` for a REST API of your own.
   */
  readonly api: IMonitoredApi;
}

/**
 * A CloudWatch dashboard of a `SecuredApi` (or any `IMonitoredApi`): who is let in, who is turned away and why.
 *
 * Rows, top to bottom:
 * - headline: requests, 4XX and 5XX rates (%), p99 latency, allowed / denied / unauthorized
 *   decisions over the dashboard's time range, and the status of `alarms` when there are any;
 * - traffic: requests and errors, latency and integration latency (p50, p90, p99);
 * - authorization: decisions by outcome, 401s by reason and 403s by reason (every reason code);
 * - authorizer: decision latency, the function's duration, its errors, throttles and concurrency,
 *   JWKS fetches and failures;
 * - Logs Insights tables over the authorizer's decision log: the clients and subjects denied most,
 *   with their reasons, and denials by route; over the access log: requests and error rate per
 *   client;
 * - the latest denials;
 * - then `extraWidgets`, one row each.
 *
 * Its size does not depend on the number of routes: clients, subjects and routes are never metric
 * dimensions, and are read from the logs. Its widgets are a fixed few, and its largest graph has
 * one metric per 401 reason code, well within CloudWatch's 500 widgets per dashboard and 100
 * metrics per graph.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html
 */
export class SecuredApiDashboard extends Construct {
  /** The CloudWatch dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;

  private readonly api: IMonitoredApi;
  private readonly period?: Duration;
  private readonly callerRoles: iam.IRole[] = [];

  constructor(scope: Construct, id: string, props: SecuredApiDashboardProps) {
    super(scope, id);
    this.api = props.api;
    this.period = props.period;

    this.dashboard = new cloudwatch.Dashboard(this, 'Resource', {
      dashboardName: props.dashboardName,
      periodOverride: props.period === undefined ? undefined : cloudwatch.PeriodOverride.INHERIT,
    });

    this.dashboard.addWidgets(...this.headlineRow(props.alarms ?? []));
    this.dashboard.addWidgets(...this.trafficRow());
    this.dashboard.addWidgets(...this.authorizationRow());
    this.dashboard.addWidgets(...this.authorizerRow());
    this.dashboard.addWidgets(...this.logsRow());
    this.dashboard.addWidgets(this.latestDenials());
    for (const widget of props.extraWidgets ?? []) {
      this.dashboard.addWidgets(widget);
    }
  }

  /**
   * Shows the exchanges of a caller role (`SecuredApi.addCallerRole` calls this) in a row of
   * "role exchanges by role and outcome", from the metrics the `cdk-secured-api/runtime` helpers
   * publish (`Exchanges` by `Role` and `Outcome`). The row appears with the first role; a dashboard
   * of an API without caller roles has none rather than an empty one. One search expression covers
   * every role, so the row does not grow with them.
   */
  public addCallerRole(role: iam.IRole): void {
    if (this.callerRoles.length === 0) {
      const period = (this.period ?? Duration.minutes(5)).toSeconds();
      const search = (metric: string, statistic: string) => new cloudwatch.MathExpression({
        expression: Lazy.string({
          produce: () => {
            const roles = this.callerRoles.map((r) => `Role="${r.roleName}"`).join(' OR ');
            return `SEARCH('{${EXCHANGE_METRICS_NAMESPACE},${DIMENSION_EXCHANGE_OUTCOME},${DIMENSION_EXCHANGE_ROLE},${DIMENSION_EXCHANGE_SERVICE}} `
              + `MetricName="${metric}" (${roles})', '${statistic}', ${period})`;
          },
        }),
        label: '',
        period: Duration.seconds(period),
      });
      this.dashboard.addWidgets(
        this.graph('Role exchanges by role and outcome', [search(METRIC_EXCHANGES, 'Sum')], 12),
        this.graph('Role exchange latency (ms, p90)', [search(METRIC_EXCHANGE_LATENCY, 'p90')], 12),
      );
    }
    this.callerRoles.push(role);
  }

  private headlineRow(alarms: cloudwatch.IAlarm[]): cloudwatch.IWidget[] {
    const api = this.api;
    const requests = api.metricCount(this.options({ label: 'Requests' }));
    // Each expression names its errors metric apart: ids are shared by every metric of a widget.
    const rate = (label: string, id: string, errors: cloudwatch.IMetric) => new cloudwatch.MathExpression({
      label,
      expression: `100 * ${id} / requests`,
      usingMetrics: { [id]: errors, requests },
      period: this.period,
    });
    const decisions = (label: string, decision: AuthorizerDecision) =>
      api.decisionMetrics.metricDecisions(this.options({ label, decision }));

    const widgets: cloudwatch.IWidget[] = [
      new cloudwatch.SingleValueWidget({
        title: 'API',
        metrics: [
          requests,
          rate('4XX rate (%)', 'clientErrors', api.metricClientError(this.options())),
          rate('5XX rate (%)', 'serverErrors', api.metricServerError(this.options())),
          api.metricLatency(this.options({ label: 'p99 latency (ms)', statistic: 'p99' })),
        ],
        setPeriodToTimeRange: true,
        width: 10,
        height: HEADLINE_HEIGHT,
      }),
      new cloudwatch.SingleValueWidget({
        title: 'Authorizer decisions',
        metrics: [
          decisions('Allowed', AuthorizerDecision.ALLOW),
          decisions('Denied (403)', AuthorizerDecision.DENY),
          decisions('Unauthorized (401)', AuthorizerDecision.UNAUTHORIZED),
        ],
        setPeriodToTimeRange: true,
        width: 8,
        height: HEADLINE_HEIGHT,
      }),
    ];
    if (alarms.length > 0) {
      widgets.push(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms, width: 6, height: HEADLINE_HEIGHT }));
    }
    return widgets;
  }

  private trafficRow(): cloudwatch.IWidget[] {
    const api = this.api;
    return [
      this.graph('Requests and errors', [
        api.metricCount(this.options({ label: 'Requests' })),
        api.metricClientError(this.options({ label: '4XX' })),
        api.metricServerError(this.options({ label: '5XX' })),
      ]),
      this.graph('Latency (ms)', this.percentiles((o) => api.metricLatency(o))),
      this.graph('Integration latency (ms)', this.percentiles((o) => api.metricIntegrationLatency(o))),
    ];
  }

  private authorizationRow(): cloudwatch.IWidget[] {
    const authorizer = this.api.decisionMetrics;
    const byReason = (reasons: readonly string[]) => reasons.map((reason) =>
      authorizer.metricDecisionsByReason(reason as DecisionReason, this.options({ label: reason })));
    return [
      this.graph('Decisions by outcome', Object.values(AuthorizerDecision).map((decision) =>
        authorizer.metricDecisions(this.options({ label: decision, decision }))), 6),
      this.graph('401s by reason', byReason(UNAUTHORIZED_REASONS), 9),
      // client_undeclared only where per-client quotas refuse undeclared clients: no other authorizer emits it.
      this.graph('403s by reason', byReason(DENY_REASONS.filter((r) => r !== REASON_CLIENT_UNDECLARED || authorizer.refusesUndeclaredClients)), 9),
    ];
  }

  private authorizerRow(): cloudwatch.IWidget[] {
    const authorizer = this.api.decisionMetrics;
    const fn = authorizer.function;
    return [
      this.graph('Decision latency (ms)', this.percentiles((o) => authorizer.metricDecisionLatency(o)), 6),
      this.graph('Authorizer duration (ms)', this.percentiles((o) => fn.metricDuration(o)), 6),
      this.graph('Authorizer errors, throttles and concurrency', [
        fn.metricErrors(this.options({ label: 'Errors' })),
        fn.metricThrottles(this.options({ label: 'Throttles' })),
        fn.metric('ConcurrentExecutions', this.options({ label: 'Concurrent executions', statistic: 'Maximum' })),
      ], 6),
      this.graph('JWKS fetches', [
        authorizer.metricJwksFetches(this.options({ label: 'Fetches' })),
        authorizer.metricJwksFetchFailures(this.options({ label: 'Failures' })),
      ], 6),
    ];
  }

  private logsRow(): cloudwatch.IWidget[] {
    const decisionLog = [this.api.decisionMetrics.logGroup.logGroupName];
    return [
      this.table('Most denied clients and subjects', decisionLog, [
        DENIED_DECISIONS,
        'stats count(*) as denials by client_id, sub, reason',
        'sort denials desc',
        'limit 20',
      ], 9),
      this.table('Denials by route', decisionLog, [
        DENIED_DECISIONS,
        'stats count(*) as denials by route, reason',
        'sort denials desc',
        'limit 20',
      ], 6),
      // clientId is the authorizer's context value: "-" for a token naming no client (in the issuer
      // profile's client claims), and for
      // requests it turned away with a 401 (API Gateway's placeholder for a missing value).
      this.table('Requests and error rate by client', [this.api.accessLogGroup.logGroupName], [
        'stats count(*) as requests, sum(status >= 400) as errors, sum(status >= 500) as serverErrors,'
          + ' 100 * sum(status >= 400) / count(*) as errorRatePct by clientId',
        'sort requests desc',
        'limit 20',
      ], 9),
    ];
  }

  private latestDenials(): cloudwatch.IWidget {
    return this.table('Latest denials', [this.api.decisionMetrics.logGroup.logGroupName], [
      'fields @timestamp, decision, reason, client_id, sub, route',
      DENIED_DECISIONS,
      'sort @timestamp desc',
      'limit 50',
    ], FULL_WIDTH);
  }

  /** p50, p90 and p99 of one metric. */
  private percentiles(metric: (options: cloudwatch.MetricOptions) => cloudwatch.IMetric): cloudwatch.IMetric[] {
    return ['p50', 'p90', 'p99'].map((statistic) => metric(this.options({ label: statistic, statistic })));
  }

  private graph(title: string, left: cloudwatch.IMetric[], width = 8): cloudwatch.GraphWidget {
    return new cloudwatch.GraphWidget({ title, left, width, height: GRAPH_HEIGHT, period: this.period });
  }

  private table(title: string, logGroupNames: string[], queryLines: string[], width: number): cloudwatch.LogQueryWidget {
    return new cloudwatch.LogQueryWidget({
      title,
      logGroupNames,
      queryLines,
      view: cloudwatch.LogQueryVisualizationType.TABLE,
      width,
      height: TABLE_HEIGHT,
    });
  }

  /** Metric options with the dashboard's period, when it has one. */
  private options<T extends cloudwatch.MetricOptions>(options: T = {} as T): T {
    return this.period === undefined ? options : { ...options, period: this.period };
  }
}
