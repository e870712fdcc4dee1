import { App, CfnElement, CfnResource, Duration, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { stubApi } from './stubs';
import { SecuredApi, SecuredApiAlarms, SecuredApiAlarmsOptions } from '../../src';
import { nagFindings } from '../support/cdk';
import { ordersApi } from '../support/orders-api';

interface Fixture {
  readonly app: App;
  readonly stack: Stack;
  readonly api: SecuredApi;
  readonly topic: sns.Topic;
}

function ordersApiWithTopic(): Fixture {
  const { app, stack, api } = ordersApi();
  const topic = new sns.Topic(stack, 'OnCall');
  return { app, stack, api, topic };
}

function withAlarms(options: SecuredApiAlarmsOptions = {}): Fixture & { alarms: SecuredApiAlarms; template: Template } {
  const fixture = ordersApiWithTopic();
  const alarms = new SecuredApiAlarms(fixture.stack, 'Alarms', { api: fixture.api, ...options });
  return { ...fixture, alarms, template: Template.fromStack(fixture.stack) };
}

/** The synthesized properties of one alarm (metric or composite). */
function propertiesOf(stack: Stack, template: Template, alarm: cloudwatch.IAlarm | undefined): Record<string, any> {
  expect(alarm).toBeDefined();
  const logicalId = stack.getLogicalId(alarm!.node.defaultChild as CfnElement);
  return template.toJSON().Resources[logicalId].Properties;
}

/**
 * The types of the template's resources that `alarms` created, counted (SecuredApi may hold alarms
 * of its own, which these tests leave alone).
 */
function resourceTypesOf(stack: Stack, template: Template, alarms: SecuredApiAlarms): Record<string, number> {
  const resources = template.toJSON().Resources;
  const counts: Record<string, number> = {};
  for (const construct of alarms.node.findAll()) {
    if (construct instanceof CfnResource) {
      const type = resources[stack.getLogicalId(construct)].Type;
      counts[type] = (counts[type] ?? 0) + 1;
    }
  }
  return counts;
}

const ALARM_NAMES = [
  'serverErrorRate', 'latencyP90', 'authorizerErrors', 'authorizerThrottles', 'jwksFetchFailures', 'failClosedDecisions', 'unauthorizedShare',
] as const;
type AlarmName = typeof ALARM_NAMES[number];
const AUTHORIZER_ALARMS: readonly AlarmName[] = ['authorizerErrors', 'authorizerThrottles', 'jwksFetchFailures', 'failClosedDecisions', 'unauthorizedShare'];

const STAGE_DIMENSIONS = [{ Name: 'ApiName', Value: 'orders' }, { Name: 'Stage', Value: { Ref: expect.stringMatching(/^ApiDeploymentStageprod/) } }];
const FUNCTION_DIMENSIONS = [{ Name: 'FunctionName', Value: { Ref: expect.stringMatching(/^ApiAuthorizerHandler/) } }];
const UNAUTHORIZED_DECISIONS = {
  Metric: { Namespace: 'SecuredApi', MetricName: 'Decisions', Dimensions: [{ Name: 'Decision', Value: 'unauthorized' }, { Name: 'Service', Value: 'orders' }] },
  Stat: 'Sum',
};

describe('SecuredApiAlarms defaults', () => {
  test('should alarm on the 5XX rate as AWS recommends for REST APIs (Average > 0.05, 3 of 3 minutes)', () => {
    // GIVEN
    const { stack, alarms, template } = withAlarms();
    // THEN
    expect(propertiesOf(stack, template, alarms.serverErrorRate)).toEqual({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5XXError',
      Dimensions: STAGE_DIMENSIONS,
      Statistic: 'Average',
      Period: 60,
      Threshold: 0.05,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'notBreaching',
      AlarmDescription: expect.stringMatching(/^Orders\/Api: the share of requests answered 5XX is high\..*First: the access log/),
    });
  });

  test('should alarm on the p90 latency as AWS recommends for REST APIs (p90 >= 2500 ms, 5 of 5 minutes)', () => {
    // GIVEN
    const { stack, alarms, template } = withAlarms();
    // THEN
    expect(propertiesOf(stack, template, alarms.latencyP90)).toEqual({
      Namespace: 'AWS/ApiGateway',
      MetricName: 'Latency',
      Dimensions: STAGE_DIMENSIONS,
      ExtendedStatistic: 'p90',
      Period: 60,
      Threshold: 2500,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 5,
      DatapointsToAlarm: 5,
      TreatMissingData: 'notBreaching',
      AlarmDescription: expect.stringMatching(/p90 latency.*First: compare IntegrationLatency/),
    });
  });

  test('should leave the 401s, which Lambda counts as errors, out of the authorizer errors alarm (> 0, 3 of 3 minutes)', () => {
    // GIVEN
    const { stack, alarms, template } = withAlarms();
    // THEN
    expect(propertiesOf(stack, template, alarms.authorizerErrors)).toEqual({
      Metrics: [
        { Id: 'expr_1', Expression: 'errors - FILL(unauthorized, 0)', Label: expect.any(String), ReturnData: true },
        {
          Id: 'errors',
          MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: FUNCTION_DIMENSIONS }, Period: 60, Stat: 'Sum' },
          ReturnData: false,
        },
        { Id: 'unauthorized', MetricStat: { ...UNAUTHORIZED_DECISIONS, Period: 60 }, ReturnData: false },
      ],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'notBreaching',
      AlarmDescription: expect.stringMatching(/authorizer invocations are failing.*First: the authorizer function's log/),
    });
  });

  test('should alarm on authorizer throttles (Sum > 0, 5 of 5 minutes)', () => {
    // GIVEN
    const { stack, alarms, template } = withAlarms();
    // THEN
    expect(propertiesOf(stack, template, alarms.authorizerThrottles)).toEqual({
      Namespace: 'AWS/Lambda',
      MetricName: 'Throttles',
      Dimensions: FUNCTION_DIMENSIONS,
      Statistic: 'Sum',
      Period: 60,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 5,
      DatapointsToAlarm: 5,
      TreatMissingData: 'notBreaching',
      AlarmDescription: expect.stringMatching(/throttled.*First: the account's concurrent executions/),
    });
  });

  test('should alarm on JWKS fetch failures (Sum > 0, 2 of 3 periods of 5 minutes)', () => {
    // GIVEN
    const { stack, alarms, template } = withAlarms();
    // THEN
    expect(propertiesOf(stack, template, alarms.jwksFetchFailures)).toEqual({
      Namespace: 'SecuredApi',
      MetricName: 'JwksFetchFailures',
      Dimensions: [{ Name: 'Service', Value: 'orders' }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
      AlarmDescription: expect.stringMatching(/JWKS.*First: check the issuer's JWKS endpoint .* and the function's network egress/),
    });
  });

  test('should alarm on any internal_error decision (Sum > 0 in one period of 5 minutes)', () => {
    // GIVEN
    const { stack, alarms, template } = withAlarms();
    // THEN
    expect(propertiesOf(stack, template, alarms.failClosedDecisions)).toEqual({
      Namespace: 'SecuredApi',
      MetricName: 'Decisions',
      Dimensions: [{ Name: 'Reason', Value: 'internal_error' }, { Name: 'Service', Value: 'orders' }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
      AlarmDescription: expect.stringMatching(/failed closed.*First: read the authorizer log's config_error line/),
    });
  });

  test('should alarm on the share of 401s only in periods of at least 20 decisions (> 25 %, 2 of 3 periods of 5 minutes)', () => {
    // GIVEN
    const { stack, alarms, template } = withAlarms();
    // THEN
    expect(propertiesOf(stack, template, alarms.unauthorizedShare)).toEqual({
      Metrics: [
        { Id: 'expr_1', Expression: 'IF(decisions >= 20, 100 * FILL(unauthorized, 0) / decisions, 0)', Label: expect.any(String), ReturnData: true },
        { Id: 'unauthorized', MetricStat: { ...UNAUTHORIZED_DECISIONS, Period: 300 }, ReturnData: false },
        {
          Id: 'decisions',
          MetricStat: { Metric: { Namespace: 'SecuredApi', MetricName: 'Decisions', Dimensions: [{ Name: 'Service', Value: 'orders' }] }, Period: 300, Stat: 'Sum' },
          ReturnData: false,
        },
      ],
      Threshold: 25,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
      AlarmDescription: expect.stringMatching(/share of 401s.*First: the reason codes of the 401s/),
    });
  });

  test('should combine the authorizer alarms, and only those, into the authentication health composite', () => {
    // GIVEN
    const { stack, alarms, template } = withAlarms();
    // THEN
    const arn = (name: AlarmName) => ({ 'Fn::GetAtt': [stack.getLogicalId(alarms[name]!.node.defaultChild as CfnElement), 'Arn'] });
    expect(propertiesOf(stack, template, alarms.authenticationHealth)).toEqual({
      AlarmName: expect.any(String),
      AlarmDescription: expect.stringMatching(/authentication is unhealthy.*First: see which one/),
      AlarmRule: {
        'Fn::Join': ['', [
          '(ALARM("', arn('authorizerErrors'),
          '") OR ALARM("', arn('authorizerThrottles'),
          '") OR ALARM("', arn('jwksFetchFailures'),
          '") OR ALARM("', arn('failClosedDecisions'),
          '") OR ALARM("', arn('unauthorizedShare'),
          '"))',
        ]],
      },
    });
  });

  test('should create seven metric alarms and one composite, nothing else, and list them all in alarms', () => {
    // GIVEN
    const bare = ordersApiWithTopic();
    const before = Object.keys(Template.fromStack(bare.stack).toJSON().Resources).length;
    const { stack, alarms, template } = withAlarms();
    // THEN
    expect(resourceTypesOf(stack, template, alarms)).toEqual({ 'AWS::CloudWatch::Alarm': 7, 'AWS::CloudWatch::CompositeAlarm': 1 });
    expect(Object.keys(template.toJSON().Resources)).toHaveLength(before + 8);
    expect(alarms.alarms).toEqual([...ALARM_NAMES.map((name) => alarms[name]), alarms.authenticationHealth]);
  });

  test('should notify no one by default', () => {
    // GIVEN
    const { stack, alarms, template } = withAlarms();
    // THEN
    expect(alarms.alarms).toHaveLength(8);
    for (const alarm of alarms.alarms) {
      const properties = propertiesOf(stack, template, alarm);
      expect(properties).not.toHaveProperty('AlarmActions');
      expect(properties).not.toHaveProperty('OKActions');
    }
  });
});

describe('SecuredApiAlarms actions', () => {
  test('should notify the topic on ALARM and OK from every alarm and the composite', () => {
    // GIVEN
    const fixture = ordersApiWithTopic();
    // WHEN
    const alarms = new SecuredApiAlarms(fixture.stack, 'Alarms', { api: fixture.api, topic: fixture.topic });
    // THEN
    const template = Template.fromStack(fixture.stack);
    const topicRef = { Ref: fixture.stack.getLogicalId(fixture.topic.node.defaultChild as CfnElement) };
    expect(alarms.alarms).toHaveLength(8);
    for (const alarm of alarms.alarms) {
      const properties = propertiesOf(fixture.stack, template, alarm);
      expect(properties.AlarmActions).toEqual([topicRef]);
      expect(properties.OKActions).toEqual([topicRef]);
      expect(properties).not.toHaveProperty('InsufficientDataActions');
    }
  });
});

describe('SecuredApiAlarms options', () => {
  test.each(ALARM_NAMES)('should leave %s out when disabled', (name) => {
    // GIVEN
    const { stack, alarms, template } = withAlarms({ [name]: { enabled: false } });
    // THEN
    expect(alarms[name]).toBeUndefined();
    expect(resourceTypesOf(stack, template, alarms)).toEqual({ 'AWS::CloudWatch::Alarm': 6, 'AWS::CloudWatch::CompositeAlarm': 1 });
    expect(alarms.alarms).toHaveLength(7);
    expect(alarms.alarms).not.toContain(undefined);
    const rule = JSON.stringify(propertiesOf(stack, template, alarms.authenticationHealth).AlarmRule);
    const logicalId = (other: AlarmName) => stack.getLogicalId(alarms[other]!.node.defaultChild as CfnElement);
    const inRule = AUTHORIZER_ALARMS.filter((other) => alarms[other] && rule.includes(logicalId(other)));
    expect(inRule).toEqual(AUTHORIZER_ALARMS.filter((other) => other !== name));
  });

  test('should create no composite when every authorizer alarm is disabled', () => {
    // GIVEN
    const off = { enabled: false };
    const { stack, alarms, template } = withAlarms({
      authorizerErrors: off, authorizerThrottles: off, jwksFetchFailures: off, failClosedDecisions: off, unauthorizedShare: off,
    });
    // THEN
    expect(resourceTypesOf(stack, template, alarms)).toEqual({ 'AWS::CloudWatch::Alarm': 2 });
    expect(alarms.authenticationHealth).toBeUndefined();
    expect(alarms.alarms).toEqual([alarms.serverErrorRate, alarms.latencyP90]);
  });

  test('should create no composite when it is disabled, and keep its alarms', () => {
    // GIVEN
    const { stack, alarms, template } = withAlarms({ authenticationHealth: { enabled: false } });
    // THEN
    expect(resourceTypesOf(stack, template, alarms)).toEqual({ 'AWS::CloudWatch::Alarm': 7 });
    expect(alarms.authenticationHealth).toBeUndefined();
  });

  test('should create no resource when every alarm is disabled', () => {
    // GIVEN
    const off = { enabled: false };
    const { stack, alarms, template } = withAlarms(Object.fromEntries(ALARM_NAMES.map((name) => [name, off])));
    // THEN
    expect(resourceTypesOf(stack, template, alarms)).toEqual({});
    expect(alarms.alarms).toEqual([]);
  });

  test.each([
    ['serverErrorRate', 0.1],
    ['latencyP90', 1000],
    ['authorizerErrors', 3],
    ['authorizerThrottles', 2],
    ['jwksFetchFailures', 1],
    ['failClosedDecisions', 5],
    ['unauthorizedShare', 60],
  ] as const)('should apply the threshold, periods, datapoints and period given for %s', (name, threshold) => {
    // GIVEN
    const { stack, alarms, template } = withAlarms({
      [name]: { threshold, evaluationPeriods: 10, datapointsToAlarm: 4, period: Duration.minutes(2) },
    });
    // THEN
    const properties = propertiesOf(stack, template, alarms[name]);
    expect(properties).toMatchObject({ Threshold: threshold, EvaluationPeriods: 10, DatapointsToAlarm: 4, TreatMissingData: 'notBreaching' });
    const periods = properties.Metrics
      ? properties.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Period)
      : [properties.Period];
    expect(periods.length).toBeGreaterThan(0);
    expect(new Set(periods)).toEqual(new Set([120]));
  });

  test('should take evaluationPeriods as datapointsToAlarm when fewer periods than the default datapoints are evaluated', () => {
    // GIVEN
    const { stack, alarms, template } = withAlarms({ latencyP90: { evaluationPeriods: 2 } });
    // THEN
    expect(propertiesOf(stack, template, alarms.latencyP90)).toMatchObject({ EvaluationPeriods: 2, DatapointsToAlarm: 2 });
  });

  test('should apply minimumDecisions to the 401 share', () => {
    // GIVEN
    const { stack, alarms, template } = withAlarms({ unauthorizedShare: { minimumDecisions: 500 } });
    // THEN
    expect(propertiesOf(stack, template, alarms.unauthorizedShare).Metrics[0].Expression)
      .toEqual('IF(decisions >= 500, 100 * FILL(unauthorized, 0) / decisions, 0)');
  });

  test('should be found clean by cdk-nag AwsSolutionsChecks', () => {
    // GIVEN (no Template yet: the app must synthesize for the first time with the checks registered)
    const { app, stack, api, topic } = ordersApiWithTopic();
    new SecuredApiAlarms(stack, 'Alarms', { api, topic });
    // WHEN
    const findings = nagFindings(app);
    // THEN
    expect(findings.filter((finding) => finding.includes('Orders/Alarms'))).toEqual([]);
    // The checks did run: the bare test topic is found wanting.
    expect(findings).toContainEqual(expect.stringMatching(/^AwsSolutions-SNS\d \S*Orders\/OnCall/));
  });
});

describe('SecuredApiAlarms validation', () => {
  test.each([
    ['a negative count threshold', { authorizerErrors: { threshold: -1 } }, /authorizerErrors\.threshold -1 is out of range; pass a count, at least 0/, 'SecuredApiAlarms.ThresholdOutOfRange'],
    ['a 5XX rate given in percent', { serverErrorRate: { threshold: 5 } }, /serverErrorRate\.threshold 5 is out of range; pass a fraction of requests from 0 to 1/, 'SecuredApiAlarms.ThresholdOutOfRange'],
    ['a 401 share of 100 %', { unauthorizedShare: { threshold: 100 } }, /unauthorizedShare\.threshold 100 is out of range; pass a percentage from 0 to 100/, 'SecuredApiAlarms.ThresholdOutOfRange'],
    ['a latency of 0 ms', { latencyP90: { threshold: 0 } }, /latencyP90\.threshold 0 is out of range; pass milliseconds, above 0/, 'SecuredApiAlarms.ThresholdOutOfRange'],
    ['a NaN threshold', { jwksFetchFailures: { threshold: NaN } }, /jwksFetchFailures\.threshold NaN is out of range/, 'SecuredApiAlarms.ThresholdOutOfRange'],
    ['a threshold only known at deploy', { failClosedDecisions: { threshold: Token.asNumber({ Ref: 'Threshold' }) } }, /failClosedDecisions\.threshold is not known at synth; pass a literal number/, 'SecuredApiAlarms.UnresolvedSetting'],
    ['periods only known at deploy', { authorizerErrors: { evaluationPeriods: Token.asNumber({ Ref: 'Periods' }) } }, /authorizerErrors\.evaluationPeriods is not known at synth/, 'SecuredApiAlarms.UnresolvedSetting'],
    ['a minimum only known at deploy', { unauthorizedShare: { minimumDecisions: Token.asNumber({ Ref: 'Minimum' }) } }, /unauthorizedShare\.minimumDecisions is not known at synth/, 'SecuredApiAlarms.UnresolvedMinimumDecisions'],
    ['0 evaluation periods', { authorizerThrottles: { evaluationPeriods: 0 } }, /authorizerThrottles\.evaluationPeriods 0 is not a whole number of at least 1/, 'SecuredApiAlarms.InvalidEvaluationPeriods'],
    ['fractional evaluation periods', { latencyP90: { evaluationPeriods: 2.5 } }, /latencyP90\.evaluationPeriods 2\.5 is not a whole number/, 'SecuredApiAlarms.InvalidEvaluationPeriods'],
    ['more datapoints than periods', { serverErrorRate: { evaluationPeriods: 3, datapointsToAlarm: 4 } }, /serverErrorRate\.datapointsToAlarm 4 must be a whole number from 1 to evaluationPeriods \(3\)/, 'SecuredApiAlarms.InvalidDatapointsToAlarm'],
    ['0 datapoints', { unauthorizedShare: { datapointsToAlarm: 0 } }, /unauthorizedShare\.datapointsToAlarm 0 must be a whole number from 1/, 'SecuredApiAlarms.InvalidDatapointsToAlarm'],
    ['a period only known at deploy', { latencyP90: { period: Duration.minutes(Token.asNumber({ Ref: 'Minutes' })) } }, /latencyP90\.period is not known at synth; pass a literal Duration of whole minutes/, 'SecuredApiAlarms.UnresolvedPeriod'],
    ['a period of 30 seconds', { authorizerErrors: { period: Duration.seconds(30) } }, /authorizerErrors\.period 30 seconds is not a whole number of minutes/, 'SecuredApiAlarms.PeriodNotWholeMinutes'],
    ['a period of 90 seconds', { jwksFetchFailures: { period: Duration.seconds(90) } }, /jwksFetchFailures\.period 1 minute 30 seconds is not a whole number of minutes/, 'SecuredApiAlarms.PeriodNotWholeMinutes'],
    ['more than a day of periods', { failClosedDecisions: { period: Duration.hours(1), evaluationPeriods: 25 } }, /failClosedDecisions evaluates 25 periods of 1 hour, more than the one day CloudWatch allows/, 'SecuredApiAlarms.EvaluationLongerThanADay'],
    ['a minimum of 0 decisions', { unauthorizedShare: { minimumDecisions: 0 } }, /unauthorizedShare\.minimumDecisions 0 is not a whole number of at least 1/, 'SecuredApiAlarms.InvalidMinimumDecisions'],
    ['a fractional minimum of decisions', { unauthorizedShare: { minimumDecisions: 2.5 } }, /unauthorizedShare\.minimumDecisions 2\.5 is not a whole number/, 'SecuredApiAlarms.InvalidMinimumDecisions'],
    ['enabled that is not a boolean', { latencyP90: { enabled: 'no' as unknown as boolean } }, /latencyP90\.enabled "no" is not a boolean/, 'SecuredApiAlarms.EnabledNotBoolean'],
    ['a composite enabled that is not a boolean', { authenticationHealth: { enabled: 1 as unknown as boolean } }, /authenticationHealth\.enabled 1 is not a boolean/, 'SecuredApiAlarms.EnabledNotBoolean'],
  ] as Array<[string, SecuredApiAlarmsOptions, RegExp, string]>)('should refuse %s at synth, naming the construct, with a validation error code', (_, options, message, code) => {
    // GIVEN
    const { stack, api } = stubApi();
    // THEN
    expect(() => new SecuredApiAlarms(stack, 'Alarms', { api, ...options })).toThrow(expect.objectContaining({
      code,
      message: expect.stringMatching(new RegExp(`^Orders/Alarms: ${message.source}`)),
    }));
  });

  test('should not validate the options of a disabled alarm', () => {
    // GIVEN
    const { stack, api } = stubApi();
    // THEN
    expect(() => new SecuredApiAlarms(stack, 'Alarms', { api, serverErrorRate: { enabled: false, threshold: 5 } })).not.toThrow();
  });
});
