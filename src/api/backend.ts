/**
 * Backends of a `SecuredApi` route that are not Lambda functions: HTTP endpoints, directly or over
 * a VPC link, through API Gateway `http_proxy` integrations.
 *
 * - An `http_proxy` integration passes the method request's headers, query string and body to the
 *   endpoint and its response back as is
 *   (https://docs.aws.amazon.com/apigateway/latest/developerguide/setup-http-integrations.html);
 *   path parameters reach the endpoint through `requestParameters`
 *   `integration.request.path.x` <- `method.request.path.x`
 *   (https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-parameter-mapping-sources.html).
 * - A VPC link (`connectionType: VPC_LINK`) reaches a private Network Load Balancer
 *   (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-integration.html).
 * - `RouteBackend.privateIntegration` is an HTTP API's private integration (an
 *   `AWS::ApiGatewayV2::VpcLink` to a listener's or Cloud Map service's ARN), written by
 *   src/http-api/private/backends.ts; a REST API cannot be given one, so this writer refuses it.
 * - The verified caller is passed as headers mapped from the authorizer's context
 *   (`context.authorizer.<key>`, a mapping source of the same reference), or, on public routes, from
 *   static values (`'public'`, written in single quotes in OpenAPI,
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-integration-requestParameters.html).
 *   A mapping sets the integration request's header
 *   (https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-parameter-mapping.html), and
 *   `$context.authorizer.<key>` is the stringified context value
 *   (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html).
 *   AWS does not say what a header mapped from an empty or missing value becomes: sent empty, or
 *   dropped so that a client's own header of that name passes through. So no caller header is ever
 *   mapped from an empty value: public routes map fixed values, and the authorizer sets every
 *   context key the mappings read to a non-empty value (ABSENT, `-`, for a claim the token lacks).
 *   Either way the endpoint gets the authorizer's value, never the client's.
 */
