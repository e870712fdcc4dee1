/**
 * The `cdk-secured-api/testing` and `cdk-secured-api/runtime` entries import no aws-cdk-lib and no
 * constructs: users load them in jest and in their Lambdas, where aws-cdk-lib would cost seconds and
 * tens of megabytes. Each entry is bundled once, with the options of its CommonJS step in
 * `bundle:entries` (.projen/tasks.json, from .projenrc.ts; a Lambda handler, of its `bundle:<handler>`
 * task), in memory, and esbuild's metafile says
 * which files went in: none may be under aws-cdk-lib or constructs, nor src/errors.ts, nor a
 * construct file of src/ (one that imports either library, types included). The two Lambda handlers'
 * bundles, and the definition layer (src/api/definition.ts, openapi.ts, cors.ts), which the testing
 * entry reads, are held to the same.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';

const ROOT = path.join(__dirname, '..');
/** What is bundled, as `[name, task, entry point]`: the two entries (their CommonJS step) and the Lambda handlers. */
const BUNDLES: Array<[string, string, string]> = [
  ['cdk-secured-api/testing', 'bundle:entries', 'src/testing/index.ts'],
  ['cdk-secured-api/runtime', 'bundle:entries', 'src/runtime/index.ts'],
  ['the authorizer Lambda', 'bundle:authorizer/token-authorizer.lambda', 'src/authorizer/token-authorizer.lambda.ts'],
  ['the HTTP API authorizer Lambda', 'bundle:authorizer/http-authorizer.lambda', 'src/authorizer/http-authorizer.lambda.ts'],
  ['the deployment check Lambda', 'bundle:api/deployment-check.lambda', 'src/api/deployment-check.lambda.ts'],
];

/** The esbuild options of the step of `task` that bundles `entryPoint` (its CommonJS one), as the build runs it. */
function bundleOptions(task: string, entryPoint: string): esbuild.BuildOptions {
  const tasks = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf8')).tasks;
  const steps: Array<{ exec?: string; execArgs?: string[] }> = tasks[task]?.steps ?? [];
  const args = steps.map((s) => s.execArgs ?? (s.exec ?? '').split(/\s+/))
    .find((a) => a[0] === 'esbuild' && a.includes(entryPoint) && a.includes('--format=cjs'));
  if (args === undefined) {
    throw new Error(`${task} has no CommonJS esbuild step for ${entryPoint}`);
  }
  const options: esbuild.BuildOptions & { external: string[] } = { entryPoints: [entryPoint], absWorkingDir: ROOT, external: [] };
  for (const arg of args.slice(1).filter((a) => a !== entryPoint)) {
    const [, name, value] = /^--([a-z-]+)(?:[=:](.*))?$/.exec(arg) ?? [];
    switch (name) {
      case 'bundle': options.bundle = true; break;
      case 'minify': options.minify = true; break;
      case 'platform': options.platform = value as esbuild.Platform; break;
      case 'target': options.target = value; break;
      case 'format': options.format = value as esbuild.Format; break;
      case 'external': options.external.push(value); break;
      case 'outfile': options.outfile = value; break;
      default: throw new Error(`${task}'s step has ${arg}, which this test does not read: teach bundleOptions it (${args.join(' ')})`);
    }
  }
  return options;
}

/**
 * What an entry's bundle must not take in, one line each, with the chain of imports that reached it
 * from the entry: per package (aws-cdk-lib, constructs) its file count and the first file reached;
 * src/errors.ts; each construct file of src/; each of the packages kept external but still imported.
 */
