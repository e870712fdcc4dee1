/**
 * The deploy-time check of a `SecuredApi`: a custom resource that, after API Gateway has imported
 * the REST API's definition and before the stage serves the new deployment, reads the API back
 * through API Gateway's own read API and compares it with what the construct wrote. Any difference
 * fails the deployment (CloudFormation rolls back; the stage keeps its old deployment).
 *
 * What it expects is data written at synth: the expected model (`deployment-check-contract.ts`),
 * derived from the very definition the REST API's `Body` is written from, goes into the handler's
 * asset as `model.json`. Values known only at deployment (functions' invocation URIs, a VPC link's
 * id) stand in it as indexes into the custom resource's `Values` property, each distinct value
 * once, so the template grows by one value per function, not per route.
 *
 * Why the handler answers CloudFormation itself (a PUT to the pre-signed `ResponseURL`) rather than
 * through aws-cdk-lib's provider machinery:
 * - `CustomResourceProvider` is one function per stack and resource type, with the managed
 *   `AWSLambdaBasicExecutionRole` and a log group without retention; its role would read every
 *   SecuredApi of the stack, where this one reads only its own API (`apigateway:GET` on its ARNs);
 * - `custom_resources.Provider` adds a second (framework) function, role and log group per API,
 *   and its own timeouts; the check has nothing to wait for beyond one invocation.
 * The handler keeps the response within CloudFormation's 4096 bytes, and answers before its own
 * timeout, so the stack never waits for the custom resource's `ServiceTimeout`.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Annotations, Aspects, CfnResource, CustomResource, Duration, Lazy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3_assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct, IConstruct } from 'constructs';
import { DEFINITION_API_KEY_SCHEME, DEFINITION_AUTHORIZER_SCHEME, definitionOperations } from './definition';
import {
  DEPLOYMENT_CHECK_MODEL_FILE, DEPLOYMENT_CHECK_RESOURCE_TYPE, ExpectedApi, ExpectedGatewayResponse, ExpectedIntegration, ExpectedOperation,
  MODEL_HASH_FILES, ModelString, PROP_MODEL_HASH, PROP_REST_API_ID, PROP_VALUES,
} from './deployment-check-contract';
import { StagedCode, stageFunctionAsset } from '../authorizer/private/staged-asset';
import { validationError } from '../errors';

/** Where `npx projen bundle` puts the check's bundle; the same relative path from src/ and lib/. */
const BUNDLE_DIR = path.join(__dirname, '..', '..', 'assets', 'api', 'deployment-check.lambda');

/** The gateway responses the check compares: the authorizer's 401 and 403. */
const CHECKED_GATEWAY_RESPONSES = ['UNAUTHORIZED', 'ACCESS_DENIED'];

/**
 * API Gateway's authorizer result TTL when the definition sets none
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-authorizer.html).
 */
const DEFAULT_AUTHORIZER_TTL_SECONDS = 300;

/**
 * Whether a `SecuredApi` checks, at every deployment, that the REST API API Gateway imported is
 * the one its routes describe: `DeploymentCheck.verify()` (the default), or
 * `DeploymentCheck.skip(reason)`.
 */
export class DeploymentCheck {
  /**
   * Check the deployed REST API against the routes at every deployment, before the stage serves it
   * (the default).
   */
  public static verify(): DeploymentCheck {
    return new DeploymentCheck(undefined);
  }

  /**
   * Do not check the deployed REST API. The reason is recorded as a synth warning and in the API's
   * OpenAPI document (`x-cdk-secured-api-deployment-check`).
   *
   * @param reason why the API is deployed unchecked, e.g. 'deployed to LocalStack, which has no API Gateway read API' (required, non-empty)
   */
  public static skip(reason: string): DeploymentCheck {
    return new DeploymentCheck(reason);
  }

  /**
   * Why the check is skipped.
   *
   * @default - the check runs
   */
  public readonly skipReason?: string;

  private constructor(skipReason: string | undefined) {
    this.skipReason = skipReason;
  }
}

