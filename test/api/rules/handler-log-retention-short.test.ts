import { securedApi } from './subjects';
import { handlerLogRetentionShort } from '../../../src/api/rules/handler-log-retention-short';
import { messagesOf } from '../../../src/rules/rule';

describe('handlerLogRetentionShort', () => {
  test('should pass log groups that keep events as long as the audit retention, or forever', () => {
    const handlerLogs = [
      { handlerPath: 'Orders/Get', logGroupName: { Ref: 'A' }, keptDays: 365 },
      { handlerPath: 'Orders/Put', logGroupName: { Ref: 'B' }, keptDays: Number.POSITIVE_INFINITY },
      { handlerPath: 'Orders/Del', logGroupName: '/unknown' }, // handlerLogRetentionUnknown's
    ];
    expect(messagesOf(handlerLogRetentionShort, securedApi({ handlerLogs: () => handlerLogs }))).toEqual([]);
  });

  test('should refuse a log group that keeps events fewer days than the audit retention', () => {
    const api = securedApi({ retentionDays: Number.POSITIVE_INFINITY, handlerLogs: () => [{ handlerPath: 'Orders/Get', logGroupName: { Ref: 'A' }, keptDays: 30 }] });
    expect(messagesOf(handlerLogRetentionShort, api)).toEqual([
      'Orders/Api: the caller-role handler \'Orders/Get\' writes its exchange audit lines to a log group that keeps them 30 days, fewer than the API\'s audit retention of forever (logRetention), '
      + 'so they would expire before the authorizer\'s decisions; set that log group\'s retention to at least forever (logs.RetentionDays), '
      + 'or leave the function\'s logGroup unset and the API gives it one with the audit retention.',
    ]);
    expect(handlerLogRetentionShort.code).toBe('SecuredApi.HandlerLogRetentionShort');
  });
});
