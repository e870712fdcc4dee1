import { randomUUID } from 'node:crypto';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, JWTPayload } from 'jose';
import { AuthorizerProcess, findAssetDir, parseJson } from './authorizer-process';
import { AssemblyStack, readStacks, refersTo, TemplateResource } from './cloud-assembly';
import { DEFAULT_ROUTE, matchRouteKey } from './http-route-match';
import { pathParameters } from './resource-match';
import type { ApiRequest, EmptyMappedValue, IssuerOverride } from './synthesized-authorizer';
import { ENV_AUDIENCES, ENV_ISSUER, ENV_JWKS_URI } from '../authorizer/contract';
import { importedAuthorizer, importedIntegration, readBody } from '../http-api/private/body';

/** Options of {@link SynthesizedHttpApi.fromCloudAssembly}. */
export interface SynthesizedHttpApiOptions {
  /**
   * The stack (artifact id or stack name) holding the HTTP API.
   * @default - the only stack that has one
   */
  readonly stackName?: string;
  /**
   * The `AWS::ApiGatewayV2::Api`'s logical id.
   * @default - the only HTTP API in the stack (an Api with `ProtocolType` HTTP or an OpenAPI definition, `Body`)
   */
  readonly httpApiLogicalId?: string;
  /**
   * Points both authorizers at a local issuer: the native JWT authorizer's issuer and keys, and the
   * Lambda authorizer's environment. A LocalIssuer can be passed as it is.
   * @default - the synthesized issuer; keys from its `/.well-known/openid-configuration`
   */
  readonly issuerOverride?: IssuerOverride;
  /**
   * Further environment variables for the Lambda authorizer process (they win over the synthesized ones).
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * The clock, in milliseconds, of the emulated API Gateway: the native JWT authorizer's time checks
   * and the Lambda authorizer's result cache (the Lambda itself checks tokens against the real clock).
   * @default Date.now
   */
  readonly clock?: () => number;
  /**
   * How long to wait for the Lambda authorizer process to load, in milliseconds.
   * @default 60000
   */
  readonly startTimeoutMs?: number;
  /**
   * What the emulated API Gateway does with a request parameter mapping of a header from an empty or
   * missing value (a `$context.authorizer.<key>` the context lacks or holds empty, a JWT claim the
   * token lacks), which AWS does not document: `dropped`, the mapping is skipped and a client's own
   * header of that name reaches the backend; `sent`, the header is sent empty in place of the client's.
   * @default 'dropped' (the reading under which a forged header would get through)
   */
  readonly emptyMappedValue?: EmptyMappedValue;
}

/** A route of the HTTP API as the template declares it. */
export interface HttpApiRoute {
  /** The route key, e.g. `GET /orders/{id}`, `ANY /files/{proxy+}` or `$default`. */
  readonly routeKey: string;
  /** `NONE`, `JWT` or `CUSTOM` (the Lambda authorizer). */
  readonly authorizationType: string;
  /** The route's authorization scopes (JWT routes; any one of them suffices). */
  readonly authorizationScopes: readonly string[];
}

