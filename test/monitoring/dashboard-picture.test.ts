import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dashboardsOf, expandMetrics, GRID, main, renderDashboard, resolveValue, splitQuery, widgetLines } from '../../scripts/dashboard-picture';

/** A stack synthesized by aws-cdk-lib with one widget of each kind the dashboard uses (text, number, graph with an expression and a threshold, alarm status, alarm graph, logs table). */
const FIXTURE = path.join(__dirname, 'fixtures', 'dashboard.template.json');

function fixture(): { template: any; body: any } {
  const template = JSON.parse(fs.readFileSync(FIXTURE, 'utf8'));
  return { template, body: dashboardsOf(template)[0].body };
}

/** The widget boxes of a picture: every `rect` inside a widget group. */
function boxes(svg: string): Array<{ x: number; y: number; width: number; height: number }> {
  return [...svg.matchAll(/<g class="widget"[^>]*>\n<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g)]
    .map((m) => ({ x: Number(m[1]), y: Number(m[2]), width: Number(m[3]), height: Number(m[4]) }));
}

/** The text of a picture, tags and entities stripped, one `text` element a line. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>(.*?)<\/text>/g)].map((m) => m[1]
    .replace(/<tspan[^>]*>/g, ' ').replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
}

describe('dashboard-picture', () => {
  describe('reading the synthesized body', () => {
    test('should rebuild the body from its Fn::Join, tokens as readable placeholders', () => {
      // GIVEN
      const { template } = fixture();

      // WHEN
      const [dashboard] = dashboardsOf(template);

      // THEN
      expect(dashboard.id).toBe('Dashboard9E4231ED');
      expect(dashboard.name).toBe('orders-security');
      expect(dashboard.body.widgets).toHaveLength(8);
      expect(dashboard.body.widgets[1].properties.region).toBe('<AWS::Region>');
      expect(dashboard.body.widgets[3].properties.alarms).toEqual(['<DenialsAlarm>']);
      expect(dashboard.body.widgets[7].properties.query).toMatch(/^SOURCE '<AuthorizerLogGroup>' \| fields @timestamp/);
    });

    test.each([
      [{ Ref: 'AWS::Region' }, '<AWS::Region>'],
      [{ Ref: 'OrdersApiAccessLogs1A2B3C4D' }, '<OrdersApiAccessLogs>'],
      [{ 'Fn::GetAtt': ['OrdersAlarmDBCC0924', 'Arn'] }, '<OrdersAlarm>'],
      [{ 'Fn::GetAtt': ['OrdersApiAuthorizer0A1B2C3D', 'Name'] }, '<OrdersApiAuthorizer.Name>'],
      [{ 'Fn::Join': ['-', ['a', { Ref: 'AWS::AccountId' }]] }, 'a-<AWS::AccountId>'],
      [{ 'Fn::Sub': 'arn:${AWS::Partition}:logs:${Group12345678}' }, 'arn:<AWS::Partition>:logs:<Group>'],
      [{ 'Fn::ImportValue': 'x' }, '<Fn::ImportValue>'],
    ])('should write %j as %j', (value, expected) => {
      expect(resolveValue(value)).toBe(expected);
    });

    test('should expand the "." and "..." shorthands of the metrics array', () => {
      // GIVEN
      const metrics = [
        ['SecuredApi', 'Decisions', 'Decision', 'deny', 'Service', 'orders'],
        ['.', '.', '.', 'allow', '.', '.', { yAxis: 'right' }],
        ['...', 'billing'],
      ];

      // WHEN
      const expanded = expandMetrics(metrics);

      // THEN
      expect(expanded.map((m) => m.items)).toEqual([
        ['SecuredApi', 'Decisions', 'Decision', 'deny', 'Service', 'orders'],
        ['SecuredApi', 'Decisions', 'Decision', 'allow', 'Service', 'orders'],
        ['SecuredApi', 'Decisions', 'Decision', 'allow', 'Service', 'billing'],
      ]);
      expect(expanded[1].options).toEqual({ yAxis: 'right' });
    });

    test('should split a Logs Insights query into its log groups and commands', () => {
      expect(splitQuery("SOURCE 'a' | SOURCE 'b' | fields @timestamp, reason\n| filter decision = \"deny\"\n| limit 20")).toEqual({
        sources: ['a', 'b'],
        commands: ['fields @timestamp, reason', 'filter decision = "deny"', 'limit 20'],
      });
    });
  });

  describe('drawing', () => {
    test('should draw each widget as a box at its place on the 24-column grid', () => {
      // GIVEN
      const { template, body } = fixture();

      // WHEN
      const svg = renderDashboard(body, { template });

      // THEN
      expect(boxes(svg)).toEqual(body.widgets.map((w: any) => ({
        x: GRID.margin + w.x * GRID.columnPx + GRID.gap / 2,
        y: GRID.headerPx + w.y * GRID.rowPx + GRID.gap / 2,
        width: w.width * GRID.columnPx - GRID.gap,
        height: w.height * GRID.rowPx - GRID.gap,
      })));
      // The full width of the grid is the picture's, and the last row ends inside it.
      const [, width, height] = /<svg[^>]* width="(\d+)" height="(\d+)"/.exec(svg)!.map(Number);
      expect(width).toBe(2 * GRID.margin + 24 * GRID.columnPx);
      expect(height).toBe(GRID.headerPx + 18 * GRID.rowPx + GRID.margin);
    });

    test('should write each widget title and kind', () => {
      // GIVEN
      const { template, body } = fixture();

      // WHEN
      const lines = texts(renderDashboard(body, { template, title: 'Dashboard orders-security' }));

      // THEN
      expect(lines[0]).toBe('Dashboard orders-security');
      for (const title of ['Requests', 'Refused', 'Alarms', 'Decisions by result', 'Refusal rate', 'Denials alarm', 'Latest denials']) {
        expect(lines).toContain(title);
      }
      for (const kind of ['text', 'number', 'alarm status', 'graph', 'alarm graph', 'logs table']) {
        expect(lines).toContain(kind);
      }
    });

    test('should list each visible metric by name and the dimension values that tell it apart', () => {
      // GIVEN
      const { template, body } = fixture();

      // WHEN
      const lines = texts(renderDashboard(body, { template }));

      // THEN
      expect(lines).toEqual(expect.arrayContaining([
        'Count ApiName=orders Stage=prod [SampleCount]', // no other dimension: the identity ones are shown
        'Decisions Decision=allow [Sum]', // Service=orders left out beside a telling dimension
        'Decisions Decision=deny [Sum]',
        'Decisions Decision=unauthorized [Sum]',
        'deny alarm at 50', // a threshold annotation
        'refused % = 100 * (d + u) / a', // an expression, its inputs (visible: false) not listed
        'Decisions (right) Reason=expired [Sum]',
      ]));
      expect(lines.filter((l) => l.startsWith('Decisions Decision=deny'))).toHaveLength(2); // "Refused" and "Decisions by result"
      expect(lines.some((l) => l.includes('Service='))).toBe(false);
    });

    test('should describe each alarm with its metric, comparison and threshold from the template', () => {
      // GIVEN
      const { template, body } = fixture();

      // WHEN
      const lines = texts(renderDashboard(body, { template }));

      // THEN: in the alarm graph whole, in the narrower alarm status widget as far as it fits.
      expect(lines).toContain('DenialsAlarm Decisions >= 50, 1 of 1 x 300s');
      expect(lines.filter((l) => l.startsWith('DenialsAlarm Decisions >= 50'))).toHaveLength(2);
    });

    test('should take a metric-math alarm\'s period from its metrics, and describe a composite alarm', () => {
      // GIVEN
      const template = {
        Resources: {
          ShareAAAAAAAA: {
            Type: 'AWS::CloudWatch::Alarm',
            Properties: {
              ComparisonOperator: 'GreaterThanThreshold',
              Threshold: 25,
              EvaluationPeriods: 3,
              DatapointsToAlarm: 2,
              Metrics: [{ Id: 'e', Label: '401 share (%)', Expression: '100 * u / d' }, { Id: 'u', MetricStat: { Period: 300 }, ReturnData: false }],
            },
          },
          HealthBBBBBBBB: {
            Type: 'AWS::CloudWatch::CompositeAlarm',
            Properties: { AlarmName: 'StackHealthC1D2E3F4', AlarmRule: { 'Fn::Join': ['', ['ALARM("', { 'Fn::GetAtt': ['ShareAAAAAAAA', 'Arn'] }, '") OR ALARM("x")']] } },
          },
        },
      };
      const widget = { type: 'alarm', properties: { alarms: ['<Share>', '<Health>'] } };

      // WHEN
      const lines = widgetLines(widget, template);

      // THEN
      expect(lines.map((l) => `${l.text}: ${l.note}`)).toEqual(['Share: 401 share (%) > 25, 2 of 3 x 300s', 'Health: composite: any of 2 alarms']);
    });

    test('should drop the words every alarm name of a status widget starts with', () => {
      // GIVEN
      const arn = (name: string) => `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${name}`;
      const widget = { type: 'alarm', properties: { alarms: [arn('OrdersAlarmsLatencyP90'), arn('OrdersAlarmsServerErrorRate')] } };

      // WHEN
      const lines = widgetLines(widget, { Resources: {} });

      // THEN
      expect(lines.map((l) => l.text)).toEqual(['LatencyP90', 'ServerErrorRate']);
    });

    test('should show the first line of a log query, then the rest and its log group', () => {
      // GIVEN
      const { template, body } = fixture();

      // WHEN
      const lines = texts(renderDashboard(body, { template }));

      // THEN
      const first = lines.indexOf('fields @timestamp, reason, client_id, route');
      expect(first).toBeGreaterThan(0);
      expect(lines.slice(first, first + 5)).toEqual([
        'fields @timestamp, reason, client_id, route',
        '| filter type = "authz_decision" and decision = "deny"',
        '| sort @timestamp desc',
        '| limit 20',
        'log group <AuthorizerLogGroup>',
      ]);
    });

    test('should say how many lines did not fit rather than draw past the box', () => {
      // GIVEN
      const metrics = Array.from({ length: 12 }, (_, i) => ['SecuredApi', 'Decisions', 'Reason', `reason_${i}`, 'Service', 'orders']);
      const body = { widgets: [{ type: 'metric', x: 0, y: 0, width: 3, height: 3, properties: { title: 'Many', metrics } }] };

      // WHEN
      const svg = renderDashboard(body);

      // THEN
      const lines = texts(svg);
      const shown = lines.filter((l) => l.startsWith('Decisions'));
      expect(shown.length).toBeGreaterThan(0);
      expect(lines).toContain(`\u2026 ${12 - shown.length} more`);
      const box = boxes(svg)[0];
      const baselines = [...svg.matchAll(/<text[^>]* y="([\d.]+)"/g)].map((m) => Number(m[1])).slice(2);
      expect(Math.max(...baselines)).toBeLessThanOrEqual(box.y + box.height);
    });

    test('should put a long legend of short labels into columns', () => {
      // GIVEN: one series per reason code, as a "401s by reason" graph has.
      const reasons = Array.from({ length: 19 }, (_, i) => `reason_${i}`);
      const metrics = reasons.map((r) => ['SecuredApi', 'Decisions', 'Reason', r, 'Service', 'orders', { label: r }]);
      const body = { widgets: [{ type: 'metric', x: 0, y: 0, width: 8, height: 6, properties: { title: '401s by reason', metrics } }] };

      // WHEN
      const svg = renderDashboard(body);

      // THEN: every label, none cut, in more than one column.
      const lines = texts(svg);
      expect(lines.filter((l) => l.startsWith('reason_'))).toEqual(reasons);
      expect(lines.some((l) => l.includes('more'))).toBe(false);
      const xs = new Set([...svg.matchAll(/<text x="([\d.]+)"[^>]*>reason_/g)].map((m) => m[1]));
      expect(xs.size).toBeGreaterThan(1);
    });

    test('should cut a line too long for its box, and escape markup in any text', () => {
      // GIVEN
      const body = { widgets: [{ type: 'text', x: 0, y: 0, width: 3, height: 2, properties: { markdown: '# <b>&"quoted"</b> and a very long heading that cannot fit' } }] };

      // WHEN
      const svg = renderDashboard(body);

      // THEN
      expect(svg).not.toContain('<b>');
      expect(svg).toContain('&lt;b&gt;&amp;&quot;quoted&quot;');
      expect(texts(svg).find((l) => l.startsWith('<b>'))).toMatch(/\u2026$/);
    });
  });

  describe('the command', () => {
    test('should write the SVG of the template\'s dashboard where --out says', () => {
      // GIVEN
      const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dashboard-picture-')), 'docs', 'dashboard.svg');
      const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);

      // WHEN
      try {
        main([FIXTURE, '--out', out]);
      } finally {
        log.mockRestore();
      }

      // THEN
      const svg = fs.readFileSync(out, 'utf8');
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(boxes(svg)).toHaveLength(8);
      expect(texts(svg)[0]).toBe('Dashboard orders-security');
      expect(svg).not.toMatch(/@font-face|@import|url\((?!#)|<image|href=/);
    });

    test('should name the dashboards it knows when --dashboard names another', () => {
      expect(() => main([FIXTURE, '--dashboard', 'Nope', '--out', '/dev/null'])).toThrow('(dashboards: Dashboard9E4231ED)');
    });
  });
});
