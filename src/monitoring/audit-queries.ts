import { Lazy, Token } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { validationError } from '../errors';
import { IMonitoredApi } from './monitored-api';

/**
 * Options of a `SecuredApiAuditQueries`.
 */
export interface SecuredApiAuditQueriesOptions {
  /**
   * The folder the saved queries are listed under in the CloudWatch Logs Insights console: each
   * query is named `<queryNamePrefix>/<query>`, and the console groups names by `/`.
   *
   * @default - `cdk-secured-api/<the API's name>`
   */
  readonly queryNamePrefix?: string;
}

/**
 * Properties of a `SecuredApiAuditQueries`.
 */
export interface SecuredApiAuditQueriesProps extends SecuredApiAuditQueriesOptions {
  /**
   * The API whose authorizer log group (one JSON audit line per decision) and access log group the
   * queries read.
   */
  readonly api: IMonitoredApi;
}

/**
 * Saved CloudWatch Logs Insights queries (`AWS::Logs::QueryDefinition`) for auditing a
 * `SecuredApi` (or any `IMonitoredApi`): what an auditor asks of the audit trail, ready to run from the console's
 * "Saved queries" list, each bound to the log group it reads.
 *
 * - `decisions-for-subject`: every decision for one subject (`sub`), newest first. Read from the
 *   authorizer's log group; edit `REPLACE_WITH_SUBJECT` before running it.
 * - `decisions-for-client`: the same for one OAuth client (the audit line's `client_id`: the client
 *   the issuer profile's client claim names, e.g. Okta's `cid`); edit `REPLACE_WITH_CLIENT_ID`.
 * - `denials-by-reason-and-client`: every refusal (403 `deny` and 401 `unauthorized`) counted by
 *   decision, reason code and `client_id`, most frequent first. `client_id` is empty for a token
 *   whose signature did not verify: the authorizer logs claims only once it has.
 * - `requests-of-client`: the requests one client made, from the API's access log group (status,
 *   method, resource path, source IP); edit `REPLACE_WITH_CLIENT_ID`. Only requests the authorizer
 *   answered with a policy carry the client id (a 401 has no authorizer context).
 *
 * With the API's first caller role, three more, over the log groups of the handlers of its
 * caller-role routes (the exchange audit lines of the `cdk-secured-api/runtime` helpers, kept as long
 * as the decisions: see `SecuredApiRoute.callerRoles`):
 * - `exchanges-for-subject`: every exchange of one caller's token for a caller role's credentials
 *   (issued, served from cache, failed), newest first; edit `REPLACE_WITH_SUBJECT`.
 * - `exchanges-for-role`: the same for one role, by its name (the `Role` field, as the dashboard's
 *   metrics name it); edit `REPLACE_WITH_ROLE_NAME`.
 * - `exchange-failures-by-reason`: failed exchanges counted by error code, role and function.
 *
 * The names are `<queryNamePrefix>/<query>`, so the console lists them in one folder per API.
 *
 * How far back they can look is the log groups' retention: one year by default (`logRetention` on
 * `SecuredApi`); docs/monitoring.md says how to choose it for an audit.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax.html
 */
export class SecuredApiAuditQueries extends Construct {
  /** The placeholder, in `decisions-for-subject`, to replace with the subject (`sub`) under audit. */
  public static readonly SUBJECT_PLACEHOLDER = 'REPLACE_WITH_SUBJECT';

  /** The placeholder, in `decisions-for-client` and `requests-of-client`, to replace with the client ID under audit (as the issuer profile's client claim carries it). */
  public static readonly CLIENT_ID_PLACEHOLDER = 'REPLACE_WITH_CLIENT_ID';

  /** The placeholder, in `exchanges-for-role`, to replace with the caller role's name. */
  public static readonly ROLE_NAME_PLACEHOLDER = 'REPLACE_WITH_ROLE_NAME';

  /** Every decision for one subject, from the authorizer's log group. */
  public readonly decisionsForSubject: logs.QueryDefinition;

  /** Every decision for one client, from the authorizer's log group. */
  public readonly decisionsForClient: logs.QueryDefinition;

  /** Refusals counted by decision, reason and client, from the authorizer's log group. */
  public readonly denialsByReasonAndClient: logs.QueryDefinition;

  /** The requests of one client, from the API's access log group. */
  public readonly requestsOfClient: logs.QueryDefinition;

  private readonly api: IMonitoredApi;
  private readonly prefix: string;
  private exchangeQueries = false;

