import { httpApi } from './subject';
import { tooManyRoutes } from '../../../src/http-api/rules/too-many-routes';
import { messagesOf } from '../../../src/rules/rule';

describe('tooManyRoutes', () => {
  test('should pass up to maxRoutes', () => {
    expect(messagesOf(tooManyRoutes, httpApi({ routeCount: 300 }))).toEqual([]);
    expect(messagesOf(tooManyRoutes, httpApi({ routeCount: 400, maxRoutes: 400 }))).toEqual([]);
  });

  test('should refuse more, citing the quota and the fix', () => {
    const [message] = messagesOf(tooManyRoutes, httpApi({ routeCount: 301 }));
    expect(message).toContain('Orders/Api: the API has 301 routes, more than its 300 routes per HTTP API');
    expect(message).toContain('https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html');
    expect(message).toContain('set maxRoutes');
    expect(tooManyRoutes.code).toBe('SecuredHttpApi.TooManyRoutes');
  });
});
