import { Fn, Lazy, Stack } from 'aws-cdk-lib';
import { ImportedApi, importDefinition } from './api-gateway-import';
import { checkCors } from '../../src/api/cors-options';
import { DefinitionRoute, lambdaInvocationUri, restApiDefinition } from '../../src/api/definition';
import { expectedApiOf } from '../../src/api/deployment-check';
import { ExpectedApi } from '../../src/api/deployment-check-contract';
import { DeployedApi } from '../../src/api/runtime/compare';
import type { RouteMethod } from '../../src/authorizer/contract';

export const REST_API_ID = 'a1b2c3d4e5';

/** A function's ARN, as CloudFormation resolves it at deployment. */
export function functionArn(name: string): string {
  return `arn:aws:lambda:eu-west-1:123456789012:function:${name}`;
}

/** A route of a fixture: served by function `fn` (its name), or by an HTTP backend. */
export interface FixtureRoute {
  readonly method: RouteMethod;
  readonly resource: string;
  readonly isPublic: boolean;
  readonly fn?: string;
  readonly integration?: Record<string, unknown>;
}

export interface FixtureInput {
  readonly routes: readonly FixtureRoute[];
  readonly cors?: boolean;
  readonly quotas?: boolean;
  readonly ttl?: number;
  readonly routeCache?: boolean;
  /**
   * Whether function invocation URIs are `Fn::Sub`s naming the function's `Arn` (as SecuredApi writes
   * them for functions of its own stack), rather than opaque tokens (functions of other stacks).
   */
  readonly subUris?: boolean;
}

/** What the construct writes (model, values) and what API Gateway would return once it imported the definition. */
export interface CheckFixture {
  readonly model: ExpectedApi;
  /** The custom resource's Values, as CloudFormation passes them (resolved). */
  readonly values: string[];
  /** The definition as deployed (every value resolved). */
  readonly body: any;
  readonly imported: ImportedApi;
}

/**
 * A definition written by the construct's own writer (`restApiDefinition`) from the routes, with
 * function ARNs as CDK tokens known only at "deployment", the check's model read from it by the
 * construct's reader (`expectedApiOf`), and the faithful import of the resolved definition.
 */
export function checkFixture(input: FixtureInput): CheckFixture {
  const stack = new Stack();
  const uriToken = (fn: string) => (input.subUris
    ? Fn.sub(lambdaInvocationUri('${AWS::Partition}', '${AWS::Region}', `\${${fn}.Arn}`))
    : Lazy.string({ produce: () => lambdaInvocationUri('aws', 'eu-west-1', functionArn(fn)) }));
  const routes: DefinitionRoute[] = input.routes.map((r) => ({
    method: r.method,
    resource: r.resource,
    isPublic: r.isPublic,
    integrationUri: r.fn === undefined ? undefined : uriToken(r.fn),
    integration: r.integration,
  }));
  const definition = restApiDefinition({
    title: 'orders',
    version: '1',
    identitySources: input.routeCache
      ? ['method.request.header.Authorization', 'context.httpMethod', 'context.resourcePath']
      : ['method.request.header.Authorization'],
    resultsCacheTtlSeconds: input.ttl ?? 300,
    authorizerUri: uriToken('authorizer'),
    routes,
    cors: input.cors ? checkCors('Test', { allowOrigins: ['https://app.example.com', 'https://admin.example.com'] }) : undefined,
    apiKeyRequired: input.quotas,
  });
  const { model, values } = expectedApiOf('Test/Api', definition, (token) => stack.resolve(token));
  const body = deployedTemplateValue(stack.resolve(definition));
  return { model, values: deployedTemplateValue(stack.resolve(values)), body, imported: importDefinition(REST_API_ID, body) };
}

/** The imported API as the check's reader returns it. */
export function deployedOf(imported: ImportedApi): DeployedApi {
  return {
    apiKeySource: imported.restApi.apiKeySource,
    resources: imported.resources,
    authorizers: imported.authorizers,
    gatewayResponses: imported.gatewayResponses,
  };
}

/** A custom resource event of CloudFormation for the check. */
export function checkEvent(requestType: 'Create' | 'Update' | 'Delete', values: readonly string[], extra: Record<string, unknown> = {}): any {
  return {
    RequestType: requestType,
    ResponseURL: 'http://127.0.0.1:1/unused',
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Orders/5f9e3a40-0000-11ef-0000-000000000000',
    RequestId: 'b0d1bd8a-6c0e-4a43-9a58-1d2b1f6a0a11',
    LogicalResourceId: 'ApiDeploymentCheck634D0C66',
    ResourceType: 'Custom::SecuredApiDeploymentCheck',
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: `deployment-check-${REST_API_ID}` }),
    ResourceProperties: { ServiceToken: functionArn('check'), RestApiId: REST_API_ID, Values: [...values], ModelHash: 'h' },
    ...extra,
  };
}

/**
 * A synthesized template value with its intrinsics as CloudFormation would resolve them in
 * eu-west-1: pseudo parameters, a function's `Arn` (by its logical id), and `Fn::Sub` of them.
 */
export function deployedTemplateValue(value: any): any {
  const named = (name: string) => (name === 'AWS::Partition' ? 'aws' : name === 'AWS::Region' ? 'eu-west-1' : functionArn(name.replace(/\.Arn$/, '')));
  if (Array.isArray(value)) {
    return value.map(deployedTemplateValue);
  }
  if (value && typeof value === 'object') {
    if (typeof value['Fn::Sub'] === 'string') {
      return value['Fn::Sub'].replace(/\$\{([^}]+)\}/g, (_: string, name: string) => named(name));
    }
    if (typeof value.Ref === 'string') {
      return named(value.Ref);
    }
    if (Array.isArray(value['Fn::GetAtt']) && value['Fn::GetAtt'][1] === 'Arn') {
      return functionArn(value['Fn::GetAtt'][0]);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deployedTemplateValue(v)]));
  }
  return value;
}
