import * as fs from 'fs';
import * as path from 'path';
import { Annotations, Aspects, attachCustomSynthesis, CfnResource, CustomResource, Fn, Lazy, Names, Stack, Token, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct, IConstruct } from 'constructs';
import { accessReview, accessReviewMarkdown } from './api/access-review';
import { httpProxyIntegration, RouteBackend } from './api/backend';
import { checkCors, CheckedCors, SecuredApiCorsOptions } from './api/cors';
import { lambdaInvocationUri, restApiDefinition } from './api/definition';
import { createDeploymentCheck, CreatedDeploymentCheck, DeploymentCheck } from './api/deployment-check';
import { createCustomDomain } from './api/domain';
import { SecuredApiDomainOptions } from './api/domain-options';
import { checkDeployedApi, DeployedApp, deploymentCheckAsDeployed, stageAsDeployed } from './api/guards';
import { openApiDocument } from './api/openapi';
import { SecuredApiQuotaOptions } from './api/quota-options';
import { createQuotas } from './api/quotas';
import { RouteRecord, RouteSet } from './api/route-set';
import { checkThrottle } from './api/throttle';
import { createStageWebAcl } from './api/web-acl';
import { SecuredApiWebAclOptions } from './api/web-acl-options';
import { RouteAuthorization } from './authorizer/route';
import { compileRouteTable } from './authorizer/route-table';
import { TokenAuthorizer, TokenAuthorizerOptions } from './authorizer/token-authorizer';
import { IOidcIdentityProvider, OidcIdentityProvider } from './identity/oidc-identity-provider';
import { OidcIssuer } from './identity/oidc-issuer';
import { SecuredApiAuditQueries, SecuredApiAuditQueriesOptions } from './monitoring/audit-queries';
import { HandlerAuditLogs } from './monitoring/handler-logs';
import { SecuredApiAlarms, SecuredApiAlarmsOptions } from './monitoring/secured-api-alarms';
import { SecuredApiDashboard, SecuredApiDashboardOptions } from './monitoring/secured-api-dashboard';
import { sharedCloudWatchAccount } from './private/account-role';
import { CALLER_ROLE_ARN_ENV, callerRoleEnvName, checkCallerRoleIssuer, checkCallerTrust, createCallerRole, handCallerRole } from './private/caller-roles';
import { DeclaredAuthorizer } from './authorizer/declared-authorizer';
import { resolvedProperties } from './private/resolved-properties';
import { fitTemplate, TEMPLATE_BODY_MAXIMUM_SIZE } from './private/template-size';
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
 * A route of a `SecuredApi`: what it requires of a token, and what serves it: a Lambda function
 * (`handler`) or another backend (`backend`), exactly one of them.
 */
export interface SecuredApiRoute extends RouteAuthorization {
  /**
   * The function serving the route, through a Lambda proxy integration (it receives the authorizer
   * context: `principalId` as `sub:<sub>`, `client:<client_id>` or `anonymous`; `sub`, `clientId`
   * and `scopes`, each `-` when the token has none; `issuer`, `exp` and any context claims). With `cors` set, its
   * responses must carry the CORS headers themselves (see `SecuredApiProps.cors`).
   *
   * @default - none; then `backend` serves the route
   */
  readonly handler?: lambda.IFunction;

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
   * The handler's exchange audit lines (the `cdk-secured-api/runtime` helpers write one per exchange)
   * are kept as long as the decisions: a handler without a log group of its own gets one with the
   * API's `logRetention` (`SecuredApiAuditLogs`, beside the function, made its `LoggingConfig.LogGroup`);
   * synth fails when its own log group keeps events for less, or cannot be read from the app.
   *
   * No permission is wired: STS needs no AWS credentials, so the handler
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

  /**
   * What serves the route when it is not a Lambda function: an HTTP endpoint
   * (`RouteBackend.http(url)`, https only) or an endpoint behind a VPC link
   * (`RouteBackend.vpcLink(link, url)`). The route is guarded exactly as a Lambda route is; the
   * backend receives the verified caller in `X-Secured-Api-*` headers (see `RouteBackend`). Not
   * with `handler`, nor with `callerRoles` (which are handed to a Lambda handler).
   *
   * @default - none; then `handler` serves the route
   */
  readonly backend?: RouteBackend;
}

/**
 * Properties of a `SecuredApi`. The authorizer options apply to its `TokenAuthorizer`;
 * `logRetention` and `tracing` also to the API's access logs and stage, and `logRetention` to the
 * log groups of its caller-role handlers.
 */
export interface SecuredApiProps extends TokenAuthorizerOptions {
  /**
   * The issuer whose access tokens the API accepts.
   */
  readonly issuer: OidcIssuer;

