import * as fs from 'fs';
import * as path from 'path';
import { attachCustomSynthesis, CfnResource, Lazy, Names, Stack, Token, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { openApiDocument, OpenApiRoute, OpenApiThrottle } from './api/openapi';
import { RouteAuthorization } from './authorizer/route';
import { checkRoute, checkRouteSet, CheckedRoute, compileRouteTable } from './authorizer/route-table';
import { TokenAuthorizer, TokenAuthorizerOptions } from './authorizer/token-authorizer';
import { IOidcIdentityProvider, OidcIdentityProvider } from './identity/oidc-identity-provider';
import { OidcIssuer } from './identity/oidc-issuer';
import { SecuredApiAuditQueries, SecuredApiAuditQueriesOptions } from './monitoring/audit-queries';
import { SecuredApiAlarms, SecuredApiAlarmsOptions } from './monitoring/secured-api-alarms';
import { SecuredApiDashboard, SecuredApiDashboardOptions } from './monitoring/secured-api-dashboard';
import { CALLER_ROLE_ARN_ENV, callerRoleEnvName, checkCallerRoleIssuer, checkCallerTrust, createCallerRole, handCallerRole } from './private/caller-roles';
import { resolvedProperties } from './private/resolved-properties';
import { CallerRoleOptions } from './roles/caller-role';
import { FederatedRole } from './roles/federated-role';

/**
 * Access log fields, one JSON object per request. Every value is quoted so that a `-` (API
 * Gateway's placeholder for an empty value) still parses. No headers, query strings or paths with
 * their parameter values: the resource template and the authorizer's principal identify the call.
 */
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTimeEpoch: '$context.requestTimeEpoch',
  sourceIp: '$context.identity.sourceIp',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integration.latency',
  principalId: '$context.authorizer.principalId',
  clientId: '$context.authorizer.clientId',
  authorizerStatus: '$context.authorizer.status',
  authorizerLatency: '$context.authorizer.latency',
  errorType: '$context.error.responseType',
  xrayTraceId: '$context.xrayTraceId',
});

/**
 * A route of a `SecuredApi`: what it requires of a token, and the Lambda function that serves it.
 */
export interface SecuredApiRoute extends RouteAuthorization {
  /**
   * The function serving the route, through a Lambda proxy integration (it receives the authorizer
   * context: `sub`, `clientId`, `scopes`, `issuer` and any context claims).
   */
  readonly handler: lambda.IFunction;

  /**
   * Whether the route is open to anyone, without a token. This is the one way to skip the
   * authorizer; a public route may have no scopes or claim rules.
   *
   * @default false
   */
  readonly public?: boolean;

  /**
   * Throttling for this route alone, in place of the API's.
   *
   * @default - the API's throttling (`SecuredApiProps.throttle`)
   */
  readonly throttle?: apigateway.ThrottleSettings;

  /**
   * Caller roles (made by this API's `addCallerRole`) the handler may assume with the caller's
   * token. Each role's ARN is put in the handler's environment as
   * `SECURED_API_CALLER_ROLE_ARN_<NAME>`, `<NAME>` being the role's id in upper snake case
   * (`OrdersReader` -> `SECURED_API_CALLER_ROLE_ARN_ORDERS_READER`), and, while the handler has
   * exactly one caller role (over all its routes), also as `SECURED_API_CALLER_ROLE_ARN`.
   *
   * Nothing else is wired, and nothing else is needed: STS needs no AWS credentials, so the handler
   * needs no IAM permission to call `AssumeRoleWithWebIdentity`, and for the same reason any holder
   * of a token the role's trust admits can assume it without the API (see `addCallerRole`). IAM
   * cannot see OAuth scopes: the handler picks the role from the verified scopes in its event
   * (`requestContext.authorizer.scopes`, space-separated).
   *
   * The handler must be a `lambda.Function` (or `SingletonFunction`), which can take environment
   * variables. Roles exist only once the API does: add such routes with `addRoute`.
   *
   * @default - none
   */
  readonly callerRoles?: FederatedRole[];
}

/**
 * Properties of a `SecuredApi`. The authorizer options apply to its `TokenAuthorizer`;
 * `logRetention` and `tracing` also to the API's access logs and stage.
 */
export interface SecuredApiProps extends TokenAuthorizerOptions {
  /**
   * The issuer whose access tokens the API accepts.
   */
  readonly issuer: OidcIssuer;

