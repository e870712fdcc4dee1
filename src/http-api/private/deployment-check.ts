/**
 * The deploy-time check of a `SecuredHttpApi`, as `SecuredApi`'s (src/api/deployment-check.ts,
 * whose asset staging, role shape and cdk-nag acknowledgement it reuses): a custom resource that
 * reads the HTTP API back (GetRoutes, GetAuthorizers, GetIntegrations) and compares it with what the
 * construct wrote; any difference fails the deployment.
 *
 * The stage must not serve an unchecked deployment. With `AutoDeploy` a stage deploys every change
 * of the API by itself (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-stages.html),
 * so the stage has no AutoDeploy and names an explicit `AWS::ApiGatewayV2::Deployment` in its
 * `DeploymentId` (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigatewayv2-stage.html);
 * the deployment (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigatewayv2-deployment.html,
 * `Ref` is the deployment id) depends on the check, and its logical id carries the model's hash, so
 * that every change to the routes or authorizers makes a new deployment, created after the check
 * passed.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { Aspects, CfnResource, Names, Stack, Token } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { importedAuthorizer, importedIntegration, readBody } from './body';
import { acknowledgeReadWildcard, createCheckFunction, CreatedDeploymentCheck } from '../../api/deployment-check';
import { ModelString } from '../../api/deployment-check-contract';
import {
  CheckedHttpApi, CheckedHttpRoute, ExpectedAuthorizerTarget, ExpectedHttpApi, ExpectedHttpIntegration,
  HTTP_DEPLOYMENT_CHECK_RESOURCE_TYPE, PROP_HTTP_API_ID,
} from '../../api/http-deployment-check-contract';
import { resolvedResource } from '../../roles/private/resolved-properties';

/** Where `npx projen bundle` puts the check's bundle; the same relative path from src/ and lib/. */
const BUNDLE_DIR = path.join(__dirname, '..', '..', '..', 'assets', 'api', 'http-deployment-check.lambda');

/** What a SecuredHttpApi gives its deployment check. */
export interface HttpDeploymentCheckInput {
  /** The API, whose OpenAPI definition (`Body`) holds its routes, integrations and authorizers. */
  readonly cfnApi: apigwv2.CfnApi;
  readonly stage: apigwv2.HttpStage;
  /** The expected routes and authorizers, read at synthesis once every route is added. */
  readonly model: () => ExpectedHttpApi;
  /** The definition as the construct writes it (values known only at deployment as CDK tokens), read at synthesis. */
  readonly body: () => unknown;
  readonly logRetention: logs.RetentionDays;
}

/** What the guard (deployment-check-guard.ts) compares the template with. */
export interface CreatedHttpDeploymentCheck extends CreatedDeploymentCheck {
  /** The SecuredHttpApi, which messages name. */
  readonly owner: Construct;
  readonly cfnDeployment: apigwv2.CfnDeployment;
  readonly cfnStage: apigwv2.CfnStage;
}

export function createHttpDeploymentCheck(scope: Construct, input: HttpDeploymentCheckInput): CreatedHttpDeploymentCheck {
  const where = scope.node.path;
  const stack = Stack.of(scope);
  const { cfnApi } = input;
  const apiId = cfnApi.ref;
  const check = createCheckFunction(scope, {
    bundleDir: BUNDLE_DIR,
    assetPrefix: 'http-deployment-check',
    resourceType: HTTP_DEPLOYMENT_CHECK_RESOURCE_TYPE,
    api: 'HTTP API',
    // The API and what is below it (routes, authorizers, integrations), and no other API:
    // GetRoutes is apigateway:GET on /apis/{id}/routes.
    apiArn: `arn:${stack.partition}:apigateway:${stack.region}::/apis/${apiId}`,
    apiIdProperty: PROP_HTTP_API_ID,
    apiId,
    logRetention: input.logRetention,
    runtimeReason: 'Node.js 22 is pinned on purpose: the deployment check bundle is built for node22, and a runtime that followed the latest version would change under a deployed bundle.',
    model: () => checkedModelOf(stack, input.model(), input.body()),
  });
  const { root, resource } = check;
  // The check reads the API once API Gateway has imported its definition.
  resource.node.addDependency(cfnApi);

  // The deployment the stage serves: made after the check passed, a new one whenever the model changes.
  const deployment = new apigwv2.CfnDeployment(root, 'Deployment', {
    apiId,
    description: `Checked deployment of ${where} (cdk-secured-api deployment check)`,
  });
  deployment.node.addDependency(resource);
  const cfnStage = input.stage.node.defaultChild as apigwv2.CfnStage;
  cfnStage.autoDeploy = false;
  cfnStage.deploymentId = deployment.ref;

  // A deployment is a snapshot of the API's configuration (http-api-stages.html above): a new one is
  // made whenever the model, or the API as the template writes it (its definition: every route,
  // integration and authorizer), changes, as the REST construct's deployment hashes its whole definition.
  const configurationHash = (): string => {
    const digest = createHash('sha256');
    digest.update(check.stage().hash);
    const entry = resolvedResource(cfnApi);
    digest.update(`${cfnApi.node.path}\n${JSON.stringify(entry ?? null)}\n`);
    return digest.digest('hex');
  };

  Aspects.of(root).add({
    visit: (node: IConstruct) => {
      if (node === root) {
        deployment.overrideLogicalId(`${Names.uniqueId(deployment)}${configurationHash().slice(0, 16)}`.slice(-255));
        acknowledgeReadWildcard(check.policy, check.readWildcard, 'The deployment check reads one HTTP API back (apigateway:GET, nothing else): the API itself and what is below it (its routes, authorizers and integrations), whose ids exist only once API Gateway has made them. No other API is readable.');
      }
    },
  });
  return {
    owner: scope,
    resource,
    cfnResource: resource.node.defaultChild as CfnResource,
    cfnFunction: check.handler.node.defaultChild as CfnResource,
    cfnDeployment: deployment,
    cfnStage,
    written: check.written,
  };
}

