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
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Aspects, CfnResource, CustomResource, Duration, Lazy, Names, Stack, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3_assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeReadWildcard } from '../../api/deployment-check';
import { DEPLOYMENT_CHECK_MODEL_FILE, MODEL_HASH_FILES, PROP_MODEL_HASH } from '../../api/deployment-check-contract';
import { ExpectedHttpApi, HTTP_DEPLOYMENT_CHECK_RESOURCE_TYPE, PROP_HTTP_API_ID } from '../../api/http-deployment-check-contract';
import { StagedCode, stageFunctionAsset } from '../../authorizer/private/staged-asset';
import { resolvedResource } from '../../roles/private/resolved-properties';

/** Where `npx projen bundle` puts the check's bundle; the same relative path from src/ and lib/. */
const BUNDLE_DIR = path.join(__dirname, '..', '..', '..', 'assets', 'api', 'http-deployment-check.lambda');

/** What a SecuredHttpApi gives its deployment check. */
export interface HttpDeploymentCheckInput {
  readonly httpApi: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  /** The constructs the API's routes, integrations and authorizers are made under (the check runs after them). */
  readonly dependsOn: IConstruct[];
  /** The expected model, read at synthesis once every route is added. */
  readonly model: () => ExpectedHttpApi;
  readonly logRetention: logs.RetentionDays;
}

/** What the guard (rules/deployment-check-bypassed.ts) compares the template with. */
export interface CreatedHttpDeploymentCheck {
  readonly cfnResource: CfnResource;
  readonly cfnDeployment: apigwv2.CfnDeployment;
  readonly cfnStage: apigwv2.CfnStage;
}

export function createHttpDeploymentCheck(scope: Construct, input: HttpDeploymentCheckInput): CreatedHttpDeploymentCheck {
  const where = scope.node.path;
  if (!fs.existsSync(path.join(BUNDLE_DIR, 'index.js'))) {
    throw new Error(`${where}: the deployment check bundle ${path.join(BUNDLE_DIR, 'index.js')} is missing; run \`npx projen bundle\` (the build does) before synthesizing.`);
  }
  const root = new Construct(scope, 'DeploymentCheck');
  const stack = Stack.of(scope);
  const { httpApi } = input;

  const logGroup = new logs.LogGroup(root, 'LogGroup', { retention: input.logRetention });
  const role = new iam.Role(root, 'ServiceRole', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `Reads back the HTTP API of ${where} at deployment, to check it against its routes`,
  });
  logGroup.grantWrite(role);
  // The API and what is below it (routes, authorizers, integrations), and no other API:
  // GetRoutes is apigateway:GET on /apis/{id}/routes.
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonapigatewaymanagement.html
  const apiArn = `arn:${stack.partition}:apigateway:${stack.region}::/apis/${httpApi.apiId}`;
  const below = `${apiArn}/*`;
  const policy = new iam.Policy(root, 'ReadApi', {
    roles: [role],
    statements: [new iam.PolicyStatement({ actions: ['apigateway:GET'], resources: [apiArn, below] })],
  });

  type Staged = { asset: s3_assets.Asset; hash: string };
  let staged: Staged | undefined;
  const stage = (): Staged => {
    if (!staged) {
      const files = { [DEPLOYMENT_CHECK_MODEL_FILE]: JSON.stringify(input.model()) + '\n', 'index.js': fs.readFileSync(path.join(BUNDLE_DIR, 'index.js')) };
      const digest = createHash('sha256');
      for (const file of MODEL_HASH_FILES) {
        digest.update(files[file]);
      }
      const hash = digest.digest('hex');
      staged = { asset: stageFunctionAsset(handler, 'http-deployment-check', files), hash };
    }
    return staged;
  };

  const handler: lambda.Function = new lambda.Function(root, 'Handler', {
    description: `Checks the deployed HTTP API of ${where} against its routes (cdk-secured-api deployment check)`,
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    handler: 'index.handler',
    code: new StagedCode((): s3_assets.Asset => stage().asset),
    memorySize: 512,
    timeout: Duration.minutes(5),
    role,
    logGroup,
  });
  handler.node.addDependency(policy);
  Validations.of(handler.node.defaultChild!).acknowledge({
    id: 'AwsSolutions-L1',
    reason: 'Node.js 22 is pinned on purpose: the deployment check bundle is built for node22, and a runtime that followed the latest version would change under a deployed bundle.',
  });

  const resource = new CustomResource(root, 'Resource', {
    serviceToken: handler.functionArn,
    resourceType: HTTP_DEPLOYMENT_CHECK_RESOURCE_TYPE,
    serviceTimeout: Duration.minutes(10),
    properties: {
      [PROP_HTTP_API_ID]: httpApi.apiId,
      [PROP_MODEL_HASH]: Lazy.string({ produce: () => stage().hash }),
    },
  });
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
    digest.update(stage().hash);
    for (const construct of [httpApi, ...input.dependsOn]) {
      for (const node of construct.node.findAll()) {
        const entry = node instanceof CfnResource ? resolvedResource(node) : undefined;
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
        deployment.overrideLogicalId(`${Names.uniqueId(deployment)}${configurationHash().slice(0, 16)}`.slice(-255));
        acknowledgeReadWildcard(policy, below, 'The deployment check reads one HTTP API back (apigateway:GET, nothing else): the API itself and what is below it (its routes, authorizers and integrations), whose ids exist only once API Gateway has made them. No other API is readable.');
      }
    },
  });
  return { cfnResource: resource.node.defaultChild as CfnResource, cfnDeployment: deployment, cfnStage };
}
