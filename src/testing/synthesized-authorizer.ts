import { randomUUID } from 'node:crypto';
import { ApiMethod, authorizedApis } from './authorized-api';
import { AuthorizerProcess, findAssetDir, parseJson, Reply } from './authorizer-process';
import { AssemblyStack, readStacks, TemplateResource } from './cloud-assembly';
import { evaluatePolicy, PolicyDocument } from './iam-policy';
import { matchResource, pathParameters } from './resource-match';
import { ENV_AUDIENCES, ENV_ISSUER, ENV_JWKS_URI } from '../authorizer/contract';

/** Where the authorizer should look for keys, and which issuer it should trust, instead of the synthesized ones. */
export interface IssuerOverride {
  /**
   * The issuer string tokens must carry in `iss`.
   * @default - the synthesized one (start the LocalIssuer with `issuer` set to it)
   */
  readonly issuer?: string;
  /** The JWKS URI, e.g. a LocalIssuer's `jwksUri` (`http:` only on loopback hosts). */
  readonly jwksUri: string;
}

/** Options of {@link SynthesizedAuthorizer.fromCloudAssembly}. */
export interface SynthesizedAuthorizerOptions {
  /**
   * The stack (artifact id or stack name) holding the authorizer.
   * @default - the only stack that has one
   */
  readonly stackName?: string;
  /**
   * The authorizer function's logical id.
   * @default - the only function in the stack with a `SECURED_API_ISSUER` environment variable
   */
  readonly authorizerLogicalId?: string;
  /**
   * Points the authorizer at a local issuer. A LocalIssuer can be passed as it is. Needed whenever
   * the synthesized JWKS URI is not reachable from the test (it normally is a real provider's).
   * @default - the synthesized issuer and JWKS URI
   */
  readonly issuerOverride?: IssuerOverride;
  /**
   * Further environment variables for the authorizer process (they win over the synthesized ones).
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * The clock of the emulated API Gateway result cache, in milliseconds (the authorizer itself, in
   * its own process, checks tokens against the real clock).
   * @default Date.now
   */
  readonly clock?: () => number;
  /**
   * How long to wait for the authorizer process to load, in milliseconds.
   * @default 60000
   */
  readonly startTimeoutMs?: number;
  /**
   * What the emulated API Gateway does with an integration request header mapped from an empty or
   * missing value (`context.authorizer.<key>` that is `''` or not in the context), which AWS does not
   * document: `dropped`, the mapping is skipped and a client's own header of that name reaches the
   * backend; `sent`, the header is sent empty in place of the client's.
   * @default 'dropped' (the reading under which a forged header would get through)
   */
  readonly emptyMappedValue?: EmptyMappedValue;
}

/** See {@link SynthesizedAuthorizerOptions.emptyMappedValue}. */
export type EmptyMappedValue = 'dropped' | 'sent';

/** A request as a client sends it to the API. */
export interface ApiRequest {
  /** The HTTP method, e.g. `GET`. */
  readonly method: string;
  /** The request path, e.g. `/orders/42`, optionally with a query string. */
  readonly path: string;
  /**
   * The API Gateway resource template that serves it, e.g. `/orders/{id}`.
   * @default - found from the synthesized routes as API Gateway would (literal, then `{param}`, then `{proxy+}`)
   */
  readonly resource?: string;
  /**
   * Request headers; `token` is a shortcut for `Authorization: Bearer <token>`.
   * @default - none
   */
  readonly headers?: Record<string, string>;
  /**
   * Sets `Authorization: Bearer <token>`.
   * @default - no Authorization header unless `headers` has one
   */
  readonly token?: string;
}

