/**
 * The deployment check's handler against API Gateway's read API, mocked with aws-sdk-client-mock.
 * The responses are what API Gateway returns for the imported definition (test/support/
 * api-gateway-import.ts, shapes from the API reference and the CLI's get-resources example).
 */
import * as http from 'node:http';
import {
  APIGatewayClient, APIGatewayServiceException, GetAuthorizersCommand, GetGatewayResponsesCommand, GetResourcesCommand, GetRestApiCommand,
  TooManyRequestsException, UnauthorizedException,
} from '@aws-sdk/client-api-gateway';
import { mockClient } from 'aws-sdk-client-mock';
import { RouteBackend } from '../../src';
import { httpProxyIntegration } from '../../src/api/backend';
import { MAX_RESPONSE_BODY_BYTES } from '../../src/api/deployment-check-contract';
import { putResponse, responseBody } from '../../src/api/runtime/cfn-response';
import { CheckDeps, CheckEvent, runCheck } from '../../src/api/runtime/check';
import { createClient, readDeployedApi } from '../../src/api/runtime/read-api';
import { ImportedApi, importDefinition, page } from '../support/api-gateway-import';
import { checkEvent, checkFixture, CheckFixture, deployedOf, FixtureRoute, functionArn, REST_API_ID } from '../support/deployment-check';

const apigw = mockClient(APIGatewayClient);

/** The orders API: guarded list, create and get, a public health check, and an HTTP backend. */
const ORDERS: FixtureRoute[] = [
  { method: 'GET', resource: '/orders', isPublic: false, fn: 'list' },
  { method: 'POST', resource: '/orders', isPublic: false, fn: 'create' },
  { method: 'GET', resource: '/orders/{id}', isPublic: false, fn: 'get' },
  { method: 'GET', resource: '/health', isPublic: true, fn: 'health' },
];

/** Answers the four read calls from `imported`, `pageSize` items per page whatever the limit asked. */
function serve(imported: ImportedApi, pageSize?: number): void {
  apigw.on(GetRestApiCommand).callsFake((input) => {
    expect(input.restApiId).toBe(imported.restApi.id);
    return imported.restApi;
  });
  apigw.on(GetResourcesCommand).callsFake((input) => page(imported.resources, pageSize ?? input.limit, input.position));
  apigw.on(GetAuthorizersCommand).callsFake((input) => page(imported.authorizers, pageSize ?? input.limit, input.position));
  apigw.on(GetGatewayResponsesCommand).callsFake((input) => page(imported.gatewayResponses, pageSize ?? input.limit, input.position));
}

function deps(fixture: CheckFixture, log: string[] = []): CheckDeps {
  return {
    model: () => fixture.model,
    client: createClient,
    read: readDeployedApi,
    budgetMs: 60_000,
    log: (line) => log.push(line),
  };
}

beforeEach(() => {
  apigw.reset();
});

