/**
 * The HTTP API deployment check's comparison (src/api/runtime/http-compare.ts): a faithful read-back
 * passes; each kind of difference is one line naming the route, authorizer or integration; and, for
 * generated route tables and integrations, any single change to the deployed routes, authorizers or
 * integrations is reported.
 */
import * as fc from 'fast-check';
import {
  CheckedHttpApi, compareHttpApi, DeployedHttpApi, DeployedHttpIntegration, DeployedHttpRoute, ExpectedHttpIntegration, ExpectedHttpRoute,
} from '../../src/api/runtime/http-compare';

const JWT_ID = 'jwt111';
const LAMBDA_ID = 'lam222';
const INTEGRATION_ID = 'int333';
const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:orders';
/** The custom resource's `Values`, as CloudFormation resolves them: something else, the function's ARN. */
const VALUES = ['unused', FUNCTION_ARN];

/** The Lambda proxy integration every route targets, as the OpenAPI definition writes it. */
const LAMBDA_INTEGRATION: ExpectedHttpIntegration = {
  name: 'Integration0',
  integrationType: 'AWS_PROXY',
  integrationUri: { value: 1 },
  payloadFormatVersion: '2.0',
};

function modelOf(routes: ExpectedHttpRoute[]): CheckedHttpApi {
  return {
    version: 1,
    routes: routes.map((r) => ({ ...r, integration: 'Integration0' })),
    integrations: [LAMBDA_INTEGRATION],
    jwtAuthorizer: { name: 'JwtAuthorizer', issuer: 'https://issuer.example.com', audiences: ['api://orders', 'api://admin'] },
    lambdaAuthorizer: {
      name: 'LambdaAuthorizer',
      payloadFormatVersion: '2.0',
      simpleResponses: true,
      identitySources: ['$request.header.Authorization', '$context.routeKey'],
      ttlSeconds: 300,
    },
  };
}

/** The Lambda integration as GetIntegrations returns it, with the defaults API Gateway may fill in. */
const DEPLOYED_INTEGRATION: DeployedHttpIntegration = {
  IntegrationId: INTEGRATION_ID,
  IntegrationType: 'AWS_PROXY',
  IntegrationUri: FUNCTION_ARN,
  IntegrationMethod: 'POST',
  PayloadFormatVersion: '2.0',
  ConnectionType: 'INTERNET',
  TimeoutInMillis: 30000,
};

