import { Annotations, Duration, Lazy, Names, Stack, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { apiNeedsLambda, BACKEND_NEEDS_LAMBDA, routeNeedsLambda } from './private/authorization';
import { httpBackendIntegration } from './private/backends';
import { BodyIntegration, BodyRoute, httpApiBody, JWT_AUTHORIZER_NAME, LAMBDA_AUTHORIZER_NAME, readBody } from './private/body';
import { createHttpDeploymentCheck, CreatedHttpDeploymentCheck, HttpDeploymentCheckInput } from './private/deployment-check';
import { ExpectedHttpApi } from '../api/http-deployment-check-contract';
import { deploymentCheckErrors } from './private/deployment-check-guard';
import { httpDocumentsSource } from './private/documents';
import { HTTP_BUNDLE_DIR } from './private/http-bundle';
import { HTTP_PRINCIPAL_CONTEXT_KEY } from '../authorizer/contract';
import { httpIdentitySources } from '../authorizer/http-identity-sources';
import { bodyDifferences, ExpectedRoute, resourcesBesideBody, templateBody, WrittenResources } from './private/route-guard';
import { DEFAULT_ROUTES_PER_API, SECURED_HTTP_API_RULES } from './rules';
import { SecuredHttpApiProps } from './secured-http-api-props';
import { ApiDocuments } from '../api/api-documents';
import { checkCors } from '../api/cors-options';
import { DeploymentCheck } from '../api/deployment-check';
import {
  callerRoleEnvName, checkCallerRoleIssuer, checkCallerTrust, checkIdentityProvider, createCallerRole, handCallerRole,
} from '../api/private/caller-roles';
import { RouteRecord, RouteSet } from '../api/route-set';
import { checkThrottle } from '../api/throttle';
import { IDecisionMetrics } from '../authorizer/metrics';
import { TokenAuthorizer } from '../authorizer/token-authorizer';
import { validationError } from '../errors';
import { IOidcIdentityProvider, OidcIdentityProvider } from '../identity/oidc-identity-provider';
import { OidcIssuer } from '../identity/oidc-issuer';
import { SecuredApiAuditQueries } from '../monitoring/audit-queries';
import { HandlerAuditLogs } from '../monitoring/handler-logs';
import { IMonitoredApi } from '../monitoring/monitored-api';
import { SecuredApiAlarms } from '../monitoring/secured-api-alarms';
import { SecuredApiDashboard } from '../monitoring/secured-api-dashboard';
import { CallerRoleOptions } from '../roles/caller-role';
import { FederatedRole } from '../roles/federated-role';
import { ruleMessages } from '../rules/rule';
import { SecuredApiRoute } from '../secured-api-props';

/**
 * Audiences per JWT authorizer and scopes per route (neither can be raised).
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html
 */
const AUDIENCES_PER_JWT_AUTHORIZER = 50;
const SCOPES_PER_ROUTE = 10;


/** Which authorizer guards a route of a `SecuredHttpApi`. */
export enum HttpRouteAuthorizer {
  /** None: the route is public. */
  PUBLIC = 'public',
  /** API Gateway's native JWT authorizer (no Lambda invocation). */
  JWT = 'jwt',
  /** The Lambda authorizer (`authorizer`), the same decision code as a `SecuredApi`'s. */
  LAMBDA = 'lambda',
}

/** A route of a `SecuredHttpApi` and the authorizer that guards it. */
export interface HttpRouteAuthorization {
  /** The route's method (`ANY` for every method). */
  readonly method: string;
  /** The route's path, e.g. `/orders/{id}`. */
  readonly path: string;
  /** Which authorizer guards it. */
  readonly authorizer: HttpRouteAuthorizer;
  /** Why a guarded route uses the Lambda authorizer; empty otherwise. */
  readonly reason: string;
}

/**
 * An API Gateway HTTP API whose every route is guarded by OAuth 2.0 / OIDC access tokens of one
 * issuer: by API Gateway's native JWT authorizer where its checks equal the `TokenAuthorizer`'s for
 * the issuer's profile (issuer, audiences, any-of scopes; no Lambda invocation), and by a Lambda
 * authorizer running the same decision code as a `SecuredApi`'s everywhere else (claim rules,
 * token-kind checks, caller-chosen audiences). `routeAuthorizations` tells which guards each route.
 *
 * The routes, their integrations and both authorizers are one OpenAPI 3.0 definition, the `Body` of
 * the `AWS::ApiGatewayV2::Api` (`cfnApi`), so routes cost no CloudFormation resource. Synth fails
 * when a route is open without `public: true`, escape hatches of the definition included, and when a
 * Route, Integration or Authorizer resource is added to the API by hand. Every deployment is checked
 * against the routes before the stage serves it (`deploymentCheck`). The stage writes
 * JSON access logs (no headers) to its own log group. See docs/http-api.md in the repository.
 */
export class SecuredHttpApi extends Construct implements IMonitoredApi {
  /**
   * The HTTP API. Its routes, integrations and authorizers are one OpenAPI definition (the
   * `AWS::ApiGatewayV2::Api`'s `Body`, see `cfnApi`), which API Gateway does not let be combined
   * with Route, Integration or Authorizer resources, so this is the API by its id
   * (`HttpApi.fromHttpApiAttributes`), not an `HttpApi` to add routes to: add them with `addRoute`.
   */
  public readonly httpApi: apigwv2.IHttpApi;

  /** The `AWS::ApiGatewayV2::Api`, whose `Body` holds the routes, integrations and authorizers. */
  public readonly cfnApi: apigwv2.CfnApi;

  /** The stage the routes are served on. */
  public readonly stage: apigwv2.HttpStage;

  /**
   * The Lambda authorizer's function and route table, for the routes the native JWT authorizer
   * cannot guard. Made with the API, even when no route uses it.
   */
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

  /** The URL of the stage, or with `domain`, of the custom domain and base path. */
  public readonly url: string;

  /**
   * The custom domain name.
   * @default - none without `domain`
   */
  public readonly domainName?: apigwv2.DomainName;

  private readonly issuer: OidcIssuer;
  private readonly routeSet: RouteSet;
  private readonly apiReason?: string;
  private readonly lambdaOptions: { readonly resultsCacheTtlSeconds: number };
  private _identityProvider?: IOidcIdentityProvider;
  private readonly callerRoles = new Map<string, FederatedRole>();
  private readonly handlerLogs: HandlerAuditLogs;
  /** The Lambda proxy integrations, one per handler, by the name the definition gives them. */
  private readonly integrations = new Map<lambda.IFunction, string>();
  /** The HTTP_PROXY integrations of backend routes, one per distinct spec (URI, method, mappings, timeout), by spec. */
  private readonly backendIntegrations = new Map<string, string>();
  /** Every integration of the definition, by name. */
  private readonly bodyIntegrations = new Map<string, BodyIntegration>();
  private readonly bodyRoutes: BodyRoute[] = [];
  private readonly authorizations: HttpRouteAuthorization[] = [];
  private readonly expected = new Map<string, ExpectedRoute>();
  private readonly written = new WrittenResources();
  /** The routes' own throttles, as the template's `RouteSettings` (a lazy value is not renamed by the L1's property mapper). */
  private readonly routeThrottles: Record<string, { ThrottlingRateLimit?: number; ThrottlingBurstLimit?: number }> = {};
  private readonly deploymentCheck?: CreatedHttpDeploymentCheck;
  private readonly bodyOptions: { readonly title: string; readonly description?: string; readonly cors?: SecuredHttpApiProps['cors']; readonly disableExecuteApiEndpoint: boolean };
  private authorizerPermission = false;
  /** The OpenAPI document and the access review (wired at the end of the constructor). */
  private readonly documents: ApiDocuments;

  constructor(scope: Construct, id: string, props: SecuredHttpApiProps) {
    super(scope, id);
    const {
      issuer, routes, apiName, description, stageName, throttle, cors, domain, forceLambdaAuthorizer, maxRoutes,
      dashboard, dashboardOptions, alarms, alarmOptions, auditQueries, auditQueryOptions, identityProvider,
      quotas, webAcl, deploymentCheck, ...authorizerOptions
    } = props;
    const where = this.node.path;
    refuseUnsupported(this, { quotas, webAcl });
    const shadowing = (authorizerOptions.contextClaims ?? []).find((c) => typeof c === 'string' && c.toLowerCase() === HTTP_PRINCIPAL_CONTEXT_KEY);
    if (shadowing !== undefined) {
      throw validationError('SecuredHttpApi.ContextClaimShadowsPrincipal', `${where}: contextClaims holds "${shadowing}", which is (in some letter case) the key "${HTTP_PRINCIPAL_CONTEXT_KEY}" the HTTP API's Lambda authorizer context always carries (the verified principal, which backends get as X-Secured-Api-Principal); remove it, or have the issuer put the value in a claim of another name.`, this);
    }
    this.issuer = issuer;
    if (identityProvider) {
      checkIdentityProvider(where, issuer, identityProvider);
      this._identityProvider = identityProvider;
    }
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    const name = apiName ?? Names.uniqueResourceName(this, { maxLength: 64 });
    const stageThrottle = throttle === undefined ? undefined : checkThrottle(where, 'throttle', throttle);
    if (cors !== undefined) checkCors(where, cors, this);

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', { retention: logRetention });
    this.bodyOptions = { title: name, description, cors, disableExecuteApiEndpoint: domain?.disableDefaultEndpoint === true };
    // The API imported from one OpenAPI definition (private/body.ts): its routes, integrations and
    // authorizers cost no resource. `FailOnWarnings`: a definition API Gateway would import only in
    // part fails the deployment instead. `Name` and `Description` are written as the definition's
    // `info` says them too; no `ProtocolType`, which the definition gives ("Required unless you
    // specify an OpenAPI definition for Body", https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigatewayv2-api.html);
    // CORS is the definition's `x-amazon-apigateway-cors`, not `CorsConfiguration`.
    this.cfnApi = new apigwv2.CfnApi(this, 'Resource', {
      name,
      description,
      disableExecuteApiEndpoint: this.bodyOptions.disableExecuteApiEndpoint ? true : undefined,
      failOnWarnings: true,
      // Produced at synthesis, once every route is added; uncached, so that an early read is never kept.
      body: Lazy.uncachedAny({ produce: () => this.body() }),
    });
    // Kept as written (but the Body, compared by bodyDifferences) for SecuredHttpApi.ResourceOverridden.
    this.written.keep(this.cfnApi, ['Body']);
    this.httpApi = apigwv2.HttpApi.fromHttpApiAttributes(this, 'HttpApi', { httpApiId: this.cfnApi.ref, apiEndpoint: this.cfnApi.attrApiEndpoint });
    this.stage = new apigwv2.HttpStage(this, 'Stage', {
      httpApi: this.httpApi,
      stageName: stageName ?? 'prod',
      // Without the deployment check, the stage deploys every change itself; with it, the check's
      // deployment replaces this (private/deployment-check.ts).
      autoDeploy: true,
      throttle: stageThrottle === undefined ? undefined
        : { rateLimit: stageThrottle.throttlingRateLimit, burstLimit: stageThrottle.throttlingBurstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogGroup),
        format: accessLogFormat(),
      },
    });
    const cfnStage = this.stage.node.defaultChild as apigwv2.CfnStage;
    cfnStage.routeSettings = Lazy.any({ produce: () => (Object.keys(this.routeThrottles).length > 0 ? this.routeThrottles : undefined) });
    this.url = this.stage.url;
    if (domain) {
      this.domainName = new apigwv2.DomainName(this, 'Domain', {
        domainName: domain.domainName,
        certificate: domain.certificate,
        securityPolicy: apigwv2.SecurityPolicy.TLS_1_2,
      });
      new apigwv2.ApiMapping(this, 'Mapping', {
        api: this.httpApi,
        domainName: this.domainName,
        stage: this.stage,
        apiMappingKey: domain.basePath,
      });
      this.url = `https://${domain.domainName}/${domain.basePath ? `${domain.basePath}/` : ''}`;
    }

    this.authorizer = new TokenAuthorizer(this, 'Authorizer', {
      ...authorizerOptions,
      issuer,
      serviceName: authorizerOptions.serviceName ?? name,
    });
    this.authorizer._forHttpApi(HTTP_BUNDLE_DIR);
    this.lambdaOptions = { resultsCacheTtlSeconds: (authorizerOptions.resultsCacheTtl?.toSeconds() ?? 300) };
    this.apiReason = apiNeedsLambda(issuer, authorizerOptions, forceLambdaAuthorizer ?? false) ??
      (issuer.audiences.length > AUDIENCES_PER_JWT_AUTHORIZER ? `the issuer has more than ${AUDIENCES_PER_JWT_AUTHORIZER} audiences (the JWT authorizer's limit)` : undefined);

    this.routeSet = new RouteSet({
      scope: this,
      where,
      issuer,
      authorizerWhere: this.authorizer.node.path,
      preflightOnEveryPath: cors !== undefined,
      callerRoleEnv: (role) => [...this.callerRoles].find(([, r]) => r === role)?.[0],
      checkBackend: (route, what) => {
        httpBackendIntegration(this, what, route);
      },
      // Every guarded route, native ones too: which authorizer a route needs is decided from it, and the table is written once.
      checkGuardedRouteCanBeAdded: (route) => this.authorizer._checkRouteCanBeAdded(route),
    });
    this.authorizer._readRoutesFrom(() => this.routeSet.routes.filter((r) => this.authorizerOf(r) === HttpRouteAuthorizer.LAMBDA)
      .map(({ method, resource, scopes, claimRules }) => ({ method, resource, scopes, claimRules })));
    this.handlerLogs = new HandlerAuditLogs(where, logRetention);

    this.deploymentCheck = applyHttpDeploymentCheck(this, deploymentCheck ?? DeploymentCheck.verify(), {
      cfnApi: this.cfnApi,
      stage: this.stage,
      model: () => this.expectedModel(),
      body: () => this.body(),
      logRetention,
    });

    const routeLimit = maxRoutes ?? DEFAULT_ROUTES_PER_API;
    if (!Number.isInteger(routeLimit) || routeLimit < 1) {
      throw validationError('SecuredHttpApi.InvalidMaxRoutes', `${where}: maxRoutes is ${routeLimit}, which is not a whole number of at least 1; pass the API's routes-per-API quota.`, this);
    }
    this.node.addValidation({
      validate: () => ruleMessages(SECURED_HTTP_API_RULES, {
        path: where,
        expected: this.expected,
        templateBody: () => readBody(templateBody(this.cfnApi)),
        resourcesBesideBody: () => resourcesBesideBody(this.cfnApi),
        changedResources: () => [...this.written.differences(where), ...bodyDifferences(where, this.cfnApi, this.body())],
        routeCount: this.routeSet.routes.length,
        maxRoutes: routeLimit,
        integrationCount: this.bodyIntegrations.size,
        deploymentCheck: () => (this.deploymentCheck ? deploymentCheckErrors(this.deploymentCheck) : []),
      }),
    });

    for (const route of routes ?? []) {
      this.addRoute(route);
    }

    if (alarms ?? true) {
      this.alarms = new SecuredApiAlarms(this, 'Alarms', { ...alarmOptions, api: this });
    }
    if (dashboard ?? true) {
      this.dashboard = new SecuredApiDashboard(this, 'Dashboard', {
        ...dashboardOptions,
        api: this,
        alarms: [...(this.alarms?.alarms ?? []), ...(dashboardOptions?.alarms ?? [])],
        extraWidgets: [this.nativeRoutesNote(), ...(dashboardOptions?.extraWidgets ?? [])],
      });
    }
    if (auditQueries ?? true) {
      this.auditQueries = new SecuredApiAuditQueries(this, 'AuditQueries', { ...auditQueryOptions, api: this });
    }

    // The readers' OpenAPI document and the access review, written beside the template as a SecuredApi's are.
    this.documents = new ApiDocuments(this, {
      apiName: name,
      description,
      issuer,
      stageName: this.stage.stageName,
      resultsCacheTtlSeconds: this.lambdaOptions.resultsCacheTtlSeconds,
      throttle,
      routes: () => this.routeSet.routes,
      callerRoles: () => this.callerRoles,
      handlerLogGroups: () => this.handlerLogs.logGroupNames,
      deploymentCheckSkipped: deploymentCheck?.skipReason,
      http: httpDocumentsSource({
        issuer,
        resultsCacheTtlSeconds: this.lambdaOptions.resultsCacheTtlSeconds,
        routes: () => this.routeSet.routes,
        routeAuthorizer: (r) => {
          const kind = this.authorizerOf(r);
          return { type: kind, reason: kind === HttpRouteAuthorizer.LAMBDA ? this.lambdaReason(r) ?? '' : '' };
        },
      }),
    });
    this.documents.writeOnSynthesis();
  }

  /**
   * The IAM OIDC provider caller roles trust.
   * @default - none until the first caller role, unless `identityProvider` was given
   */
  public get identityProvider(): IOidcIdentityProvider | undefined {
    return this._identityProvider;
  }

  /** Every route so far and the authorizer guarding it, in the order they were added. */
  public get routeAuthorizations(): HttpRouteAuthorization[] {
    return [...this.authorizations];
  }

  /**
   * Adds a role that the API's callers assume with their access token, as `SecuredApi.addCallerRole`
   * does; hand it to route handlers with the route's `callerRoles`.
   *
   * @param id the role's construct id (under `CallerRoles`); it also names the handler's environment variable
   * @returns the role, to grant permissions to
   */
  public addCallerRole(id: string, options: CallerRoleOptions = {}): FederatedRole {
    const where = `${this.node.path}: addCallerRole('${id}')`;
    checkCallerRoleIssuer(where, this.issuer);
    const trust = checkCallerTrust(where, this.issuer, options);
    const envName = callerRoleEnvName(id);
    const clash = this.callerRoles.get(envName);
    if (clash) {
      throw validationError('SecuredHttpApi.CallerRoleIdClash', `${where}: its handlers' environment variable would be ${envName}, as for the caller role '${clash.node.id}'; pick an id that differs in upper snake case.`, this);
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
   * Adds a route served by `route.handler` (a Lambda proxy integration, payload 2.0) or by
   * `route.backend` (`RouteBackend.http(url)`: an HTTP proxy integration that sends the endpoint the
   * verified caller in `X-Secured-Api-*` headers), guarded by the native JWT authorizer or the Lambda
   * authorizer (see `routeAuthorizations`) unless `route.public` is set. A guarded route with a
   * backend always uses the Lambda authorizer, whose context sets every header; a REST VPC link
   * (`RouteBackend.vpcLink`) is refused, as HTTP APIs use VPC links of their own
   * (`RouteBackend.privateIntegration`). A handler is
   * allowed to be invoked by this API once, however many routes it serves.
   */
  public addRoute(route: SecuredApiRoute): void {
    const record = this.routeSet.add(route);
    const what = `${this.node.path}: route ${record.method} ${record.resource}`;
    const kind = this.authorizerOf(record);
    const reason = kind === HttpRouteAuthorizer.LAMBDA ? this.lambdaReason(record) : '';
    const routeKey = `${record.method} ${record.resource}`;
    const scopes = kind === HttpRouteAuthorizer.JWT ? [...record.scopes] : [];
    const integration = record.backend ? this.backendIntegrationOf(what, record) : this.integrationOf(record.handler!);
    if (kind === HttpRouteAuthorizer.LAMBDA) this.allowAuthorizerInvoke();
    const authorizationType = kind === HttpRouteAuthorizer.PUBLIC ? 'NONE' : kind === HttpRouteAuthorizer.JWT ? 'JWT' : 'CUSTOM';
    this.bodyRoutes.push({ method: record.method, path: record.resource, authorizationType, scopes: [...scopes].sort(), integration });
    this.expected.set(routeKey, { authorizationType, scopes: [...scopes].sort() });
    this.authorizations.push({ method: record.method, path: record.resource, authorizer: kind, reason: reason ?? '' });
    if (record.throttle) {
      const t = checkThrottle(this.node.path, `route ${routeKey} throttle`, record.throttle);
      this.routeThrottles[routeKey] = { ThrottlingRateLimit: t.throttlingRateLimit, ThrottlingBurstLimit: t.throttlingBurstLimit };
    }
    for (const { envName, role } of record.callerRoles) {
      handCallerRole(what, record.handler!, role, envName, this.issuer.profile.clientClaims);
    }
    if (record.callerRoles.length > 0) this.handlerLogs.add(record.handler!);
  }

  /** The HTTP API's name. */
  public get apiName(): string {
    return this.bodyOptions.title;
  }

  /** The decisions of the Lambda authorizer (native JWT decisions are not published per reason). */
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
   * Requests to the stage (`Count`).
   * @default - sample count over 5 minutes
   */
  public metricCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stageMetric('Count', 'SampleCount', props);
  }

  /**
   * Requests answered 4XX (`4xx`), authorizer 401s and 403s included.
   * @default - sum over 5 minutes
   */
  public metricClientError(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stageMetric('4xx', 'Sum', props);
  }

  /**
   * Requests answered 5XX (`5xx`).
   * @default - sum over 5 minutes
   */
  public metricServerError(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stageMetric('5xx', 'Sum', props);
  }

  /**
   * The share of requests answered 5XX, from 0 to 1: `5xx` (sum) divided by `Count`. AWS documents
   * no statistic of an HTTP API's `5xx` as a rate (unlike a REST API's `5XXError` `Average`), so the
   * rate is computed (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-metrics.html).
   *
   * @default - over 5 minutes
   */
  public metricServerErrorRate(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return new cloudwatch.MathExpression({
      expression: 'serverErrors / requests',
      usingMetrics: { serverErrors: this.metricServerError(props), requests: this.metricCount(props) },
      label: props?.label ?? '5xx rate',
      period: props?.period ?? Duration.minutes(5),
    });
  }

  /**
   * Time to answer a request, in milliseconds (`Latency`), the authorizer's time included.
   * @default - average over 5 minutes
   */
  public metricLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stageMetric('Latency', 'Average', props);
  }

  /**
   * Time the backends took, in milliseconds (`IntegrationLatency`).
   * @default - average over 5 minutes
   */
  public metricIntegrationLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stageMetric('IntegrationLatency', 'Average', props);
  }

  /**
   * An `AWS/ApiGateway` metric of the HTTP API's stage: dimensions `ApiId` and `Stage`.
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-metrics.html
   */
  private stageMetric(metricName: string, statistic: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/ApiGateway',
      metricName,
      dimensionsMap: { ApiId: this.httpApi.apiId, Stage: this.stage.stageName },
      statistic,
      ...props,
    }).attachTo(this);
  }

  /** What the deployment check expects to read back (at synthesis, once every route is added). */
  private expectedModel(): ExpectedHttpApi {
    const routes = [...this.expected].map(([routeKey, r]) => ({ routeKey, authorizationType: r.authorizationType, scopes: [...r.scopes] }));
    const uses = (type: string) => routes.some((r) => r.authorizationType === type);
    const issuerUrl: unknown = Stack.of(this).resolve(this.issuer.issuerUrl);
    if (uses('JWT') && typeof issuerUrl !== 'string') {
      throw new Error(`${this.node.path}: the issuer URL ${JSON.stringify(issuerUrl)} is known only at deployment; the deployment check needs it written out at synthesis.`);
    }
    return {
      version: 1,
      routes,
      ...(uses('JWT') ? { jwtAuthorizer: { name: JWT_AUTHORIZER_NAME, issuer: issuerUrl as string, audiences: [...this.issuer.audiences] } } : {}),
      ...(uses('CUSTOM') ? {
        lambdaAuthorizer: {
          name: LAMBDA_AUTHORIZER_NAME,
          payloadFormatVersion: '2.0',
          simpleResponses: true,
          identitySources: httpIdentitySources(this.authorizer._compiledTable()),
          ttlSeconds: this.lambdaOptions.resultsCacheTtlSeconds,
        },
      } : {}),
    };
  }

  private authorizerOf(record: RouteRecord): HttpRouteAuthorizer {
    if (record.isPublic) return HttpRouteAuthorizer.PUBLIC;
    return this.lambdaReason(record) === undefined ? HttpRouteAuthorizer.JWT : HttpRouteAuthorizer.LAMBDA;
  }

  private lambdaReason(record: RouteRecord): string | undefined {
    return this.apiReason ?? routeNeedsLambda(this.issuer, record) ?? (record.backend ? BACKEND_NEEDS_LAMBDA : undefined) ??
      (record.scopes.length > SCOPES_PER_ROUTE ? `the route has more than ${SCOPES_PER_ROUTE} scopes (the JWT authorizer's limit per route)` : undefined);
  }

  /** What the dashboard cannot show of the routes the native JWT authorizer guards (read at synthesis, once every route is added). */
  private nativeRoutesNote(): cloudwatch.TextWidget {
    return new cloudwatch.TextWidget({
      width: 24,
      height: 3,
      markdown: Lazy.string({
        produce: () => {
          const native = this.authorizations.filter((a) => a.authorizer === HttpRouteAuthorizer.JWT).map((a) => `\`${a.method} ${a.path}\``);
          return native.length === 0
            ? '**Every guarded route uses the Lambda authorizer**: its decisions, by reason, are above.'
            : `**Routes guarded by API Gateway's native JWT authorizer** (${native.length}): ${native.join(', ')}. They invoke no Lambda, so their denials `
              + 'show only in 4xx and in the access log (status, authorizerError), not in the decisions by reason nor the audit trail. '
              + 'Set forceLambdaAuthorizer to have them here (docs/http-api.md, "Monitoring").';
        },
      }),
    });
  }

  /** The OpenAPI definition the API imports (private/body.ts), from every route added so far. */
  private body(): Record<string, unknown> {
    const uses = (type: string) => this.bodyRoutes.some((r) => r.authorizationType === type);
    const { cors } = this.bodyOptions;
    return httpApiBody({
      title: this.bodyOptions.title,
      description: this.bodyOptions.description,
      routes: this.bodyRoutes,
      integrations: this.bodyIntegrations,
      jwtAuthorizer: uses('JWT') ? { issuer: this.issuer.issuerUrl, audiences: [...this.issuer.audiences], identitySource: '$request.header.Authorization' } : undefined,
      lambdaAuthorizer: uses('CUSTOM') ? {
        // The Lambda invocation URI, as the extension's examples write it (api-gateway-swagger-extensions-authorizer.html).
        authorizerUri: this.lambdaInvocationUri(this.authorizer.function),
        identitySources: httpIdentitySources(this.authorizer._compiledTable()),
        ttlSeconds: this.lambdaOptions.resultsCacheTtlSeconds,
      } : undefined,
      // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html
      cors: cors === undefined ? undefined : {
        allowOrigins: [...cors.allowOrigins],
        allowHeaders: cors.allowHeaders ?? ['Authorization', 'Content-Type'],
        allowMethods: cors.allowMethods?.map((m) => m as string),
        allowCredentials: cors.allowCredentials,
        maxAge: cors.maxAge?.toSeconds(),
      },
      disableExecuteApiEndpoint: this.bodyOptions.disableExecuteApiEndpoint,
    });
  }

  /** `arn:<partition>:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations`: how the definition names a function to invoke. */
  private lambdaInvocationUri(fn: lambda.IFunction): string {
    const stack = Stack.of(this);
    return `arn:${stack.partition}:apigateway:${stack.region}:lambda:path/2015-03-31/functions/${fn.functionArn}/invocations`;
  }

  /** `arn:...:execute-api:<region>:<account>:<api id>/<rest>`: what of this API may invoke a function. */
  private executeApiArn(rest: string): string {
    return Stack.of(this).formatArn({ service: 'execute-api', resource: this.cfnApi.ref, resourceName: rest });
  }

  /** Lets API Gateway invoke the Lambda authorizer for this API's authorizers only (once). */
  private allowAuthorizerInvoke(): void {
    if (this.authorizerPermission) return;
    this.authorizerPermission = true;
    this.authorizer.function.addPermission(`${Names.nodeUniqueId(this.node)}-AuthorizerInvoke`, {
      scope: this,
      principal: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      // The authorizer's id exists only once the definition is imported: every authorizer of this API.
      sourceArn: this.executeApiArn('authorizers/*'),
    });
  }

  /** One integration per handler, whose invoke permission covers the whole API (not one per route). */
  private integrationOf(handler: lambda.IFunction): string {
    let name = this.integrations.get(handler);
    if (name === undefined) {
      name = `Integration${this.integrations.size}`;
      this.integrations.set(handler, name);
      // A Lambda proxy integration, payload 2.0 (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html);
      // Lambda is invoked with a POST (api-gateway-swagger-extensions-integration.html, httpMethod). The URI is
      // the function's invocation URI, as AWS's own example of reused integrations writes it
      // (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-extensions-integrations.html)
      // and as API Gateway's export of an HTTP API writes a Lambda integration; the deployment check
      // reads either that or the bare function ARN back as the same function (http-compare.ts).
      this.bodyIntegrations.set(name, { type: 'aws_proxy', httpMethod: 'POST', uri: this.lambdaInvocationUri(handler), payloadFormatVersion: '2.0', connectionType: 'INTERNET' });
      handler.addPermission(`${Names.nodeUniqueId(this.node)}-${name}-Invoke`, {
        scope: this.node.tryFindChild('Permissions') as Construct ?? new Construct(this, 'Permissions'),
        principal: new iam.ServicePrincipal('apigateway.amazonaws.com'),
        sourceArn: this.executeApiArn('*/*'),
      });
    }
    return name;
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
   * The API's access review, as JSON (`api.kind` is `HTTP`): its routes with their rules and the
   * authorizer guarding each (native JWT, Lambda or none) with the reason, what the native JWT
   * authorizer checks and cannot (no per-reason denial metrics, no audit line), its caller roles
   * (trust, session tags, source identity, permissions), the REST API options that do not apply
   * (quotas, AWS WAF), every accepted risk and skipped check with its reason, and the
   * FederationGuard's findings for every federated role of the app. Read from the templates as they
   * will be deployed; stable (sorted, no dates or hashes), so that a change of access shows as a
   * diff. Call it once the app is complete (synthesis writes it to `accessReviewFileName`). See
   * docs/audit.md in the repository.
   */
  public renderAccessReview(): string {
    return this.documents.renderAccessReview();
  }

  /**
   * The API's OpenAPI 3.0.3 document, as JSON: every route's path and method, and its
   * authorization. Guarded operations list one security requirement per scope that opens them
   * (scopes are any-of), each naming the issuer's `openIdConnect` scheme (`oidc`) and the authorizer
   * guarding the route: API Gateway's native JWT authorizer (`jwtAuthorizer`, with the scope) or
   * the Lambda authorizer (`tokenAuthorizer`), which `x-cdk-secured-api-authorizer` also names, with
   * the reason for the Lambda one; public operations have `security: []`. Claim rules and throttles
   * are in `x-cdk-secured-api-claim-rules` and `x-cdk-secured-api-throttle`.
   *
   * Values known only at deployment are left out: the Lambda authorizer's `authorizerUri`, and in
   * the server URL the HTTP API id (and the region, when the stack has none) are server variables.
   * Synthesis writes this document to `openApiFileName` next to the template.
   */
  public renderOpenApi(): string {
    return this.documents.renderOpenApi();
  }

  /** The HTTP_PROXY integration of a backend route, shared by the routes whose integration would be the same. */
  private backendIntegrationOf(what: string, record: RouteRecord): string {
    const spec = httpBackendIntegration(this, what, record);
    const key = JSON.stringify(spec);
    let name = this.backendIntegrations.get(key);
    if (name === undefined) {
      name = `Backend${this.backendIntegrations.size}`;
      this.backendIntegrations.set(key, name);
      // An HTTP proxy integration, payload 1.0 (the only one for HTTP_PROXY), the spec's method, mappings and timeout;
      // a private one through the spec's VPC link (private/backends.ts).
      this.bodyIntegrations.set(name, {
        type: 'http_proxy',
        httpMethod: spec.method,
        uri: spec.uri,
        payloadFormatVersion: '1.0',
        connectionType: spec.connectionId === undefined ? 'INTERNET' : 'VPC_LINK',
        ...(spec.connectionId === undefined ? {} : { connectionId: spec.connectionId }),
        requestParameters: spec.requestParameters,
        timeoutInMillis: spec.timeoutInMillis,
        ...(spec.serverNameToVerify === undefined ? {} : { tlsConfig: { serverNameToVerify: spec.serverNameToVerify } }),
      });
    }
    return name;
  }
}

