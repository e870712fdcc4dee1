'use strict';
// The scale figures of `npx projen bench` (bench/run.js calls `scale()`; `node bench/scale.js` runs
// them alone): synth time, resource count and template bytes of a SecuredApi of 100, 300 and 1,000
// routes, plain and with CORS and per-client quotas, beside the same API wired by hand with aws-cdk-lib, one fresh process per case
// (bench/scale.ts), and the first route count at which each of them breaks each limit below.
//
// The limits, as documented (checked 2025):
// - CloudFormation, "Understand CloudFormation quotas"
//   https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
//   Resources: 500 per template (aws-cdk-lib refuses to synthesize more: Stack MAX_RESOURCES 500,
//   context `@aws-cdk/core:stackResourceLimit`). Template body: 51,200 bytes passed inline in the
//   request, 1 MB in an S3 object. The CDK CLI uploads every template over 50 KiB to the bootstrap
//   bucket, so the limit that applies to a CDK deployment is the S3 one: 1 MB, which aws-cdk-lib
//   takes as 1,000,000 bytes (Stack TEMPLATE_BODY_MAXIMUM_SIZE; it only warns). That is the one
//   applied here; every case here is far past 51,200 bytes.
// - API Gateway, "Quotas for configuring and running a REST API in API Gateway"
//   https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html
//   Resources per API: 300 (can be increased). Counted here as the AWS::ApiGateway::Resource nodes
//   plus the API's root `/`, which GetResources lists too.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const WORK = path.join(ROOT, '.bench', 'scale');
const TS_NODE = path.join(ROOT, 'node_modules', 'ts-node', 'dist', 'bin.js');
const SIZES = [100, 300, 1000];
const KINDS = [
  { kind: 'secured', label: 'SecuredApi' },
  { kind: 'options', label: 'SecuredApi*' },
  { kind: 'hand', label: 'hand-wired' },
  { kind: 'http', label: 'HTTP API' },
];
const LIMITS = [
  { key: 'cfn-resources', label: 'CloudFormation: 500 resources per stack', short: 'CFN 500 res', max: 500, metric: (r) => r.resources, unit: 'resources' },
  { key: 'cfn-template', label: 'CloudFormation: template body 1 MB (S3)', short: 'CFN 1 MB', max: 1_000_000, metric: (r) => r.templateBytes, unit: 'bytes' },
  { key: 'apigw-resources', label: 'API Gateway: 300 resources per REST API (routes per HTTP API)', short: 'APIGW 300', max: 300, metric: (r) => r.apiResources, unit: 'API resources (HTTP API: routes)' },
];

function runCase(kind, routes, { liftLimit = true } = {}) {
  const outdir = path.join(WORK, `${kind}-${routes}${liftLimit ? '' : '-default'}`);
  const args = [TS_NODE, '--transpile-only', path.join(__dirname, 'scale.ts'), kind, String(routes), outdir];
  if (liftLimit) args.push('--no-resource-limit');
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', CDK_DISABLE_VERSION_CHECK: '1', AWS_EC2_METADATA_DISABLED: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = [];
    const err = [];
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => err.push(c));
    child.on('error', (e) => resolve({ kind, routes, error: `could not start: ${e.message}` }));
    child.on('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      fs.rmSync(outdir, { recursive: true, force: true });
      const line = Buffer.concat(out).toString().trim().split('\n').pop();
      try {
        resolve({ ...JSON.parse(line), wallMs });
      } catch {
        const stderr = Buffer.concat(err).toString().trim().split('\n').find((l) => l.trim()) ?? '';
        resolve({ kind, routes, wallMs, error: `exited with ${code}${stderr ? `: ${stderr}` : ''}` });
      }
    });
  });
}

// The first route count whose figure exceeds the limit, between the largest measured count within it
// and the smallest beyond it: interpolation on the measured figures, each probe a synth at that count,
// until the two are adjacent. Figures grow with routes in steps (a new path adds its resources), so
// the answer is always checked by synthesizing both neighbours.
async function firstBreak(kind, limit, known, probe) {
  const points = [...known.entries()].filter(([, r]) => !r.error).sort((a, b) => a[0] - b[0]);
  const over = points.find(([, r]) => limit.metric(r) > limit.max);
  if (!over) return undefined;
  let [hi, rHi] = over;
  let lo = 0;
  let rLo;
  for (const [n, r] of points) if (n < hi && limit.metric(r) <= limit.max) { lo = n; rLo = r; }
  for (let i = 0; i < 12 && hi - lo > 1; i++) {
    const mLo = rLo ? limit.metric(rLo) : 0;
    let n = lo + Math.floor((limit.max - mLo) * (hi - lo) / (limit.metric(rHi) - mLo)) + 1;
    n = Math.min(hi - 1, Math.max(lo + 1, n));
    const r = await probe(kind, n);
    if (r.error) return { error: `${n} routes: ${r.error}` };
    if (limit.metric(r) > limit.max) { hi = n; rHi = r; } else { lo = n; rLo = r; }
  }
  if (hi - lo > 1) return { error: `no answer between ${lo} and ${hi} routes` };
  return { n: hi, r: rHi, below: rLo };
}

const fmt = (x, d = 0) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d));
const kb = (b) => (b === undefined ? '-' : `${Math.round(b / 1024)}`);