/** What an HTTP API would answer, as far as its authorizers decide it. */
export interface HttpApiResponse {
  /**
   * 200 the request reaches the integration; 401 Unauthorized; 403 Forbidden (refused by the Lambda
   * authorizer, or a valid token lacking the route's scopes); 404 no route matches (API Gateway's
   * `{"message":"Not Found"}`); 500 the Lambda authorizer failed or answered in an invalid format.
   */
  readonly status: 200 | 401 | 403 | 404 | 500;
  /**
   * The Lambda authorizer's reason code (docs/authorizer-contract.md) when it was invoked; else what
   * API Gateway decided by itself: `public`, `identity_source_missing`, `route_not_found`,
   * `cached_policy` (answered from the result cache), `authorizer_error`, and for native JWT routes
   * `jwt_valid`, `invalid_token` (with `detail`) or `insufficient_scope`.
   */
  readonly reason: string;
  /** Whether the answer came from the emulated result cache (the Lambda authorizer was not invoked). */
  readonly cached: boolean;
  /** Whether the Lambda authorizer function was invoked for this request. */
  readonly invoked: boolean;
  /** The route key that served the request, e.g. `GET /orders/{id}` or `$default`. */
  readonly route?: string;
  /** The route's authorization type: `NONE`, `JWT` or `CUSTOM`. */
  readonly authorizationType?: string;
  /**
   * What the integration sees as `requestContext.authorizer`: the Lambda's context (`lambda`) or the
   * token's claims (`jwt.claims`, and `jwt.scopes` when the route has scopes).
   */
  readonly context?: Record<string, unknown>;
  /** Why the native JWT authorizer refused the token (no token text in it). */
  readonly detail?: string;
  /**
   * For a request that reaches an HTTP proxy integration (`HTTP_PROXY`, a `RouteBackend`), the
   * headers the endpoint receives: the client's, with each `overwrite:header.<name>` request
   * parameter set from its source (the Lambda authorizer's context, a JWT claim, a static value, a
   * request header) and each `remove:header.<name>` removed, in any letter case (header names are
   * case-insensitive); a mapping from an empty or missing value as `emptyMappedValue` says.
   * Undefined for other integrations and for refused requests.
   */
  readonly backendHeaders?: Record<string, string>;
}

interface RouteInfo extends HttpApiRoute {
  readonly authorizerId?: string;
  /** The logical id of the route's integration, when its target is one of the API's. */
  readonly integrationId?: string;
}

interface IntegrationInfo {
  readonly type: string;
  readonly requestParameters: Readonly<Record<string, unknown>>;
}

interface JwtAuthorizerInfo {
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly identitySources: readonly string[];
}

interface LambdaAuthorizerInfo {
  readonly functionLogicalId: string;
  readonly identitySources: readonly string[];
  readonly resultsCacheTtlSeconds: number;
  readonly simpleResponses: boolean;
  readonly payloadFormatVersion: string;
}

/** The algorithms the native JWT authorizer verifies: RSA-based only (see `checkJwt`). */
const JWT_ALGORITHMS = ['RS256', 'RS384', 'RS512'];

/**
 * A synthesized SecuredHttpApi (or any API Gateway HTTP API) read from the app's cloud assembly, and
 * answered as API Gateway would. The routes, authorizers and integrations are read from the API's
 * OpenAPI definition (its `Body`, as a SecuredHttpApi writes it), as API Gateway imports it, or
 * from its Route, Authorizer and Integration resources; then: route selection by route key (`ANY`, greedy `{proxy+}`,
 * `$default`), public routes, the native JWT authorizer's checks (run here with jose against the
 * issuer's JWKS), and the Lambda authorizer (the synthesized asset, in its own Node.js process, given
 * a payload-2.0 event), with its identity sources and result cache.
 *
 * ```ts
 * const api = await SynthesizedHttpApi.fromCloudAssembly('cdk.out', { issuerOverride: { jwksUri: localIssuer.jwksUri } });
 * const res = await api.request({ method: 'GET', path: '/orders/42', token });
 * expect(res.status).toBe(200);
 * await api.stop();
 * ```
 */
export class SynthesizedHttpApi {
  /** Reads the HTTP API from the cloud assembly in `cdkOutDir` and starts its Lambda authorizer, if any route uses one. */
  public static async fromCloudAssembly(cdkOutDir: string, options: SynthesizedHttpApiOptions = {}): Promise<SynthesizedHttpApi> {
    const stacks = readStacks(cdkOutDir)
      .filter((s) => options.stackName === undefined || s.id === options.stackName || s.stackName === options.stackName);
    const found = stacks.flatMap((stack) => Object.entries(stack.template.Resources ?? {})
      .filter(([id, r]) => r.Type === 'AWS::ApiGatewayV2::Api' && (r.Properties?.ProtocolType === 'HTTP' || r.Properties?.Body !== undefined)
        && (options.httpApiLogicalId === undefined || id === options.httpApiLogicalId))
      .map(([id]) => ({ stack, id })));
    if (found.length !== 1) {
      const where = options.stackName ? `stack ${options.stackName}` : `the cloud assembly in ${cdkOutDir}`;
      throw new Error(found.length === 0
        ? `${where} holds no HTTP API (an AWS::ApiGatewayV2::Api with ProtocolType HTTP or an OpenAPI definition, Body)`
        : `${where} holds ${found.length} HTTP APIs (${found.map((f) => `${f.stack.id}/${f.id}`).join(', ')}): pass stackName or httpApiLogicalId`);
    }
    const api = new SynthesizedHttpApi(found[0].stack, found[0].id, options);
    await api.start(options.startTimeoutMs ?? 60_000);
    return api;
  }

