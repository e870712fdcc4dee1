import { httpApiBody, readBody } from '../../../src/http-api/private/body';
import { ExpectedRoute } from '../../../src/http-api/private/route-guard';
import { SecuredHttpApiSubject } from '../../../src/http-api/rules';

/** The OpenAPI definition of `httpApi()`'s routes, as the construct writes it; `change` edits it (an escape hatch). */
export function body(change: (b: any) => void = () => {}): any {
  const b = JSON.parse(JSON.stringify(httpApiBody({
    title: 'orders',
    routes: [
      { method: 'GET', path: '/orders', authorizationType: 'JWT', scopes: ['r'], integration: 'Integration0' },
      { method: 'GET', path: '/health', authorizationType: 'NONE', scopes: [], integration: 'Integration0' },
    ],
    integrations: new Map([['Integration0', { type: 'aws_proxy', httpMethod: 'POST', uri: 'arn:aws:lambda:eu-west-1:123456789012:function:h', payloadFormatVersion: '2.0', connectionType: 'INTERNET' }]]),
    jwtAuthorizer: { issuer: 'https://issuer.example.com', audiences: ['api://orders'], identitySource: '$request.header.Authorization' },
    disableExecuteApiEndpoint: false,
  })));
  change(b);
  return b;
}

/** A SecuredHttpApi subject: one JWT route `GET /orders` (scope r), one public `GET /health`, unless overridden. */
export function httpApi(overrides: Partial<SecuredHttpApiSubject> & { body?: any } = {}): SecuredHttpApiSubject {
  const expected = new Map<string, ExpectedRoute>([
    ['GET /orders', { authorizationType: 'JWT', scopes: ['r'] }],
    ['GET /health', { authorizationType: 'NONE', scopes: [] }],
  ]);
  const read = readBody(overrides.body ?? body());
  return {
    path: 'Orders/Api',
    expected,
    templateBody: () => read,
    resourcesBesideBody: () => [],
    changedResources: () => [],
    routeCount: 2,
    maxRoutes: 300,
    integrationCount: 1,
    deploymentCheck: () => [],
    ...overrides,
  };
}
