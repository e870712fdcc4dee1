import { readFileSync } from 'node:fs';
import * as ts from 'typescript';

/**
 * Loads an ESM-only package (oauth4webapi) as CommonJS inside jest, whose module system runs
 * test/tsconfig's CommonJS output and, with this project's jest configuration, transpiles only jose
 * out of node_modules. Use it from a `jest.mock(name, () => requireEsm(name))` factory. The module
 * runs in the test's own realm, so its `fetch`, `Response` and `URL` are the ones the test sees.
 */
export function requireEsm(specifier: string): unknown {
  const file = require.resolve(specifier);
  const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, allowJs: true, esModuleInterop: true },
    fileName: file,
  });
  const mod = { exports: {} as Record<string, unknown> };
  new Function('module', 'exports', 'require', outputText)(mod, mod.exports, require);
  return mod.exports;
}