import { Duration, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { ABSENT, CALLER_HEADERS, PRINCIPAL_PUBLIC } from '../authorizer/contract';
import type { RouteMethod } from '../authorizer/contract';
import { validationError } from '../errors';

/**
 * Options of an HTTP backend.
 */
export interface HttpBackendOptions {
  /**
   * How long API Gateway waits for the endpoint (50 ms to 29 s).
   *
   * @default Duration.seconds(29)
   */
  readonly timeout?: Duration;
}

/**
 * Options of a private backend of a `SecuredHttpApi` (`RouteBackend.privateIntegration`).
 */
export interface PrivateBackendOptions extends HttpBackendOptions {
  /**
   * The server name API Gateway verifies on the target's certificate and sends in the TLS handshake
   * (SNI). With it the traffic through the VPC link is HTTPS (the listener must speak TLS), e.g.
   * `orders.internal.example.com`.
   *
   * @default - none: API Gateway calls the target over plain HTTP, inside your VPC
   */
  readonly serverNameToVerify?: string;
}

/**
 * What serves a `SecuredApi` route when it is not a Lambda function (`SecuredApiRoute.handler`):
 * an HTTP endpoint, directly or over a VPC link. The route is guarded exactly as a Lambda route is.
 *
 * The endpoint receives the client's request as sent (headers, `Authorization` included, query
 * string, body; an `http_proxy` integration), with the route's path parameters filled into the URL
 * wherever it names them (`{id}`; `{proxy}` for a greedy `{proxy+}`), and, on a guarded route, the
 * caller the authorizer verified, in headers API Gateway sets from the authorizer's context:
 *
 * | header | guarded route | public route |
 * |---|---|---|
 * | `X-Secured-Api-Principal` | `sub:<sub>`, else `client:<client_id>`, else `anonymous` | `public` |
 * | `X-Secured-Api-Sub` | the token's `sub`, or `-` when it has none | `-` |
 * | `X-Secured-Api-Client-Id` | the token's `client_id`, or `-` when it has none | `-` |
 * | `X-Secured-Api-Scopes` | the granted scopes, space-separated, or `-` when none | `-` |
 * | `X-Secured-Api-Issuer` | the token's `iss` | `-` |
 * | `X-Secured-Api-Exp` | the token's `exp` (epoch seconds; a cached policy can outlive it) | `-` |
 *
 * Every one is set on every request, public routes included, so a client's own `X-Secured-Api-*`
 * header never reaches the endpoint in its place, whatever API Gateway does with an empty mapped
 * value (none is ever empty). The principal says what it names: a `sub` and a client id never read
 * the same. `-` is never a real value: the authorizer refuses a token whose `sub` or `client_id` is
 * `-` and never grants a scope `-`. Trust the headers only on requests that can have come through
 * the API alone (the endpoint private, or behind a VPC link), and refuse a request that carries one
 * of them twice (AWS does not say whether a mapped header replaces a client's header whose name
 * differs in letter case only).
 *
 * On a `SecuredHttpApi`, `http(url)` is an HTTP API proxy integration (`HTTP_PROXY`) with the same
 * headers, set by `overwrite:header` parameter mappings, and a guarded route with a backend always
 * uses the Lambda authorizer (its context sets every header; a JWT claim can be missing).
 * `vpcLink(...)` is refused there: HTTP APIs use VPC links of their own, which
 * `privateIntegration(...)` names (docs/http-api.md in the repository, "Backends that are not
 * Lambda functions"); a `SecuredApi` refuses `privateIntegration(...)` in turn.
 */
export class RouteBackend {
  /**
   * An HTTPS endpoint on the internet (or any endpoint API Gateway can reach by its public name).
   *
   * @param url the endpoint's URL, `https://` only; it may name the route's path parameters,
   * e.g. `https://orders.internal.example.com/v2/orders/{id}` for the route `/orders/{id}`, or
   * `https://files.example.com/{proxy}` for `/files/{proxy+}`
   */
  public static http(url: string, options: HttpBackendOptions = {}): RouteBackend {
    return new RouteBackend(url, undefined, options);
  }

  /**
   * An endpoint behind a Network Load Balancer reached over a REST API VPC link
   * (`apigateway.VpcLink`). Plain `http://` is allowed here: the traffic stays in AWS's network and
   * your VPC. `SecuredApi` only: a `SecuredHttpApi` refuses it (`SecuredHttpApi.RestVpcLinkNotSupported`),
   * as an HTTP API's private integrations go through an `AWS::ApiGatewayV2::VpcLink` to a listener or
   * Cloud Map service ARN
   * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-private.html).
   *
   * @param url the URL API Gateway calls through the link, usually the load balancer's DNS name,
   * e.g. `http://${nlb.loadBalancerDnsName}/orders/{id}`; path parameters as for `http`
   */
  public static vpcLink(vpcLink: apigateway.IVpcLink, url: string, options: HttpBackendOptions = {}): RouteBackend {
    return new RouteBackend(url, vpcLink, options);
  }

  /**
   * A private resource of your VPC, reached over an HTTP API VPC link (`apigwv2.VpcLink`,
   * `AWS::ApiGatewayV2::VpcLink`): an Application or Network Load Balancer's listener, or a Cloud
   * Map service, named by its ARN
   * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-private.html).
   * `SecuredHttpApi` only: a `SecuredApi` refuses it (`SecuredApi.HttpVpcLinkNotSupported`); use
   * `vpcLink(...)` there.
   *
   * The target receives the client's request at the path the client called (the route's path with
   * its values, e.g. `/orders/42`), without the stage's name, which API Gateway would otherwise put
   * in front of it, and the same `X-Secured-Api-*` headers as an `http(url)` backend. Traffic is plain
   * HTTP unless `serverNameToVerify` is set.
   *
   * @param vpcLink the HTTP API VPC link to the target's VPC (its security groups must let it reach the target)
   * @param targetArn the listener's ARN (`arn:<partition>:elasticloadbalancing:<region>:<account>:listener/app|net/...`,
   * e.g. `listener.listenerArn`) or the Cloud Map service's ARN
   * (`arn:<partition>:servicediscovery:<region>:<account>:service/srv-...`, e.g. `service.serviceArn`)
   */
  public static privateIntegration(vpcLink: apigwv2.IVpcLink, targetArn: string, options: PrivateBackendOptions = {}): RouteBackend {
    return new RouteBackend(targetArn, undefined, options, true, vpcLink);
  }

  /** @internal */
  public readonly _url: string;
  /** @internal */
  public readonly _vpcLink?: apigateway.IVpcLink;
  /** @internal */
  public readonly _options: PrivateBackendOptions;
  /** Whether it is a `privateIntegration` (`_url` is then the target's ARN, `_httpVpcLink` the link as given). @internal */
  public readonly _isPrivate: boolean;
  /** @internal */
  public readonly _httpVpcLink?: apigwv2.IVpcLink;

  private constructor(
    url: string, vpcLink: apigateway.IVpcLink | undefined, options: PrivateBackendOptions, isPrivate = false, httpVpcLink?: apigwv2.IVpcLink,
  ) {
    this._url = url;
    this._vpcLink = vpcLink;
    this._options = options;
    this._isPrivate = isPrivate;
    this._httpVpcLink = httpVpcLink;
  }

  /** What serves the route, as the access review shows it: the URL, or the target's ARN and the VPC link. @internal */
  public get _reviewedTarget(): string {
    return this._isPrivate ? `${this._url} over the HTTP API VPC link ${this._httpVpcLink?.vpcLinkId}` : this._url;
  }
}

/** A `{name}` placeholder of a URL (a CDK token, `${Token[...]}`, is not one: it holds `[`). */
const PLACEHOLDER = /\{([A-Za-z0-9_.-]+)\}/g;

/**
 * The `http_proxy` integration of a route served by `backend` (an `x-amazon-apigateway-integration`
 * object). Checks the URL: `https://` unless over a VPC link, written out up to the host, and naming
 * only path parameters of the route.
 */
export function httpProxyIntegration(
  where: string, backend: RouteBackend, method: RouteMethod, resource: string, isPublic: boolean,
): Record<string, unknown> {
  if (backend._isPrivate) {
    throw validationError('SecuredApi.HttpVpcLinkNotSupported', `${where} has RouteBackend.privateIntegration(...), an HTTP API private integration (a listener's or Cloud Map service's ARN behind an AWS::ApiGatewayV2::VpcLink), which a REST API cannot be given: a REST API's private integration is called by URL, through a VPC link to a load balancer, and never reaches a Cloud Map service (https://docs.aws.amazon.com/apigateway/latest/developerguide/private-integration.html); serve the route with RouteBackend.vpcLink(restVpcLink, url) (a REST VPC link to a Network Load Balancer), or put it on a SecuredHttpApi.`);
  }
  const url = backend._url;
  const vpcLink = backend._vpcLink;
  const schemes = vpcLink ? ['https://', 'http://'] : ['https://'];
  if (typeof url !== 'string' || !schemes.some((s) => url.startsWith(s))) {
    throw validationError('SecuredApi.InsecureBackendUrl', vpcLink
      ? `${where}: backend URL ${JSON.stringify(url)} must start with https:// or http:// written out (not a token); e.g. \`http://\${nlb.loadBalancerDnsName}/orders\`.`
      : `${where}: backend URL ${JSON.stringify(url)} must start with https:// written out (not a token): API Gateway would send the caller's request, bearer token included, in clear text over the internet; use an https:// endpoint, or RouteBackend.vpcLink(...) for a private endpoint.`);
  }
  // Tokens stand for parts known at deployment (a load balancer's DNS name); the rest must be a URL.
  const literal = url.replace(/\$\{Token\[[^\]]*\]\}/g, 'token').replace(PLACEHOLDER, 'param');
  if (/[\s#]/.test(literal) || !/^https?:\/\/[^/?@]+(\/[^?]*)?(\?.*)?$/.test(literal)) {
    throw validationError('SecuredApi.InvalidBackendUrl', `${where}: backend URL ${JSON.stringify(url)} is not a URL API Gateway can call; write scheme, host and path, without user info or fragment, e.g. 'https://orders.example.com/v1/orders/{id}'.`);
  }
  const routeParams = new Map([...resource.matchAll(/\{([^}+]+)(\+?)\}/g)].map(([, name]) => [name, true]));
  const requestParameters: Record<string, string> = {};
  for (const [, name] of url.matchAll(PLACEHOLDER)) {
    if (!routeParams.has(name)) {
      throw validationError('SecuredApi.UnknownBackendPathParameter', `${where}: backend URL ${url} names the path parameter {${name}}, which the route's path ${resource} does not have; name only ${routeParams.size ? [...routeParams.keys()].map((p) => `{${p}}`).join(', ') : 'none (the path has no parameters)'} (a greedy {${'proxy+'}} is named {proxy}).`);
    }
    requestParameters[`integration.request.path.${name}`] = `method.request.path.${name}`;
  }
  for (const [header, contextKey] of CALLER_HEADERS) {
    requestParameters[`integration.request.header.${header}`] = isPublic
      ? `'${contextKey === 'principalId' ? PRINCIPAL_PUBLIC : ABSENT}'`
      : `context.authorizer.${contextKey}`;
  }
  const timeoutInMillis = backendTimeoutMillis(where, backend._options.timeout);
  return {
    type: 'http_proxy',
    httpMethod: method,
    uri: url,
    ...(vpcLink ? { connectionType: 'VPC_LINK', connectionId: vpcLink.vpcLinkId } : {}),
    requestParameters,
    ...(timeoutInMillis === undefined ? {} : { timeoutInMillis }),
  };
}

/** A backend's timeout in milliseconds, checked: 50 ms to 29 s and known at synthesis; undefined without one. */
export function backendTimeoutMillis(where: string, timeout: Duration | undefined): number | undefined {
  if (timeout === undefined) return undefined;
  const millis = Token.isUnresolved(timeout.toMilliseconds()) ? NaN : timeout.toMilliseconds();
  if (!(millis >= 50 && millis <= 29_000)) {
    throw validationError('SecuredApi.InvalidBackendTimeout', `${where}: backend timeout ${timeout.toHumanString()} is outside API Gateway's 50 ms to 29 s (or not known at synthesis); pass e.g. Duration.seconds(10).`);
  }
  return millis;
}
