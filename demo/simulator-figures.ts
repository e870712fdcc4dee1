// Figures for docs/environments.md: how long TrustSimulator takes to read the example's cloud assembly
// and to answer for one caller on every role of it. Run with
// `node --no-warnings node_modules/ts-node/dist/bin.js --transpile-only demo/simulator-figures.ts`
// after `npx projen bundle`. One run on one machine: figures, not a benchmark.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrustSimulator, WebIdentityCaller } from '../src/testing';

const out = mkdtempSync(join(tmpdir(), 'simulator-figures-'));
try {
  execFileSync(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--transpile-only', join(__dirname, '..', 'example', 'app.ts')], { env: { ...process.env, CDK_OUTDIR: out } });
  let start = process.hrtime.bigint();
  const sts = TrustSimulator.fromCloudAssembly(out);
  const loadMs = Number(process.hrtime.bigint() - start) / 1e6;
  const caller: WebIdentityCaller = { kind: 'webIdentity', claims: { iss: 'https://acme.okta.com/oauth2/default', aud: 'api://orders', sub: 'reporting' } };
  const callers = 10_000;
  start = process.hrtime.bigint();
  for (let i = 0; i < callers; i++) sts.evaluateAll(caller);
  const perCallerUs = Number(process.hrtime.bigint() - start) / 1e3 / callers;
  console.log(`example/app.ts: ${sts.roles.length} roles; fromCloudAssembly ${loadMs.toFixed(1)} ms; evaluateAll ${perCallerUs.toFixed(0)} µs per caller (mean of ${callers})`);
} finally {
  rmSync(out, { recursive: true, force: true });
}
