#!/usr/bin/env node
// Draws a CloudWatch dashboard of a synthesized CloudFormation template as an SVG picture: each widget
// as a box at its place on the 24-column grid, with its title and what it shows (metrics with their
// key dimension values, expressions, alarm thresholds, the first line of a Logs Insights query).
// Reads the template only: no AWS account, no network, no dependencies.
//
//   node scripts/dashboard-picture.js [template.json] [--out docs/dashboard.svg] [--dashboard <logical id>] [--print-body]
//
// The template defaults to the first example/cdk.out/*.template.json holding a dashboard (make it with
// `npx projen example`). --print-body prints the reconstructed dashboard body (JSON) instead of drawing.
//
// The body follows CloudWatch's "Dashboard Body Structure and Syntax": `widgets`, each with `type`
// (`metric`, `log`, `alarm`, `text`, ...), `x`, `y`, `width`, `height` in grid units and `properties`.
// A synthesized body is an `Fn::Join` of strings and tokens; tokens become readable placeholders:
// `<AWS::Region>`, `<OrdersApiAccessLogs>` (a Ref, or a GetAtt of `Arn`, with CDK's hash suffix
// dropped), `<OrdersApiAuthorizer.Name>` (any other GetAtt).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const COLUMNS = 24;
const COLUMN_PX = 54;
const ROW_PX = 34;
const MARGIN = 16;
const HEADER_PX = 56;
const GAP = 6;
const TITLE_FONT = 14;
const BODY_FONT = 12;
const NOTE_FONT = 11;
const LINE_PX = 17;
const SANS = 'Helvetica, Arial, sans-serif';
const MONO = 'Menlo, Consolas, \'DejaVu Sans Mono\', monospace';
/** CloudWatch's default line colours, in order. */
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
/** Dimensions that name the API or service rather than tell series apart: shown only when a metric has no other. */
const IDENTITY_DIMENSIONS = new Set(['ApiName', 'Stage', 'Service', 'FunctionName']);
const COMPARISONS = {
  GreaterThanOrEqualToThreshold: '>=',
  GreaterThanThreshold: '>',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '<=',
  LessThanLowerOrGreaterThanUpperThreshold: 'outside band',
  LessThanLowerThreshold: '< lower band',
  GreaterThanUpperThreshold: '> upper band',
};

/** CDK logical ids end in an 8-character hash; the picture reads better without it. */
function readableId(logicalId) {
  const short = logicalId.replace(/[0-9A-F]{8}$/, '');
  return short.length > 0 ? short : logicalId;
}

/**
 * A template value as a string, its tokens replaced by placeholders. Handles what CDK writes into a
 * dashboard body: Fn::Join, Ref (resources and pseudo-parameters), Fn::GetAtt, Fn::Sub, Fn::Select;
 * anything else becomes `<Fn::Name>`.
 */
function resolveValue(value) {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(resolveValue).join(',');
  if (value && typeof value === 'object') {
    const [fn] = Object.keys(value);
    const arg = value[fn];
    switch (fn) {
      case 'Fn::Join':
        return arg[1].map(resolveValue).join(arg[0]);
      case 'Ref':
        return arg.startsWith('AWS::') ? `<${arg}>` : `<${readableId(arg)}>`;
      case 'Fn::GetAtt': {
        const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split('.');
        return attribute === 'Arn' ? `<${readableId(id)}>` : `<${readableId(id)}.${attribute}>`;
      }
      case 'Fn::Sub': {
        const [text, vars] = Array.isArray(arg) ? arg : [arg, {}];
        return text.replace(/\$\{([^}!][^}]*)\}/g, (_, name) => (vars && name in vars ? resolveValue(vars[name]) : `<${name.includes('::') ? name : readableId(name)}>`));
      }
      case 'Fn::Select': {
        const list = arg[1];
        return Array.isArray(list) ? resolveValue(list[arg[0]]) : `<Fn::Select>`;
      }
      default:
        return `<${fn}>`;
    }
  }
  return '';
}

/** The dashboards of a template: logical id, name and body (parsed), in template order. */
function dashboardsOf(template) {
  return Object.entries(template.Resources || {})
    .filter(([, r]) => r.Type === 'AWS::CloudWatch::Dashboard')
    .map(([id, r]) => ({
      id,
      name: r.Properties.DashboardName === undefined ? readableId(id) : resolveValue(r.Properties.DashboardName),
      body: JSON.parse(resolveValue(r.Properties.DashboardBody)),
    }));
}

/**
 * A metrics array with CloudWatch's shorthands expanded: `"."` repeats the previous metric's item at the
 * same position, a leading `"..."` repeats its leading items. Each entry: `{ items, options }`.
 */