  /** The AWS::ApiGatewayV2::Api's logical id. */
  public readonly httpApiLogicalId: string;
  /** Every JSON line the Lambda authorizer has written to stdout (audit lines, JWKS fetches, config errors). */
  public readonly logs: Array<Record<string, any>> = [];
  /** The environment the Lambda authorizer process runs with (synthesized, then overridden); undefined without one. */
  public readonly environment?: Readonly<Record<string, string>>;

  private readonly stack: AssemblyStack;
  private readonly routeInfos: RouteInfo[];
  private readonly jwtAuthorizers = new Map<string, JwtAuthorizerInfo>();
  private readonly lambdaAuthorizers = new Map<string, LambdaAuthorizerInfo>();
  private readonly lambda?: { readonly assetDir: string; readonly functionLogicalId: string };
  private readonly issuerOverride?: IssuerOverride;
  private readonly clock: () => number;
  private readonly emptyMappedValue: EmptyMappedValue;
  private readonly integrations = new Map<string, IntegrationInfo>();
  private readonly cache = new Map<string, { expiresAt: number; isAuthorized: boolean; context?: Record<string, unknown> }>();
  /** The key sets of the JWT authorizers' issuers, by issuer. */
  private readonly jwks = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
  private process?: AuthorizerProcess;

  private constructor(stack: AssemblyStack, apiId: string, options: SynthesizedHttpApiOptions) {
    this.stack = stack;
    this.httpApiLogicalId = apiId;
    this.clock = options.clock ?? Date.now;
    this.issuerOverride = options.issuerOverride;
    this.emptyMappedValue = options.emptyMappedValue ?? 'dropped';
    const resources = stack.template.Resources ?? {};
    const ofApi = (r: TemplateResource) => refersTo(r.Properties?.ApiId, apiId);
    const body: unknown = resources[apiId].Properties?.Body;

    // An API imported from an OpenAPI definition (a SecuredHttpApi's) has its routes, integrations and
    // authorizers there, as API Gateway imports them (src/http-api/private/body.ts); any other HTTP API,
    // as Route, Integration and Authorizer resources. Integrations and authorizers are known by their
    // name in the definition, or their logical id.
    const read = body === undefined ? undefined : readBody(body);
    if (read && read.problems.length > 0) {
      throw new Error(`${stack.id}/${apiId}: the OpenAPI definition cannot be read as routes: ${read.problems.join('; ')}`);
    }
    const integrationEntries: Array<[string, any]> = read
      ? [...read.integrations].map(([name, i]) => [name, importedIntegration(name, i)])
      : Object.entries(resources).filter(([, r]) => r.Type === 'AWS::ApiGatewayV2::Integration' && ofApi(r)).map(([id, r]) => [id, r.Properties ?? {}]);
    for (const [id, p] of integrationEntries) {
      this.integrations.set(id, { type: p.IntegrationType ?? '', requestParameters: p.RequestParameters ?? {} });
    }

    const authorizerEntries: Array<[string, any]> = read
      ? [...read.authorizers].map(([name, a]) => [name, importedAuthorizer(name, a)])
      : Object.entries(resources).filter(([, r]) => r.Type === 'AWS::ApiGatewayV2::Authorizer' && ofApi(r)).map(([id, r]) => [id, r.Properties ?? {}]);
    for (const [id, p] of authorizerEntries) {
      if (p.AuthorizerType === 'JWT') {
        const issuer = p.JwtConfiguration?.Issuer;
        const audiences = p.JwtConfiguration?.Audience ?? [];
        if (typeof issuer !== 'string' || !Array.isArray(audiences) || audiences.some((a: unknown) => typeof a !== 'string')) {
          throw new Error(`${stack.id}/${id}: the JWT authorizer's issuer or audiences are only known at deploy time (${JSON.stringify(p.JwtConfiguration)})`);
        }
        this.jwtAuthorizers.set(id, { issuer, audiences, identitySources: p.IdentitySource ?? [] });
      } else if (p.AuthorizerType === 'REQUEST') {
        const fnId = Object.entries(resources).find(([fid, f]) => f.Type === 'AWS::Lambda::Function' && refersTo(p.AuthorizerUri, fid))?.[0];
        if (fnId === undefined) {
          throw new Error(`${stack.id}/${id}: the Lambda authorizer's function is not in the stack (AuthorizerUri ${JSON.stringify(p.AuthorizerUri)})`);
        }
        this.lambdaAuthorizers.set(id, {
          functionLogicalId: fnId,
          identitySources: p.IdentitySource ?? [],
          resultsCacheTtlSeconds: p.AuthorizerResultTtlInSeconds ?? 300,
          simpleResponses: p.EnableSimpleResponses === true,
          payloadFormatVersion: p.AuthorizerPayloadFormatVersion ?? '',
        });
      }
    }

    this.routeInfos = read
      ? read.operations.map((op) => {
        if (op.problem !== undefined) {
          throw new Error(`${stack.id}: route ${op.routeKey} cannot be read from the OpenAPI definition: ${op.problem}`);
        }
        return {
          routeKey: op.routeKey,
          authorizationType: op.authorizationType ?? 'NONE',
          authorizationScopes: op.authorizationType === 'JWT' ? op.scopes : [],
          authorizerId: op.authorizer,
          integrationId: op.integrationName,
        };
      })
      : Object.values(resources)
        .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route' && ofApi(r))
        .map((r) => ({
          routeKey: r.Properties!.RouteKey,
          authorizationType: r.Properties!.AuthorizationType ?? 'NONE',
          authorizationScopes: r.Properties!.AuthorizationScopes ?? [],
          authorizerId: r.Properties!.AuthorizerId?.Ref,
          integrationId: [...this.integrations.keys()].find((id) => refersTo(r.Properties!.Target, id)),
        }));
    for (const route of this.routeInfos) {
      const kind = route.authorizationType;
      const known = kind === 'NONE'
        || (kind === 'JWT' && route.authorizerId !== undefined && this.jwtAuthorizers.has(route.authorizerId))
        || (kind === 'CUSTOM' && route.authorizerId !== undefined && this.lambdaAuthorizers.has(route.authorizerId));
      if (typeof route.routeKey !== 'string' || !known) {
        // Thrown here, not at request time: a route the kit cannot answer for is a wrong test.
        throw new Error(`${stack.id}: route ${JSON.stringify(route.routeKey)} has authorization ${kind} with authorizer ${JSON.stringify(route.authorizerId)}, which the test kit does not emulate (NONE, or JWT / CUSTOM with an authorizer of this API)`);
      }
    }

    const lambdas = new Set([...this.lambdaAuthorizers.values()].map((a) => a.functionLogicalId));
    if (lambdas.size > 1) {
      throw new Error(`${stack.id}/${apiId}: ${lambdas.size} Lambda authorizer functions (${[...lambdas].join(', ')}); the test kit runs one`);
    }
    const [fnId] = lambdas;
    if (fnId !== undefined) {
      const fn = resources[fnId];
      this.lambda = { functionLogicalId: fnId, assetDir: findAssetDir(stack, fnId, fn) };
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
          throw new Error(`${stack.id}/${fnId}: ${name} is only known at deploy time (${JSON.stringify(fn.Properties?.Environment?.Variables?.[name])}); give it in issuerOverride or environment`);
        }
      }
      this.environment = env;
    }
  }

  /** The routes of the API as the template declares them. */
  public get routes(): HttpApiRoute[] {
    return this.routeInfos.map(({ routeKey, authorizationType, authorizationScopes }) => ({ routeKey, authorizationType, authorizationScopes }));
  }

  /** Empties the emulated Lambda authorizer result cache. */
  public clearCache(): void {
    this.cache.clear();
  }

  /** Answers a request as the HTTP API would, invoking the Lambda authorizer when API Gateway would. */
  public async request(req: ApiRequest): Promise<HttpApiResponse> {
    const [rawPath, query] = req.path.split('?', 2);
    const path = rawPath.startsWith('/') ? rawPath : `/${rawPath}`;
    const method = req.method.toUpperCase();
    const routeKey = req.resource !== undefined
      ? this.routeInfos.find((r) => r.routeKey === `${method} ${req.resource}` || r.routeKey === `ANY ${req.resource}`)?.routeKey
      : matchRouteKey(this.routeInfos.map((r) => r.routeKey), method, path);
    const route = this.routeInfos.find((r) => r.routeKey === routeKey);
    if (!route) {
      return { status: 404, reason: 'route_not_found', cached: false, invoked: false };
    }
    const base = { route: route.routeKey, authorizationType: route.authorizationType };
    // Payload 2.0 headers: names lower-cased (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html).
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers ?? {})) {
      headers[name.toLowerCase()] = value;
    }
    if (req.token !== undefined) {
      headers.authorization = `Bearer ${req.token}`;
    }
    const clientHeaders: Record<string, string> = { ...req.headers };
    if (req.token !== undefined) {
      clientHeaders.Authorization = `Bearer ${req.token}`;
    }
    if (route.authorizationType === 'NONE') {
      return { status: 200, reason: 'public', cached: false, invoked: false, ...base, ...this.backendHeaders(route, clientHeaders) };
    }
    const queryStringParameters = query === undefined ? undefined : Object.fromEntries(new URLSearchParams(query));
    const context = { routeKey: route.routeKey };
    if (route.authorizationType === 'JWT') {
      const authorizer = this.jwtAuthorizers.get(route.authorizerId!)!;
      const identity = authorizer.identitySources.map((s) => identityValue(s, headers, queryStringParameters, context));
      if (identity.length !== 1 || identity[0] === undefined || identity[0] === '') {
        return { status: 401, reason: 'identity_source_missing', cached: false, invoked: false, ...base };
      }
      const verdict = await this.checkJwt(authorizer, route, identity[0]);
      return this.reaching(route, clientHeaders, { ...verdict, cached: false, invoked: false, ...base });
    }
    const verdict = await this.callLambda(route, method, path, rawPath, query, headers, queryStringParameters);
    return this.reaching(route, clientHeaders, { ...verdict, ...base });
  }

  /** The response, with the backend's headers when the request reaches an HTTP proxy integration. */
  private reaching(route: RouteInfo, clientHeaders: Record<string, string>, res: HttpApiResponse): HttpApiResponse {
    return res.status === 200 ? { ...res, ...this.backendHeaders(route, clientHeaders, res.context) } : res;
  }

  /**
   * The headers an HTTP proxy integration's endpoint receives: the client's, then each header
   * mapping of the integration's request parameters applied as API Gateway documents them
   * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-parameter-mapping.html).
   */
  private backendHeaders(route: RouteInfo, clientHeaders: Record<string, string>, context?: Record<string, unknown>): Pick<HttpApiResponse, 'backendHeaders'> {
    const integration = route.integrationId === undefined ? undefined : this.integrations.get(route.integrationId);
    if (integration?.type !== 'HTTP_PROXY') {
      return {};
    }
    const out = new Map<string, [name: string, value: string]>();
    for (const [name, value] of Object.entries(clientHeaders)) {
      out.set(name.toLowerCase(), [name, value]);
    }
    for (const [target, source] of Object.entries(integration.requestParameters)) {
      const [, action, name] = /^(overwrite|append|remove):header\.(.+)$/.exec(target) ?? [];
      const where = `${route.routeKey}: ${target}`;
      if (action === undefined) {
        continue;
      }
      if (action === 'append') {
        throw new Error(`${where} appends to a header, which the test kit does not emulate`);
      }
      if (action === 'remove') {
        out.delete(name.toLowerCase());
        continue;
      }
      const value = mappedValue(source, where, clientHeaders, context);
      if ((value === undefined || value === '') && this.emptyMappedValue === 'dropped') {
        continue;
      }
      out.set(name.toLowerCase(), [name, value ?? '']);
    }
    return { backendHeaders: Object.fromEntries(out.values()) };
  }

  /**
   * The native JWT authorizer's checks, in the order of
   * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html ("Authorizing
   * API requests with a JWT authorizer"): the token alone or after `Bearer `; signed with an RSA
   * algorithm by a key of the issuer's JWKS named by `kid`; `iss` equal to the configured issuer;
   * `aud`, or only when there is no `aud` `client_id`, one of the configured audiences
   * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-jwt.html);
   * `exp` after, `nbf` and `iat` before the current time; and, when the route has scopes, one of them
   * in `scope` or `scp`. A failed check is a 401, a missing scope a 403 (`insufficient_scope`).
   * Where the guide leaves a case open (a token without `exp`; `scp` as a list or a string) the kit
   * takes the reading under which the token is accepted, so that a test of a refusal holds on AWS too.
   */
  private async checkJwt(authorizer: JwtAuthorizerInfo, route: RouteInfo, value: string): Promise<Pick<HttpApiResponse, 'status' | 'reason' | 'context' | 'detail'>> {
    const token = value.startsWith('Bearer ') ? value.slice('Bearer '.length) : value;
    const issuer = this.issuerOverride?.issuer ?? authorizer.issuer;
    let keys = this.jwks.get(issuer);
    if (keys === undefined) {
      keys = createRemoteJWKSet(new URL(this.issuerOverride?.jwksUri ?? await discoverJwksUri(issuer)));
      this.jwks.set(issuer, keys);
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer,
        algorithms: JWT_ALGORITHMS,
        currentDate: new Date(this.clock()),
        clockTolerance: 0,
      }));
    } catch (err) {
      // A key set the kit cannot read is the test's setup, not the token: thrown, never a 401 that
      // would pass a test expecting a refusal.
      if (!(err instanceof joseErrors.JOSEError) || err.code === 'ERR_JWKS_TIMEOUT' || err.code === 'ERR_JWKS_INVALID') {
        throw new Error(`${route.routeKey}: the JWT authorizer's keys could not be read: ${err instanceof Error ? err.message : String(err)}`);
      }
      return { status: 401, reason: 'invalid_token', detail: jwtErrorDetail(err) };
    }
    const now = Math.floor(this.clock() / 1000);
    if (typeof payload.iat === 'number' && payload.iat > now) {
      return { status: 401, reason: 'invalid_token', detail: 'iat is in the future' };
    }
    const audiences = payload.aud !== undefined
      ? (Array.isArray(payload.aud) ? payload.aud : [payload.aud])
      : (typeof payload.client_id === 'string' ? [payload.client_id] : []);
    if (!audiences.some((a) => authorizer.audiences.includes(a))) {
      return { status: 401, reason: 'invalid_token', detail: 'the token does not have a valid audience' };
    }
    const scopes = new Set([...scopeList(payload.scope), ...scopeList(payload.scp)]);
    if (route.authorizationScopes.length > 0 && !route.authorizationScopes.some((s) => scopes.has(s))) {
      return { status: 403, reason: 'insufficient_scope' };
    }
    return {
      status: 200,
      reason: 'jwt_valid',
      context: { jwt: { claims: payload, ...(route.authorizationScopes.length > 0 ? { scopes: [...scopes] } : {}) } },
    };
  }

  /**
   * The Lambda authorizer as API Gateway runs it for an HTTP API
   * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html): a 401
   * without invoking it when an identity source is missing or empty; an answer cached by the identity
   * sources' values for the authorizer's TTL; a payload-2.0 event; with simple responses,
   * `isAuthorized` true (200) or false (403); an error or any other answer a 500.
   */
  private async callLambda(
    route: RouteInfo, method: string, path: string, rawPath: string, query: string | undefined,
    headers: Record<string, string>, queryStringParameters: Record<string, string> | undefined,
  ): Promise<Pick<HttpApiResponse, 'status' | 'reason' | 'context' | 'cached' | 'invoked'>> {
    const authorizer = this.lambdaAuthorizers.get(route.authorizerId!)!;
    if (authorizer.payloadFormatVersion !== '2.0' || !authorizer.simpleResponses) {
      throw new Error(`${route.routeKey}: its Lambda authorizer has payload format ${JSON.stringify(authorizer.payloadFormatVersion)} and simple responses ${authorizer.simpleResponses}; the test kit emulates 2.0 with simple responses`);
    }
    const identity = authorizer.identitySources.map((s) => identityValue(s, headers, queryStringParameters, { routeKey: route.routeKey }));
    // Without identity sources (caching off) API Gateway passes every request to the function.
    if (identity.some((v) => v === undefined || v === '')) {
      return { status: 401, reason: 'identity_source_missing', cached: false, invoked: false };
    }
    const now = this.clock();
    const cacheKey = JSON.stringify([route.authorizerId, identity]); // one cache per authorizer
    const caching = authorizer.resultsCacheTtlSeconds > 0 && identity.length > 0;
    const hit = caching ? this.cache.get(cacheKey) : undefined;
    if (hit && now < hit.expiresAt) {
      return { status: hit.isAuthorized ? 200 : 403, reason: 'cached_policy', cached: true, invoked: false, ...(hit.context ? { context: { lambda: hit.context } } : {}) };
    }
    const region = this.stack.region ?? 'us-east-1';
    const account = this.stack.account ?? '123456789012';
    const event = {
      version: '2.0',
      type: 'REQUEST',
      routeArn: `arn:aws:execute-api:${region}:${account}:testkitapi/$default/${method}${path}`,
      identitySource: identity,
      routeKey: route.routeKey,
      rawPath,
      rawQueryString: query ?? '',
      headers,
      queryStringParameters,
      requestContext: {
        accountId: account,
        apiId: 'testkitapi',
        domainName: 'testkitapi.execute-api.localhost',
        domainPrefix: 'testkitapi',
        http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
        requestId: randomUUID(),
        routeKey: route.routeKey,
        stage: '$default',
        time: new Date(now).toISOString(),
        timeEpoch: now,
      },
      pathParameters: route.routeKey === DEFAULT_ROUTE ? undefined : pathParameters(route.routeKey.slice(route.routeKey.indexOf(' ') + 1), path) ?? undefined,
      stageVariables: undefined,
    };
    const reply = await this.process!.invoke(event);
    const decision = reply.lines.map(parseJson).find((l) => l?.type === 'authz_decision');
    const result = reply.result as { isAuthorized?: unknown; context?: unknown } | undefined;
    if (reply.error !== undefined || typeof result?.isAuthorized !== 'boolean'
      || (result.context !== undefined && (typeof result.context !== 'object' || result.context === null))) {
      return { status: 500, reason: 'authorizer_error', cached: false, invoked: true };
    }
    const context = result.context as Record<string, unknown> | undefined;
    if (caching) {
      this.cache.set(cacheKey, { expiresAt: now + authorizer.resultsCacheTtlSeconds * 1000, isAuthorized: result.isAuthorized, context });
    }
    return {
      status: result.isAuthorized ? 200 : 403,
      reason: decision?.reason ?? 'unknown',
      cached: false,
      invoked: true,
      ...(result.isAuthorized && context ? { context: { lambda: context } } : {}),
    };
  }

  /** Stops the Lambda authorizer process. */
  public async stop(): Promise<void> {
    await this.process?.stop();
  }

  private async start(timeoutMs: number): Promise<void> {
    if (this.lambda) {
      this.process = await AuthorizerProcess.start(this.lambda.assetDir, this.environment ?? {}, this.logs, timeoutMs);
    }
  }
}

