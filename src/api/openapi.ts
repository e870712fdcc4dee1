/**
 * The OpenAPI document of a `SecuredApi`: a pure function of its routes and settings, no construct.
 *
 * ## OpenAPI 3.0.3
 *
 * API Gateway REST APIs import OpenAPI 3.0 (not 3.1), and the `SpecRestApi` this API will move to
 * reuses this document, so it is written in 3.0.3.
 *
 * ## Two security schemes, both on every guarded operation
 *
 * - `oidc` (`openIdConnect`, the issuer's discovery document) is what a caller reads: which issuer's
 *   access tokens, and which scopes. OpenAPI 3.0 lets only `oauth2` and `openIdConnect` requirements
 *   list scopes.
 * - `tokenAuthorizer` (`apiKey` in the `Authorization` header, with `x-amazon-apigateway-authtype`
 *   and `x-amazon-apigateway-authorizer`) is API Gateway's view: the Lambda REQUEST authorizer that
 *   checks the token. 3.0 requires its requirement's list to be empty.
 *
 * A route's scopes are any-of, while the scopes of one OpenAPI security requirement are all
 * required; alternatives are separate requirements. So a guarded route needing any of `a`, `b` has
 * `security: [{ oidc: ['a'], tokenAuthorizer: [] }, { oidc: ['b'], tokenAuthorizer: [] }]`, one
 * requirement per scope; a route needing no scope (any valid token) has
 * `[{ oidc: [], tokenAuthorizer: [] }]`; a public route has `security: []`, and the document has no
 * top-level `security`, so nothing is inherited.
 *
 * Claim rules and throttles have no OpenAPI form: they are the extensions
 * `x-cdk-secured-api-claim-rules` and `x-cdk-secured-api-throttle`.
 *
 * ## HTTP APIs (`kind: 'HTTP'`)
 *
 * A `SecuredHttpApi`'s document is the same readers' document, with its two authorizers as HTTP
 * APIs write them in `x-amazon-apigateway-authorizer`
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-authorizer.html):
 * a route guarded by API Gateway's native JWT authorizer names `oidc` and `jwtAuthorizer` (an
 * `openIdConnect` scheme, `type: jwt`, with the issuer and audiences), each with the scope (one
 * requirement per scope, as above); a route guarded by the Lambda authorizer names `oidc` and
 * `tokenAuthorizer` (`type: request`, payload format 2.0, simple responses). Only the schemes some
 * route uses are declared. `jwtAuthorizer` is `openIdConnect`, not the `oauth2` of AWS's own exports,
 * because OpenAPI 3.0 requires an `oauth2` scheme to list its flows, which the authorizer does not
 * know. Each guarded operation says which authorizer guards it, and why the Lambda one, in
 * `x-cdk-secured-api-authorizer`. HTTP APIs have no custom gateway responses: 401 and 403 are API
 * Gateway's own `{"message": ...}`.
 *
 * ## Path parameters as API Gateway names them
 *
 * A path's parameters are declared once, on its path item, with the names the REST API's definition
 * gives them (`pathParameters`): a greedy `{proxy+}` is named `proxy`, as API Gateway's own
 * definitions name it, so that the document imports into API Gateway as it reads. Strict OpenAPI
 * validators expect the whole template expression (`proxy+`) and report a greedy path's parameter
 * as missing.
 */
import { createHash } from 'crypto';
import { pathItems, pathParameters, sortedRoutes } from './definition';
import type { ClaimRuleConfig, RouteMethod } from '../authorizer/contract';

/** The name of the OpenID Connect security scheme callers read. */
export const OIDC_SCHEME = 'oidc';
/** The name of the API Gateway Lambda authorizer security scheme. */
export const AUTHORIZER_SCHEME = 'tokenAuthorizer';
/** The extension holding an operation's claim rules. */
export const CLAIM_RULES_EXTENSION = 'x-cdk-secured-api-claim-rules';
/** The extension holding an operation's (or, at the top level, the stage's) throttle. */
export const THROTTLE_EXTENSION = 'x-cdk-secured-api-throttle';
/** The name of an HTTP API's native JWT authorizer security scheme. */
export const JWT_AUTHORIZER_SCHEME = 'jwtAuthorizer';
/** The extension, on an HTTP API's guarded operation, naming its authorizer: `{ type: 'jwt' | 'lambda', reason? }`. */
export const AUTHORIZER_EXTENSION = 'x-cdk-secured-api-authorizer';
/** The top-level extension present when the deployment check is skipped: `{ skipped: true, reason }`. */
export const DEPLOYMENT_CHECK_EXTENSION = 'x-cdk-secured-api-deployment-check';


