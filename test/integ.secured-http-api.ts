// Integration test for integ-runner: the Orders API of the README as an HTTP API, in a stack of its own.
//
// Only the snapshot is checked in CI (no AWS account there): `integ-runner` synthesizes this app and
// diffs it with test/integ.secured-http-api.ts.snapshot/. As for the REST one (integ.secured-api.ts),
// diffAssets compares the Lambda authorizer's asset too, whose config.json holds its routes; after a
// change, rewrite the snapshot and commit it: `npx projen integ:update` (`npx projen integ` verifies).
//
// The routes cover the three ways a route is guarded: the native JWT authorizer (scopes only), the
// Lambda authorizer (a claim rule, which the native one cannot check), and none (public).
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ClaimRule, HttpMethod, OidcIssuer, SecuredHttpApi } from '../src';

const app = new App();
// Environment-agnostic: the snapshot depends neither on the machine nor on the region integ-runner picks.
const stack = new Stack(app, 'SecuredHttpApiInteg');

function handler(id: string, statusCode: number): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(`exports.handler = async () => ({ statusCode: ${statusCode}, body: "{}" });`),
  });
}

new SecuredHttpApi(stack, 'Api', {
  issuer: OidcIssuer.fromUrl('https://issuer.example.com', { audiences: ['api://orders'] }),
  apiName: 'orders-http-integ',
  dashboardOptions: { dashboardName: 'orders-http-integ' },
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

new IntegTest(app, 'SecuredHttpApiIntegTest', {
  testCases: [stack],
  diffAssets: true,
});
