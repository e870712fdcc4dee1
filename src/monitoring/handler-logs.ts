// Where the handlers that exchange callers' tokens for AWS credentials write their exchange audit
// lines, and that those lines are kept as long as the authorizer's decisions.
import { CfnResource, Stack, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';
import { resolvedProperties } from '../roles/private/resolved-properties';

/** The id of the log group made for a handler that has none of its own (a child of the function). */
export const HANDLER_AUDIT_LOG_GROUP_ID = 'SecuredApiAuditLogs';

/** CloudWatch Logs keeps events forever when a log group has no retention (`RetentionInDays` absent). */
const FOREVER = Number.POSITIVE_INFINITY;

interface AuditedHandler {
  readonly handler: IConstruct;
  readonly fn: lambda.CfnFunction;
  /** The log group name as the function's template holds it (a token). */
  readonly logGroupName: string;
  /** The log group this made, when it did. */
  readonly created?: logs.LogGroup;
}

/**
 * The handlers of one API's caller-role routes. Each writes to a log group that keeps events at
 * least `retention`: a handler without a log group of its own gets one (`SecuredApiAuditLogs`, a child
 * of the function, so in its stack), set as its `LoggingConfig.LogGroup`; one whose log group is
 * set must keep it that long, or synth fails (`validate`).
 *
 * Lambda sends a function's logs to `/aws/lambda/<function name>` unless `LoggingConfig.LogGroup`
 * names another (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-loggroups.html);
 * that default group is created by Lambda on first invocation, without retention, and outside the
 * template, so it is never relied on.
 */
export class HandlerAuditLogs {
  private readonly handlers = new Map<IConstruct, AuditedHandler>();

  /**
   * @param where the API's construct path, for messages
   * @param retention the API's audit retention (its `logRetention`, one year by default)
   */
  constructor(private readonly where: string, public readonly retention: logs.RetentionDays) {}

  /** Makes sure `handler` (a `lambda.Function` or `SingletonFunction`) writes to a kept log group. */
  public add(handler: lambda.IFunction): void {
    if (this.handlers.has(handler)) return;
    const fn = cfnFunctionOf(handler);
    if (!fn) {
      // Unreachable through SecuredApi, whose addRoute refuses such a handler first: a bug of ours, not a user's mistake.
      throw new Error(`${this.where}: the handler '${handler.node.path}' has caller roles, but it is not a lambda.Function or SingletonFunction whose log group the API can set; pass the lambda.Function itself as the route's handler.`);
    }
    const own = explicitLogGroup(fn);
    if (own !== undefined) {
      this.handlers.set(handler, { handler, fn, logGroupName: own });
      return;
    }
    const owner = fn.node.scope!;
    const created = (owner.node.tryFindChild(HANDLER_AUDIT_LOG_GROUP_ID) as logs.LogGroup | undefined)
      ?? new logs.LogGroup(owner, HANDLER_AUDIT_LOG_GROUP_ID, { retention: this.retention });
    fn.addPropertyOverride('LoggingConfig.LogGroup', created.logGroupName);
    // The default execution role may write to any log group; a role of the user's may not.
    if (handler.role) created.grantWrite(handler.role);
    this.handlers.set(handler, { handler, fn, logGroupName: created.logGroupName, created });
  }

  /** Each handler's log group name (a token), for the queries and the access review. */
  public get logGroupNames(): ReadonlyMap<IConstruct, string> {
    return new Map([...this.handlers].map(([h, a]) => [h, a.logGroupName]));
  }

  /**
   * Why the exchange lines of a handler would not be kept as long as the audit retention: a log group
   * that keeps events fewer days, or one whose retention cannot be read from the app (synth fails
   * rather than assume).
   */
  public get retentionDays(): number {
    return days(this.retention);
  }

  public retentions(): Array<{ handlerPath: string; logGroupName: unknown; keptDays?: number }> {
    return [...this.handlers.values()].map((audited) => ({
      handlerPath: audited.handler.node.path,
      logGroupName: Stack.of(audited.fn).resolve(audited.logGroupName),
      keptDays: keptDays(audited),
    }));
  }

}

/** The function's CfnFunction: its own, or a SingletonFunction's (kept in a private field by aws-cdk-lib). */
function cfnFunctionOf(handler: lambda.IFunction): lambda.CfnFunction | undefined {
  const fn = handler instanceof lambda.SingletonFunction
    ? (handler as unknown as { lambdaFunction?: IConstruct }).lambdaFunction
    : handler;
  const cfn = fn?.node.defaultChild;
  return cfn instanceof lambda.CfnFunction ? cfn : undefined;
}

/**
 * `LoggingConfig.LogGroup` as the function was given it, or undefined. Only that property is
 * resolved: resolving the whole function now would fix its lazy values (the caller roles'
 * environment variables) before every route is added. Escape hatches added later are read by
 * `validate`, which checks whatever log group the template ends up naming.
 */
function explicitLogGroup(fn: lambda.CfnFunction): string | undefined {
  const config: unknown = Stack.of(fn).resolve(fn.loggingConfig);
  const group = typeof config === 'object' && config !== null ? (config as { LogGroup?: unknown; logGroup?: unknown }) : undefined;
  const value = group?.LogGroup ?? group?.logGroup;
  return value === undefined ? undefined : Token.asString(value);
}

/** Days the handler's log group keeps events (Infinity: forever), or undefined when it cannot be read. */
function keptDays(audited: AuditedHandler): number | undefined {
  const stack = Stack.of(audited.fn);
  const rendered = resolvedProperties(audited.fn)?.LoggingConfig as { LogGroup?: unknown } | undefined;
  const group = rendered?.LogGroup;
  const id = typeof group === 'object' && group !== null && typeof (group as { Ref?: unknown }).Ref === 'string' ? (group as { Ref: string }).Ref : undefined;
  if (id === undefined) return undefined;
  const logGroup = stack.node.findAll().find((node): node is CfnResource =>
    CfnResource.isCfnResource(node) && node.cfnResourceType === 'AWS::Logs::LogGroup' && Stack.of(node) === stack && stack.resolve(node.logicalId) === id);
  if (!logGroup) return undefined;
  const retention = resolvedProperties(logGroup)?.RetentionInDays;
  return retention === undefined ? FOREVER : typeof retention === 'number' ? retention : undefined;
}

function days(retention: logs.RetentionDays): number {
  return retention === logs.RetentionDays.INFINITE ? FOREVER : retention;
}