function expandMetrics(metrics) {
  const out = [];
  let previous = [];
  for (const entry of metrics || []) {
    const last = entry[entry.length - 1];
    const options = last && typeof last === 'object' && !Array.isArray(last) ? last : {};
    let items = entry.filter((item) => typeof item !== 'object');
    if (items[0] === '...') {
      const rest = items.slice(1);
      items = previous.slice(0, Math.max(0, previous.length - rest.length)).concat(rest);
    }
    items = items.map((item, i) => (item === '.' ? previous[i] : item));
    if (items.length > 0) previous = items;
    out.push({ items, options });
  }
  return out;
}

/** One legend line per visible series of a metric widget: `{ text, note, color }`. */
function seriesLines(properties) {
  const lines = [];
  let colorIndex = 0;
  for (const { items, options } of expandMetrics(properties.metrics)) {
    if (options.visible === false) continue;
    const color = options.color || PALETTE[colorIndex++ % PALETTE.length];
    const axis = options.yAxis === 'right' ? ' (right)' : '';
    if (options.expression !== undefined) {
      lines.push({ text: `${options.label || options.expression}${axis}`, note: options.label ? `= ${options.expression}` : '', color });
      continue;
    }
    const [, metricName, ...dims] = items;
    const pairs = [];
    for (let i = 0; i + 1 < dims.length; i += 2) pairs.push([dims[i], dims[i + 1]]);
    // A label already says which series it is: beside one, only the dimensions it does not repeat.
    const telling = pairs.filter(([name, val]) => !IDENTITY_DIMENSIONS.has(name) && val !== options.label);
    const dimensions = telling.length > 0 || options.label ? telling : pairs;
    const shown = dimensions.map(([name, val]) => `${name}=${val}`).join(' ');
    const stat = options.stat || properties.stat;
    lines.push({
      text: `${options.label || metricName}${axis}`,
      note: [options.label ? metricName : '', shown, stat ? `[${stat}]` : ''].filter(Boolean).join(' '),
      color,
    });
  }
  for (const h of (properties.annotations && properties.annotations.horizontal) || []) {
    const band = Array.isArray(h) ? h : [h];
    lines.push({ text: band.map((b) => b.label || 'threshold').join(' / '), note: `at ${band.map((b) => String(b.value)).join(' to ')}`, color: '#d62728', dashed: true });
  }
  return lines;
}

/** An alarm ARN placeholder (`<Id>`) described from the template: name, metric, comparison, threshold. */
function alarmLine(arn, template) {
  const match = /^<([^>.]+)>$/.exec(arn);
  const found = match && Object.entries(template.Resources || {})
    .find(([id, r]) => /^AWS::CloudWatch::(Composite)?Alarm$/.test(r.Type) && readableId(id) === match[1]);
  const fromArn = /:alarm:(.+)$/.exec(arn);
  if (!found) return { text: fromArn ? fromArn[1] : arn, note: '' };
  const p = found[1].Properties;
  if (found[1].Type === 'AWS::CloudWatch::CompositeAlarm') {
    // Its name is often one CDK generated: the logical id reads better.
    const rule = resolveValue(p.AlarmRule);
    const members = (rule.match(/ALARM\(/g) || []).length;
    const only = /\bAND\b/.test(rule) ? 'all' : 'any';
    return { text: match[1], note: /\bNOT\b/.test(rule) ? 'composite rule' : `composite: ${only} of ${members} alarms` };
  }
  const name = p.AlarmName === undefined ? match[1] : resolveValue(p.AlarmName);
  const metric = p.MetricName || (p.Metrics ? (p.Metrics.find((m) => m.ReturnData !== false) || {}).Label || 'expression' : '?');
  const op = COMPARISONS[p.ComparisonOperator] || p.ComparisonOperator;
  const threshold = p.Threshold === undefined ? '' : ` ${p.Threshold}`;
  // A metric-math alarm has no Period of its own: its metrics' periods are the expression's.
  const period = p.Period || (p.Metrics || []).map((m) => m.Period || (m.MetricStat && m.MetricStat.Period)).find(Boolean);
  const periods = p.EvaluationPeriods && period ? `, ${p.DatapointsToAlarm || p.EvaluationPeriods} of ${p.EvaluationPeriods} x ${period}s` : '';
  return { text: name, note: `${metric} ${op}${threshold}${periods}` };
}

/**
 * Alarm lines without the leading words all their names share (`OrdersAlarmsLatencyP90`,
 * `OrdersAlarmsServerErrorRate`: `LatencyP90`, `ServerErrorRate`), cut where a word starts.
 */
function withoutCommonPrefix(lines) {
  if (lines.length < 2) return lines;
  let n = 0;
  while (lines.every((l) => l.text.length > n + 1 && l.text[n] === lines[0].text[n])) n++;
  while (n > 0 && !lines.every((l) => /[A-Z]/.test(l.text[n]))) n--;
  return n < 3 ? lines : lines.map((l) => ({ ...l, text: l.text.slice(n) }));
}

/** A Logs Insights query split into its source log groups and its commands. */
function splitQuery(query) {
  const sources = [];
  let rest = query.trim();
  for (;;) {
    const m = /^SOURCE\s+'([^']*)'\s*\|?\s*/i.exec(rest);
    if (!m) break;
    sources.push(m[1]);
    rest = rest.slice(m[0].length);
  }
  const commands = rest.split(/\n\s*\|\s*|\n/).map((c) => c.trim().replace(/^\|\s*/, '')).filter(Boolean);
  return { sources, commands };
}

