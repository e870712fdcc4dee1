import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * The way docs/runtime.md ships a handler that uses cdk-secured-api/runtime: NodejsFunction, esbuild,
 * the AWS SDK left to Lambda's runtime. One synth, shared by the tests.
 */
describe('a handler that uses the runtime entry, bundled with NodejsFunction', () => {
  // GIVEN
  const app = new App();
  const stack = new Stack(app, 'Handlers');
  new nodejs.NodejsFunction(stack, 'Reports', {
    entry: path.join(__dirname, 'support', 'caller-credentials-handler.ts'),
    runtime: lambda.Runtime.NODEJS_22_X,
    bundling: { minify: true, externalModules: ['@aws-sdk/*'] },
  });

  // WHEN
  const assembly = app.synth();
  const fn = Object.values<any>(assembly.getStackByName('Handlers').template.Resources).find((r) => r.Type === 'AWS::Lambda::Function');
  const bundle = path.join(assembly.directory, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`, 'index.js');
  const code = fs.readFileSync(bundle, 'utf8');

  test('should leave only the AWS SDK to the runtime, and STS the one client it needs', () => {
    // THEN
    const required = new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]).filter((m) => !m.startsWith('node:')));
    expect([...required].filter((m) => !m.startsWith('@aws-sdk/'))).toEqual([]);
    expect([...required]).toContain('@aws-sdk/client-sts');
  });

  test('should be a small bundle', () => {
    // THEN: docs/runtime.md has the figure for the packed entry; this bounds it loosely, so that a library pulled in by mistake shows
    expect(fs.statSync(bundle).size).toBeLessThan(100_000);
  });

  test('should run as Lambda runs it, and answer a request without a token 401 missing_token', () => {
    // WHEN: a Node.js process of its own, as Lambda's runtime loads the handler
    // (its audit line goes to stdout too, as in Lambda: the answer is the last line)
    const output = execFileSync(process.execPath, ['-e', `require(${JSON.stringify(bundle)}).handler({ headers: {} }).then((r) => process.stdout.write('\\n' + JSON.stringify(r)))`], {
      env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1', SECURED_API_CALLER_ROLE_ARN: 'arn:aws:iam::123456789012:role/reports-reader' },
      encoding: 'utf8',
    });

    const answer = output.split('\n').pop()!;

    // THEN
    expect(JSON.parse(answer)).toEqual({ statusCode: 401, body: JSON.stringify({ error: 'missing_token' }) });
  });
});