/**
 * The value of an HTTP API request parameter mapping's source
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-parameter-mapping.html): a
 * static value, `$context.authorizer.<key>` (the Lambda authorizer's context value, stringified),
 * `$context.authorizer.claims.<claim>` (a JWT claim, a string or number), or `$request.header.<name>`;
 * undefined when there is no such value. Any other source, or a value combining several, throws.
 */
function mappedValue(source: unknown, where: string, headers: Record<string, string>, context?: Record<string, unknown>): string | undefined {
  if (typeof source !== 'string') {
    throw new Error(`${where} is mapped from ${JSON.stringify(source)}, which the test kit does not emulate`);
  }
  if (!source.includes('$')) {
    return source;
  }
  const [, claim] = /^\$context\.authorizer\.claims\.([A-Za-z0-9_.]+)$/.exec(source) ?? [];
  if (claim !== undefined) {
    const claims = (context?.jwt as { claims?: Record<string, unknown> } | undefined)?.claims;
    const v = claims !== undefined && Object.hasOwn(claims, claim) ? claims[claim] : undefined;
    return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
  }
  const [, key] = /^\$context\.authorizer\.([A-Za-z0-9_.]+)$/.exec(source) ?? [];
  if (key !== undefined) {
    const lambda = context?.lambda as Record<string, unknown> | undefined;
    return lambda !== undefined && Object.hasOwn(lambda, key) ? String(lambda[key]) : undefined;
  }
  const [, header] = /^\$request\.header\.([A-Za-z0-9_.-]+)$/.exec(source) ?? [];
  if (header !== undefined) {
    return Object.entries(headers).find(([k]) => k.toLowerCase() === header.toLowerCase())?.[1];
  }
  throw new Error(`${where} is mapped from ${source}, which the test kit does not emulate`);
}

