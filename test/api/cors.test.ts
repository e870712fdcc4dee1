import { Duration, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { HttpMethod, OidcIssuer, RouteBackend, SecuredApi, SecuredApiCorsOptions, SecuredApiProps } from '../../src';
import { authorizationOf, definitionOf } from '../support/definition';
import { okHandler, ordersStack } from '../support/orders-api';

const ISSUER = OidcIssuer.fromUrl('https://issuer.example.com', { audiences: ['api://orders'] });
const APP = 'https://app.example.com';

/** GET/POST /orders (guarded), GET /orders/{id} (guarded), ANY /files/{proxy+} (guarded, HTTP), GET /health (public). */
function corsApi(stack: Stack, cors: SecuredApiCorsOptions | undefined, props: Partial<SecuredApiProps> = {}): SecuredApi {
  const fn = okHandler(stack, 'Fn');
  return new SecuredApi(stack, 'Api', {
    issuer: ISSUER,
    apiName: 'orders',
    cors,
    routes: [
      { method: HttpMethod.GET, path: '/orders', handler: fn, scopes: ['orders:read'] },
      { method: HttpMethod.POST, path: '/orders', handler: fn, scopes: ['orders:write'] },
      { method: HttpMethod.GET, path: '/orders/{id}', handler: fn, scopes: ['orders:read'] },
      { method: HttpMethod.ANY, path: '/files/{proxy+}', backend: RouteBackend.http('https://files.example.com/{proxy}'), scopes: ['files:rw'] },
      { method: HttpMethod.GET, path: '/health', handler: fn, public: true },
    ],
    ...props,
  });
}

describe('SecuredApi cors', () => {
  test('should answer preflights on every path with a public mock operation and the configured headers', () => {
    // GIVEN
    const { stack } = ordersStack();

    // WHEN
    corsApi(stack, { allowOrigins: [APP], allowCredentials: true, maxAge: Duration.minutes(10) });

    // THEN
    const body = definitionOf(Template.fromStack(stack));
    expect(Object.keys(body.paths).sort()).toEqual(['/files/{proxy+}', '/health', '/orders', '/orders/{id}']);
    for (const item of Object.values<any>(body.paths)) {
      const op = item.options;
      expect(op.security).toEqual([]);
      expect(authorizationOf(op)).toEqual({ apiKeyRequired: false });
      expect(op.parameters).toBeUndefined();
      expect(op['x-amazon-apigateway-integration']).toMatchObject({ type: 'mock', passthroughBehavior: 'never' });
      expect(op['x-amazon-apigateway-integration'].uri).toBeUndefined();
      expect(op['x-amazon-apigateway-integration'].responses.default.responseTemplates).toBeUndefined();
    }
    const orders = body.paths['/orders'].options['x-amazon-apigateway-integration'].responses.default;
    expect(orders).toEqual({
      statusCode: '204',
      responseParameters: {
        'method.response.header.Access-Control-Allow-Origin': `'${APP}'`,
        'method.response.header.Vary': "'Origin'",
        'method.response.header.Access-Control-Allow-Credentials': "'true'",
        'method.response.header.Access-Control-Allow-Headers': "'Authorization,Content-Type'",
        'method.response.header.Access-Control-Allow-Methods': "'GET,POST'",
        'method.response.header.Access-Control-Max-Age': "'600'",
      },
    });
    // Every mapped header is declared by the method response, as API Gateway requires.
    expect(Object.keys(body.paths['/orders'].options.responses['204'].headers).sort())
      .toEqual(Object.keys(orders.responseParameters).map((k) => k.replace('method.response.header.', '')).sort());
    // An ANY route's path allows every method.
    expect(body.paths['/files/{proxy+}'].options['x-amazon-apigateway-integration'].responses.default.responseParameters['method.response.header.Access-Control-Allow-Methods'])
      .toBe("'DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT'");
    // The ANY route is still there, guarded.
    expect(body.paths['/files/{proxy+}']['x-amazon-apigateway-any-method'].security).toEqual([{ tokenAuthorizer: [] }]);
  });

  test('should answer the request origin only when it is one of several allowed, and the first origin otherwise', () => {
    // GIVEN
    const { stack } = ordersStack();

    // WHEN
    corsApi(stack, { allowOrigins: [APP, 'https://admin.example.com', 'http://localhost:3000'], allowMethods: [HttpMethod.GET] });

    // THEN
    const response = definitionOf(Template.fromStack(stack)).paths['/orders'].options['x-amazon-apigateway-integration'].responses.default;
    expect(response.responseParameters['method.response.header.Access-Control-Allow-Origin']).toBe(`'${APP}'`);
    expect(response.responseParameters['method.response.header.Access-Control-Allow-Methods']).toBe("'GET'");
    expect(response.responseParameters['method.response.header.Access-Control-Allow-Credentials']).toBeUndefined();
    expect(response.responseTemplates['application/json']).toBe("#set($o=$input.params().header.get('Origin'))"
      + "#if($o=='')#set($o=$input.params().header.get('origin'))#end"
      + "#if($o=='https://admin.example.com'||$o=='http://localhost:3000')#set($context.responseOverride.header.Access-Control-Allow-Origin=$o)#end");
  });

  test('should put the CORS headers on the 401, 403, 5XX and default 4XX/5XX gateway responses', () => {
    // GIVEN
    const { stack } = ordersStack();

    // WHEN
    corsApi(stack, { allowOrigins: [APP, 'https://admin.example.com'], allowCredentials: true });

    // THEN
    const responses = definitionOf(Template.fromStack(stack))['x-amazon-apigateway-gateway-responses'];
    const cors = {
      'gatewayresponse.header.Access-Control-Allow-Origin': `'${APP}'`,
      'gatewayresponse.header.Vary': "'Origin'",
      'gatewayresponse.header.Access-Control-Allow-Credentials': "'true'",
    };
    expect(Object.keys(responses).sort()).toEqual(['ACCESS_DENIED', 'AUTHORIZER_CONFIGURATION_ERROR', 'AUTHORIZER_FAILURE', 'DEFAULT_4XX', 'DEFAULT_5XX', 'UNAUTHORIZED']);
    for (const response of Object.values<any>(responses)) {
      expect(response.responseParameters).toMatchObject(cors);
    }
    // The fixed bodies and the challenge stay.
    expect(responses.UNAUTHORIZED.statusCode).toBe('401');
    expect(responses.UNAUTHORIZED.responseParameters['gatewayresponse.header.WWW-Authenticate']).toBe("'Bearer'");
    expect(responses.ACCESS_DENIED.responseTemplates['application/json']).toContain('Forbidden');
  });

  test('should leave the definition without preflights or CORS headers when cors is not set', () => {
    // GIVEN
    const { stack } = ordersStack();

    // WHEN
    corsApi(stack, undefined);

    // THEN
    const body = definitionOf(Template.fromStack(stack));
    for (const item of Object.values<any>(body.paths)) {
      expect(item.options).toBeUndefined();
    }
    expect(Object.keys(body['x-amazon-apigateway-gateway-responses']).sort()).toEqual(['ACCESS_DENIED', 'AUTHORIZER_CONFIGURATION_ERROR', 'AUTHORIZER_FAILURE', 'UNAUTHORIZED']);
    expect(JSON.stringify(body)).not.toContain('Access-Control');
  });

  test('should accept the preflights in the open-method check but fail synth when an override opens another operation', () => {
    // GIVEN
    const accepted = ordersStack().stack;
    corsApi(accepted, { allowOrigins: ['*'] });
    expect(() => Template.fromStack(accepted)).not.toThrow();
    const { stack } = ordersStack();
    const api = corsApi(stack, { allowOrigins: ['*'] });

    // WHEN
    (api.restApi.node.defaultChild as apigateway.CfnRestApi).addPropertyOverride('Body.paths./orders.get.security', []);

    // THEN
    expect(() => Template.fromStack(stack)).toThrow(/operation GET \/orders is a guarded route, but as deployed its security is \[\]/);
  });

  test('should fail synth when an override adds an OPTIONS operation on a path the construct did not write', () => {
    // GIVEN
    const { stack } = ordersStack();
    const api = corsApi(stack, { allowOrigins: [APP] });

    // WHEN
    (api.restApi.node.defaultChild as apigateway.CfnRestApi).addPropertyOverride('Body.paths./admin.options', { 'x-amazon-apigateway-integration': { type: 'mock' } });

    // THEN
    expect(() => Template.fromStack(stack)).toThrow(/operation OPTIONS \/admin is in the REST API's definition .* but no route made it/);
  });

  test('should refuse an OPTIONS route while cors is set, and allow it without cors', () => {
    // GIVEN
    const { stack } = ordersStack();
    const api = corsApi(stack, { allowOrigins: [APP] });

    // WHEN
    const handler = okHandler(stack, 'Options');
    const add = () => api.addRoute({ method: HttpMethod.OPTIONS, path: '/orders', handler, public: true });

    // THEN
    expect(add).toThrow(/route OPTIONS \/orders conflicts with the CORS preflight .* remove the route .* or remove cors/);
    expect(add).toThrow(expect.objectContaining({ code: 'SecuredApi.OptionsRouteWithCors' }));
    const other = ordersStack().stack;
    expect(() => corsApi(other, undefined).addRoute({ method: HttpMethod.OPTIONS, path: '/orders', handler: okHandler(other, 'Options'), public: true })).not.toThrow();
  });

  test.each<[string, SecuredApiCorsOptions, RegExp, string]>([
    ['* with credentials', { allowOrigins: ['*'], allowCredentials: true }, /allows credentials from any origin \('\*'\).*list the origins that may send credentials, or set allowCredentials to false/, 'SecuredApi.CorsCredentialsFromAnyOrigin'],
    ['* mixed with origins', { allowOrigins: ['*', APP] }, /mixes '\*' with other origins/, 'SecuredApi.CorsWildcardWithOrigins'],
    ['an empty list', { allowOrigins: [] }, /allowOrigins is empty; list the origins/, 'SecuredApi.CorsOriginsEmpty'],
    ['a trailing slash', { allowOrigins: ['https://app.example.com/'] }, /'https:\/\/app.example.com\/', which is not an origin as a browser sends it/, 'SecuredApi.CorsInvalidOrigin'],
    ['a path', { allowOrigins: ['https://app.example.com/login'] }, /not an origin as a browser sends it/, 'SecuredApi.CorsInvalidOrigin'],
    ['no scheme', { allowOrigins: ['app.example.com'] }, /not an origin as a browser sends it/, 'SecuredApi.CorsInvalidOrigin'],
    ['an uppercase host', { allowOrigins: ['https://App.example.com'] }, /not an origin as a browser sends it/, 'SecuredApi.CorsInvalidOrigin'],
    ['a wildcard subdomain', { allowOrigins: ['https://*.example.com'] }, /not an origin as a browser sends it/, 'SecuredApi.CorsInvalidOrigin'],
    ['the null origin', { allowOrigins: ['null'] }, /not an origin as a browser sends it/, 'SecuredApi.CorsInvalidOrigin'],
    ['a quote', { allowOrigins: ["https://a.example.com'"] }, /not an origin as a browser sends it/, 'SecuredApi.CorsInvalidOrigin'],
    ['a bad port', { allowOrigins: ['https://app.example.com:99999'] }, /not an origin as a browser sends it/, 'SecuredApi.CorsInvalidOrigin'],
    ['a duplicate', { allowOrigins: [APP, APP] }, /lists an origin twice/, 'SecuredApi.CorsDuplicateOrigin'],
    ['a header with a quote', { allowOrigins: [APP], allowHeaders: ["X-A'"] }, /allowHeaders has "X-A'", which is not a header name/, 'SecuredApi.CorsInvalidHeader'],
    ['a * header', { allowOrigins: [APP], allowHeaders: ['*'] }, /allowHeaders has "\*"/, 'SecuredApi.CorsInvalidHeader'],
    ['no methods', { allowOrigins: [APP], allowMethods: [] }, /allowMethods \[\] is not a list of HttpMethods/, 'SecuredApi.CorsInvalidMethods'],
    ['a fractional max age', { allowOrigins: [APP], maxAge: Duration.millis(1500) }, /maxAge is .* not a whole number of seconds/, 'SecuredApi.CorsInvalidMaxAge'],
  ])('should refuse %s', (_, cors, message, code) => {
    // GIVEN
    const { stack } = ordersStack();

    // WHEN
    let error: any;
    try {
      corsApi(stack, cors);
    } catch (e) {
      error = e;
    }

    // THEN
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/^Orders\/Api: cors/);
  });

  test.each<[string, unknown, string]>([
    ['an origin not known at synthesis', { allowOrigins: [Token.asString({ Ref: 'Origin' })] }, 'SecuredApi.CorsOriginUnresolved'],
    ['allowCredentials not a boolean', { allowOrigins: [APP], allowCredentials: 'yes' }, 'SecuredApi.CorsCredentialsNotBoolean'],
    ['an empty header list', { allowOrigins: [APP], allowHeaders: [] }, 'SecuredApi.CorsHeadersEmpty'],
    ['a method that is not an HttpMethod', { allowOrigins: [APP], allowMethods: ['TRACE'] }, 'SecuredApi.CorsInvalidMethods'],
    ['allowMethods not a list', { allowOrigins: [APP], allowMethods: 'GET' }, 'SecuredApi.CorsInvalidMethods'],
  ])('should refuse %s with its code', (_, cors, code) => {
    // GIVEN
    const { stack } = ordersStack();

    // WHEN
    const make = () => corsApi(stack, cors as SecuredApiCorsOptions);

    // THEN
    expect(make).toThrow(expect.objectContaining({ code, message: expect.stringMatching(/^Orders\/Api: cors/) }));
  });
});
