/**
 * The OpenAPI definition a SecuredHttpApi imports (src/http-api/private/body.ts): for generated
 * route sets, reading the definition the construct writes gives back every route with its
 * authorization, scopes and integration, as API Gateway's import would; and what cannot be read as
 * exactly one authorizer is a problem, never a guarded route.
 */
import * as fc from 'fast-check';
import { BodyIntegration, BodyRoute, httpApiBody, importedAuthorizer, readBody } from '../../src/http-api/private/body';

const genRoute: fc.Arbitrary<BodyRoute> = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'ANY'),
  path: fc.array(fc.constantFrom('a', 'orders', '{id}', '{proxy+}'), { minLength: 1, maxLength: 3 }).map((p) => `/${p.join('/')}`),
  authorizationType: fc.constantFrom('NONE' as const, 'JWT' as const, 'CUSTOM' as const),
  scopes: fc.uniqueArray(fc.constantFrom('r', 'w', 'orders:read'), { maxLength: 3 }),
  integration: fc.constantFrom('Integration0', 'Integration1', 'Backend0'),
}).map((r) => ({ ...r, scopes: r.authorizationType === 'JWT' ? [...r.scopes].sort() : [] }));

const INTEGRATIONS = new Map<string, BodyIntegration>([
  ['Integration0', { type: 'aws_proxy', httpMethod: 'POST', uri: 'arn:aws:lambda:eu-west-1:123456789012:function:a', payloadFormatVersion: '2.0', connectionType: 'INTERNET' }],
  ['Integration1', { type: 'aws_proxy', httpMethod: 'POST', uri: 'arn:aws:lambda:eu-west-1:123456789012:function:b', payloadFormatVersion: '2.0', connectionType: 'INTERNET' }],
  ['Backend0', {
    type: 'http_proxy',
    httpMethod: 'GET',
    uri: 'https://orders.example.com',
    payloadFormatVersion: '1.0',
    connectionType: 'INTERNET',
    requestParameters: { 'overwrite:header.X-Secured-Api-Sub': '$context.authorizer.sub' },
    timeoutInMillis: 29000,
  }],
]);

function bodyOf(routes: readonly BodyRoute[]): any {
  return httpApiBody({
    title: 'orders',
    routes,
    integrations: INTEGRATIONS,
    jwtAuthorizer: { issuer: 'https://issuer.example.com', audiences: ['api://orders'], identitySource: '$request.header.Authorization' },
    lambdaAuthorizer: { authorizerUri: 'arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:auth/invocations', identitySources: ['$request.header.Authorization', '$context.routeKey'], ttlSeconds: 300 },
    disableExecuteApiEndpoint: false,
  });
}

describe('the OpenAPI definition of a SecuredHttpApi', () => {
  test('should read back every route with its authorization, scopes and integration (generated route sets)', () => {
    fc.assert(fc.property(fc.uniqueArray(genRoute, { minLength: 1, maxLength: 12, selector: (r) => `${r.method} ${r.path}` }), (routes) => {
      const read = readBody(JSON.parse(JSON.stringify(bodyOf(routes))));
      expect(read.problems).toEqual([]);
      const byKey = new Map(read.operations.map((op) => [op.routeKey, op]));
      expect(byKey.size).toBe(routes.length);
      for (const r of routes) {
        const op = byKey.get(`${r.method} ${r.path}`)!;
        expect(op.problem).toBeUndefined();
        expect(op.authorizationType).toBe(r.authorizationType);
        expect(op.authorizer).toBe(r.authorizationType === 'JWT' ? 'JwtAuthorizer' : r.authorizationType === 'CUSTOM' ? 'LambdaAuthorizer' : undefined);
        expect(op.authorizationType === 'JWT' ? op.scopes : []).toEqual(r.scopes);
        expect(op.integrationName).toBe(r.integration);
        expect(op.integration).toEqual(INTEGRATIONS.get(r.integration));
      }
    }));
  });

  test('should write both authorizers as API Gateway imports them', () => {
    const read = readBody(bodyOf([]));
    expect(importedAuthorizer('LambdaAuthorizer', read.authorizers.get('LambdaAuthorizer')!)).toMatchObject({
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      AuthorizerResultTtlInSeconds: 300,
      IdentitySource: ['$request.header.Authorization', '$context.routeKey'],
    });
    expect(importedAuthorizer('JwtAuthorizer', read.authorizers.get('JwtAuthorizer')!)).toMatchObject({
      AuthorizerType: 'JWT', JwtConfiguration: { Issuer: 'https://issuer.example.com', Audience: ['api://orders'] }, IdentitySource: ['$request.header.Authorization'],
    });
  });

  test('should declare each path variable of an operation by its own name, a greedy one as proxy+', () => {
    const body = bodyOf([{ method: 'ANY', path: '/files/{id}/{proxy+}', authorizationType: 'NONE', scopes: [], integration: 'Backend0' }]);
    expect(body.paths['/files/{id}/{proxy+}']['x-amazon-apigateway-any-method'].parameters.map((p: any) => [p.name, p.in, p.required])).toEqual([
      ['id', 'path', true], ['proxy+', 'path', true],
    ]);
  });

  test('should read the catch-all route as $default', () => {
    const body = bodyOf([]);
    body.paths['/$default'] = { 'x-amazon-apigateway-any-method': { security: [{ LambdaAuthorizer: [] }] } };
    expect(readBody(body).operations.map((op) => [op.routeKey, op.authorizationType])).toEqual([['$default', 'CUSTOM']]);
  });

  test('should never read an operation whose security it cannot read as one authorizer as guarded (generated securities)', () => {
    const security = fc.oneof(
      fc.constant([{ JwtAuthorizer: ['r'] }, { LambdaAuthorizer: [] }]),
      fc.constant([{ JwtAuthorizer: ['r'], LambdaAuthorizer: [] }]),
      fc.constant([{}]),
      fc.constant('JwtAuthorizer'),
      fc.constant([{ Unknown: [] }]),
      fc.constant([{ JwtAuthorizer: 'r' }]),
    );
    fc.assert(fc.property(security, (s) => {
      const body = bodyOf([{ method: 'GET', path: '/orders', authorizationType: 'JWT', scopes: ['r'], integration: 'Integration0' }]);
      body.paths['/orders'].get.security = s;
      const [op] = readBody(body).operations;
      expect(op.problem).toBeDefined();
      expect(op.authorizationType).toBeUndefined();
    }));
  });
});
