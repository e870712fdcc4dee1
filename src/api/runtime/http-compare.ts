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
 *   `AuthorizerPayloadFormatVersion`, `EnableSimpleResponses`, `IdentitySource`, `AuthorizerResultTtlInSeconds`)
 * - GetIntegrations: https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-integrations.html
 *   (`IntegrationId`; a route's `Target` is `integrations/<IntegrationId>`).
 * A field API Gateway leaves out is read as absent (an unset `AuthorizationType` as NONE, its
 * documented default for routes), so the comparison fails closed: a guarded route whose type is not
 * sent is reported, never assumed guarded.
 */

import type { ExpectedHttpApi } from '../http-deployment-check-contract';

export type { ExpectedHttpApi, ExpectedHttpRoute, ExpectedJwtAuthorizer, ExpectedLambdaAuthorizer } from '../http-deployment-check-contract';

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
}

/** An integration as GetIntegrations returns it. */
export interface DeployedHttpIntegration {
  readonly IntegrationId?: string;
  readonly IntegrationType?: string;
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
export function compareHttpApi(expected: ExpectedHttpApi, deployed: DeployedHttpApi): string[] {
  const diffs: string[] = [];

  // The authorizers the construct wrote, each found once by name.
  const one = (name: string, type: string): DeployedHttpAuthorizer | undefined => {
    const named = deployed.authorizers.filter((a) => a.Name === name);
    if (named.length !== 1) {
      diffs.push(`authorizer ${name}: ${named.length === 0 ? 'missing' : `${named.length} authorizers have this name`}, expected one of type ${type}`);
      return undefined;
    }
    return named[0];
  };
  const jwt = expected.jwtAuthorizer;
  const jwtFound = jwt ? one(jwt.name, 'JWT') : undefined;
  if (jwt && jwtFound) {
    const at = `authorizer ${jwt.name} (${jwtFound.AuthorizerId})`;
    if (jwtFound.AuthorizerType !== 'JWT') diffs.push(`${at}: type ${show(jwtFound.AuthorizerType)}, expected JWT`);
    if (jwtFound.JwtConfiguration?.Issuer !== jwt.issuer) diffs.push(`${at}: issuer ${show(jwtFound.JwtConfiguration?.Issuer)}, expected ${jwt.issuer}`);
    if (!sameSet(jwtFound.JwtConfiguration?.Audience ?? [], jwt.audiences)) {
      diffs.push(`${at}: audiences ${showList(jwtFound.JwtConfiguration?.Audience)}, expected ${showList(jwt.audiences)}`);
    }
  }
  const lambda = expected.lambdaAuthorizer;
  const lambdaFound = lambda ? one(lambda.name, 'REQUEST') : undefined;
  if (lambda && lambdaFound) {
    const at = `authorizer ${lambda.name} (${lambdaFound.AuthorizerId})`;
    if (lambdaFound.AuthorizerType !== 'REQUEST') diffs.push(`${at}: type ${show(lambdaFound.AuthorizerType)}, expected REQUEST`);
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

  const integrationIds = new Set(deployed.integrations.map((i) => i.IntegrationId).filter((id): id is string => typeof id === 'string'));
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
    const target = route.Target;
    if (typeof target !== 'string' || !target.startsWith('integrations/') || !integrationIds.has(target.slice('integrations/'.length))) {
      diffs.push(`${want.routeKey}: target ${show(target)}, expected one of the API's integrations`);
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

/** Same members, each once (a duplicate on either side is a difference). */
function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === a.length && y.size === b.length && x.size === y.size && [...x].every((v) => y.has(v));
}