/** A throttle as the document shows it. */
export interface OpenApiThrottle {
  readonly rateLimit?: number;
  readonly burstLimit?: number;
}

/** One route of the API. */
export interface OpenApiRoute {
  readonly method: RouteMethod;
  /** API Gateway's resource path, e.g. `/orders/{id}` or `/files/{proxy+}`. */
  readonly resource: string;
  /** Any-of; empty: any valid token. Ignored for a public route. */
  readonly scopes: readonly string[];
  /** All must hold. */
  readonly claimRules: readonly ClaimRuleConfig[];
  readonly isPublic: boolean;
  readonly throttle?: OpenApiThrottle;
  /** HTTP APIs: the authorizer guarding a non-public route (a REST API's is always the Lambda one). */
  readonly authorizer?: OpenApiRouteAuthorizer;
}

/** Which authorizer guards an HTTP API's route, and why the Lambda one. */
export interface OpenApiRouteAuthorizer {
  readonly type: 'jwt' | 'lambda';
  /** Why the Lambda authorizer; empty for the native JWT one. */
  readonly reason: string;
}

/** An HTTP API's native JWT authorizer. */
export interface OpenApiJwtAuthorizer {
  readonly issuer: string;
  readonly audiences: readonly string[];
  /** e.g. `$request.header.Authorization` */
  readonly identitySource: string;
}

/** What the document is made from. Every string must be a literal, not a token. */
export interface OpenApiInput {
  /** `info.title`: the REST API's name. */
  readonly title: string;
  readonly description?: string;
  /** The issuer's URL; its discovery document is `<issuer>/.well-known/openid-configuration`. */
  readonly issuerUrl: string;
  readonly audiences?: readonly string[];
  /** The authorizer's identity sources, e.g. `method.request.header.Authorization`. */
  readonly identitySources: readonly string[];
  readonly resultsCacheTtlSeconds?: number;
  /**
   * The authorizer's invocation URI. Deploy-time (it holds the function's ARN): leave it out of a
   * document written for readers.
   */
  readonly authorizerUri?: string;
  /** The stage's name, a server URL variable's default. */
  readonly stageName: string;
  /** The region, a server URL variable's default when known at synth. */
  readonly region?: string;
  /** The stage's throttle. */
  readonly throttle?: OpenApiThrottle;
  readonly routes: readonly OpenApiRoute[];
  /** Why the deployment check is skipped; undefined when it runs. */
  readonly deploymentCheckSkipped?: string;
  /** `REST` (a SecuredApi, the default) or `HTTP` (a SecuredHttpApi, whose routes say their `authorizer`). */
  readonly kind?: 'REST' | 'HTTP';
  /** HTTP APIs: the native JWT authorizer, needed when a route uses it. */
  readonly jwtAuthorizer?: OpenApiJwtAuthorizer;
}

/** A JSON value. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/**
 * The OpenAPI 3.0.3 document of an API. Deterministic: the same input gives the same document
 * (paths and methods sorted), whose `info.version` is a digest of its content, so that it changes
 * exactly when the API's definition does.
 *
 * `servers` holds the stage URL as a template whose REST API id (and region, when unknown at
 * synth) are server variables: they exist only once the API is deployed.
 */
