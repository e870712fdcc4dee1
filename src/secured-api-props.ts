// What a SecuredApi is made from: its routes and its properties.
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { RouteBackend } from './api/backend';
import { SecuredApiCorsOptions } from './api/cors-options';
import { DeploymentCheck } from './api/deployment-check';
import { SecuredApiDomainOptions } from './api/domain-options';
import { SecuredApiQuotaOptions } from './api/quota-options';
import { SecuredApiWebAclOptions } from './api/web-acl-options';
import { RouteAuthorization } from './authorizer/route';
import { TokenAuthorizerOptions } from './authorizer/token-authorizer';
import { IOidcIdentityProvider } from './identity/oidc-identity-provider';
import { OidcIssuer } from './identity/oidc-issuer';
import { SecuredApiAuditQueriesOptions } from './monitoring/audit-queries';
import { SecuredApiAlarmsOptions } from './monitoring/secured-api-alarms';
import { SecuredApiDashboardOptions } from './monitoring/secured-api-dashboard';
import { FederatedRole } from './roles/federated-role';

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
   * `SECURED_API_CALLER_ROLE_ARN_<NAME>` (`SecuredApi.callerRoleArnEnv(id)`), and, while the handler
   * has exactly one caller role (over all its routes), also as `SECURED_API_CALLER_ROLE_ARN`. No IAM
   * permission is wired (STS needs none). The handler's log group keeps its exchange audit lines as
   * long as the API's `logRetention`: one is made for a handler without its own, and synth fails when
   * its own keeps events for less.
   *
   * The handler must be a `lambda.Function` (or `SingletonFunction`); the route may not be public nor
   * have a `backend`. See docs/federation.md, "Roles for callers", in the repository.
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
   * and puts the CORS headers on the responses API Gateway answers itself (401, 403, authorizer
   * failures, every other 4XX and 5XX). Handlers and HTTP backends must still put
   * `Access-Control-Allow-Origin` on their own responses: see docs/securing-an-api.md, "Browsers
   * (CORS)", in the repository. A route with method `OPTIONS` is refused while CORS is on.
   *
   * @default - no CORS: no preflights, no CORS headers
   */
  readonly cors?: SecuredApiCorsOptions;

  /**
   * Whether to create the role API Gateway needs to write access logs (`AWS::ApiGateway::Account`,
   * a setting of the account and region), shared by every SecuredApi of the app there. Set `false`
   * when the account already has one: access logging fails to deploy without it. When one cannot be
   * shared, synth fails with the fix: see docs/deploying.md in the repository.
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
   * and clients, by the `client_id` claim of their tokens, in tiers; each declared client gets an API
   * key of its own, returned by the authorizer and required by every guarded route; clients not
   * declared share `defaultTier`'s key, or are denied (403, `client_undeclared`) without one. Public
   * routes are not metered. Usage-plan throttles and quotas are best effort (clients can exceed
   * them): neither a security nor a cost control; pair them with an AWS WAF rate-based rule on the
   * stage. See docs/securing-an-api.md, "Per-client quotas", in the repository.
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
   * Whether every deployment checks the REST API that API Gateway imported against the routes
   * before the stage serves it (a custom resource reads it back and fails the deployment on any
   * difference), or skips the check for a reason (`DeploymentCheck.skip(reason)`, recorded as a
   * synth warning and in the OpenAPI document). An escape hatch that removes or changes the check
   * fails synth. See docs/rest-api.md, "Checked at every deploy", in the repository.
   *
   * @default DeploymentCheck.verify()
   */
  readonly deploymentCheck?: DeploymentCheck;
}
