import { Aspects, CustomResource, Names, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct, IConstruct } from 'constructs';
import { ApiDocuments } from './api/api-documents';
import { IDefinitionWriter, IStageMetrics, StageMetric } from './api/api-kind';
import { deployedApiErrors } from './api/api-validations';
import { checkCors } from './api/cors-options';
import { applyDeploymentCheck, CreatedDeploymentCheck, DeploymentCheck } from './api/deployment-check';
import { createCustomDomain } from './api/domain';
import { InvokePermissions } from './api/invoke-permissions';
import {
  CALLER_ROLE_ARN_ENV, callerRoleEnvName, checkCallerRoleIssuer, checkCallerTrust, checkIdentityProvider, createCallerRole, handCallerRole,
} from './api/private/caller-roles';
import { fitTemplate } from './api/private/template-size';
import { checkQuotaClients, createQuotas } from './api/quotas';
import { createImportedRestApi } from './api/rest-api';
import { RestDefinitionWriter } from './api/rest-definition';
import { completeRestStage, RestStageMetrics, restStageOptions } from './api/rest-stage';
import { RouteSet } from './api/route-set';
import { addRuleWarnings, ruleMessages, SECURED_API_RULES, SecuredApiSubject } from './api/rules';
import { checkThrottle } from './api/throttle';
import { createStageWebAcl } from './api/web-acl';
import { IDecisionMetrics } from './authorizer/metrics';
import { TokenAuthorizer } from './authorizer/token-authorizer';
import { validationError } from './errors';
import { IOidcIdentityProvider, OidcIdentityProvider } from './identity/oidc-identity-provider';
import { OidcIssuer } from './identity/oidc-issuer';
import { SecuredApiAuditQueries } from './monitoring/audit-queries';
import { HandlerAuditLogs } from './monitoring/handler-logs';
import { IMonitoredApi } from './monitoring/monitored-api';
import { SecuredApiAlarms } from './monitoring/secured-api-alarms';
import { SecuredApiDashboard } from './monitoring/secured-api-dashboard';
import { CallerRoleOptions } from './roles/caller-role';
import { FederatedRole } from './roles/federated-role';
import { SecuredApiProps, SecuredApiRoute } from './secured-api-props';

/**
 * An API Gateway REST API whose every route is guarded by OAuth 2.0 / OIDC access tokens of one
 * issuer, checked per route for scopes (any-of) and claim rules by a `TokenAuthorizer`.
 *
 * The REST API is imported by API Gateway from one OpenAPI definition that the construct writes from
 * the routes (the `AWS::ApiGateway::RestApi`'s `Body`): each route is an operation of it, so the
 * stack's resource count does not grow with the routes, and the stage is redeployed whenever the
 * definition changes. Every deployment is checked against the routes before the stage serves it
 * (`deploymentCheck`). Methods, resources and stages cannot be added to `restApi`, and synth fails
 * when an override could open a route or remove the deployment check. The stage writes JSON access
 * logs to its own log group, with execution logging off.
 *
 * The repository's docs/rest-api.md says how the definition is written and checked, what the
 * synth-time guards refuse, how the stack's template is kept within CloudFormation's size limit, and
 * which cdk-nag findings the construct acknowledges (and the one, `AwsSolutions-APIG3`, it leaves to you).
 */
export class SecuredApi extends Construct implements IMonitoredApi {
  /**
   * The environment variable holding a handler's caller role ARN when it has exactly one
   * (`SECURED_API_CALLER_ROLE_ARN`); every caller role is also in `SECURED_API_CALLER_ROLE_ARN_<NAME>`.
   */
  public static readonly CALLER_ROLE_ARN_ENV = CALLER_ROLE_ARN_ENV;

  /**
   * The environment variable `SECURED_API_CALLER_ROLE_ARN_<NAME>` under which a route's handler
   * finds the ARN of the caller role with this id (`OrdersReader` ->
   * `SECURED_API_CALLER_ROLE_ARN_ORDERS_READER`).
   *
   * @param roleId the id given to `addCallerRole`
   */
  public static callerRoleArnEnv(roleId: string): string {
    return callerRoleEnvName(roleId);
  }

  /**
   * The REST API, imported by API Gateway from an OpenAPI definition (its `Body`) that this
   * construct writes from the routes. Methods and resources cannot be added to it directly
   * (`root.addResource`, `addMethod`): the definition is the whole API, and synth fails if any are.
   */
  public readonly restApi: apigateway.SpecRestApi;