  constructor(scope: Construct, id: string, props: SecuredApiAuditQueriesProps) {
    super(scope, id);
    const { api } = props;
    const prefix = props.queryNamePrefix ?? `cdk-secured-api/${api.apiName}`;
    this.api = api;
    this.prefix = prefix;
    checkPrefix(this, prefix, props.queryNamePrefix !== undefined);
    const audit = [api.decisionMetrics.logGroup];
    const isDecision = 'type = "authz_decision"';

    this.decisionsForSubject = new logs.QueryDefinition(this, 'DecisionsForSubject', {
      queryDefinitionName: `${prefix}/decisions-for-subject`,
      queryString: new logs.QueryString({
        fields: ['@timestamp', 'decision', 'reason', 'route', 'client_id', 'scopes', 'kid', 'cached', 'latency_ms'],
        filterStatements: [`${isDecision} and sub = "${SecuredApiAuditQueries.SUBJECT_PLACEHOLDER}"`],
        sort: '@timestamp desc',
        limit: 10000,
      }),
      logGroups: audit,
    });

    this.decisionsForClient = new logs.QueryDefinition(this, 'DecisionsForClient', {
      queryDefinitionName: `${prefix}/decisions-for-client`,
      queryString: new logs.QueryString({
        fields: ['@timestamp', 'decision', 'reason', 'route', 'sub', 'scopes', 'kid', 'cached', 'latency_ms'],
        filterStatements: [`${isDecision} and client_id = "${SecuredApiAuditQueries.CLIENT_ID_PLACEHOLDER}"`],
        sort: '@timestamp desc',
        limit: 10000,
      }),
      logGroups: audit,
    });

    this.denialsByReasonAndClient = new logs.QueryDefinition(this, 'DenialsByReasonAndClient', {
      queryDefinitionName: `${prefix}/denials-by-reason-and-client`,
      queryString: new logs.QueryString({
        filterStatements: [`${isDecision} and decision != "allow"`],
        statsStatements: ['count(*) as denials by decision, reason, client_id'],
        sort: 'denials desc',
      }),
      logGroups: audit,
    });

    this.requestsOfClient = new logs.QueryDefinition(this, 'RequestsOfClient', {
      queryDefinitionName: `${prefix}/requests-of-client`,
      queryString: new logs.QueryString({
        fields: ['@timestamp', 'requestId', 'httpMethod', 'resourcePath', 'status', 'principalId', 'authorizerStatus', 'errorType', 'sourceIp', 'responseLatency'],
        filterStatements: [`clientId = "${SecuredApiAuditQueries.CLIENT_ID_PLACEHOLDER}"`],
        sort: '@timestamp desc',
        limit: 10000,
      }),
      logGroups: [api.accessLogGroup],
    });
  }

  /**
   * Saves the exchange queries (`exchanges-for-subject`, `exchanges-for-role`,
   * `exchange-failures-by-reason`) over the log groups of the API's caller-role handlers, read when
   * the app is synthesized; `SecuredApi.addCallerRole` calls this. Once is enough; later calls do nothing.
   */
  public addExchangeQueries(): void {
    if (this.exchangeQueries) return;
    this.exchangeQueries = true;
    const logGroupNames = Lazy.list({ produce: () => this.api.exchangeLogGroupNames }, { omitEmpty: true });
    const isExchange = 'type = "credentials_exchange"';
    const save = (id: string, name: string, query: logs.QueryString) => new logs.CfnQueryDefinition(this, id, {
      name: `${this.prefix}/${name}`,
      queryString: query.toString(),
      logGroupNames,
    });
    const fields = ['@timestamp', 'outcome', 'error', 'kind', 'role', 'sub', 'client_id', 'session_name', 'request_id', 'Service', 'attempts', 'latency_ms'];
    save('ExchangesForSubject', 'exchanges-for-subject', new logs.QueryString({
      fields,
      filterStatements: [`${isExchange} and sub = "${SecuredApiAuditQueries.SUBJECT_PLACEHOLDER}"`],
      sort: '@timestamp desc',
      limit: 10000,
    }));
    save('ExchangesForRole', 'exchanges-for-role', new logs.QueryString({
      fields,
      filterStatements: [`${isExchange} and Role = "${SecuredApiAuditQueries.ROLE_NAME_PLACEHOLDER}"`],
      sort: '@timestamp desc',
      limit: 10000,
    }));
    save('ExchangeFailuresByReason', 'exchange-failures-by-reason', new logs.QueryString({
      filterStatements: [`${isExchange} and outcome = "failed"`],
      statsStatements: ['count(*) as failures by error, Role, Service'],
      sort: 'failures desc',
    }));
  }
}

/** The longest query name suffix, `/denials-by-reason-and-client`, must fit CloudFormation's 255 characters. */
const LONGEST_SUFFIX = '/denials-by-reason-and-client'.length;

function checkPrefix(scope: Construct, prefix: string, given: boolean): void {
  if (Token.isUnresolved(prefix)) {
    return;
  }
  const where = scope.node.path;
  const what = given ? 'queryNamePrefix' : 'the default query name prefix (from the API\'s name)';
  if (prefix.length === 0 || prefix.startsWith('/') || prefix.endsWith('/') || prefix.includes('//')) {
    throw validationError('SecuredApiAuditQueries.InvalidQueryNamePrefix', `${where}: ${what} ${JSON.stringify(prefix)} is not a folder path; pass folder names joined by '/', e.g. 'audit/orders', without a leading or trailing '/'.`, scope);
  }
  if (prefix.length + LONGEST_SUFFIX > 255) {
    throw validationError('SecuredApiAuditQueries.QueryNamePrefixTooLong', `${where}: ${what} ${JSON.stringify(prefix)} is ${prefix.length} characters; query names may have 255, and '${prefix}/denials-by-reason-and-client' would have ${prefix.length + LONGEST_SUFFIX}. Pass a queryNamePrefix of at most ${255 - LONGEST_SUFFIX} characters.`, scope);
  }
}
