import { ArnFormat, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { validationError, validationMessage } from '../errors';
import { IMonitoredApi } from './monitored-api';

/** The STS calls that exchange a token or an assertion for a role's credentials. */
const EXCHANGE_EVENTS = ['AssumeRoleWithWebIdentity', 'AssumeRoleWithSAML'];

/**
 * EventBridge's rule state that matches CloudTrail's read-only management events too. Whether
 * CloudTrail marks `AssumeRoleWith*` read-only is not stated where EventBridge lists what it
 * delivers; EventBridge's own example of a rule for read-only management events matches STS
 * `AssumeRole`. With this state the rule matches them under either reading.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail-management.html
 */
const ALL_MANAGEMENT_EVENTS = 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

/**
 * Options of a `SecuredApiStsEvents`.
 */
export interface SecuredApiStsEventsOptions {
  /**
   * How long the log group keeps STS's records.
   *
   * @default - the API's audit retention (its `logRetention`, one year by default)
   */
  readonly retention?: logs.RetentionDays;

  /**
   * The folder the saved queries are listed under, as `SecuredApiAuditQueries` has it.
   *
   * @default - `cdk-secured-api/<the API's name>`
   */
  readonly queryNamePrefix?: string;
}

/**
 * Properties of a `SecuredApiStsEvents`.
 */
export interface SecuredApiStsEventsProps extends SecuredApiStsEventsOptions {
  /**
   * The API whose caller roles' STS exchanges are recorded (every role its `addCallerRole` made,
   * read when the app is synthesized).
   */
  readonly api: IMonitoredApi;
}

/**
 * STS's own record of every exchange for the API's caller roles, kept in a log group of the stack:
 * an EventBridge rule on the default event bus matching CloudTrail's `AssumeRoleWithWebIdentity`
 * and `AssumeRoleWithSAML` events (successes and failures) whose `roleArn` is one of the API's
 * caller roles, delivered to a log group with the audit retention. This records exchanges made
 * directly at STS with a token, outside the API and the runtime helpers, as well as theirs.
 *
 * What it needs, and what it does not see (see docs/audit.md in the repository):
 * - a CloudTrail trail that logs management events in the account: EventBridge receives
 *   "AWS API Call via CloudTrail" events only when one is logging
 *   (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event.html);
 * - the rule sees the exchanges STS serves in the stack's Region. The runtime helpers call the
 *   Region's endpoint; a caller going to STS directly may use any Region's endpoint, recorded in
 *   that Region: add this construct in a stack of each Region you leave STS active in, or
 *   deactivate STS in the Regions you do not use
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_region-endpoints.html);
 * - CloudTrail logs unauthenticated `AssumeRoleWith*` requests, but not those too malformed to be
 *   trusted as requests (https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html).
 *
 * Two saved queries read it: `sts-exchanges` (every STS record for the roles, newest first) and
 * `sts-exchanges-without-helper-line`: STS records whose request ID no exchange line of the API's
 * caller-role handlers carries (the runtime helpers log STS's request ID as `request_id`), i.e.
 * exchanges that did not come through the helpers. There is no alarm for those yet: metric alarms
 * cannot join two logs by request ID (see docs/audit.md).
 *
 * The log group's resource policy lets EventBridge write to it
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-cloudwatchlogs-permissions);
 * CloudWatch Logs allows 10 resource policies per account and Region.
 */
export class SecuredApiStsEvents extends Construct {
  /** The log group holding STS's records (the EventBridge events, whole). */
  public readonly logGroup: logs.LogGroup;

  /** The EventBridge rule. */
  public readonly rule: events.CfnRule;

  /** Every STS record for the API's caller roles, newest first. */
  public readonly stsExchanges: logs.CfnQueryDefinition;

  /** STS records that no exchange line of the runtime helpers matches by request ID. */
  public readonly exchangesWithoutHelperLine: logs.CfnQueryDefinition;

  constructor(scope: Construct, id: string, props: SecuredApiStsEventsProps) {
    super(scope, id);
    const { api } = props;
    const stack = Stack.of(this);
    this.logGroup = new logs.LogGroup(this, 'Resource', { retention: props.retention ?? api.auditRetention });
    new logs.ResourcePolicy(this, 'EventsPolicy', {
      policyStatements: [new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      })],
    });
    const roleArns = () => api.callerRoleArns;
    this.rule = new events.CfnRule(this, 'Rule', {
      description: `STS exchanges for the caller roles of ${api.node.path} (cdk-secured-api)`,
      state: ALL_MANAGEMENT_EVENTS,
      eventPattern: Lazy.any({
        produce: () => ({
          'source': ['aws.sts'],
          'detail-type': ['AWS API Call via CloudTrail'],
          'detail': {
            eventSource: ['sts.amazonaws.com'],
            eventName: EXCHANGE_EVENTS,
            requestParameters: { roleArn: roleArns() },
          },
        }),
      }),
      targets: [{
        id: 'LogGroup',
        arn: stack.formatArn({ service: 'logs', resource: 'log-group', arnFormat: ArnFormat.COLON_RESOURCE_NAME, resourceName: this.logGroup.logGroupName }),
      }],
    });
    this.node.addValidation({
      validate: () => roleArns().length > 0 ? [] : [validationMessage('SecuredApiStsEvents.NoCallerRoles', `${this.node.path}: the API ${api.node.path} has no caller roles, so there is no STS exchange to record (EventBridge refuses a pattern with an empty list); add caller roles with addCallerRole, or remove this SecuredApiStsEvents.`)],
    });

    const prefix = props.queryNamePrefix ?? `cdk-secured-api/${api.apiName}`;
    if (!Token.isUnresolved(prefix) && (prefix === '' || prefix.startsWith('/') || prefix.endsWith('/'))) {
      throw validationError('SecuredApiStsEvents.InvalidQueryNamePrefix', `${this.node.path}: queryNamePrefix ${JSON.stringify(prefix)} is not a folder path; pass folder names joined by '/', e.g. 'audit/orders', without a leading or trailing '/'.`, this);
    }
    const isSts = 'source = "aws.sts"';
    this.stsExchanges = new logs.CfnQueryDefinition(this, 'StsExchanges', {
      name: `${prefix}/sts-exchanges`,
      queryString: new logs.QueryString({
        fields: [
          '@timestamp', 'detail.eventName', 'detail.requestParameters.roleArn', 'detail.userIdentity.userName',
          'detail.requestParameters.roleSessionName', 'detail.sourceIPAddress', 'detail.errorCode', 'detail.requestID', 'detail.awsRegion',
        ],
        filterStatements: [isSts],
        sort: '@timestamp desc',
        limit: 10000,
      }).toString(),
      logGroupNames: [this.logGroup.logGroupName],
    });
    this.exchangesWithoutHelperLine = new logs.CfnQueryDefinition(this, 'ExchangesWithoutHelperLine', {
      name: `${prefix}/sts-exchanges-without-helper-line`,
      queryString: [
        `filter (${isSts} and ispresent(detail.requestID)) or (type = "credentials_exchange" and ispresent(request_id))`,
        '| fields coalesce(detail.requestID, request_id) as requestId',
        '| stats sum(source = "aws.sts") as stsRecords, sum(type = "credentials_exchange") as helperLines,'
          + ' earliest(@timestamp) as at, earliest(detail.eventName) as event, earliest(detail.requestParameters.roleArn) as role,'
          + ' earliest(detail.userIdentity.userName) as subject, earliest(detail.sourceIPAddress) as sourceIp, earliest(detail.errorCode) as errorCode by requestId',
        '| filter stsRecords > 0 and helperLines = 0',
        '| sort at desc',
      ].join('\n'),
      logGroupNames: Lazy.list({ produce: () => [this.logGroup.logGroupName, ...api.exchangeLogGroupNames] }),
    });
  }
}