/**
 * The check's model: the construct's routes and authorizers, with the definition's integrations (by
 * name), the integration each route targets and each authorizer's URI. A value known only at
 * deployment (a function's ARN) stands in the model as an index into the custom resource's
 * `Values`, which CloudFormation resolves; each distinct value once. Integration and authorizer
 * ids exist only once API Gateway has imported the definition, so the handler matches integrations
 * through each route's `Target` and authorizers by name.
 */
function checkedModelOf(stack: Stack, expected: ExpectedHttpApi, body: unknown): { model: CheckedHttpApi; values: unknown[] } {
  const values: unknown[] = [];
  const indexes = new Map<string, number>();
  const str = (value: unknown): ModelString => {
    if (typeof value === 'string' && !Token.isUnresolved(value)) return value;
    if (typeof value === 'number' && !Token.isUnresolved(value)) return String(value);
    if (typeof value === 'boolean') return String(value);
    const key = JSON.stringify(stack.resolve(value));
    let index = indexes.get(key);
    if (index === undefined) {
      index = values.push(value) - 1;
      indexes.set(key, index);
    }
    return { value: index };
  };
  const optional = (value: unknown): ModelString | undefined => (value === undefined ? undefined : str(value));
  const read = readBody(body);
  const strip = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

  const integrations: ExpectedHttpIntegration[] = [...read.integrations].map(([name, raw]) => {
    const i = importedIntegration(name, raw);
    const parameters = i.RequestParameters;
    if (parameters !== undefined && (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters))) {
      throw new Error(`the integration ${name} has the RequestParameters ${JSON.stringify(parameters)}, which the deployment check cannot read; this is a bug in cdk-secured-api, please report it.`);
    }
    const tls = i.TlsConfig as { ServerNameToVerify?: unknown } | undefined;
    if (tls !== undefined && (typeof tls !== 'object' || tls === null || Array.isArray(tls))) {
      throw new Error(`the integration ${name} has the tlsConfig ${JSON.stringify(tls)}, which the deployment check cannot read; this is a bug in cdk-secured-api, please report it.`);
    }
    return strip({
      name,
      integrationType: str(i.IntegrationType),
      integrationUri: optional(i.IntegrationUri),
      integrationMethod: optional(i.IntegrationMethod),
      payloadFormatVersion: optional(i.PayloadFormatVersion),
      connectionType: optional(i.ConnectionType),
      // A private integration's VPC link id, known only at deployment: a `Values` index, as a function's ARN.
      connectionId: optional(i.ConnectionId),
      requestParameters: parameters === undefined ? undefined
        : Object.fromEntries(Object.entries(parameters as Record<string, unknown>).map(([k, v]) => [k, str(v)])),
      timeoutInMillis: optional(i.TimeoutInMillis),
      integrationSubtype: optional(i.IntegrationSubtype),
      credentialsArn: optional(i.CredentialsArn),
      serverNameToVerify: optional(tls?.ServerNameToVerify),
    });
  });
  const integrationOf = new Map(read.operations.map((op) => [op.routeKey, op.integrationName]));
  const routes: CheckedHttpRoute[] = expected.routes.map((route) => {
    const integration = integrationOf.get(route.routeKey);
    return integration === undefined ? route : { ...route, integration };
  });
  const authorizerTargets: ExpectedAuthorizerTarget[] = [...read.authorizers].map(([name, raw]) => {
    const a = importedAuthorizer(name, raw);
    return strip({ name, authorizerUri: optional(a.AuthorizerUri), authorizerCredentialsArn: optional(a.AuthorizerCredentialsArn) });
  });
  return { model: { ...expected, routes, integrations, authorizerTargets }, values };
}
