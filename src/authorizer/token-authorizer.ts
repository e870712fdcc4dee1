import * as fs from 'node:fs';
import * as path from 'node:path';
import { Aspects, Duration, Lazy, Names, Stack, Token, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3_assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct, IConstruct } from 'constructs';
import { withIssuerRequirements } from './caller-identity';
import {
  API_GATEWAY_AUTHORIZER_KEYS, AuthorizerConfigFile, IssuerProfileConfig, UsageKeysConfig, CONTEXT_KEYS,
  DEFAULT_CLOCK_TOLERANCE_SECONDS, DEFAULT_DECISION_CACHE_ENTRIES, DEFAULT_JWKS,
  DEFAULT_MAX_TOKEN_BYTES, DEFAULT_METRICS_NAMESPACE, DIMENSION_DECISION, DIMENSION_REASON, DIMENSION_SERVICE, ENV_AUDIENCES, ENV_ISSUER,
  ENV_JWKS_URI, METRIC_DECISION_LATENCY, METRIC_DECISIONS, METRIC_JWKS_FETCH_FAILURES, METRIC_JWKS_FETCHES,
} from './contract';
import { DeclaredAuthorizer } from './declared-authorizer';
import { DecisionMetricOptions, DecisionReason, IDecisionMetrics } from './metrics';
import { RouteAuthorization } from './route';
import { CheckedRoute, checkRoute, checkRouteSet, CompiledRouteTable, compileRouteTable } from './route-table';
import { ruleMessages, TOKEN_AUTHORIZER_RULES, TokenAuthorizerSubject } from './rules';
import { validationError } from '../errors';
import { OidcIssuer } from '../identity/oidc-issuer';
import { StagedCode, stageFunctionAsset } from './private/staged-asset';

/** Where `npx projen bundle` puts the authorizer bundle; the same relative path from src/ and lib/. */
const BUNDLE_DIR = path.join(__dirname, '..', '..', 'assets', 'authorizer', 'token-authorizer.lambda');


/**
 * The longest each part of `arn:<partition>:execute-api:<region>:<account>:<api id>/<stage>/` can
 * be when it is not known at synth: `aws-us-gov` is the longest partition, region names are at most
 * 14 characters today (`ap-southeast-7`; 20 leaves room), account IDs 12 digits, REST API IDs 10
 * characters, and stage names at most 128.
 */
const WORST_CASE_ARN_PARTS = { partition: 10, region: 20, account: 12, apiId: 10, stage: 128 };

/** What Lambda's active tracing grants: X-Ray offers no resource-level permissions for these. */
const XRAY_WRITE_ACTIONS = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];

/**
 * How the authorizer fetches the issuer's signing keys (JWKS).
 */
export interface JwksOptions {
  /**
   * The longest a JWKS fetch may take, from connect to last byte. At most 10 seconds: a slow key
   * endpoint must not hold requests for long, and the last good keys are kept meanwhile.
   *
   * @default Duration.seconds(3)
   */
  readonly timeout?: Duration;

  /**
   * The shortest time between two refetches triggered by a token with an unknown `kid`, so that
   * tokens with made-up key IDs cannot turn the authorizer against the issuer's endpoint.
   *
   * @default Duration.seconds(30)
   */
  readonly cooldown?: Duration;

  /**
   * The largest JWKS response body accepted, in bytes.
   *
   * @default 65536
   */
  readonly maxBytes?: number;
}

/**
 * Options of a `TokenAuthorizer`, also accepted by `SecuredApi`.
 */
export interface TokenAuthorizerOptions {
  /**
   * How long API Gateway caches a decision for the same token (and, when the route table needs it,
   * the same route). `Duration.seconds(0)` disables the cache. At most one hour.
   *
   * API Gateway caches the policy for the TTL whatever the token's `exp` says: a token keeps
   * working through this cache for up to the TTL past its `exp`, and a token revoked at the issuer
   * keeps working for up to this long. The authorizer's own decision cache never outlives `exp`, and
   * the token's `exp` reaches backends in the context (`exp`, epoch seconds) so that a backend that
   * must not act on an expired token can check it. Lower the TTL (or set `Duration.seconds(0)`) where
   * that window matters more than the authorizer's invocations.
   *
   * @default Duration.minutes(5)
   */
  readonly resultsCacheTtl?: Duration;

  /**
   * The clock skew tolerated when checking `exp`, `nbf` and `iat`. At most 5 minutes.
   *
   * @default Duration.seconds(30)
   */
  readonly clockTolerance?: Duration;

