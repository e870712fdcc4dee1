import { describeDays, retentionFix } from './handler-log-retention-short';
import { SecuredApiSubject } from './subjects';
import { messageRule } from '../../rules/rule';

/**
 * A caller-role handler's log group must be one whose retention the app defines: one that cannot be
 * read (not a log group defined in the app) cannot be shown to keep the exchange audit lines as long
 * as the authorizer's decisions, so synth fails rather than assume.
 */
export const handlerLogRetentionUnknown = messageRule<SecuredApiSubject>('SecuredApi.HandlerLogRetentionUnknown',
  'each caller-role handler writes to a log group defined in the app, whose retention can be read', (api) => api.handlerLogs()
    .filter((log) => log.keptDays === undefined)
    .map((log) => `${api.path}: the caller-role handler '${log.handlerPath}' writes its exchange audit lines to the log group ${JSON.stringify(log.logGroupName)}, `
      + `whose retention cannot be read from the app (not a log group defined in it), so it cannot be shown to keep them ${describeDays(api.retentionDays)} (the API's logRetention); `
      + `define the log group in the app (logs.LogGroup) and ${retentionFix(api.retentionDays)}.`));
