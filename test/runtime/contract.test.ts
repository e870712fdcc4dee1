import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXCHANGE_ERROR_CODES } from '../../src/runtime/contract';

// The runtime contract's list of error codes, the tables of docs/runtime.md and the codes the helpers throw
// name the same set, so a new code cannot ship undocumented.
const ROOT = path.join(__dirname, '..', '..');

function readmeCodes(): Set<string> {
  // The runtime's guide (moved out of the README), whose tables list the codes.
  const section = fs.readFileSync(path.join(ROOT, 'docs', 'runtime.md'), 'utf8');
  const codes = new Set<string>();
  for (const row of section.split('\n').filter((line) => line.startsWith('| `') && !line.startsWith('| `code` |'))) {
    for (const match of row.split('|')[1].matchAll(/`([a-z_]+)`/g)) {
      codes.add(match[1]);
    }
  }
  return codes;
}

function thrownCodes(): Set<string> {
  const codes = new Set<string>();
  const dir = path.join(ROOT, 'src', 'runtime');
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const source = fs.readFileSync(path.join(dir, file), 'utf8');
    for (const match of source.matchAll(/(?:CallerCredentialsError\(|\bas\(|\bfail\(|withRetries\()\s*'([a-z_]+)'/g)) {
      codes.add(match[1]);
    }
  }
  return codes;
}

describe('runtime error codes', () => {
  test('should list every code once', () => {
    expect(new Set(EXCHANGE_ERROR_CODES).size).toBe(EXCHANGE_ERROR_CODES.length);
  });

  test('should document exactly the contract\'s codes in the README\'s runtime tables', () => {
    expect([...readmeCodes()].sort()).toEqual([...EXCHANGE_ERROR_CODES].sort());
  });

  test('should throw no code the contract does not list', () => {
    const thrown = thrownCodes();
    expect(thrown.size).toBeGreaterThan(20);
    expect([...thrown].filter((code) => !(EXCHANGE_ERROR_CODES as readonly string[]).includes(code))).toEqual([]);
  });
});
