import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as fc from 'fast-check';
import { STUB_API_NAME, STUB_FUNCTION_NAME, STUB_NAMESPACE, STUB_SERVICE, STUB_STAGE, stubApi } from './stubs';
import {
  HttpMethod, MonitoredRestApi, OidcIssuer, SecuredApiAlarms, SecuredApiAuditQueries, SecuredApiDashboard, TokenAuthorizer,
} from '../../src';

/** A CloudFormation token as text: `${LogicalId}` or `${LogicalId.Attribute}`. */
function tokenText(part: any): string {
  if (part.Ref !== undefined) return `\${${part.Ref}}`;
  if (part['Fn::GetAtt'] !== undefined) return `\${${part['Fn::GetAtt'].join('.')}}`;
  throw new Error(`unexpected token in the dashboard body: ${JSON.stringify(part)}`);
}

/** The stack's one dashboard body, parsed, tokens written as `${...}`. */
function dashboardBody(template: Template): any {
  const dashboards = Object.values<any>(template.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const raw = dashboards[0].Properties.DashboardBody;
  const text = typeof raw === 'string' ? raw : raw['Fn::Join'][1].map((part: any) => (typeof part === 'string' ? part : tokenText(part))).join('');
  return JSON.parse(text);
}

/** Every metric of every widget, as `namespace/name` with its dimensions as `key=value`. */
function metricsOf(body: any): string[] {
  const found: string[] = [];
  for (const widget of body.widgets) {
    for (const entry of widget.properties.metrics ?? []) {
      const last = entry[entry.length - 1];
      const parts: string[] = typeof last === 'object' ? entry.slice(0, -1) : entry;
      if (parts.length < 2) continue;
      const [namespace, name, ...rest] = parts;
      const dims = [];
      for (let i = 0; i < rest.length; i += 2) dims.push(`${rest[i]}=${rest[i + 1]}`);
      found.push(`${namespace}/${name} ${dims.sort().join(' ')}`.trim());
    }
  }
  return found;
}

/** The log groups the dashboard's Logs Insights tables read. */
function queriedLogGroups(body: any): string[] {
  return [...new Set(body.widgets.filter((w: any) => w.type === 'log').flatMap((w: any) => {
    const match = /^SOURCE (.*?) \|/.exec(w.properties.query);
    return match![1].split(' | SOURCE ').map((s: string) => s.replace(/'/g, ''));
  }))] as string[];
}

/** The metrics an alarm's resource reads: its own, or those of its math expression. */
function alarmMetrics(template: Template): string[] {
  return Object.values<any>(template.findResources('AWS::CloudWatch::Alarm')).flatMap((alarm) => {
    const p = alarm.Properties;
    const metrics = p.Metrics ? p.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric) : [p];
    return metrics.map((m: any) => `${m.Namespace}/${m.MetricName} ${(m.Dimensions ?? []).map((d: any) => `${d.Name}=${typeof d.Value === 'string' ? d.Value : tokenText(d.Value)}`).sort().join(' ')}`.trim());
  });
}

describe('monitoring on IMonitoredApi stubs', () => {
  test('should build the dashboard from what the interfaces give, and nothing else', () => {
    // GIVEN
    const { stack, api } = stubApi();

    // WHEN
    new SecuredApiDashboard(stack, 'Dashboard', { api });

    // THEN
    const body = dashboardBody(Template.fromStack(stack));
    const metrics = metricsOf(body);
    expect(metrics).toContain(`AWS/ApiGateway/Count ApiName=${STUB_API_NAME} Stage=${STUB_STAGE}`);
    expect(metrics).toContain(`AWS/ApiGateway/IntegrationLatency ApiName=${STUB_API_NAME} Stage=${STUB_STAGE}`);
    expect(metrics).toContain(`${STUB_NAMESPACE}/Decisions Decision=unauthorized Service=${STUB_SERVICE}`);
    expect(metrics).toContain(`${STUB_NAMESPACE}/JwksFetchFailures Service=${STUB_SERVICE}`);
    expect(metrics).toContain(`AWS/Lambda/Throttles FunctionName=${STUB_FUNCTION_NAME}`);
    for (const metric of metrics) {
      expect(metric).toMatch(new RegExp(`^(AWS/ApiGateway/\\S+ ApiName=${STUB_API_NAME} Stage=${STUB_STAGE}|${STUB_NAMESPACE}/\\S+ (\\S+ )?Service=${STUB_SERVICE}|AWS/Lambda/\\S+ FunctionName=${STUB_FUNCTION_NAME})$`));
    }
    expect(queriedLogGroups(body).sort()).toEqual(['stub-access', 'stub-decisions']);
  });

  test.each([
    ['refuses', true, true],
    ['does not refuse', false, false],
  ])('should graph client_undeclared only when the authorizer %s undeclared clients', (_, refuses, graphed) => {
    // GIVEN
    const { stack, api } = stubApi({ refusesUndeclaredClients: refuses });

    // WHEN
    new SecuredApiDashboard(stack, 'Dashboard', { api });

    // THEN
    const reasons = metricsOf(dashboardBody(Template.fromStack(stack))).filter((m) => m.includes('Reason='));
    expect(reasons.some((m) => m.includes('Reason=client_undeclared '))).toBe(graphed);
    expect(reasons).toContain(`${STUB_NAMESPACE}/Decisions Reason=insufficient_scope Service=${STUB_SERVICE}`);
  });

  test('should alarm on the stub API\'s stage and the stub authorizer, naming the API\'s path', () => {
    // GIVEN
    const { stack, api } = stubApi();

    // WHEN
    new SecuredApiAlarms(stack, 'Alarms', { api });

    // THEN
    const template = Template.fromStack(stack);
    expect(alarmMetrics(template).sort()).toEqual([
      `AWS/ApiGateway/5XXError ApiName=${STUB_API_NAME} Stage=${STUB_STAGE}`,
      `AWS/ApiGateway/Latency ApiName=${STUB_API_NAME} Stage=${STUB_STAGE}`,
      `AWS/Lambda/Errors FunctionName=${STUB_FUNCTION_NAME}`,
      `AWS/Lambda/Throttles FunctionName=${STUB_FUNCTION_NAME}`,
      `${STUB_NAMESPACE}/Decisions Service=${STUB_SERVICE}`,
      `${STUB_NAMESPACE}/Decisions Decision=unauthorized Service=${STUB_SERVICE}`,
      `${STUB_NAMESPACE}/Decisions Decision=unauthorized Service=${STUB_SERVICE}`,
      `${STUB_NAMESPACE}/Decisions Reason=internal_error Service=${STUB_SERVICE}`,
      `${STUB_NAMESPACE}/JwksFetchFailures Service=${STUB_SERVICE}`,
    ].sort());
    for (const alarm of Object.values<any>(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmDescription).toMatch(/^Orders\/Api: /);
    }
  });

  test('should save the audit queries under the API\'s name, over its decision and access logs', () => {
    // GIVEN
    const { stack, api } = stubApi();

    // WHEN
    new SecuredApiAuditQueries(stack, 'Audit', { api });

    // THEN
    const queries = Object.values<any>(Template.fromStack(stack).findResources('AWS::Logs::QueryDefinition')).map((q) => q.Properties);
    expect(queries.map((q) => [q.Name, q.LogGroupNames]).sort()).toEqual([
      [`cdk-secured-api/${STUB_API_NAME}/decisions-for-client`, ['stub-decisions']],
      [`cdk-secured-api/${STUB_API_NAME}/decisions-for-subject`, ['stub-decisions']],
      [`cdk-secured-api/${STUB_API_NAME}/denials-by-reason-and-client`, ['stub-decisions']],
      [`cdk-secured-api/${STUB_API_NAME}/requests-of-client`, ['stub-access']],
    ]);
  });
});

describe('monitoring reads nothing but the interfaces (generated)', () => {
  test('should name only the given API and authorizer in every dashboard metric and alarm, whatever their names', () => {
    fc.assert(fc.property(
      fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/), fc.boolean(),
      (apiName, refusesUndeclaredClients) => {
        // GIVEN
        const { stack, api } = stubApi({ apiName, refusesUndeclaredClients });

        // WHEN
        new SecuredApiAlarms(stack, 'Alarms', { api });
        new SecuredApiDashboard(stack, 'Dashboard', { api });

        // THEN
        const template = Template.fromStack(stack);
        const allowed = [`ApiName=${apiName} Stage=${STUB_STAGE}`, `Service=${STUB_SERVICE}`, `FunctionName=${STUB_FUNCTION_NAME}`];
        for (const metric of [...metricsOf(dashboardBody(template)), ...alarmMetrics(template)]) {
          expect(allowed.some((a) => metric.endsWith(` ${a}`) || metric.includes(` ${a} `))).toBe(true);
        }
        const reasons = metricsOf(dashboardBody(template)).filter((m) => m.includes('Reason=client_undeclared '));
        expect(reasons.length > 0).toBe(refusesUndeclaredClients);
      }), { numRuns: 15 });
  });
});

/** A TokenAuthorizer guarding GET /orders of a plain RestApi named `own-orders`, with a JSON access log. */
function ownRestApi(stage?: (stack: Stack, api: apigateway.RestApi) => apigateway.IStage) {
  const app = new App();
  const stack = new Stack(app, 'Own', { env: { account: '123456789012', region: 'eu-west-1' } });
  const authorizer = new TokenAuthorizer(stack, 'Authz', {
    issuer: OidcIssuer.fromUrl('https://issuer.example.com', { audiences: ['api://orders'] }),
    serviceName: 'own-orders-authz',
    routes: [{ method: HttpMethod.GET, path: '/orders', scopes: ['orders:read'] }],
  });
  const accessLogGroup = new logs.LogGroup(stack, 'AccessLogs');
  const restApi = new apigateway.RestApi(stack, 'Api', {
    restApiName: 'own-orders',
    deployOptions: {
      accessLogDestination: new apigateway.LogGroupLogDestination(accessLogGroup),
      accessLogFormat: apigateway.AccessLogFormat.custom(JSON.stringify({ requestId: '$context.requestId', status: '$context.status', clientId: '$context.authorizer.clientId' })),
    },
  });
  restApi.root.addResource('orders').addMethod('GET', new apigateway.MockIntegration(), { authorizer: authorizer.authorizer });
  const monitored = new MonitoredRestApi(stack, 'Monitored', { restApi, authorizer, accessLogGroup, stage: stage?.(stack, restApi) });
  return { app, stack, authorizer, restApi, accessLogGroup, monitored };
}

describe('MonitoredRestApi: a TokenAuthorizer on a RestApi of ones own', () => {
  // One synth for the tests that read the same app.
  const own = ownRestApi();
  const alarms = new SecuredApiAlarms(own.stack, 'Alarms', { api: own.monitored });
  new SecuredApiDashboard(own.stack, 'Dashboard', { api: own.monitored, alarms: alarms.alarms });
  const template = Template.fromStack(own.stack);
  const ids = {
    stage: own.stack.getLogicalId(own.restApi.deploymentStage.node.defaultChild as apigateway.CfnStage),
    fn: own.stack.getLogicalId(own.authorizer.function.node.defaultChild as any),
    decisionLog: own.stack.getLogicalId(own.authorizer.logGroup.node.defaultChild as logs.CfnLogGroup),
    accessLog: own.stack.getLogicalId(own.accessLogGroup.node.defaultChild as logs.CfnLogGroup),
  };

  test('should give a dashboard whose metrics name that API\'s stage and that authorizer', () => {
    // THEN
    const body = dashboardBody(template);
    const metrics = metricsOf(body);
    expect(metrics).toContain(`AWS/ApiGateway/Count ApiName=own-orders Stage=\${${ids.stage}}`);
    expect(metrics).toContain('SecuredApi/Decisions Decision=allow Service=own-orders-authz');
    expect(metrics).toContain('SecuredApi/Decisions Reason=expired Service=own-orders-authz');
    expect(metrics).toContain(`AWS/Lambda/Errors FunctionName=\${${ids.fn}}`);
    for (const metric of metrics) {
      expect(metric).toMatch(/ApiName=own-orders Stage=|Service=own-orders-authz|FunctionName=/);
    }
    expect(queriedLogGroups(body).sort()).toEqual([`\${${ids.accessLog}}`, `\${${ids.decisionLog}}`].sort());
    // An authorizer without per-client quotas never emits client_undeclared.
    expect(metrics.filter((m) => m.includes('Reason=client_undeclared '))).toEqual([]);
    expect(body.widgets.filter((w: any) => w.type === 'alarm')).toHaveLength(1);
  });

  test('should give the alarms whose metrics name that API\'s stage and that authorizer', () => {
    // THEN
    expect(alarms.alarms).toHaveLength(8);
    expect(alarmMetrics(template).sort()).toEqual([
      `AWS/ApiGateway/5XXError ApiName=own-orders Stage=\${${ids.stage}}`,
      `AWS/ApiGateway/Latency ApiName=own-orders Stage=\${${ids.stage}}`,
      `AWS/Lambda/Errors FunctionName=\${${ids.fn}}`,
      `AWS/Lambda/Throttles FunctionName=\${${ids.fn}}`,
      'SecuredApi/Decisions Service=own-orders-authz',
      'SecuredApi/Decisions Decision=unauthorized Service=own-orders-authz',
      'SecuredApi/Decisions Decision=unauthorized Service=own-orders-authz',
      'SecuredApi/Decisions Reason=internal_error Service=own-orders-authz',
      'SecuredApi/JwksFetchFailures Service=own-orders-authz',
    ].sort());
    for (const alarm of Object.values<any>(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmDescription).toMatch(/^Own\/Monitored: /);
    }
  });

  test('should create no resource of its own', () => {
    // THEN
    expect(own.monitored.node.findAll().filter((c) => c !== own.monitored)).toEqual([]);
  });

  test('should read the metrics of the stage it is given', () => {
    // GIVEN
    const { stack, monitored } = ownRestApi((s, api) => new apigateway.Stage(s, 'Canary', {
      deployment: new apigateway.Deployment(s, 'CanaryDeployment', { api }),
      stageName: 'canary',
    }));

    // WHEN
    new SecuredApiAlarms(stack, 'Alarms', { api: monitored });

    // THEN
    const stages = alarmMetrics(Template.fromStack(stack)).filter((m) => m.startsWith('AWS/ApiGateway/'));
    expect(stages).toHaveLength(2);
    for (const metric of stages) {
      expect(metric).toMatch(/ApiName=own-orders Stage=\$\{Canary\w+\}$/);
    }
  });

  test('should refuse a REST API without a deployment stage unless given one, with a validation error code', () => {
    // GIVEN
    const stack = new Stack();
    const authorizer = new TokenAuthorizer(stack, 'Authz', { issuer: OidcIssuer.fromUrl('https://issuer.example.com', { audiences: ['api://orders'] }) });
    const restApi = apigateway.RestApi.fromRestApiId(stack, 'Imported', 'a1b2c3');
    const accessLogGroup = logs.LogGroup.fromLogGroupName(stack, 'AccessLogs', 'access');

    // THEN
    expect(() => new MonitoredRestApi(stack, 'Monitored', { restApi, authorizer, accessLogGroup })).toThrow(expect.objectContaining({
      code: 'MonitoredRestApi.NoStage',
      message: expect.stringContaining('Default/Monitored: the REST API Default/Imported has no deployment stage (it is imported, or made with deploy: false), so there is no stage whose metrics to read; pass the stage'),
    }));
    const stage = apigateway.Stage.fromStageAttributes(stack, 'Stage', { restApi, stageName: 'live' });
    const monitored = new MonitoredRestApi(stack, 'Named', { restApi, authorizer, accessLogGroup, stage, apiName: 'orders' });
    expect(stack.resolve(monitored.metricLatency().dimensions)).toEqual({ ApiName: 'orders', Stage: 'live' });
  });

  test('should save the audit queries under its name', () => {
    // GIVEN
    const { stack, monitored } = ownRestApi();

    // WHEN
    new SecuredApiAuditQueries(stack, 'Audit', { api: monitored });

    // THEN
    const names = Object.values<any>(Template.fromStack(stack).findResources('AWS::Logs::QueryDefinition')).map((q) => q.Properties.Name);
    expect(names).toContain('cdk-secured-api/own-orders/decisions-for-subject');
  });
});
