import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { validationError } from '../errors';
import { IMonitoredApi } from './monitored-api';
import { IDecisionMetrics } from '../authorizer/metrics';

/**
 * Properties of a `MonitoredRestApi`.
 */
export interface MonitoredRestApiProps {
  /** The REST API. */
  readonly restApi: apigateway.IRestApi;

  /** The authorizer guarding its methods, e.g. a `TokenAuthorizer`. */
  readonly authorizer: IDecisionMetrics;

  /**
   * The log group of the stage's access logs. The dashboard's "requests and error rate by client"
   * table and the saved query `requests-of-client` read JSON lines with the fields `status`
   * (`$context.status`) and `clientId` (`$context.authorizer.clientId`).
   */
  readonly accessLogGroup: logs.ILogGroup;

  /**
   * The stage whose metrics (`ApiName` and `Stage` dimensions) are shown and alarmed on.
   *
   * @default - the REST API's `deploymentStage` (synth fails when it has none)
   */
  readonly stage?: apigateway.IStage;

  /**
   * The API's name as API Gateway's metrics carry it (`ApiName`), and the saved queries' default
   * folder: set it for a REST API imported with `RestApi.fromRestApiId`, whose `restApiName` is not
   * its name.
   *
   * @default - the REST API's `restApiName`
   */
  readonly apiName?: string;

  /**
   * How long the API keeps its audit logs, the default retention of a `SecuredApiStsEvents`.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly auditRetention?: logs.RetentionDays;
}

/**
 * A REST API of your own (an `apigateway.RestApi` whose methods use a `TokenAuthorizer`) as the
 * monitoring constructs read it: pass it as the `api` of `SecuredApiDashboard`, `SecuredApiAlarms`
 * or `SecuredApiAuditQueries`. It creates no resource.
 *
 * Its stage metrics are `AWS/ApiGateway` metrics by `ApiName` and `Stage`, as a `SecuredApi`'s are.
 * It has no caller roles.
 *
 * @example
 * const monitored = new MonitoredRestApi(this, 'Monitored', { restApi, authorizer, accessLogGroup });
 * const alarms = new SecuredApiAlarms(this, 'Alarms', { api: monitored });
 * new SecuredApiDashboard(this, 'Dashboard', { api: monitored, alarms: alarms.alarms });
 */
export class MonitoredRestApi extends Construct implements IMonitoredApi {
  /** The REST API's name (`ApiName`). */
  public readonly apiName: string;

  /** The decisions of the authorizer guarding the API's methods. */
  public readonly decisionMetrics: IDecisionMetrics;

  /** The stage's access log group. */
  public readonly accessLogGroup: logs.ILogGroup;

  /** How long the API keeps its audit logs. */
  public readonly auditRetention: logs.RetentionDays;

  /** None: a REST API of your own has no caller roles of this library. */
  public readonly callerRoleArns: string[] = [];

  /** None: a REST API of your own has no caller-role handlers of this library. */
  public readonly exchangeLogGroupNames: string[] = [];

  private readonly stage: apigateway.IStage;

  constructor(scope: Construct, id: string, props: MonitoredRestApiProps) {
    super(scope, id);
    // Undefined (despite its type) for an imported REST API, or one made with `deploy: false`.
    const stage: apigateway.IStage | undefined = props.stage ?? props.restApi.deploymentStage;
    if (stage === undefined) {
      throw validationError('MonitoredRestApi.NoStage', `${this.node.path}: the REST API ${props.restApi.node.path} has no deployment stage (it is imported, or made with deploy: false), `
        + 'so there is no stage whose metrics to read; pass the stage to monitor as stage.', this);
    }
    this.stage = stage;
    this.apiName = props.apiName ?? props.restApi.restApiName;
    this.decisionMetrics = props.authorizer;
    this.accessLogGroup = props.accessLogGroup;
    this.auditRetention = props.auditRetention ?? logs.RetentionDays.ONE_YEAR;
  }

  /**
   * Requests to the stage (`Count`).
   *
   * @default - sample count over 5 minutes
   */
  public metricCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stageMetric('Count', 'SampleCount', props);
  }

  /**
   * Requests answered 4XX (`4XXError`), the authorizer's 401s and 403s included.
   *
   * @default - sum over 5 minutes
   */
  public metricClientError(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stageMetric('4XXError', 'Sum', props);
  }

  /**
   * Requests answered 5XX (`5XXError`).
   *
   * @default - sum over 5 minutes
   */
  public metricServerError(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stageMetric('5XXError', 'Sum', props);
  }

  /**
   * The share of requests answered 5XX, from 0 to 1: the `Average` of `5XXError`, which AWS documents
   * as the 5XX error rate of a REST API
   * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html).
   *
   * @default - over 5 minutes
   */
  public metricServerErrorRate(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return this.metricServerError({ ...props, statistic: 'Average' });
  }

  /**
   * Time from receiving a request to answering it, in milliseconds (`Latency`), the authorizer's
   * time included.
   *
   * @default - average over 5 minutes
   */
  public metricLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stageMetric('Latency', 'Average', props);
  }

  /**
   * Time the backends took, in milliseconds (`IntegrationLatency`).
   *
   * @default - average over 5 minutes
   */
  public metricIntegrationLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stageMetric('IntegrationLatency', 'Average', props);
  }

  /**
   * An `AWS/ApiGateway` metric of the stage: dimensions `ApiName` and `Stage`.
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html
   */
  private stageMetric(metricName: string, statistic: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/ApiGateway',
      metricName,
      dimensionsMap: { ApiName: this.apiName, Stage: this.stage.stageName },
      statistic,
      ...props,
    }).attachTo(this);
  }
}
