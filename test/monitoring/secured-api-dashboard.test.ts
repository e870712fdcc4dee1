import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { DecisionReason, SecuredApi, SecuredApiDashboard, SecuredApiDashboardOptions, SecuredApiQuotaOptions } from '../../src';
import { DENY_REASONS, REASON_CLIENT_UNDECLARED, UNAUTHORIZED_REASONS } from '../../src/authorizer/contract';
import { AuditLog } from '../../src/authorizer/runtime/audit';
import { nagFindings } from '../support/cdk';
import { ordersApi } from '../support/orders-api';

/**
 * CloudWatch's limits. A dashboard body holds 0 to 500 widgets (Dashboard Body Structure and Syntax,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html);
 * a graph is held to 100 metrics, the tighter limit CloudWatch states for rendering one
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricWidgetImage.html).
 */
const MAX_WIDGETS = 500;
const MAX_METRICS_PER_GRAPH = 100;

interface Orders {
  readonly app: App;
  readonly stack: Stack;
  readonly api: SecuredApi;
  readonly dashboard: SecuredApiDashboard;
}

/** An API of `routes` routes (three methods per path, as CloudFormation's 500 resources allow) and its dashboard. */
function ordersDashboard(options: SecuredApiDashboardOptions | ((stack: Stack) => SecuredApiDashboardOptions) = {}, routes = 3): Orders {
  // This suite builds its own dashboard from the API.
  const { app, stack, api } = ordersApi({ dashboard: false, alarms: false }, routes);
  const dashboard = new SecuredApiDashboard(stack, 'Dashboard', { api, ...(typeof options === 'function' ? options(stack) : options) });
  return { app, stack, api, dashboard };
}

/** A CloudFormation token as it appears in the parsed body: `${LogicalId}` or `${LogicalId.Attribute}`. */
function tokenText(part: any): string {
  if (part.Ref !== undefined) {
    return `\${${part.Ref}}`;
  }
  if (part['Fn::GetAtt'] !== undefined) {
    return `\${${part['Fn::GetAtt'].join('.')}}`;
  }
  throw new Error(`unexpected token in the dashboard body: ${JSON.stringify(part)}`);
}