/**
 * The stage's access log line: JSON, no headers. `clientId` is the Lambda authorizer's context value
 * (the dashboard's "by client" table reads it); on native JWT routes it is the token's `client_id`.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html
 */
function accessLogFormat(): apigateway.AccessLogFormat {
  return apigateway.AccessLogFormat.custom(JSON.stringify({
    requestId: '$context.requestId',
    ip: '$context.identity.sourceIp',
    requestTime: '$context.requestTime',
    routeKey: '$context.routeKey',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    integrationError: '$context.integrationErrorMessage',
    authorizerError: '$context.authorizer.error',
    clientId: '$context.authorizer.clientId',
    jwtClientId: '$context.authorizer.claims.client_id',
  }));
}

/**
 * Options of a `SecuredApi` that an HTTP API cannot have, each refused with the reason and the
 * alternative (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-vs-rest.html).
 */
function refuseUnsupported(api: Construct, props: Pick<SecuredHttpApiProps, 'quotas' | 'webAcl'>): void {
  const where = api.node.path;
  if (props.quotas !== undefined) {
    throw validationError('SecuredHttpApi.QuotasNotSupported', `${where}: quotas are set, but HTTP APIs have no usage plans or API keys, so per-client quotas cannot be enforced (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-vs-rest.html); use a SecuredApi (REST API), or remove quotas and rely on the stage and route throttles.`, api);
  }
  if (props.webAcl !== undefined) {
    throw validationError('SecuredHttpApi.WebAclNotSupported', `${where}: webAcl is set, but AWS WAF cannot be associated with an HTTP API stage (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-vs-rest.html); use a SecuredApi (REST API), or put the web ACL on a CloudFront distribution in front of the HTTP API.`, api);
  }

}

