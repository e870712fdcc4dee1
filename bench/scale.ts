// One case of the scale bench: an API of N routes, either a SecuredApi built from src/ directly (its
// REST API one imported OpenAPI definition), the same SecuredApi with the options users turn on
// (`options`: CORS for three origins, per-client quotas for 50 clients in three tiers), or
// the same API wired by hand with aws-cdk-lib (RestApi + a LambdaIntegration per method +
// RequestAuthorizer), each alone in its own App/Stack. Run by bench/scale.js, one fresh process per
// case, under `ts-node --transpile-only`; prints one JSON line (an `error` field when synth fails).
//
// `http` is the same routes on a SecuredHttpApi (API Gateway HTTP API imported from one OpenAPI
// definition, the AWS::ApiGatewayV2::Api's Body: routes, integrations and authorizers cost no
// resource; native JWT authorizer for these scope-only routes), its routes quota lifted (`maxRoutes`)
// so that figures past 300 routes can be measured.
//
// Usage: ts-node --transpile-only bench/scale.ts <secured|options|hand|http> <routes> <outdir> [--no-resource-limit]
//
// The routes: ceil(N / 4) paths x GET, POST, PUT, DELETE (the last path takes what is left), over 50
// backend functions shared round-robin, each route with its own scope. Path p belongs to service
// p % 50; its services' paths alternate a collection and its item: /svcS/resK, /svcS/resK/{id}.
// `--no-resource-limit` lifts aws-cdk-lib's own 500-resource check (context
// `@aws-cdk/core:stackResourceLimit` 0) so that figures past it can be measured.
import * as fs from 'node:fs';

const [kind, nArg, outdir] = process.argv.slice(2);
const N = Number(nArg);
if (!['secured', 'options', 'hand', 'http'].includes(kind) || !(N > 0) || !outdir) {
  console.error('usage: scale.ts <secured|options|hand|http> <routes> <outdir> [--no-resource-limit]');
  process.exit(2);
}
const liftLimit = process.argv.includes('--no-resource-limit');
fs.rmSync(outdir, { recursive: true, force: true });

const FUNCTIONS = 50;
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'] as const;
const SERVICES = 50;
const ORIGINS = ['https://app.example.com', 'https://admin.example.com', 'http://localhost:3000'];
const CLIENTS = 50;
const TIERS = ['gold', 'silver', 'bronze'];

function pathOf(p: number): string {
  const s = p % SERVICES;
  const j = Math.floor(p / SERVICES);
  return `/svc${s}/res${j >> 1}${j % 2 ? '/{id}' : ''}`;
}

const t0 = performance.now();
/* eslint-disable @typescript-eslint/no-require-imports */
const cdk = require('aws-cdk-lib') as typeof import('aws-cdk-lib');
const lambda = require('aws-cdk-lib/aws-lambda') as typeof import('aws-cdk-lib/aws-lambda');
const apigateway = require('aws-cdk-lib/aws-apigateway') as typeof import('aws-cdk-lib/aws-apigateway');
/* eslint-enable @typescript-eslint/no-require-imports */