/** The expected model and the deploy-time values its `ModelString`s name. */
export interface ExpectedApiAndValues {
  readonly model: ExpectedApi;
  /**
   * Each distinct deploy-time value once, as the custom resource's `Values` hold them: strings
   * holding CDK tokens (CDK resolves them, across stacks too), or the intrinsics (`Ref`,
   * `Fn::GetAtt`) of an `Fn::Sub` of this stack, taken apart.
   */
  readonly values: unknown[];
}

type Obj = { [key: string]: unknown };

/**
 * The model the check compares the deployed API with, read from the REST API's definition (what
 * `restApiDefinition` wrote, unresolved: deploy-time values are CDK tokens). `resolve` resolves a
 * token as the template will hold it: a value is passed once however many routes name it, and an
 * `Fn::Sub` (a function's invocation URI in this stack) is taken apart, so that only the function's
 * ARN, the partition and the region are passed, each once.
 */
export function expectedApiOf(where: string, definition: Obj, resolve: (token: string) => unknown): ExpectedApiAndValues {
  const values: unknown[] = [];
  const indexes = new Map<string, number>();
  const indexOf = (value: unknown, key: string): number => {
    let index = indexes.get(key);
    if (index === undefined) {
      index = values.push(value) - 1;
      indexes.set(key, index);
    }
    return index;
  };
  const str = (value: unknown, what: string): ModelString => {
    if (typeof value !== 'string') {
      throw new Error(`${where}: the REST API's definition has ${JSON.stringify(value)} as ${what}, where the deployment check expects a string; this is a bug in cdk-secured-api, please report it.`);
    }
    if (!Token.isUnresolved(value)) {
      return value;
    }
    const resolved = resolve(value);
    const parts = subParts(resolved);
    if (parts) {
      return { join: parts.map((p) => (typeof p === 'string' ? p : indexOf(p, JSON.stringify(p)))) };
    }
    return { value: indexOf(value, JSON.stringify(resolved)) };
  };
  const literal = (value: unknown, what: string): string => {
    const s = str(value, what);
    if (typeof s !== 'string') {
      throw new Error(`${where}: ${what} ${JSON.stringify(value)} is known only at deployment; the deployment check needs it written out at synthesis.`);
    }
    return s;
  };
  const schemes = ((definition.components as Obj | undefined)?.securitySchemes ?? {}) as Obj;
  const declared = (schemes[DEFINITION_AUTHORIZER_SCHEME] as Obj | undefined)?.['x-amazon-apigateway-authorizer'] as Obj | undefined;
  if (!declared) {
    throw new Error(`${where}: the REST API's definition declares no ${DEFINITION_AUTHORIZER_SCHEME} authorizer; this is a bug in cdk-secured-api, please report it.`);
  }
  const authorizer = {
    name: DEFINITION_AUTHORIZER_SCHEME,
    type: literal(declared.type, 'the authorizer type').toUpperCase(),
    uri: str(declared.authorizerUri, 'the authorizer URI'),
    identitySources: literal(declared.identitySource, 'the identity source').split(',').map((s) => s.trim()).filter(Boolean),
    ttlSeconds: typeof declared.authorizerResultTtlInSeconds === 'number' ? declared.authorizerResultTtlInSeconds : DEFAULT_AUTHORIZER_TTL_SECONDS,
  };

  const operations: ExpectedOperation[] = definitionOperations(definition).map(({ method, resource, operation }) => {
    const what = `operation ${method} ${resource}`;
    const security: Obj[] = Array.isArray(operation?.security) ? operation.security : [];
    // As API Gateway reads a definition: a requirement naming the authorizer scheme makes the method
    // CUSTOM, one naming the API key scheme makes it require a key (in one requirement or in two).
    const schemesNamed = new Set(security.flatMap((requirement) => Object.keys(requirement ?? {})));
    const unknown = [...schemesNamed].filter((name) => name !== DEFINITION_AUTHORIZER_SCHEME && name !== DEFINITION_API_KEY_SCHEME);
    if (unknown.length > 0) {
      throw new Error(`${where}: ${what} has the security ${JSON.stringify(security)}, whose scheme(s) ${unknown.join(', ')} the deployment check does not know; this is a bug in cdk-secured-api, please report it.`);
    }
    return {
      method,
      path: resource,
      authorizationType: schemesNamed.has(DEFINITION_AUTHORIZER_SCHEME) ? 'CUSTOM' : 'NONE',
      apiKeyRequired: schemesNamed.has(DEFINITION_API_KEY_SCHEME),
      integration: integrationOf(operation?.['x-amazon-apigateway-integration'], `the integration of ${what}`, str, literal),
    };
  });

  const responses = (definition['x-amazon-apigateway-gateway-responses'] ?? {}) as Obj;
  const gatewayResponses: ExpectedGatewayResponse[] = CHECKED_GATEWAY_RESPONSES.flatMap((responseType) => {
    const response = responses[responseType] as Obj | undefined;
    if (!response) {
      return [];
    }
    const parameters: { [name: string]: string } = {};
    for (const [name, value] of Object.entries((response.responseParameters ?? {}) as Obj)) {
      parameters[name] = literal(value, `the ${responseType} gateway response's ${name}`);
    }
    return [{ responseType, statusCode: String(response.statusCode), responseParameters: parameters }];
  });

  const model: ExpectedApi = {
    version: 1,
    authorizer,
    apiKeySource: typeof definition['x-amazon-apigateway-api-key-source'] === 'string' ? definition['x-amazon-apigateway-api-key-source'] : 'HEADER',
    gatewayResponses,
    operations,
  };
  return { model, values };
}

