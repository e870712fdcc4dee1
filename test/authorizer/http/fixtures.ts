/** A payload-2.0 HTTP API Lambda authorizer event, as API Gateway sends it (lower-cased header names). */
export function httpEvent(authorization: string | undefined, routeKey = 'GET /orders', options: { method?: string; rawPath?: string; extraHeaders?: Record<string, string> } = {}): Record<string, unknown> {
  const method = options.method ?? (routeKey.startsWith('$') || routeKey.startsWith('ANY ') ? 'GET' : routeKey.split(' ')[0]);
  const rawPath = options.rawPath ?? (routeKey === '$default' ? '/anything' : routeKey.slice(routeKey.indexOf(' ') + 1).replace(/\{[^}]+\}/g, '42'));
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:eu-west-1:123456789012:abc123/$default/${method}${rawPath}`,
    identitySource: authorization === undefined ? [] : [authorization],
    routeKey,
    rawPath,
    rawQueryString: '',
    headers: { 'user-agent': 'test', ...(authorization === undefined ? {} : { authorization }), ...options.extraHeaders },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.1', userAgent: 'test' },
      requestId: 'req-1',
      routeKey,
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: 1_767_225_600_000,
    },
  };
}
