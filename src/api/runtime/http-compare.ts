/**
 * The comparison of a deployed HTTP API (as API Gateway's v2 read API returns it) with what a
 * `SecuredHttpApi` wrote. Pure: no SDK, no I/O, no aws-cdk-lib. One line per difference, naming the
 * route or authorizer, in the REST check's style (`compare.ts`).
 *
 * Shapes read (AWS SDK v3 / the API reference's JSON, PascalCase):
 * - GetRoutes: https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-routes.html
 *   (`RouteKey`, `AuthorizationType` NONE | AWS_IAM | CUSTOM | JWT, `AuthorizerId`, `AuthorizationScopes`, `Target`)
 * - GetAuthorizers: https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-authorizers.html
 *   (`Name`, `AuthorizerType` REQUEST | JWT, `JwtConfiguration` { `Issuer`, `Audience` },
 *   `AuthorizerPayloadFormatVersion`, `EnableSimpleResponses`, `IdentitySource`, `AuthorizerResultTtlInSeconds`,
 *   `AuthorizerUri`: the function a Lambda authorizer calls, `AuthorizerCredentialsArn`)
 * - GetIntegrations: https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-integrations.html
 *   (`IntegrationId`, `IntegrationType`, `IntegrationUri`, `IntegrationMethod`, `PayloadFormatVersion`,
 *   `ConnectionType`, `ConnectionId`, `RequestParameters`, `TimeoutInMillis`, and what else changes
 *   what serves a route or what it answers: `IntegrationSubtype`, `CredentialsArn`,
 *   `TlsConfig.ServerNameToVerify`, `ResponseParameters`; a route's `Target` is
 *   `integrations/<IntegrationId>`). What GetIntegration returns for a Lambda proxy the definition
 *   gives no method, connection type or timeout (`POST`, `INTERNET`, 30000) is shown in the CLI's
 *   example: https://docs.aws.amazon.com/cli/latest/reference/apigatewayv2/get-integration.html
 * The API is imported from an OpenAPI definition, so the ids of its integrations and authorizers
 * are API Gateway's: each route's integration is the one its `Target` names, compared with the
 * definition's integration for that route; authorizers are found by name (the security scheme's).
 * Every route, authorizer and integration read back must be one the definition wrote: an extra one
 * (an integration no route of the definition targets) is a difference.
 * A field API Gateway leaves out is read as absent (an unset `AuthorizationType` as NONE, its
 * documented default for routes), so the comparison fails closed: a guarded route whose type is not
 * sent is reported, never assumed guarded.
 */

import { resolveModelString } from './compare';
import type { ModelString } from '../deployment-check-contract';
import type { CheckedHttpApi, ExpectedHttpIntegration } from '../http-deployment-check-contract';

export type {
  CheckedHttpApi, CheckedHttpRoute, ExpectedHttpApi, ExpectedHttpIntegration, ExpectedHttpRoute, ExpectedJwtAuthorizer, ExpectedLambdaAuthorizer,
} from '../http-deployment-check-contract';

/** A route as GetRoutes returns it. */
export interface DeployedHttpRoute {
  readonly RouteId?: string;
  readonly RouteKey?: string;
  readonly AuthorizationType?: string;
  readonly AuthorizerId?: string;
  readonly AuthorizationScopes?: readonly string[];
  readonly Target?: string;
}

/** An authorizer as GetAuthorizers returns it. */
export interface DeployedHttpAuthorizer {
  readonly AuthorizerId?: string;
  readonly Name?: string;
  readonly AuthorizerType?: string;
  readonly JwtConfiguration?: { readonly Issuer?: string; readonly Audience?: readonly string[] };
  readonly AuthorizerPayloadFormatVersion?: string;
  readonly EnableSimpleResponses?: boolean;
  readonly IdentitySource?: readonly string[];
  readonly AuthorizerResultTtlInSeconds?: number;
  readonly AuthorizerUri?: string;
  readonly AuthorizerCredentialsArn?: string;
}