/** The `jwks_uri` of the issuer's discovery document, where the native JWT authorizer finds its keys. */
async function discoverJwksUri(issuer: string): Promise<string> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const res = await fetch(url);
  const doc = res.ok ? await res.json() as { jwks_uri?: unknown } : undefined;
  if (typeof doc?.jwks_uri !== 'string') {
    throw new Error(`${url} gave no jwks_uri (HTTP ${res.status}): pass issuerOverride`);
  }
  return doc.jwks_uri;
}

/** Why jose refused a token, without the token: its error code and message. */
function jwtErrorDetail(err: InstanceType<typeof joseErrors.JOSEError>): string {
  return `${err.code}: ${err.message}`;
}

/** A `scope` / `scp` claim's scopes: a space-separated string or a list of strings. */
function scopeList(claim: unknown): string[] {
  if (typeof claim === 'string') {
    return claim.split(' ').filter(Boolean);
  }
  return Array.isArray(claim) ? claim.filter((s): s is string => typeof s === 'string') : [];
}

/**
 * An HTTP API identity source's value (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html,
 * "Identity sources"): `$request.header.<name>` (names are case-insensitive), `$request.querystring.<name>`,
 * `$context.<variable>`.
 */
function identityValue(
  source: string, headers: Record<string, string>, query: Record<string, string> | undefined, context: Record<string, string>,
): string | undefined {
  const [, kind, name] = /^\$(request\.header|request\.querystring|context)\.(.+)$/.exec(source) ?? [];
  if (kind === 'request.header') {
    return headers[name.toLowerCase()];
  }
  if (kind === 'request.querystring') {
    return query?.[name];
  }
  if (kind === 'context' && Object.hasOwn(context, name)) {
    return context[name];
  }
  throw new Error(`identity source ${source} is not emulated`);
}