  /**
   * The oldest a token may be, by its `iat` claim; tokens without `iat` are then refused.
   *
   * @default - no limit beyond the token's own `exp`
   */
  readonly maxTokenAge?: Duration;

  /**
   * The JWT `typ` header every token must carry, e.g. `at+jwt` for RFC 9068 access tokens
   * (`application/at+jwt` is accepted as the same), which keeps ID tokens of the same issuer out.
   *
   * @default - `typ` is not checked
   */
  readonly requiredTokenType?: string;

  /**
   * Further top-level claims to pass to the backend in the authorizer context (when the claim is a
   * string, number or boolean), beside `sub`, `clientId`, `scopes`, `issuer` and `exp`. Refused at
   * synth, in any letter case: those five, and the names API Gateway gives under
   * `$context.authorizer` itself (`principalId`, `claims`, `error`, `integrationLatency`,
   * `integrationStatus`, `latency`, `requestId`, `status`).
   *
   * @default - none
   */
  readonly contextClaims?: string[];

  /**
   * How the issuer's signing keys are fetched.
   *
   * @default - a 3 second timeout, a 30 second cooldown, and a 64 KiB cap
   */
  readonly jwks?: JwksOptions;

  /**
   * How many decisions each authorizer instance keeps in memory (for tokens API Gateway's cache does
   * not hold, e.g. on other routes in `route` cache mode). 0 disables it.
   *
   * Entries are keyed by the token's SHA-256 and hold derived facts only (never the token), and
   * their estimated size is also capped at an eighth of the function's `memorySize`, so large
   * tokens evict older entries before this count is reached.
   *
   * @default 10000
   */
  readonly decisionCacheSize?: number;

  /**
   * The CloudWatch namespace of the authorizer's metrics.
   *
   * @default 'SecuredApi'
   */
  readonly metricsNamespace?: string;

  /**
   * The value of the `Service` dimension of the authorizer's metrics.
   *
   * @default - for a `SecuredApi`, the API's name; otherwise a name unique to this construct
   */
  readonly serviceName?: string;

  /**
   * The authorizer function's memory, in MiB.
   *
   * Lambda allocates CPU in proportion to memory, and the authorizer's work (signature verification,
   * module load at a cold start) is CPU-bound while its heap stays small; 256 MiB buys twice the CPU
   * share of 128 MiB for latency that sits in front of every uncached request.
   *
   * @default 256
   */
  readonly memorySize?: number;

  /**
   * How long the authorizer's logs (one audit line per decision) are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Whether X-Ray active tracing is on for the authorizer (and, in a `SecuredApi`, the stage).
   *
   * @default true
   */
  readonly tracing?: boolean;

  /**
   * Concurrency reserved for the authorizer function, so that other functions of the account cannot
   * starve it (and it cannot scale past this).
   *
   * @default - no reserved concurrency: the function shares the account's unreserved pool
   */
  readonly reservedConcurrency?: number;
}

/**
 * Properties of a `TokenAuthorizer`.
 */
export interface TokenAuthorizerProps extends TokenAuthorizerOptions {
  /**
   * The issuer whose access tokens are accepted.
   *
   * The authorizer reads a token's client, scopes and kind as the issuer's profile
   * (`issuer.profile`) says. When whoever requests a token chooses its audience (Google, GitHub
   * Actions, GitLab), every guarded route must have a claim rule that pins the caller (e.g.
   * `ClaimRule.equalTo('repository', 'my-org/my-repo')`); a route without one is refused, as is a
   * route with scopes when the issuer's tokens grant none. Where the profile has a token-kind claim
   * (Cognito's `token_use` = `access`, Entra ID's `ver` = `2.0`), every other token is refused
   * (401 `token_kind_mismatch`).
   */
  readonly issuer: OidcIssuer;

  /**
   * The routes guarded by this authorizer and what each requires; more can be added with `addRoute`.
   * Every API Gateway method that uses the authorizer must be one of them.
   *
   * @default - none yet
   */
  readonly routes?: RouteAuthorization[];
}