/**
 * An `Fn::Sub` string (no variable map) as literal parts and the intrinsics of its variables
 * (`${AWS::Region}` -> `Ref`, `${Name.Attr}` -> `Fn::GetAtt`, `${Name}` -> `Ref`); undefined for
 * anything else, or a `${!literal}` escape.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-sub.html
 */
function subParts(resolved: unknown): Array<string | Obj> | undefined {
  const template = (resolved as Obj | undefined)?.['Fn::Sub'];
  if (typeof template !== 'string' || template.includes('${!')) {
    return undefined;
  }
  const parts: Array<string | Obj> = [];
  let last = 0;
  for (const match of template.matchAll(/\$\{([^}]*)\}/g)) {
    parts.push(template.slice(last, match.index));
    const name = match[1];
    const dot = name.indexOf('.');
    parts.push(name.startsWith('AWS::') || dot < 0 ? { Ref: name } : { 'Fn::GetAtt': [name.slice(0, dot), name.slice(dot + 1)] });
    last = match.index! + match[0].length;
  }
  parts.push(template.slice(last));
  return parts.filter((p) => p !== '');
}

function integrationOf(
  integration: Obj | undefined, what: string, str: (v: unknown, what: string) => ModelString, literal: (v: unknown, what: string) => string,
): ExpectedIntegration {
  if (!integration) {
    throw new Error(`${what.replace(/^the integration of /, '')} has no integration; this is a bug in cdk-secured-api, please report it.`);
  }
  const type = literal(integration.type, `${what}'s type`).toUpperCase();
  if (type === 'MOCK') {
    return { type };
  }
  const requestParameters: { [target: string]: string } = {};
  for (const [target, source] of Object.entries((integration.requestParameters ?? {}) as Obj)) {
    requestParameters[target] = literal(source, `${what}'s request parameter ${target}`);
  }
  return {
    type,
    uri: str(integration.uri, `${what}'s URI`),
    httpMethod: literal(integration.httpMethod, `${what}'s method`).toUpperCase(),
    connectionType: integration.connectionType === undefined ? 'INTERNET' : literal(integration.connectionType, `${what}'s connection type`).toUpperCase(),
    ...(integration.connectionId === undefined ? {} : { connectionId: str(integration.connectionId, `${what}'s connection id`) }),
    requestParameters,
  };
}

/** What a SecuredApi gives its deployment check. */
export interface DeploymentCheckInput {
  readonly restApi: apigateway.SpecRestApi;
  /** The REST API's definition as written (unresolved), read at synthesis once every route is added. */
  readonly definition: () => Obj;
  readonly logRetention: logs.RetentionDays;
}