  /**
   * The API's routes; more can be added with `addRoute`.
   *
   * @default - none yet
   */
  readonly routes?: SecuredApiRoute[];

  /**
   * The REST API's name.
   *
   * @default - a name unique to this construct in the app
   */
  readonly apiName?: string;

  /**
   * The REST API's description.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * The name of the stage the API is deployed to (part of its URL).
   *
   * @default 'prod'
   */
  readonly stageName?: string;

  /**
   * Throttling for every route of the stage (a route's own `throttle` replaces it).
   *
   * @default - API Gateway's account-level limits
   */
  readonly throttle?: apigateway.ThrottleSettings;

  /**
   * Whether to create the role API Gateway needs to write access logs (a region-wide account
   * setting, `AWS::ApiGateway::Account`). Set `false` when the account already has one, e.g. from
   * another stack: access logging fails to deploy without it.
   *
   * @default true
   */
  readonly cloudWatchRole?: boolean;

  /**
   * Whether to create a `SecuredApiDashboard` for the API (traffic, decisions by outcome and reason,
   * authorizer health, JWKS, Logs Insights over the decision and access logs, alarm status).
   *
   * @default true
   */
  readonly dashboard?: boolean;

  /**
   * Options for the dashboard (name, period, extra widgets). Its alarm status widget shows the
   * API's alarms, and any alarms given here.
   *
   * @default - a dashboard with a generated name, 5-minute metrics, no extra widgets
   */
  readonly dashboardOptions?: SecuredApiDashboardOptions;

  /**
   * Whether to create the API's `SecuredApiAlarms` (5XX rate, p90 latency, authorizer errors and
   * throttles, JWKS fetch failures, fail-closed decisions, a spike of 401s, and a composite
   * authentication health alarm). Missing data never alarms.
   *
   * @default true
   */
  readonly alarms?: boolean;

  /**
   * Options for the alarms: thresholds, periods, datapoints, which ones are enabled, and actions.
   *
   * @default - the defaults in the README's alarm table, and no actions
   */
  readonly alarmOptions?: SecuredApiAlarmsOptions;

  /**
   * Whether to save the audit trail's Logs Insights queries (`SecuredApiAuditQueries`): every
   * decision for one subject or client, denials by reason and client.
   *
   * @default true
   */
  readonly auditQueries?: boolean;

  /**
   * Options for the saved audit queries (the folder they are listed under).
   *
   * @default - listed under `cdk-secured-api/<api name>/`
   */
  readonly auditQueryOptions?: SecuredApiAuditQueriesOptions;

  /**
   * The IAM OIDC provider of the API's issuer that caller roles (`addCallerRole`) trust, when it
   * already exists: IAM allows one provider per issuer URL per account, so import the account's
   * (`OidcIdentityProvider.fromIssuer`) rather than create a second. It must be for the API's issuer,
   * and its client IDs must include the API's audiences.
   *
   * @default - an `OidcIdentityProvider` for the API's issuer (client IDs: its audiences) is created
   * with the first caller role; none without caller roles
   */
  readonly identityProvider?: IOidcIdentityProvider;
}

/**
 * An API Gateway REST API whose every route is guarded by OAuth 2.0 / OIDC access tokens of one
 * issuer, checked per route for scopes (any-of) and claim rules by a `TokenAuthorizer`.
 *
 * Routes are served by Lambda functions through proxy integrations. The stage writes JSON access
 * logs to its own log group; execution logging stays off because it can record request headers,
 * tokens included. 401 and 403 responses carry a fixed JSON body that tells the caller nothing about
 * why. The endpoint is regional.
 *
 * The construct acknowledges the cdk-nag `AwsSolutionsChecks` findings that hold by design, each on
 * the resource that causes it and with its reason (`Validations.of(...).acknowledge`, recorded in
 * the construct metadata): `AwsSolutions-APIG6` on the stage (execution logging is off),
 * `AwsSolutions-APIG4` and `AwsSolutions-COG4` on `public: true` routes, `AwsSolutions-IAM4` on the
 * CloudWatch role, and, through its `TokenAuthorizer`, `AwsSolutions-COG4` on guarded routes,
 * `AwsSolutions-L1` and X-Ray's `AwsSolutions-IAM5[Resource::*]`.
 *
 * One finding is left to you: `AwsSolutions-APIG3`, no AWS WAF web ACL on the stage. A web ACL is
 * not part of this construct; associate one with the stage and the finding goes away:
 *
 * ```ts
 * declare const api: SecuredApi;
 * declare const webAcl: wafv2.CfnWebACL; // scope 'REGIONAL'
 * new wafv2.CfnWebACLAssociation(this, 'OrdersWaf', {
 *   resourceArn: api.restApi.deploymentStage.stageArn,
 *   webAclArn: webAcl.attrArn,
 * });
 * ```
 *
 * or, if you decide the API needs none, acknowledge it yourself, with your reason, on the stage:
 *
 * ```ts
 * Validations.of(api.restApi.deploymentStage).acknowledge({
 *   id: 'AwsSolutions-APIG3',
 *   reason: 'Internal API behind a VPN; throttled per route; no WAF by decision of <team>, <date>.',
 * });
 * ```
 *
 * Each route is one `AWS::ApiGateway::Method` and each distinct path segment one
 * `AWS::ApiGateway::Resource`, and CloudFormation allows 500 resources per stack: an API of a few
 * hundred routes needs them spread over few paths (e.g. 300 routes on 120 paths synthesize to
 * about 450 resources), or more than one API.
 */
