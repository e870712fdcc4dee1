// What a SecuredHttpApi is made from.
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { SecuredApiCorsOptions } from '../api/cors-options';
import { DeploymentCheck } from '../api/deployment-check';
import { SecuredApiDomainOptions } from '../api/domain-options';
import { SecuredApiQuotaOptions } from '../api/quota-options';
import { SecuredApiWebAclOptions } from '../api/web-acl-options';
import { TokenAuthorizerOptions } from '../authorizer/token-authorizer';
import { IOidcIdentityProvider } from '../identity/oidc-identity-provider';
import { OidcIssuer } from '../identity/oidc-issuer';
import { SecuredApiAuditQueriesOptions } from '../monitoring/audit-queries';
import { SecuredApiAlarmsOptions } from '../monitoring/secured-api-alarms';
import { SecuredApiDashboardOptions } from '../monitoring/secured-api-dashboard';
import { SecuredApiRoute } from '../secured-api-props';

/**
 * Properties of a `SecuredHttpApi`. The authorizer options apply to its Lambda authorizer (the
 * routes the native JWT authorizer cannot guard); `logRetention` also to the stage's access logs and
 * the log groups of its caller-role handlers.
 *
 * `quotas` and `webAcl` are there so that props written for a `SecuredApi` fail with the reason:
 * HTTP APIs have no usage plans or API keys, and no AWS WAF association. Synth fails when either is set.
 */
export interface SecuredHttpApiProps extends TokenAuthorizerOptions {
  /** The issuer whose access tokens the API accepts. */
  readonly issuer: OidcIssuer;

  /**
   * The API's routes; more can be added with `addRoute`. A route's `backend` may be
   * `RouteBackend.http(url)` or `RouteBackend.privateIntegration(...)`; `RouteBackend.vpcLink(...)`
   * (a REST API VPC link) is refused.
   *
   * @default - none yet; add them with `addRoute`
   */
  readonly routes?: SecuredApiRoute[];

  /**
   * The HTTP API's name.
   *
   * @default - a name unique to this construct in the app
   */
  readonly apiName?: string;

  /**
   * The HTTP API's description.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * The name of the stage (part of its URL). It serves the deployment the deploy-time check passed
   * (`deploymentCheck`); with `DeploymentCheck.skip(...)` it deploys every change automatically.
   *
   * @default 'prod'
   */
  readonly stageName?: string;

  /**
   * Throttling for every route of the stage (a route's own `throttle` replaces it, as HTTP API route
   * settings).
   *
   * @default - API Gateway's account-level limits
   */
  readonly throttle?: apigateway.ThrottleSettings;

  /**
   * Cross-origin resource sharing, as the HTTP API's own CORS configuration: API Gateway answers
   * preflights itself and puts the CORS headers on every response, the backends' included.
   *
   * @default - no CORS
   */
  readonly cors?: SecuredApiCorsOptions;

  /**
   * A custom domain name for the API (a regional domain with an ACM certificate, TLS 1.2), mapped to
   * its stage under `basePath`; optionally the only way in (`disableDefaultEndpoint`).
   *
   * @default - no custom domain
   */
  readonly domain?: SecuredApiDomainOptions;

  /**
   * The most routes the API may have: API Gateway's routes-per-API quota, which AWS raises per API
   * on request (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html).
   * Raise it only once the API's quota is raised: synth fails above it.
   *
   * @default 300
   */
  readonly maxRoutes?: number;

  /**
   * Whether every route uses the Lambda authorizer, even those the native JWT authorizer could
   * guard (to have every decision in the audit log, by reason, and the same context on every route).
   *
   * @default false
   */
  readonly forceLambdaAuthorizer?: boolean;

  /**
   * Whether to create a `SecuredApiDashboard` for the API.
   *
   * @default true
   */
  readonly dashboard?: boolean;

  /**
   * Options for the dashboard.
   *
   * @default - a dashboard with a generated name, 5-minute metrics, no extra widgets
   */
  readonly dashboardOptions?: SecuredApiDashboardOptions;

  /**
   * Whether to create the API's `SecuredApiAlarms`.
   *
   * @default true
   */
  readonly alarms?: boolean;

  /**
   * Options for the alarms.
   *
   * @default - the defaults in the alarm table of docs/monitoring.md, and no actions
   */
  readonly alarmOptions?: SecuredApiAlarmsOptions;

  /**
   * Whether to save the audit trail's Logs Insights queries (`SecuredApiAuditQueries`).
   *
   * @default true
   */
  readonly auditQueries?: boolean;

  /**
   * Options for the saved audit queries.
   *
   * @default - listed under `cdk-secured-api/<api name>/`
   */
  readonly auditQueryOptions?: SecuredApiAuditQueriesOptions;

  /**
   * The IAM OIDC provider of the API's issuer that caller roles trust, when it already exists.
   *
   * @default - one is created with the first caller role
   */
  readonly identityProvider?: IOidcIdentityProvider;

  /**
   * Not supported by HTTP APIs (no usage plans or API keys): synth fails when it is set.
   *
   * @default - none
   */
  readonly quotas?: SecuredApiQuotaOptions;

  /**
   * Not supported by HTTP APIs (AWS WAF cannot be associated with an HTTP API stage): synth fails
   * when it is set.
   *
   * @default - none
   */
  readonly webAcl?: SecuredApiWebAclOptions;

  /**
   * Whether every deployment is read back from API Gateway (routes, authorizers, integrations) and
   * compared with the routes before the stage serves it; see docs/http-api.md, "Checked at every deploy".
   *
   * @default DeploymentCheck.verify()
   */
  readonly deploymentCheck?: DeploymentCheck;
}