/**
 * A Lambda REQUEST authorizer for API Gateway REST APIs that validates OAuth 2.0 / OIDC access
 * tokens (JWTs) of one issuer and decides per route by scopes and claim rules.
 *
 * Use it through `SecuredApi`, or on its own: pass `authorizer` to the methods of an existing
 * `RestApi`, and register each of those methods with `addRoute`, because the authorizer decides by
 * its route table (synth fails if a method using the authorizer is not in it).
 *
 * The issuer, audiences and JWKS URI are the function's environment (they may be tokens); all other
 * settings and the route table are written, at synth time, into `config.json` beside the bundled
 * handler in the function's own asset, so the asset in `cdk.out` with those three values runs anywhere.
 *
 * The function runs on Node.js 22 on ARM64 (Graviton: lower price per GB-second than x86_64 for
 * this pure-JavaScript handler), with an explicit log group and a role that may write only to it.
 *
 * It acknowledges, with `Validations.of(...).acknowledge` and a reason on each, the cdk-nag
 * AwsSolutions findings that are true of it by design: `AwsSolutions-COG4` on every API Gateway
 * method that uses it (it is an OIDC authorizer, not a Cognito one), `AwsSolutions-L1` on its
 * function (Node.js 22 is pinned to match the bundle), and `AwsSolutions-IAM5[Resource::*]` on its
 * role's policy as long as the only grants on `*` there are X-Ray's (active tracing).
 */
export class TokenAuthorizer extends Construct implements IDecisionMetrics {

  /** The authorizer function. */
  public readonly function: lambda.IFunction;

  /** The log group of the authorizer function: one JSON audit line per decision. */
  public readonly logGroup: logs.ILogGroup;

  /** The issuer whose tokens are accepted. */
  public readonly issuer: OidcIssuer;

  /** The CloudWatch namespace of the authorizer's metrics. */
  public readonly metricsNamespace: string;

  /** The value of the `Service` dimension of the authorizer's metrics. */
  public readonly serviceName: string;

  private readonly settings: Settings;
  private readonly handler: lambda.Function;
  private readonly role: iam.Role;
  /** The AWS::ApiGateway::Authorizer, made when `authorizer` is first read. */
  private requestAuthorizer?: apigateway.RequestAuthorizer;
  /** The REST APIs whose OpenAPI definition declares this authorizer (a SecuredApi's), with their stage names. */
  private readonly definitions: Array<{ readonly api: apigateway.IRestApi; readonly stageName: () => string | undefined }> = [];
  private readonly resultsCacheTtl: Duration;
  private readonly routes: CheckedRoute[] = [];
  /** The guarded routes of the API that declares this authorizer, checked there (a SecuredApi's route set). */
  private routeSource?: () => readonly CheckedRoute[];
  private compiled?: CompiledRouteTable;
  private asset?: s3_assets.Asset;
  private usageKeys?: UsageKeysConfig;
  /** The bundle the function runs: the REST entry's, or the HTTP API entry's (`_forHttpApi`). */
  private bundle = { dir: BUNDLE_DIR, name: 'token-authorizer' };

