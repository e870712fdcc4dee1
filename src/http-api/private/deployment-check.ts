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
import { acknowledgeReadWildcard, createCheckFunction, CreatedDeploymentCheck } from '../../api/deployment-check';
import { ModelString } from '../../api/deployment-check-contract';
import {
  CheckedHttpApi, CheckedHttpRoute, ExpectedHttpApi, ExpectedHttpIntegration, HTTP_DEPLOYMENT_CHECK_RESOURCE_TYPE, PROP_HTTP_API_ID,
} from '../../api/http-deployment-check-contract';
import { validationError } from '../../errors';
import { resolvedResource } from '../../roles/private/resolved-properties';

/** Where `npx projen bundle` puts the check's bundle; the same relative path from src/ and lib/. */
const BUNDLE_DIR = path.join(__dirname, '..', '..', '..', 'assets', 'api', 'http-deployment-check.lambda');

const INTEGRATION_TYPE = 'AWS::ApiGatewayV2::Integration';
const ROUTE_TYPE = 'AWS::ApiGatewayV2::Route';
const AUTHORIZER_TYPE = 'AWS::ApiGatewayV2::Authorizer';

/** What a SecuredHttpApi gives its deployment check. */
export interface HttpDeploymentCheckInput {
  readonly httpApi: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  /** The constructs the API's routes, integrations and authorizers are made under (the check runs after them). */
  readonly dependsOn: IConstruct[];
  /** The expected routes and authorizers, read at synthesis once every route is added. */
  readonly model: () => ExpectedHttpApi;
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
  const { httpApi } = input;
  const check = createCheckFunction(scope, {
    bundleDir: BUNDLE_DIR,
    assetPrefix: 'http-deployment-check',
    resourceType: HTTP_DEPLOYMENT_CHECK_RESOURCE_TYPE,
    api: 'HTTP API',
    // The API and what is below it (routes, authorizers, integrations), and no other API:
    // GetRoutes is apigateway:GET on /apis/{id}/routes.
    apiArn: `arn:${stack.partition}:apigateway:${stack.region}::/apis/${httpApi.apiId}`,
    apiIdProperty: PROP_HTTP_API_ID,
    apiId: httpApi.apiId,
    logRetention: input.logRetention,
    runtimeReason: 'Node.js 22 is pinned on purpose: the deployment check bundle is built for node22, and a runtime that followed the latest version would change under a deployed bundle.',
    model: () => checkedModelOf(httpApi, input.model()),
  });
  const { root, resource } = check;
  // The check reads the API once its routes, integrations and authorizers are in place.
  resource.node.addDependency(httpApi, ...input.dependsOn);

  // The deployment the stage serves: made after the check passed, a new one whenever the model changes.
  const deployment = new apigwv2.CfnDeployment(root, 'Deployment', {
    apiId: httpApi.apiId,
    description: `Checked deployment of ${where} (cdk-secured-api deployment check)`,
  });
  deployment.node.addDependency(resource);
  const cfnStage = input.stage.node.defaultChild as apigwv2.CfnStage;
  cfnStage.autoDeploy = false;
  cfnStage.deploymentId = deployment.ref;

  // A deployment is a snapshot of the API's configuration (http-api-stages.html above): a new one is
  // made whenever the model, or anything of the API, its routes, integrations or authorizers as the
  // template writes them, changes (an integration's new target or payload version too), as the REST
  // construct's deployment hashes its whole definition.
  const configurationHash = (): string => {
    const digest = createHash('sha256');
    digest.update(check.stage().hash);
    const seen = new Set<IConstruct>();
    for (const construct of [httpApi, ...input.dependsOn, ...integrationsOf(httpApi).map((i) => i.cfn)]) {
      for (const node of construct.node.findAll()) {
        const entry = node instanceof CfnResource && !seen.has(node) ? resolvedResource(node) : undefined;
        seen.add(node);
        if (entry) {
          digest.update(`${node.node.path}\n${JSON.stringify(entry)}\n`);
        }
      }
    }
    return digest.digest('hex');
  };

