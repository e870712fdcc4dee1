/**
 * The deployment check's reads with the real AWS SDK client, pointed by AWS_ENDPOINT_URL_API_GATEWAY
 * at a local stand-in for API Gateway on 127.0.0.1 that pages its lists and throttles (429): the
 * SDK's adaptive retries carry the check through.
 */
import { runCheck } from '../../src/api/runtime/check';
import { createClient, readDeployedApi } from '../../src/api/runtime/read-api';
import { startApiGatewayStandIn, StandInServer } from '../support/api-gateway-server';
import { checkEvent, checkFixture, FixtureRoute } from '../support/deployment-check';

const ENV = ['AWS_ENDPOINT_URL_API_GATEWAY', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'] as const;
const saved: Partial<Record<(typeof ENV)[number], string>> = {};
let server: StandInServer | undefined;

beforeEach(() => {
  for (const name of ENV) {
    saved[name] = process.env[name];
    delete process.env[name];
  }
  // Dummy credentials: the stand-in checks no signature.
  process.env.AWS_REGION = 'eu-west-1';
  process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'stand-in-secret';
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  for (const name of ENV) {
    if (saved[name] === undefined) {
      delete process.env[name];
    } else {
      process.env[name] = saved[name];
    }
  }
});

describe('deployment check against a local API Gateway stand-in', () => {
  test('should read every page through throttling, and pass', async () => {
    // GIVEN: 600 routes (more resources than one page of 500), every 4th request throttled
    const routes: FixtureRoute[] = Array.from({ length: 600 }, (_, i) => ({ method: 'GET', resource: `/orders${i}`, isPublic: i % 7 === 0, fn: `fn${i % 5}` }));
    const fixture = checkFixture({ routes, cors: true, quotas: true });
    server = await startApiGatewayStandIn(fixture.imported, { throttleEvery: 4 });
    process.env.AWS_ENDPOINT_URL_API_GATEWAY = server.url;

    // WHEN
    const answer = await runCheck(checkEvent('Create', fixture.values), {
      model: () => fixture.model,
      client: createClient,
      read: readDeployedApi,
      budgetMs: 120_000,
      log: () => undefined,
    });

    // THEN
    expect(answer).toEqual(expect.objectContaining({ status: 'SUCCESS', data: { RoutesVerified: '1200' } }));
    expect(server.counts.throttled).toBeGreaterThan(0);
    expect(server.counts.byPath.resources).toBe(Math.ceil(fixture.imported.resources.length / 500));
  });

  test('should fail with the API Gateway error when the API does not exist', async () => {
    // GIVEN
    const fixture = checkFixture({ routes: [{ method: 'GET', resource: '/orders', isPublic: false, fn: 'list' }] });
    server = await startApiGatewayStandIn({ ...fixture.imported, restApi: { ...fixture.imported.restApi, id: 'other00000' } });
    process.env.AWS_ENDPOINT_URL_API_GATEWAY = server.url;

    // WHEN
    const answer = await runCheck(checkEvent('Create', fixture.values), {
      model: () => fixture.model, client: createClient, read: readDeployedApi, budgetMs: 60_000, log: () => undefined,
    });

    // THEN
    expect(answer.status).toBe('FAILED');
    expect(answer.reason?.head).toMatch(/^The deployment check could not read the REST API a1b2c3d4e5 back: NotFoundException: Invalid API identifier specified\./);
  });
});
