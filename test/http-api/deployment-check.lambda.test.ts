/**
 * The HTTP check's Lambda entry answers CloudFormation itself, whatever happens (runtime/check-core.ts,
 * shared with the REST check's entry): Delete succeeds without reading anything, and a function whose
 * asset lacks its model (here: the entry run from src/, where no model.json is) answers FAILED with
 * the reason instead of throwing.
 */
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { handler } from '../../src/api/http-deployment-check.lambda';

let server: http.Server;
let url: string;
const received: any[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString()));
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/response`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

let log: jest.SpyInstance;
beforeEach(() => {
  received.length = 0;
  log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

afterEach(() => {
  log.mockRestore();
});

const event = (RequestType: 'Create' | 'Delete', more: Record<string, unknown> = {}) => ({
  RequestType,
  ResponseURL: url,
  StackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/Orders/1',
  RequestId: 'req-1',
  LogicalResourceId: 'ApiDeploymentCheck634D0C66',
  ResourceProperties: { ServiceToken: 'x', ApiId: 'a1b2c3', ModelHash: 'h1', Values: [] },
  ...more,
});

describe('HTTP deployment check Lambda entry', () => {
  test('should answer Delete with SUCCESS and the physical id it was given', async () => {
    // WHEN
    await handler(event('Delete', { PhysicalResourceId: 'deployment-check-old' }), { getRemainingTimeInMillis: () => 300_000 });

    // THEN
    expect(received).toEqual([expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: 'deployment-check-old', LogicalResourceId: 'ApiDeploymentCheck634D0C66' })]);
  });

  test('should answer FAILED, not throw, when its model cannot be read', async () => {
    // WHEN
    await handler(event('Create'), { getRemainingTimeInMillis: () => 300_000 });

    // THEN
    expect(received).toEqual([expect.objectContaining({ Status: 'FAILED', PhysicalResourceId: 'deployment-check-a1b2c3' })]);
    expect(received[0].Reason).toMatch(/^The deployment check could not load what it expects \(its model\.json\): .*This is a bug in cdk-secured-api/);
    expect(log).toHaveBeenCalledWith(expect.stringContaining('"apiId":"a1b2c3"'));
  });
});