/** What API Gateway would answer, as far as the authorizer decides it. */
export interface AuthorizerResponse {
  /**
   * 200 the request reaches the integration; 401 Unauthorized; 403 denied by the policy (or no such
   * route: API Gateway's "Missing Authentication Token"); 500 the authorizer failed or returned
   * something API Gateway refuses.
   */
  readonly status: 200 | 401 | 403 | 500;
  /**
   * The authorizer's reason code (docs/authorizer-contract.md) when it was invoked; else what
   * API Gateway decided by itself: `public`, `identity_source_missing`, `route_not_found`,
   * `cached_policy` (answered from the result cache), `authorizer_error`, `api_key_missing` (an operation requiring an API key from the authorizer, which named none).
   */
  readonly reason: string;
  /** Whether the answer came from the emulated result cache (the authorizer was not invoked). */
  readonly cached: boolean;
  /** Whether the authorizer function was invoked for this request. */
  readonly invoked: boolean;
  /** The route that served the request, e.g. `GET /orders/{id}` (`ANY` methods as `ANY`). */
  readonly route?: string;
  /** The policy's principalId. */
  readonly principalId?: string;
  /** The context the integration would see in `requestContext.authorizer`. */
  readonly context?: Record<string, string | number | boolean>;
  /** The API key the authorizer named (`usageIdentifierKey`), for APIs with per-client quotas. */
  readonly usageIdentifierKey?: string;
  /**
   * For a request that reaches an HTTP integration (`http_proxy`, a `RouteBackend`), the headers the
   * endpoint receives: the client's, with each header the integration maps set from its source
   * (the authorizer's context or principal, a static value, a method request header), replacing the
   * client's header of that name in any letter case (HTTP field names are case-insensitive); a
   * mapping from an empty or missing value as `emptyMappedValue` says. Undefined for other
   * integrations and for refused requests.
   */
  readonly backendHeaders?: Record<string, string>;
}

interface CacheEntry {
  readonly expiresAt: number;
  readonly principalId: string;
  readonly policyDocument: PolicyDocument;
  readonly context?: Record<string, string | number | boolean>;
  readonly usageIdentifierKey?: string;
}

/**
 * The authorizer of a synthesized SecuredApi, run from the app's cloud assembly (cdk.out) in its own
 * Node.js process, behind an emulation of what API Gateway does around it: route selection, the
 * REQUEST event, identity sources, the result cache, and the policy's verdict.
 *
 * The API is read from the template as API Gateway would read it: a SecuredApi's REST API from the
 * OpenAPI definition in its `AWS::ApiGateway::RestApi` `Body` (operations, and the security scheme
 * whose `authorizerUri` invokes the function), or a REST API that a standalone `TokenAuthorizer`
 * guards from its `AWS::ApiGateway::Authorizer` and `AWS::ApiGateway::Method` resources.
 *
 * ```ts
 * const authorizer = await SynthesizedAuthorizer.fromCloudAssembly('cdk.out', { issuerOverride: localIssuer });
 * const res = await authorizer.request({ method: 'GET', path: '/orders/42', token });
 * expect(res.status).toBe(200);
 * await authorizer.stop();
 * ```
 */
export class SynthesizedAuthorizer {
  /** Finds the authorizer in the cloud assembly in `cdkOutDir` and starts its process. */
  public static async fromCloudAssembly(cdkOutDir: string, options: SynthesizedAuthorizerOptions = {}): Promise<SynthesizedAuthorizer> {
    const stacks = readStacks(cdkOutDir)
      .filter((s) => options.stackName === undefined || s.id === options.stackName || s.stackName === options.stackName);
    const found = stacks.flatMap((stack) => Object.entries(stack.template.Resources ?? {})
      .filter(([id, r]) => r.Type === 'AWS::Lambda::Function'
        && r.Properties?.Environment?.Variables?.[ENV_ISSUER] !== undefined
        && (options.authorizerLogicalId === undefined || id === options.authorizerLogicalId))
      .map(([id, r]) => ({ stack, id, fn: r })));
    if (found.length !== 1) {
      const where = options.stackName ? `stack ${options.stackName}` : `the cloud assembly in ${cdkOutDir}`;
      throw new Error(found.length === 0
        ? `${where} holds no SecuredApi authorizer function (a Lambda function with ${ENV_ISSUER} in its environment)`
        : `${where} holds ${found.length} authorizer functions (${found.map((f) => `${f.stack.id}/${f.id}`).join(', ')}): pass stackName or authorizerLogicalId`);
    }
    const { stack, id, fn } = found[0];
    const authorizer = new SynthesizedAuthorizer(stack, id, fn, options);
    await authorizer.start(options.startTimeoutMs ?? 60_000);
    return authorizer;
  }