export function openApiDocument(input: OpenApiInput): JsonObject {
  const http = input.kind === 'HTTP';
  if (http && input.routes.some((r) => !r.isPublic && r.authorizer === undefined)) {
    throw new Error('openApiDocument: an HTTP API\'s guarded route needs its authorizer');
  }
  const paths = pathItems(sortedRoutes(input.routes), describedPathParameters, (route) => operation(route, http)) as { [path: string]: JsonObject };

  const audiences = (input.audiences ?? []).join(', ');
  const authorizer: JsonObject = {
    type: 'request',
    identitySource: input.identitySources.join(', '),
    ...(input.authorizerUri === undefined ? {} : { authorizerUri: input.authorizerUri }),
    ...(input.resultsCacheTtlSeconds === undefined ? {} : { authorizerResultTtlInSeconds: input.resultsCacheTtlSeconds }),
    ...(http ? { authorizerPayloadFormatVersion: '2.0', enableSimpleResponses: true } : {}),
  };
  const openIdConnectUrl = `${input.issuerUrl.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const uses = (type: OpenApiRouteAuthorizer['type']) => input.routes.some((r) => !r.isPublic && r.authorizer?.type === type);
  const jwt = input.jwtAuthorizer;
  if (http && uses('jwt') && jwt === undefined) {
    throw new Error('openApiDocument: an HTTP API route uses the native JWT authorizer, which needs jwtAuthorizer');
  }
  const components: JsonObject = {
    securitySchemes: {
      [OIDC_SCHEME]: {
        type: 'openIdConnect',
        openIdConnectUrl,
        description: `Access tokens of the issuer ${input.issuerUrl}${audiences ? ` for the audience ${audiences}` : ''}, sent as \`Authorization: Bearer <token>\`. An operation lists one security requirement per scope it accepts: any one of them opens it.`,
      },
      ...(!http || uses('lambda') ? {
        [AUTHORIZER_SCHEME]: {
          'type': 'apiKey',
          'name': 'Authorization',
          'in': 'header',
          'description': http
            ? 'The API Gateway Lambda authorizer (payload 2.0, simple responses) that verifies the bearer token and checks the route\'s scopes and claim rules.'
            : 'The API Gateway Lambda REQUEST authorizer that verifies the bearer token and checks the route\'s scopes and claim rules.',
          ...(http ? {} : { 'x-amazon-apigateway-authtype': 'custom' }),
          'x-amazon-apigateway-authorizer': authorizer,
        },
      } : {}),
      ...(http && jwt && uses('jwt') ? {
        [JWT_AUTHORIZER_SCHEME]: {
          'type': 'openIdConnect',
          openIdConnectUrl,
          'description': 'API Gateway\'s native JWT authorizer: the token\'s signature by the issuer\'s keys, iss, aud (or client_id without aud) one of the audiences, exp, nbf and iat, and any one of the route\'s scopes in scope or scp. Nothing else: no claim rules.',
          'x-amazon-apigateway-authorizer': {
            type: 'jwt',
            jwtConfiguration: { issuer: jwt.issuer, audience: [...jwt.audiences] },
            identitySource: jwt.identitySource,
          },
        },
      } : {}),
    },
    responses: http ? {
      Unauthorized: errorResponse('No valid access token (API Gateway\'s own body).', false),
      Forbidden: errorResponse('The token does not open this route: none of its scopes, or a claim rule fails (API Gateway\'s own body).', false),
    } : {
      Unauthorized: errorResponse('No valid access token (fixed body; WWW-Authenticate: Bearer).'),
      Forbidden: errorResponse('The token does not open this route: none of its scopes, or a claim rule fails (fixed body).'),
    },
  };

  const content: JsonObject = {
    openapi: '3.0.3',
    info: {
      title: input.title,
      ...(input.description ? { description: input.description } : {}),
      version: '',
    },
    servers: [server(input)],
    paths,
    components,
    ...(input.throttle ? { [THROTTLE_EXTENSION]: throttle(input.throttle) } : {}),
    ...(input.deploymentCheckSkipped === undefined ? {} : { [DEPLOYMENT_CHECK_EXTENSION]: { skipped: true, reason: input.deploymentCheckSkipped } }),
  };
  (content.info as JsonObject).version = createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 12);
  return content;
}