/**
 * What the check is made of, and what the construct wrote into it, for the guard that compares the
 * template as deployed with it (`guards/deployment-check-intact.ts`).
 */
export interface CreatedDeploymentCheck {
  /** The custom resource. */
  readonly resource: CustomResource;
  /** Its L1, as made (an escape hatch may have removed it from the tree since). */
  readonly cfnResource: CfnResource;
  /** The check's function's L1, as made. */
  readonly cfnFunction: CfnResource;
  /**
   * What the construct wrote, unresolved (CDK tokens): the custom resource's type and the
   * properties the check reads, and the function's properties that say what code it runs. Read at
   * validation, once the model is staged.
   */
  readonly written: () => WrittenDeploymentCheck;
}

/** What the construct wrote into its deployment check. */
export interface WrittenDeploymentCheck {
  readonly type: string;
  readonly properties: { readonly [key: string]: unknown };
  readonly functionType: string;
  readonly functionProperties: { readonly [key: string]: unknown };
}

/** A SecuredApi's deployment check as `check` asks for it: made, or skipped for its reason. */
export type AppliedDeploymentCheck = { readonly created: CreatedDeploymentCheck; readonly skipped?: undefined }
| { readonly created?: undefined; readonly skipped: string };

/**
 * Makes the deployment check (`createDeploymentCheck`), or, for `DeploymentCheck.skip(reason)`,
 * checks the reason and records it as a synth warning.
 */
export function applyDeploymentCheck(scope: Construct, check: DeploymentCheck, input: DeploymentCheckInput): AppliedDeploymentCheck {
  if (check.skipReason === undefined) {
    return { created: createDeploymentCheck(scope, input) };
  }
  const reason = check.skipReason;
  if (typeof reason !== 'string' || Token.isUnresolved(reason) || reason.trim() === '') {
    throw validationError('SecuredApi.DeploymentCheckSkipWithoutReason', `${scope.node.path}: deploymentCheck is DeploymentCheck.skip(${JSON.stringify(reason)}), without a reason; say why this API may be deployed without checking it against its routes, e.g. DeploymentCheck.skip('LocalStack has no API Gateway read API'), or leave deploymentCheck out to keep the check.`, scope);
  }
  Annotations.of(scope).addWarningV2('cdk-secured-api:deploymentCheckSkipped',
    `The deployment check is skipped (${reason}): deployments of this REST API are not read back from API Gateway and compared with the routes before the stage serves them. Remove deploymentCheck: DeploymentCheck.skip(...) to check them.`);
  return { skipped: reason };
}

/**
 * Creates the check under `scope/DeploymentCheck`: its function (with the expected model in its
 * asset), log group, role, and the custom resource, on which the REST API's deployment depends.
 */
export function createDeploymentCheck(scope: Construct, input: DeploymentCheckInput): CreatedDeploymentCheck {
  const where = scope.node.path;
  const stack = Stack.of(scope);
  const { restApi } = input;
  const check = createCheckFunction(scope, {
    bundleDir: BUNDLE_DIR,
    assetPrefix: 'deployment-check',
    resourceType: DEPLOYMENT_CHECK_RESOURCE_TYPE,
    api: 'REST API',
    // The API itself and everything below it (resources, methods, integrations, authorizers, gateway
    // responses), and no other API.
    apiArn: `arn:${stack.partition}:apigateway:${stack.region}::/restapis/${restApi.restApiId}`,
    apiIdProperty: PROP_REST_API_ID,
    apiId: restApi.restApiId,
    logRetention: input.logRetention,
    runtimeReason: 'Node.js 22 is pinned on purpose: the deployment check bundle is built for node22, and a runtime that followed the latest version would change under a deployed bundle. The runtime moves with the bundle\'s target, in a release.',
    model: () => expectedApiOf(where, input.definition(), (token) => stack.resolve(token)),
  });
  // The stage serves a deployment only once the check has passed.
  restApi.latestDeployment!.node.addDependency(check.resource);

  Aspects.of(check.root).add({
    visit: (node: IConstruct) => {
      if (node === check.root) {
        check.stage();
        acknowledgeReadWildcard(check.policy, check.readWildcard);
      }
    },
  });
  return {
    resource: check.resource,
    cfnResource: check.resource.node.defaultChild as CfnResource,
    cfnFunction: check.handler.node.defaultChild as CfnResource,
    written: check.written,
  };
}

