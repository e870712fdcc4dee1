/**
 * The comparison of the deployed REST API (as API Gateway's read API returns it) with the expected
 * model. Pure: no SDK, no I/O. One line per difference, naming the route.
 *
 * Shapes read (https://docs.aws.amazon.com/apigateway/latest/api/API_GetResources.html,
 * API_GetAuthorizers.html, API_GetRestApi.html, API_GetGatewayResponses.html): fields API Gateway
 * leaves out are read as its documented defaults (authorizationType NONE, apiKeyRequired false,
 * connectionType INTERNET, authorizer TTL 300, apiKeySource HEADER), so that the comparison is right
 * whether a default is sent or omitted.
 */
import type { ExpectedApi, ExpectedIntegration, ModelString } from '../deployment-check-contract';

/** The parts of a method the check reads (GetResources with `embed=methods`). */
export interface DeployedMethod {
  readonly httpMethod?: string;
  readonly authorizationType?: string;
  readonly authorizerId?: string;
  readonly apiKeyRequired?: boolean;
  readonly methodIntegration?: {
    readonly type?: string;
    readonly uri?: string;
    readonly httpMethod?: string;
    readonly connectionType?: string;
    readonly connectionId?: string;
    readonly requestParameters?: Record<string, string>;
  };
}

/** The REST API as read back. */
export interface DeployedApi {
  readonly apiKeySource?: string;
  readonly resources: ReadonlyArray<{ readonly id?: string; readonly path?: string; readonly resourceMethods?: Record<string, DeployedMethod> }>;
  readonly authorizers: ReadonlyArray<{
    readonly id?: string;
    readonly name?: string;
    readonly type?: string;
    readonly authorizerUri?: string;
    readonly identitySource?: string;
    readonly authorizerResultTtlInSeconds?: number;
  }>;
  readonly gatewayResponses: ReadonlyArray<{
    readonly responseType?: string; readonly statusCode?: string; readonly responseParameters?: Record<string, string>;
  }>;
}

/** The documented default TTL of an authorizer whose TTL is not set. */
const DEFAULT_TTL_SECONDS = 300;

/** The model with its deploy-time values filled in. */
export function resolveModelString(value: ModelString, values: readonly string[]): string {
  if (typeof value === 'string') {
    return value;
  }
  const at = (index: number) => {
    const resolved = values[index];
    if (typeof resolved !== 'string') {
      throw new Error(`the model names deploy-time value ${index}, but the custom resource has ${values.length} values`);
    }
    return resolved;
  };
  return 'join' in value ? value.join.map((part) => (typeof part === 'string' ? part : at(part))).join('') : at(value.value);
}

const show = (value: unknown) => (value === undefined ? 'none' : typeof value === 'string' ? value : JSON.stringify(value));

