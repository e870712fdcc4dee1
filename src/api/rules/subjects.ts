// What the rules of a SecuredApi read besides its deployed REST API (api/guards): plain data that its
// constructor builds from the construct tree, so that each rule is tested on hand-written subjects.
import { TemplateFit } from '../private/template-size';

/** A SecuredApi as its own rules read it (`SECURED_API_RULES`). */
export interface SecuredApiSubject {
  /** The SecuredApi's construct path, which messages name. */
  readonly path: string;
  /** The resource path of each route (`/orders/{id}`), one entry per route. */
  readonly routeResources: readonly string[];
  /**
   * The length of its REST API's definition as compact JSON (the template-size rule renders the stack
   * only from a tenth of the limit). A function, as the other lazy parts: read at validation only, by the
   * rule that needs it (the resource-quota warning runs in an Aspect, before the definition is final).
   */
  readonly definitionChars: () => number;
  /** How its stack's template fits CloudFormation's limit (`fitTemplate(Stack.of(api))`); asked only when the definition is large. */
  readonly templateFit: () => TemplateFit;
  /** The audit retention of the API (its `logRetention`), in days; `Infinity` for never expire. */
  readonly retentionDays: number;
  /** The log group of each caller-role handler, as the app defines it (`HandlerAuditLogs.retentions()`). */
  readonly handlerLogs: () => readonly HandlerLogRetention[];
}

/** Where a caller-role handler writes its exchange audit lines, and how long they are kept. */
export interface HandlerLogRetention {
  /** The handler's construct path. */
  readonly handlerPath: string;
  /** The log group's name as the template holds it (resolved), for messages. */
  readonly logGroupName: unknown;
  /** How many days the log group keeps events (`Infinity`: never expire); undefined when that cannot be read from the app. */
  readonly keptDays?: number;
}

/** A SecuredApi's custom domain with the default endpoint turned off (`DOMAIN_RULES`). */
export interface DomainSubject {
  /** The SecuredApi's construct path, which messages name. */
  readonly path: string;
  /** The REST API's construct path (its `CfnRestApi`). */
  readonly restApiPath: string;
  /** The REST API's `Properties` as deployed (overrides included, `resolvedProperties`), or undefined. */
  readonly properties: unknown;
}

/** Where a stack deploys, as far as the app states it. */
export interface StackPlace {
  /** The stack's construct path. */
  readonly path: string;
  /** The stack's construct id, for the fix (`<id>.node.addDependency(...)`). */
  readonly id: string;
  /** Its account, undefined when unknown at synth (environment-agnostic). */
  readonly account?: string;
  /** Its region, undefined when unknown at synth. */
  readonly region?: string;
  /** The construct path of its CDK Stage (its cloud assembly), '' for the App. */
  readonly assembly: string;
}

/** An `AWS::ApiGateway::Account` a SecuredApi made, and every other one of the app (`ACCOUNT_RULES`). */
export interface CloudWatchAccountSubject {
  /** The Account's construct path. */
  readonly path: string;
  /** Where its stack deploys. */
  readonly stack: StackPlace;
  /** Every other `AWS::ApiGateway::Account` of the app. */
  readonly others: ReadonlyArray<{
    readonly path: string;
    readonly stack: StackPlace;
    /** Made by a SecuredApi (which then reports a clash itself when it comes later). */
    readonly ours: boolean;
    /** Comes after this one in the app's construct tree. */
    readonly later: boolean;
  }>;
}