/** What `createCheckFunction` makes a check of, for one kind of API. */
export interface CheckFunctionOptions {
  /** Where `npx projen bundle` puts the check's bundle (`index.js`). */
  readonly bundleDir: string;
  /** The staged asset folder's prefix. */
  readonly assetPrefix: string;
  readonly resourceType: string;
  /** `REST API`, `HTTP API`: in descriptions. */
  readonly api: string;
  /** The API's ARN; the role may `apigateway:GET` it and what is below it, nothing else. */
  readonly apiArn: string;
  /** The custom resource's property naming the API, and its value (the API's `Ref`). */
  readonly apiIdProperty: string;
  readonly apiId: string;
  readonly logRetention: logs.RetentionDays;
  /** Why the Lambda runtime is pinned (cdk-nag's AwsSolutions-L1). */
  readonly runtimeReason: string;
  /** The expected model and the deploy-time values it names, made once, at synthesis. */
  readonly model: () => { readonly model: object; readonly values: unknown[] };
}

/** The parts of a check `createCheckFunction` made. */
export interface CheckFunction {
  /** `scope/DeploymentCheck`. */
  readonly root: Construct;
  readonly handler: lambda.Function;
  readonly policy: iam.Policy;
  readonly resource: CustomResource;
  /** `<api arn>/*`, which cdk-nag flags (`acknowledgeReadWildcard`). */
  readonly readWildcard: string;
  /** Makes the model, the asset and the digest (once; at synthesis, once every route is added). */
  readonly stage: () => { readonly asset: s3_assets.Asset; readonly values: unknown[]; readonly hash: string };
  /** What the construct wrote into the check, for its guard. */
  readonly written: () => WrittenDeploymentCheck;
}

/**
 * The common part of a deployment check, REST or HTTP: under `scope/DeploymentCheck`, its log group,
 * a role that may read only this API, the function (the bundle and the expected model in one asset),
 * and the custom resource (the API's id, the deploy-time `Values`, the `ModelHash`).
 */