  constructor(scope: Construct, id: string, props: TokenAuthorizerProps) {
    super(scope, id);
    const where = this.node.path;
    if (!fs.existsSync(path.join(BUNDLE_DIR, 'index.js'))) {
      throw validationError('TokenAuthorizer.MissingBundle', `${where}: the authorizer bundle ${path.join(BUNDLE_DIR, 'index.js')} is missing; run \`npx projen bundle\` (the build does) before synthesizing.`, this);
    }
    this.issuer = props.issuer;
    this.settings = checkOptions(this, props);
    this.metricsNamespace = this.settings.metricsNamespace;
    this.serviceName = props.serviceName ?? Names.uniqueResourceName(this, { maxLength: 64 });
    checkServiceName(this, this.serviceName);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    });
    // An explicit role, so that the function gets write access to its own log group only, instead
    // of the managed AWSLambdaBasicExecutionRole (any log group of the account).
    const role = this.role = new iam.Role(this, 'ServiceRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the token authorizer ${where}`,
    });
    this.logGroup.grantWrite(role);

    this.handler = new lambda.Function(this, 'Handler', {
      description: 'Validates OAuth 2.0 / OIDC access tokens for API Gateway (cdk-secured-api TokenAuthorizer)',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: new StagedCode(() => this.stagedAsset()),
      memorySize: this.settings.memorySize,
      // Room for the longest JWKS fetch allowed and the verification after it.
      timeout: Duration.seconds(Math.ceil(this.settings.jwksTimeoutMs / 1000) + 5),
      role,
      logGroup: this.logGroup,
      tracing: props.tracing === false ? undefined : lambda.Tracing.ACTIVE,
      reservedConcurrentExecutions: this.settings.reservedConcurrency,
      environment: {
        [ENV_ISSUER]: props.issuer.issuerUrl,
        [ENV_AUDIENCES]: Stack.of(this).toJsonString(props.issuer.audiences),
        [ENV_JWKS_URI]: props.issuer.jwksUri,
      },
    });
    this.function = this.handler;
    Validations.of(this.handler.node.defaultChild!).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Node.js 22 is pinned on purpose: the authorizer bundle is built for node22, and a runtime that followed the latest version would change under a deployed bundle. The runtime moves with the bundle\'s target, in a release.',
    });

    this.resultsCacheTtl = this.settings.resultsCacheTtl;

    // Routes may be added until synthesis, but Lambda assets are staged (copied and hashed) when
    // they are created. So the asset holding config.json is created by an aspect, which runs at the
    // start of synthesis, before the template is resolved; the function's code points at it through
    // lazy values. Adding a route after that is an error (see addRoute).
    Aspects.of(this).add({
      visit: (node: IConstruct) => {
        if (node === this) {
          this.stagedAsset();
          // At synthesis rather than construction: methods and grants may be added until then.
          this.acknowledgeNagFindings();
        }
      },
    });
    this.node.addValidation({ validate: () => ruleMessages(TOKEN_AUTHORIZER_RULES, this.ruleSubject()) });

    for (const route of props.routes ?? []) {
      this.addRoute(route);
    }
  }

  /**
   * Decisions of this authorizer (the `Decisions` metric it publishes in embedded metric format),
   * all of them or, with `decision`, those of one outcome.
   *
   * @default - sum over 5 minutes
   */
  public metricDecisions(props: DecisionMetricOptions = {}): cloudwatch.Metric {
    const { decision, ...options } = props;
    return this.metric(METRIC_DECISIONS, decision === undefined ? {} : { [DIMENSION_DECISION]: decision }, 'Sum', options);
  }

  /**
   * Decisions of this authorizer with one reason code (e.g. `DecisionReason.EXPIRED`).
   *
   * @default - sum over 5 minutes
   */
  public metricDecisionsByReason(reason: DecisionReason, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRIC_DECISIONS, { [DIMENSION_REASON]: reason }, 'Sum', props);
  }

  /**
   * How long the authorizer took per decision, in milliseconds, from the event to the answer
   * (decision-cache hits included).
   *
   * @default - average over 5 minutes
   */
  public metricDecisionLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRIC_DECISION_LATENCY, {}, 'Average', props);
  }

  /**
   * Fetches of the issuer's signing keys (JWKS), successful or not.
   *
   * @default - sum over 5 minutes
   */
  public metricJwksFetches(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRIC_JWKS_FETCHES, {}, 'Sum', props);
  }

  /**
   * Failed fetches of the issuer's signing keys (JWKS): the identity provider's key endpoint was
   * unreachable, slow, or answered with something that is not a key set.
   *
   * @default - sum over 5 minutes
   */
  public metricJwksFetchFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRIC_JWKS_FETCH_FAILURES, {}, 'Sum', props);
  }

  /** A metric of this authorizer's namespace with its `Service` dimension (see contract.ts). */
  private metric(metricName: string, dimensions: Record<string, string>, statistic: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.metricsNamespace,
      metricName,
      dimensionsMap: { [DIMENSION_SERVICE]: this.serviceName, ...dimensions },
      statistic,
      ...props,
    }).attachTo(this);
  }

  /**
   * Adds a route to the authorizer's route table.
   *
   * Every API Gateway method that uses this authorizer must be added, with the same method and
   * resource path.
   */
  public addRoute(route: RouteAuthorization): void {
    const where = this.node.path;
    this._checkRouteCanBeAdded(route);
    const checked = checkRoute(where, withIssuerRequirements(where, this.issuer, route));
    checkRouteSet(where, [...this.routes, checked]);
    this.routes.push(checked);
  }

  /**
   * Fails when the route table was already written into the authorizer's asset (at synthesis).
   *
   * @internal
   */
  public _checkRouteCanBeAdded(route: RouteAuthorization): void {
    if (this.compiled) {
      throw validationError('TokenAuthorizer.RouteAfterSynthesis', `${this.node.path}: route ${route.method} ${route.path} was added after the route table was written into the authorizer's asset at synthesis; add every route before the app is synthesized.`, this);
    }
  }

  /**
   * Makes the route table a projection of an API's routes, checked there (a SecuredApi's route
   * set), read when the table is compiled at synthesis.
   *
   * @internal
   */
  public _readRoutesFrom(source: () => readonly CheckedRoute[]): void {
    if (this.routeSource) {
      throw new Error(`${this.node.path}: the authorizer already reads its routes from an API; a SecuredApi needs an authorizer of its own.`);
    }
    this.routeSource = source;
  }

  /**
   * The API Gateway authorizer (an `AWS::ApiGateway::Authorizer`), to pass as a method's
   * `authorizer`. It is created when first read, so that an authorizer a `SecuredApi` declares in
   * its OpenAPI definition has none; reading it there is an error.
   */
  public get authorizer(): apigateway.IAuthorizer {
    if (this.definitions.length > 0) {
      throw validationError('TokenAuthorizer.DeclaredInDefinition', `${this.node.path}: this authorizer is declared in the OpenAPI definition of a SecuredApi, which guards its routes with it; add routes with the SecuredApi's addRoute() rather than passing the authorizer to methods.`, this);
    }
    this.requestAuthorizer ??= new apigateway.RequestAuthorizer(this, 'Authorizer', {
      handler: this.handler,
      // One lazily joined entry: whether the cache key must include the route is known only once
      // every route has been added (see route-table.ts).
      identitySources: [Lazy.string({ produce: () => this.identitySources().join(',') })],
      resultsCacheTtl: this.resultsCacheTtl,
    });
    return this.requestAuthorizer;
  }

  /**
   * Declares the authorizer in a REST API's OpenAPI definition rather than as an
   * `AWS::ApiGateway::Authorizer`: allows API Gateway to invoke the function for that API's
   * authorizers, and returns what the definition's `x-amazon-apigateway-authorizer` holds (lazy
   * values: the identity sources are known once every route is added).
   *
   * @internal
   */
  public _declareInDefinition(api: apigateway.IRestApi, stageName: () => string | undefined): DeclaredAuthorizer {
    if (this.requestAuthorizer) {
      // Not a user's mistake: a SecuredApi declares the authorizer it has just made.
      throw new Error(`${this.node.path}: this authorizer already has an AWS::ApiGateway::Authorizer (its authorizer property was read); a SecuredApi needs an authorizer of its own.`);
    }
    this.definitions.push({ api, stageName });
    const stack = Stack.of(api);
    // The authorizer's id is known only once API Gateway imports the definition: allow every
    // authorizer of this API, and no other API.
    this.handler.addPermission(`InvokedBy${Names.uniqueId(api)}`, {
      principal: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      sourceArn: stack.formatArn({ service: 'execute-api', resource: api.restApiId, resourceName: 'authorizers/*' }),
    });
    return {
      identitySources: () => this.identitySources(),
      resultsCacheTtlSeconds: this.resultsCacheTtl.toSeconds(),
      functionArn: this.handler.functionArn,
    };
  }

  /**
   * Makes the function run the HTTP API entry (payload 2.0, simple responses) from `bundleDir`, with
   * the same config.json: for a SecuredHttpApi's Lambda authorizer, which the HTTP API declares
   * itself (no REST declaration, no `authorizer`).
   *
   * @internal
   */
  public _forHttpApi(bundleDir: string): void {
    if (this.asset || this.requestAuthorizer || this.definitions.length > 0) {
      // Not a user's mistake: a SecuredHttpApi calls this on the authorizer it has just made.
      throw new Error(`${this.node.path}: the authorizer is already used by a REST API, or its asset is written; choose the HTTP API entry first.`);
    }
    if (!fs.existsSync(path.join(bundleDir, 'index.js'))) {
      throw validationError('TokenAuthorizer.MissingBundle', `${this.node.path}: the authorizer bundle ${path.join(bundleDir, 'index.js')} is missing; run \`npx projen bundle\` (the build does) before synthesizing.`, this);
    }
    this.bundle = { dir: bundleDir, name: 'http-authorizer' };
  }

  /**
   * The compiled route table (compiling freezes it: no route can be added afterwards).
   *
   * @internal
   */
  public _compiledTable(): CompiledRouteTable {
    return this.table();
  }

  /**
   * Makes the authorizer return the caller's API key as `usageIdentifierKey` (per-client quotas of
   * a SecuredApi), and deny the clients that have none.
   *
   * @internal
   */
  public _meterByUsageKeys(keys: UsageKeysConfig): void {
    if (this.asset || this.usageKeys) {
      // Not a user's mistake: a SecuredApi gives its own authorizer the usage keys once, in its constructor.
      throw new Error(`${this.node.path}: usage keys were given after the authorizer's config.json was written, or twice; give them once, before synthesis.`);
    }
    this.usageKeys = keys;
  }

  /**
   * Whether the authorizer can deny a client for being undeclared (`client_undeclared`): only when
   * a SecuredApi's per-client quotas refuse clients they do not declare.
   */
  public get refusesUndeclaredClients(): boolean {
    return this.usageKeys !== undefined && this.usageKeys.others === null;
  }

  /** The authorizer's config.json, as written into its asset. */
  private renderConfig(): string {
    const table = this.table();
    const s = this.settings;
    // Keys in the contract's order; JSON.stringify keeps insertion order, so the asset hash only
    // changes when the configuration does.
    const config: AuthorizerConfigFile = {
      version: 1,
      algorithms: [...this.issuer.algorithms],
      audienceClaim: this.issuer.audienceClaim,
      profile: issuerProfileConfig(this.issuer),
      clockToleranceSeconds: s.clockToleranceSeconds,
      ...(s.maxTokenAgeSeconds === undefined ? {} : { maxTokenAgeSeconds: s.maxTokenAgeSeconds }),
      ...(s.requiredTyp === undefined ? {} : { requiredTyp: s.requiredTyp }),
      maxTokenBytes: DEFAULT_MAX_TOKEN_BYTES,
      contextClaims: s.contextClaims,
      jwks: {
        timeoutMs: s.jwksTimeoutMs,
        cooldownMs: s.jwksCooldownMs,
        maxBytes: s.jwksMaxBytes,
        maxKeys: DEFAULT_JWKS.maxKeys,
        maxAgeMs: DEFAULT_JWKS.maxAgeMs,
      },
      decisionCache: { maxEntries: s.decisionCacheSize },
      cacheMode: table.cacheMode,
      metricsNamespace: this.metricsNamespace,
      serviceName: this.serviceName,
      routes: table.routes,
      ...(this.usageKeys === undefined ? {} : { usageKeys: this.usageKeys }),
    };
    return JSON.stringify(config) + '\n';
  }

  /** The compiled route table; compiling freezes it. */
  private table(): CompiledRouteTable {
    this.compiled ??= compileRouteTable(this.tableRoutes());
    return this.compiled;
  }

  /** The routes of the table: those of the API that declares the authorizer, and those added here. */
  private tableRoutes(): CheckedRoute[] {
    return [...(this.routeSource?.() ?? []), ...this.routes];
  }

  private identitySources(): string[] {
    const sources = [apigateway.IdentitySource.header('Authorization')];
    if (this.table().cacheMode === 'route') {
      sources.push(apigateway.IdentitySource.context('httpMethod'), apigateway.IdentitySource.context('resourcePath'));
    }
    return sources;
  }

  private stagedAsset(): s3_assets.Asset {
    this.asset ??= stageFunctionAsset(this.handler, this.bundle.name, {
      'index.js': fs.readFileSync(path.join(this.bundle.dir, 'index.js')),
      'config.json': this.renderConfig(),
    });
    return this.asset;
  }

  /**
   * COG4 on the methods that use this authorizer, and IAM5 `Resource::*` on the role's policy if
   * X-Ray's are its only grants on `*`: a grant on `*` added to the role by anyone else stays a finding.
   */
  private acknowledgeNagFindings(): void {
    for (const method of this.methodsUsingThis()) {
      Validations.of(method.node.defaultChild!).acknowledge({
        id: 'AwsSolutions-COG4',
        reason: `This method is guarded by the TokenAuthorizer ${this.node.path}, a Lambda REQUEST authorizer that verifies the OAuth 2.0 / OIDC access tokens of its issuer; a Cognito user pool authorizer would accept Cognito tokens only.`,
      });
    }
    const policy = this.role.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
    // toJSON, not Stack.resolve: resolving freezes and merges the statements before synthesis does.
    const statements: any[] = policy?.document.toJSON()?.Statement ?? [];
    const onAnyResource = statements.filter((s) => [s.Resource].flat().includes('*'));
    const xrayOnly = onAnyResource.length > 0 && onAnyResource.every((s) =>
      s.Effect === 'Allow' && s.NotAction === undefined && [s.Action].flat().every((a: unknown) => XRAY_WRITE_ACTIONS.includes(a as string)));
    if (xrayOnly) {
      Validations.of(policy!.node.defaultChild!).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: `The only grants on "*" are ${XRAY_WRITE_ACTIONS.join(' and ')}, which Lambda's active tracing needs and X-Ray cannot scope to a resource (checked at synthesis: any other grant on "*" is still reported).`,
      });
    }
  }

  private methodsUsingThis(): apigateway.Method[] {
    const authorizer = this.requestAuthorizer;
    if (!authorizer) {
      return [];
    }
    return this.node.root.node.findAll().filter((c): c is apigateway.Method =>
      c instanceof apigateway.Method && (c.node.defaultChild as apigateway.CfnMethod).authorizerId === authorizer.authorizerId);
  }

  /**
   * Routes whose policy resource (`arn:…:<api id>/<stage>/<METHOD>/<path>`) can be longer than API
   * Gateway accepts. Parts not known at synth are counted at their longest (WORST_CASE_ARN_PARTS);
   * the stage names are those of the APIs whose methods use this authorizer, or whose definition
   * declares it.
   */
  /** This authorizer as its rules (TOKEN_AUTHORIZER_RULES) read it. */
  private ruleSubject(): TokenAuthorizerSubject {
    return {
      path: this.node.path,
      routes: this.routes,
      methods: this.methodsUsingThis().map((m) => ({ httpMethod: m.httpMethod, resourcePath: m.resource.path, path: m.node.path })),
      policyResourcePrefixLength: this.policyResourcePrefixLength(),
    };
  }

  private policyResourcePrefixLength(): number | undefined {
    const apis = new Set<apigateway.IRestApi>(this.methodsUsingThis().map((m) => m.api));
    if (apis.size === 0 && this.definitions.length === 0) {
      return undefined;
    }
    const known = (value: string | undefined, worst: number) => (value === undefined || Token.isUnresolved(value) ? worst : value.length);
    const stack = Stack.of(this);
    const stages = this.node.root.node.findAll().filter((c): c is apigateway.Stage => c instanceof apigateway.Stage && apis.has(c.restApi));
    const stageNames = [
      ...stages.map((st) => (st.node.defaultChild as apigateway.CfnStage).stageName),
      ...this.definitions.map((d) => d.stageName()),
    ];
    const stageLength = Math.max(0, ...stageNames.map((name) => known(name, WORST_CASE_ARN_PARTS.stage)));
    const w = WORST_CASE_ARN_PARTS;
    return 'arn::execute-api::://'.length + known(stack.partition, w.partition) + known(stack.region, w.region) +
      known(stack.account, w.account) + w.apiId + stageLength;
  }

}

