import { SecuredApiSubject } from './subjects';
import { messageRule } from '../../rules/rule';

/** A number of days as messages say it: `Infinity` is forever. */
export function describeDays(n: number): string {
  return n === Number.POSITIVE_INFINITY ? 'forever' : `${n} days`;
}

/** How to make a handler's log group keep its lines `days`. */
export function retentionFix(days: number): string {
  return `set that log group's retention to at least ${describeDays(days)} (logs.RetentionDays), or leave the function's logGroup unset and the API gives it one with the audit retention`;
}

/**
 * Each caller-role handler's log group keeps events at least the API's audit retention
 * (`logRetention`), so that its exchange audit lines live as long as the authorizer's decisions.
 */
export const handlerLogRetentionShort = messageRule<SecuredApiSubject>('SecuredApi.HandlerLogRetentionShort',
  'each caller-role handler\'s log group keeps events at least the API\'s logRetention', (api) => api.handlerLogs()
    .filter((log) => log.keptDays !== undefined && log.keptDays < api.retentionDays)
    .map((log) => `${api.path}: the caller-role handler '${log.handlerPath}' writes its exchange audit lines to a log group that keeps them ${describeDays(log.keptDays!)}, `
      + `fewer than the API's audit retention of ${describeDays(api.retentionDays)} (logRetention), so they would expire before the authorizer's decisions; ${retentionFix(api.retentionDays)}.`));