  /** The authorizer function's logical id. */
  public readonly functionLogicalId: string;
  /**
   * The logical id of what declares the API Gateway authorizer: the AWS::ApiGateway::Authorizer
   * (a standalone TokenAuthorizer's), or, for a REST API defined by an OpenAPI `Body` (a
   * SecuredApi's), which has no authorizer resource, the AWS::ApiGateway::RestApi whose definition
   * declares it as the security scheme `securitySchemeName`.
   */
  public readonly authorizerLogicalId: string;
  /** The AWS::ApiGateway::RestApi's logical id. */
  public readonly restApiLogicalId: string;
  /**
   * The name of the security scheme of the REST API's OpenAPI `Body` that invokes the function,
   * e.g. `tokenAuthorizer`; undefined for an AWS::ApiGateway::Authorizer.
   */
  public readonly securitySchemeName?: string;
  /** The folder of the function's asset (index.js and config.json). */
  public readonly assetDir: string;
  /** The identity sources, e.g. `method.request.header.Authorization`. */
  public readonly identitySources: readonly string[];
  /** The result cache TTL in seconds (0: no caching). */
  public readonly resultsCacheTtlSeconds: number;
  /** The environment the authorizer process runs with (synthesized, then overridden). */
  public readonly environment: Readonly<Record<string, string>>;
  /** Every JSON line the authorizer has written to stdout (audit lines, JWKS fetches, config errors). */
  public readonly logs: Array<Record<string, any>> = [];

  private readonly methods: ApiMethod[];
  private readonly methodArnBase: string;
  private readonly stageName: string;
  private readonly clock: () => number;
  private readonly emptyMappedValue: EmptyMappedValue;
  private readonly cache = new Map<string, CacheEntry>();
  private process?: AuthorizerProcess;