  Aspects.of(root).add({
    visit: (node: IConstruct) => {
      if (node === root) {
        // An integration made elsewhere (a backend's, an escape hatch's) is read back too: the check waits for it.
        for (const { cfn } of integrationsOf(httpApi)) {
          resource.node.addDependency(cfn);
        }
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

type Obj = { [key: string]: unknown };
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A resource of the API as the template writes it: `properties` resolved, overrides included
 * (`resolvedResource`); `fields` the same properties where they still hold the L1's own values
 * unresolved (CDK tokens, so that where they are passed CDK resolves them, across stacks too), and
 * the override as written where an override replaced them (it is template data of this stack).
 */
interface ApiResource {
  readonly cfn: CfnResource;
  readonly properties: Obj;
  readonly fields: Obj;
}

/**
 * The resources of the API's stack of `type` (as the template writes it, a `Type` override
 * included) whose `ApiId` is this API: whatever made them, the construct, a backend, an escape hatch.
 */
function resourcesOfApi(httpApi: apigwv2.HttpApi, type: string): ApiResource[] {
  const stack = Stack.of(httpApi);
  const apiRef = JSON.stringify(stack.resolve(httpApi.apiId));
  const found: ApiResource[] = [];
  for (const node of stack.node.findAll()) {
    if (!CfnResource.isCfnResource(node) || Stack.of(node) !== stack || node.cfnResourceType !== type) continue;
    const entry = resolvedResource(node);
    if (entry?.Type !== type || !isObj(entry.Properties) || JSON.stringify(entry.Properties.ApiId) !== apiRef) continue;
    const l1 = node as unknown as { cfnProperties: Obj; renderProperties(p: Obj): Obj };
    const own = l1.renderProperties(l1.cfnProperties) ?? {};
    const properties = entry.Properties;
    const fields = Object.fromEntries(Object.entries(properties).map(([key, value]) => [
      key, JSON.stringify(stack.resolve(own[key])) === JSON.stringify(value) ? own[key] : value,
    ]));
    found.push({ cfn: node, properties, fields });
  }
  return found;
}

/**
 * `ResponseParameters` as written, per status code, as the v2 API returns them (destination ->
 * source), each value a `ModelString`. The template's form is a `ResponseParameterMap` per status
 * code, `{ "ResponseParameters": [{ "Destination", "Source" }] }`
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-apigatewayv2-integration-responseparametermap.html);
 * a plain map (the API's own form, which the L1's untyped property lets through) is read as it is.
 */
function responseParametersOf(cfn: CfnResource, value: unknown, str: (v: unknown) => ModelString): ExpectedHttpIntegration['responseParameters'] {
  if (value === undefined) return undefined;
  // Only an escape hatch writes another form (the construct writes none): the user's mistake, not ours.
  const unreadable = () => validationError('SecuredHttpApi.UnreadableIntegration', `${cfn.node.path}: the integration's ResponseParameters ${JSON.stringify(value)} are not a map of response parameter mappings per status code, so the deployment check cannot compare them; remove the override that wrote them.`, cfn);
  if (!isObj(value)) throw unreadable();
  return Object.fromEntries(Object.entries(value).map(([status, map]) => {
    if (!isObj(map)) throw unreadable();
    const list = map.ResponseParameters;
    const pairs: Array<[unknown, unknown]> = Array.isArray(list) && Object.keys(map).length === 1
      ? list.map((p) => (isObj(p) ? [p.Destination, p.Source] : [undefined, undefined]))
      : Object.entries(map);
    if (pairs.some(([destination]) => typeof destination !== 'string')) throw unreadable();
    return [status, Object.fromEntries(pairs.map(([destination, source]) => [destination as string, str(source)]))];
  }));
}

function integrationsOf(httpApi: apigwv2.HttpApi) {
  return resourcesOfApi(httpApi, INTEGRATION_TYPE);
}

/**
 * The check's model: the construct's routes and authorizers, with every integration of the API and
 * every route's `Target` as the template writes them. A value known only at deployment (a function's
 * ARN, a VPC link's id, an integration's id) stands in the model as an index into the custom
 * resource's `Values`, which CloudFormation resolves; each distinct value once.
 */
function checkedModelOf(httpApi: apigwv2.HttpApi, expected: ExpectedHttpApi): { model: CheckedHttpApi; values: unknown[] } {
  const stack = Stack.of(httpApi);
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

  const integrations: ExpectedHttpIntegration[] = integrationsOf(httpApi).map(({ cfn, properties, fields: p }) => {
    let parameters: unknown = p.RequestParameters;
    if (parameters !== undefined && (!isObj(parameters) || Token.isUnresolved(parameters))) parameters = properties.RequestParameters;
    if (parameters !== undefined && !isObj(parameters)) {
      // Only an escape hatch writes this (CloudFormation takes a map of mappings): the user's, not ours.
      throw validationError('SecuredHttpApi.UnreadableIntegration', `${httpApi.node.path}: the integration ${cfn.node.path} has the RequestParameters ${JSON.stringify(parameters)}, not a map of parameter mappings, so the deployment check cannot compare them; remove the override that wrote it.`, httpApi);
    }
    const strip = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
    return strip({
      id: str(cfn.ref),
      path: cfn.node.path,
      integrationType: str(p.IntegrationType),
      integrationUri: optional(p.IntegrationUri),
      integrationMethod: optional(p.IntegrationMethod),
      payloadFormatVersion: optional(p.PayloadFormatVersion),
      connectionType: optional(p.ConnectionType),
      connectionId: optional(p.ConnectionId),
      requestParameters: parameters === undefined ? undefined : Object.fromEntries(Object.entries(parameters as Obj).map(([k, v]) => [k, str(v)])),
      timeoutInMillis: optional(p.TimeoutInMillis),
      integrationSubtype: optional(p.IntegrationSubtype),
      credentialsArn: optional(p.CredentialsArn),
      serverNameToVerify: optional(isObj(properties.TlsConfig) ? properties.TlsConfig.ServerNameToVerify : undefined),
      responseParameters: responseParametersOf(cfn, properties.ResponseParameters, str),
    });
  });

  // Each route's Target as the template writes it, by route key (routes the construct did not make
  // are the synth-time route guard's and, deployed, a difference of their own).
  const targets = new Map<string, unknown>();
  for (const { properties, fields } of resourcesOfApi(httpApi, ROUTE_TYPE)) {
    if (typeof properties.RouteKey === 'string') targets.set(properties.RouteKey, fields.Target);
  }
  const routes: CheckedHttpRoute[] = expected.routes.map((route) => {
    const target = targets.get(route.routeKey);
    return target === undefined ? route : { ...route, target: str(target) };
  });
  const authorizerTargets = resourcesOfApi(httpApi, AUTHORIZER_TYPE).flatMap(({ properties, fields: p }) => (typeof properties.Name === 'string' ? [{
    name: properties.Name,
    ...(p.AuthorizerUri === undefined ? {} : { authorizerUri: str(p.AuthorizerUri) }),
    ...(p.AuthorizerCredentialsArn === undefined ? {} : { authorizerCredentialsArn: str(p.AuthorizerCredentialsArn) }),
  }] : []));
  return { model: { ...expected, routes, integrations, authorizerTargets }, values };
}