/** An integration as GetIntegrations returns it. */
export interface DeployedHttpIntegration {
  readonly IntegrationId?: string;
  readonly IntegrationType?: string;
  readonly IntegrationUri?: string;
  readonly IntegrationMethod?: string;
  readonly PayloadFormatVersion?: string;
  readonly ConnectionType?: string;
  readonly ConnectionId?: string;
  readonly RequestParameters?: Record<string, string>;
  readonly TimeoutInMillis?: number;
  readonly IntegrationSubtype?: string;
  readonly CredentialsArn?: string;
  readonly TlsConfig?: { readonly ServerNameToVerify?: string };
  readonly ResponseParameters?: Record<string, Record<string, string>>;
}

/** The HTTP API as read back. */
export interface DeployedHttpApi {
  readonly routes: readonly DeployedHttpRoute[];
  readonly authorizers: readonly DeployedHttpAuthorizer[];
  readonly integrations: readonly DeployedHttpIntegration[];
}

const show = (value: unknown) => (value === undefined ? 'none' : typeof value === 'string' ? value : JSON.stringify(value));
const showList = (values: readonly string[] | undefined) => (values === undefined || values.length === 0 ? 'none' : [...values].sort().join(', '));

/** Every difference between the deployed HTTP API and the model, one line each; empty when they agree. */
export function compareHttpApi(expected: CheckedHttpApi, values: readonly string[], deployed: DeployedHttpApi): string[] {
  const diffs: string[] = [];
  const str = (v: ModelString) => resolveModelString(v, values);

  // The authorizers the construct wrote, each found once by its type (the definition has at most
  // one JWT and one REQUEST authorizer): the import names an authorizer after its security scheme as
  // API Gateway's exports do, but the check does not rely on it, so a name read back otherwise is no
  // difference, and a second authorizer of either type is one.
  const one = (name: string, type: string): DeployedHttpAuthorizer | undefined => {
    const ofType = deployed.authorizers.filter((a) => a.AuthorizerType === type);
    if (ofType.length !== 1) {
      diffs.push(`authorizer ${name}: ${ofType.length === 0 ? `no authorizer of type ${type}` : `${ofType.length} authorizers of type ${type} (${ofType.map((a) => show(a.Name)).join(', ')})`}, expected one`);
      return undefined;
    }
    return ofType[0];
  };
  const jwt = expected.jwtAuthorizer;
  const jwtFound = jwt ? one(jwt.name, 'JWT') : undefined;
  if (jwt && jwtFound) {
    const at = `authorizer ${jwt.name} (${jwtFound.AuthorizerId})`;
    if (jwtFound.JwtConfiguration?.Issuer !== jwt.issuer) diffs.push(`${at}: issuer ${show(jwtFound.JwtConfiguration?.Issuer)}, expected ${jwt.issuer}`);
    if (!sameSet(jwtFound.JwtConfiguration?.Audience ?? [], jwt.audiences)) {
      diffs.push(`${at}: audiences ${showList(jwtFound.JwtConfiguration?.Audience)}, expected ${showList(jwt.audiences)}`);
    }
  }
  const lambda = expected.lambdaAuthorizer;
  const lambdaFound = lambda ? one(lambda.name, 'REQUEST') : undefined;
  if (lambda && lambdaFound) {
    const at = `authorizer ${lambda.name} (${lambdaFound.AuthorizerId})`;
    if (lambdaFound.AuthorizerPayloadFormatVersion !== lambda.payloadFormatVersion) {
      diffs.push(`${at}: payload format version ${show(lambdaFound.AuthorizerPayloadFormatVersion)}, expected ${lambda.payloadFormatVersion}`);
    }
    if ((lambdaFound.EnableSimpleResponses ?? false) !== lambda.simpleResponses) {
      diffs.push(`${at}: simple responses ${lambdaFound.EnableSimpleResponses ?? false}, expected ${lambda.simpleResponses}`);
    }
    if (!sameSet(lambdaFound.IdentitySource ?? [], lambda.identitySources)) {
      diffs.push(`${at}: identity sources ${showList(lambdaFound.IdentitySource)}, expected ${showList(lambda.identitySources)}`);
    }
    // The API reference documents 0 as the TTL's default (caching off), so an absent TTL reads as 0:
    // https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-authorizers.html
    if ((lambdaFound.AuthorizerResultTtlInSeconds ?? 0) !== lambda.ttlSeconds) {
      diffs.push(`${at}: result TTL ${show(lambdaFound.AuthorizerResultTtlInSeconds)} s, expected ${lambda.ttlSeconds} s`);
    }
  }

  // Which function an authorizer calls, and as whom: as the template writes it, or not at all.
  const byName = new Map<string, DeployedHttpAuthorizer | undefined>([
    ...(jwt ? [[jwt.name, jwtFound] as const] : []), ...(lambda ? [[lambda.name, lambdaFound] as const] : []),
  ]);
  for (const target of expected.authorizerTargets ?? []) {
    const a = byName.has(target.name) ? byName.get(target.name) : undefined;
    if (a === undefined) continue; // not found: reported above
    const fields: ReadonlyArray<[string, ModelString | undefined, unknown]> = [
      ['AuthorizerUri', target.authorizerUri, a.AuthorizerUri],
      ['AuthorizerCredentialsArn', target.authorizerCredentialsArn, a.AuthorizerCredentialsArn],
    ];
    for (const [field, wanted, actual] of fields) {
      const want = wanted === undefined ? undefined : str(wanted);
      if (!sameTarget(actual, want)) {
        diffs.push(`authorizer ${target.name} (${show(a.AuthorizerId)}): ${field} ${show(actual)}, expected ${show(want)}`);
      }
    }
  }

  const matched = new Set([jwtFound, lambdaFound].filter((a) => a !== undefined));
  for (const a of deployed.authorizers) {
    const ofExpectedType = (a.AuthorizerType === 'JWT' && jwt) || (a.AuthorizerType === 'REQUEST' && lambda);
    if (!matched.has(a) && !ofExpectedType) {
      diffs.push(`authorizer ${show(a.Name)} (${show(a.AuthorizerId)}): exists (type ${show(a.AuthorizerType)}), but the SecuredHttpApi made no such authorizer`);
    }
  }

  diffs.push(...compareIntegrations(expected, str, deployed));
  const byKey = new Map<string, DeployedHttpRoute[]>();
  for (const route of deployed.routes) {
    const key = route.RouteKey ?? '(no route key)';
    byKey.set(key, [...(byKey.get(key) ?? []), route]);
  }
  const expectedKeys = new Set<string>();
  for (const want of expected.routes) {
    expectedKeys.add(want.routeKey);
    const found = byKey.get(want.routeKey) ?? [];
    const wantAuthorizer = want.authorizationType === 'JWT' ? jwtFound?.AuthorizerId ?? jwt?.name
      : want.authorizationType === 'CUSTOM' ? lambdaFound?.AuthorizerId ?? lambda?.name : undefined;
    const expectedText = `authorization ${want.authorizationType}${wantAuthorizer ? ` (authorizer ${wantAuthorizer})` : ''}`;
    if (found.length !== 1) {
      diffs.push(`${want.routeKey}: ${found.length === 0 ? 'missing' : `${found.length} routes have this key`}, expected ${expectedText}`);
      continue;
    }
    const route = found[0];
    const type = route.AuthorizationType ?? 'NONE';
    const authorizerOk = want.authorizationType === 'NONE'
      ? route.AuthorizerId === undefined
      : route.AuthorizerId !== undefined && route.AuthorizerId === (want.authorizationType === 'JWT' ? jwtFound : lambdaFound)?.AuthorizerId;
    if (type !== want.authorizationType || !authorizerOk) {
      diffs.push(`${want.routeKey}: authorization ${type}${route.AuthorizerId ? ` (authorizer ${route.AuthorizerId})` : ''}, expected ${expectedText}`);
    }
    if (!sameSet(route.AuthorizationScopes ?? [], want.scopes)) {
      diffs.push(`${want.routeKey}: scopes ${showList(route.AuthorizationScopes)}, expected ${showList(want.scopes)}`);
    }
    if (want.integration === undefined ? route.Target !== undefined : !targetId(route.Target)) {
      diffs.push(`${want.routeKey}: target ${show(route.Target)}, expected ${want.integration === undefined ? 'none' : `integrations/<id> of the integration ${want.integration}`}`);
    }
  }
  for (const [key, routes] of byKey) {
    if (!expectedKeys.has(key)) {
      for (const route of routes) {
        diffs.push(`${key}: exists (authorization ${route.AuthorizationType ?? 'NONE'}${route.AuthorizerId ? `, authorizer ${route.AuthorizerId}` : ''}), but the SecuredHttpApi made no such route`);
      }
    }
  }
  return diffs;
}

