import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExpectedResult } from '@aws-cdk/integ-tests-alpha';

// The expected values of test/integ.secured-api-aws.ts's assertions, as its committed snapshot encodes
// them, run through integ-tests-alpha's own assertion handler (the bundle its provider deploys): each
// must pass on the answer API Gateway and the client function would give, and fail on a wrong one.
// A mistake in an expected value would otherwise first show on someone's AWS account.

const SNAPSHOT = join(__dirname, '..', 'integ.secured-api-aws.ts.snapshot');
// The module object itself (the handler requires 'https'), whose `request` can be replaced.
const https = jest.requireActual<typeof import('node:https')>('node:https');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { handler } = require(join(require.resolve('@aws-cdk/integ-tests-alpha/package.json'), '..', 'lib/assertions/providers/lambda-handler.bundle/index.js'));

/**
 * Runs the assertion handler (as an AssertEquals resource) and returns the assertion's outcome.
 * `actual` is the resource property as the handler receives it: a string, JSON-parsed if it parses
 * (an API call's result is handed over as an object, which is the same once parsed).
 */
async function assertEquals(expected: string, actual: string): Promise<{ status: string; message?: string }> {
  let body = '';
  // The handler answers CloudFormation with an HTTPS PUT to the ResponseURL: capture it instead.
  const request = jest.spyOn(https, 'request').mockImplementation(((_options: unknown, callback: (res: unknown) => void) => ({
    on: () => undefined,
    write: (chunk: string) => {
      body += chunk;
    },
    end: () => callback({}),
  })) as never);
  try {
    await handler({
      RequestType: 'Create',
      ResourceType: 'Custom::DeployAssert@AssertEquals',
      ResponseURL: 'https://cloudformation-response.example.com/',
      StackId: 'stack',
      RequestId: 'request',
      LogicalResourceId: 'Assertion',
      ResourceProperties: { actual, expected },
    }, { getRemainingTimeInMillis: () => 60_000 });
  } finally {
    request.mockRestore();
  }
  return JSON.parse(JSON.parse(body).Data.assertion);
}

interface Assertion {
  readonly type: string;
  /** The URL's last part (HTTP calls) or the client request (Lambda invokes). */
  readonly what: any;
  readonly method?: string;
  readonly expected: string;
}

function assertions(): Assertion[] {
  const file = readFileSync(join(SNAPSHOT, 'SecuredApiAwsIntegTestDefaultTestDeployAssertD0E6E9C7.template.json'), 'utf8');
  return Object.values<any>(JSON.parse(file).Resources)
    .filter((r) => r.Properties?.expected !== undefined)
    .map((r) => {
      if (r.Type === 'Custom::DeployAssert@AssertEquals') {
        // `integ.assertions.expect`: the actual value is another resource's attribute.
        return { type: r.Type, what: r.Properties.actual, expected: r.Properties.expected };
      }
      const p = r.Properties.parameters;
      // An AwsApiCall's parameters are JSON-encoded once more: the Payload string is a JSON string of the request.
      const what = p.url ? String(p.url['Fn::Join'][1].at(-1)) : JSON.parse(JSON.parse(p.Payload));
      return { type: r.Type, what, method: p.fetchOptions?.method, expected: r.Properties.expected };
    });
}

const ORIGIN = 'https://app.example.com';
const FORBIDDEN_BODY = '{"message":"Forbidden","requestId":"c0ffee00-0000-4000-8000-000000000000"}';
/** What integ-tests-alpha's HttpCall handler returns: node-fetch's status and raw headers (lowercase names, value lists), the body parsed when it is JSON. */
const http = (status: number, headers: Record<string, string[]>, body: unknown) => ({ ok: status < 300, status, statusText: '', headers: { 'x-amzn-requestid': ['1'], ...headers }, body });
/** What Lambda's Invoke returns through the AwsApiCall handler: the client function's answer as the Payload string. */
const invoke = (answer: unknown) => ({ StatusCode: 200, ExecutedVersion: '$LATEST', Payload: JSON.stringify(answer) });

