// Small stand-ins for what the monitoring constructs read: an API and its authorizer's decisions,
// without a SecuredApi or a TokenAuthorizer (no asset, no route table).
import { App, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DecisionMetricOptions, DecisionReason, IDecisionMetrics, IMonitoredApi } from '../../src';

/** The stub authorizer's namespace and `Service`: what its metrics carry. */
export const STUB_NAMESPACE = 'StubAuthz';
export const STUB_SERVICE = 'stub-service';
export const STUB_FUNCTION_NAME = 'stub-authorizer';
export const STUB_API_NAME = 'stub-api';
export const STUB_STAGE = 'live';

/** Decisions of an authorizer that exists only as a function name and a log group name. */
export class StubDecisionMetrics extends Construct implements IDecisionMetrics {
  public readonly function: lambda.IFunction;
  public readonly logGroup: logs.ILogGroup;

  constructor(scope: Construct, id: string, public readonly refusesUndeclaredClients = false) {
    super(scope, id);
    // A literal ARN, so that the function's name is a literal too.
    this.function = lambda.Function.fromFunctionArn(this, 'Function', `arn:aws:lambda:eu-west-1:123456789012:function:${STUB_FUNCTION_NAME}`);
    this.logGroup = logs.LogGroup.fromLogGroupName(this, 'Log', 'stub-decisions');
  }

  public metricDecisions(props: DecisionMetricOptions = {}): cloudwatch.Metric {
    const { decision, ...options } = props;
    return this.metric('Decisions', decision === undefined ? {} : { Decision: decision }, 'Sum', options);
  }

  public metricDecisionsByReason(reason: DecisionReason, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('Decisions', { Reason: reason }, 'Sum', props);
  }

  public metricDecisionLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('DecisionLatency', {}, 'Average', props);
  }

  public metricJwksFetches(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('JwksFetches', {}, 'Sum', props);
  }

  public metricJwksFetchFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('JwksFetchFailures', {}, 'Sum', props);
  }

  private metric(metricName: string, dimensions: Record<string, string>, statistic: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    const dimensionsMap = { Service: STUB_SERVICE, ...dimensions };
    return new cloudwatch.Metric({ namespace: STUB_NAMESPACE, metricName, dimensionsMap, statistic, ...props });
  }
}

export interface StubOptions {
  /** @default false */
  readonly refusesUndeclaredClients?: boolean;
  /** @default STUB_API_NAME */
  readonly apiName?: string;
}

/** An API that exists only as a name, a stage name and an access log group name. */
export class StubMonitoredApi extends Construct implements IMonitoredApi {
  public readonly apiName: string;
  public readonly decisionMetrics: StubDecisionMetrics;
  public readonly accessLogGroup: logs.ILogGroup;
  public readonly auditRetention = logs.RetentionDays.THREE_MONTHS;
  public readonly callerRoleArns: string[] = [];
  public readonly exchangeLogGroupNames: string[] = [];

  constructor(scope: Construct, id: string, options: StubOptions = {}) {
    super(scope, id);
    this.apiName = options.apiName ?? STUB_API_NAME;
    this.decisionMetrics = new StubDecisionMetrics(this, 'Authorizer', options.refusesUndeclaredClients);
    this.accessLogGroup = logs.LogGroup.fromLogGroupName(this, 'AccessLog', 'stub-access');
  }

  public metricCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('Count', 'SampleCount', props);
  }

  public metricClientError(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('4XXError', 'Sum', props);
  }

  public metricServerError(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('5XXError', 'Sum', props);
  }

  public metricServerErrorRate(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return this.metricServerError({ ...props, statistic: 'Average' });
  }

  public metricLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('Latency', 'Average', props);
  }

  public metricIntegrationLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('IntegrationLatency', 'Average', props);
  }

  private metric(metricName: string, statistic: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({ namespace: 'AWS/ApiGateway', metricName, dimensionsMap: { ApiName: this.apiName, Stage: STUB_STAGE }, statistic, ...props });
  }
}

/** A stub API in a stack `Orders` (eu-west-1, account 123456789012) of an app of its own. */
export function stubApi(options: StubOptions = {}): { app: App; stack: Stack; api: StubMonitoredApi } {
  const app = new App();
  const stack = new Stack(app, 'Orders', { env: { account: '123456789012', region: 'eu-west-1' } });
  return { app, stack, api: new StubMonitoredApi(stack, 'Api', options) };
}
