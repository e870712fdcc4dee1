// The HTTP_PROXY integrations of a SecuredHttpApi's routes served by a `RouteBackend`.
//
// - An HTTP proxy integration passes the whole request and response between client and endpoint; a
//   path variable of the route (`{id}`) is written into the integration URI as `{id}`, a greedy one
//   (`{proxy+}`) as `{proxy+}`
//   (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-http.html).
//   A `RouteBackend` URL names a greedy variable as REST does (`{proxy}`), so it is written out here
//   in the HTTP API's documented form; `{proxy+}` written by the user is kept.
// - The verified caller reaches the endpoint in the `X-Secured-Api-*` headers, each set with an
//   `overwrite:header.<name>` request parameter mapping from `$context.authorizer.<key>` (the Lambda
//   authorizer's context) or, on a public route, a static value
//   (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-parameter-mapping.html);
//   none of those names is one of the reserved headers listed there (`access-control-*`, `apigw-*`,
//   `Authorization`, `x-amz-*`, `x-amzn-*`, ...), and the headers' names are case-insensitive.
// - AWS does not say what a mapping from an empty or missing value does; under the worst reading the
//   client's own header of that name reaches the endpoint. So every mapped value is non-empty: a
//   guarded route with a backend is served by the Lambda authorizer (private/authorization.ts), whose
//   simple response sets every key (`-` for an absent claim, `principal` always); the native JWT
//   authorizer's `$context.authorizer.claims.<claim>` is missing for a claim the token lacks.
// - Private backends (`RouteBackend.privateIntegration`): an HTTP proxy integration with
//   `connectionType` VPC_LINK, `connectionId` the `AWS::ApiGatewayV2::VpcLink`'s id and, as `uri`, an
//   ALB or NLB listener's ARN or a Cloud Map service's ARN; `tlsConfig.serverNameToVerify` makes the
//   traffic HTTPS (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-private.html,
//   https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-integration.html,
//   https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-extensions-integration-tls-config.html).
//   "For private integrations, API Gateway includes the stage portion of the API endpoint in the
//   request to your backend resources" (same page), and the fix it gives is a parameter mapping that
//   overwrites the path with `$request.path`. So every private integration carries
//   `overwrite:path` <- `$request.path`: the target sees the path the client called, on the
//   `$default` stage and on a named one alike, whatever the stage is named.
// - REST VPC links (`RouteBackend.vpcLink`, an `AWS::ApiGateway::VpcLink` to a Network Load
//   Balancer, called by URL) do not serve HTTP APIs: synth fails with the reason and the
//   alternatives (`RouteBackend.privateIntegration`, or `RouteBackend.http`).
import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { backendTimeoutMillis, httpProxyIntegration } from '../../api/backend';
import type { RouteRecord } from '../../api/route-set';
import { ABSENT, CALLER_HEADERS, HTTP_PRINCIPAL_CONTEXT_KEY, PRINCIPAL_PUBLIC } from '../../authorizer/contract';
import { validationError } from '../../errors';

/** `HttpBackendOptions.timeout`'s default. */
const DEFAULT_TIMEOUT_MILLIS = 29_000;

/**
 * What an HTTP_PROXY integration of a backend route carries (also its identity: routes that agree
 * share one), written into the API's OpenAPI definition (./body.ts) as an `http_proxy` integration,
 * payload format 1.0.
 */
export interface HttpBackendIntegrationSpec {
  /** The integration URI, path variables in the HTTP API's form. */
  readonly uri: string;
  /** The integration method: the route's (`ANY` for an `ANY` route). */
  readonly method: string;
  /**
   * `overwrite:header.<name>` -> `$context.authorizer.<key>`, or a static value on a public route;
   * for a private integration also `overwrite:path` -> `$request.path`.
   */
  readonly requestParameters: Readonly<Record<string, string>>;
  /** The timeout in milliseconds: the backend's, else `HttpBackendOptions.timeout`'s documented default, 29 s. */
  readonly timeoutInMillis: number;
  /** A private integration's HTTP API VPC link id (a CDK token until deployment); none for an internet endpoint. */
  readonly connectionId?: string;
  /** A private integration's `tlsConfig.serverNameToVerify`; none: plain HTTP (or an https:// URL). */
  readonly serverNameToVerify?: string;
}

/** The path mapping of a private integration: the route's request path, without the stage's name. */
export const PRIVATE_PATH_MAPPING: Readonly<Record<string, string>> = { 'overwrite:path': '$request.path' };

/** A CDK token inside a string (`${Token[...]}`): a part known only at deployment. */
const TOKEN = /\$\{Token\[[^\]]*\]\}/g;

/**
 * The ARNs a private integration may target, a part known only at deployment standing as `<token>`:
 * an ALB or NLB listener, a Cloud Map service
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list-awscloudmap.html).
 */
const LISTENER_ARN = /^arn:[^:\s]+:elasticloadbalancing:[^:\s]*:[^:\s]*:listener\/((app|net)\/\S+|<token>\S*)$/;
const CLOUD_MAP_SERVICE_ARN = /^arn:[^:\s]+:servicediscovery:[^:\s]*:[^:\s]*:service\/[^\s/]+$/;
/** A DNS name (labels of letters, digits and `-`; a leading `*.` for a wildcard certificate's name). */
const SERVER_NAME = /^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * The integration of a route served by `route.backend`. Checks the backend as a `SecuredApi` does
 * (the URL, its path parameters, the timeout: the same codes), and refuses a REST VPC link.
 */
