// docs/errors.md lists every error code the library throws, once, and no other: a code added in src/
// without its row (or a row left behind when its code goes) fails here, naming the code and where.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { codeSites } from './support/error-codes';

const ROOT = path.join(__dirname, '..');
const DOC = 'docs/errors.md';

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const file = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(file);
    return entry.name.endsWith('.ts') ? [file] : [];
  });
}

/** Each code written in src/, with the places it is written (`file:line`). */
function codesInSource(): Map<string, string[]> {
  const codes = new Map<string, string[]>();
  for (const file of sourceFiles('src')) {
    for (const { code, line } of codeSites(fs.readFileSync(path.join(ROOT, file), 'utf8'))) {
      codes.set(code, [...(codes.get(code) ?? []), `${file}:${line}`]);
    }
  }
  return codes;
}

/** The code of each row of the doc's tables (a row whose first cell is a code in backticks). */
function codesInDoc(): string[] {
  return fs.readFileSync(path.join(ROOT, DOC), 'utf8').split('\n')
    .map((line) => /^\|\s*`([A-Z][A-Za-z0-9]*\.[A-Z][A-Za-z0-9]*)`\s*\|/.exec(line)?.[1])
    .filter((code): code is string => code !== undefined);
}

describe(DOC, () => {
  const source = codesInSource();
  const documented = codesInDoc();

  test('should find the codes in the source and in the doc', () => {
    // A scan that finds nothing would pass every check below.
    expect(source.size).toBeGreaterThan(0);
    expect(documented.length).toBeGreaterThan(0);
  });

  test('should list every code the library throws', () => {
    const missing = [...source].filter(([code]) => !documented.includes(code)).map(([code, where]) => `${code} (${where.join(', ')})`);
    expect(missing).toEqual([]);
  });

  test('should list each code once', () => {
    expect(documented.filter((code, i) => documented.indexOf(code) !== i)).toEqual([]);
  });

  test('should list only codes the library throws', () => {
    expect(documented.filter((code) => !source.has(code))).toEqual([]);
  });
});