  private constructor(stack: AssemblyStack, functionId: string, fn: TemplateResource, options: SynthesizedAuthorizerOptions) {
    this.functionLogicalId = functionId;
    this.clock = options.clock ?? Date.now;
    this.emptyMappedValue = options.emptyMappedValue ?? 'dropped';
    if (this.emptyMappedValue !== 'dropped' && this.emptyMappedValue !== 'sent') {
      throw new Error(`emptyMappedValue ${JSON.stringify(this.emptyMappedValue)} is neither 'dropped' nor 'sent'`);
    }
    this.assetDir = findAssetDir(stack, functionId, fn);

    const apis = authorizedApis(stack, functionId);
    if (apis.length !== 1) {
      const which = apis.map((a) => a.securitySchemeName === undefined ? a.authorizerLogicalId : `${a.restApiLogicalId}#${a.securitySchemeName}`);
      throw new Error(`${stack.id}/${functionId}: expected one API Gateway authorizer invoking it (an AWS::ApiGateway::Authorizer, or a security scheme of an AWS::ApiGateway::RestApi's OpenAPI Body), found ${apis.length}${which.length ? ` (${which.join(', ')})` : ''}`);
    }
    const [api] = apis;
    this.authorizerLogicalId = api.authorizerLogicalId;
    this.restApiLogicalId = api.restApiLogicalId;
    this.securitySchemeName = api.securitySchemeName;
    this.identitySources = api.identitySources;
    this.resultsCacheTtlSeconds = api.resultsCacheTtlSeconds;
    this.methods = api.methods;
    this.stageName = api.stageName;
    this.methodArnBase = `arn:aws:execute-api:${stack.region ?? 'us-east-1'}:${stack.account ?? '123456789012'}:testkitapi/${this.stageName}`;

    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries<unknown>(fn.Properties?.Environment?.Variables ?? {})) {
      if (typeof value === 'string') {
        env[name] = value;
      }
    }
    if (typeof fn.Properties?.MemorySize === 'number') {
      env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE = String(fn.Properties.MemorySize);
    }
    if (options.issuerOverride?.issuer !== undefined) {
      env[ENV_ISSUER] = options.issuerOverride.issuer;
    }
    if (options.issuerOverride !== undefined) {
      env[ENV_JWKS_URI] = options.issuerOverride.jwksUri;
    }
    Object.assign(env, options.environment);
    for (const name of [ENV_ISSUER, ENV_AUDIENCES, ENV_JWKS_URI]) {
      if (env[name] === undefined) {
        throw new Error(`${stack.id}/${functionId}: ${name} is only known at deploy time (${JSON.stringify(fn.Properties?.Environment?.Variables?.[name])}); give it in issuerOverride or environment`);
      }
    }
    this.environment = env;
  }

  /** The routes of the API: `GET /orders/{id}`, with whether they are public. */
  public get routes(): Array<{ readonly method: string; readonly resource: string; readonly public: boolean }> {
    return this.methods.map((m) => ({ method: m.httpMethod, resource: m.resource, public: m.isPublic }));
  }

  /** Empties the emulated result cache. */
  public clearCache(): void {
    this.cache.clear();
  }

  /** Answers a request as API Gateway would, invoking the authorizer when API Gateway would. */
  public async request(req: ApiRequest): Promise<AuthorizerResponse> {
    const [rawPath, query] = req.path.split('?', 2);
    const path = rawPath.startsWith('/') ? rawPath : `/${rawPath}`;
    const httpMethod = req.method.toUpperCase();
    const resource = req.resource ?? matchResource([...new Set(this.methods.map((m) => m.resource))], path);
    const method = this.methods.find((m) => m.resource === resource && m.httpMethod === httpMethod)
      ?? this.methods.find((m) => m.resource === resource && m.httpMethod === 'ANY');
    if (!method) {
      return { status: 403, reason: 'route_not_found', cached: false, invoked: false };
    }
    const route = `${method.httpMethod} ${method.resource}`;
    if (method.unguardedBecause !== undefined) {
      const authorizer = this.securitySchemeName === undefined ? this.authorizerLogicalId : `${this.restApiLogicalId}'s security scheme ${this.securitySchemeName} alone`;
      throw new Error(`${route} is not guarded by ${authorizer} (${method.unguardedBecause}); the test kit emulates only public routes and routes guarded by it`);
    }
    const headers: Record<string, string> = { ...req.headers };
    if (req.token !== undefined) {
      headers.Authorization = `Bearer ${req.token}`;
    }
    if (method.isPublic) {
      return { status: 200, reason: 'public', cached: false, invoked: false, route, ...this.backendHeaders(method, headers) };
    }
    const queryStringParameters = query === undefined ? null : Object.fromEntries(new URLSearchParams(query));
    const methodArn = `${this.methodArnBase}/${httpMethod}${path}`;

    // API Gateway refuses a request missing any identity source without invoking the authorizer.
    const requestContext = { httpMethod, resourcePath: method.resource };
    const identity = this.identitySources.map((source) => identityValue(source, headers, queryStringParameters, requestContext));
    if (identity.some((v) => v === undefined || v === '')) {
      return { status: 401, reason: 'identity_source_missing', cached: false, invoked: false, route };
    }
    const cacheKey = JSON.stringify(identity);
    const now = this.clock();
    const hit = this.resultsCacheTtlSeconds > 0 ? this.cache.get(cacheKey) : undefined;
    if (hit && now < hit.expiresAt) {
      return this.reaching(method, headers, { ...verdict(hit, methodArn, 'cached_policy', method.apiKeyFromAuthorizer), cached: true, invoked: false, route });
    }

    const event = {
      type: 'REQUEST',
      methodArn,
      resource: method.resource,
      path,
      httpMethod,
      headers,
      multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
      queryStringParameters,
      multiValueQueryStringParameters: queryStringParameters && Object.fromEntries(Object.entries(queryStringParameters).map(([k, v]) => [k, [v]])),
      pathParameters: pathParameters(method.resource, path),
      stageVariables: null,
      requestContext: {
        accountId: this.methodArnBase.split(':')[4],
        apiId: 'testkitapi',
        stage: this.stageName,
        httpMethod,
        resourcePath: method.resource,
        path: `/${this.stageName}${path}`,
        requestId: randomUUID(),
        requestTimeEpoch: now,
      },
    };
    const reply = await this.invoke(event);
    const decision = reply.lines.map(parseJson).find((l) => l?.type === 'authz_decision');
    if (reply.error !== undefined) {
      return reply.error === 'Unauthorized'
        ? { status: 401, reason: decision?.reason ?? 'unauthorized', cached: false, invoked: true, route }
        : { status: 500, reason: 'authorizer_error', cached: false, invoked: true, route };
    }
    const entry = validResult(reply.result as Parameters<typeof validResult>[0], now + this.resultsCacheTtlSeconds * 1000);
    if (!entry) {
      return { status: 500, reason: 'authorizer_error', cached: false, invoked: true, route };
    }
    if (this.resultsCacheTtlSeconds > 0) {
      this.cache.set(cacheKey, entry);
    }
    return this.reaching(method, headers, { ...verdict(entry, methodArn, decision?.reason ?? 'unknown', method.apiKeyFromAuthorizer), cached: false, invoked: true, route });
  }

  /** The response, with the backend's headers when the request reaches an HTTP integration. */
  private reaching(method: ApiMethod, headers: Record<string, string>, res: AuthorizerResponse): AuthorizerResponse {
    return res.status === 200 ? { ...res, ...this.backendHeaders(method, headers, res.principalId, res.context) } : res;
  }

  /**
   * The headers an HTTP integration's endpoint receives: the client's, then each
   * `integration.request.header.*` mapping applied as API Gateway documents it
   * (https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-parameter-mapping.html).
   */
  private backendHeaders(
    method: ApiMethod, clientHeaders: Record<string, string>, principalId?: string, context?: Record<string, string | number | boolean>,
  ): Pick<AuthorizerResponse, 'backendHeaders'> {
    const integration = method.integration;
    if (integration?.type !== 'http_proxy' && integration?.type !== 'http') {
      return {};
    }
    const out = new Map<string, [name: string, value: string]>();
    for (const [name, value] of Object.entries(clientHeaders)) {
      out.set(name.toLowerCase(), [name, value]);
    }
    for (const [target, source] of Object.entries(integration.requestParameters)) {
      const [, name] = /^integration\.request\.header\.(.+)$/.exec(target) ?? [];
      if (name === undefined) {
        continue;
      }
      const value = mappedValue(source, `${method.httpMethod} ${method.resource}: ${target}`, clientHeaders, principalId, context);
      if (value === undefined || value === '') {
        if (this.emptyMappedValue === 'dropped') {
          continue;
        }
      }
      out.set(name.toLowerCase(), [name, value ?? '']);
    }
    return { backendHeaders: Object.fromEntries(out.values()) };
  }

  /** Stops the authorizer process. */
  public async stop(): Promise<void> {
    await this.process?.stop();
  }

  private async start(timeoutMs: number): Promise<void> {
    this.process = await AuthorizerProcess.start(this.assetDir, this.environment, this.logs, timeoutMs);
  }

  /** One invocation at a time, as one Lambda container runs them, so each reply's log lines are its own. */
  private invoke(event: unknown): Promise<Reply> {
    return this.process?.invoke(event) ?? Promise.resolve({ error: 'the authorizer process is not running', lines: [] });
  }
}

