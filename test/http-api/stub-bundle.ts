// The HTTP API authorizer's bundle, for template tests: the real one when `npx projen bundle` has
// built it, else a stub in a temporary folder that afterAll removes (these tests read the template, never
// run the function).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REAL = path.join(__dirname, '..', '..', 'assets', 'authorizer', 'http-authorizer.lambda');

export function httpBundleDir(): string {
  if (fs.existsSync(path.join(REAL, 'index.js'))) return REAL;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'http-authorizer-stub-'));
  fs.writeFileSync(path.join(dir, 'index.js'), 'exports.handler = async () => { throw new Error("Unauthorized"); };\n');
  made.push(dir);
  return dir;
}

const made: string[] = [];

/** Removes the stubs this test file made (call in afterAll). */
export function removeStubBundles(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}
