// Integration test for integ-runner: the Orders API of the README in a stack of its own.
//
// Only the snapshot is checked in CI (no AWS account there): `integ-runner` synthesizes this app
// and diffs it with test/integ.secured-api.ts.snapshot/. A deployment (`integ-runner` without
// `--dry-run`, with credentials) would also deploy and destroy the stack.
//
// diffAssets: the authorizer's route table (scopes, claim rules, public routes) is config.json
// inside the authorizer's Lambda asset, not in the template, so the asset hash is compared too.
// The asset also holds the bundled runtime (assets/authorizer/token-authorizer.lambda/index.js),
// so a change to the runtime, or to esbuild or jose, changes the snapshot as well. After such a
// change, rewrite the snapshot and commit it: `npx projen integ:update` (`npx projen integ` verifies).
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ClaimRule, HttpMethod, OidcIssuer, SecuredApi } from '../src';

const app = new App();
// Environment-agnostic (no account, no region): the snapshot does not depend on the machine or the
// region integ-runner picks, and a real run can deploy it in any region.
const stack = new Stack(app, 'SecuredApiInteg');

function handler(id: string, statusCode: number): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(`exports.handler = async () => ({ statusCode: ${statusCode}, body: "{}" });`),
  });
}

new SecuredApi(stack, 'Api', {
  issuer: OidcIssuer.fromUrl('https://issuer.example.com', { audiences: ['api://orders'] }),
  apiName: 'orders-integ',
  contextClaims: ['tenant'],
  dashboardOptions: { dashboardName: 'orders-integ' },
  routes: [
    { method: HttpMethod.GET, path: '/orders', handler: handler('ListOrders', 200), scopes: ['orders:read'] },
    { method: HttpMethod.POST, path: '/orders', handler: handler('CreateOrder', 201), scopes: ['orders:write'], throttle: { rateLimit: 10, burstLimit: 20 } },
    {
      method: HttpMethod.GET,
      path: '/orders/{id}',
      handler: handler('GetOrder', 200),
      scopes: ['orders:read'],
      claimRules: [ClaimRule.equalTo('tenant', 'acme')],
    },
    { method: HttpMethod.GET, path: '/health', handler: handler('Health', 200), public: true },
  ],
});

new IntegTest(app, 'SecuredApiIntegTest', {
  testCases: [stack],
  diffAssets: true,
});
