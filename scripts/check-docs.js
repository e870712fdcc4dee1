// Type-checks every TypeScript example (```ts fences) of README.md and docs/*.md against the built
// package, as a user's code sees it: each block is a file of its own, importing `cdk-secured-api`,
// `cdk-secured-api/runtime` and `cdk-secured-api/testing` through package.json's `exports` (the
// package's self-reference, so lib/ must be built: `npx projen compile`), in strict mode.
// A block must compile on its own: a fragment declares what it uses (`declare const stack: Stack;`).
// A block whose first line is a file name comment (`// app.ts`) is written under that name, beside
// the other blocks of its markdown file, so that the first app's files import each other. Modules
// a user's own code imports but this repository does not install (the AWS SDK clients of the
// examples, @types/aws-lambda) are declared as untyped modules: everything else is checked.
// Run with `npx projen docs:check`; errors point at the markdown file and line.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
// Inside the repository, so that the package's own name and its dependencies resolve from here.
const WORK = path.join(ROOT, '.docs-check');

function markdownFiles() {
  const docs = path.join(ROOT, 'docs');
  return ['README.md', ...fs.readdirSync(docs).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
}

/** The ```ts blocks of a markdown file: [first line of code (1-based), code]. */
function blocks(file) {
  const lines = fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n');
  const found = [];
  let open;
  lines.forEach((line, i) => {
    const fence = /^(\s*)```(\w*)/.exec(line);
    if (!fence) {
      if (open) open.code.push(line.slice(open.indent));
      return;
    }
    if (open) {
      if (open.ts) found.push({ line: open.line, code: open.code.join('\n') });
      open = undefined;
    } else {
      open = { ts: ['ts', 'typescript'].includes(fence[2]), line: i + 2, indent: fence[1].length, code: [] };
    }
  });
  return found;
}

/** Whether a module resolves from the repository, as TypeScript would find its types. */
function installed(specifier) {
  const name = specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
  for (const candidate of [name, `@types/${name.replace(/^@([^/]+)\//, '$1__')}`]) {
    try {
      require.resolve(`${candidate}/package.json`, { paths: [ROOT] });
      return true;
    } catch {
      // not this one
    }
  }
  return false;
}

fs.rmSync(WORK, { recursive: true, force: true });
fs.mkdirSync(WORK);
const origin = new Map();
/** Module -> the names the blocks import from it. */
const imported = new Map();
let count = 0;
for (const file of markdownFiles()) {
  const dir = file.replace(/[/.]/g, '_');
  fs.mkdirSync(path.join(WORK, dir));
  for (const block of blocks(file)) {
    const named = /^\/\/ ([\w.-]+\.ts)\s*$/.exec(block.code.split('\n')[0]);
    const name = `${dir}/${named ? named[1] : `L${block.line}.ts`}`;
    fs.writeFileSync(path.join(WORK, name), `${block.code}\n`);
    origin.set(name, { file, line: block.line });
    for (const m of block.code.matchAll(/^import\s+(?:type\s+)?(?:\{([^}]*)\}|[^'{]*)\s*from\s+'([^.'][^']*)'/gm)) {
      const names = imported.get(m[2]) ?? new Set();
      for (const n of (m[1] ?? '').split(',').map((x) => x.trim().split(/\s+as\s+/)[0].replace(/^type\s+/, '')).filter(Boolean)) {
        names.add(n);
      }
      imported.set(m[2], names);
    }
    count++;
  }
}
const untyped = [...imported.keys()].filter((m) => !m.startsWith('node:') && !m.startsWith('cdk-secured-api') && !installed(m)).sort();
// Each name both a type and a value of type any: `import type { APIGatewayProxyEvent }` and `new S3Client()` both work.
fs.writeFileSync(path.join(WORK, 'users-own-modules.d.ts'), untyped.map((m) => `declare module '${m}' {\n${
  [...imported.get(m)].map((n) => `  export const ${n}: any;\n  export type ${n} = any;\n`).join('')}}\n`).join(''));
fs.writeFileSync(path.join(WORK, 'tsconfig.json'), JSON.stringify({
  compilerOptions: {
    target: 'ES2022',
    lib: ['es2022'],
    module: 'node16',
    moduleResolution: 'node16',
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    esModuleInterop: true,
    // Every block is a module of its own, with or without imports.
    moduleDetection: 'force',
    types: ['node', 'jest'],
  },
  include: ['**/*.ts'],
}, null, 2));

const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', WORK, '--pretty', 'false'], { cwd: ROOT, encoding: 'utf8' });
const output = `${tsc.stdout}${tsc.stderr}`;
const errors = output.split('\n').filter((l) => l.trim() !== '').map((l) => {
  const m = /^([^(]+\.ts)\((\d+),(\d+)\): (.*)$/.exec(l.replace(/^.*\.docs-check\//, ''));
  if (!m || !origin.has(m[1])) return l;
  const at = origin.get(m[1]);
  return `${at.file}:${at.line + Number(m[2]) - 1}:${m[3]} ${m[4]}`;
});
fs.rmSync(WORK, { recursive: true, force: true });
if (tsc.status !== 0) {
  console.error(errors.join('\n'));
  console.error(`docs:check: the TypeScript examples of README.md and docs/ do not compile (${count} blocks)`);
  process.exit(1);
}
console.log(`docs:check: ${count} TypeScript blocks of ${markdownFiles().length} markdown files compile against the built package`
  + (untyped.length ? ` (untyped, not installed here: ${untyped.join(', ')})` : ''));