  /**
   * The API's routes; more can be added with `addRoute`. By synthesis the API needs at least one
   * (synth fails otherwise): API Gateway refuses to deploy a REST API without methods.
   *
   * @default - none yet; add them with `addRoute`
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
   * Cross-origin resource sharing, for browsers on other origins. The API then answers preflights
   * (`OPTIONS`, public, a mock integration that reaches no backend) on every path that has routes,
   * and puts the CORS headers (`Access-Control-Allow-Origin`, `Vary`, and
   * `Access-Control-Allow-Credentials` when allowed) on the responses API Gateway answers itself:
   * 401, 403, authorizer failures, and every other 4XX and 5XX (`DEFAULT_4XX`, `DEFAULT_5XX`:
   * throttling, missing routes, integration errors), so a browser can read their status.
   *
   * What you must still do: API Gateway adds nothing to the responses of proxy integrations, so
   * each Lambda handler (and HTTP backend) must put `Access-Control-Allow-Origin` (the request's
   * origin when it is allowed; and `Access-Control-Allow-Credentials` if set) on its own
   * responses (https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors.html).
   *
   * A route with method `OPTIONS` is refused while CORS is on. An `ANY` route keeps its path's
   * other methods; its `OPTIONS` requests are the preflight's.
   *
   * @default - no CORS: no preflights, no CORS headers
   */
  readonly cors?: SecuredApiCorsOptions;

  /**
   * Whether to create the role API Gateway needs to write access logs (a region-wide account
   * setting, `AWS::ApiGateway::Account`, that AWS allows once per account and region). All the
   * SecuredApis of one account and region share one role and Account, made with the first that
   * wants it, across the stacks of the app (of one CDK Stage), and every stage there that writes
   * access logs waits for it: in its stack, or through a stack dependency on the stack that holds it.
   * Environment-agnostic stacks share one among themselves. Synth fails, with the fix, where one
   * cannot be shared: an environment-agnostic stack beside stacks with an explicit env, two CDK
   * Stages in one account and region, or another Account (a plain `RestApi`'s) there. Set `false`
   * when the account already has one: access logging fails to deploy without it.
   *
   * @default true
   */
  readonly cloudWatchRole?: boolean;

  /**
   * A custom domain name for the API: a regional domain with an ACM certificate, TLS 1.2 or higher,
   * and a base path mapped to the API's stage; optionally the only way in
   * (`disableDefaultEndpoint`). With it, `url` is the domain's URL.
   *
   * @default - no custom domain; the API is reached at its default execute-api endpoint
   */
  readonly domain?: SecuredApiDomainOptions;

  /**
   * An AWS WAF web ACL on the API's stage: AWS's core rule set and a per-IP rate-based rule (more AWS
   * managed rule groups on request), evaluated before the authorizer. Enabled by passing it (`{}`
   * for the defaults); it also answers cdk-nag's `AwsSolutions-APIG3`.
   *
   * @default - no web ACL
   */
  readonly webAcl?: SecuredApiWebAclOptions;

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
   * @default - the defaults in the alarm table of docs/monitoring.md, and no actions
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
   * Per-client quotas: tiers (rate, burst, quota per day, week or month) as API Gateway usage plans,
   * and clients, by the `client_id` claim of their tokens, in tiers. Each declared client gets an
   * API key of its own in its tier's plan, so the tier's limits apply to each client separately;
   * clients not declared share one key of `defaultTier` (so its limits together), or are denied
   * (403, `client_undeclared`) without one. The API's key source is `AUTHORIZER`: the authorizer
   * returns the caller's key as `usageIdentifierKey`, and every guarded route requires it. Public
   * routes run no authorizer, so they are not metered.
   *
   * Usage-plan throttles and quotas are best effort (clients can exceed them): neither a security
   * nor a cost control. Pair them with an AWS WAF rate-based rule on the stage.
   *
   * @default - no quotas: no usage plans or API keys, and the API requires no API key
   */
  readonly quotas?: SecuredApiQuotaOptions;

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

  /**
   * Whether every deployment checks the REST API that API Gateway imported against the routes,
   * before the stage serves it: a custom resource reads the API back through API Gateway's read
   * API (its methods and their authorization, API key requirement and integration, the authorizer,
   * the API key source, the 401 and 403 gateway responses) and fails the deployment, one line per
   * difference, when anything differs (CloudFormation rolls back; the stage keeps serving the old
   * deployment). See docs/rest-api.md, "Checked at every deploy".
   *
   * `DeploymentCheck.skip(reason)` turns it off; the reason is recorded as a synth warning and in
   * the OpenAPI document (`x-cdk-secured-api-deployment-check`). It is the only way: an escape hatch
   * that removes or changes the check, its function's code, or the deployment's dependency on it
   * fails synth.
   *
   * @default DeploymentCheck.verify()
   */
  readonly deploymentCheck?: DeploymentCheck;
}