/** What API Gateway returns for exactly what the model describes. */
function faithful(model: CheckedHttpApi): DeployedHttpApi {
  return {
    authorizers: [
      { AuthorizerId: JWT_ID, Name: 'JwtAuthorizer', AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'], JwtConfiguration: { Issuer: model.jwtAuthorizer!.issuer, Audience: [...model.jwtAuthorizer!.audiences] } },
      {
        AuthorizerId: LAMBDA_ID,
        Name: 'LambdaAuthorizer',
        AuthorizerType: 'REQUEST',
        AuthorizerPayloadFormatVersion: '2.0',
        EnableSimpleResponses: true,
        IdentitySource: [...model.lambdaAuthorizer!.identitySources],
        AuthorizerResultTtlInSeconds: 300,
      },
    ],
    integrations: [{ ...DEPLOYED_INTEGRATION }],
    routes: model.routes.map((r, i): DeployedHttpRoute => ({
      RouteId: `r${i}`,
      RouteKey: r.routeKey,
      AuthorizationType: r.authorizationType,
      ...(r.authorizationType === 'JWT' ? { AuthorizerId: JWT_ID } : r.authorizationType === 'CUSTOM' ? { AuthorizerId: LAMBDA_ID } : {}),
      ...(r.scopes.length > 0 ? { AuthorizationScopes: [...r.scopes].reverse() } : {}),
      Target: `integrations/${INTEGRATION_ID}`,
    })),
  };
}

const ORDERS = modelOf([
  { routeKey: 'GET /orders', authorizationType: 'JWT', scopes: ['orders:read'] },
  { routeKey: 'POST /orders', authorizationType: 'CUSTOM', scopes: [] },
  { routeKey: 'GET /health', authorizationType: 'NONE', scopes: [] },
]);

const withRoute = (api: DeployedHttpApi, key: string, change: Partial<DeployedHttpRoute>): DeployedHttpApi => ({
  ...api, routes: api.routes.map((r) => (r.RouteKey === key ? { ...r, ...change } : r)),
});

describe('compareHttpApi', () => {
  test('the faithful read-back has no difference (scopes and sources compared as sets)', () => {
    expect(compareHttpApi(ORDERS, VALUES, faithful(ORDERS))).toEqual([]);
  });

  test('a route the construct did not write is reported', () => {
    const deployed = faithful(ORDERS);
    const extra = { ...deployed, routes: [...deployed.routes, { RouteKey: 'DELETE /orders', AuthorizationType: 'NONE', Target: `integrations/${INTEGRATION_ID}` }] };
    expect(compareHttpApi(ORDERS, VALUES, extra)).toEqual(['DELETE /orders: exists (authorization NONE), but the SecuredHttpApi made no such route']);
  });

  test('a guarded route with no authorizer, another authorizer, or other scopes', () => {
    const deployed = faithful(ORDERS);
    expect(compareHttpApi(ORDERS, VALUES, withRoute(deployed, 'GET /orders', { AuthorizationType: 'NONE', AuthorizerId: undefined })))
      .toEqual([`GET /orders: authorization NONE, expected authorization JWT (authorizer ${JWT_ID})`]);
    expect(compareHttpApi(ORDERS, VALUES, withRoute(deployed, 'POST /orders', { AuthorizerId: 'other9' })))
      .toEqual([`POST /orders: authorization CUSTOM (authorizer other9), expected authorization CUSTOM (authorizer ${LAMBDA_ID})`]);
    expect(compareHttpApi(ORDERS, VALUES, withRoute(deployed, 'GET /orders', { AuthorizationScopes: ['orders:read', 'orders:write'] })))
      .toEqual(['GET /orders: scopes orders:read, orders:write, expected orders:read']);
    expect(compareHttpApi(ORDERS, VALUES, withRoute(deployed, 'GET /orders', { AuthorizationScopes: undefined })))
      .toEqual(['GET /orders: scopes none, expected orders:read']);
  });

  test('an unset AuthorizationType reads as NONE (fails closed)', () => {
    expect(compareHttpApi(ORDERS, VALUES, withRoute(faithful(ORDERS), 'POST /orders', { AuthorizationType: undefined })))
      .toEqual([`POST /orders: authorization NONE (authorizer ${LAMBDA_ID}), expected authorization CUSTOM (authorizer ${LAMBDA_ID})`]);
  });

  test('a missing route, and a route whose target is no integration of the API', () => {
    const deployed = faithful(ORDERS);
    expect(compareHttpApi(ORDERS, VALUES, { ...deployed, routes: deployed.routes.filter((r) => r.RouteKey !== 'GET /health') }))
      .toEqual(['GET /health: missing, expected authorization NONE']);
    expect(compareHttpApi(ORDERS, VALUES, withRoute(deployed, 'GET /health', { Target: 'integrations/elsewhere' })))
      .toEqual(['integration elsewhere (Integration0, of GET /health): missing, expected type AWS_PROXY']);
    expect(compareHttpApi(ORDERS, VALUES, withRoute(deployed, 'GET /health', { Target: undefined })))
      .toEqual(['GET /health: target none, expected integrations/<id> of the integration Integration0']);
    expect(compareHttpApi(ORDERS, VALUES, withRoute(deployed, 'GET /health', { Target: 'arn:aws:lambda:eu-west-1:123456789012:function:x' })))
      .toEqual(['GET /health: target arn:aws:lambda:eu-west-1:123456789012:function:x, expected integrations/<id> of the integration Integration0']);
  });

  test('the JWT authorizer\'s issuer and audiences', () => {
    const deployed = faithful(ORDERS);
    const jwt = (change: object) => ({ ...deployed, authorizers: deployed.authorizers.map((a) => (a.Name === 'JwtAuthorizer' ? { ...a, JwtConfiguration: { ...a.JwtConfiguration, ...change } } : a)) });
    expect(compareHttpApi(ORDERS, VALUES, jwt({ Issuer: 'https://evil.example.com' })))
      .toEqual([`authorizer JwtAuthorizer (${JWT_ID}): issuer https://evil.example.com, expected https://issuer.example.com`]);
    expect(compareHttpApi(ORDERS, VALUES, jwt({ Audience: ['api://orders', 'api://admin', 'api://other'] })))
      .toEqual([`authorizer JwtAuthorizer (${JWT_ID}): audiences api://admin, api://orders, api://other, expected api://admin, api://orders`]);
  });

  test('the Lambda authorizer\'s payload version, simple responses, identity sources and TTL', () => {
    const deployed = faithful(ORDERS);
    const lambda = (change: object) => ({ ...deployed, authorizers: deployed.authorizers.map((a) => (a.Name === 'LambdaAuthorizer' ? { ...a, ...change } : a)) });
    expect(compareHttpApi(ORDERS, VALUES, lambda({ AuthorizerPayloadFormatVersion: '1.0' })))
      .toEqual([`authorizer LambdaAuthorizer (${LAMBDA_ID}): payload format version 1.0, expected 2.0`]);
    expect(compareHttpApi(ORDERS, VALUES, lambda({ EnableSimpleResponses: undefined })))
      .toEqual([`authorizer LambdaAuthorizer (${LAMBDA_ID}): simple responses false, expected true`]);
    expect(compareHttpApi(ORDERS, VALUES, lambda({ IdentitySource: ['$request.header.Authorization'] })))
      .toEqual([`authorizer LambdaAuthorizer (${LAMBDA_ID}): identity sources $request.header.Authorization, expected $context.routeKey, $request.header.Authorization`]);
    expect(compareHttpApi(ORDERS, VALUES, lambda({ AuthorizerResultTtlInSeconds: 3600 })))
      .toEqual([`authorizer LambdaAuthorizer (${LAMBDA_ID}): result TTL 3600 s, expected 300 s`]);
  });

  test('a missing or duplicated authorizer, and a deployed API with several differences lists each', () => {
    const deployed = faithful(ORDERS);
    const noJwt = { ...deployed, authorizers: deployed.authorizers.filter((a) => a.Name !== 'JwtAuthorizer') };
    expect(compareHttpApi(ORDERS, VALUES, noJwt)).toEqual([
      'authorizer JwtAuthorizer: no authorizer of type JWT, expected one',
      'GET /orders: authorization JWT (authorizer jwt111), expected authorization JWT (authorizer JwtAuthorizer)',
    ]);
    const twice = { ...deployed, authorizers: [...deployed.authorizers, { ...deployed.authorizers[1], AuthorizerId: 'lam999' }] };
    expect(compareHttpApi(ORDERS, VALUES, twice)).toContain('authorizer LambdaAuthorizer: 2 authorizers of type REQUEST (LambdaAuthorizer, LambdaAuthorizer), expected one');
  });

  test('authorizers are found by type, so names read back otherwise are no difference', () => {
    // The import names an authorizer after its security scheme, as exports do; the check does not rely on it.
    const deployed = faithful(ORDERS);
    const renamed = { ...deployed, authorizers: deployed.authorizers.map((a, i) => ({ ...a, Name: `imported-${i}` })) };
    expect(compareHttpApi(ORDERS, VALUES, renamed)).toEqual([]);
  });
});

const withIntegration = (api: DeployedHttpApi, change: Partial<DeployedHttpIntegration>): DeployedHttpApi => ({
  ...api, integrations: api.integrations.map((i) => ({ ...i, ...change })),
});
const AT = `integration ${INTEGRATION_ID} (Integration0, of GET /orders)`;

describe('compareHttpApi: integrations', () => {
  test('the fields the template leaves out may be absent or API Gateway\'s documented defaults', () => {
    const bare = withIntegration(faithful(ORDERS), { IntegrationMethod: undefined, ConnectionType: undefined, TimeoutInMillis: undefined });
    expect(compareHttpApi(ORDERS, VALUES, bare)).toEqual([]);
  });

  test.each<[string, Partial<DeployedHttpIntegration>, string]>([
    ['another function', { IntegrationUri: 'arn:aws:lambda:eu-west-1:123456789012:function:other' }, `${AT}: IntegrationUri arn:aws:lambda:eu-west-1:123456789012:function:other, expected ${FUNCTION_ARN}`],
    ['another type', { IntegrationType: 'HTTP_PROXY' }, `${AT}: IntegrationType HTTP_PROXY, expected AWS_PROXY`],
    ['another payload version', { PayloadFormatVersion: '1.0' }, `${AT}: PayloadFormatVersion 1.0, expected 2.0`],
    ['a method other than the Lambda proxy\'s POST', { IntegrationMethod: 'GET' }, `${AT}: IntegrationMethod GET, expected none`],
    ['a VPC link', { ConnectionType: 'VPC_LINK' }, `${AT}: ConnectionType VPC_LINK, expected none`],
    ['a connection id', { ConnectionId: 'vpclink1' }, `${AT}: ConnectionId vpclink1, expected none`],
    ['another timeout', { TimeoutInMillis: 5000 }, `${AT}: TimeoutInMillis 5000, expected none`],
    ['request parameters', { RequestParameters: { 'overwrite:header.x-caller': 'admin' } }, `${AT}: RequestParameters {"overwrite:header.x-caller":"admin"}, expected {}`],
    ['a subtype', { IntegrationSubtype: 'SQS-SendMessage' }, `${AT}: IntegrationSubtype SQS-SendMessage, expected none`],
    ['credentials', { CredentialsArn: 'arn:aws:iam::123456789012:role/other' }, `${AT}: CredentialsArn arn:aws:iam::123456789012:role/other, expected none`],
    ['a TLS server name', { TlsConfig: { ServerNameToVerify: 'evil.example.com' } }, `${AT}: TlsConfig.ServerNameToVerify evil.example.com, expected none`],
    ['response parameters', { ResponseParameters: { 200: { 'overwrite:statuscode': '204' } } }, `${AT}: ResponseParameters 200 {"overwrite:statuscode":"204"}, expected {}`],
  ])('should report %s', (_, change, line) => {
    expect(compareHttpApi(ORDERS, VALUES, withIntegration(faithful(ORDERS), change))).toEqual([line]);
  });

  test('should report an integration no route of the definition targets, and a missing one', () => {
    const deployed = faithful(ORDERS);
    const extra = { ...deployed, integrations: [...deployed.integrations, { IntegrationId: 'int999', IntegrationType: 'HTTP_PROXY', IntegrationUri: 'https://evil.example.com' }] };
    expect(compareHttpApi(ORDERS, VALUES, extra)).toEqual(['integration int999: exists (type HTTP_PROXY, URI https://evil.example.com), but no route of the SecuredHttpApi\'s definition targets it']);
    expect(compareHttpApi(ORDERS, VALUES, { ...deployed, integrations: [] })).toEqual([`${AT}: missing, expected type AWS_PROXY`]);
  });

  test('should report a Lambda authorizer that calls another function, or as another role', () => {
    const authorizerUri = { join: ['arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/', 1, '/invocations'] };
    const model: CheckedHttpApi = { ...ORDERS, authorizerTargets: [{ name: 'LambdaAuthorizer', authorizerUri }, { name: 'JwtAuthorizer' }] };
    const uri = `arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/${FUNCTION_ARN}/invocations`;
    const deployed = faithful(model);
    const lambda = (change: object) => ({ ...deployed, authorizers: deployed.authorizers.map((a) => (a.Name === 'LambdaAuthorizer' ? { ...a, AuthorizerUri: uri, ...change } : a)) });
    expect(compareHttpApi(model, VALUES, lambda({}))).toEqual([]);
    expect(compareHttpApi(model, VALUES, lambda({ AuthorizerUri: uri.replace('orders', 'allow-all') })))
      .toEqual([`authorizer LambdaAuthorizer (${LAMBDA_ID}): AuthorizerUri ${uri.replace('orders', 'allow-all')}, expected ${uri}`]);
    expect(compareHttpApi(model, VALUES, lambda({ AuthorizerCredentialsArn: 'arn:aws:iam::123456789012:role/other' })))
      .toEqual([`authorizer LambdaAuthorizer (${LAMBDA_ID}): AuthorizerCredentialsArn arn:aws:iam::123456789012:role/other, expected none`]);
  });

  test('should report an authorizer the construct did not make', () => {
    const deployed = faithful(ORDERS);
    // A second authorizer of a type the construct made: which one guards the routes is not known, so both the count and the routes are reported.
    const extra = { ...deployed, authorizers: [...deployed.authorizers, { AuthorizerId: 'au777', Name: 'Sneaky', AuthorizerType: 'REQUEST' }] };
    expect(compareHttpApi(ORDERS, VALUES, extra)).toEqual([
      'authorizer LambdaAuthorizer: 2 authorizers of type REQUEST (LambdaAuthorizer, Sneaky), expected one',
      `POST /orders: authorization CUSTOM (authorizer ${LAMBDA_ID}), expected authorization CUSTOM (authorizer LambdaAuthorizer)`,
    ]);
    // An authorizer of a type the construct did not make.
    const jwtOnly: CheckedHttpApi = { ...ORDERS, lambdaAuthorizer: undefined, routes: ORDERS.routes.filter((r) => r.authorizationType !== 'CUSTOM') };
    const all = faithful(ORDERS);
    const withJwtOnly = { ...all, routes: all.routes.filter((r) => r.AuthorizationType !== 'CUSTOM') };
    expect(compareHttpApi(jwtOnly, VALUES, withJwtOnly)).toEqual(['authorizer LambdaAuthorizer (lam222): exists (type REQUEST), but the SecuredHttpApi made no such authorizer']);
  });

  test('a Lambda target read back as the function ARN or as its invocation URI is the same function; another function is a difference', () => {
    const invocation = (fn: string) => `arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/${fn}/invocations`;
    // The definition writes the invocation URI (values: 1 is the function ARN).
    const model: CheckedHttpApi = { ...ORDERS, integrations: [{ ...LAMBDA_INTEGRATION, integrationUri: { join: ['arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/', 1, '/invocations'] } }] };
    const deployed = faithful(model);
    expect(compareHttpApi(model, VALUES, deployed)).toEqual([]); // read back as the bare ARN
    expect(compareHttpApi(model, VALUES, withIntegration(deployed, { IntegrationUri: invocation(FUNCTION_ARN) }))).toEqual([]);
    const other = 'arn:aws:lambda:eu-west-1:123456789012:function:other';
    expect(compareHttpApi(model, VALUES, withIntegration(deployed, { IntegrationUri: invocation(other) })))
      .toEqual([`${AT}: IntegrationUri ${invocation(other)}, expected ${invocation(FUNCTION_ARN)}`]);
    expect(compareHttpApi(model, VALUES, withIntegration(deployed, { IntegrationUri: other })))
      .toEqual([`${AT}: IntegrationUri ${other}, expected ${invocation(FUNCTION_ARN)}`]);
    // Not an invocation URI of the same function: another service's path, another API version.
    expect(compareHttpApi(model, VALUES, withIntegration(deployed, { IntegrationUri: invocation(FUNCTION_ARN).replace('2015-03-31', '2099-01-01') }))).toHaveLength(1);
  });

  test('should compare each route\'s integration with the definition\'s for that route', () => {
    // GIVEN two integrations, each route on its own
    const backend: ExpectedHttpIntegration = { name: 'Backend0', integrationType: 'HTTP_PROXY', integrationUri: 'https://orders.example.com', integrationMethod: 'GET', payloadFormatVersion: '1.0' };
    const model: CheckedHttpApi = { ...ORDERS, routes: ORDERS.routes.map((r) => (r.routeKey === 'GET /health' ? { ...r, integration: 'Backend0' } : r)), integrations: [LAMBDA_INTEGRATION, backend] };
    const deployed = faithful(model);
    const proxy: DeployedHttpIntegration = { IntegrationId: 'int888', IntegrationType: 'HTTP_PROXY', IntegrationUri: 'https://orders.example.com', IntegrationMethod: 'GET', PayloadFormatVersion: '1.0' };
    const both = { ...withRoute(deployed, 'GET /health', { Target: 'integrations/int888' }), integrations: [...deployed.integrations, proxy] };
    expect(compareHttpApi(model, VALUES, both)).toEqual([]);
    // WHEN the public route is pointed at the Lambda's integration, and the backend's is left untargeted
    const swapped = { ...both, routes: both.routes.map((r) => (r.RouteKey === 'GET /health' ? { ...r, Target: `integrations/${INTEGRATION_ID}` } : r)) };
    // THEN both are reported
    expect(compareHttpApi(model, VALUES, swapped)).toEqual([
      `integration ${INTEGRATION_ID} (Backend0, of GET /health): IntegrationType AWS_PROXY, expected HTTP_PROXY`,
      `integration ${INTEGRATION_ID} (Backend0, of GET /health): IntegrationUri ${FUNCTION_ARN}, expected https://orders.example.com`,
      `integration ${INTEGRATION_ID} (Backend0, of GET /health): IntegrationMethod POST, expected GET`,
      `integration ${INTEGRATION_ID} (Backend0, of GET /health): PayloadFormatVersion 2.0, expected 1.0`,
      'integration int888: exists (type HTTP_PROXY, URI https://orders.example.com), but no route of the SecuredHttpApi\'s definition targets it',
    ]);
  });

  test('should compare an HTTP proxy through a VPC link with its request parameters, all deploy-time values resolved', () => {
    const vpc: ExpectedHttpIntegration = {
      name: 'Private',
      integrationType: 'HTTP_PROXY',
      integrationUri: { value: 3 },
      integrationMethod: 'ANY',
      payloadFormatVersion: '1.0',
      connectionType: 'VPC_LINK',
      connectionId: { value: 4 },
      requestParameters: { 'overwrite:path': '$request.path', 'append:header.x-tenant': { join: ['tenant-', 5] } },
      timeoutInMillis: '10000',
    };
    const values = [...VALUES, 'int444', 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/orders/1/2', 'vl555', 'acme'];
    const model: CheckedHttpApi = {
      ...ORDERS,
      routes: [...ORDERS.routes, { routeKey: 'ANY /private', authorizationType: 'NONE', scopes: [], integration: 'Private' }],
      integrations: [LAMBDA_INTEGRATION, { ...vpc, serverNameToVerify: 'orders.internal', responseParameters: { 500: { 'overwrite:statuscode': '502' } } }],
    };
    const proxy: DeployedHttpIntegration = {
      IntegrationId: 'int444',
      IntegrationType: 'HTTP_PROXY',
      IntegrationUri: values[3],
      IntegrationMethod: 'ANY',
      PayloadFormatVersion: '1.0',
      ConnectionType: 'VPC_LINK',
      ConnectionId: 'vl555',
      RequestParameters: { 'append:header.x-tenant': 'tenant-acme', 'overwrite:path': '$request.path' },
      TimeoutInMillis: 10000,
      TlsConfig: { ServerNameToVerify: 'orders.internal' },
      ResponseParameters: { 500: { 'overwrite:statuscode': '502' } },
    };
    const deployed = withRoute(faithful(model), 'ANY /private', { Target: 'integrations/int444' });
    expect(compareHttpApi(model, values, { ...deployed, integrations: [...deployed.integrations, proxy] })).toEqual([]);
    const other = { ...proxy, ConnectionId: 'vl666', RequestParameters: { 'overwrite:path': '$request.path' } };
    expect(compareHttpApi(model, values, { ...deployed, integrations: [...deployed.integrations, other] })).toEqual([
      'integration int444 (Private, of ANY /private): ConnectionId vl666, expected vl555',
      'integration int444 (Private, of ANY /private): RequestParameters {"overwrite:path":"$request.path"}, expected {"overwrite:path":"$request.path","append:header.x-tenant":"tenant-acme"}',
    ]);
  });
});

// --- property: any single change to the expected routes is reported ---------------------------

const genRoute: fc.Arbitrary<ExpectedHttpRoute> = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'ANY'),
  path: fc.array(fc.constantFrom('a', 'b', 'orders', '{id}', '{proxy+}'), { minLength: 1, maxLength: 3 }).map((s) => `/${s.join('/')}`),
  authorizationType: fc.constantFrom('NONE' as const, 'JWT' as const, 'CUSTOM' as const),
  scopes: fc.uniqueArray(fc.constantFrom('r', 'w', 'admin', 'orders:read'), { maxLength: 3 }),
}).map(({ method, path, authorizationType, scopes }) => ({
  routeKey: `${method} ${path}`,
  authorizationType,
  scopes: authorizationType === 'JWT' ? scopes : [],
}));
const genModel = fc.uniqueArray(genRoute, { minLength: 1, maxLength: 10, selector: (r) => r.routeKey }).map(modelOf);