  /** The authorizer guarding every non-public route. */
  public readonly authorizer: TokenAuthorizer;

  /**
   * The API's dashboard.
   * @default - none when `dashboard` is false
   */
  public readonly dashboard?: SecuredApiDashboard;

  /**
   * The API's alarms.
   * @default - none when `alarms` is false
   */
  public readonly alarms?: SecuredApiAlarms;

  /**
   * The audit trail's saved queries.
   * @default - none when `auditQueries` is false
   */
  public readonly auditQueries?: SecuredApiAuditQueries;

  /** The log group of the stage's access logs. */
  public readonly accessLogGroup: logs.ILogGroup;

  /**
   * The deploy-time check (`Custom::SecuredApiDeploymentCheck`), on which the REST API's deployment
   * depends. Its attribute `RoutesVerified` (`getAttString('RoutesVerified')`) is the number of
   * operations it verified (routes and CORS preflights), as a string.
   *
   * @default - none when `deploymentCheck` is `DeploymentCheck.skip(...)`
   */
  public readonly deploymentCheck?: CustomResource;

  /**
   * The URL of the deployed stage, e.g. `https://{id}.execute-api.{region}.amazonaws.com/prod/`, or
   * with `domain`, under the custom domain: `https://{domainName}/{basePath}/`.
   */
  public readonly url: string;

  /**
   * The custom domain name, to point a DNS record at (`domainNameAliasDomainName`).
   * @default - none without `domain`
   */
  public readonly domainName?: apigateway.DomainName;

  /**
   * The AWS WAF web ACL associated with the stage.
   * @default - none without `webAcl`
   */
  public readonly webAcl?: wafv2.CfnWebACL;

  private readonly routeSet: RouteSet;
  private readonly issuer: OidcIssuer;
  private _identityProvider?: IOidcIdentityProvider;
  /** The caller roles addCallerRole made, by their environment variable. */
  private readonly callerRoles = new Map<string, FederatedRole>();
  private readonly invokePermissions: InvokePermissions;
  private readonly definitionWriter: IDefinitionWriter;
  private readonly stageMetrics: IStageMetrics;
  private readonly documents: ApiDocuments;
  /** The stage's `DeploymentId` as the construct wrote it (a token of its own deployment). */
  private readonly writtenDeploymentId?: string;
  /** The deployment check's parts and what the construct wrote into them, for the guards; absent when it is skipped. */
  private readonly createdDeploymentCheck?: CreatedDeploymentCheck;
  /** The log groups of the caller-role handlers, kept as long as the decisions. */
  private readonly handlerLogs: HandlerAuditLogs;
  /** resolvedDefinition's answer, once validation has read it. */
  private resolvedDefinitionMemo?: { readonly body: ReturnType<Stack['resolve']> };

