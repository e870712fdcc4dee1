// Builds the README's first app as a new user would, exactly as the README writes it: in a fresh
// folder outside the repository, its setup commands (the package installed from the packed tarball
// instead of the registry, the tool versions the README names), its files, then `npx cdk synth` and
// `npx jest`. With JSII_DEPRECATED=fail, as the app gets the newest aws-cdk-lib the registry has.
// Usage: node .ci/first-app.js <path to the tarball>. Prints `first app: passed` or fails.
'use strict';
const { execSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const tarball = path.resolve(process.argv[2] ?? '');
if (!process.argv[2] || !fs.existsSync(tarball)) {
  console.error(`first app: no tarball at '${process.argv[2] ?? ''}' (build it first: CI=true npx projen build)`);
  process.exit(1);
}

/** The "A first app" section of the README: its bash blocks, and its files (blocks whose first line is `// <file>`). */
function firstApp() {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n### A first app');
  const end = readme.indexOf('\n## ', start + 1);
  if (start < 0 || end < 0) throw new Error('README.md has no "### A first app" section followed by another "## " section');
  const section = readme.slice(start, end);
  const blocks = [...section.matchAll(/^```(\w+)\n([\s\S]*?)^```/gm)].map((m) => ({ lang: m[1], code: m[2] }));
  const bash = blocks.filter((b) => b.lang === 'bash').map((b) => b.code);
  const files = blocks.filter((b) => b.lang === 'ts').map((b) => ({ name: (/^\/\/ ([\w.-]+)\n/.exec(b.code) ?? [])[1], code: b.code }));
  if (bash.length !== 2 || files.length === 0 || files.some((f) => !f.name)) {
    throw new Error('the first app should be two bash blocks (setup, then run) and files whose first line names them (// app.ts)');
  }
  return { setup: bash[0], run: bash[1], files };
}

const app = firstApp();
const setup = app.setup.replace(/^npm install cdk-secured-api /m, `npm install ${tarball} `);
if (setup === app.setup) {
  throw new Error('the setup block has no line starting "npm install cdk-secured-api " to point at the tarball');
}
const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'first-app-'));
const env = { ...process.env, JSII_DEPRECATED: 'fail', npm_config_audit: 'false', npm_config_fund: 'false' };
const sh = (script, cwd) => {
  console.log(`$ (in ${cwd})\n${script.trim()}`);
  execSync(`set -euo pipefail\n${script}`, { cwd, env, stdio: 'inherit', shell: '/bin/bash' });
};
try {
  const started = Date.now();
  sh(setup, parent);
  // The setup's first line makes the app's folder and enters it.
  const dir = path.join(parent, (/mkdir (\S+)/.exec(setup) ?? [])[1]);
  for (const file of app.files) {
    fs.writeFileSync(path.join(dir, file.name), file.code);
  }
  sh(app.run, dir);
  const versions = ['aws-cdk-lib', 'typescript', 'ts-jest', 'jest', 'aws-cdk'].map((p) =>
    `${p} ${JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', p, 'package.json'), 'utf8')).version}`).join(', ');
  console.log(`first app: passed in ${Math.round((Date.now() - started) / 1000)} s (${versions})`);
} finally {
  fs.rmSync(parent, { recursive: true, force: true });
}