/** What a widget shows, as lines under its title. */
function widgetLines(widget, template) {
  const p = widget.properties || {};
  switch (widget.type) {
    case 'metric':
      if (p.annotations && p.annotations.alarms && !p.metrics) {
        return p.annotations.alarms.map((arn) => ({ ...alarmLine(arn, template), color: '#d62728' }));
      }
      return seriesLines(p);
    case 'alarm':
      return withoutCommonPrefix((p.alarms || []).map((arn) => ({ ...alarmLine(arn, template), color: '#2ca02c', marker: 'circle' })));
    case 'log': {
      const { sources, commands } = splitQuery(p.query || '');
      return [
        { text: commands[0] || '', mono: true, wrap: true },
        ...commands.slice(1).map((c) => ({ text: `| ${c}`, mono: true, faint: true })),
        ...sources.map((s) => ({ text: `log group ${s}`, faint: true })),
      ];
    }
    case 'text': {
      const first = (p.markdown || '').split('\n').map((l) => l.trim()).filter(Boolean);
      return first.map((l, i) => ({ text: l.replace(/^#+\s*/, ''), strong: i === 0 && /^#/.test(l) }));
    }
    default:
      return [{ text: `(${widget.type} widget)`, faint: true }];
  }
}

function kindOf(widget) {
  const p = widget.properties || {};
  if (widget.type === 'metric') {
    if (p.annotations && p.annotations.alarms && !p.metrics) return 'alarm graph';
    return { singleValue: 'number', bar: 'bar chart', pie: 'pie chart', gauge: 'gauge' }[p.view] || (p.stacked ? 'stacked graph' : 'graph');
  }
  return { log: `logs ${p.view || 'table'}`, alarm: 'alarm status', text: 'text' }[widget.type] || widget.type;
}

function escapeXml(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Average glyph width as a share of the font size. The picture names generic font families and no web
 * fonts, so widths are estimates: these are on the wide side (DejaVu Sans, the widest common fallback),
 * and each widget is clipped to its box besides.
 */
function glyphShare(mono) {
  return mono ? 0.61 : 0.6;
}

function textPx(text, fontPx, mono) {
  return text.length * fontPx * glyphShare(mono);
}

/** Text cut to fit `px` pixels. */
function fit(text, px, fontPx, mono) {
  const max = Math.max(1, Math.floor(px / (fontPx * glyphShare(mono))));
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}\u2026`;
}

/** Text broken into lines of `px` pixels, at spaces where it can. */
function wrap(text, px, fontPx, mono) {
  const max = Math.max(4, Math.floor(px / (fontPx * glyphShare(mono))));
  const lines = [];
  let rest = text;
  while (rest.length > max) {
    let cut = rest.lastIndexOf(' ', max);
    if (cut <= max / 3) cut = max;
    lines.push(rest.slice(0, cut));
    rest = rest.slice(cut).trimStart();
  }
  lines.push(rest);
  return lines;
}

/** One widget's box, title, kind and lines, as SVG. */
function renderWidget(widget, template, index) {
  const x = MARGIN + widget.x * COLUMN_PX + GAP / 2;
  const y = HEADER_PX + widget.y * ROW_PX + GAP / 2;
  const w = widget.width * COLUMN_PX - GAP;
  const h = widget.height * ROW_PX - GAP;
  const p = widget.properties || {};
  const out = [`<g class="widget" data-type="${escapeXml(widget.type)}">`];
  out.push(`<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="4" fill="#ffffff" stroke="#c6ccd2"/>`);
  out.push(`<clipPath id="clip${index}"><rect x="${x + 1}" y="${y + 1}" width="${w - 2}" height="${h - 2}"/></clipPath>`);
  out.push(`<g clip-path="url(#clip${index})">`);
  const kind = kindOf(widget);
  const kindPx = textPx(kind, 11, false) + 8;
  let top = y + 8;
  if (p.title) {
    out.push(`<text x="${x + 10}" y="${top + TITLE_FONT}" font-family="${SANS}" font-size="${TITLE_FONT}" font-weight="bold" fill="#16191f">${escapeXml(fit(p.title, w - 20 - kindPx, TITLE_FONT, false))}</text>`);
    top += TITLE_FONT + 10;
  }
  out.push(`<text x="${x + w - 8}" y="${y + 8 + 11}" text-anchor="end" font-family="${SANS}" font-size="11" fill="#687078">${escapeXml(kind)}</text>`);

  const inner = w - 20;
  const rows = [];
  for (const line of widgetLines(widget, template)) {
    const mono = line.mono === true;
    const indent = line.color ? 16 : 0;
    if (line.wrap) {
      for (const part of wrap(line.text, inner - indent, BODY_FONT, mono)) rows.push({ ...line, text: part, note: '' });
    } else {
      rows.push(line);
    }
  }
  // A long legend of short entries (e.g. one series per reason code) goes into columns.
  const capacity = Math.max(1, Math.floor((y + h - 6 - top) / LINE_PX));
  const legend = rows.every((r) => r.color && !r.wrap);
  const widest = Math.max(0, ...rows.map((r) => 16 + textPx(r.text, BODY_FONT, r.mono === true) + 12));
  const columns = legend && rows.length > capacity ? Math.max(1, Math.min(Math.ceil(rows.length / capacity), Math.floor(inner / Math.max(widest, 1)))) : 1;
  const slots = columns * capacity;
  const shown = rows.length > slots ? rows.slice(0, slots - 1) : rows;
  const columnPx = inner / columns;
  for (const [i, row] of shown.entries()) {
    const column = Math.floor(i / capacity);
    const baseline = top + (i % capacity) * LINE_PX + BODY_FONT;
    const left = x + 10 + column * columnPx;
    let textX = left;
    if (row.color) {
      if (row.marker === 'circle') {
        out.push(`<circle cx="${textX + 5}" cy="${baseline - 4}" r="4.5" fill="${row.color}"/>`);
      } else if (row.dashed) {
        out.push(`<line x1="${textX}" y1="${baseline - 4}" x2="${textX + 11}" y2="${baseline - 4}" stroke="${row.color}" stroke-width="2" stroke-dasharray="3 2"/>`);
      } else {
        out.push(`<rect x="${textX}" y="${baseline - 9}" width="11" height="11" rx="2" fill="${row.color}"/>`);
      }
      textX += 16;
    }
    const room = left + columnPx - textX - (columns > 1 ? 8 : 0);
    const font = row.mono ? MONO : SANS;
    const fill = row.faint ? '#687078' : '#16191f';
    const weight = row.strong ? ' font-weight="bold"' : '';
    const main = fit(row.text, room, BODY_FONT, row.mono === true);
    const rest = room - textPx(main, BODY_FONT, row.mono === true) - 6;
    // In columns a legend keeps to its labels; a note is shown where it has room to say something.
    const note = row.note && columns === 1 && rest > 60 ? `<tspan dx="6" font-size="${NOTE_FONT}" fill="#687078">${escapeXml(fit(row.note, rest, NOTE_FONT, false))}</tspan>` : '';
    out.push(`<text x="${textX}" y="${baseline}" font-family="${font}" font-size="${BODY_FONT}" fill="${fill}"${weight}>${escapeXml(main)}${note}</text>`);
  }
  let used = top + Math.min(shown.length, capacity) * LINE_PX;
  if (rows.length > shown.length) {
    const i = shown.length;
    const baseline = top + (i % capacity) * LINE_PX + BODY_FONT;
    out.push(`<text x="${x + 10 + Math.floor(i / capacity) * columnPx}" y="${baseline}" font-family="${SANS}" font-size="${BODY_FONT}" fill="#687078">\u2026 ${rows.length - shown.length} more</text>`);
    used = Math.max(used, baseline - BODY_FONT + LINE_PX);
  }
  // The room a graph leaves below its legend: an empty plot frame, so the picture reads as a
  // dashboard without pretending to have data.
  const plotTop = used + 6;
  const plotBottom = y + h - 10;
  if (widget.type === 'metric' && !p.view || p.view === 'timeSeries' || p.view === 'bar') {
    if (plotBottom - plotTop >= 36) {
      out.push(`<g class="plot" stroke="#e9ebed">`);
      for (let i = 0; i <= 3; i++) {
        const gy = Math.round(plotTop + ((plotBottom - plotTop) * i) / 3) + 0.5;
        out.push(`<line x1="${x + 10}" y1="${gy}" x2="${x + w - 10}" y2="${gy}"/>`);
      }
      out.push('</g>');
    }
  }
  out.push('</g>', '</g>');
  return out.join('\n');
}

/**
 * The SVG picture of a dashboard body (parsed JSON). `options.title` heads it; `options.template` (the
 * whole template) lets alarm widgets show each alarm's metric and threshold.
 */
function renderDashboard(body, options = {}) {
  const widgets = (body.widgets || []).map((w) => ({ x: 0, y: 0, width: 6, height: 6, ...w }));
  const template = options.template || { Resources: {} };
  const rows = widgets.reduce((max, w) => Math.max(max, w.y + w.height), 0);
  const width = 2 * MARGIN + COLUMNS * COLUMN_PX;
  const height = HEADER_PX + rows * ROW_PX + MARGIN;
  const title = options.title || 'CloudWatch dashboard';
  const subtitle = options.subtitle || `${widgets.length} widgets on the 24-column grid; drawn from the synthesized template, without data`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#f2f3f3"/>`,
    `<text x="${MARGIN}" y="26" font-family="${SANS}" font-size="18" font-weight="bold" fill="#16191f">${escapeXml(title)}</text>`,
    `<text x="${MARGIN}" y="45" font-family="${SANS}" font-size="12" fill="#687078">${escapeXml(subtitle)}</text>`,
    ...widgets.map((w, i) => renderWidget(w, template, i)),
    '</svg>',
    '',
  ].join('\n');
}

function defaultTemplate() {
  const dir = path.join(ROOT, 'example', 'cdk.out');
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.template.json')).sort() : [];
  for (const f of files) {
    const file = path.join(dir, f);
    if (dashboardsOf(JSON.parse(fs.readFileSync(file, 'utf8'))).length > 0) return file;
  }
  throw new Error(`no template with an AWS::CloudWatch::Dashboard in ${path.relative(process.cwd(), dir) || dir}; run \`npx projen example\` first, or pass a template file.`);
}

function parseArgs(argv) {
  const args = { out: path.join(ROOT, 'docs', 'dashboard.svg'), printBody: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') args.out = argv[++i];
    else if (a === '--dashboard') args.dashboard = argv[++i];
    else if (a === '--print-body') args.printBody = true;
    else if (a === '--help' || a === '-h') args.help = true;
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}; see --help.`);
    else args.template = a;
  }
  return args;
}

function main(argv) {
  const args = parseArgs(argv);
  if (args.help) {
    console.log('usage: node scripts/dashboard-picture.js [template.json] [--out docs/dashboard.svg] [--dashboard <logical id>] [--print-body]');
    return;
  }
  const file = args.template || defaultTemplate();
  const template = JSON.parse(fs.readFileSync(file, 'utf8'));
  const dashboards = dashboardsOf(template);
  const dashboard = args.dashboard ? dashboards.find((d) => d.id === args.dashboard) : dashboards[0];
  if (!dashboard) {
    const known = dashboards.map((d) => d.id).join(', ') || 'none';
    throw new Error(`${file}: no dashboard ${args.dashboard ? `with logical id ${args.dashboard}` : ''} (dashboards: ${known}).`);
  }
  if (args.printBody) {
    console.log(JSON.stringify(dashboard.body, null, 2));
    return;
  }
  const svg = renderDashboard(dashboard.body, {
    title: `Dashboard ${dashboard.name}`,
    subtitle: `${dashboard.body.widgets.length} widgets, drawn from ${path.relative(ROOT, file)} (${dashboard.id}) by scripts/dashboard-picture.js; no data`,
    template,
  });
  fs.mkdirSync(path.dirname(args.out), { recursive: true });
  fs.writeFileSync(args.out, svg);
  console.log(`${path.relative(process.cwd(), args.out)}: ${dashboard.body.widgets.length} widgets of ${dashboard.id}, ${svg.length} bytes`);
}

/** The picture's grid geometry, in pixels. */
const GRID = { columns: COLUMNS, columnPx: COLUMN_PX, rowPx: ROW_PX, margin: MARGIN, headerPx: HEADER_PX, gap: GAP };

module.exports = { GRID, resolveValue, dashboardsOf, expandMetrics, splitQuery, widgetLines, renderDashboard, main };

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    console.error(`dashboard-picture: ${e.message}`);
    process.exit(1);
  }
}