  constructor(scope: Construct, id: string, props: SecuredApiProps) {
    super(scope, id);
    const {
      issuer, routes, apiName, description, stageName, throttle, cors, cloudWatchRole, domain, webAcl,
      dashboard, dashboardOptions, alarms, alarmOptions, auditQueries, auditQueryOptions, quotas, identityProvider,
      deploymentCheck, ...authorizerOptions
    } = props;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    this.issuer = issuer;
    if (identityProvider) {
      checkIdentityProvider(this.node.path, issuer, identityProvider);
      this._identityProvider = identityProvider;
    }
    const name = apiName ?? Names.uniqueResourceName(this, { maxLength: 64 });
    const stageThrottle = throttle === undefined ? undefined : checkThrottle(this.node.path, 'throttle', throttle);
    const checkedCors = cors === undefined ? undefined : checkCors(this.node.path, cors);

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', { retention: logRetention });
    // The definition is produced at synthesis, once every route is added (the authorizer's identity
    // sources depend on the whole route table).
    this.restApi = createImportedRestApi(this, {
      restApiName: name,
      definition: () => this.definition(),
      deployOptions: restStageOptions({ stageName, accessLogGroup: this.accessLogGroup, tracing: props.tracing, throttle: stageThrottle }),
      disableExecuteApiEndpoint: domain?.disableDefaultEndpoint === true,
      cloudWatchRole: cloudWatchRole ?? true,
    });
    const stage = this.restApi.deploymentStage;
    const cfnStage = stage.node.defaultChild as apigateway.CfnStage;
    this.writtenDeploymentId = cfnStage.deploymentId;
    this.url = this.restApi.url;
    completeRestStage(stage, this.accessLogGroup, () => this.routeSet.routes);
    this.stageMetrics = new RestStageMetrics(this, this.restApi);
    if (domain) {
      const custom = createCustomDomain(this, this.node.path, this.restApi, domain);
      this.domainName = custom.domain;
      this.url = custom.url;
    }
    if (webAcl) {
      this.webAcl = createStageWebAcl(this, this.node.path, stage, webAcl).webAcl;
    }

    this.authorizer = new TokenAuthorizer(this, 'Authorizer', {
      ...authorizerOptions,
      issuer,
      serviceName: authorizerOptions.serviceName ?? name,
    });
    // Declared in the definition (a SecuredApi may start with public routes only; it is declared all the same).
    const declared = this.authorizer._declareInDefinition(this.restApi, () => cfnStage.stageName);
    this.definitionWriter = new RestDefinitionWriter(this, {
      title: this.restApi.restApiName,
      description,
      authorizer: declared,
      authorizerFunction: this.authorizer.function,
      cors: checkedCors,
      apiKeyRequired: quotas !== undefined,
      disableExecuteApiEndpoint: domain?.disableDefaultEndpoint === true,
    });
    this.routeSet = new RouteSet({
      scope: this,
      where: this.node.path,
      issuer,
      authorizerWhere: this.authorizer.node.path,
      preflightOnEveryPath: checkedCors !== undefined,
      callerRoleEnv: (role) => [...this.callerRoles].find(([, r]) => r === role)?.[0],
      checkBackend: (route, what) => this.definitionWriter.checkRoute(route, what),
      checkGuardedRouteCanBeAdded: (route) => this.authorizer._checkRouteCanBeAdded(route),
    });
    this.authorizer._readRoutesFrom(() => this.routeSet.guardedRoutes());
    if (quotas) {
      checkQuotaClients(this.node.path, issuer, quotas);
      this.authorizer._meterByUsageKeys(createQuotas(this, this.restApi, quotas).usageKeys);
    }
    const check = applyDeploymentCheck(this, deploymentCheck ?? DeploymentCheck.verify(), {
      restApi: this.restApi,
      definition: () => this.definition(),
      logRetention,
    });
    this.createdDeploymentCheck = check.created;
    this.deploymentCheck = check.created?.resource;
    this.handlerLogs = new HandlerAuditLogs(this.node.path, logRetention);
    this.documents = new ApiDocuments(this, {
      apiName: this.restApi.restApiName,
      description,
      issuer,
      stageName: cfnStage.stageName,
      resultsCacheTtlSeconds: declared.resultsCacheTtlSeconds,
      throttle,
      routes: () => this.routeSet.routes,
      callerRoles: () => this.callerRoles,
      handlerLogGroups: () => this.handlerLogs.logGroupNames,
      quotas,
      deploymentCheckSkipped: check.skipped,
    });

    Aspects.of(this).add({
      visit: (node: IConstruct) => {
        if (node === this) addRuleWarnings(this, SECURED_API_RULES, this.ruleSubject());
      },
    });
    this.node.addValidation({
      validate: () => deployedApiErrors(this, {
        restApi: this.restApi,
        resolvedDefinition: this.resolvedDefinition(),
        writtenDeploymentId: this.writtenDeploymentId,
        deploymentCheck: this.createdDeploymentCheck,
      }),
    });
    this.node.addValidation({ validate: () => ruleMessages(SECURED_API_RULES, this.ruleSubject()) });
    this.documents.writeOnSynthesis();
    this.invokePermissions = new InvokePermissions(this, this.restApi);

    for (const route of routes ?? []) {
      this.addRoute(route);
    }

    // Nothing in these grows with the routes: metrics are per stage and per authorizer, and routes,
    // clients and subjects are read from the logs.
    if (alarms ?? true) {
      this.alarms = new SecuredApiAlarms(this, 'Alarms', { ...alarmOptions, api: this });
    }
    if (dashboard ?? true) {
      this.dashboard = new SecuredApiDashboard(this, 'Dashboard', {
        ...dashboardOptions,
        api: this,
        alarms: [...(this.alarms?.alarms ?? []), ...(dashboardOptions?.alarms ?? [])],
      });
    }
    if (auditQueries ?? true) {
      this.auditQueries = new SecuredApiAuditQueries(this, 'AuditQueries', { ...auditQueryOptions, api: this });
    }
  }

