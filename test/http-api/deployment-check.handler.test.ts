/**
 * The HTTP API deployment check's handler (src/api/runtime/http-check.ts) and reader (http-read.ts)
 * with the real `ApiGatewayV2Client` of `@aws-sdk/client-apigatewayv2`, its `send` mocked with
 * aws-sdk-client-mock (as the REST check's handler test mocks client-api-gateway). The mock answers
 * the three list calls as the API reference shapes them (Items, NextToken):
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-routes.html
 */
import {
  AccessDeniedException, ApiGatewayV2Client, GetAuthorizersCommand, GetIntegrationsCommand, GetRoutesCommand, NotFoundException,
  TooManyRequestsException,
} from '@aws-sdk/client-apigatewayv2';
import { mockClient } from 'aws-sdk-client-mock';
import { CheckAnswer } from '../../src/api/runtime/cfn-response';
import { HttpCheckDeps, HttpCheckEvent, PROP_HTTP_API_ID, runHttpCheck } from '../../src/api/runtime/http-check';
import { CheckedHttpApi, DeployedHttpApi } from '../../src/api/runtime/http-compare';
import { createHttpClient, HTTP_PAGE_SIZE, readDeployedHttpApi } from '../../src/api/runtime/http-read';

const apigw = mockClient(ApiGatewayV2Client);

const API_ID = 'a1b2c3';
const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:111122223333:function:orders';

const MODEL: CheckedHttpApi = {
  version: 1,
  routes: [
    { routeKey: 'GET /orders', authorizationType: 'JWT', scopes: ['orders:read'], integration: 'Integration0' },
    { routeKey: 'POST /orders', authorizationType: 'CUSTOM', scopes: [], integration: 'Integration0' },
    { routeKey: 'GET /health', authorizationType: 'NONE', scopes: [], integration: 'Integration0' },
  ],
  jwtAuthorizer: { name: 'JwtAuthorizer', issuer: 'https://issuer.example.com', audiences: ['api://orders'] },
  lambdaAuthorizer: { name: 'LambdaAuthorizer', payloadFormatVersion: '2.0', simpleResponses: true, identitySources: ['$request.header.Authorization'], ttlSeconds: 300 },
  integrations: [{ name: 'Integration0', integrationType: 'AWS_PROXY', integrationUri: { value: 1 }, payloadFormatVersion: '2.0' }],
};
/** The custom resource's `Values` as CloudFormation resolves them. */
const VALUES = ['i1', FUNCTION_ARN];

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
  integrations: [{ IntegrationId: 'i1', IntegrationType: 'AWS_PROXY', IntegrationUri: FUNCTION_ARN, IntegrationMethod: 'POST', PayloadFormatVersion: '2.0', ConnectionType: 'INTERNET', TimeoutInMillis: 30000 }],
};

/** One page of `items` from `NextToken` (an offset), `pageSize` items a page whatever `MaxResults` asked. */
function page<T>(items: readonly T[], pageSize: number, input: { ApiId?: string; NextToken?: string }) {
  expect(input.ApiId).toBe(API_ID);
  const start = input.NextToken ? Number(input.NextToken) : 0;
  const end = start + pageSize;
  return { Items: items.slice(start, end), ...(end < items.length ? { NextToken: String(end) } : {}) };
}

/** Answers the three list calls from `api`. */
function serve(api: DeployedHttpApi, pageSize = 500): void {
  apigw.on(GetRoutesCommand).callsFake((input) => page(api.routes, pageSize, input));
  apigw.on(GetAuthorizersCommand).callsFake((input) => page(api.authorizers, pageSize, input));
  apigw.on(GetIntegrationsCommand).callsFake((input) => page(api.integrations, pageSize, input));
}

const event = (props: Record<string, unknown> = {}, type: HttpCheckEvent['RequestType'] = 'Create'): HttpCheckEvent => ({
  RequestType: type,
  ResponseURL: 'http://127.0.0.1:1/response',
  StackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/s/1',
  RequestId: 'req-1',
  LogicalResourceId: 'ApiDeploymentCheck',
  ResourceProperties: { ServiceToken: 'x', [PROP_HTTP_API_ID]: API_ID, ModelHash: 'h1', Values: VALUES, ...props },
});

function deps(more: Partial<HttpCheckDeps> = {}): HttpCheckDeps & { lines: string[] } {
  const lines: string[] = [];
  return {
    model: () => MODEL,
    modelHash: () => 'h1',
    client: createHttpClient,
    read: readDeployedHttpApi,
    budgetMs: 60_000,
    sleep: async () => undefined,
    log: (line) => lines.push(line),
    lines,
    ...more,
  };
}

beforeEach(() => {
  apigw.reset();
});