describe('deployment check handler', () => {
  test('should pass the faithful import and report the operations it verified', async () => {
    // GIVEN
    const fixture = checkFixture({ routes: ORDERS, cors: true, quotas: true });
    serve(fixture.imported);

    // WHEN
    const answer = await runCheck(checkEvent('Create', fixture.values), deps(fixture));

    // THEN
    expect(answer).toEqual({ status: 'SUCCESS', physicalResourceId: `deployment-check-${REST_API_ID}`, data: { RoutesVerified: '7' } });
    expect(apigw.commandCalls(GetResourcesCommand)[0].args[0].input).toEqual({ restApiId: REST_API_ID, embed: ['methods'], limit: 500, position: undefined });
  });

  test('should follow every page of every list', async () => {
    // GIVEN: two items per page
    const fixture = checkFixture({ routes: ORDERS, cors: true });
    serve(fixture.imported, 2);

    // WHEN
    const answer = await runCheck(checkEvent('Update', fixture.values), deps(fixture));

    // THEN
    expect(answer.status).toBe('SUCCESS');
    expect(apigw.commandCalls(GetResourcesCommand)).toHaveLength(Math.ceil(fixture.imported.resources.length / 2));
    expect(apigw.commandCalls(GetGatewayResponsesCommand)).toHaveLength(Math.ceil(fixture.imported.gatewayResponses.length / 2));
    const positions = apigw.commandCalls(GetResourcesCommand).map((c) => c.args[0].input.position);
    expect(positions[0]).toBeUndefined();
    expect(new Set(positions).size).toBe(positions.length);
  });

  test('should verify a 1,000-route API read in pages of 500', async () => {
    // GIVEN: 250 paths x 4 methods, served by 50 functions
    const methods = ['GET', 'POST', 'PUT', 'DELETE'] as const;
    const routes: FixtureRoute[] = Array.from({ length: 1000 }, (_, i) => ({
      method: methods[i % 4],
      resource: `/svc${Math.floor(i / 4) % 50}/res${Math.floor(i / 200)}${i % 8 < 4 ? '' : '/{id}'}`,
      isPublic: i % 10 === 0,
      fn: `fn${i % 50}`,
    }));
    const unique = [...new Map(routes.map((r) => [`${r.method} ${r.resource}`, r])).values()];
    const fixture = checkFixture({ routes: unique, cors: true, quotas: true });
    serve(fixture.imported);

    // WHEN
    const answer = await runCheck(checkEvent('Create', fixture.values), deps(fixture));

    // THEN
    expect(answer.status).toBe('SUCCESS');
    expect(Number(answer.data?.RoutesVerified)).toBe(fixture.model.operations.length);
    expect(fixture.values).toHaveLength(51);
    expect(apigw.commandCalls(GetResourcesCommand)).toHaveLength(Math.ceil(fixture.imported.resources.length / 500));
  });

  test('should do nothing on Delete, and succeed', async () => {
    // GIVEN
    const fixture = checkFixture({ routes: ORDERS });

    // WHEN
    const answer = await runCheck(checkEvent('Delete', fixture.values, { PhysicalResourceId: 'deployment-check-old' }), deps(fixture));

    // THEN
    expect(answer).toEqual({ status: 'SUCCESS', physicalResourceId: 'deployment-check-old' });
    expect(apigw.calls()).toHaveLength(0);
  });

  test('should pass an event whose model is not its own (a rollback) without reading the API, and check its own', async () => {
    // GIVEN: this function holds model 'new'; CloudFormation sends the previous properties, 'old'
    const fixture = checkFixture({ routes: ORDERS });
    serve(fixture.imported);
    const log: string[] = [];
    const own = { ...deps(fixture, log), modelHash: () => 'new' };

    // WHEN
    const rollback = await runCheck(checkEvent('Update', fixture.values, { ResourceProperties: { RestApiId: REST_API_ID, Values: fixture.values, ModelHash: 'old' } }), own);

    // THEN
    expect(rollback).toEqual({ status: 'SUCCESS', physicalResourceId: `deployment-check-${REST_API_ID}`, data: { RoutesVerified: '0' } });
    expect(apigw.calls()).toHaveLength(0);
    expect(log).toEqual([expect.stringContaining('a rollback to previous properties')]);

    // AND its own model is checked
    const forward = await runCheck(checkEvent('Update', fixture.values, { ResourceProperties: { RestApiId: REST_API_ID, Values: fixture.values, ModelHash: 'new' } }), own);
    expect(forward.data).toEqual({ RoutesVerified: '4' });
    expect(apigw.calls().length).toBeGreaterThan(0);
  });

  test('should read again while its new role is denied (IAM applies changes eventually), then pass', async () => {
    // GIVEN: denied twice, then allowed
    const fixture = checkFixture({ routes: ORDERS });
    serve(fixture.imported);
    const denied = new APIGatewayServiceException({ name: 'AccessDeniedException', $fault: 'client', message: 'User is not authorized to perform: apigateway:GET', $metadata: { httpStatusCode: 403 } });
    const unauthorized = new UnauthorizedException({ message: 'The security token included in the request is invalid.', $metadata: { httpStatusCode: 401 } });
    apigw.on(GetRestApiCommand).rejectsOnce(denied).rejectsOnce(unauthorized).callsFake(() => fixture.imported.restApi);
    const waits: number[] = [];

    // WHEN
    const answer = await runCheck(checkEvent('Create', fixture.values), { ...deps(fixture), sleep: async (ms) => { waits.push(ms); } });

    // THEN
    expect(answer.status).toBe('SUCCESS');
    expect(waits).toEqual([2_000, 4_000]);
  });

  test('should fail once the denial outlasts its waits', async () => {
    // GIVEN
    const fixture = checkFixture({ routes: ORDERS });
    serve(fixture.imported);
    apigw.on(GetRestApiCommand).rejects(new APIGatewayServiceException({
      name: 'AccessDeniedException', $fault: 'client', message: 'User is not authorized to perform: apigateway:GET', $metadata: { httpStatusCode: 403 },
    }));
    const waits: number[] = [];

    // WHEN
    const answer = await runCheck(checkEvent('Create', fixture.values), { ...deps(fixture), sleep: async (ms) => { waits.push(ms); } });

    // THEN
    expect(answer.status).toBe('FAILED');
    expect(answer.reason?.head).toMatch(/could not read the REST API a1b2c3d4e5 back: AccessDeniedException: User is not authorized to perform: apigateway:GET\. .*may call apigateway:GET on the API/);
    expect(waits).toEqual([2_000, 4_000, 8_000, 16_000, 30_000]);
  });

  test('should fail with a clear reason when API Gateway keeps throttling after the retries', async () => {
    // GIVEN
    const fixture = checkFixture({ routes: ORDERS });
    serve(fixture.imported);
    apigw.on(GetResourcesCommand).rejects(new TooManyRequestsException({ message: 'Too Many Requests', $metadata: { httpStatusCode: 429 } }));
    const log: string[] = [];

    // WHEN
    const answer = await runCheck(checkEvent('Create', fixture.values), deps(fixture, log));

    // THEN
    expect(answer.status).toBe('FAILED');
    expect(answer.reason?.head).toBe(`The deployment check could not read the REST API ${REST_API_ID} back: TooManyRequestsException: Too Many Requests. Deploy again once API Gateway answers (and check that the check's role may call apigateway:GET on the API).`);
    expect(log.at(-1)).toContain('"result":"FAILED"');
  });

  test('should fail, not hang, when the reads outlast its time', async () => {
    // GIVEN: a read that only ends when aborted
    jest.useFakeTimers();
    try {
      const fixture = checkFixture({ routes: ORDERS });
      const check = runCheck(checkEvent('Create', fixture.values), {
        ...deps(fixture),
        budgetMs: 5_000,
        read: (_client, _id, signal) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
      });

      // WHEN
      await jest.advanceTimersByTimeAsync(5_000);
      const answer = await check;

      // THEN
      expect(answer.status).toBe('FAILED');
      expect(answer.reason?.head).toBe(`The deployment check could not read the REST API ${REST_API_ID} back within 5 s (API Gateway throttling or an outage); deploy again later.`);
    } finally {
      jest.useRealTimers();
    }
  });

  test('should retry throttling adaptively, with more attempts than the SDK default', async () => {
    // WHEN
    const client = createClient();

    // THEN (the endpoint from AWS_ENDPOINT_URL_API_GATEWAY: deployment-check.server.test.ts)
    expect(await client.config.retryStrategy()).toEqual(expect.objectContaining({ mode: 'adaptive' }));
    expect(await client.config.maxAttempts()).toBe(10);
  });
});