export function httpBackendIntegration(scope: IConstruct, what: string, route: RouteRecord): HttpBackendIntegrationSpec {
  const backend = route.backend!;
  if (backend._vpcLink !== undefined) {
    throw validationError('SecuredHttpApi.RestVpcLinkNotSupported', `${what} has RouteBackend.vpcLink(...), a REST API VPC link (AWS::ApiGateway::VpcLink to a Network Load Balancer, called by URL), which an HTTP API cannot use: its private integrations name an AWS::ApiGatewayV2::VpcLink and a load balancer listener's or Cloud Map service's ARN (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-private.html); serve the route with RouteBackend.privateIntegration(httpVpcLink, listenerOrServiceArn) through an apigwv2.VpcLink, or from an https:// endpoint with RouteBackend.http(url), or keep it on a SecuredApi (REST API).`, scope);
  }
  if (backend._isPrivate) {
    return privateIntegration(scope, what, route);
  }
  // The REST integration's checks, shared so that one RouteBackend is held to one set of rules.
  const rest = httpProxyIntegration(what, backend, route.method, route.resource, route.isPublic);
  const greedy = new Set([...route.resource.matchAll(/\{([^}+]+)\+\}/g)].map(([, name]) => name));
  const uri = (rest.uri as string).replace(/\{([A-Za-z0-9_.-]+)(\+?)\}/g, (whole, name: string, plus: string) => {
    if (plus && !greedy.has(name)) {
      throw validationError('SecuredApi.UnknownBackendPathParameter', `${what}: backend URL ${backend._url} names the greedy path variable {${name}+}, which the route's path ${route.resource} does not have; name only the route's own path parameters (a greedy {proxy+} is named {proxy}).`, scope);
    }
    return greedy.has(name) ? `{${name}+}` : whole;
  });
  return {
    uri,
    method: route.method,
    requestParameters: callerHeaderMappings(route),
    // Written out, so that the template says what RouteBackend documents rather than leave it to the
    // HTTP API's own default (30 s, https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-integrations.html, TimeoutInMillis).
    timeoutInMillis: typeof rest.timeoutInMillis === 'number' ? rest.timeoutInMillis : DEFAULT_TIMEOUT_MILLIS,
  };
}

/** The `X-Secured-Api-*` header mappings of a route with a backend (module comment). */
function callerHeaderMappings(route: RouteRecord): Record<string, string> {
  const requestParameters: Record<string, string> = {};
  for (const [header, contextKey] of CALLER_HEADERS) {
    const key = contextKey === 'principalId' ? HTTP_PRINCIPAL_CONTEXT_KEY : contextKey;
    requestParameters[`overwrite:header.${header}`] = route.isPublic
      ? (contextKey === 'principalId' ? PRINCIPAL_PUBLIC : ABSENT)
      : `$context.authorizer.${key}`;
  }
  return requestParameters;
}

/**
 * The integration of a route served by `RouteBackend.privateIntegration`: checks the VPC link, the
 * target's ARN and the server name where they are written out (a token stands for a part known at
 * deployment, e.g. `listener.listenerArn`), and the timeout as for any backend.
 */
function privateIntegration(scope: IConstruct, what: string, route: RouteRecord): HttpBackendIntegrationSpec {
  const backend = route.backend!;
  const vpcLinkId: unknown = backend._httpVpcLink?.vpcLinkId;
  if (typeof vpcLinkId !== 'string' || vpcLinkId === '') {
    throw validationError('SecuredHttpApi.MissingVpcLink', `${what}: RouteBackend.privateIntegration(...) has the VPC link ${JSON.stringify(vpcLinkId ?? null)}, which names no AWS::ApiGatewayV2::VpcLink; pass an apigwv2.VpcLink (new apigwv2.VpcLink(this, 'Link', { vpc }), or apigwv2.VpcLink.fromVpcLinkAttributes(...)).`, scope);
  }
  const arn: unknown = backend._url;
  const literal = typeof arn === 'string' ? arn.replace(TOKEN, '<token>') : undefined;
  const onlyTokens = typeof arn === 'string' && arn !== '' && arn.replace(TOKEN, '') === '';
  if (literal === undefined || (!onlyTokens && !LISTENER_ARN.test(literal) && !CLOUD_MAP_SERVICE_ARN.test(literal))) {
    throw validationError('SecuredHttpApi.InvalidPrivateIntegrationTarget', `${what}: RouteBackend.privateIntegration(...) targets ${JSON.stringify(arn ?? null)}, which is neither a load balancer listener's ARN (arn:<partition>:elasticloadbalancing:<region>:<account>:listener/app|net/...) nor a Cloud Map service's (arn:<partition>:servicediscovery:<region>:<account>:service/srv-...), the targets of an HTTP API private integration (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-private.html); pass e.g. listener.listenerArn (not the load balancer's ARN) or service.serviceArn.`, scope);
  }
  const serverName: unknown = backend._options.serverNameToVerify;
  if (serverName !== undefined && (typeof serverName !== 'string' || (!Token.isUnresolved(serverName) && !SERVER_NAME.test(serverName)))) {
    throw validationError('SecuredHttpApi.InvalidServerNameToVerify', `${what}: serverNameToVerify ${JSON.stringify(serverName)} is not a DNS name API Gateway can verify on the target's certificate; pass the name the certificate is issued for, without scheme, port or path, e.g. 'orders.internal.example.com', or leave it out for plain HTTP.`, scope);
  }
  const timeoutInMillis = backendTimeoutMillis(what, backend._options.timeout);
  return {
    uri: arn as string,
    method: route.method,
    requestParameters: { ...callerHeaderMappings(route), ...PRIVATE_PATH_MAPPING },
    timeoutInMillis: timeoutInMillis ?? DEFAULT_TIMEOUT_MILLIS,
    connectionId: vpcLinkId,
    ...(serverName === undefined ? {} : { serverNameToVerify: serverName as string }),
  };
}
