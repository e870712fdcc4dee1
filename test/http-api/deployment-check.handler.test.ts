/**
 * The HTTP API deployment check's handler (src/api/runtime/http-check.ts) and reader
 * (http-read.ts) against API Gateway's v2 read API. Only AWS is faked: `@aws-sdk/client-apigatewayv2`
 * is not a dependency of this repository (so aws-sdk-client-mock cannot wrap it), and the fake
 * answers the three list calls as the API reference shapes them (Items, NextToken).
 */
import { CheckAnswer } from '../../src/api/runtime/cfn-response';
import { HttpCheckDeps, HttpCheckEvent, PROP_HTTP_API_ID, runHttpCheck } from '../../src/api/runtime/http-check';
import { DeployedHttpApi, ExpectedHttpApi } from '../../src/api/runtime/http-compare';
import { ApiGatewayV2Reader, readDeployedHttpApi, V2ListInput, V2Page } from '../../src/api/runtime/http-read';

const API_ID = 'a1b2c3';

const MODEL: ExpectedHttpApi = {
  version: 1,
  routes: [
    { routeKey: 'GET /orders', authorizationType: 'JWT', scopes: ['orders:read'] },
    { routeKey: 'POST /orders', authorizationType: 'CUSTOM', scopes: [] },
    { routeKey: 'GET /health', authorizationType: 'NONE', scopes: [] },
  ],
  jwtAuthorizer: { name: 'JwtAuthorizer', issuer: 'https://issuer.example.com', audiences: ['api://orders'] },
  lambdaAuthorizer: { name: 'LambdaAuthorizer', payloadFormatVersion: '2.0', simpleResponses: true, identitySources: ['$request.header.Authorization'], ttlSeconds: 300 },
};

const DEPLOYED: DeployedHttpApi = {
  routes: [
    { RouteId: 'r1', RouteKey: 'GET /orders', AuthorizationType: 'JWT', AuthorizerId: 'j1', AuthorizationScopes: ['orders:read'], Target: 'integrations/i1' },
    { RouteId: 'r2', RouteKey: 'POST /orders', AuthorizationType: 'CUSTOM', AuthorizerId: 'l1', Target: 'integrations/i1' },
    { RouteId: 'r3', RouteKey: 'GET /health', AuthorizationType: 'NONE', Target: 'integrations/i1' },
  ],
  authorizers: [
    { AuthorizerId: 'j1', Name: 'JwtAuthorizer', AuthorizerType: 'JWT', JwtConfiguration: { Issuer: 'https://issuer.example.com', Audience: ['api://orders'] } },
    {
      AuthorizerId: 'l1',
      Name: 'LambdaAuthorizer',
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerResultTtlInSeconds: 300,
    },
  ],
  integrations: [{ IntegrationId: 'i1', IntegrationType: 'AWS_PROXY' }],
};

/** A fake v2 client answering from `api`, `pageSize` items a page, recording every call. */
function fakeClient(api: DeployedHttpApi, pageSize = 500, fail?: (call: string) => Error | undefined) {
  const calls: string[] = [];
  const list = <T>(name: string, items: readonly T[]) => async (input: V2ListInput): Promise<V2Page<T>> => {
    calls.push(`${name} ${input.ApiId} ${input.NextToken ?? '-'} ${input.MaxResults}`);
    const error = fail?.(name);
    if (error) throw error;
    expect(input.ApiId).toBe(API_ID);
    const start = input.NextToken ? Number(input.NextToken) : 0;
    const end = start + pageSize;
    return { Items: items.slice(start, end), ...(end < items.length ? { NextToken: String(end) } : {}) };
  };
  const client: ApiGatewayV2Reader = {
    getRoutes: list('GetRoutes', api.routes),
    getAuthorizers: list('GetAuthorizers', api.authorizers),
    getIntegrations: list('GetIntegrations', api.integrations),
  };
  return { client, calls };
}

const event = (props: Record<string, unknown> = {}, type: HttpCheckEvent['RequestType'] = 'Create'): HttpCheckEvent => ({
  RequestType: type,
  ResponseURL: 'http://127.0.0.1:1/response',
  StackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/s/1',
  RequestId: 'req-1',
  LogicalResourceId: 'ApiDeploymentCheck',
  ResourceProperties: { ServiceToken: 'x', [PROP_HTTP_API_ID]: API_ID, ModelHash: 'h1', ...props },
});

function deps(client: ApiGatewayV2Reader, more: Partial<HttpCheckDeps> = {}): HttpCheckDeps & { lines: string[] } {
  const lines: string[] = [];
  return {
    model: () => MODEL,
    modelHash: () => 'h1',
    client: () => client,
    read: readDeployedHttpApi,
    budgetMs: 60_000,
    sleep: async () => undefined,
    log: (line) => lines.push(line),
    lines,
    ...more,
  };
}