/**
 * A field the template leaves out, read back: absent, or the value API Gateway documents (or, for
 * the method of a Lambda proxy, necessarily uses) in its place, so that the comparison holds under
 * either reading. Defaults from the integration's API reference and CloudFormation docs:
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-integrations-integrationid.html
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigatewayv2-integration.html
 * (ConnectionType INTERNET; TimeoutInMillis 30000 for HTTP APIs; PayloadFormatVersion 1.0, the only
 * one for integrations other than Lambda proxies). A Lambda proxy invokes its function with
 * Lambda's Invoke, a POST (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html).
 */
function omittedReadsAs(field: string, integrationType: string): readonly string[] {
  switch (field) {
    case 'ConnectionType': return ['INTERNET'];
    case 'TimeoutInMillis': return ['30000'];
    case 'PayloadFormatVersion': return integrationType === 'AWS_PROXY' ? [] : ['1.0'];
    case 'IntegrationMethod': return integrationType === 'AWS_PROXY' ? ['POST'] : [];
    default: return [];
  }
}

/** The integration id a route's `Target` names (`integrations/<id>`), or undefined. */
function targetId(target: string | undefined): string | undefined {
  const match = typeof target === 'string' ? /^integrations\/([^/]+)$/.exec(target) : null;
  return match?.[1];
}

