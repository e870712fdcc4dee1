import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { HttpMethod, OidcIssuer, SecuredApi, SecuredApiProps, SecuredApiRoute } from '../../src';

/** A stack in eu-west-1 of account 123456789012, in an app of its own. */
export function ordersStack(): { app: App; stack: Stack } {
  const app = new App();
  return { app, stack: new Stack(app, 'Orders', { env: { account: '123456789012', region: 'eu-west-1' } }) };
}

/** An inline Node.js 22 function answering 200. */
export function okHandler(stack: Stack, id = 'Handler'): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "{}" });'),
  });
}

/**
 * A SecuredApi named `orders` with `GET /orders` (scope `orders:read`), or `routeCount` routes, three
 * methods per path, all served by one function.
 */
export function ordersApi(props: Partial<SecuredApiProps> = {}, routeCount = 1): { app: App; stack: Stack; api: SecuredApi } {
  const { app, stack } = ordersStack();
  const handler = okHandler(stack);
  const methods = [HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT];
  const routes: SecuredApiRoute[] = Array.from({ length: routeCount }, (_, i) => ({
    method: methods[i % 3],
    path: routeCount === 1 ? '/orders' : `/orders${Math.floor(i / 3)}`,
    handler,
    scopes: ['orders:read'],
  }));
  const api = new SecuredApi(stack, 'Api', {
    issuer: OidcIssuer.fromUrl('https://issuer.example.com', { audiences: ['api://orders'] }),
    apiName: 'orders',
    routes,
    ...props,
  });
  return { app, stack, api };
}