describe('runHttpCheck', () => {
  test('the faithful HTTP API passes, read through every page', async () => {
    const { client, calls } = fakeClient(DEPLOYED, 1);
    const answer = await runHttpCheck(event(), deps(client));
    expect(answer).toEqual({ status: 'SUCCESS', physicalResourceId: `deployment-check-${API_ID}`, data: { RoutesVerified: '3' } });
    expect(calls.filter((c) => c.startsWith('GetRoutes'))).toEqual([
      `GetRoutes ${API_ID} - 500`, `GetRoutes ${API_ID} 1 500`, `GetRoutes ${API_ID} 2 500`,
    ]);
  });

  test('differences fail the deployment, one reason line each, and are logged', async () => {
    const opened: DeployedHttpApi = {
      ...DEPLOYED,
      routes: [
        { ...DEPLOYED.routes[0], AuthorizationType: 'NONE', AuthorizerId: undefined, AuthorizationScopes: undefined },
        ...DEPLOYED.routes.slice(1),
        { RouteKey: 'DELETE /orders', AuthorizationType: 'NONE', Target: 'integrations/i1' },
      ],
    };
    const d = deps(fakeClient(opened).client);
    const answer = await runHttpCheck(event(), d);
    expect(answer.status).toBe('FAILED');
    expect(answer.reason).toEqual({
      head: `The HTTP API ${API_ID} as deployed differs from the SecuredHttpApi's routes in 3 place(s) (every one is in the check's log group):`,
      lines: [
        'GET /orders: authorization NONE, expected authorization JWT (authorizer j1)',
        'GET /orders: scopes none, expected orders:read',
        'DELETE /orders: exists (authorization NONE), but the SecuredHttpApi made no such route',
      ],
    });
    expect(d.lines.filter((l) => l.includes('"difference"'))).toHaveLength(3);
  });

  test('Delete does nothing; an event of another model (a rollback) passes unread', async () => {
    const { client, calls } = fakeClient(DEPLOYED);
    expect(await runHttpCheck({ ...event({}, 'Delete'), PhysicalResourceId: 'p1' }, deps(client))).toEqual({ status: 'SUCCESS', physicalResourceId: 'p1' });
    expect((await runHttpCheck(event({ ModelHash: 'older' }, 'Update'), deps(client))).data).toEqual({ RoutesVerified: '0' });
    expect(calls).toEqual([]);
  });

  test('a denial is waited out while the role propagates, then the check runs', async () => {
    let denials = 2;
    const denied = (call: string) => (call === 'GetRoutes' && denials-- > 0 ? Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }) : undefined);
    const waits: number[] = [];
    const { client } = fakeClient(DEPLOYED, 500, denied);
    const answer = await runHttpCheck(event(), deps(client, { sleep: async (ms) => { waits.push(ms); } }));
    expect(answer.status).toBe('SUCCESS');
    expect(waits).toEqual([2_000, 4_000]);
  });

  test('a lasting error, no API id, or a model that cannot load fail the deployment', async () => {
    const boom = () => Object.assign(new Error('Too Many Requests'), { name: 'TooManyRequestsException' });
    const answer: CheckAnswer = await runHttpCheck(event(), deps(fakeClient(DEPLOYED, 500, boom).client));
    expect(answer.status).toBe('FAILED');
    expect(answer.reason?.head).toBe(`The deployment check could not read the HTTP API ${API_ID} back: TooManyRequestsException: Too Many Requests. Deploy again once API Gateway answers (and check that the check's role may call apigateway:GET on the API).`);
    expect((await runHttpCheck(event({ [PROP_HTTP_API_ID]: undefined }), deps(fakeClient(DEPLOYED).client))).reason?.head).toMatch(/got no HTTP API id/);
    const broken = await runHttpCheck(event(), deps(fakeClient(DEPLOYED).client, { model: () => { throw new Error('no model.json'); } }));
    expect(broken.reason?.head).toMatch(/could not load what it expects \(its model.json\): no model.json/);
  });

  test('the budget aborts a read that does not end', async () => {
    const hanging: ApiGatewayV2Reader = {
      getRoutes: (_input, { abortSignal }) => new Promise((_resolve, reject) => abortSignal.addEventListener('abort', () => reject(new Error('aborted')))),
      getAuthorizers: async () => ({ Items: [] }),
      getIntegrations: async () => ({ Items: [] }),
    };
    jest.useFakeTimers();
    try {
      const pending = runHttpCheck(event(), deps(hanging, { budgetMs: 5_000 }));
      await jest.advanceTimersByTimeAsync(5_000);
      const answer = await pending;
      expect(answer.reason?.head).toBe(`The deployment check could not read the HTTP API ${API_ID} back within 5 s (API Gateway throttling or an outage); deploy again later.`);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('readDeployedHttpApi', () => {
  test('a NextToken given twice is an error, not a loop', async () => {
    const looping: ApiGatewayV2Reader = {
      getRoutes: async () => ({ Items: [], NextToken: 'same' }),
      getAuthorizers: async () => ({ Items: [] }),
      getIntegrations: async () => ({ Items: [] }),
    };
    await expect(readDeployedHttpApi(looping, API_ID, new AbortController().signal)).rejects.toThrow('GetRoutes returned the NextToken "same" twice');
  });
});