/** For each assertion: the answer expected on AWS, and answers that must fail it. */
const CASES: Array<{ name: string; find: (a: Assertion) => boolean; right: unknown; wrong: Record<string, unknown> }> = [
  {
    name: 'the public route without a token',
    find: (a) => a.what === '/health',
    right: http(200, { 'content-type': ['application/json'] }, {}),
    wrong: { 'a 403': http(403, {}, { message: 'Forbidden' }) },
  },
  {
    name: 'a guarded route without a token',
    find: (a) => a.what === '/orders' && a.method === undefined,
    right: http(401, { 'www-authenticate': ['Bearer'], 'access-control-allow-origin': [ORIGIN], 'vary': ['Origin'] }, { message: 'Unauthorized', requestId: 'x' }),
    wrong: {
      'a 401 without the challenge': http(401, { 'access-control-allow-origin': [ORIGIN] }, { message: 'Unauthorized' }),
      'a 401 without the CORS header': http(401, { 'www-authenticate': ['Bearer'] }, { message: 'Unauthorized' }),
      'a 200': http(200, {}, {}),
    },
  },
  {
    name: 'the preflight',
    find: (a) => a.what === '/orders' && a.method === 'OPTIONS',
    right: http(204, {
      'access-control-allow-origin': [ORIGIN],
      'access-control-allow-methods': ['GET'],
      'access-control-allow-headers': ['Authorization,Content-Type'],
      'vary': ['Origin'],
    }, ''),
    wrong: {
      'another origin': http(204, { 'access-control-allow-origin': ['*'], 'access-control-allow-methods': ['GET'], 'access-control-allow-headers': ['Authorization,Content-Type'], 'vary': ['Origin'] }, ''),
      'a 401 (preflight not public)': http(401, { 'www-authenticate': ['Bearer'], 'access-control-allow-origin': [ORIGIN] }, { message: 'Unauthorized' }),
    },
  },
  {
    name: 'the quota client with the scope',
    find: (a) => a.what.token?.scope === 'orders:read' && a.what.token?.clientId === 'integ-quota-client',
    right: invoke({ status: 200, headers: { 'content-type': 'application/json' }, body: '{}' }),
    wrong: {
      'a 403': invoke({ status: 403, headers: {}, body: FORBIDDEN_BODY }),
      'a failed invocation': { StatusCode: 200, FunctionError: 'Unhandled', Payload: JSON.stringify({ errorType: 'Error', errorMessage: 'path is not a path of the API' }) },
    },
  },
  {
    name: 'a token without the scope',
    find: (a) => a.what.token?.scope === 'orders:write',
    right: invoke({ status: 403, headers: { 'access-control-allow-origin': ORIGIN, 'content-type': 'application/json' }, body: FORBIDDEN_BODY }),
    wrong: {
      'a 200': invoke({ status: 200, headers: { 'access-control-allow-origin': ORIGIN }, body: '{}' }),
      'a 403 without the CORS header': invoke({ status: 403, headers: {}, body: FORBIDDEN_BODY }),
      'a 403 with another body': invoke({ status: 403, headers: { 'access-control-allow-origin': ORIGIN }, body: '{"message":"User is not authorized to access this resource with an explicit deny"}' }),
    },
  },
  {
    name: 'a client the quotas do not declare',
    find: (a) => a.what.token?.clientId === 'integ-undeclared-client',
    right: invoke({ status: 403, headers: { 'access-control-allow-origin': ORIGIN }, body: FORBIDDEN_BODY }),
    wrong: { 'a 200': invoke({ status: 200, headers: {}, body: '{}' }) },
  },
  {
    // CloudFormation hands the attribute over as the string '4'; JSON.stringify(4) is that string.
    name: 'the deploy-time check (RoutesVerified)',
    find: (a) => a.type === 'Custom::DeployAssert@AssertEquals' && JSON.stringify(a.what).includes('RoutesVerified'),
    right: 4,
    wrong: { '3 operations': 3, 'none': 0 },
  },
];

beforeAll(() => {
  // The handler logs every event and result; the test reads the outcome instead.
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
});

afterAll(() => {
  jest.restoreAllMocks();
});

test('should find one assertion per case, and no other', () => {
  // GIVEN
  const all = assertions();

  // THEN
  const found = CASES.map((c) => [c.name, all.filter(c.find).length]);
  expect(found).toEqual(CASES.map((c) => [c.name, 1]));
  expect(all).toHaveLength(CASES.length);
});

describe.each(CASES)('the assertion on $name', ({ find, right, wrong }) => {
  test('should pass on the answer expected from AWS', async () => {
    // GIVEN
    const assertion = assertions().find(find)!;

    // THEN
    expect(await assertEquals(assertion.expected, JSON.stringify(right))).toEqual({ status: 'success' });
  });

  test.each(Object.entries(wrong))('should fail on %s', async (_what, answer) => {
    // GIVEN
    const assertion = assertions().find(find)!;

    // THEN
    expect(await assertEquals(assertion.expected, JSON.stringify(answer))).toMatchObject({ status: 'fail' });
  });
});

describe('RoutesVerified (a custom resource attribute, a string)', () => {
  test('should match a bare JSON number, as the integ test writes it', async () => {
    // THEN: CloudFormation passes the attribute as '4'; the handler parses it to 4
    expect(await assertEquals(JSON.stringify(4), '4')).toEqual({ status: 'success' });
    expect(await assertEquals(JSON.stringify(4), '3')).toMatchObject({ status: 'fail' });
  });

  test('should not be matched by ExpectedResult.exact, whose $Exact wrapper the handler does not know', async () => {
    // THEN
    expect(await assertEquals(ExpectedResult.exact('4').result, '4')).toMatchObject({ status: 'fail' });
    expect(await assertEquals(ExpectedResult.exact(4).result, '4')).toMatchObject({ status: 'fail' });
  });
});