/**
 * The API's integrations against the definition's: each route's `Target` names a deployed
 * integration, which must be the definition's integration for that route; a deployed integration
 * no route of the definition targets is a difference.
 */
function compareIntegrations(expected: CheckedHttpApi, str: (v: ModelString) => string, deployed: DeployedHttpApi): string[] {
  const diffs: string[] = [];
  const byId = new Map<string, DeployedHttpIntegration[]>();
  for (const i of deployed.integrations) {
    const id = typeof i.IntegrationId === 'string' ? i.IntegrationId : `(id ${show(i.IntegrationId)})`;
    byId.set(id, [...(byId.get(id) ?? []), i]);
  }
  const byName = new Map(expected.integrations.map((i) => [i.name, i]));
  const wantedRoutes = new Map(expected.routes.map((r) => [r.routeKey, r]));
  const targeted = new Set<string>();
  const compared = new Set<string>();
  for (const route of deployed.routes) {
    const want = route.RouteKey === undefined ? undefined : wantedRoutes.get(route.RouteKey);
    const id = targetId(route.Target);
    if (want?.integration === undefined || id === undefined) continue;
    targeted.add(id);
    const pair = JSON.stringify([id, want.integration]);
    if (compared.has(pair)) continue;
    compared.add(pair);
    const wanted = byName.get(want.integration);
    const at = `integration ${id} (${want.integration}, of ${want.routeKey})`;
    const found = byId.get(id) ?? [];
    if (wanted === undefined) {
      diffs.push(`${at}: the definition has no integration ${want.integration}`);
      continue;
    }
    if (found.length !== 1) {
      diffs.push(`${at}: ${found.length === 0 ? 'missing' : `${found.length} integrations have this id`}, expected type ${str(wanted.integrationType)}`);
      continue;
    }
    diffs.push(...compareIntegration(at, wanted, str, found[0]));
  }
  for (const [id, found] of byId) {
    if (!targeted.has(id)) {
      for (const i of found) {
        diffs.push(`integration ${id}: exists (type ${show(i.IntegrationType)}, URI ${show(i.IntegrationUri)}), but no route of the SecuredHttpApi's definition targets it`);
      }
    }
  }
  return diffs;
}