describe('deployment check differences', () => {
  /** The failed answer's lines for the orders API (quotas on) after `corrupt` changed its import. */
  async function differences(corrupt: (api: ImportedApi, ids: { authorizer: string }) => void, routes = ORDERS): Promise<readonly string[]> {
    const fixture = checkFixture({ routes, quotas: true });
    corrupt(fixture.imported, { authorizer: fixture.imported.authorizers[0].id });
    serve(fixture.imported);
    const answer = await runCheck(checkEvent('Update', fixture.values), deps(fixture));
    expect(answer.status).toBe('FAILED');
    return answer.reason!.lines;
  }
  const method = (api: ImportedApi, path: string, verb: string) => api.resources.find((r) => r.path === path)!.resourceMethods[verb];

  test('should name a guarded route whose authorizer is gone', async () => {
    const lines = await differences((api, { authorizer }) => {
      Object.assign(method(api, '/orders/{id}', 'GET'), { authorizationType: 'NONE' });
      delete method(api, '/orders/{id}', 'GET').authorizerId;
      expect(authorizer).toHaveLength(10);
    });
    const id = checkFixture({ routes: ORDERS }).imported.authorizers[0].id;
    expect(lines).toEqual([`GET /orders/{id}: authorizationType NONE, expected CUSTOM (authorizer ${id})`]);
  });

  test.each([
    ['another authorizer', (api: ImportedApi) => Object.assign(method(api, '/orders', 'GET'), { authorizerId: 'zzzzzzzzzz' }), /^GET \/orders: authorizationType CUSTOM \(authorizer zzzzzzzzzz\), expected CUSTOM \(authorizer [a-z0-9]{10}\)$/],
    ['a public route made CUSTOM', (api: ImportedApi) => Object.assign(method(api, '/health', 'GET'), { authorizationType: 'AWS_IAM' }), /^GET \/health: authorizationType AWS_IAM, expected NONE$/],
    ['no API key required', (api: ImportedApi) => Object.assign(method(api, '/orders', 'POST'), { apiKeyRequired: false }), /^POST \/orders: apiKeyRequired false, expected true$/],
    ['a missing method', (api: ImportedApi) => delete api.resources.find((r) => r.path === '/orders')!.resourceMethods.POST, /^POST \/orders: missing, expected authorizationType CUSTOM \(authorizer [a-z0-9]{10}\)$/],
    ['a method no route made', (api: ImportedApi) => Object.assign(api.resources.find((r) => r.path === '/orders')!.resourceMethods, { DELETE: { httpMethod: 'DELETE', authorizationType: 'NONE', apiKeyRequired: false } }), /^DELETE \/orders: exists \(authorizationType NONE\), but no route or preflight made it$/],
    ['another function', (api: ImportedApi) => Object.assign(method(api, '/orders', 'GET').methodIntegration, { uri: 'arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:evil/invocations' }), /^GET \/orders: integration uri arn:.*function:evil\/invocations, expected arn:.*function:list\/invocations$/],
    ['another integration type', (api: ImportedApi) => Object.assign(method(api, '/orders', 'GET').methodIntegration, { type: 'AWS' }), /^GET \/orders: integration type AWS, expected AWS_PROXY$/],
    ['the authorizer\'s function', (api: ImportedApi) => Object.assign(api.authorizers[0], { authorizerUri: 'arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/x/invocations' }), /^authorizer tokenAuthorizer \([a-z0-9]{10}\): authorizerUri .*functions\/x\/invocations, expected .*function:authorizer\/invocations$/],
    ['the authorizer\'s type', (api: ImportedApi) => Object.assign(api.authorizers[0], { type: 'TOKEN' }), /^authorizer tokenAuthorizer \([a-z0-9]{10}\): type TOKEN, expected REQUEST$/],
    ['the identity sources', (api: ImportedApi) => Object.assign(api.authorizers[0], { identitySource: 'method.request.header.X-Token' }), /^authorizer tokenAuthorizer \([a-z0-9]{10}\): identitySource method.request.header.X-Token, expected method.request.header.Authorization$/],
    ['the TTL', (api: ImportedApi) => Object.assign(api.authorizers[0], { authorizerResultTtlInSeconds: 3600 }), /^authorizer tokenAuthorizer \([a-z0-9]{10}\): authorizerResultTtlInSeconds 3600, expected 300$/],
    ['the API key source', (api: ImportedApi) => Object.assign(api.restApi, { apiKeySource: 'HEADER' }), /^REST API: apiKeySource HEADER, expected AUTHORIZER$/],
    ['the 401 status', (api: ImportedApi) => Object.assign(api.gatewayResponses.find((r) => r.responseType === 'UNAUTHORIZED')!, { statusCode: '200' }), /^gateway response UNAUTHORIZED: statusCode 200, expected 401$/],
    ['the WWW-Authenticate header', (api: ImportedApi) => Object.assign(api.gatewayResponses.find((r) => r.responseType === 'UNAUTHORIZED')!, { responseParameters: {} }), /^gateway response UNAUTHORIZED: gatewayresponse.header.WWW-Authenticate none, expected 'Bearer'$/],
    ['the 403 response', (api: ImportedApi) => Object.assign(api.gatewayResponses.find((r) => r.responseType === 'ACCESS_DENIED')!, { statusCode: '500' }), /^gateway response ACCESS_DENIED: statusCode 500, expected 403$/],
  ])('should name the difference: %s', async (_name, corrupt, line) => {
    const lines = await differences((api) => {
      corrupt(api);
    });
    expect(lines).toEqual([expect.stringMatching(line)]);
  });

  test('should name a missing authorizer, and every guarded route without it', async () => {
    const lines = await differences((api) => {
      api.authorizers.splice(0);
    });
    expect(lines).toEqual([
      'authorizer tokenAuthorizer: missing, expected one',
      expect.stringMatching(/^GET \/orders: authorizationType CUSTOM \(authorizer [a-z0-9]{10}\), expected CUSTOM \(authorizer tokenAuthorizer\)$/),
      expect.stringMatching(/^POST \/orders: /),
      expect.stringMatching(/^GET \/orders\/\{id\}: /),
    ]);
  });

  test('should name a caller header mapping an HTTP backend lost', async () => {
    // GIVEN: an HTTP backend, written as SecuredApi writes it
    const integration = httpProxyIntegration('Test', RouteBackend.http('https://x.example.com/{id}'), 'GET', '/x/{id}', false);

    // WHEN
    const lines = await differences((imported) => {
      const m = method(imported, '/x/{id}', 'GET');
      delete m.methodIntegration.requestParameters['integration.request.header.X-Secured-Api-Sub'];
    }, [{ method: 'GET', resource: '/x/{id}', isPublic: false, integration }]);

    // THEN
    expect(lines).toEqual(['GET /x/{id}: integration request parameter integration.request.header.X-Secured-Api-Sub none, expected context.authorizer.sub']);
  });
});