interface Settings {
  readonly resultsCacheTtl: Duration;
  readonly clockToleranceSeconds: number;
  readonly maxTokenAgeSeconds?: number;
  readonly requiredTyp?: string;
  readonly contextClaims: string[];
  readonly jwksTimeoutMs: number;
  readonly jwksCooldownMs: number;
  readonly jwksMaxBytes: number;
  readonly decisionCacheSize: number;
  readonly metricsNamespace: string;
  readonly memorySize: number;
  readonly reservedConcurrency?: number;
}

function checkOptions(scope: IConstruct, props: TokenAuthorizerOptions): Settings {
  const where = scope.node.path;
  const ttl = props.resultsCacheTtl ?? Duration.minutes(5);
  integer(scope, 'resultsCacheTtl (seconds)', ttl.toSeconds({ integral: false }), 0, 3600);
  const jwks = props.jwks ?? {};

  const requiredTyp = props.requiredTokenType;
  if (requiredTyp !== undefined && (!literal(requiredTyp) || /\s/.test(requiredTyp))) {
    throw validationError('TokenAuthorizer.InvalidRequiredTokenType', `${where}: requiredTokenType ${JSON.stringify(requiredTyp)} is not a literal string without whitespace; pass the typ value, e.g. 'at+jwt'.`, scope);
  }

  const contextClaims = props.contextClaims ?? [];
  contextClaims.forEach((claim, i) => {
    if (!literal(claim)) {
      throw validationError('TokenAuthorizer.InvalidContextClaim', `${where}: contextClaims holds ${JSON.stringify(claim)}, which is not a non-empty literal string; pass claim names.`, scope);
    }
    // Compared in any letter case: AWS calls the $context variables case-sensitive, but a name that
    // differs in case alone is refused under either reading.
    const lower = claim.toLowerCase();
    // A context claim named like a key the authorizer always sets would overwrite it.
    const own = CONTEXT_KEYS.find((key) => key.toLowerCase() === lower);
    if (own !== undefined) {
      throw validationError('TokenAuthorizer.ContextClaimShadowsContextKey', `${where}: contextClaims holds "${claim}", which is (in some letter case) the key "${own}" the authorizer context always carries (${CONTEXT_KEYS.join(', ')}); remove it, the backend already gets "${own}".`, scope);
    }
    // API Gateway's own names under $context.authorizer: a claim of that name collides with API Gateway's value.
    const gateway = API_GATEWAY_AUTHORIZER_KEYS.find((key) => key.toLowerCase() === lower);
    if (gateway !== undefined) {
      throw validationError('TokenAuthorizer.ContextClaimReservedByApiGateway', `${where}: contextClaims holds "${claim}", which is (in some letter case) API Gateway's own $context.authorizer.${gateway} (reserved: ${API_GATEWAY_AUTHORIZER_KEYS.join(', ')}), so the backend could read API Gateway's value for it or the other way round; remove it (the principal is in principalId already), or have the issuer put the value in a claim of another name.`, scope);
    }
    if (contextClaims.findIndex((other) => typeof other === 'string' && other.toLowerCase() === lower) !== i) {
      throw validationError('TokenAuthorizer.DuplicateContextClaim', `${where}: contextClaims holds "${claim}" twice (in some letter case); list each claim once.`, scope);
    }
  });

  const metricsNamespace = props.metricsNamespace ?? DEFAULT_METRICS_NAMESPACE;
  if (!literal(metricsNamespace) || !/^[A-Za-z0-9.\-_/#: ]{1,255}$/.test(metricsNamespace) || metricsNamespace.startsWith('AWS/')) {
    throw validationError('TokenAuthorizer.InvalidMetricsNamespace', `${where}: metricsNamespace ${JSON.stringify(metricsNamespace)} is not a valid CloudWatch namespace; use up to 255 of [A-Za-z0-9.-_/#: ], not starting with 'AWS/'.`, scope);
  }

  const maxTokenAge = props.maxTokenAge;
  const reservedConcurrency = props.reservedConcurrency;
  return {
    resultsCacheTtl: ttl,
    clockToleranceSeconds: integer(scope, 'clockTolerance (seconds)', (props.clockTolerance ?? Duration.seconds(DEFAULT_CLOCK_TOLERANCE_SECONDS)).toSeconds({ integral: false }), 0, 300),
    maxTokenAgeSeconds: maxTokenAge === undefined ? undefined : integer(scope, 'maxTokenAge (seconds)', maxTokenAge.toSeconds({ integral: false }), 1, 366 * 86_400),
    requiredTyp,
    contextClaims: [...contextClaims],
    jwksTimeoutMs: integer(scope, 'jwks.timeout (milliseconds)', (jwks.timeout ?? Duration.millis(DEFAULT_JWKS.timeoutMs)).toMilliseconds({ integral: false }), 1, 10_000),
    jwksCooldownMs: integer(scope, 'jwks.cooldown (milliseconds)', (jwks.cooldown ?? Duration.millis(DEFAULT_JWKS.cooldownMs)).toMilliseconds({ integral: false }), 0, 86_400_000),
    jwksMaxBytes: integer(scope, 'jwks.maxBytes', jwks.maxBytes ?? DEFAULT_JWKS.maxBytes, 1024, 10_485_760),
    decisionCacheSize: integer(scope, 'decisionCacheSize', props.decisionCacheSize ?? DEFAULT_DECISION_CACHE_ENTRIES, 0, 1_000_000),
    metricsNamespace,
    memorySize: integer(scope, 'memorySize', props.memorySize ?? 256, 128, 10_240),
    reservedConcurrency: reservedConcurrency === undefined ? undefined : integer(scope, 'reservedConcurrency', reservedConcurrency, 1, 1_000_000),
  };
}

function checkServiceName(scope: IConstruct, serviceName: string): void {
  if (!literal(serviceName) || serviceName.length > 255 || /[\u0000-\u001f]/.test(serviceName)) {
    throw validationError('TokenAuthorizer.InvalidServiceName', `${scope.node.path}: serviceName ${JSON.stringify(serviceName)} is not usable as a metric dimension value; pass a literal name of 1 to 255 printable characters.`, scope);
  }
}

function literal(value: unknown): value is string {
  return typeof value === 'string' && value !== '' && !Token.isUnresolved(value);
}

function integer(scope: IConstruct, name: string, value: number, min: number, max: number): number {
  if (Token.isUnresolved(value) || !Number.isInteger(value) || value < min || value > max) {
    throw validationError('TokenAuthorizer.ValueOutOfRange', `${scope.node.path}: ${name} is ${value}, which is not a whole number from ${min} to ${max}; pass a literal value in that range.`, scope);
  }
  return value;
}

/** The issuer profile as config.json carries it to the runtime (the contract's `IssuerProfileConfig`). */
function issuerProfileConfig(issuer: OidcIssuer): IssuerProfileConfig {
  const { clientClaims, grantClaims, tokenKind } = issuer.profile;
  return {
    clientClaims: [...clientClaims],
    grantClaims: [...grantClaims],
    ...(tokenKind ? { tokenKind: { claim: tokenKind.claim, values: [...tokenKind.values] } } : {}),
  };
}