type Change = (api: DeployedHttpApi, index: number) => { api: DeployedHttpApi; names: string };

const onRoute = (api: DeployedHttpApi, index: number, change: (r: DeployedHttpRoute) => DeployedHttpRoute | undefined) => {
  const routes = api.routes.flatMap((r, i) => (i === index ? [change(r)].filter((x): x is DeployedHttpRoute => x !== undefined) : [r]));
  return { ...api, routes };
};

const CHANGES: Record<string, Change> = {
  'remove the route': (api, i) => ({ api: onRoute(api, i, () => undefined), names: api.routes[i].RouteKey! }),
  'open the route': (api, i) => ({
    api: onRoute(api, i, (r) => ({ ...r, AuthorizationType: r.AuthorizationType === 'NONE' ? 'JWT' : 'NONE', AuthorizerId: r.AuthorizationType === 'NONE' ? JWT_ID : undefined })),
    names: api.routes[i].RouteKey!,
  }),
  'another authorizer': (api, i) => ({
    api: onRoute(api, i, (r) => ({ ...r, AuthorizerId: r.AuthorizerId === JWT_ID ? LAMBDA_ID : r.AuthorizerId === LAMBDA_ID ? JWT_ID : 'x1' })),
    names: api.routes[i].RouteKey!,
  }),
  'switch the authorization type': (api, i) => ({
    api: onRoute(api, i, (r) => ({ ...r, AuthorizationType: r.AuthorizationType === 'CUSTOM' ? 'JWT' : 'CUSTOM' })),
    names: api.routes[i].RouteKey!,
  }),
  'add a scope': (api, i) => ({ api: onRoute(api, i, (r) => ({ ...r, AuthorizationScopes: [...(r.AuthorizationScopes ?? []), 'extra'] })), names: api.routes[i].RouteKey! }),
  'drop a scope, or all': (api, i) => ({ api: onRoute(api, i, (r) => ({ ...r, AuthorizationScopes: (r.AuthorizationScopes ?? ['x']).slice(1) })), names: api.routes[i].RouteKey! }),
  'add another route': (api, i) => ({ api: { ...api, routes: [...api.routes, { ...api.routes[i], RouteKey: `${api.routes[i].RouteKey}/extra` }] }, names: `${api.routes[i].RouteKey}/extra` }),
  'duplicate the route': (api, i) => ({ api: { ...api, routes: [...api.routes, { ...api.routes[i], RouteId: 'dup' }] }, names: api.routes[i].RouteKey! }),
  'retarget the route': (api, i) => ({ api: onRoute(api, i, (r) => ({ ...r, Target: undefined })), names: api.routes[i].RouteKey! }),
};

