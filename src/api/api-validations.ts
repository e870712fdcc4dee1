// What a SecuredApi checks of itself at synthesis (each one call from its construct): routes to
// deploy, its stack's template size, the guards over the REST API as deployed, and API Gateway's
// resource quota.
import { Annotations, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { IConstruct } from 'constructs';
import type { CreatedDeploymentCheck } from './deployment-check';
import { checkDeployedApi, DeployedApp, deploymentCheckAsDeployed, stageAsDeployed } from './guards';
import { fitTemplate, TEMPLATE_BODY_MAXIMUM_SIZE } from './private/template-size';
import { IMPORT_MODE, IMPORT_PARAMETERS } from './rest-api';
import type { RouteRecord } from './route-set';
import { resolvedProperties } from '../roles/private/resolved-properties';

/** API Gateway's default quota of resources per REST API (adjustable). */
const RESOURCES_PER_API = 300;
/** The size of a definition (compact JSON) from which its API makes its stack's template fit (`templateFitErrors`): a tenth of the limit. */
const FIT_TEMPLATE_FROM_DEFINITION_CHARS = TEMPLATE_BODY_MAXIMUM_SIZE / 10;

/**
 * A REST API without methods cannot be deployed: API Gateway's CreateDeployment answers
 * `BadRequestException: The REST API doesn't contain any methods` (as aws-cdk-lib's own `RestApi`
 * validation says, aws-apigateway/lib/restapi.ts `validateRestApi`; reported in e.g.
 * https://github.com/cloudtools/troposphere/issues/496), so the stack would fail halfway through.
 */
export function noRoutesErrors(api: IConstruct, routes: readonly RouteRecord[]): string[] {
  return routes.length > 0 ? [] : [`${api.node.path} has no routes, and API Gateway refuses to deploy a REST API without methods ("The REST API doesn't contain any methods"); `
    + 'add routes with the routes prop or addRoute() (e.g. { method: HttpMethod.GET, path: \'/health\', handler, public: true } while the API has nothing else to serve).'];
}

/**
 * The stack's template file within CloudFormation's limit: written without indentation when only
 * indentation keeps it out (`api/private/template-size`), refused with the fix when even that cannot.
 *
 * @param resolvedDefinition the API's definition as the template holds it
 */
export function templateFitErrors(api: IConstruct, resolvedDefinition: unknown): string[] {
  // Rendering the whole template costs about as much as the stack's own synthesis; it is done only
  // when this API's definition is a tenth of the limit or more (about 170 routes with CORS). A stack
  // made large by other resources gets aws-cdk-lib's own warning (`@aws-cdk/core:Stack.templateSize`).
  if (JSON.stringify(resolvedDefinition).length < FIT_TEMPLATE_FROM_DEFINITION_CHARS) return [];
  const fit = fitTemplate(Stack.of(api));
  return fit.kind !== 'too-large' ? [] : [`${api.node.path}: the template of its stack would be ${fit.bytes.toLocaleString('en-US')} characters`
    + `${fit.indentedBytes !== undefined && fit.indentedBytes !== fit.bytes ? ` (${fit.indentedBytes.toLocaleString('en-US')} indented)` : ''}, over CloudFormation's 1,000,000-byte template limit, and CloudFormation would refuse it at deployment; ${fit.fix}.`];
}

/** What the guards read of a SecuredApi's REST API. */
export interface GuardedRestApi {
  readonly restApi: apigateway.SpecRestApi;
  /** The definition as the template holds it. */
  readonly resolvedDefinition: ReturnType<Stack['resolve']>;
  /** The stage's `DeploymentId` as the construct wrote it. */
  readonly writtenDeploymentId?: string;
  /** The deployment check's parts; absent when it is skipped. */
  readonly deploymentCheck?: CreatedDeploymentCheck;
}

/**
 * What breaks "public: true is the one way to open a route" in the API as it will be deployed: the
 * guards of `api/guards` (one per risk) over the REST API's resource as its stack's template will
 * hold it (property overrides and escape hatches included, which the typed properties do not show)
 * and over the resources of the stacks deployed with it that could add to it.
 */
export function deployedApiErrors(api: IConstruct, guarded: GuardedRestApi): string[] {
  const { restApi } = guarded;
  const stack = Stack.of(api);
  const cfnApi = restApi.node.defaultChild as apigateway.CfnRestApi;
  const logicalId: string = stack.resolve(cfnApi.logicalId);
  const app = new DeployedApp(stack, logicalId);
  const ownStage = restApi.deploymentStage.node.defaultChild as apigateway.CfnStage;
  const ownDeployment = restApi.latestDeployment?.node.defaultChild as apigateway.CfnDeployment | undefined;
  return checkDeployedApi({
    path: api.node.path,
    restApiPath: cfnApi.node.path,
    properties: resolvedProperties(cfnApi),
    written: { body: guarded.resolvedDefinition, mode: IMPORT_MODE, parameters: IMPORT_PARAMETERS },
    app,
    restApi,
    transforms: templateTransforms(stack),
    ownStage: { path: ownStage.node.path, ...stageAsDeployed(ownStage, guarded.writtenDeploymentId) },
    own: [ownStage, ownDeployment].filter((c): c is apigateway.CfnStage | apigateway.CfnDeployment => c !== undefined),
    ...(guarded.deploymentCheck ? { deploymentCheck: deploymentCheckAsDeployed(api, guarded.deploymentCheck, ownDeployment) } : {}),
  });
}

/** The template-level transforms of a stack: `transforms`, and the older single `transform` that synthesis still reads. */
function templateTransforms(stack: Stack): string[] {
  const { transform } = stack.templateOptions as { transform?: string };
  return [...(transform ? [transform] : []), ...(stack.templateOptions.transforms ?? [])];
}

/**
 * Warns when the routes need more API Gateway resources (path segments, the root included) than the
 * default quota of 300 per REST API allows: more fail the deployment unless the quota was raised.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html
 */
export function warnOfResourceQuota(api: IConstruct, routes: readonly RouteRecord[]): void {
  const resources = new Set<string>(['/']);
  for (const route of routes) {
    const segments = route.resource.split('/').filter(Boolean);
    segments.forEach((_, i) => resources.add('/' + segments.slice(0, i + 1).join('/')));
  }
  if (resources.size > RESOURCES_PER_API) {
    Annotations.of(api).addWarningV2('cdk-secured-api:resourcesPerApi',
      `The REST API has ${resources.size} API Gateway resources (distinct paths and their prefixes, the root included), over API Gateway's default quota "Resources per API" of ${RESOURCES_PER_API}: the deployment fails unless the quota is raised. Request an increase in the Service Quotas console (Amazon API Gateway, "Resources per API") before deploying, or spread the routes over fewer paths or more than one SecuredApi.`);
  }
}
