import { securedApi } from './subjects';
import { handlerLogRetentionUnknown } from '../../../src/api/rules/handler-log-retention-unknown';
import { messagesOf } from '../../../src/rules/rule';

describe('handlerLogRetentionUnknown', () => {
  test('should pass log groups whose retention the app defines', () => {
    expect(messagesOf(handlerLogRetentionUnknown, securedApi({ handlerLogs: () => [{ handlerPath: 'Orders/Get', logGroupName: { Ref: 'Logs' }, keptDays: 30 }] }))).toEqual([]);
  });

  test('should refuse a log group the app does not define, naming the handler and the fix', () => {
    expect(messagesOf(handlerLogRetentionUnknown, securedApi({ handlerLogs: () => [{ handlerPath: 'Orders/Get', logGroupName: '/shared/logs' }] }))).toEqual([
      'Orders/Api: the caller-role handler \'Orders/Get\' writes its exchange audit lines to the log group "/shared/logs", whose retention cannot be read from the app '
      + '(not a log group defined in it), so it cannot be shown to keep them 365 days (the API\'s logRetention); define the log group in the app (logs.LogGroup) and '
      + 'set that log group\'s retention to at least 365 days (logs.RetentionDays), or leave the function\'s logGroup unset and the API gives it one with the audit retention.',
    ]);
    expect(handlerLogRetentionUnknown.code).toBe('SecuredApi.HandlerLogRetentionUnknown');
  });
});