/** The stack's one dashboard: its properties, its body text with tokens written out, and the body parsed. */
function synthesized(stack: Stack): { properties: any; text: string; body: any } {
  const dashboards = Object.values<any>(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const properties = dashboards[0].Properties;
  const raw = properties.DashboardBody;
  const text = typeof raw === 'string' ? raw : raw['Fn::Join'][1].map((part: any) => (typeof part === 'string' ? part : tokenText(part))).join('');
  return { properties, text, body: JSON.parse(text) };
}

interface RenderedMetric {
  readonly namespace?: string;
  readonly name?: string;
  readonly dimensions?: Record<string, string>;
  readonly expression?: string;
  readonly [option: string]: unknown;
}

/** A metric of a widget's `metrics` array as an object: `[ns, name, k1, v1, ..., {options}]` or `[{expression...}]`. */
function metricOf(entry: any[]): RenderedMetric {
  const last = entry[entry.length - 1];
  const options = typeof last === 'object' ? last : {};
  if (options.expression !== undefined) {
    return options;
  }
  const [namespace, name, ...rest] = typeof last === 'object' ? entry.slice(0, -1) : entry;
  const dimensions: Record<string, string> = {};
  for (let i = 0; i < rest.length; i += 2) {
    dimensions[rest[i]] = rest[i + 1];
  }
  return { namespace, name, dimensions, ...options };
}

interface RenderedWidget {
  readonly type: string;
  readonly title?: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: any;
  readonly metrics: RenderedMetric[];
  /** Log widgets: the log groups named by SOURCE, and the query after them, one command a line. */
  readonly logGroups: string[];
  readonly query: string[];
}

function widgetsOf(body: any): RenderedWidget[] {
  return body.widgets.map((w: any) => {
    const parts = w.type === 'log' ? (w.properties.query as string).split(/\n?\| /).map((p) => p.trim()) : [];
    const sources = parts.filter((p) => p.startsWith('SOURCE '));
    return {
      type: w.type,
      title: w.properties.title,
      x: w.x,
      y: w.y,
      width: w.width,
      height: w.height,
      properties: w.properties,
      metrics: (w.properties.metrics ?? []).map(metricOf),
      logGroups: sources.map((s) => s.replace(/^SOURCE '(.*)'$/, '$1')),
      query: parts.filter((p) => !p.startsWith('SOURCE ')),
    };
  });
}

function widget(widgets: RenderedWidget[], title: string): RenderedWidget {
  const found = widgets.filter((w) => w.title === title);
  expect(found).toHaveLength(1);
  return found[0];
}

/** The logical id of a construct's CloudFormation resource, as tokens in the body name it. */
function logicalId(stack: Stack, construct: { node: { defaultChild?: any } }): string {
  return stack.getLogicalId(construct.node.defaultChild);
}

const STAGE_TOKEN = /^\$\{ApiDeploymentStageprod[0-9A-F]{8}\}$/;

function stageMetric(name: string, options: Record<string, unknown>): RenderedMetric {
  return expect.objectContaining({
    namespace: 'AWS/ApiGateway',
    name,
    dimensions: { ApiName: 'orders', Stage: expect.stringMatching(STAGE_TOKEN) },
    ...options,
  });
}

function authorizerMetric(name: string, dimensions: Record<string, string>, options: Record<string, unknown>): RenderedMetric {
  return expect.objectContaining({ namespace: 'SecuredApi', name, dimensions: { Service: 'orders', ...dimensions }, ...options });
}

describe('SecuredApiDashboard', () => {
  test('should lay out its widgets in the documented rows', () => {
    // GIVEN
    const { stack } = ordersDashboard();
    // WHEN
    const widgets = widgetsOf(synthesized(stack).body);
    // THEN
    const rows = new Map<number, string[]>();
    for (const w of widgets) {
      rows.set(w.y, [...(rows.get(w.y) ?? []), `${w.type}:${w.properties.view ?? ''}:${w.title}`]);
    }
    expect([...rows.values()]).toEqual([
      ['metric:singleValue:API', 'metric:singleValue:Authorizer decisions'],
      ['metric:timeSeries:Requests and errors', 'metric:timeSeries:Latency (ms)', 'metric:timeSeries:Integration latency (ms)'],
      ['metric:timeSeries:Decisions by outcome', 'metric:timeSeries:401s by reason', 'metric:timeSeries:403s by reason'],
      ['metric:timeSeries:Decision latency (ms)', 'metric:timeSeries:Authorizer duration (ms)',
        'metric:timeSeries:Authorizer errors, throttles and concurrency', 'metric:timeSeries:JWKS fetches'],
      ['log:table:Most denied clients and subjects', 'log:table:Denials by route', 'log:table:Requests and error rate by client'],
      ['log:table:Latest denials'],
    ]);
    for (const w of widgets) {
      expect(w.x + w.width).toBeLessThanOrEqual(24);
    }
  });

  describe('headline row', () => {
    test('should show requests, 4XX and 5XX rates as percentages, and p99 latency, over the time range', () => {
      // GIVEN
      const { stack } = ordersDashboard();
      // WHEN
      const api = widget(widgetsOf(synthesized(stack).body), 'API');
      // THEN
      expect(api.properties.setPeriodToTimeRange).toBe(true);
      expect(api.metrics).toEqual([
        stageMetric('Count', { stat: 'SampleCount', label: 'Requests', id: 'requests' }),
        { label: '4XX rate (%)', expression: '100 * clientErrors / requests' },
        stageMetric('4XXError', { stat: 'Sum', id: 'clientErrors', visible: false }),
        { label: '5XX rate (%)', expression: '100 * serverErrors / requests' },
        stageMetric('5XXError', { stat: 'Sum', id: 'serverErrors', visible: false }),
        stageMetric('Latency', { stat: 'p99', label: 'p99 latency (ms)' }),
      ]);
    });

    test('should show allowed, denied and unauthorized decisions over the time range', () => {
      // GIVEN
      const { stack } = ordersDashboard();
      // WHEN
      const decisions = widget(widgetsOf(synthesized(stack).body), 'Authorizer decisions');
      // THEN
      expect(decisions.properties.setPeriodToTimeRange).toBe(true);
      expect(decisions.metrics).toEqual([
        authorizerMetric('Decisions', { Decision: 'allow' }, { stat: 'Sum', label: 'Allowed' }),
        authorizerMetric('Decisions', { Decision: 'deny' }, { stat: 'Sum', label: 'Denied (403)' }),
        authorizerMetric('Decisions', { Decision: 'unauthorized' }, { stat: 'Sum', label: 'Unauthorized (401)' }),
      ]);
    });

    test('should show no alarm status widget without alarms', () => {
      // GIVEN
      const { stack } = ordersDashboard();
      // THEN
      expect(widgetsOf(synthesized(stack).body).filter((w) => w.type === 'alarm')).toEqual([]);
    });

    test('should show the status of the alarms it is given, in the headline row', () => {
      // GIVEN
      const arns = ['arn:aws:cloudwatch:eu-west-1:123456789012:alarm:orders-5xx', 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:orders-jwks'];
      // WHEN
      const { stack } = ordersDashboard((s) => ({ alarms: arns.map((arn, i) => cloudwatch.Alarm.fromAlarmArn(s, `Alarm${i}`, arn)) }));
      // THEN
      const alarmWidgets = widgetsOf(synthesized(stack).body).filter((w) => w.type === 'alarm');
      expect(alarmWidgets).toHaveLength(1);
      expect(alarmWidgets[0]).toMatchObject({ title: 'Alarms', y: 0, x: 18, width: 6, height: 4 });
      expect(alarmWidgets[0].properties.alarms).toEqual(arns);
    });

    test('should show no alarm status widget for an empty list of alarms', () => {
      // GIVEN
      const { stack } = ordersDashboard({ alarms: [] });
      // THEN
      expect(widgetsOf(synthesized(stack).body).filter((w) => w.type === 'alarm')).toEqual([]);
    });
  });

  describe('traffic row', () => {
    test('should show requests and errors', () => {
      // GIVEN
      const { stack } = ordersDashboard();
      // THEN
      expect(widget(widgetsOf(synthesized(stack).body), 'Requests and errors').metrics).toEqual([
        stageMetric('Count', { stat: 'SampleCount', label: 'Requests' }),
        stageMetric('4XXError', { stat: 'Sum', label: '4XX' }),
        stageMetric('5XXError', { stat: 'Sum', label: '5XX' }),
      ]);
    });

    test.each([
      ['Latency (ms)', 'Latency'],
      ['Integration latency (ms)', 'IntegrationLatency'],
    ])('should show %s at p50, p90 and p99', (title, name) => {
      // GIVEN
      const { stack } = ordersDashboard();
      // THEN
      expect(widget(widgetsOf(synthesized(stack).body), title).metrics).toEqual(
        ['p50', 'p90', 'p99'].map((stat) => stageMetric(name, { stat, label: stat })));
    });
  });

  describe('authorization row', () => {
    test('should show decisions by outcome', () => {
      // GIVEN
      const { stack } = ordersDashboard();
      // THEN
      expect(widget(widgetsOf(synthesized(stack).body), 'Decisions by outcome').metrics).toEqual(
        ['allow', 'deny', 'unauthorized'].map((d) => authorizerMetric('Decisions', { Decision: d }, { stat: 'Sum', label: d })));
    });

    // client_undeclared is emitted only by an API whose quotas refuse undeclared clients.
    const emittedDenyReasons = DENY_REASONS.filter((r) => r !== REASON_CLIENT_UNDECLARED);

    test.each([
      ['401s by reason', UNAUTHORIZED_REASONS],
      ['403s by reason', emittedDenyReasons],
    ] as const)('should show %s, one metric per reason code of the contract the authorizer can emit', (title, reasons) => {
      // GIVEN
      const { stack } = ordersDashboard();
      // THEN
      expect(widget(widgetsOf(synthesized(stack).body), title).metrics).toEqual(
        reasons.map((r) => authorizerMetric('Decisions', { Reason: r }, { stat: 'Sum', label: r })));
    });

    test.each([
      ['refuse undeclared clients', { tiers: [{ name: 'free' }], clients: [{ clientId: 'app', tier: 'free' }] }, DENY_REASONS],
      ['admit undeclared clients under a default tier', { tiers: [{ name: 'free' }], defaultTier: 'free' }, emittedDenyReasons],
    ] as Array<[string, SecuredApiQuotaOptions, readonly string[]]>)('should show client_undeclared only where quotas %s', (_, quotas, reasons) => {
      // GIVEN
      const { stack, api } = ordersApi({ dashboard: false, alarms: false, quotas }, 3);
      new SecuredApiDashboard(stack, 'Dashboard', { api });
      // THEN
      expect(widget(widgetsOf(synthesized(stack).body), '403s by reason').metrics.map((m) => m.dimensions!.Reason)).toEqual([...reasons]);
    });

    test('should show every reason code but "allowed" in exactly one of the reason graphs of an API that can emit them all', () => {
      // GIVEN
      const { stack, api } = ordersApi({ dashboard: false, alarms: false, quotas: { tiers: [{ name: 'free' }], clients: [{ clientId: 'app', tier: 'free' }] } }, 3);
      new SecuredApiDashboard(stack, 'Dashboard', { api });
      const widgets = widgetsOf(synthesized(stack).body);
      // WHEN
      const shown = ['401s by reason', '403s by reason'].flatMap((t) => widget(widgets, t).metrics.map((m) => m.dimensions!.Reason));
      // THEN
      expect(shown.sort()).toEqual(Object.values(DecisionReason).filter((r) => r !== DecisionReason.ALLOWED).sort());
    });
  });

  describe('authorizer row', () => {
    test('should show the decision latency at p50, p90 and p99', () => {
      // GIVEN
      const { stack } = ordersDashboard();
      // THEN
      expect(widget(widgetsOf(synthesized(stack).body), 'Decision latency (ms)').metrics).toEqual(
        ['p50', 'p90', 'p99'].map((stat) => authorizerMetric('DecisionLatency', {}, { stat, label: stat })));
    });

    test("should show the authorizer function's duration, errors, throttles and concurrency", () => {
      // GIVEN
      const { stack, api } = ordersDashboard();
      const widgets = widgetsOf(synthesized(stack).body);
      const fn = { namespace: 'AWS/Lambda', dimensions: { FunctionName: `\${${logicalId(stack, api.authorizer.function)}}` } };
      // THEN
      expect(widget(widgets, 'Authorizer duration (ms)').metrics).toEqual(
        ['p50', 'p90', 'p99'].map((stat) => ({ ...fn, name: 'Duration', stat, label: stat })));
      expect(widget(widgets, 'Authorizer errors, throttles and concurrency').metrics).toEqual([
        { ...fn, name: 'Errors', stat: 'Sum', label: 'Errors' },
        { ...fn, name: 'Throttles', stat: 'Sum', label: 'Throttles' },
        { ...fn, name: 'ConcurrentExecutions', stat: 'Maximum', label: 'Concurrent executions' },
      ]);
    });

    test('should show JWKS fetches and failures', () => {
      // GIVEN
      const { stack } = ordersDashboard();
      // THEN
      expect(widget(widgetsOf(synthesized(stack).body), 'JWKS fetches').metrics).toEqual([
        authorizerMetric('JwksFetches', {}, { stat: 'Sum', label: 'Fetches' }),
        authorizerMetric('JwksFetchFailures', {}, { stat: 'Sum', label: 'Failures' }),
      ]);
    });
  });

  describe('Logs Insights widgets', () => {
    function logWidgets() {
      const { stack, api } = ordersDashboard();
      const widgets = widgetsOf(synthesized(stack).body);
      return {
        widgets,
        decisionLog: `\${${logicalId(stack, api.authorizer.logGroup)}}`,
        accessLog: `\${${logicalId(stack, api.accessLogGroup)}}`,
        stack,
      };
    }

    test('should list the clients and subjects denied most, with their reasons, from the decision log', () => {
      // GIVEN
      const { widgets, decisionLog } = logWidgets();
      // THEN
      expect(widget(widgets, 'Most denied clients and subjects')).toMatchObject({
        logGroups: [decisionLog],
        query: [
          'filter type = "authz_decision" and decision != "allow"',
          'stats count(*) as denials by client_id, sub, reason',
          'sort denials desc',
          'limit 20',
        ],
      });
    });

    test('should list denials by route and reason, from the decision log', () => {
      // GIVEN
      const { widgets, decisionLog } = logWidgets();
      // THEN
      expect(widget(widgets, 'Denials by route')).toMatchObject({
        logGroups: [decisionLog],
        query: [
          'filter type = "authz_decision" and decision != "allow"',
          'stats count(*) as denials by route, reason',
          'sort denials desc',
          'limit 20',
        ],
      });
    });

    test('should list the latest denials, newest first, from the decision log', () => {
      // GIVEN
      const { widgets, decisionLog } = logWidgets();
      // THEN
      expect(widget(widgets, 'Latest denials')).toMatchObject({
        logGroups: [decisionLog],
        query: [
          'fields @timestamp, decision, reason, client_id, sub, route',
          'filter type = "authz_decision" and decision != "allow"',
          'sort @timestamp desc',
          'limit 50',
        ],
      });
    });

    test('should list requests and error rate per client, from the access log', () => {
      // GIVEN
      const { widgets, accessLog } = logWidgets();
      // THEN
      expect(widget(widgets, 'Requests and error rate by client')).toMatchObject({
        logGroups: [accessLog],
        query: [
          'stats count(*) as requests, sum(status >= 400) as errors, sum(status >= 500) as serverErrors,'
            + ' 100 * sum(status >= 400) / count(*) as errorRatePct by clientId',
          'sort requests desc',
          'limit 20',
        ],
      });
    });

    test('should query only fields the decision log and the access log hold', () => {
      // GIVEN: the fields of a real decision line, and of the stage's access log format
      const lines: string[] = [];
      new AuditLog('SecuredApi', 'orders', (l) => lines.push(l)).decision({
        decision: 'deny', reason: 'insufficient_scope', claims: { sub: 's', client_id: 'c' }, scopes: 'a', route: 'GET /orders', kid: 'k', latencyMs: 1, cached: false,
      });
      const decisionFields = Object.keys(JSON.parse(lines[0]));
      const { widgets, decisionLog, accessLog, stack } = logWidgets();
      const stage = Object.values<any>(Template.fromStack(stack).findResources('AWS::ApiGateway::Stage'))[0];
      const accessFields = Object.keys(JSON.parse(stage.Properties.AccessLogSetting.Format));
      const keywords = new Set(['fields', 'filter', 'stats', 'sort', 'limit', 'by', 'as', 'and', 'desc', 'count', 'sum']);
      // WHEN
      const logs = widgets.filter((w) => w.type === 'log');
      // THEN
      expect(logs).toHaveLength(4);
      for (const w of logs) {
        const known = w.logGroups[0] === decisionLog ? decisionFields : w.logGroups[0] === accessLog ? accessFields : [];
        const text = w.query.join(' | ').replace(/"[^"]*"/g, '');
        const aliases = [...text.matchAll(/\bas (\w+)/g)].map((m) => m[1]);
        const identifiers = [...text.matchAll(/(?<![@\w])[A-Za-z_]\w*/g)].map((m) => m[0]);
        const unknown = identifiers.filter((i) => !keywords.has(i) && !aliases.includes(i) && !known.includes(i));
        expect({ title: w.title, unknown }).toEqual({ title: w.title, unknown: [] });
        if (w.logGroups[0] === decisionLog) {
          expect(w.query).toContain('filter type = "authz_decision" and decision != "allow"');
        }
      }
    });
  });

  describe('options', () => {
    test('should name the dashboard', () => {
      // GIVEN
      const { stack } = ordersDashboard({ dashboardName: 'orders-api' });
      // THEN
      expect(synthesized(stack).properties.DashboardName).toBe('orders-api');
    });

    test('should leave the name to CloudFormation by default', () => {
      // GIVEN
      const { stack } = ordersDashboard();
      // THEN
      expect(synthesized(stack).properties.DashboardName).toBeUndefined();
    });

    test('should give every metric the period, and keep it at every time range', () => {
      // GIVEN
      const { stack } = ordersDashboard({ period: Duration.minutes(1) });
      // WHEN
      const { body } = synthesized(stack);
      const metricWidgets = widgetsOf(body).filter((w) => w.type === 'metric');
      // THEN
      expect(body.periodOverride).toBe('inherit');
      for (const w of metricWidgets) {
        for (const m of w.metrics) {
          expect({ widget: w.title, metric: m.label ?? m.id, period: m.expression === undefined ? m.period : 60 })
            .toEqual({ widget: w.title, metric: m.label ?? m.id, period: 60 });
        }
      }
      expect(metricWidgets.filter((w) => w.properties.view === 'timeSeries').map((w) => w.properties.period)).toEqual(Array(10).fill(60));
    });

    test('should use the metrics\' 5-minute period, and let CloudWatch adapt it, by default', () => {
      // GIVEN
      const { stack } = ordersDashboard();
      // WHEN
      const { body } = synthesized(stack);
      // THEN
      expect(body.periodOverride).toBeUndefined();
      for (const w of widgetsOf(body)) {
        expect(w.properties.period ?? 300).toBe(300);
        for (const m of w.metrics) {
          expect(m.period ?? 300).toBe(300);
        }
      }
    });

    test('should append extra widgets below the built-in ones, one row each', () => {
      // GIVEN
      const first = new cloudwatch.TextWidget({ markdown: '# Runbook', width: 24, height: 2 });
      const a = new cloudwatch.TextWidget({ markdown: 'a', width: 12, height: 2 });
      const b = new cloudwatch.TextWidget({ markdown: 'b', width: 12, height: 2 });
      // WHEN
      const { stack } = ordersDashboard({ extraWidgets: [first, new cloudwatch.Row(a, b)] });
      // THEN
      const widgets = widgetsOf(synthesized(stack).body);
      const latest = widget(widgets, 'Latest denials');
      const texts = widgets.filter((w) => w.type === 'text').map((w) => ({ markdown: w.properties.markdown, x: w.x, y: w.y }));
      const bottom = latest.y + latest.height;
      expect(texts).toEqual([
        { markdown: '# Runbook', x: 0, y: bottom },
        { markdown: 'a', x: 0, y: bottom + 2 },
        { markdown: 'b', x: 12, y: bottom + 2 },
      ]);
      expect(widgets.slice(-3).map((w) => w.type)).toEqual(['text', 'text', 'text']);
    });
  });

  describe('size', () => {
    test('should be the same dashboard for 3 routes and for 300, within CloudWatch\'s limits', () => {
      // GIVEN
      const small = synthesized(ordersDashboard({}, 3).stack);
      // WHEN
      const large = synthesized(ordersDashboard({ alarms: [] }, 300).stack);
      // THEN
      expect(large.text).toBe(small.text);
      const widgets = widgetsOf(large.body);
      expect(widgets).toHaveLength(16);
      expect(widgets.length).toBeLessThanOrEqual(MAX_WIDGETS);
      for (const w of widgets) {
        expect(w.metrics.length).toBeLessThanOrEqual(MAX_METRICS_PER_GRAPH);
      }
      // The body is a few kilobytes; a per-route widget or metric would add to it for each route.
      expect(large.text.length).toBeLessThan(16_000);
    });

    test('should keep every metric dimension free of clients, subjects and routes', () => {
      // GIVEN
      const { stack } = ordersDashboard({}, 30);
      // WHEN
      const dimensions = widgetsOf(synthesized(stack).body).flatMap((w) => w.metrics.flatMap((m) => Object.keys(m.dimensions ?? {})));
      // THEN
      expect([...new Set(dimensions)].sort()).toEqual(['ApiName', 'Decision', 'FunctionName', 'Reason', 'Service', 'Stage']);
    });
  });

  test('should give cdk-nag nothing to find on it', () => {
    // GIVEN
    const { app } = ordersDashboard((s) => ({
      alarms: [cloudwatch.Alarm.fromAlarmArn(s, 'Alarm', 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:orders-5xx')],
      extraWidgets: [new cloudwatch.TextWidget({ markdown: '# Runbook', width: 24, height: 2 })],
    }));
    // WHEN
    const findings = nagFindings(app);
    // THEN
    expect(findings.filter((f) => f.includes('/Dashboard'))).toEqual([]);
  });
});