/**
 * An API Gateway REST API whose every route is guarded by OAuth 2.0 / OIDC access tokens of one
 * issuer, checked per route for scopes (any-of) and claim rules by a `TokenAuthorizer`.
 *
 * The REST API is imported by API Gateway from one OpenAPI definition that the construct writes
 * from the routes (`AWS::ApiGateway::RestApi`'s `Body`, in `overwrite` mode and with
 * `FailOnWarnings`, written in the forms API Gateway's own export writes): each route is an
 * operation of it, not an `AWS::ApiGateway::Method`, and the authorizer, the request validator and
 * the gateway responses are declared in it too. So the stack's resource count does not grow with
 * the routes (each backend function adds one `AWS::Lambda::Permission`, whatever it serves), and
 * 1,000 routes fit in one stack (see the scale figures in docs/performance.md). The stage is redeployed whenever
 * the definition changes.
 *
 * Template size: when the stack's template file, indented as aws-cdk-lib writes it by default,
 * would pass CloudFormation's 1,000,000-character limit and the same template without indentation
 * would not, the API has its stack write it without indentation (an info annotation says so; the
 * stack's `suppressTemplateIndentation: true` makes it explicit); when even that would pass the
 * limit, synth fails saying to move routes or resources to another stack. This is checked when the
 * API's definition is at least a tenth of the limit (about 170 routes with CORS).
 *
 * What this means for code that reaches into `restApi` (a `SpecRestApi`):
 * - methods, resources, stages and deployments cannot be added to it (`root.addResource`,
 *   `addMethod`, `addCorsPreflight`, an L1 `CfnMethod` or `CfnStage`, by `Ref`, `Fn::GetAtt` or a
 *   cross-stack reference): synth fails and says to use `addRoute`;
 * - property overrides of the definition are allowed, but synth fails if one changes the security
 *   of a guarded route, adds an operation, repeats a method or path in another letter case, replaces
 *   the definition (by a string, an intrinsic, a `BodyS3Location`, Swagger 2.0), or changes `Mode`,
 *   `Parameters` or `FailOnWarnings` (the checks read the stack's template as deployed);
 * - the deployment check cannot be switched off by an escape hatch: synth fails if its custom
 *   resource is removed or changed (its type, a `Condition`, `ServiceToken`, `RestApiId`,
 *   `ModelHash`, `Values`), its function runs other code (`Code`, `Handler`, `Runtime`, any
 *   `Environment` or `Layers`), or the REST API's deployment no longer depends on it;
 *   `deploymentCheck: DeploymentCheck.skip(reason)` is the way to deploy without it;
 * - a route's handler cannot reference the API (e.g. `api.url` in its environment): the definition
 *   names the handler, so that would be a circular dependency.
 *
 * Routes are served by Lambda functions through proxy integrations, or by HTTP endpoints
 * (`RouteBackend`). The stage writes JSON access
 * logs to its own log group; execution logging stays off because it can record request headers,
 * tokens included. 401 and 403 responses carry a fixed JSON body that tells the caller nothing about
 * why. The endpoint is regional. API Gateway's default quota of 300 resources (distinct paths and
 * their prefixes) per REST API is reported at synth as a warning, with how to raise it.
 *
 * The construct acknowledges the cdk-nag `AwsSolutionsChecks` findings that hold by design, each on
 * the resource that causes it and with its reason (`Validations.of(...).acknowledge`, recorded in
 * the construct metadata): `AwsSolutions-APIG2` on the REST API (the request validator is declared
 * in its definition), `AwsSolutions-APIG6` on the stage (execution logging is off),
 * `AwsSolutions-IAM4` on the CloudWatch role, through its `TokenAuthorizer`, `AwsSolutions-L1`
 * and X-Ray's `AwsSolutions-IAM5[Resource::*]`, and, on its deployment check, `AwsSolutions-L1` and the
 * `AwsSolutions-IAM5` of `apigateway:GET` on this REST API's ARN followed by `/*`.
 *
 * Every deployment is checked before the stage serves it (`deploymentCheck`): a custom resource reads
 * the imported REST API back from API Gateway and fails the deployment if it differs from the routes.
 *
 * One finding is left to you: `AwsSolutions-APIG3`, no AWS WAF web ACL on the stage. Pass `webAcl`
 * (AWS's core rule set and a per-IP rate limit) and the finding goes away; or associate a web ACL of
 * your own with the stage:
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
  /** The functions serving routes, each allowed once to be invoked by this API. */
  private readonly backends = new Set<lambda.IFunction>();
  private declared?: DeclaredAuthorizer;
  private readonly apiKeyRequired: boolean;
  private readonly description?: string;
  private readonly disableDefaultEndpoint: boolean;
  private readonly issuer: OidcIssuer;
  private _identityProvider?: IOidcIdentityProvider;
  /** resolvedDefinition's answer, once validation has read it. */
  private resolvedDefinitionMemo?: { readonly body: ReturnType<Stack['resolve']> };
  /** The caller roles addCallerRole made, by their environment variable. */
  private readonly callerRoles = new Map<string, FederatedRole>();
  private readonly throttle?: apigateway.ThrottleSettings;
  private readonly cors?: CheckedCors;
  /** The stage's `DeploymentId` as the construct wrote it (a token of its own deployment). */
  private readonly writtenDeploymentId?: string;
  /** Why the deployment check is skipped, when it is. */
  private readonly deploymentCheckSkipped?: string;
  /** The deployment check's parts and what the construct wrote into them, for the guards; absent when it is skipped. */
  private readonly createdDeploymentCheck?: CreatedDeploymentCheck;
  private readonly quotas?: SecuredApiQuotaOptions;
  /** The log groups of the caller-role handlers, kept as long as the decisions. */
  private readonly handlerLogs: HandlerAuditLogs;

  constructor(scope: Construct, id: string, props: SecuredApiProps) {
    super(scope, id);
    const {
      issuer, routes, apiName, description, stageName, throttle, cors, cloudWatchRole, domain, webAcl,
      dashboard, dashboardOptions, alarms, alarmOptions, auditQueries, auditQueryOptions, quotas, identityProvider,
      deploymentCheck, ...authorizerOptions
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
    this.throttle = throttle;
    this.cors = cors === undefined ? undefined : checkCors(this.node.path, cors);

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    });

    this.description = description;
    // The definition is produced at synthesis, once every route is added (the authorizer's identity
    // sources depend on the whole route table).
    const definition = Lazy.any({ produce: () => this.definition() });
    this.restApi = new apigateway.SpecRestApi(this, 'Api', {
      restApiName: name,
      apiDefinition: apigateway.ApiDefinition.fromInline(definition),
      // The definition is the whole API: an update removes what it no longer has (a removed public
      // route must not stay open).
      mode: IMPORT_MODE,
      // An import that drops or misreads part of the definition (API Gateway reports it as a warning
      // and goes on) fails the deployment, and CloudFormation rolls back, instead of deploying
      // another API than the routes describe (API Gateway's default is false).
      // @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigateway-restapi.html#cfn-apigateway-restapi-failonwarnings
      // @see https://docs.aws.amazon.com/apigateway/latest/api/API_PutRestApi.html
      failOnWarnings: true,
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      parameters: { ...IMPORT_PARAMETERS },
      // One role and Account per account and region, shared by its SecuredApis (sharedCloudWatchAccount, below).
      cloudWatchRole: false,
      ...(domain?.disableDefaultEndpoint === true ? { disableExecuteApiEndpoint: true } : {}),
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
    // SpecRestApi does not redeploy when its definition changes; the deployment's logical id does
    // change with it here, so every change of the routes reaches the stage.
    this.restApi.latestDeployment!.addToLogicalId({ definition });
    this.writtenDeploymentId = (this.restApi.deploymentStage.node.defaultChild as apigateway.CfnStage).deploymentId;
    this.url = this.restApi.url;

    // Routes may be added after construction, but the stage renders its method settings at
    // construction: append the routes' throttling lazily.
    const stage = this.restApi.deploymentStage.node.defaultChild as apigateway.CfnStage;
    const stageSettings = stage.methodSettings;
    stage.methodSettings = Lazy.any({
      produce: () => [...(Array.isArray(stageSettings) ? stageSettings : []), ...stageMethodSettings(this.routeSet.routes)],
    }, { omitEmptyArray: true });
    Validations.of(this.restApi.node.defaultChild!).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason: 'Request validation is on: the OpenAPI definition this REST API is imported from declares the request validator "params-and-body" (request parameters and bodies) and makes it the default of every operation (x-amazon-apigateway-request-validator); cdk-nag looks for an AWS::ApiGateway::RequestValidator resource, which an imported definition has no need of.',
    });
    Validations.of(stage).acknowledge({
      id: 'AwsSolutions-APIG6',
      reason: `Execution logging (and data tracing) is off on purpose: API Gateway's execution logs can record request headers, bearer tokens included. Every request is logged as JSON, without headers, to the access log group ${this.accessLogGroup.node.path}.`,
    });
    if (cloudWatchRole ?? true) {
      sharedCloudWatchAccount(this.restApi, this.restApi.node.defaultChild as CfnResource);
    }
    this.disableDefaultEndpoint = domain?.disableDefaultEndpoint === true;
    if (domain) {
      const custom = createCustomDomain(this, this.node.path, this.restApi, domain);
      this.domainName = custom.domain;
      this.url = custom.url;
    }
    if (webAcl) {
      this.webAcl = createStageWebAcl(this, this.node.path, this.restApi.deploymentStage, webAcl).webAcl;
    }

    this.authorizer = new TokenAuthorizer(this, 'Authorizer', {
      ...authorizerOptions,
      issuer,
      serviceName: authorizerOptions.serviceName ?? name,
    });
    // Declared in the definition (a SecuredApi may start with public routes only; it is declared all the same).
    const stageCfn = this.restApi.deploymentStage.node.defaultChild as apigateway.CfnStage;
    this.declared = this.authorizer._declareInDefinition(this.restApi, () => stageCfn.stageName);
    this.routeSet = new RouteSet({
      where: this.node.path,
      issuer,
      authorizerWhere: this.authorizer.node.path,
      preflightOnEveryPath: this.cors !== undefined,
      callerRoleEnv: (role) => [...this.callerRoles].find(([, r]) => r === role)?.[0],
      checkBackend: (route, what) => httpProxyIntegration(what, route.backend!, route.method, route.resource, route.isPublic),
      checkGuardedRouteCanBeAdded: (route) => this.authorizer._checkRouteCanBeAdded(route),
    });
    this.authorizer._readRoutesFrom(() => this.routeSet.guardedRoutes());
    this.apiKeyRequired = quotas !== undefined;
    this.quotas = quotas;
    if (quotas) {
      const clients = Array.isArray(quotas.clients) ? quotas.clients.length : 0;
      if (issuer.profile.clientClaims.length === 0 && clients > 0) {
        throw new Error(`${this.node.path}: quotas declare ${clients} client(s), but ${issuer.name} tokens name no OAuth client (the issuer profile's clientClaims is empty), so every token would be an undeclared client; `
          + 'meter by tier alone (quotas with a defaultTier and no clients), or name the claim your tokens carry the client in with the issuer\'s clientClaims option.');
      }
      this.authorizer._meterByUsageKeys(createQuotas(this, this.restApi, quotas).usageKeys);
    }
    const check = deploymentCheck ?? DeploymentCheck.verify();
    if (check.skipReason === undefined) {
      this.createdDeploymentCheck = createDeploymentCheck(this, {
        restApi: this.restApi,
        definition: () => this.definition(),
        logRetention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      });
      this.deploymentCheck = this.createdDeploymentCheck.resource;
    } else {
      const reason = check.skipReason;
      if (typeof reason !== 'string' || Token.isUnresolved(reason) || reason.trim() === '') {
        throw new Error(`${this.node.path}: deploymentCheck is DeploymentCheck.skip(${JSON.stringify(reason)}), without a reason; say why this API may be deployed without checking it against its routes, e.g. DeploymentCheck.skip('LocalStack has no API Gateway read API'), or leave deploymentCheck out to keep the check.`);
      }
      this.deploymentCheckSkipped = reason;
      Annotations.of(this).addWarningV2('cdk-secured-api:deploymentCheckSkipped',
        `The deployment check is skipped (${reason}): deployments of this REST API are not read back from API Gateway and compared with the routes before the stage serves them. Remove deploymentCheck: DeploymentCheck.skip(...) to check them.`);
    }
    Aspects.of(this).add({
      visit: (node: IConstruct) => {
        if (node === this) {
          this.warnOfResourceQuota();
        }
      },
    });
    this.node.addValidation({ validate: () => this.noRoutes() });
    this.node.addValidation({ validate: () => this.guardDeployedApi() });
    this.node.addValidation({ validate: () => this.fitTemplate() });
    this.handlerLogs = new HandlerAuditLogs(this.node.path, props.logRetention ?? logs.RetentionDays.ONE_YEAR);
    this.node.addValidation({ validate: () => this.handlerLogs.validate() });
    // The OpenAPI document goes next to the template, in the assembly (nested, in a Stage) being written.
    attachCustomSynthesis(this, {
      onSynthesize: (session) => {
        fs.writeFileSync(path.join(session.outdir, this.openApiFileName), this.renderOpenApi());
        const review = this.renderAccessReview();
        fs.writeFileSync(path.join(session.outdir, this.accessReviewFileName), review);
        fs.writeFileSync(path.join(session.outdir, this.accessReviewFileName.replace(/\.json$/, '.md')), accessReviewMarkdown(JSON.parse(review)));
      },
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
    this.auditQueries?.addExchangeQueries();
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
   * Adds a route: an operation of the REST API's definition served by `route.handler` through a
   * Lambda proxy integration (or by `route.backend` through an HTTP proxy integration), guarded by
   * the authorizer unless `route.public` is set.
   *
   * The handler is allowed to be invoked by this API once, however many routes it serves (one
   * `AWS::Lambda::Permission` per function, for any method and path of this API).
   */
  public addRoute(route: SecuredApiRoute): void {
    const record = this.routeSet.add(route);
    const what = `${this.node.path}: route ${record.method} ${record.resource}`;
    if (record.handler && !this.backends.has(record.handler)) {
      this.backends.add(record.handler);
      // One permission per function for this API, rather than one per route: a function serving
      // many routes would otherwise outgrow Lambda's 20 KB resource policy, and the stack its
      // 500 resources.
      this.allowInvoke(record.handler);
    }
    for (const { envName, role } of record.callerRoles) {
      handCallerRole(what, record.handler!, role, envName, this.issuer.profile.clientClaims);
    }
    if (record.callerRoles.length > 0) this.handlerLogs.add(record.handler!);
  }

  /**
   * Lets this API invoke a backend function, for any method and path of it. The permission of a
   * function in another stack is made in this stack, beside the definition that names the function:
   * made in the function's stack it would refer back to the API, a circular dependency between the
   * two stacks.
   */
  private allowInvoke(fn: lambda.IFunction): void {
    const sourceArn = this.restApi.arnForExecuteApi('*', '/*', '*');
    const principal = new iam.ServicePrincipal('apigateway.amazonaws.com');
    if (fn.node.defaultChild instanceof lambda.CfnFunction && Stack.of(fn) !== Stack.of(this)) {
      const scope = this.node.tryFindChild('BackendPermissions') ?? new Construct(this, 'BackendPermissions');
      new lambda.CfnPermission(scope, Names.uniqueId(fn), {
        action: 'lambda:InvokeFunction',
        functionName: fn.functionArn,
        principal: principal.service,
        sourceArn,
      });
    } else {
      fn.addPermission(`InvokedBy${Names.uniqueId(this)}`, { principal, sourceArn });
    }
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

  /**
   * The REST API's definition (its `Body`), from the routes added so far. Reading it compiles the
   * authorizer's route table, so it is read at synthesis only (through a lazy value).
   */
  private definition(): { [key: string]: unknown } {
    const stack = Stack.of(this);
    const declared = this.declared!;
    return restApiDefinition({
      title: this.restApi.restApiName,
      version: '1',
      description: this.description,
      identitySources: declared.identitySources(),
      resultsCacheTtlSeconds: declared.resultsCacheTtlSeconds,
      authorizerUri: invocationUriOf(stack, this.authorizer.function),
      routes: this.routeSet.routes.map((r) => ({
        method: r.method,
        resource: r.resource,
        isPublic: r.isPublic,
        integrationUri: r.handler ? invocationUriOf(stack, r.handler) : undefined,
        integration: r.backend ? httpProxyIntegration(`${this.node.path}: route ${r.method} ${r.resource}`, r.backend, r.method, r.resource, r.isPublic) : undefined,
      })),
      cors: this.cors,
      ...(this.apiKeyRequired ? { apiKeyRequired: true } : {}),
      disableExecuteApiEndpoint: this.disableDefaultEndpoint || undefined,
    });
  }

  /**
   * API Gateway allows 300 resources (path segments, the root included) per REST API by default;
   * more fail the deployment unless the quota was raised for the account.
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html
   */
  private warnOfResourceQuota(): void {
    const resources = new Set<string>(['/']);
    for (const route of this.routeSet.routes) {
      const segments = route.resource.split('/').filter(Boolean);
      segments.forEach((_, i) => resources.add('/' + segments.slice(0, i + 1).join('/')));
    }
    if (resources.size > RESOURCES_PER_API) {
      Annotations.of(this).addWarningV2('cdk-secured-api:resourcesPerApi',
        `The REST API has ${resources.size} API Gateway resources (distinct paths and their prefixes, the root included), over API Gateway's default quota "Resources per API" of ${RESOURCES_PER_API}: the deployment fails unless the quota is raised. Request an increase in the Service Quotas console (Amazon API Gateway, "Resources per API") before deploying, or spread the routes over fewer paths or more than one SecuredApi.`);
    }
  }

  /**
   * The file name of the API's OpenAPI document, `<stack artifact id>.<construct path below the
   * stack, '/' as '.'>.openapi.json`, which synthesis writes next to the stack's template in the
   * cloud assembly (`cdk.out`).
   */
  public get openApiFileName(): string {
    return `${this.assemblyFilePrefix()}.openapi.json`;
  }

  /**
   * The file name of the API's access review, `<stack artifact id>.<construct path below the stack,
   * '/' as '.'>.access-review.json`, which synthesis writes next to the stack's template in the
   * cloud assembly (`cdk.out`), with the same review as Markdown beside it (`.access-review.md`).
   */
  public get accessReviewFileName(): string {
    return `${this.assemblyFilePrefix()}.access-review.json`;
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
    return JSON.stringify(accessReview({
      api: this,
      apiName: this.restApi.restApiName,
      issuer: this.issuer,
      routes: this.routeSet.routes.map((r) => ({
        method: r.method,
        resource: r.resource,
        scopes: r.scopes,
        claimRules: r.claimRules,
        isPublic: r.isPublic,
        throttle: r.throttle,
        handler: r.handler,
        backendUrl: r.backend?._url,
        callerRoleEnvs: r.callerRoles.map((c) => c.envName),
      })),
      callerRoles: this.callerRoles,
      quotas: this.quotas,
      deploymentCheckSkipped: this.deploymentCheckSkipped,
      handlerLogGroups: this.handlerLogs.logGroupNames,
    }), undefined, 2) + '\n';
  }

  /**
   * The log groups the handlers of caller-role routes write their exchange audit lines to.
   * @internal
   */
  public get _exchangeLogGroupNames(): string[] {
    return [...this.handlerLogs.logGroupNames.values()];
  }

  /**
   * The ARNs of the caller roles made so far.
   * @internal
   */
  public get _callerRoleArns(): string[] {
    return [...this.callerRoles.values()].map((role) => role.roleArn);
  }

  /**
   * How long the API keeps its audit logs (its `logRetention`).
   * @internal
   */
  public get _auditRetention(): logs.RetentionDays {
    return this.handlerLogs.retention;
  }

  /** `<stack artifact id>.<construct path below the stack, '/' as '.'>`, for the files written beside the template. */
  private assemblyFilePrefix(): string {
    const stack = Stack.of(this);
    const below = this.node.scopes.slice(stack.node.scopes.length).map((c) => c.node.id.replace(/[^A-Za-z0-9_-]/g, '_'));
    return `${stack.artifactId}.${below.join('.')}`;
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
    // The authorizer's own table compiles once, freezing its routes; compile a copy, so that this may run before the last route.
    const identitySources = ['method.request.header.Authorization'];
    if (compileRouteTable(this.routeSet.guardedRoutes()).cacheMode === 'route') {
      identitySources.push('context.httpMethod', 'context.resourcePath');
    }
    const description: unknown = stack.resolve(this.description);
    const document = openApiDocument({
      title: literal(this.restApi.restApiName, this.node.path),
      description: typeof description === 'string' ? description : undefined,
      issuerUrl: literal(this.issuer.issuerUrl, 'https://issuer-known-at-deployment.invalid'),
      audiences: this.issuer.audiences.filter((a) => !Token.isUnresolved(a)),
      identitySources,
      resultsCacheTtlSeconds: this.declared!.resultsCacheTtlSeconds,
      stageName: literal((this.restApi.deploymentStage.node.defaultChild as apigateway.CfnStage).stageName, 'prod'),
      region: Token.isUnresolved(stack.region) ? undefined : stack.region,
      throttle: this.throttle,
      routes: this.routeSet.routes.map(({ method, resource, scopes, claimRules, isPublic, throttle }) =>
        ({ method, resource, scopes, claimRules, isPublic, throttle })),
      deploymentCheckSkipped: this.deploymentCheckSkipped,
    });
    return JSON.stringify(document, undefined, 2) + '\n';
  }

  /**
   * A REST API without methods cannot be deployed: API Gateway's CreateDeployment answers
   * `BadRequestException: The REST API doesn't contain any methods` (as aws-cdk-lib's own `RestApi`
   * validation says, aws-apigateway/lib/restapi.ts `validateRestApi`; reported in e.g.
   * https://github.com/cloudtools/troposphere/issues/496), so the stack would fail halfway through.
   */
  private noRoutes(): string[] {
    return this.routeSet.routes.length > 0 ? [] : [`${this.node.path} has no routes, and API Gateway refuses to deploy a REST API without methods ("The REST API doesn't contain any methods"); `
      + 'add routes with the routes prop or addRoute() (e.g. { method: HttpMethod.GET, path: \'/health\', handler, public: true } while the API has nothing else to serve).'];
  }

  /**
   * The stack's template file within CloudFormation's limit: written without indentation when only
   * indentation keeps it out (`private/template-size`), refused with the fix when even that cannot.
   */
  private fitTemplate(): string[] {
    // Rendering the whole template costs about as much as the stack's own synthesis; it is done only
    // when this API's definition is a tenth of the limit or more (about 170 routes with CORS). A stack
    // made large by other resources gets aws-cdk-lib's own warning (`@aws-cdk/core:Stack.templateSize`).
    const stack = Stack.of(this);
    if (JSON.stringify(this.resolvedDefinition()).length < FIT_TEMPLATE_FROM_DEFINITION_CHARS) return [];
    const fit = fitTemplate(stack);
    return fit.kind !== 'too-large' ? [] : [`${this.node.path}: the template of its stack would be ${fit.bytes.toLocaleString('en-US')} characters`
      + `${fit.indentedBytes !== undefined && fit.indentedBytes !== fit.bytes ? ` (${fit.indentedBytes.toLocaleString('en-US')} indented)` : ''}, over CloudFormation's 1,000,000-byte template limit, and CloudFormation would refuse it at deployment; ${fit.fix}.`];
  }

  /**
   * What breaks "public: true is the one way to open a route" in the API as it will be deployed: the
   * guards of `api/guards` (one per risk) over the REST API's resource as its stack's template will
   * hold it (property overrides and escape hatches included, which the typed properties do not show)
   * and over the resources of the stacks deployed with it that could add to it.
   */
  private guardDeployedApi(): string[] {
    const stack = Stack.of(this);
    const cfnApi = this.restApi.node.defaultChild as apigateway.CfnRestApi;
    const logicalId: string = stack.resolve(cfnApi.logicalId);
    const app = new DeployedApp(stack, logicalId);
    const ownStage = this.restApi.deploymentStage.node.defaultChild as apigateway.CfnStage;
    const ownDeployment = this.restApi.latestDeployment?.node.defaultChild as apigateway.CfnDeployment | undefined;
    return checkDeployedApi({
      path: this.node.path,
      restApiPath: cfnApi.node.path,
      properties: resolvedProperties(cfnApi),
      written: { body: this.resolvedDefinition(), mode: IMPORT_MODE, parameters: IMPORT_PARAMETERS },
      app,
      restApi: this.restApi,
      transforms: templateTransforms(stack),
      ownStage: { path: ownStage.node.path, ...stageAsDeployed(ownStage, this.writtenDeploymentId) },
      own: [ownStage, ownDeployment].filter((c): c is apigateway.CfnStage | apigateway.CfnDeployment => c !== undefined),
      ...(this.createdDeploymentCheck ? { deploymentCheck: deploymentCheckAsDeployed(this, this.createdDeploymentCheck, ownDeployment) } : {}),
    });
  }
}

/** The template-level transforms of a stack: `transforms`, and the older single `transform` that synthesis still reads. */
function templateTransforms(stack: Stack): string[] {
  const { transform } = stack.templateOptions as { transform?: string };
  return [...(transform ? [transform] : []), ...(stack.templateOptions.transforms ?? [])];
}

/**
 * The invocation URI of a function, as short as the template can hold it: one `Fn::Sub` string
 * naming the function's logical id when it is a function of this stack (about a third of the
 * `Fn::Join` a token string resolves to; the definition holds one per route), else the ARN as
 * given (a literal, or a cross-stack reference that CDK resolves).
 */
function invocationUriOf(stack: Stack, fn: lambda.IFunction): unknown {
  const cfn = fn.node.defaultChild;
  if (cfn instanceof lambda.CfnFunction && Stack.of(cfn) === stack) {
    return Fn.sub(lambdaInvocationUri('${AWS::Partition}', '${AWS::Region}', `\${${cfn.logicalId}.Arn}`));
  }
  return lambdaInvocationUri(stack.partition, stack.region, fn.functionArn);
}

/**
 * How the definition is imported: `overwrite`, so that an update removes what the definition no
 * longer has (a removed public route must not stay open).
 */
const IMPORT_MODE = apigateway.RestApiMode.OVERWRITE;

/**
 * The import parameters, the only ones the guards allow. API Gateway reads the endpoint type of an
 * imported definition from `endpointConfigurationTypes`.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/import-export-api-endpoints.html
 */
const IMPORT_PARAMETERS: Readonly<Record<string, string>> = { endpointConfigurationTypes: 'REGIONAL' };

/** API Gateway's default quota of resources per REST API (adjustable). */
const RESOURCES_PER_API = 300;
/** The size of a definition (compact JSON) from which its API makes its stack's template fit (`fitTemplate`): a tenth of the limit. */
const FIT_TEMPLATE_FROM_DEFINITION_CHARS = TEMPLATE_BODY_MAXIMUM_SIZE / 10;

/** The stage's method settings of the routes with a throttle of their own. */
function stageMethodSettings(routes: readonly RouteRecord[]): apigateway.CfnStage.MethodSettingProperty[] {
  return routes.filter((r) => r.throttle !== undefined).map((r) => ({
    httpMethod: r.method === 'ANY' ? '*' : r.method,
    resourcePath: r.resource === '/' ? '/' : '/' + r.resource.replace(/\//g, '~1'),
    loggingLevel: 'OFF',
    dataTraceEnabled: false,
    metricsEnabled: false,
    ...checkThrottle('', '', r.throttle!),
  }));
}