let t1 = 0;
let t2 = 0;
let t3 = 0;
const result: Record<string, unknown> = { kind, routes: N, resourceLimitLifted: liftLimit };
try {
  // The SecuredApi case loads src/ here, counted with the imports, not with construct time.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const src = kind !== 'hand' ? {
    ...(require('../src/secured-api') as typeof import('../src/secured-api')),
    ...(require('../src/identity/oidc-issuer') as typeof import('../src/identity/oidc-issuer')),
    ...(require('../src/authorizer/route') as typeof import('../src/authorizer/route')),
    ...(require('../src/http-api/secured-http-api') as typeof import('../src/http-api/secured-http-api')),
  } : undefined;
  /* eslint-enable @typescript-eslint/no-require-imports */
  // aws-cdk-lib loads its modules lazily: load the ones both cases use here, so that construct time
  // is construct time in both.
  void [cdk.App, cdk.Stack, lambda.Function, apigateway.RestApi, apigateway.RequestAuthorizer, apigateway.LambdaIntegration];
  t1 = performance.now();

  const app = new cdk.App({ outdir, context: liftLimit ? { '@aws-cdk/core:stackResourceLimit': 0 } : {} });
  const stack = new cdk.Stack(app, `Scale${kind[0].toUpperCase()}${kind.slice(1)}${N}`, {
    env: { account: '123456789012', region: 'us-east-1' },
  });
  const handlers = Array.from({ length: FUNCTIONS }, (_, i) => new lambda.Function(stack, `Handler${i}`, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "{}" });'),
  }));
  const routes = Array.from({ length: N }, (_, i) => {
    const p = Math.floor(i / METHODS.length);
    const method = METHODS[i % METHODS.length];
    return { method, path: pathOf(p), handler: handlers[i % FUNCTIONS], scope: `svc${p % SERVICES}:${method.toLowerCase()}${p}` };
  });

  if (src && kind === 'http') {
    new src.SecuredHttpApi(stack, 'Api', {
      issuer: src.OidcIssuer.fromUrl('https://login.example.com/oauth2/default', { audiences: ['api://bench'] }),
      maxRoutes: 100_000,
      routes: routes.map((r) => ({ method: src.HttpMethod[r.method], path: r.path, handler: r.handler, scopes: [r.scope] })),
    });
  } else if (src) {
    new src.SecuredApi(stack, 'Api', {
      issuer: src.OidcIssuer.fromUrl('https://login.example.com/oauth2/default', { audiences: ['api://bench'] }),
      routes: routes.map((r) => ({
        method: src.HttpMethod[r.method],
        path: r.path,
        handler: r.handler,
        scopes: [r.scope],
      })),
      ...(kind === 'options' ? {
        cors: { allowOrigins: ORIGINS },
        quotas: {
          tiers: TIERS.map((name, i) => ({ name, rateLimit: 100 >> i, burstLimit: 200 >> i, quotaLimit: 100_000 >> i, quotaPeriod: apigateway.Period.DAY })),
          clients: Array.from({ length: CLIENTS }, (_, i) => ({ clientId: `client-${i}`, tier: TIERS[i % TIERS.length] })),
        },
      } : {}),
    });
  } else {
    // The usual wiring: one REQUEST authorizer Lambda (which would map routes to scopes itself: a
    // REST API checks authorizationScopes only for Cognito authorizers), and per method a
    // LambdaIntegration with its default permissions (one for the stage, one for test-invoke).
    const authorizerFn = new lambda.Function(stack, 'AuthorizerFn', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => { throw new Error("Unauthorized"); };'),
    });
    const api = new apigateway.RestApi(stack, 'Api', { restApiName: 'hand-wired' });
    const authorizer = new apigateway.RequestAuthorizer(stack, 'Authorizer', {
      handler: authorizerFn,
      identitySources: [apigateway.IdentitySource.header('Authorization')],
    });
    for (const r of routes) {
      api.root.resourceForPath(r.path).addMethod(r.method, new apigateway.LambdaIntegration(r.handler), {
        authorizer,
        authorizationType: apigateway.AuthorizationType.CUSTOM,
      });
    }
  }
  t2 = performance.now();

  const assembly = app.synth();
  t3 = performance.now();

  const artifact = assembly.getStackByName(stack.stackName);
  const template = artifact.template;
  const types: Record<string, number> = {};
  for (const r of Object.values<{ Type: string }>(template.Resources ?? {})) types[r.Type] = (types[r.Type] ?? 0) + 1;
  Object.assign(result, {
    importMs: t1 - t0,
    constructMs: t2 - t1,
    synthMs: t3 - t1,
    resources: Object.keys(template.Resources ?? {}).length,
    // The file the CDK CLI uploads to S3 (JSON, indent 1 unless suppressTemplateIndentation).
    templateBytes: fs.statSync(artifact.templateFullPath).size,
    // The same template as the stack writes it with `suppressTemplateIndentation: true` (no indent).
    compactTemplateBytes: Buffer.byteLength(JSON.stringify(template)),
    // API Gateway resources of the API: its root `/` and every distinct path prefix of the routes
    // (the AWS::ApiGateway::Resource nodes of the hand-wired API; API Gateway makes them from the
    // SecuredApi's imported definition).
    // For an HTTP API: its routes (API Gateway's quota "Routes per API", 300).
    apiResources: kind === 'http' ? N : new Set(['/', ...routes.flatMap((r) => r.path.split('/').slice(1).map((_, i, parts) => '/' + parts.slice(0, i + 1).join('/')))]).size,
    // Methods: AWS::ApiGateway::Method resources, or operations of the SecuredApi's definition.
    methods: (types['AWS::ApiGateway::Method'] ?? 0) + (types['AWS::ApiGatewayV2::Route'] ?? 0) + definitionOperations(template),
    // The API's definition (the RestApi's, or the HTTP API's, Body) as compact JSON, part of templateBytes.
    definitionBytes: definitionBytes(template),
    types,
  });
} catch (err) {
  const e = err as Error;
  Object.assign(result, { importMs: t1 ? t1 - t0 : undefined, error: String(e && e.message ? e.message : e).split('\n')[0] });
}
console.log(JSON.stringify(result));

function bodyOf(template: any): any {
  return Object.values<any>(template.Resources ?? {})
    .find((r) => (r.Type === 'AWS::ApiGateway::RestApi' || r.Type === 'AWS::ApiGatewayV2::Api') && r.Properties?.Body)?.Properties.Body;
}

function definitionOperations(template: any): number {
  const body = bodyOf(template);
  return body ? Object.values<Record<string, unknown>>(body.paths ?? {}).reduce((n, item) => n + Object.keys(item).filter((k) => k !== 'parameters').length, 0) : 0;
}

function definitionBytes(template: any): number {
  const body = bodyOf(template);
  return body ? JSON.stringify(body).length : 0;
}
