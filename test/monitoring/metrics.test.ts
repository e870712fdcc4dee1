import { Duration, Stack } from 'aws-cdk-lib';
import { AuthorizerDecision, DecisionReason, SecuredApi } from '../../src';
import { DENY_REASONS, UNAUTHORIZED_REASONS } from '../../src/authorizer/contract';
import { ordersApi } from '../support/orders-api';

/** What CloudWatch receives: namespace, name, resolved dimensions, statistic, period. */
function rendered(stack: Stack, metric: { toMetricConfig(): any }) {
  const m = metric.toMetricConfig().metricStat;
  return {
    namespace: m.namespace,
    name: m.metricName,
    dimensions: stack.resolve(m.dimensions),
    statistic: m.statistic,
    period: m.period.toSeconds(),
  };
}

describe('TokenAuthorizer metric methods', () => {
  test.each([
    ['metricDecisions()', (a: SecuredApi) => a.authorizer.metricDecisions(), 'Decisions', {}, 'Sum'],
    ['metricDecisions({ decision: DENY })', (a: SecuredApi) => a.authorizer.metricDecisions({ decision: AuthorizerDecision.DENY }), 'Decisions', { Decision: 'deny' }, 'Sum'],
    ['metricDecisions({ decision: UNAUTHORIZED })', (a: SecuredApi) => a.authorizer.metricDecisions({ decision: AuthorizerDecision.UNAUTHORIZED }), 'Decisions', { Decision: 'unauthorized' }, 'Sum'],
    ['metricDecisionsByReason(EXPIRED)', (a: SecuredApi) => a.authorizer.metricDecisionsByReason(DecisionReason.EXPIRED), 'Decisions', { Reason: 'expired' }, 'Sum'],
    ['metricDecisionLatency()', (a: SecuredApi) => a.authorizer.metricDecisionLatency(), 'DecisionLatency', {}, 'Average'],
    ['metricJwksFetches()', (a: SecuredApi) => a.authorizer.metricJwksFetches(), 'JwksFetches', {}, 'Sum'],
    ['metricJwksFetchFailures()', (a: SecuredApi) => a.authorizer.metricJwksFetchFailures(), 'JwksFetchFailures', {}, 'Sum'],
  ])('should name %s as the runtime publishes it', (_, make, name, extra, statistic) => {
    // GIVEN
    const { stack, api } = ordersApi();
    // WHEN
    const got = rendered(stack, make(api));
    // THEN
    const expected = Object.entries({ Service: 'orders', ...extra }).map(([Name, Value]) => ({ name: Name, value: Value }));
    expect(got).toEqual({ namespace: 'SecuredApi', name, dimensions: expect.arrayContaining(expected), statistic, period: 300 });
    expect(got.dimensions).toHaveLength(expected.length);
  });

  test('should let options override the statistic and period', () => {
    // GIVEN
    const { stack, api } = ordersApi();
    // WHEN
    const got = rendered(stack, api.authorizer.metricDecisionLatency({ statistic: 'p99', period: Duration.minutes(1) }));
    // THEN
    expect(got).toMatchObject({ statistic: 'p99', period: 60 });
  });

  test('should have one DecisionReason member per reason code the runtime can emit', () => {
    // THEN
    expect(Object.values(DecisionReason).sort()).toEqual(['allowed', ...UNAUTHORIZED_REASONS, ...DENY_REASONS].sort());
  });
});

describe('SecuredApi metric methods', () => {
  test.each([
    ['metricCount', 'Count', 'SampleCount'],
    ['metricClientError', '4XXError', 'Sum'],
    ['metricServerError', '5XXError', 'Sum'],
    ['metricLatency', 'Latency', 'Average'],
    ['metricIntegrationLatency', 'IntegrationLatency', 'Average'],
  ] as const)('should give %s the stage-level dimensions', (method, name, statistic) => {
    // GIVEN
    const { stack, api } = ordersApi();
    // WHEN
    const got = rendered(stack, api[method]());
    // THEN
    expect(got).toEqual({
      namespace: 'AWS/ApiGateway',
      name,
      dimensions: [{ name: 'ApiName', value: 'orders' }, { name: 'Stage', value: { Ref: expect.stringMatching(/^ApiDeploymentStageprod/) } }],
      statistic,
      period: 300,
    });
  });
});
