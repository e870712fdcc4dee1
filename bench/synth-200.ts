// Synth time and resource count of one SecuredApi with 200 guarded routes, built from src/ directly.
// Run by bench/run.js under `ts-node --transpile-only`; prints one JSON line.
// Usage: ts-node --transpile-only bench/synth-200.ts <outdir>
import * as fs from 'node:fs';
import * as path from 'node:path';

const outdir = process.argv[2] ?? path.join(__dirname, '..', '.bench', 'synth.out');
fs.rmSync(outdir, { recursive: true, force: true });

const t0 = performance.now();
/* eslint-disable @typescript-eslint/no-require-imports */
const cdk = require('aws-cdk-lib') as typeof import('aws-cdk-lib');
const lambda = require('aws-cdk-lib/aws-lambda') as typeof import('aws-cdk-lib/aws-lambda');
const { SecuredApi } = require('../src/secured-api') as typeof import('../src/secured-api');
const { OidcIssuer } = require('../src/identity/oidc-issuer') as typeof import('../src/identity/oidc-issuer');
const { HttpMethod } = require('../src/authorizer/route') as typeof import('../src/authorizer/route');
/* eslint-enable @typescript-eslint/no-require-imports */
const t1 = performance.now();

const app = new cdk.App({ outdir });
const stack = new cdk.Stack(app, 'Bench200', { env: { account: '123456789012', region: 'us-east-1' } });
// A few backends shared by many routes, as services group their handlers.
const handlers = Array.from({ length: 5 }, (_, i) => new lambda.Function(stack, `Handler${i}`, {
  runtime: lambda.Runtime.NODEJS_22_X,
  handler: 'index.handler',
  code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "{}" });'),
}));

// 50 services x (GET, POST /svcN/items; GET, DELETE /svcN/items/{id}) = 200 routes.
const routes = [];
for (let n = 0; n < 50; n++) {
  const handler = handlers[n % handlers.length];
  routes.push(
    { method: HttpMethod.GET, path: `/svc${n}/items`, handler, scopes: [`svc${n}:read`] },
    { method: HttpMethod.POST, path: `/svc${n}/items`, handler, scopes: [`svc${n}:write`] },
    { method: HttpMethod.GET, path: `/svc${n}/items/{id}`, handler, scopes: [`svc${n}:read`] },
    { method: HttpMethod.DELETE, path: `/svc${n}/items/{id}`, handler, scopes: [`svc${n}:admin`] },
  );
}
new SecuredApi(stack, 'Api', {
  issuer: OidcIssuer.fromUrl('https://login.example.com/oauth2/default', { audiences: ['api://bench'] }),
  routes,
});
const t2 = performance.now();

const assembly = app.synth();
const t3 = performance.now();

const template = assembly.getStackByName(stack.stackName).template;
const configs = fs.readdirSync(outdir)
  .map((d) => path.join(outdir, d, 'config.json'))
  .filter((f) => fs.existsSync(f));
const config = configs.length === 1 ? JSON.parse(fs.readFileSync(configs[0], 'utf8')) : undefined;

console.log(JSON.stringify({
  routes: routes.length,
  importMs: t1 - t0,
  constructMs: t2 - t1,
  synthMs: t3 - t1,
  resources: Object.keys(template.Resources).length,
  templateBytes: Buffer.byteLength(JSON.stringify(template)),
  configBytes: config ? Buffer.byteLength(JSON.stringify(config)) : undefined,
  cacheMode: config?.cacheMode,
}));