  /**
   * The IAM OIDC provider caller roles trust: `identityProvider`, or the one created with the first
   * caller role.
   *
   * @default - none until the first caller role, unless `identityProvider` was given
   */
  public get identityProvider(): IOidcIdentityProvider | undefined {
    return this._identityProvider;
  }

  /**
   * Adds a role that the API's callers assume with their access token
   * (`sts:AssumeRoleWithWebIdentity`), trusting the API's issuer through its IAM OIDC provider
   * (`identityProvider`, or one created here with the first caller role), with `aud` pinned to the
   * API's audiences and `sub` to `options.subjects`. Hand it to route handlers with the route's
   * `callerRoles`. Amazon Cognito user pool issuers are refused: their access tokens carry no `aud`.
   *
   * Anyone holding a token the role's trust admits can assume it without the API: see the threat
   * model in docs/federation.md, "Roles for callers", in the repository.
   *
   * @param id the role's construct id (under `CallerRoles`); it also names the handler's environment
   * variable, `SECURED_API_CALLER_ROLE_ARN_<ID IN UPPER SNAKE CASE>`
   * @returns the role, to grant permissions to
   */
  public addCallerRole(id: string, options: CallerRoleOptions = {}): FederatedRole {
    const where = `${this.node.path}: addCallerRole('${id}')`;
    checkCallerRoleIssuer(where, this.issuer);
    const trust = checkCallerTrust(where, this.issuer, options);
    const envName = callerRoleEnvName(id);
    const clash = this.callerRoles.get(envName);
    if (clash) {
      throw validationError('SecuredApi.CallerRoleIdClash', `${where}: its handlers' environment variable would be ${envName}, as for the caller role '${clash.node.id}'; pick an id that differs in upper snake case.`, this);
    }
    const provider = this._identityProvider ??= new OidcIdentityProvider(this, 'IdentityProvider', { issuer: this.issuer });
    const scope = this.node.tryFindChild('CallerRoles') ?? new Construct(this, 'CallerRoles');
    const role = createCallerRole(scope, id, provider, this.issuer, options, trust);
    this.callerRoles.set(envName, role);
    this.dashboard?.addCallerRole(role.role);
    this.auditQueries?.addExchangeQueries();
    return role;
  }