function operation(route: OpenApiRoute, http: boolean): JsonObject {
  const op: JsonObject = {};
  if (route.isPublic) {
    op.description = 'Public: no token needed.';
    op.security = [];
  } else {
    const scopes = [...new Set(route.scopes)].sort();
    op.description = scopes.length === 0
      ? 'Needs a valid access token.'
      : `Needs a valid access token with any one of the scopes: ${scopes.join(', ')}.`;
    // The native JWT authorizer checks the scopes itself (an openIdConnect requirement lists them); an apiKey requirement's list must be empty.
    const jwt = http && route.authorizer?.type === 'jwt';
    const requirement = (scope?: string): JsonObject => ({
      [OIDC_SCHEME]: scope === undefined ? [] : [scope],
      ...(jwt ? { [JWT_AUTHORIZER_SCHEME]: scope === undefined ? [] : [scope] } : { [AUTHORIZER_SCHEME]: [] }),
    });
    op.security = scopes.length === 0 ? [requirement()] : scopes.map(requirement);
    if (http) {
      op[AUTHORIZER_EXTENSION] = jwt ? { type: 'jwt' } : { type: 'lambda', reason: route.authorizer?.reason ?? '' };
    }
  }
  op.responses = {
    default: { description: http ? 'The handler\'s response (Lambda proxy integration, payload 2.0).' : 'The handler\'s response (Lambda proxy integration).' },
    ...(route.isPublic ? {} : {
      401: { $ref: '#/components/responses/Unauthorized' },
      403: { $ref: '#/components/responses/Forbidden' },
    }),
  };
  if (!route.isPublic && route.claimRules.length > 0) {
    op[CLAIM_RULES_EXTENSION] = route.claimRules.map(claimRule);
  }
  if (route.throttle) {
    op[THROTTLE_EXTENSION] = throttle(route.throttle);
  }
  return op;
}

/** A claim rule in the words of its `ClaimRule` factory: `{ claim, equalTo | contains | oneOf }`. */
function claimRule(rule: ClaimRuleConfig): JsonObject {
  switch (rule.op) {
    case 'equals': return { claim: rule.claim, equalTo: rule.value ?? null };
    case 'contains': return { claim: rule.claim, contains: rule.value ?? null };
    case 'oneOf': return { claim: rule.claim, oneOf: [...rule.values ?? []] };
  }
}

function throttle(t: OpenApiThrottle): JsonObject {
  return {
    ...(t.rateLimit === undefined ? {} : { rateLimit: t.rateLimit }),
    ...(t.burstLimit === undefined ? {} : { burstLimit: t.burstLimit }),
  };
}

/**
 * A path's parameters, named as in the REST API's definition (`pathParameters`: a greedy `{proxy+}` is
 * `proxy`, as API Gateway names it), a greedy one described for readers.
 */
function describedPathParameters(resource: string): Json[] {
  return pathParameters(resource).map((p) => ({
    name: p.name,
    in: p.in,
    required: p.required,
    ...(resource.endsWith(`{${p.name}+}`) ? { description: 'The rest of the path: one or more segments, `/` included (greedy).' } : {}),
    schema: { type: p.schema.type },
  }));
}

function server(input: OpenApiInput): JsonObject {
  const id = input.kind === 'HTTP' ? 'apiId' : 'restApiId';
  const variables: JsonObject = {
    [id]: input.kind === 'HTTP'
      ? { default: 'apiId', description: 'The HTTP API\'s id, known once it is deployed (`SecuredHttpApi.httpApi.apiId`).' }
      : { default: 'restApiId', description: 'The REST API\'s id, known once it is deployed (`SecuredApi.restApi.restApiId`).' },
  };
  if (input.region === undefined) {
    variables.region = { default: 'us-east-1', description: 'The region the API is deployed in.' };
  }
  return {
    url: `https://{${id}}.execute-api.${input.region ?? '{region}'}.amazonaws.com/${input.stageName}`,
    description: 'The deployed stage.',
    variables,
  };
}

function errorResponse(description: string, withRequestId = true): JsonObject {
  return {
    description,
    content: {
      'application/json': {
        schema: withRequestId ? {
          type: 'object',
          properties: { message: { type: 'string' }, requestId: { type: 'string' } },
          required: ['message', 'requestId'],
        } : {
          type: 'object',
          properties: { message: { type: 'string' } },
          required: ['message'],
        },
      },
    },
  };
}
