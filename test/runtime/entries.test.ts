import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The package's entries as a user's code loads them, through package.json's exports map (Node
 * resolves a package's own name from inside it). They exist once the build's post-compile step has
 * run (`npx projen build`, as .ci/run does).
 */
const ROOT = path.join(__dirname, '..', '..');

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
}

describe('package entries', () => {
  test.each(['runtime', 'testing'])('should load cdk-secured-api/%s from CommonJS and from ESM, with types', (entry) => {
    // WHEN
    const cjs = JSON.parse(node(['-e', `console.log(JSON.stringify(Object.keys(require('cdk-secured-api/${entry}')).sort()))`]));
    const esm = JSON.parse(node(['--input-type=module', '-e', `const m = await import('cdk-secured-api/${entry}'); console.log(JSON.stringify(Object.keys(m).sort()))`]));

    // THEN
    expect(cjs.length).toBeGreaterThan(0);
    expect(esm).toEqual(cjs);
    expect(fs.existsSync(path.join(ROOT, 'lib', entry, 'index.d.ts'))).toBe(true);
  });

  test('should keep the construct library loadable with require, as jsii\'s kernel loads it', () => {
    // WHEN
    const keys = JSON.parse(node(['-e', "console.log(JSON.stringify(Object.keys(require('cdk-secured-api'))))"]));

    // THEN
    expect(keys).toEqual(expect.arrayContaining(['SecuredApi', 'TokenAuthorizer', 'FederatedRole']));
    expect(node(['-e', "console.log(require('cdk-secured-api/package.json').name)"]).trim()).toBe('cdk-secured-api');
  });

  test('should keep aws-cdk-lib out of the runtime entry and leave the AWS SDK to Lambda\'s runtime', () => {
    // GIVEN
    const bundle = fs.readFileSync(path.join(ROOT, 'lib', 'runtime', 'index.js'), 'utf8');

    // THEN
    expect(bundle).not.toMatch(/aws-cdk-lib|require\("constructs"\)/);
    for (const sdk of bundle.match(/require\("@aws-sdk\/[^"]+"\)/g) ?? []) {
      expect(sdk).toMatch(/^require\("@aws-sdk\/client-(sts|secrets-manager)"\)$/);
    }
  });
});