describe('compareHttpApi property', () => {
  test('the faithful read-back of any route table passes', () => {
    fc.assert(fc.property(genModel, (model) => {
      expect(compareHttpApi(model, VALUES, faithful(model))).toEqual([]);
    }));
  });

  test('any single change to a route is reported, on a line naming the route', () => {
    fc.assert(fc.property(genModel, fc.nat(), fc.constantFrom(...Object.keys(CHANGES)), (model, n, changeName) => {
      const deployed = faithful(model);
      const index = n % deployed.routes.length;
      const route = model.routes[index];
      // Scopes apply to JWT routes only: dropping a scope of a route with none changes nothing.
      fc.pre(!(changeName === 'drop a scope, or all' && route.scopes.length === 0));
      const { api, names } = CHANGES[changeName](deployed, index);
      const diffs = compareHttpApi(model, VALUES, api);
      expect(diffs.some((d) => d.startsWith(`${names}:`))).toBe(true);
    }));
  });
});

describe('compareHttpApi integration property', () => {
  const fields: Array<keyof DeployedHttpIntegration> = [
    'IntegrationId', 'IntegrationType', 'IntegrationUri', 'IntegrationMethod', 'PayloadFormatVersion', 'ConnectionType', 'ConnectionId', 'RequestParameters', 'TimeoutInMillis',
    'IntegrationSubtype', 'CredentialsArn', 'TlsConfig', 'ResponseParameters',
  ];
  test('any change to a field of an integration (but to a default the template leaves out) is reported, naming an integration', () => {
    const anyValue = fc.oneof(fc.string(), fc.integer(), fc.dictionary(fc.string(), fc.string(), { minKeys: 1 }));
    fc.assert(fc.property(genModel, fc.constantFrom(...fields), anyValue, (model, field, value) => {
      const deployed = faithful(model);
      const before = (deployed.integrations[0] as any)[field];
      const changed = { ...deployed, integrations: [{ ...deployed.integrations[0], [field]: value }] };
      const unchanged = JSON.stringify(value) === JSON.stringify(before) || (field === 'TimeoutInMillis' && (value === 30000 || value === '30000'))
        || (field === 'ConnectionType' && value === 'INTERNET') || (field === 'IntegrationMethod' && value === 'POST')
        // A TlsConfig without a ServerNameToVerify configures nothing the API has.
        || (field === 'TlsConfig' && typeof value === 'object' && !('ServerNameToVerify' in value));
      fc.pre(!unchanged);
      const diffs = compareHttpApi(model, VALUES, changed);
      expect(diffs.length).toBeGreaterThan(0);
      expect(diffs.some((d) => d.startsWith('integration '))).toBe(true);
    }), { numRuns: 300, seed: 20261207 });
  });
});