function identityValue(
  source: string, headers: Record<string, string>, query: Record<string, string> | null, context: Record<string, string>,
): string | undefined {
  const [, kind, name] = /^(method\.request\.header|method\.request\.querystring|context)\.(.+)$/.exec(source) ?? [];
  if (kind === 'method.request.header') {
    return Object.entries(headers).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
  }
  if (kind === 'method.request.querystring') {
    return query?.[name];
  }
  if (kind === 'context') {
    return context[name];
  }
  throw new Error(`identity source ${source} is not emulated`);
}

/**
 * The value of a request parameter mapping's source, as API Gateway documents the sources
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-parameter-mapping-sources.html):
 * a static value in single quotes, `context.authorizer.principalId`, `context.authorizer.<key>` (the
 * context value stringified), or `method.request.header.<name>`; undefined when there is no such value.
 */
function mappedValue(
  source: string, where: string, headers: Record<string, string>, principalId?: string, context?: Record<string, string | number | boolean>,
): string | undefined {
  if (source.length >= 2 && source.startsWith("'") && source.endsWith("'")) {
    return source.slice(1, -1);
  }
  const [, key] = /^context\.authorizer\.(.+)$/.exec(source) ?? [];
  if (key !== undefined) {
    if (key === 'principalId') {
      return principalId;
    }
    return context !== undefined && Object.hasOwn(context, key) ? String(context[key]) : undefined;
  }
  const [, header] = /^method\.request\.header\.(.+)$/.exec(source) ?? [];
  if (header !== undefined) {
    return Object.entries(headers).find(([k]) => k.toLowerCase() === header.toLowerCase())?.[1];
  }
  throw new Error(`${where} is mapped from ${source}, which the test kit does not emulate`);
}

