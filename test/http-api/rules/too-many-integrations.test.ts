import { httpApi } from './subject';
import { tooManyIntegrations } from '../../../src/http-api/rules/too-many-integrations';
import { messagesOf } from '../../../src/rules/rule';

describe('tooManyIntegrations', () => {
  test('should pass 300 handlers', () => {
    expect(messagesOf(tooManyIntegrations, httpApi({ integrationCount: 300 }))).toEqual([]);
  });

  test('should refuse 301, saying the quota cannot be raised', () => {
    const [message] = messagesOf(tooManyIntegrations, httpApi({ integrationCount: 301 }));
    expect(message).toContain('served by 301 integrations (one per handler, one per distinct backend)');
    expect(message).toContain('cannot be raised');
    expect(tooManyIntegrations.code).toBe('SecuredHttpApi.TooManyIntegrations');
  });
});
