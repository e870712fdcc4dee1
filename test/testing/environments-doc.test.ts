import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// docs/environments.md shows the dry-run test a user writes; test/testing/dry-run.test.ts runs it in CI.
// The two must stay the same code (the docs import from the package's public entry points).

describe('docs/environments.md', () => {
  test('should show test/testing/dry-run.test.ts as it runs, with the public imports', () => {
    // GIVEN
    const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'environments.md'), 'utf8');
    const test = readFileSync(join(__dirname, 'dry-run.test.ts'), 'utf8');

    // WHEN
    const shown = /<!-- dry-run-example: test\/testing\/dry-run\.test\.ts -->\n```ts\n([\s\S]*?)\n```/.exec(doc)?.[1];
    const run = test.split('\n').filter((line, i) => !(i < 2 && line.startsWith('//'))).join('\n')
      .replace("'../../src/testing'", "'cdk-secured-api/testing'").replace("'../../src'", "'cdk-secured-api'").trimEnd();

    // THEN
    expect(shown).toBe(run);
  });
});