/** One deployed integration against the definition's, field by field. */
function compareIntegration(at: string, want: ExpectedHttpIntegration, str: (v: ModelString) => string, got: DeployedHttpIntegration): string[] {
  const diffs: string[] = [];
  const type = str(want.integrationType);
  const fields: ReadonlyArray<[string, ModelString | undefined, unknown]> = [
    ['IntegrationType', want.integrationType, got.IntegrationType],
    ['IntegrationUri', want.integrationUri, got.IntegrationUri],
    ['IntegrationMethod', want.integrationMethod, got.IntegrationMethod],
    ['PayloadFormatVersion', want.payloadFormatVersion, got.PayloadFormatVersion],
    ['ConnectionType', want.connectionType, got.ConnectionType],
    ['ConnectionId', want.connectionId, got.ConnectionId],
    ['TimeoutInMillis', want.timeoutInMillis, got.TimeoutInMillis],
    ['IntegrationSubtype', want.integrationSubtype, got.IntegrationSubtype],
    ['CredentialsArn', want.credentialsArn, got.CredentialsArn],
    ['TlsConfig.ServerNameToVerify', want.serverNameToVerify, isMap(got.TlsConfig) ? got.TlsConfig.ServerNameToVerify : got.TlsConfig],
  ];
  for (const [field, wanted, actual] of fields) {
    const actualText = actual === undefined || actual === null ? undefined
      : typeof actual === 'string' || typeof actual === 'number' ? String(actual) : JSON.stringify(actual);
    const ok = wanted === undefined
      ? actualText === undefined || omittedReadsAs(field, type).includes(actualText)
      : field === 'IntegrationUri' && type === 'AWS_PROXY' ? sameTarget(actualText, str(wanted)) : actualText === str(wanted);
    if (!ok) {
      diffs.push(`${at}: ${field} ${show(actualText)}, expected ${wanted === undefined ? 'none' : str(wanted)}`);
    }
  }
  const maps: ReadonlyArray<[string, { readonly [key: string]: ModelString } | undefined, unknown]> = [
    ['RequestParameters', want.requestParameters, got.RequestParameters],
    ...Object.entries(want.responseParameters ?? {}).map(([status, map]): [string, typeof map, unknown] => [
      `ResponseParameters ${status}`, map, isMap(got.ResponseParameters) ? got.ResponseParameters[status] : undefined,
    ]),
    ...(isMap(got.ResponseParameters) ? Object.keys(got.ResponseParameters) : [])
      .filter((status) => !Object.prototype.hasOwnProperty.call(want.responseParameters ?? {}, status))
      .map((status): [string, undefined, unknown] => [`ResponseParameters ${status}`, undefined, (got.ResponseParameters as Record<string, unknown>)[status]]),
  ];
  for (const [field, wanted, actual] of maps) {
    const wantEntries = Object.entries(wanted ?? {}).map(([k, v]) => [k, str(v)] as const);
    const raw: unknown = actual ?? {};
    const same = isMap(raw) && wantEntries.length === Object.keys(raw).length && wantEntries.every(([k, v]) => raw[k] === v);
    if (!same) {
      diffs.push(`${at}: ${field} ${JSON.stringify(raw)}, expected ${JSON.stringify(Object.fromEntries(wantEntries))}`);
    }
  }
  if (got.ResponseParameters !== undefined && !isMap(got.ResponseParameters)) {
    diffs.push(`${at}: ResponseParameters ${JSON.stringify(got.ResponseParameters)}, expected a map`);
  }
  return diffs;
}

/**
 * Whether two Lambda targets are the same function: equal, or one the invocation URI of the other
 * (`arn:<partition>:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations`).
 * The definition writes the invocation URI, as AWS's import examples and API Gateway's exports do
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-extensions-integrations.html);
 * an HTTP API also takes the bare function ARN (aws-cdk-lib's HttpLambdaIntegration writes it), and
 * the API reference does not say in which form GetIntegrations/GetAuthorizers return an imported one
 * (https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-integrations-integrationid.html),
 * so either form naming the same function reads as that function, and nothing else does.
 */
function sameTarget(actual: unknown, wanted: string | undefined): boolean {
  if (actual === wanted) return true;
  if (typeof actual !== 'string' || wanted === undefined) return false;
  return lambdaFunctionOf(actual) === lambdaFunctionOf(wanted);
}

const INVOCATION_URI = /^arn:[a-z-]+:apigateway:[a-z0-9-]+:lambda:path\/2015-03-31\/functions\/(arn:[a-z-]+:lambda:[^/]+)\/invocations$/;

/** The function ARN an invocation URI names, or the value itself. */
function lambdaFunctionOf(value: string): string {
  return INVOCATION_URI.exec(value)?.[1] ?? value;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Same members, each once (a duplicate on either side is a difference). */
function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === a.length && y.size === b.length && x.size === y.size && [...x].every((v) => y.has(v));
}