/** Every difference between the deployed API and the model, one line each; empty when they agree. */
export function compareApi(expected: ExpectedApi, values: readonly string[], deployed: DeployedApi): string[] {
  const diffs: string[] = [];
  const str = (v: ModelString) => resolveModelString(v, values);

  const want = expected.authorizer;
  const named = deployed.authorizers.filter((a) => a.name === want.name);
  const authorizer = named.length === 1 ? named[0] : undefined;
  if (named.length !== 1) {
    diffs.push(`authorizer ${want.name}: ${named.length === 0 ? 'missing' : `${named.length} authorizers have this name`}, expected one`);
  } else {
    const a = named[0];
    const field = (name: string, actual: unknown, expectedValue: unknown) => {
      if (actual !== expectedValue) {
        diffs.push(`authorizer ${want.name} (${a.id}): ${name} ${show(actual)}, expected ${show(expectedValue)}`);
      }
    };
    field('type', a.type, want.type);
    field('authorizerUri', a.authorizerUri, str(want.uri));
    const sources = (a.identitySource ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (!sameSet(sources, want.identitySources)) {
      diffs.push(`authorizer ${want.name} (${a.id}): identitySource ${show(a.identitySource)}, expected ${want.identitySources.join(', ')}`);
    }
    field('authorizerResultTtlInSeconds', a.authorizerResultTtlInSeconds ?? DEFAULT_TTL_SECONDS, want.ttlSeconds);
  }

  if ((deployed.apiKeySource ?? 'HEADER') !== expected.apiKeySource) {
    diffs.push(`REST API: apiKeySource ${show(deployed.apiKeySource)}, expected ${expected.apiKeySource}`);
  }

  const methods = new Map<string, DeployedMethod>();
  for (const resource of deployed.resources) {
    for (const [verb, method] of Object.entries(resource.resourceMethods ?? {})) {
      methods.set(`${verb} ${resource.path}`, method ?? {});
    }
  }
  const expectedKeys = new Set<string>();
  for (const op of expected.operations) {
    const route = `${op.method} ${op.path}`;
    expectedKeys.add(route);
    const method = methods.get(route);
    if (!method) {
      diffs.push(`${route}: missing, expected ${op.authorizationType === 'CUSTOM' ? `authorizationType CUSTOM (authorizer ${authorizer?.id ?? want.name})` : 'authorizationType NONE'}`);
      continue;
    }
    const type = method.authorizationType ?? 'NONE';
    if (op.authorizationType === 'CUSTOM') {
      if (type !== 'CUSTOM' || authorizer === undefined || method.authorizerId !== authorizer.id) {
        diffs.push(`${route}: authorizationType ${type}${method.authorizerId ? ` (authorizer ${method.authorizerId})` : ''}, expected CUSTOM (authorizer ${authorizer?.id ?? want.name})`);
      }
    } else if (type !== op.authorizationType) {
      diffs.push(`${route}: authorizationType ${type}${method.authorizerId ? ` (authorizer ${method.authorizerId})` : ''}, expected ${op.authorizationType}`);
    }
    if ((method.apiKeyRequired ?? false) !== op.apiKeyRequired) {
      diffs.push(`${route}: apiKeyRequired ${method.apiKeyRequired ?? false}, expected ${op.apiKeyRequired}`);
    }
    diffs.push(...compareIntegration(route, op.integration, method.methodIntegration, str));
  }
  for (const [route, method] of methods) {
    if (!expectedKeys.has(route)) {
      diffs.push(`${route}: exists (authorizationType ${method.authorizationType ?? 'NONE'}), but no route or preflight made it`);
    }
  }

  for (const response of expected.gatewayResponses) {
    const matching = deployed.gatewayResponses.filter((r) => r.responseType === response.responseType);
    const actual = matching[0];
    if (matching.length !== 1 || !actual) {
      diffs.push(`gateway response ${response.responseType}: ${matching.length === 0 ? 'missing' : `${matching.length} found`}, expected status ${response.statusCode}`);
      continue;
    }
    if (actual.statusCode !== response.statusCode) {
      diffs.push(`gateway response ${response.responseType}: statusCode ${show(actual.statusCode)}, expected ${response.statusCode}`);
    }
    for (const [name, value] of Object.entries(response.responseParameters)) {
      const got = actual.responseParameters?.[name];
      if (got !== value) {
        diffs.push(`gateway response ${response.responseType}: ${name} ${show(got)}, expected ${value}`);
      }
    }
  }
  return diffs;
}

function compareIntegration(route: string, want: ExpectedIntegration, got: DeployedMethod['methodIntegration'], str: (v: ModelString) => string): string[] {
  if (!got) {
    return [`${route}: no integration, expected ${want.type}`];
  }
  const diffs: string[] = [];
  const field = (name: string, actual: unknown, expected: unknown) => {
    if (actual !== expected) {
      diffs.push(`${route}: integration ${name} ${show(actual)}, expected ${show(expected)}`);
    }
  };
  field('type', got.type, want.type);
  if (want.type === 'MOCK') {
    return diffs;
  }
  field('uri', got.uri, want.uri === undefined ? undefined : str(want.uri));
  field('httpMethod', got.httpMethod, want.httpMethod);
  field('connectionType', got.connectionType ?? 'INTERNET', want.connectionType ?? 'INTERNET');
  field('connectionId', got.connectionId, want.connectionId === undefined ? undefined : str(want.connectionId));
  const actualParams = got.requestParameters ?? {};
  const expectedParams = want.requestParameters ?? {};
  for (const target of new Set([...Object.keys(expectedParams), ...Object.keys(actualParams)])) {
    if (actualParams[target] !== expectedParams[target]) {
      diffs.push(`${route}: integration request parameter ${target} ${show(actualParams[target])}, expected ${show(expectedParams[target])}`);
    }
  }
  return diffs;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((v) => y.has(v)) && a.length === b.length;
}
