// Jest setup (setupFilesAfterEnv): nothing a test synthesizes stays in the OS temp folder. An
// aws-cdk-lib App made without an outdir writes its cloud assembly to a fresh `cdk.out*` folder
// there (FileSystem.mkdtemp), and nothing removes it; over a run of this suite that was thousands of
// folders. The folders made that way by a test file are removed once the file's tests are done.
// The module object itself (a default import), so that aws-cdk-lib's own calls see the wrapper.
import fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const tmp = fs.realpathSync(os.tmpdir());
const made: string[] = [];
const mkdtempSync = fs.mkdtempSync;
fs.mkdtempSync = ((prefix: string, options?: unknown) => {
  const dir = (mkdtempSync as (p: string, o?: unknown) => string)(prefix, options);
  if (path.dirname(path.resolve(String(dir))) === tmp && /^(cdk\.out|cdk-custom-resource)/.test(path.basename(String(dir)))) {
    made.push(String(dir));
  }
  return dir;
}) as typeof fs.mkdtempSync;

afterAll(() => {
  fs.mkdtempSync = mkdtempSync;
  for (const dir of made.splice(0)) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
