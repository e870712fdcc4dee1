// The REST API's stage: access logs, tracing, throttles (the API's and each route's), and its metrics.
import { Lazy, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';
import { IStageMetrics, StageMetric } from './api-kind';
import type { RouteRecord } from './route-set';
import { checkThrottle, StageThrottle } from './throttle';

/**
 * Access log fields, one JSON object per request. Every value is quoted so that a `-` (API
 * Gateway's placeholder for an empty value) still parses. No headers, query strings or paths with
 * their parameter values: the resource template and the authorizer's principal identify the call.
 */
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTimeEpoch: '$context.requestTimeEpoch',
  sourceIp: '$context.identity.sourceIp',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integration.latency',
  principalId: '$context.authorizer.principalId',
  clientId: '$context.authorizer.clientId',
  authorizerStatus: '$context.authorizer.status',
  authorizerLatency: '$context.authorizer.latency',
  errorType: '$context.error.responseType',
  xrayTraceId: '$context.xrayTraceId',
});

/** What the stage is made of. */
export interface RestStageProps {
  /** @default 'prod' */
  readonly stageName?: string;
  readonly accessLogGroup: logs.ILogGroup;
  /** @default true */
  readonly tracing?: boolean;
  /** The API's throttle, checked. */
  readonly throttle?: StageThrottle;
}

/**
 * The stage's options: JSON access logs to their own log group; execution logging and data tracing
 * off, because they can record request headers, tokens included; no detailed metrics.
 */
export function restStageOptions(props: RestStageProps): apigateway.StageOptions {
  return {
    stageName: props.stageName ?? 'prod',
    accessLogDestination: new apigateway.LogGroupLogDestination(props.accessLogGroup),
    accessLogFormat: apigateway.AccessLogFormat.custom(ACCESS_LOG_FORMAT),
    loggingLevel: apigateway.MethodLoggingLevel.OFF,
    dataTraceEnabled: false,
    // Detailed (per-method) metrics are billed as custom metrics per route; the API-wide ones are free.
    metricsEnabled: false,
    tracingEnabled: props.tracing ?? true,
    throttlingRateLimit: props.throttle?.throttlingRateLimit,
    throttlingBurstLimit: props.throttle?.throttlingBurstLimit,
  };
}

/**
 * Appends the method settings of the routes with a throttle of their own to the stage's, read at
 * synthesis: routes may be added after construction, but the stage renders its method settings at
 * construction. Acknowledges cdk-nag's `AwsSolutions-APIG6` (execution logging is off on purpose).
 */
export function completeRestStage(stage: apigateway.Stage, accessLogGroup: IConstruct, routes: () => readonly RouteRecord[]): void {
  const cfnStage = stage.node.defaultChild as apigateway.CfnStage;
  const stageSettings = cfnStage.methodSettings;
  cfnStage.methodSettings = Lazy.any({
    produce: () => [...(Array.isArray(stageSettings) ? stageSettings : []), ...stageMethodSettings(routes())],
  }, { omitEmptyArray: true });
  Validations.of(cfnStage).acknowledge({
    id: 'AwsSolutions-APIG6',
    reason: `Execution logging (and data tracing) is off on purpose: API Gateway's execution logs can record request headers, bearer tokens included. Every request is logged as JSON, without headers, to the access log group ${accessLogGroup.node.path}.`,
  });
}

/** The stage's method settings of the routes with a throttle of their own. */
function stageMethodSettings(routes: readonly RouteRecord[]): apigateway.CfnStage.MethodSettingProperty[] {
  return routes.filter((r) => r.throttle !== undefined).map((r) => ({
    httpMethod: r.method === 'ANY' ? '*' : r.method,
    resourcePath: r.resource === '/' ? '/' : '/' + r.resource.replace(/\//g, '~1'),
    loggingLevel: 'OFF',
    dataTraceEnabled: false,
    metricsEnabled: false,
    // Checked when the route was added; this only turns it into the stage's terms.
    ...checkThrottle('', '', r.throttle!),
  }));
}

/** API Gateway's metric names of a REST API's stage. */
const REST_METRIC_NAMES: Record<StageMetric, string> = {
  [StageMetric.COUNT]: 'Count',
  [StageMetric.CLIENT_ERROR]: '4XXError',
  [StageMetric.SERVER_ERROR]: '5XXError',
  [StageMetric.LATENCY]: 'Latency',
  [StageMetric.INTEGRATION_LATENCY]: 'IntegrationLatency',
};

/**
 * The `AWS/ApiGateway` metrics of a REST API's stage: dimensions `ApiName` and `Stage`.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html
 */
export class RestStageMetrics implements IStageMetrics {
  /** @param owner the construct the metrics are attached to (its stack's region and account) */
  constructor(private readonly owner: IConstruct, private readonly restApi: apigateway.RestApiBase) {}

  public metric(metric: StageMetric, statistic: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/ApiGateway',
      metricName: REST_METRIC_NAMES[metric],
      dimensionsMap: { ApiName: this.restApi.restApiName, Stage: this.restApi.deploymentStage.stageName },
      statistic,
      ...props,
    }).attachTo(this.owner);
  }
}