/**
 * Makes the deployment check, or, for `DeploymentCheck.skip(reason)`, checks the reason and records
 * it as a synth warning (the stage then deploys every change itself, as without the check).
 */
function applyHttpDeploymentCheck(api: Construct, check: DeploymentCheck, input: HttpDeploymentCheckInput): CreatedHttpDeploymentCheck | undefined {
  if (check.skipReason === undefined) {
    return createHttpDeploymentCheck(api, input);
  }
  const reason = check.skipReason;
  if (typeof reason !== 'string' || Token.isUnresolved(reason) || reason.trim() === '') {
    throw validationError('SecuredHttpApi.DeploymentCheckSkipWithoutReason', `${api.node.path}: deploymentCheck is DeploymentCheck.skip(${JSON.stringify(reason)}), without a reason; say why this API may be deployed without checking it against its routes, e.g. DeploymentCheck.skip('LocalStack has no API Gateway v2 read API'), or leave deploymentCheck out to keep the check.`, api);
  }
  Annotations.of(api).addWarningV2('cdk-secured-api:deploymentCheckSkipped',
    `The deployment check is skipped (${reason}): deployments of this HTTP API are not read back from API Gateway and compared with the routes before the stage serves them, and the stage deploys every change itself (AutoDeploy). Remove deploymentCheck: DeploymentCheck.skip(...) to check them.`);
  return undefined;
}