export function createCheckFunction(scope: Construct, options: CheckFunctionOptions): CheckFunction {
  const where = scope.node.path;
  if (!fs.existsSync(path.join(options.bundleDir, 'index.js'))) {
    throw new Error(`${where}: the deployment check bundle ${path.join(options.bundleDir, 'index.js')} is missing; run \`npx projen bundle\` (the build does) before synthesizing.`);
  }
  const root = new Construct(scope, 'DeploymentCheck');

  const logGroup = new logs.LogGroup(root, 'LogGroup', { retention: options.logRetention });
  const role = new iam.Role(root, 'ServiceRole', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `Reads back the ${options.api} of ${where} at deployment, to check it against its routes`,
  });
  logGroup.grantWrite(role);
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonapigatewaymanagement.html
  const readWildcard = `${options.apiArn}/*`;
  const policy = new iam.Policy(root, 'ReadApi', {
    roles: [role],
    statements: [new iam.PolicyStatement({ actions: ['apigateway:GET'], resources: [options.apiArn, readWildcard] })],
  });

  type Staged = { asset: s3_assets.Asset; values: unknown[]; hash: string };
  let staged: Staged | undefined;
  const stage = (): Staged => {
    if (!staged) {
      const { model, values } = options.model();
      const files = { [DEPLOYMENT_CHECK_MODEL_FILE]: JSON.stringify(model) + '\n', 'index.js': fs.readFileSync(path.join(options.bundleDir, 'index.js')) };
      const digest = createHash('sha256');
      for (const file of MODEL_HASH_FILES) {
        digest.update(files[file]);
      }
      const hash = digest.digest('hex');
      const asset = stageFunctionAsset(handler, options.assetPrefix, files);
      staged = { asset, values, hash };
    }
    return staged;
  };

  const runtime = lambda.Runtime.NODEJS_22_X;
  const handlerName = 'index.handler';
  const handler: lambda.Function = new lambda.Function(root, 'Handler', {
    description: `Checks the deployed ${options.api} of ${where} against its routes (cdk-secured-api deployment check)`,
    runtime,
    architecture: lambda.Architecture.ARM_64,
    handler: handlerName,
    code: new StagedCode((): s3_assets.Asset => stage().asset),
    memorySize: 512,
    // The handler answers CloudFormation itself well before this (see the runtime's deadline).
    timeout: Duration.minutes(5),
    role,
    logGroup,
  });
  handler.node.addDependency(policy);
  Validations.of(handler.node.defaultChild!).acknowledge({ id: 'AwsSolutions-L1', reason: options.runtimeReason });

  const serviceToken = handler.functionArn;
  const resource = new CustomResource(root, 'Resource', {
    serviceToken,
    resourceType: options.resourceType,
    // A failure to answer at all (which the handler guards against) fails the deployment after
    // this, instead of CloudFormation's default hour.
    serviceTimeout: Duration.minutes(10),
    properties: {
      [options.apiIdProperty]: options.apiId,
      [PROP_VALUES]: Lazy.any({ produce: () => stage().values }),
      [PROP_MODEL_HASH]: Lazy.string({ produce: () => stage().hash }),
    },
  });

  return {
    root,
    handler,
    policy,
    resource,
    readWildcard,
    stage,
    written: () => {
      const { asset, values, hash } = stage();
      return {
        type: options.resourceType,
        properties: {
          ServiceToken: serviceToken,
          [options.apiIdProperty]: options.apiId,
          [PROP_MODEL_HASH]: hash,
          [PROP_VALUES]: values,
        },
        functionType: lambda.CfnFunction.CFN_RESOURCE_TYPE_NAME,
        // No Environment and no Layers: either can change the code the function runs (see the guards).
        functionProperties: {
          Code: { S3Bucket: asset.s3BucketName, S3Key: asset.s3ObjectKey },
          Handler: handlerName,
          Runtime: runtime.name,
          Environment: undefined,
          Layers: undefined,
        },
      };
    },
  };
}

/**
 * cdk-nag's `AwsSolutions-IAM5` finding for `<api arn>/*`, acknowledged on the policy. The finding's
 * id holds the ARN, `::` and all, which `Validations.acknowledge` refuses (it reserves `::` for its
 * own prefix); so the acknowledgement is recorded in the metadata `acknowledge` writes and cdk-nag
 * reads, with the exact id of this one finding: a wildcard added to the policy by anyone else stays
 * a finding.
 */
export function acknowledgeReadWildcard(policy: iam.Policy, wildcard: string, reason = 'The deployment check reads one REST API back (apigateway:GET, nothing else): the API itself and what is below it (its resources, methods, authorizers and gateway responses), whose ids exist only once API Gateway has imported the definition. No other API is readable.'): void {
  const cfn = policy.node.defaultChild as CfnResource;
  const id = `AwsSolutions-IAM5[Resource::${nagFinding(Stack.of(policy).resolve(wildcard))}]`;
  const previous = cfn.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).pop()?.data ?? {};
  cfn.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, {
    ...previous,
    [id]: reason,
  });
}

/** A resolved value as cdk-nag writes it in a finding: `Ref` as `<Name>`, `Fn::GetAtt` as `<Name.Attr>`, `Fn::Join` flattened. */
function nagFinding(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  const v = value as { 'Ref'?: string; 'Fn::GetAtt'?: string[]; 'Fn::Join'?: [string, unknown[]] };
  if (v.Ref !== undefined) {
    return `<${v.Ref}>`;
  }
  if (v['Fn::GetAtt'] !== undefined) {
    return `<${v['Fn::GetAtt'].join('.')}>`;
  }
  if (v['Fn::Join'] !== undefined) {
    return v['Fn::Join'][1].map(nagFinding).join(v['Fn::Join'][0]);
  }
  return JSON.stringify(value);
}
