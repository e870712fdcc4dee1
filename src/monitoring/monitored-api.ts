// What the monitoring constructs read of an API (and, through `IDecisionMetrics` in authorizer/metrics.ts, of its authorizer). They take these interfaces,
// never the concrete `SecuredApi` or `TokenAuthorizer` (which create them), as cdk-monitoring-constructs'
// ApiGatewayMetricFactory takes `IRestApi`: that keeps monitoring reusable and free of import circles.
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';
import { IDecisionMetrics } from '../authorizer/metrics';

/**
 * An API as `SecuredApiDashboard`, `SecuredApiAlarms`, `SecuredApiAuditQueries` and
 * `SecuredApiStsEvents` read it: its name, its stage's metrics, its access log, its authorizer and
 * its caller roles. `SecuredApi` implements it; `MonitoredRestApi` makes one of a REST API of your
 * own guarded by a `TokenAuthorizer`.
 *
 * Its construct path names the API in alarm descriptions.
 */
export interface IMonitoredApi extends IConstruct {
  /**
   * The API's name (API Gateway's `ApiName` dimension): the default folder of the saved queries is
   * `cdk-secured-api/<apiName>`.
   */
  readonly apiName: string;

  /**
   * The decisions of the authorizer guarding the API's routes (for a `SecuredApi`, its
   * `authorizer`).
   */
  readonly decisionMetrics: IDecisionMetrics;

  /**
   * The stage's access log group, JSON lines with the fields `status` and `clientId` (the
   * authorizer context's `clientId`), which the dashboard's "requests and error rate by client" and
   * the saved query `requests-of-client` read.
   */
  readonly accessLogGroup: logs.ILogGroup;

  /**
   * How long the API keeps its audit logs: `SecuredApiStsEvents` keeps STS's records as long by
   * default.
   */
  readonly auditRetention: logs.RetentionDays;

  /**
   * The ARNs of the API's caller roles (none for an API without them), read when the app is
   * synthesized: `SecuredApiStsEvents` records STS exchanges for these roles.
   */
  readonly callerRoleArns: string[];

  /**
   * The log groups the handlers of the API's caller-role routes write their exchange audit lines to
   * (none for an API without caller roles), read when the app is synthesized by the saved exchange
   * queries.
   */
  readonly exchangeLogGroupNames: string[];

  /**
   * Requests to the API's stage (`Count`).
   *
   * @default - sample count over 5 minutes
   */
  metricCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * Requests answered 4XX (`4XXError`).
   *
   * @default - sum over 5 minutes
   */
  metricClientError(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * Requests answered 5XX (`5XXError`).
   *
   * @default - sum over 5 minutes
   */
  metricServerError(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * The share of requests answered 5XX, a fraction from 0 to 1 (what the `serverErrorRate` alarm
   * reads): for a REST API the `Average` of `5XXError`, which AWS documents as that rate; where AWS
   * documents no such statistic (HTTP APIs' `5xx`), errors divided by requests.
   *
   * @default - over 5 minutes
   */
  metricServerErrorRate(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;

  /**
   * Time from receiving a request to answering it, in milliseconds (`Latency`).
   *
   * @default - average over 5 minutes
   */
  metricLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * Time the backends took, in milliseconds (`IntegrationLatency`).
   *
   * @default - average over 5 minutes
   */
  metricIntegrationLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}
