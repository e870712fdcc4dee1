'use strict';
// `npx projen bench`: one run's figures for the authorizer bundle against a bare jose sample
// authorizer bundled the same way, and the verification floor, with the targets of the issue.
// The figures are information: this never fails the build; it exits non-zero only when it cannot run.
//
// Options: --distinct N (default 3000)  --repeated N (3000)  --runs N (cold starts each, 21)
//          --no-synth  --no-scale (skips bench/scale.js, about 2 minutes)
//          --no-check (skips the deployment check against a local API Gateway stand-in, about 30 s)
//          --cpu-prof (writes .bench/prof/*.cpuprofile of the warm process)
//          --jwks-http (serves the JWKS over plain http on loopback instead of TLS)
//          --ours FILE (times that authorizer bundle instead of assets/authorizer/.../index.js)
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');
const fx = require('./fixtures');

const ROOT = path.resolve(__dirname, '..');
const argv = process.argv.slice(2);
const WORK = path.join(ROOT, '.bench');
const SAMPLE = path.join(WORK, 'sample', 'index.js');
// --ours FILE: another build of the authorizer (e.g. a copy of an earlier commit's bundle), for before/after runs.
const OURS = argv.includes('--ours') ? path.resolve(argv[argv.indexOf('--ours') + 1])
  : path.join(ROOT, 'assets', 'authorizer', 'token-authorizer.lambda', 'index.js');
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const DISTINCT = opt('distinct', 3000);
const WARMUP = 300;
const REPEATED = opt('repeated', 3000);
const RUNS = opt('runs', 21);
const SYNTH = !argv.includes('--no-synth');
const SCALE = !argv.includes('--no-scale');
const CHECK = !argv.includes('--no-check');
const CPU_PROF = argv.includes('--cpu-prof');
// A real JWKS URI is https: the JWKS is served over TLS on loopback unless --jwks-http.
const JWKS_TLS = !argv.includes('--jwks-http');

function fail(message) {
  console.error(`bench: ${message}`);
  process.exit(2);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

function runNode(args, { env, fd3 = false, stdout = 'ignore' } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', stdout, 'inherit', ...(fd3 ? ['pipe'] : [])],
    });
    const chunks = { out: [], fd3: [] };
    if (stdout === 'pipe') child.stdout.on('data', (c) => chunks.out.push(c));
    if (fd3) child.stdio[3].on('data', (c) => chunks.fd3.push(c));
    child.on('error', reject);
    child.on('close', (code) => resolve({
      code,
      stdout: Buffer.concat(chunks.out).toString(),
      fd3: Buffer.concat(chunks.fd3).toString(),
    }));
  });
}

function bundleSample() {
  // The same esbuild settings as the projen bundle task for the authorizer.
  require('esbuild').buildSync({
    entryPoints: [path.join(__dirname, 'sample-authorizer.ts')],
    outfile: SAMPLE,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    external: ['@aws-sdk/*'],
    logLevel: 'warning',
  });
}