/** The cache entry for a result API Gateway accepts; undefined when it would answer 500. */
function validResult(
  result: { principalId?: unknown; policyDocument?: PolicyDocument; context?: Record<string, unknown> } | undefined, expiresAt: number,
): CacheEntry | undefined {
  const doc = result?.policyDocument;
  if (typeof result?.principalId !== 'string' || !doc || !Array.isArray(doc.Statement)) {
    return undefined;
  }
  const context = result.context;
  if (context !== undefined && (typeof context !== 'object' || context === null
    || Object.values(context).some((v) => !['string', 'number', 'boolean'].includes(typeof v)))) {
    return undefined;
  }
  const key = (result as { usageIdentifierKey?: unknown }).usageIdentifierKey;
  if (key !== undefined && typeof key !== 'string') {
    return undefined;
  }
  return { expiresAt, principalId: result.principalId, policyDocument: doc, context: context as CacheEntry['context'], ...(key === undefined ? {} : { usageIdentifierKey: key }) };
}

/**
 * The policy's verdict; an allowed request to an operation that requires an API key from the
 * authorizer is still refused 403 (`api_key_missing`) when the authorizer named none.
 */
function verdict(entry: CacheEntry, methodArn: string, reason: string, apiKeyRequired = false): Pick<AuthorizerResponse, 'status' | 'reason' | 'principalId' | 'context' | 'usageIdentifierKey'> {
  const allowed = evaluatePolicy(entry.policyDocument, methodArn) === 'allow';
  const key = entry.usageIdentifierKey === undefined ? {} : { usageIdentifierKey: entry.usageIdentifierKey };
  if (allowed && apiKeyRequired && !entry.usageIdentifierKey) {
    return { status: 403, reason: 'api_key_missing', principalId: entry.principalId, context: entry.context };
  }
  return { status: allowed ? 200 : 403, reason, principalId: entry.principalId, context: entry.context, ...key };
}
