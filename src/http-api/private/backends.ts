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
// - REST VPC links (`RouteBackend.vpcLink`, an `AWS::ApiGateway::VpcLink` to a Network Load
//   Balancer, called by URL) do not serve HTTP APIs: an HTTP API's private integration names an
//   `AWS::ApiGatewayV2::VpcLink` and, as its URI, an ALB or NLB listener's ARN or a Cloud Map
//   service's ARN (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-private.html,
//   https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-vpc-links.html). Synth fails
//   with the reason and the alternatives.
import { IConstruct } from 'constructs';
import { httpProxyIntegration } from '../../api/backend';
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
  /** `overwrite:header.<name>` -> `$context.authorizer.<key>`, or a static value on a public route. */
  readonly requestParameters: Readonly<Record<string, string>>;
  /** The timeout in milliseconds: the backend's, else `HttpBackendOptions.timeout`'s documented default, 29 s. */
  readonly timeoutInMillis: number;
}

/**
 * The integration of a route served by `route.backend`. Checks the backend as a `SecuredApi` does
 * (the URL, its path parameters, the timeout: the same codes), and refuses a REST VPC link.
 */
export function httpBackendIntegration(scope: IConstruct, what: string, route: RouteRecord): HttpBackendIntegrationSpec {
  const backend = route.backend!;
  if (backend._vpcLink !== undefined) {
    throw validationError('SecuredHttpApi.RestVpcLinkNotSupported', `${what} has RouteBackend.vpcLink(...), a REST API VPC link (AWS::ApiGateway::VpcLink to a Network Load Balancer, called by URL), which an HTTP API cannot use: its private integrations name an AWS::ApiGatewayV2::VpcLink and a load balancer listener's or Cloud Map service's ARN (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-private.html); serve the route from an https:// endpoint with RouteBackend.http(url), or keep it on a SecuredApi (REST API).`, scope);
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
  const requestParameters: Record<string, string> = {};
  for (const [header, contextKey] of CALLER_HEADERS) {
    const key = contextKey === 'principalId' ? HTTP_PRINCIPAL_CONTEXT_KEY : contextKey;
    requestParameters[`overwrite:header.${header}`] = route.isPublic
      ? (contextKey === 'principalId' ? PRINCIPAL_PUBLIC : ABSENT)
      : `$context.authorizer.${key}`;
  }
  return {
    uri,
    method: route.method,
    requestParameters,
    // Written out, so that the template says what RouteBackend documents rather than leave it to the
    // HTTP API's own default (30 s, https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-integrations.html, TimeoutInMillis).
    timeoutInMillis: typeof rest.timeoutInMillis === 'number' ? rest.timeoutInMillis : DEFAULT_TIMEOUT_MILLIS,
  };
}
