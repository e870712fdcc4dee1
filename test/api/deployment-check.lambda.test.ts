/**
 * The checks' Lambda entries (REST and HTTP, one core: src/api/runtime/check-core.ts) answer
 * CloudFormation themselves, whatever happens: Delete succeeds without reading anything, and a function
 * whose asset lacks its model (here: the entry run from src/, where no model.json is) answers FAILED
 * with the reason instead of throwing.
 */
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { handler as restHandler } from '../../src/api/deployment-check.lambda';
import { handler as httpHandler } from '../../src/api/http-deployment-check.lambda';
import { checkEvent } from '../support/deployment-check';

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

/** An HTTP API check's event: its ApiId, ModelHash and deploy-time Values. */
const httpEvent = (RequestType: 'Create' | 'Delete', more: Record<string, unknown> = {}) => ({
  RequestType,
  StackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/Orders/1',
  RequestId: 'req-1',
  LogicalResourceId: 'ApiDeploymentCheck634D0C66',
  ResourceProperties: { ServiceToken: 'x', ApiId: 'a1b2c3', ModelHash: 'h1', Values: [] },
  ...more,
});

type Entry = (event: any, context: { getRemainingTimeInMillis(): number }) => Promise<unknown>;
const entries: Array<[string, Entry, (type: 'Create' | 'Delete', more: Record<string, unknown>) => unknown, string]> = [
  ['REST', restHandler as Entry, (type, more) => checkEvent(type, [], more), 'deployment-check-a1b2c3d4e5'],
  ['HTTP', httpHandler as Entry, httpEvent, 'deployment-check-a1b2c3'],
];

describe.each(entries)('%s deployment check Lambda entry', (_kind, handler, event, physicalId) => {
  test('should answer Delete with SUCCESS and the physical id it was given', async () => {
    // WHEN
    await handler(event('Delete', { ResponseURL: url, PhysicalResourceId: 'deployment-check-old' }), { getRemainingTimeInMillis: () => 300_000 });

    // THEN
    expect(received).toEqual([expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: 'deployment-check-old', LogicalResourceId: 'ApiDeploymentCheck634D0C66' })]);
  });

  test('should answer FAILED, not throw, when its model cannot be read', async () => {
    // WHEN
    await handler(event('Create', { ResponseURL: url }), { getRemainingTimeInMillis: () => 300_000 });

    // THEN
    expect(received).toEqual([expect.objectContaining({ Status: 'FAILED', PhysicalResourceId: physicalId })]);
    expect(received[0].Reason).toMatch(/^The deployment check could not load what it expects \(its model\.json\): .*This is a bug in cdk-secured-api/);
    expect(log).toHaveBeenCalledWith(expect.stringContaining('"result":"FAILED"'));
  });
});