  /**
   * Requests to the API's stage (API Gateway's `Count`).
   *
   * @default - sample count over 5 minutes
   */
  public metricCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stageMetrics.metric(StageMetric.COUNT, 'SampleCount', props);
  }

  /**
   * Requests answered 4XX (`4XXError`), authorizer 401s and 403s included. With the statistic
   * `Average` it is the rate of such requests.
   *
   * @default - sum over 5 minutes
   */
  public metricClientError(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stageMetrics.metric(StageMetric.CLIENT_ERROR, 'Sum', props);
  }

  /**
   * Requests answered 5XX (`5XXError`). With the statistic `Average` it is the rate of such requests.
   *
   * @default - sum over 5 minutes
   */
  public metricServerError(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stageMetrics.metric(StageMetric.SERVER_ERROR, 'Sum', props);
  }

  /**
   * The share of requests answered 5XX, from 0 to 1: the `Average` of `5XXError`, which AWS documents
   * as the 5XX error rate of a REST API
   * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html).
   *
   * @default - over 5 minutes
   */
  public metricServerErrorRate(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return this.metricServerError({ ...props, statistic: 'Average' });
  }

  /**
   * Time from API Gateway receiving a request to answering it, in milliseconds (`Latency`),
   * the authorizer's time included.
   *
   * @default - average over 5 minutes
   */
  public metricLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stageMetrics.metric(StageMetric.LATENCY, 'Average', props);
  }

  /**
   * Time the backends took, in milliseconds (`IntegrationLatency`).
   *
   * @default - average over 5 minutes
   */
  public metricIntegrationLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stageMetrics.metric(StageMetric.INTEGRATION_LATENCY, 'Average', props);
  }

  /**
   * Adds a route: an operation of the REST API's definition served by `route.handler` through a
   * Lambda proxy integration (or by `route.backend` through an HTTP proxy integration), guarded by
   * the authorizer unless `route.public` is set.
   *
   * The handler is allowed to be invoked by this API once, however many routes it serves (one
   * `AWS::Lambda::Permission` per function, for any method and path of this API).
   */
  public addRoute(route: SecuredApiRoute): void {
    const record = this.routeSet.add(route);
    if (record.handler) this.invokePermissions.allow(record.handler);
    const what = `${this.node.path}: route ${record.method} ${record.resource}`;
    for (const { envName, role } of record.callerRoles) {
      handCallerRole(what, record.handler!, role, envName, this.issuer.profile.clientClaims);
    }
    if (record.callerRoles.length > 0) this.handlerLogs.add(record.handler!);
  }

  /**
   * The file name of the API's OpenAPI document, `<stack artifact id>.<construct path below the
   * stack, '/' as '.'>.openapi.json`, which synthesis writes next to the stack's template in the
   * cloud assembly (`cdk.out`).
   */
  public get openApiFileName(): string {
    return this.documents.openApiFileName;
  }

  /**
   * The file name of the API's access review, `<stack artifact id>.<construct path below the stack,
   * '/' as '.'>.access-review.json`, which synthesis writes next to the stack's template in the
   * cloud assembly (`cdk.out`), with the same review as Markdown beside it (`.access-review.md`).
   */
  public get accessReviewFileName(): string {
    return this.documents.accessReviewFileName;
  }

  /**
   * The API's access review, as JSON: its routes with their rules, its caller roles (trust,
   * session tags, source identity, permissions), quotas, every accepted risk and skipped check with
   * its reason, and the FederationGuard's findings for every federated role of the app. Read from
   * the templates as they will be deployed; stable (sorted, no dates or hashes), so that a change
   * of access shows as a diff. Call it once the app is complete (synthesis writes it to
   * `accessReviewFileName`). See docs/audit.md in the repository.
   */
  public renderAccessReview(): string {
    return this.documents.renderAccessReview();
  }

  /**
   * The API's OpenAPI 3.0.3 document, as JSON: every route's path and method, and its
   * authorization. Guarded operations list one security requirement per scope that opens them
   * (scopes are any-of), each naming the issuer's `openIdConnect` scheme (`oidc`) and the API
   * Gateway Lambda authorizer scheme (`tokenAuthorizer`); public operations have `security: []`.
   * Claim rules and throttles are in `x-cdk-secured-api-claim-rules` and
   * `x-cdk-secured-api-throttle`.
   *
   * Values known only at deployment are left out: the authorizer's `authorizerUri`, and in the
   * server URL the REST API id (and the region, when the stack has none) are server variables.
   * Synthesis writes this document to `openApiFileName` next to the template.
   */
  public renderOpenApi(): string {
    return this.documents.renderOpenApi();
  }

  /** The REST API's name (API Gateway's `ApiName` metric dimension). */
  public get apiName(): string {
    return this.restApi.restApiName;
  }

  /** The decisions of the authorizer (`authorizer`), as the monitoring constructs read them. */
  public get decisionMetrics(): IDecisionMetrics {
    return this.authorizer;
  }

  /** The log groups the handlers of caller-role routes write their exchange audit lines to. */
  public get exchangeLogGroupNames(): string[] {
    return [...this.handlerLogs.logGroupNames.values()];
  }

  /** The ARNs of the caller roles made so far. */
  public get callerRoleArns(): string[] {
    return [...this.callerRoles.values()].map((role) => role.roleArn);
  }

  /** How long the API keeps its audit logs (its `logRetention`, one year by default). */
  public get auditRetention(): logs.RetentionDays {
    return this.handlerLogs.retention;
  }

  /**
   * The REST API's definition (its `Body`), from the routes added so far. Reading it compiles the
   * authorizer's route table, so it is read at synthesis only (through a lazy value).
   */
  private definition(): { [key: string]: unknown } {
    return this.definitionWriter.definition(this.routeSet.routes);
  }

  /**
   * The definition as the template holds it, resolved once for the validations that read it (the
   * guards and the template size): by validation the route table is compiled and no route can be
   * added, so it cannot change afterwards.
   */
  private resolvedDefinition(): ReturnType<Stack['resolve']> {
    this.resolvedDefinitionMemo ??= { body: Stack.of(this).resolve(this.definition()) };
    return this.resolvedDefinitionMemo.body;
  }

  /** This API as its rules (`SECURED_API_RULES`) read it. */
  private ruleSubject(): SecuredApiSubject {
    return {
      path: this.node.path,
      routeResources: this.routeSet.routes.map((r) => r.resource),
      definitionChars: () => JSON.stringify(this.resolvedDefinition()).length,
      templateFit: () => fitTemplate(Stack.of(this)),
      retentionDays: this.handlerLogs.retentionDays,
      handlerLogs: () => this.handlerLogs.retentions(),
    };
  }
}