function offences(metafile: esbuild.Metafile, entry: string, readSource: (file: string) => string): string[] {
  // Breadth first from the entry: each input's importer, for the shortest chain to it.
  const importer = new Map<string, string | undefined>([[entry, undefined]]);
  const queue = [entry];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    for (const imported of metafile.inputs[file]?.imports ?? []) {
      if (!imported.external && !importer.has(imported.path)) {
        importer.set(imported.path, file);
        queue.push(imported.path);
      }
    }
  }
  const chain = (file: string): string => {
    const files = [file];
    for (let up = importer.get(file); up !== undefined; up = importer.get(up)) files.unshift(up);
    return files.join(' > ');
  };
  const reached = [...importer.keys()].filter((file) => metafile.inputs[file] !== undefined);

  const found: string[] = [];
  for (const pkg of ['aws-cdk-lib', 'constructs']) {
    const files = reached.filter((file) => new RegExp(`(^|/)node_modules/${pkg}/`).test(file));
    if (files.length > 0) {
      found.push(`${pkg}: ${files.length} file(s), the first reached by ${chain(files[0])}`);
    }
  }
  for (const file of reached) {
    if (file === 'src/errors.ts') {
      found.push(`src/errors.ts (imports aws-cdk-lib: runtime code throws plain Errors), reached by ${chain(file)}`);
    } else if (file.startsWith('src/') && /\bfrom\s+['"](aws-cdk-lib|constructs)(\/[^'"]*)?['"]|\brequire\(\s*['"](aws-cdk-lib|constructs)/.test(readSource(file))) {
      found.push(`${file} (a construct file: it imports aws-cdk-lib or constructs), reached by ${chain(file)}`);
    }
    for (const imported of metafile.inputs[file].imports) {
      if (imported.external && /^(aws-cdk-lib|constructs)(\/|$)/.test(imported.path)) {
        found.push(`${imported.path} (kept external, still loaded at run time), imported by ${chain(file)}`);
      }
    }
  }
  return found;
}

const readSource = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

describe('entry bundles', () => {
  test.each(BUNDLES)('should bundle %s without aws-cdk-lib, constructs, src/errors.ts or a construct file', async (_, task, entryPoint) => {
    // WHEN
    const result = await esbuild.build({ ...bundleOptions(task, entryPoint), write: false, metafile: true, logLevel: 'silent' });

    // THEN
    expect(offences(result.metafile!, entryPoint, readSource)).toEqual([]);
    // The entry itself went in (the metafile is of the bundle the build writes).
    expect(Object.keys(result.metafile!.inputs)).toContain(entryPoint);
  });

  test('should keep the definition layer a leaf: definition.ts, openapi.ts and cors.ts take in no aws-cdk-lib, constructs or construct file', async () => {
    // GIVEN: the entries' own options, for the three files at once
    const leaves = ['src/api/definition.ts', 'src/api/openapi.ts', 'src/api/cors.ts'];
    const options = { ...bundleOptions('bundle:entries', 'src/testing/index.ts'), outfile: undefined };

    // WHEN
    const result = await esbuild.build({ ...options, entryPoints: leaves, outdir: 'lib/.leaf', write: false, metafile: true, logLevel: 'silent' });

    // THEN
    expect(leaves.flatMap((leaf) => offences(result.metafile!, leaf, readSource))).toEqual([]);
  });

  test('should report each kind of input an entry must not take in', () => {
    // GIVEN: a metafile as esbuild writes it, of an entry that reached every one
    const input = (...imports: esbuild.Metafile['inputs'][string]['imports']) => ({ bytes: 1, imports });
    const to = (file: string): esbuild.Metafile['inputs'][string]['imports'][number] => ({ path: file, kind: 'import-statement' });
    const cdk = '../main/node_modules/aws-cdk-lib/index.js';
    const duration = '../main/node_modules/aws-cdk-lib/core/lib/duration.js';
    const construct = 'node_modules/constructs/lib/index.js';
    const metafile: esbuild.Metafile = {
      inputs: {
        'src/testing/index.ts': input(to('src/api/cors-options.ts'), to('src/api/cors.ts')),
        'src/api/cors-options.ts': input(to(cdk), to('src/errors.ts')),
        'src/errors.ts': input(to(cdk), to(construct)),
        [cdk]: input(to(duration)),
        [duration]: input(),
        [construct]: input(),
        'src/api/cors.ts': input({ path: 'aws-cdk-lib', kind: 'require-call', external: true }),
        // Not reached from the entry: not reported.
        'src/api/quotas.ts': input(),
      },
      outputs: {},
    };
    const sources: Record<string, string> = {
      'src/testing/index.ts': "export * from '../api/cors-options';",
      'src/api/cors-options.ts': "import { Duration, Token } from 'aws-cdk-lib';",
      'src/errors.ts': "import * as cdk from 'aws-cdk-lib';",
      'src/api/cors.ts': "import type { RouteMethod } from '../authorizer/contract';",
      'src/api/quotas.ts': "import { Stack } from 'aws-cdk-lib';",
    };

    // WHEN
    const found = offences(metafile, 'src/testing/index.ts', (file) => sources[file]);

    // THEN
    expect(found).toEqual([
      `aws-cdk-lib: 2 file(s), the first reached by src/testing/index.ts > src/api/cors-options.ts > ${cdk}`,
      `constructs: 1 file(s), the first reached by src/testing/index.ts > src/api/cors-options.ts > src/errors.ts > ${construct}`,
      'src/api/cors-options.ts (a construct file: it imports aws-cdk-lib or constructs), reached by src/testing/index.ts > src/api/cors-options.ts',
      'aws-cdk-lib (kept external, still loaded at run time), imported by src/testing/index.ts > src/api/cors.ts',
      'src/errors.ts (imports aws-cdk-lib: runtime code throws plain Errors), reached by src/testing/index.ts > src/api/cors-options.ts > src/errors.ts',
    ]);
  });
});
