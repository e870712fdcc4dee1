// The synth-time rules of a SecuredApi beside the guards of its deployed REST API (api/guards), one
// list per subject, in the order their messages are reported; docs/rules.md lists them.
import { defaultEndpointStillOn } from './default-endpoint-still-on';
import { handlerLogRetentionShort } from './handler-log-retention-short';
import { handlerLogRetentionUnknown } from './handler-log-retention-unknown';
import { noRoutes } from './no-routes';
import { otherCloudWatchAccounts } from './other-cloudwatch-accounts';
import { resourcesPerApi } from './resources-per-api';
import { CloudWatchAccountSubject, DomainSubject, SecuredApiSubject } from './subjects';
import { templateFits } from './template-fits';
import { Rule } from '../../rules/rule';

export type { CloudWatchAccountSubject, DomainSubject, HandlerLogRetention, SecuredApiSubject, StackPlace } from './subjects';
export { addRuleWarnings, ruleMessages } from '../../rules/rule';

/** The rules of a SecuredApi itself: errors at validation, the resource quota a warning. */
export const SECURED_API_RULES: ReadonlyArray<Rule<SecuredApiSubject>> = [
  noRoutes,
  resourcesPerApi,
  templateFits,
  handlerLogRetentionUnknown,
  handlerLogRetentionShort,
];

/** The rules of a SecuredApi's custom domain with `disableDefaultEndpoint`. */
export const DOMAIN_RULES: ReadonlyArray<Rule<DomainSubject>> = [defaultEndpointStillOn];

/** The rules of the `AWS::ApiGateway::Account` a SecuredApi makes (`cloudWatchRole`). */
export const ACCOUNT_RULES: ReadonlyArray<Rule<CloudWatchAccountSubject>> = [otherCloudWatchAccounts];