export class SecuredApi extends Construct {
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

  /** The REST API. */
  public readonly restApi: apigateway.RestApi;

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

  /** The URL of the deployed stage, e.g. `https://{id}.execute-api.{region}.amazonaws.com/prod/`. */
  public readonly url: string;

  private readonly requestValidator: apigateway.IRequestValidator;
  private readonly routes: CheckedRoute[] = [];
  /** The methods addRoute made, and whether each is public. */
  private readonly routeMethods = new Map<apigateway.Method, boolean>();
  private readonly routeMethodSettings: apigateway.CfnStage.MethodSettingProperty[] = [];
  private readonly issuer: OidcIssuer;
  private _identityProvider?: IOidcIdentityProvider;
  /** The caller roles addCallerRole made, by their environment variable. */
  private readonly callerRoles = new Map<string, FederatedRole>();
  /** What the OpenAPI document is made of, beyond the checked routes: public flags and throttles. */
  private readonly openApi: { readonly throttle?: OpenApiThrottle; readonly routes: OpenApiRoute[] };

  constructor(scope: Construct, id: string, props: SecuredApiProps) {
    super(scope, id);
    const {
      issuer, routes, apiName, description, stageName, throttle, cloudWatchRole,
      dashboard, dashboardOptions, alarms, alarmOptions, auditQueries, auditQueryOptions, identityProvider,
      ...authorizerOptions
    } = props;
    this.issuer = issuer;
    if (identityProvider) {
      const theirs = identityProvider.issuer?.conditionKeyPrefix;
      const known = theirs !== undefined && !Token.isUnresolved(theirs) && !Token.isUnresolved(issuer.conditionKeyPrefix);
      if (theirs === undefined || (known && theirs !== issuer.conditionKeyPrefix)) {
        throw new Error(`${this.node.path}: identityProvider '${identityProvider.node.path}' is for the issuer '${identityProvider.issuer?.issuerUrl}', not the API's issuer '${issuer.issuerUrl}'; pass the IAM OIDC provider of the API's issuer, e.g. OidcIdentityProvider.fromIssuer(this, 'Provider', issuer).`);
      }
      this._identityProvider = identityProvider;
    }
    const name = apiName ?? Names.uniqueResourceName(this, { maxLength: 64 });
    const throttleSettings = throttle === undefined ? undefined : checkThrottle(this.node.path, 'throttle', throttle);
    this.openApi = { throttle, routes: [] };

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    });

    this.restApi = new apigateway.RestApi(this, 'Api', {
      restApiName: name,
      description,
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      cloudWatchRole: cloudWatchRole ?? true,
      deployOptions: {
        stageName: stageName ?? 'prod',
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: apigateway.AccessLogFormat.custom(ACCESS_LOG_FORMAT),
        loggingLevel: apigateway.MethodLoggingLevel.OFF,
        dataTraceEnabled: false,
        // Detailed (per-method) metrics are billed as custom metrics per route; the API-wide ones are free.
        metricsEnabled: false,
        tracingEnabled: props.tracing ?? true,
        throttlingRateLimit: throttleSettings?.throttlingRateLimit,
        throttlingBurstLimit: throttleSettings?.throttlingBurstLimit,
      },
    });
    this.url = this.restApi.url;

    // Routes may be added after construction, but the stage renders its method settings at
    // construction: append the routes' throttling lazily.
    const stage = this.restApi.deploymentStage.node.defaultChild as apigateway.CfnStage;
    const stageSettings = stage.methodSettings;
    stage.methodSettings = Lazy.any({
      produce: () => [...(Array.isArray(stageSettings) ? stageSettings : []), ...this.routeMethodSettings],
    }, { omitEmptyArray: true });
    Validations.of(stage).acknowledge({
      id: 'AwsSolutions-APIG6',
      reason: `Execution logging (and data tracing) is off on purpose: API Gateway's execution logs can record request headers, bearer tokens included. Every request is logged as JSON, without headers, to the access log group ${this.accessLogGroup.node.path}.`,
    });
    // Not Validations.acknowledge: aws-cdk-lib 2.257 keeps '::' as its own prefix delimiter and rejects
    // an id with more than one, as this ARN finding's is. This is the entry acknowledge would record,
    // under the metadata key cdk-nag reads.
    this.restApi.node.tryFindChild('CloudWatchRole')?.node.defaultChild?.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, {
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]':
        'AmazonAPIGatewayPushToCloudWatchLogs is the AWS managed policy API Gateway documents for the account-wide role it writes logs with, kept current by AWS. Set cloudWatchRole: false to leave this role out where the account already has one.',
    });

    this.authorizer = new TokenAuthorizer(this, 'Authorizer', {
      ...authorizerOptions,
      issuer,
      serviceName: authorizerOptions.serviceName ?? name,
    });
    // A SecuredApi may start with public routes only; the authorizer must still belong to the API.
    this.authorizer._attachTo(this.restApi);

    // Parameters: each route's path parameters, and the Authorization header on guarded routes.
    // Bodies: only where a method declares a request model, which routes do not by default.
    this.requestValidator = this.restApi.addRequestValidator('RequestValidator', {
      validateRequestParameters: true,
      validateRequestBody: true,
    });
    this.addGatewayResponses();
    this.node.addValidation({ validate: () => this.openMethodsOutsideRoutes() });
    // The OpenAPI document goes next to the template, in the assembly (nested, in a Stage) being written.
    attachCustomSynthesis(this, {
      onSynthesize: (session) => fs.writeFileSync(path.join(session.outdir, this.openApiFileName), this.renderOpenApi()),
    });

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
   * (`identityProvider`, or one created here with the first caller role). Hand it to route handlers
   * with the route's `callerRoles`.
   *
   * The threat model: STS needs no AWS credentials, so anyone holding a token that satisfies the
   * role's trust policy can call `AssumeRoleWithWebIdentity` directly, bypassing the API, its scope
   * checks and any session policy a handler would pass. So the trust pins `aud` to the API's
   * audiences exactly and `sub` to `subjects` exactly (`StringEquals`); admitting every subject of
   * those audiences needs `allowAnySubjectOfAudience` with a reason (an accepted
   * `FederationRisk.MISSING_SUBJECT`), and such a role may hold only what every such caller may do.
   * Per-caller scoping that survives a direct STS call comes from the token: `sessionTags` (the
   * `https://aws.amazon.com/tags` claim, read in policies as `aws:PrincipalTag/<key>`) and
   * `sourceIdentity`. IAM cannot see OAuth scopes: the handler picks the role from the verified scopes.
   *
   * Amazon Cognito user pool issuers are refused: their access tokens carry no `aud`, so STS
   * refuses them (exchange ID tokens through an identity pool instead).
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
      throw new Error(`${where}: its handlers' environment variable would be ${envName}, as for the caller role '${clash.node.id}'; pick an id that differs in upper snake case.`);
    }
    const provider = this._identityProvider ??= new OidcIdentityProvider(this, 'IdentityProvider', { issuer: this.issuer });
    const scope = this.node.tryFindChild('CallerRoles') ?? new Construct(this, 'CallerRoles');
    const role = createCallerRole(scope, id, provider, this.issuer, options, trust);
    this.callerRoles.set(envName, role);
    this.dashboard?.addCallerRole(role.role);
    return role;
  }

  /**
   * Requests to the API's stage (API Gateway's `Count`).
   *
   * @default - sample count over 5 minutes
   */
  public metricCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stageMetric('Count', 'SampleCount', props);
  }

  /**
   * Requests answered 4XX (`4XXError`), authorizer 401s and 403s included. With the statistic
   * `Average` it is the rate of such requests.
   *
   * @default - sum over 5 minutes
   */
  public metricClientError(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stageMetric('4XXError', 'Sum', props);
  }

  /**
   * Requests answered 5XX (`5XXError`). With the statistic `Average` it is the rate of such requests.
   *
   * @default - sum over 5 minutes
   */
  public metricServerError(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stageMetric('5XXError', 'Sum', props);
  }

  /**
   * Time from API Gateway receiving a request to answering it, in milliseconds (`Latency`),
   * the authorizer's time included.
   *
   * @default - average over 5 minutes
   */
  public metricLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stageMetric('Latency', 'Average', props);
  }

  /**
   * Time the backends took, in milliseconds (`IntegrationLatency`).
   *
   * @default - average over 5 minutes
   */
  public metricIntegrationLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stageMetric('IntegrationLatency', 'Average', props);
  }

  /**
   * An `AWS/ApiGateway` metric of this API's stage: dimensions `ApiName` and `Stage`.
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html
   */
  private stageMetric(metricName: string, statistic: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/ApiGateway',
      metricName,
      dimensionsMap: { ApiName: this.restApi.restApiName, Stage: this.restApi.deploymentStage.stageName },
      statistic,
      ...props,
    }).attachTo(this);
  }

  /**
   * Adds a route: an API Gateway method served by `route.handler`, guarded by the authorizer
   * unless `route.public` is set.
   *
   * @returns the API Gateway method
   */
  public addRoute(route: SecuredApiRoute): apigateway.Method {
    const where = this.node.path;
    const isPublic = route.public ?? false;
    if (typeof isPublic !== 'boolean') {
      throw new Error(`${where}: route ${route.method} ${route.path} has public ${JSON.stringify(isPublic)}; pass true or false.`);
    }
    if (isPublic && ((route.scopes ?? []).length > 0 || (route.claimRules ?? []).length > 0)) {
      throw new Error(`${where}: route ${route.method} ${route.path} is public but has scopes or claim rules, which a public route never checks; remove public: true to guard it, or remove its scopes and claim rules.`);
    }
    const checked = checkRoute(where, route);
    if (!route.handler) {
      throw new Error(`${where}: route ${checked.method} ${checked.resource} has no handler; pass the Lambda function that serves it.`);
    }
    checkRouteSet(where, [...this.routes, checked]);
    const callerRoles = this.checkRouteCallerRoles(where, checked, isPublic, route.callerRoles ?? []);
    const throttle = route.throttle === undefined ? undefined : checkThrottle(where, `route ${checked.method} ${checked.resource} throttle`, route.throttle);

    if (!isPublic) {
      this.authorizer.addRoute(route);
    }
    this.routes.push(checked);

    const resource = this.restApi.root.resourceForPath(checked.resource);
    const requestParameters: Record<string, boolean> = {};
    for (const param of checked.resource.matchAll(/\{([^}+]+)\+?\}/g)) {
      requestParameters[`method.request.path.${param[1]}`] = true;
    }
    if (!isPublic) {
      requestParameters['method.request.header.Authorization'] = true;
    }
    const method = resource.addMethod(checked.method, new apigateway.LambdaIntegration(route.handler, {
      proxy: true,
      // One permission per function for this API, rather than one per method: a function serving
      // many routes would otherwise outgrow Lambda's 20 KB resource policy.
      scopePermissionToMethod: false,
    }), {
      authorizationType: isPublic ? apigateway.AuthorizationType.NONE : apigateway.AuthorizationType.CUSTOM,
      authorizer: isPublic ? undefined : this.authorizer.authorizer,
      requestValidator: this.requestValidator,
      requestParameters,
    });

    this.routeMethods.set(method, isPublic);
    for (const [envName, role] of callerRoles) {
      handCallerRole(`${where}: route ${checked.method} ${checked.resource}`, route.handler, role, envName);
    }
    if (isPublic) {
      const chosen = `Route ${checked.method} ${checked.resource} was added with public: true`;
      Validations.of(method.node.defaultChild!).acknowledge(
        { id: 'AwsSolutions-APIG4', reason: `${chosen}, the one way a SecuredApi serves a route to callers without a token.` },
        { id: 'AwsSolutions-COG4', reason: `${chosen}, so it takes no token and has no authorizer, Cognito or other.` },
      );
    }

    if (throttle) {
      this.routeMethodSettings.push({
        httpMethod: checked.method === 'ANY' ? '*' : checked.method,
        resourcePath: checked.resource === '/' ? '/' : '/' + checked.resource.replace(/\//g, '~1'),
        loggingLevel: 'OFF',
        dataTraceEnabled: false,
        metricsEnabled: false,
        ...throttle,
      });
    }
    this.openApi.routes.push({ ...checked, isPublic, throttle: route.throttle });
    return method;
  }

  /**
   * The file name of the API's OpenAPI document, `<stack artifact id>.<construct path below the
   * stack, '/' as '.'>.openapi.json`, which synthesis writes next to the stack's template in the
   * cloud assembly (`cdk.out`).
   */
  public get openApiFileName(): string {
    const stack = Stack.of(this);
    const below = this.node.scopes.slice(stack.node.scopes.length).map((c) => c.node.id.replace(/[^A-Za-z0-9_-]/g, '_'));
    return `${stack.artifactId}.${below.join('.')}.openapi.json`;
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
    const stack = Stack.of(this);
    const literal = (value: string | undefined, otherwise: string) =>
      value === undefined || Token.isUnresolved(value) ? otherwise : value;
    const guarded = this.openApi.routes.filter((r) => !r.isPublic);
    // The authorizer's own table compiles once, freezing its routes; compile a copy, so that this may run before the last route.
    const identitySources = ['method.request.header.Authorization'];
    if (compileRouteTable(guarded.map(({ method, resource, scopes, claimRules }) => ({ method, resource, scopes: [...scopes], claimRules: [...claimRules] }))).cacheMode === 'route') {
      identitySources.push('context.httpMethod', 'context.resourcePath');
    }
    const cfnAuthorizer = this.authorizer.node.findAll().find((c): c is apigateway.CfnAuthorizer => c instanceof apigateway.CfnAuthorizer);
    const ttl: unknown = stack.resolve(cfnAuthorizer?.authorizerResultTtlInSeconds);
    const description: unknown = stack.resolve((this.restApi.node.defaultChild as apigateway.CfnRestApi).description);
    const document = openApiDocument({
      title: literal(this.restApi.restApiName, this.node.path),
      description: typeof description === 'string' ? description : undefined,
      issuerUrl: literal(this.issuer.issuerUrl, 'https://issuer-known-at-deployment.invalid'),
      audiences: this.issuer.audiences.filter((a) => !Token.isUnresolved(a)),
      identitySources,
      resultsCacheTtlSeconds: typeof ttl === 'number' ? ttl : undefined,
      stageName: literal((this.restApi.deploymentStage.node.defaultChild as apigateway.CfnStage).stageName, 'prod'),
      region: Token.isUnresolved(stack.region) ? undefined : stack.region,
      throttle: this.openApi.throttle,
      routes: this.openApi.routes,
    });
    return JSON.stringify(document, undefined, 2) + '\n';
  }

  /** The route's caller roles by environment variable, each one made by this API's addCallerRole. */
  private checkRouteCallerRoles(where: string, route: CheckedRoute, isPublic: boolean, roles: FederatedRole[]): Array<[string, FederatedRole]> {
    const what = `${where}: route ${route.method} ${route.resource}`;
    if (roles.length > 0 && isPublic) {
      throw new Error(`${what} is public but has callerRoles: a public route receives no verified token to exchange; guard the route, or remove its callerRoles.`);
    }
    return roles.map(role => {
      const envName = [...this.callerRoles].find(([, r]) => r === role)?.[0];
      if (!envName) {
        throw new Error(`${what} has the caller role '${role?.node?.path}', which this API's addCallerRole did not make; create it with addCallerRole on ${this.node.path} (its trust is pinned to this API's issuer and audiences), then add the route with addRoute.`);
      }
      return [envName, role];
    });
  }

  /**
   * Methods of this API, as they will be deployed, that break "public: true is the one way to open
   * a route": a method added to `restApi` directly (an L2 `Method` or an L1 `CfnMethod`) that anyone
   * may call, and a guarded route whose method no longer uses this API's authorizer. Read from each
   * method's resolved properties, property overrides included (`addPropertyOverride` is invisible
   * to the typed properties). CORS preflight methods (OPTIONS with a mock integration, as
   * `addCorsPreflight` makes them) may be open, since browsers send them without credentials.
   */
  private openMethodsOutsideRoutes(): string[] {
    const stack = Stack.of(this);
    const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
    const apiId = stack.resolve(this.restApi.restApiId);
    const authorizerId = stack.resolve(this.authorizer.authorizer.authorizerId);
    const routeOf = new Map<IConstruct, { route: string; isPublic: boolean }>();
    for (const [method, isPublic] of this.routeMethods) {
      routeOf.set(method.node.defaultChild!, { route: `${method.httpMethod} ${method.resource.path}`, isPublic });
    }
    const errors: string[] = [];
    for (const c of stack.node.findAll()) {
      if (!CfnResource.isCfnResource(c) || c.cfnResourceType !== 'AWS::ApiGateway::Method' || Stack.of(c) !== stack) {
        continue;
      }
      const props = resolvedProperties(c) ?? {};
      if (!same(props.RestApiId, apiId)) {
        continue;
      }
      const type = props.AuthorizationType ?? 'NONE';
      const route = routeOf.get(c);
      if (route?.isPublic) {
        continue;
      }
      if (route) {
        if (type !== 'CUSTOM' || !same(props.AuthorizerId, authorizerId)) {
          errors.push(`method ${route.route} (${c.node.scope!.node.path}) is a guarded route, but as deployed it has AuthorizationType ${JSON.stringify(type)} and AuthorizerId ${JSON.stringify(props.AuthorizerId ?? null)} instead of this API's token authorizer (an override or escape hatch changed it); remove that override, or add the route with public: true if it must be open.`);
        }
        continue;
      }
      const corsPreflight = props.HttpMethod === 'OPTIONS' && (props.Integration as { Type?: unknown } | undefined)?.Type === 'MOCK';
      if (type === 'NONE' && !corsPreflight) {
        // An L2 Method names its resource path; an L1 CfnMethod only its construct path.
        const owner = c.node.scope instanceof apigateway.Method ? c.node.scope : undefined;
        errors.push(`method ${String(props.HttpMethod)}${owner ? ` ${owner.resource.path}` : ''} (${(owner ?? c).node.path}) was added to the REST API directly and is open to anyone; add it with addRoute() on ${this.node.path}, with public: true if it must be open.`);
      }
    }
    return errors;
  }

  /**
   * Fixed JSON bodies for authorization failures: API Gateway's defaults echo its error message
   * (e.g. that an explicit deny matched), which tells a caller more than it needs.
   */
  private addGatewayResponses(): void {
    const body = (message: string) => ({ 'application/json': `{"message":"${message}","requestId":"$context.requestId"}` });
    this.restApi.addGatewayResponse('Unauthorized', {
      type: apigateway.ResponseType.UNAUTHORIZED,
      statusCode: '401',
      responseHeaders: { 'WWW-Authenticate': "'Bearer'" },
      templates: body('Unauthorized'),
    });
    this.restApi.addGatewayResponse('AccessDenied', {
      type: apigateway.ResponseType.ACCESS_DENIED,
      statusCode: '403',
      templates: body('Forbidden'),
    });
    this.restApi.addGatewayResponse('AuthorizerFailure', {
      type: apigateway.ResponseType.AUTHORIZER_FAILURE,
      statusCode: '500',
      templates: body('Internal server error'),
    });
    this.restApi.addGatewayResponse('AuthorizerConfigurationError', {
      type: apigateway.ResponseType.AUTHORIZER_CONFIGURATION_ERROR,
      statusCode: '500',
      templates: body('Internal server error'),
    });
  }
}

interface StageThrottle {
  readonly throttlingRateLimit?: number;
  readonly throttlingBurstLimit?: number;
}

function checkThrottle(where: string, what: string, throttle: apigateway.ThrottleSettings): StageThrottle {
  const { rateLimit, burstLimit } = throttle;
  const bad = (v: number | undefined, integer: boolean) =>
    v !== undefined && (Token.isUnresolved(v) || typeof v !== 'number' || !(v >= 0) || (integer && !Number.isInteger(v)));
  if ((rateLimit === undefined && burstLimit === undefined) || bad(rateLimit, false) || bad(burstLimit, true)) {
    throw new Error(`${where}: ${what} ${JSON.stringify(throttle)} is not a usable throttle; pass a non-negative rateLimit (requests per second) and/or a whole non-negative burstLimit.`);
  }
  return {
    ...(rateLimit === undefined ? {} : { throttlingRateLimit: rateLimit }),
    ...(burstLimit === undefined ? {} : { throttlingBurstLimit: burstLimit }),
  };
}