async function scale({ log = () => {} } = {}) {
  const started = process.hrtime.bigint();
  fs.mkdirSync(WORK, { recursive: true });
  const results = new Map(KINDS.map(({ kind }) => [kind, new Map()]));
  const run = (kind, n) => {
    log(`scale: ${kind} ${n} routes`);
    return runCase(kind, n);
  };
  // Measured cases first, one at a time (2 cores: cases run side by side would time each other).
  for (const n of SIZES) for (const { kind } of KINDS) results.get(kind).set(n, await run(kind, n));
  const measured = new Map(KINDS.map(({ kind }) => [kind, new Map(results.get(kind))]));
  // The searches only count, so their probes run two at a time, shared between searches.
  let probes = 0;
  let running = 0;
  const waiting = [];
  const probe = async (kind, n) => {
    if (results.get(kind).has(n)) return results.get(kind).get(n);
    const pending = (async () => {
      if (running >= 2) await new Promise((resolve) => waiting.push(resolve));
      running++;
      probes++;
      try {
        return await runCase(kind, n);
      } finally {
        running--;
        if (waiting.length) waiting.shift()();
      }
    })();
    log(`scale: probe ${kind} ${n} routes`);
    results.get(kind).set(n, pending);
    return pending;
  };
  const breaks = new Map();
  await Promise.all(KINDS.flatMap(({ kind }) => LIMITS.map(async (limit) => {
    breaks.set(`${kind} ${limit.key}`, await firstBreak(kind, limit, measured.get(kind), probe));
  })));
  // aws-cdk-lib's own check, at the first count past 500 resources: synthesized with its defaults.
  const cdkCheck = new Map();
  await Promise.all(KINDS.map(async ({ kind }) => {
    const b = breaks.get(`${kind} cfn-resources`);
    if (!b || !b.n) return;
    log(`scale: ${kind} ${b.n} routes, aws-cdk-lib defaults`);
    cdkCheck.set(kind, await runCase(kind, b.n, { liftLimit: false }));
  }));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;

  const out = [];
  const p = (line = '') => out.push(line);
  p('8 scale: ceil(N/4) paths x GET, POST, PUT, DELETE over 50 backend Lambdas (round-robin), one scope per route;');
  p('  SecuredApi (from src/, defaults: dashboard, alarms, saved queries; its REST API one imported OpenAPI definition, whose');
  p('  compact JSON size is the definition column) beside the same API wired by hand with aws-cdk-lib');
  p('  (RestApi + a LambdaIntegration per method with its default permissions + one RequestAuthorizer); one fresh process per case;');
  p('  SecuredApi* is the SecuredApi with CORS for three origins and per-client quotas (50 clients in three tiers);');
  p('  compact KB: the same template with the stack\'s suppressTemplateIndentation (JSON without indentation)');
  p();
  const row = (...cells) => p(cells.map((c, i) => (i < 2 ? String(c).padEnd(i ? 12 : 8) : String(c).padStart([0, 0, 20, 12, 20, 13, 12, 14, 10][i]))).join('') + '   ');
  row('routes', 'api', 'construct+synth ms', 'process ms', 'resources (/route)', 'template KB', 'compact KB', 'definition KB', 'API res.');
  for (const n of SIZES) {
    for (const { kind, label } of KINDS) {
      const r = measured.get(kind).get(n);
      if (r.error) {
        p(`${String(n).padEnd(8)}${label.padEnd(12)}synth failed: ${r.error}`);
        continue;
      }
      const over = LIMITS.filter((l) => l.metric(r) > l.max).map((l) => l.short);
      row(n, label, fmt(r.synthMs), fmt(r.wallMs), `${r.resources} (${fmt(r.resources / n, 2)})`, kb(r.templateBytes), kb(r.compactTemplateBytes), r.definitionBytes ? kb(r.definitionBytes) : '-', r.apiResources);
      out[out.length - 1] += over.length ? `over: ${over.join(', ')}` : 'within all three';
    }
  }
  p();
  p('first route count past each limit (interpolated from the measured cases, then synthesized at N-1 and N):');
  for (const limit of LIMITS) {
    const cells = KINDS.map(({ kind, label }) => {
      const b = breaks.get(`${kind} ${limit.key}`);
      if (!b) {
        const r = measured.get(kind).get(SIZES[SIZES.length - 1]);
        return `${label}: not reached at ${SIZES[SIZES.length - 1]} routes${r && !r.error ? ` (${limit.metric(r)} ${limit.unit})` : ''}`;
      }
      if (b.error) return `${label}: search failed, ${b.error}`;
      return `${label}: ${b.n} routes (${limit.metric(b.r)} ${limit.unit}; ${b.n - 1}: ${b.below ? limit.metric(b.below) : '-'})`;
    });
    p(`  ${limit.label.padEnd(42)}${cells.map((c) => c.padEnd(58)).join('')}`.trimEnd());
  }
  for (const { kind, label } of KINDS) {
    const r = cdkCheck.get(kind);
    if (!r) continue;
    const msg = r.error ? `synth fails: ${r.error.length > 150 ? `${r.error.slice(0, 150)}…` : r.error}` : `synth passes (${r.resources} resources)`;
    p(`  ${label} at ${r.routes} routes with aws-cdk-lib's defaults: ${msg}`);
  }
  p(`  (limits: docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html, .../apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html;`);
  p(`   template bytes are the file written to cdk.out and uploaded to S3; API resources count the root /; ${probes} search probes, two at a time; ${fmt(seconds)} s)`);
  return { lines: out, measured, breaks, cdkCheck, seconds };
}

module.exports = { scale, runCase, LIMITS, SIZES };

if (require.main === module) {
  scale({ log: (m) => process.stderr.write(`${m}\n`) })
    .then(({ lines }) => console.log(lines.join('\n')))
    .catch((e) => { console.error(e && e.stack); process.exit(2); });
}
