// The REST API's definition: the OpenAPI body API Gateway imports, written from the route records.
import { Fn, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { IDefinitionWriter } from './api-kind';
import { httpProxyIntegration } from './backend';
import { CheckedCors } from './cors';
import { lambdaInvocationUri, restApiDefinition } from './definition';
import type { RouteRecord } from './route-set';
import type { DeclaredAuthorizer } from '../authorizer/declared-authorizer';

/** What the REST definition holds beside its routes. */
export interface RestDefinitionProps {
  /** `info.title`: the REST API's name (may be a token). */
  readonly title: string;
  readonly description?: string;
  /** The authorizer as the definition declares it. */
  readonly authorizer: DeclaredAuthorizer;
  /** The authorizer's function, for its invocation URI. */
  readonly authorizerFunction: lambda.IFunction;
  readonly cors?: CheckedCors;
  /** Whether guarded routes require the caller's API key (per-client quotas). */
  readonly apiKeyRequired: boolean;
  /** Whether the default execute-api endpoint is off. */
  readonly disableExecuteApiEndpoint: boolean;
}

/** Writes a SecuredApi's REST API definition from its route records. */
export class RestDefinitionWriter implements IDefinitionWriter {
  /** @param api the construct the definition belongs to (its path names routes in messages) */
  constructor(private readonly api: Construct, private readonly props: RestDefinitionProps) {}

  /** A non-Lambda backend must make an `http_proxy` integration (checked when the route is added). */
  public checkRoute(route: RouteRecord, what: string): void {
    if (route.backend) integrationOf(route, what);
  }

  public definition(routes: readonly RouteRecord[]): { [key: string]: unknown } {
    const stack = Stack.of(this.api);
    const p = this.props;
    return restApiDefinition({
      title: p.title,
      version: '1',
      description: p.description,
      identitySources: p.authorizer.identitySources(),
      resultsCacheTtlSeconds: p.authorizer.resultsCacheTtlSeconds,
      authorizerUri: invocationUriOf(stack, p.authorizerFunction),
      routes: routes.map((r) => ({
        method: r.method,
        resource: r.resource,
        isPublic: r.isPublic,
        integrationUri: r.handler ? invocationUriOf(stack, r.handler) : undefined,
        integration: r.backend ? integrationOf(r, `${this.api.node.path}: route ${r.method} ${r.resource}`) : undefined,
      })),
      cors: p.cors,
      ...(p.apiKeyRequired ? { apiKeyRequired: true } : {}),
      disableExecuteApiEndpoint: p.disableExecuteApiEndpoint || undefined,
    });
  }
}

function integrationOf(route: RouteRecord, what: string): Record<string, unknown> {
  return httpProxyIntegration(what, route.backend!, route.method, route.resource, route.isPublic);
}

/**
 * The invocation URI of a function, as short as the template can hold it: one `Fn::Sub` string
 * naming the function's logical id when it is a function of this stack (about a third of the
 * `Fn::Join` a token string resolves to; the definition holds one per route), else the ARN as
 * given (a literal, or a cross-stack reference that CDK resolves).
 */
export function invocationUriOf(stack: Stack, fn: lambda.IFunction): unknown {
  const cfn = fn.node.defaultChild;
  if (cfn instanceof lambda.CfnFunction && Stack.of(cfn) === stack) {
    return Fn.sub(lambdaInvocationUri('${AWS::Partition}', '${AWS::Region}', `\${${cfn.logicalId}.Arn}`));
  }
  return lambdaInvocationUri(stack.partition, stack.region, fn.functionArn);
}