async function warm(env, tokens, keys) {
  const input = path.join(WORK, 'warm-input.json');
  const output = path.join(WORK, 'warm-output.json');
  fs.rmSync(output, { force: true });
  fs.writeFileSync(input, JSON.stringify({
    ours: OURS,
    sample: SAMPLE,
    publicJwk: keys.publicJwk,
    warmup: tokens.warmup,
    distinct: tokens.distinct,
    repeated: tokens.repeated,
    repeatedCount: REPEATED,
    repeatedWarmup: 300,
  }));
  const prof = CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.join(WORK, 'prof')}`] : [];
  const { code } = await runNode(['--expose-gc', ...prof, path.join(__dirname, 'warm-child.js'), input, output], { env });
  if (!fs.existsSync(output)) fail(`the warm process exited with ${code} and no results`);
  const out = JSON.parse(fs.readFileSync(output, 'utf8'));
  if (out.error) fail(out.error);
  return out;
}

async function cold(env, token) {
  const eventFile = path.join(WORK, 'cold-event.json');
  fs.writeFileSync(eventFile, JSON.stringify(fx.makeEvent(token)));
  const results = { ours: { load: [], first: [] }, sample: { load: [], first: [] } };
  // One discarded round first (page cache, lazy filesystem work), then alternate who goes first.
  for (let run = -1; run < RUNS; run++) {
    const order = run % 2 === 0 ? ['ours', 'sample'] : ['sample', 'ours'];
    for (const name of order) {
      const { fd3 } = await runNode([path.join(__dirname, 'load-child.js'), name === 'ours' ? OURS : SAMPLE, eventFile], { env, fd3: true });
      let r;
      try { r = JSON.parse(fd3); } catch { fail(`${name}: the cold-start process reported nothing`); }
      if (r.error) fail(`${name}: first decision in a fresh process failed: ${r.error}`);
      if (!fx.allowsMethodArn(r.result, fx.METHOD_ARN)) fail(`${name}: first decision was not an Allow: ${JSON.stringify(r.result).slice(0, 300)}`);
      if (run < 0) continue;
      results[name].load.push(r.loadNs / 1e6);
      results[name].first.push(r.firstNs / 1e6);
    }
  }
  return results;
}

async function synth() {
  if (!fs.existsSync(path.join(ROOT, 'src', 'secured-api.ts'))) return { skipped: 'src/secured-api.ts is not there yet' };
  const tsNode = path.join(ROOT, 'node_modules', 'ts-node', 'dist', 'bin.js');
  const t0 = process.hrtime.bigint();
  const { code, stdout } = await runNode([tsNode, '--transpile-only', path.join(__dirname, 'synth-200.ts'), path.join(WORK, 'synth.out')], {
    stdout: 'pipe',
    env: { CDK_DISABLE_CLI_TELEMETRY: 'true', CDK_DISABLE_VERSION_CHECK: '1', AWS_EC2_METADATA_DISABLED: 'true' },
  });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const line = stdout.trim().split('\n').pop();
  try {
    return { ...JSON.parse(line), wallMs };
  } catch {
    return { skipped: `synth-200.ts exited with ${code}` };
  }
}

function assetBytes(file) {
  const code = fs.readFileSync(file);
  return { bytes: code.length, gzip: zlib.gzipSync(code, { level: 9 }).length };
}

const fmt = (x, d = 1) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d));

/** bench/deployment-check.ts in a fresh process: the check's bundle against a local API Gateway stand-in, 1,000 routes. */
async function deploymentCheck() {
  if (!fs.existsSync(path.join(ROOT, 'assets', 'api', 'deployment-check.lambda', 'index.js'))) return { skipped: 'the deployment check bundle is missing: run `npx projen bundle`' };
  const tsNode = path.join(ROOT, 'node_modules', 'ts-node', 'dist', 'bin.js');
  const { code, stdout } = await runNode([tsNode, '--transpile-only', path.join(__dirname, 'deployment-check.ts'), '1000', path.join(WORK, 'deployment-check')], {
    stdout: 'pipe',
    env: { CDK_DISABLE_CLI_TELEMETRY: 'true', CDK_DISABLE_VERSION_CHECK: '1', AWS_EC2_METADATA_DISABLED: 'true' },
  });
  try {
    return JSON.parse(stdout.trim().split('\n').pop());
  } catch {
    return { error: `bench/deployment-check.ts exited with ${code}` };
  }
}

async function main() {
  const started = process.hrtime.bigint();
  if (!fs.existsSync(OURS)) fail(`${path.relative(ROOT, OURS)} is missing: run \`npx projen bundle\` first`);
  fs.mkdirSync(path.dirname(SAMPLE), { recursive: true });
  bundleSample();

  const config = fx.makeConfig();
  const configFile = path.join(WORK, 'config.json');
  fs.writeFileSync(configFile, JSON.stringify(config));

  const keys = fx.makeKeys();
  const [warmup, distinct, [repeated]] = [
    fx.makeTokens(keys, WARMUP + 1, 'warmup'),
    fx.makeTokens(keys, DISTINCT, 'distinct'),
    fx.makeTokens(keys, 1, 'repeated'),
  ];
  let tlsDir = JWKS_TLS ? path.join(WORK, 'tls') : undefined;
  if (tlsDir) {
    try {
      fx.loopbackCertificate(tlsDir);
    } catch (err) {
      console.error(`bench: no loopback certificate (openssl: ${err && err.message}); the JWKS is served over plain http`);
      tlsDir = undefined;
    }
  }
  const jwks = await fx.startJwksServer(keys.jwks, tlsDir);
  const env = { ...fx.authorizerEnv(jwks.uri, configFile), ...(jwks.caFile ? { NODE_EXTRA_CA_CERTS: jwks.caFile } : {}) };

  let w; let c; let s;
  try {
    w = await warm(env, { warmup, distinct, repeated }, keys);
    c = await cold(env, repeated);
    s = SYNTH ? await synth() : { skipped: '--no-synth' };
  } finally {
    await jwks.close();
  }
  let sc;
  if (!SCALE) sc = { skipped: '--no-scale' };
  else if (!fs.existsSync(path.join(ROOT, 'src', 'secured-api.ts'))) sc = { skipped: 'src/secured-api.ts is not there yet' };
  else sc = await require('./scale').scale();

  const dc = CHECK ? await deploymentCheck() : { skipped: '--no-check' };

  const us = (ns) => median(ns) / 1e3;
  const p90 = (ns) => quantile(ns, 0.9) / 1e3;
  const ours = assetBytes(OURS);
  const sample = assetBytes(SAMPLE);

  const targets = [];
  const target = (label, value, limit, unit = 'x') => {
    targets.push({ label, value, limit, unit, pass: value <= limit });
  };
  const d = { ours: us(w.distinct.ours), sample: us(w.distinct.sample), floor: us(w.distinct.floor) };
  const r = { ours: us(w.repeated.ours), sample: us(w.repeated.sample), write: us(w.repeated.write) };
  const load = { ours: median(c.ours.load), sample: median(c.sample.load) };
  const first = { ours: median(c.ours.first), sample: median(c.sample.first) };
  target('1 warm, distinct tokens, ours/sample', d.ours / d.sample, 1.25);
  target('2 warm, repeated token, ours/sample', r.ours / r.sample, 0.05);
  target('4 module load, ours/sample', load.ours / load.sample, 0.35);
  target('5 load-to-first-decision, ours/sample', first.ours / first.sample, 0.5);
  target('6 asset, ours index.js', ours.bytes / 1024, 40, ' KB');

  const cpu = os.cpus();
  const out = [];
  const p = (line = '') => out.push(line);
  p(`cdk-secured-api bench: node ${process.version}, ${os.platform()} ${os.arch()}, ${cpu.length} x ${cpu[0] ? cpu[0].model.trim() : '?'}, load avg ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  if (!process.version.startsWith('v22.')) {
    p(`note: the bundles target Node 22 (the Lambda runtime); module load figures differ between Node majors`);
  }
  p(`RS256 (2048-bit) access tokens; GET /orders against ${config.routes.length} routes (cacheMode ${config.cacheMode}); medians, p90 in brackets`);
  p();
  const cell = (m, q, dp = 1) => (m === undefined ? '' : `${fmt(m, dp)} (${fmt(q, dp)})`).padStart(17);
  const row = (label, ...cells) => p(`${label.padEnd(48)}${cells.join('')}`);
  row('', 'ours'.padStart(17), 'sample'.padStart(17), 'floor'.padStart(17));
  row(`1 warm us/decision, ${DISTINCT} distinct tokens`,
    cell(d.ours, p90(w.distinct.ours)), cell(d.sample, p90(w.distinct.sample)), cell(d.floor, p90(w.distinct.floor)));
  row(`2 warm us/decision, 1 token x ${REPEATED}`, cell(r.ours, p90(w.repeated.ours), 2), cell(r.sample, p90(w.repeated.sample)));
  row(`2w  of which the audit line write (${w.auditLineBytes} B)`, cell(r.write, p90(w.repeated.write), 2), cell(), cell());
  row('3 floor: decode + crypto.verify, us/token', cell(), cell(), cell(d.floor, p90(w.distinct.floor)));
  row(`4 module load ms, fresh process, ${RUNS} runs`,
    cell(load.ours, quantile(c.ours.load, 0.9), 2), cell(load.sample, quantile(c.sample.load, 0.9), 2));
  row(`5 load-to-first-decision ms, JWKS ${jwks.caFile ? 'TLS' : 'http'} loopback`,
    cell(first.ours, quantile(c.ours.first, 0.9), 2), cell(first.sample, quantile(c.sample.first, 0.9), 2));
  row('6 asset bytes, index.js (gzip -9)', `${ours.bytes} (${ours.gzip})`.padStart(17), `${sample.bytes} (${sample.gzip})`.padStart(17),
    `   + config.json ${Buffer.byteLength(JSON.stringify(config))} B`);
  if (s.skipped) {
    p(`7 synth, 200-route SecuredApi: skipped (${s.skipped})`);
  } else {
    p(`7 synth, ${s.routes}-route SecuredApi: ${fmt(s.synthMs, 0)} ms construct + synth (+ ${fmt(s.importMs, 0)} ms imports; ${fmt(s.wallMs, 0)} ms process), `
      + `${s.resources} resources, template ${Math.round(s.templateBytes / 1024)} KB, config.json ${Math.round(s.configBytes / 1024)} KB (cacheMode ${s.cacheMode})`);
  }
  if (sc.skipped) p(`8 scale, 100 / 300 / 1,000 routes: skipped (${sc.skipped})`);
  else for (const line of sc.lines) p(line);
  if (dc.skipped || dc.error) {
    p(`9 deployment check, 1,000 routes: ${dc.skipped ? `skipped (${dc.skipped})` : `failed: ${dc.error}`}`);
  } else {
    p(`9 deployment check, ${dc.routes.toLocaleString('en-US')} routes + CORS + quotas (${dc.operations.toLocaleString('en-US')} operations, ${dc.apiResources} API resources); bundle ${Math.round(dc.bundleBytes / 1024)} KB, model.json ${Math.round(dc.modelBytes / 1024)} KB:`);
    for (const r of dc.runs) {
      p(`  ${r.throttleEvery ? `every ${r.throttleEvery}nd request throttled (429)` : 'no throttling'}: ${r.status} (RoutesVerified ${r.routesVerified}) in ${fmt(r.handlerMs, 0)} ms handler `
        + `(+ ${fmt(r.loadMs, 0)} ms module load; ${fmt(r.processToAnswerMs, 0)} ms process start to answer), ${r.requests} requests, ${r.throttled} answered 429`);
    }
  }
  p();
  p(`ours vs floor: distinct ${fmt(d.ours / d.floor, 2)}x, repeated ${fmt(r.ours / d.floor, 2)}x; sample vs floor: ${fmt(d.sample / d.floor, 2)}x`);
  p(`the audit line write alone (2w) is ${fmt(r.write / r.sample, 3)}x the sample's repeated decision; ours but for it ${fmt((r.ours - r.write) / r.sample, 3)}x`);
  const f = w.failures;
  if (f.distinct.ours + f.distinct.sample + f.distinct.floor + f.repeated.ours + f.repeated.sample > 0) {
    p(`WARNING: decisions that were not an Allow: ${JSON.stringify(f)}`);
  }
  p(`JWKS fetches served: ${jwks.fetches()}`);
  p();
  p(`${'target'.padEnd(44)}${'measured'.padStart(11)}   limit`);
  for (const t of targets) {
    p(`${t.label.padEnd(44)}${fmt(t.value, 2).padStart(8)}${t.unit.padEnd(3)}   <= ${`${t.limit}${t.unit.trim()}`.padEnd(7)}${t.pass ? 'PASS' : 'MISS'}`);
  }
  p();
  p(`(${fmt(Number(process.hrtime.bigint() - started) / 1e9, 0)} s; figures from a busy machine are noise: rerun on a quiet one)`);
  console.log(out.join('\n'));
}

main().catch((err) => fail(err && err.stack));