describe('runHttpCheck', () => {
  test('should pass the faithful HTTP API, read through every page', async () => {
    // GIVEN: one item a page
    serve(DEPLOYED, 1);

    // WHEN
    const answer = await runHttpCheck(event(), deps());

    // THEN
    expect(answer).toEqual({ status: 'SUCCESS', physicalResourceId: `deployment-check-${API_ID}`, data: { RoutesVerified: '3' } });
    expect(apigw.commandCalls(GetRoutesCommand).map((c) => c.args[0].input)).toEqual([
      { ApiId: API_ID, MaxResults: HTTP_PAGE_SIZE, NextToken: undefined },
      { ApiId: API_ID, MaxResults: HTTP_PAGE_SIZE, NextToken: '1' },
      { ApiId: API_ID, MaxResults: HTTP_PAGE_SIZE, NextToken: '2' },
    ]);
    expect(apigw.commandCalls(GetAuthorizersCommand)).toHaveLength(2);
    expect(apigw.commandCalls(GetIntegrationsCommand)).toHaveLength(1);
  });

  test('should fail the deployment on differences, one reason line each, and log them', async () => {
    // GIVEN: a route opened, a route and an integration added
    serve({
      ...DEPLOYED,
      routes: [
        { ...DEPLOYED.routes[0], AuthorizationType: 'NONE', AuthorizerId: undefined, AuthorizationScopes: undefined },
        ...DEPLOYED.routes.slice(1),
        { RouteKey: 'DELETE /orders', AuthorizationType: 'NONE', Target: 'integrations/i9' },
      ],
      integrations: [...DEPLOYED.integrations, { IntegrationId: 'i9', IntegrationType: 'HTTP_PROXY', IntegrationUri: 'https://evil.example.com' }],
    });
    const d = deps();

    // WHEN
    const answer = await runHttpCheck(event(), d);

    // THEN
    expect(answer.status).toBe('FAILED');
    expect(answer.reason).toEqual({
      head: `The HTTP API ${API_ID} as deployed differs from the SecuredHttpApi's routes in 4 place(s) (every one is in the check's log group):`,
      lines: [
        'integration i9: exists (type HTTP_PROXY, URI https://evil.example.com), but no route of the SecuredHttpApi\'s definition targets it',
        'GET /orders: authorization NONE, expected authorization JWT (authorizer j1)',
        'GET /orders: scopes none, expected orders:read',
        'DELETE /orders: exists (authorization NONE), but the SecuredHttpApi made no such route',
      ],
    });
    expect(d.lines.filter((l) => l.includes('"difference"'))).toHaveLength(4);
  });

  test('should compare each integration with the deploy-time values CloudFormation resolved', async () => {
    // GIVEN: the function's ARN resolved to another function than the one deployed
    serve(DEPLOYED);

    // WHEN
    const answer = await runHttpCheck(event({ Values: ['i1', 'arn:aws:lambda:eu-west-1:111122223333:function:other'] }), deps());

    // THEN
    expect(answer.reason?.lines).toEqual([
      `integration i1 (Integration0, of GET /orders): IntegrationUri ${FUNCTION_ARN}, expected arn:aws:lambda:eu-west-1:111122223333:function:other`,
    ]);
  });

  test('should do nothing on Delete, and pass unread an event of another model (a rollback)', async () => {
    serve(DEPLOYED);
    expect(await runHttpCheck({ ...event({}, 'Delete'), PhysicalResourceId: 'p1' }, deps())).toEqual({ status: 'SUCCESS', physicalResourceId: 'p1' });
    expect((await runHttpCheck(event({ ModelHash: 'older' }, 'Update'), deps())).data).toEqual({ RoutesVerified: '0' });
    expect(apigw.calls()).toHaveLength(0);
  });

  test('should wait out a denial while the role propagates, then check', async () => {
    // GIVEN: GetRoutes denied twice
    serve(DEPLOYED);
    apigw.on(GetRoutesCommand)
      .rejectsOnce(new AccessDeniedException({ message: 'not allowed', $metadata: { httpStatusCode: 403 } }))
      .rejectsOnce(new AccessDeniedException({ message: 'not allowed', $metadata: { httpStatusCode: 403 } }))
      .callsFake((input) => page(DEPLOYED.routes, 500, input));
    const waits: number[] = [];

    // WHEN
    const answer = await runHttpCheck(event(), deps({ sleep: async (ms) => { waits.push(ms); } }));

    // THEN
    expect(answer.status).toBe('SUCCESS');
    expect(waits).toEqual([2_000, 4_000]);
  });

  test('should fail with a clear reason when API Gateway keeps throttling after the retries', async () => {
    // GIVEN
    serve(DEPLOYED);
    apigw.on(GetRoutesCommand).rejects(new TooManyRequestsException({ message: 'Too Many Requests', $metadata: { httpStatusCode: 429 } }));
    const d = deps();

    // WHEN
    const answer: CheckAnswer = await runHttpCheck(event(), d);

    // THEN
    expect(answer.status).toBe('FAILED');
    expect(answer.reason?.head).toBe(`The deployment check could not read the HTTP API ${API_ID} back: TooManyRequestsException: Too Many Requests. Deploy again once API Gateway answers (and check that the check's role may call apigateway:GET on the API).`);
    expect(d.lines.at(-1)).toContain('"result":"FAILED"');
  });

  test('should fail on an error in the middle of the pages, not pass on what it read so far', async () => {
    // GIVEN: the second page of the routes fails
    serve(DEPLOYED, 1);
    apigw.on(GetRoutesCommand, { ApiId: API_ID, MaxResults: HTTP_PAGE_SIZE, NextToken: '1' })
      .rejects(new NotFoundException({ message: 'Invalid API identifier specified', $metadata: { httpStatusCode: 404 } }));

    // WHEN
    const answer = await runHttpCheck(event(), deps());

    // THEN
    expect(answer.status).toBe('FAILED');
    expect(answer.reason?.head).toMatch(new RegExp(`^The deployment check could not read the HTTP API ${API_ID} back: NotFoundException: Invalid API identifier specified\\.`));
    expect(apigw.commandCalls(GetRoutesCommand)).toHaveLength(2);
  });

  test('should fail without an API id, malformed values, or a model that cannot load', async () => {
    serve(DEPLOYED);
    expect((await runHttpCheck(event({ [PROP_HTTP_API_ID]: undefined }), deps())).reason?.head).toMatch(/got no HTTP API id/);
    expect((await runHttpCheck(event({ Values: [1] }), deps())).reason?.head).toMatch(/malformed deploy-time values/);
    const broken = await runHttpCheck(event(), deps({ model: () => { throw new Error('no model.json'); } }));
    expect(broken.reason?.head).toMatch(/could not load what it expects \(its model.json\): no model.json/);
  });

  test('should fail, not hang, when the reads outlast its time', async () => {
    jest.useFakeTimers();
    try {
      // GIVEN: a read that only ends when aborted
      const pending = runHttpCheck(event(), deps({
        budgetMs: 5_000,
        read: (_client, _id, signal) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
      }));

      // WHEN
      await jest.advanceTimersByTimeAsync(5_000);
      const answer = await pending;

      // THEN
      expect(answer.reason?.head).toBe(`The deployment check could not read the HTTP API ${API_ID} back within 5 s (API Gateway throttling or an outage); deploy again later.`);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('readDeployedHttpApi', () => {
  test('should pass one abort signal to every request, which the caller\'s aborts', async () => {
    // GIVEN: GetIntegrations ends only when its request's signal aborts (as the SDK ends it)
    serve(DEPLOYED, 1);
    apigw.on(GetIntegrationsCommand).callsFake(() => {
      const { abortSignal } = (apigw.send.lastCall.args as unknown[])[1] as { abortSignal: AbortSignal };
      return new Promise((_resolve, reject) => abortSignal.addEventListener('abort', () => reject(new Error('Request aborted'))));
    });
    const controller = new AbortController();
    const read = readDeployedHttpApi(createHttpClient(), API_ID, controller.signal);
    await new Promise((resolve) => setImmediate(resolve));

    // WHEN
    controller.abort();

    // THEN
    await expect(read).rejects.toThrow('Request aborted');
    const signals = new Set(apigw.calls().map((call) => ((call.args as unknown[])[1] as { abortSignal: AbortSignal }).abortSignal));
    expect(signals.size).toBe(1);
    expect([...signals][0].aborted).toBe(true);
  });

  test('should abort the other lists\' requests once one fails', async () => {
    // GIVEN: GetRoutes fails, GetAuthorizers hangs until it is aborted
    serve(DEPLOYED);
    apigw.on(GetRoutesCommand).rejects(new NotFoundException({ message: 'Invalid API identifier specified', $metadata: { httpStatusCode: 404 } }));
    apigw.on(GetAuthorizersCommand).callsFake(() => new Promise(() => undefined));
    const controller = new AbortController();

    // WHEN
    const read = readDeployedHttpApi(createHttpClient(), API_ID, controller.signal);

    // THEN
    await expect(read).rejects.toThrow('Invalid API identifier specified');
    const signal = ((apigw.commandCalls(GetAuthorizersCommand)[0].args as unknown[])[1] as { abortSignal: AbortSignal }).abortSignal;
    expect(signal.aborted).toBe(true);
    expect(controller.signal.aborted).toBe(false);
  });

  test('should take a NextToken given twice as an error, not a loop', async () => {
    serve(DEPLOYED);
    apigw.on(GetRoutesCommand).resolves({ Items: [], NextToken: 'same' });
    await expect(readDeployedHttpApi(createHttpClient(), API_ID, new AbortController().signal)).rejects.toThrow('GetRoutes returned the NextToken "same" twice');
  });

  test('should retry throttling adaptively, with more attempts than the SDK default', async () => {
    const client = createHttpClient();
    expect(await client.config.retryStrategy()).toEqual(expect.objectContaining({ mode: 'adaptive' }));
    expect(await client.config.maxAttempts()).toBe(10);
  });
});