describe('deployment check response to CloudFormation', () => {
  const target: CheckEvent = checkEvent('Update', []);

  test('should keep the response within 4096 bytes, with as many whole lines as fit, and log them all', async () => {
    // GIVEN: every guarded route of a 1,000-route API opened
    const routes: FixtureRoute[] = Array.from({ length: 1000 }, (_, i) => ({ method: 'GET', resource: `/orders${i}/{id}`, isPublic: false, fn: 'list' }));
    const fixture = checkFixture({ routes });
    for (const resource of fixture.imported.resources) {
      for (const m of Object.values<any>(resource.resourceMethods ?? {})) {
        m.authorizationType = 'NONE';
        delete m.authorizerId;
      }
    }
    serve(fixture.imported);
    const log: string[] = [];

    // WHEN
    const answer = await runCheck(checkEvent('Update', fixture.values), deps(fixture, log));
    const body = responseBody(target, answer);

    // THEN
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_RESPONSE_BODY_BYTES);
    const reason: string = JSON.parse(body).Reason;
    expect(reason).toMatch(/^The REST API a1b2c3d4e5 as API Gateway imported it differs from the SecuredApi's routes in 1000 place\(s\)/);
    expect(reason).toMatch(/; … and \d+ more$/);
    expect(reason).toContain('GET /orders0/{id}: authorizationType NONE, expected CUSTOM (authorizer ');
    expect(log.filter((l) => l.includes('"difference"'))).toHaveLength(1000);
    expect(JSON.parse(body)).toEqual(expect.objectContaining({
      Status: 'FAILED', PhysicalResourceId: `deployment-check-${REST_API_ID}`, StackId: target.StackId, RequestId: target.RequestId, LogicalResourceId: target.LogicalResourceId,
    }));
  });

  test('should cut a single line longer than the limit', () => {
    const body = responseBody(target, { status: 'FAILED', physicalResourceId: 'p', reason: { head: 'x'.repeat(10_000), lines: ['é'.repeat(3000)] } });
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_RESPONSE_BODY_BYTES);
  });

  test('should PUT the body with an empty Content-Type to the response URL', async () => {
    // GIVEN: a response URL on 127.0.0.1
    const received: Array<{ method?: string; headers: http.IncomingHttpHeaders; body: string }> = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        received.push({ method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString() });
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const body = responseBody(target, { status: 'SUCCESS', physicalResourceId: 'p', data: { RoutesVerified: '3' } });

      // WHEN
      await putResponse(`http://127.0.0.1:${port}/signed?X-Amz-Signature=abc`, body);

      // THEN
      expect(received).toEqual([{ method: 'PUT', headers: expect.objectContaining({ 'content-type': '', 'content-length': String(Buffer.byteLength(body)) }), body }]);
      expect(JSON.parse(received[0].body)).toEqual(expect.objectContaining({ Status: 'SUCCESS', Data: { RoutesVerified: '3' } }));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('faithful import', () => {
  test('should read the definition the way the API reference shows it', () => {
    const fixture = checkFixture({ routes: ORDERS, quotas: true });
    const imported = importDefinition(REST_API_ID, fixture.body);
    const orders = imported.resources.find((r) => r.path === '/orders')!;
    expect(orders.resourceMethods.GET).toEqual({
      httpMethod: 'GET',
      authorizationType: 'CUSTOM',
      authorizerId: imported.authorizers[0].id,
      apiKeyRequired: true,
      methodIntegration: expect.objectContaining({
        type: 'AWS_PROXY',
        httpMethod: 'POST',
        uri: `arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/${functionArn('list')}/invocations`,
        connectionType: 'INTERNET',
      }),
    });
    expect(imported.resources.map((r) => r.path).sort()).toEqual(['/', '/health', '/orders', '/orders/{id}']);
    expect(deployedOf(imported).apiKeySource).toBe('AUTHORIZER');
  });
});
