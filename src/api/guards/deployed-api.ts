// What every API guard reads: the SecuredApi's REST API as CloudFormation will deploy it, and the
// resources of the stacks deployed with it that could add a method, a resource, a stage or a
// deployment to it, each rendered as its stack's template will hold it.
import { CfnElement, CfnOutput, CfnResource, Stack, Stage } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { IConstruct } from 'constructs';
import { resolvedResource } from '../../roles/private/resolved-properties';
import { Rule } from '../../rules/rule';
import { CreatedDeploymentCheck, WrittenDeploymentCheck } from '../deployment-check';

/** A plain JSON object (not an array, not null). */
export type Json = Record<string, any>;

/** What the construct wrote into the REST API, to compare the deployed one with. */
export interface WrittenApi {
  /** The definition (`Body`), resolved. */
  readonly body: Json;
  /** `Mode`: how the definition is imported. */
  readonly mode: string;
  /** `Parameters`: the import parameters. */
  readonly parameters: Record<string, string>;
}

/**
 * The REST API of one SecuredApi, as deployed. Everything a guard reads is data, so that each guard
 * can be tested on hand-written templates as well as through a synthesized app.
 */
export interface DeployedApi {
  /** The SecuredApi's construct path, which messages name. */
  readonly path: string;
  /** The REST API's construct path (its `CfnRestApi`). */
  readonly restApiPath: string;
  /** The REST API's `Properties` as deployed (overrides included), or undefined when there are none. */
  readonly properties: unknown;
  /** What the construct wrote. */
  readonly written: WrittenApi;
  /** The app's stacks, read as deployed; absent in tests of guards that read the REST API alone. */
  readonly app?: DeployedApp;
  /** The REST API's L2 construct, by which L2 methods, resources, stages and deployments of it are found anywhere in the app. */
  readonly restApi?: apigateway.IRestApi;
  /**
   * The construct's own stage: its `DeploymentId` as deployed when it is not the one the construct
   * wrote (`stageAsDeployed`), and its `CanarySetting` as deployed.
   */
  readonly ownStage?: { readonly path: string; readonly deploymentId?: unknown; readonly canarySetting?: unknown };
  /** The template-level transforms (macros) of the REST API's stack. */
  readonly transforms?: readonly string[];
  /** The resources the construct made for the REST API beside it (its stage and deployment), which are not added by hand. */
  readonly own?: readonly IConstruct[];
  /** The deployment check as deployed (`deploymentCheckAsDeployed`); absent when it is skipped (`DeploymentCheck.skip`). */
  readonly deploymentCheck?: DeployedCheck;
}

/** A resource of the deployment check: its entry in the template as deployed, and what the construct wrote. */
export interface DeployedCheckResource {
  /** Its construct path (the L1's), which messages name. */
  readonly path: string;
  /** Its logical id. */
  readonly logicalId: string;
  /** Its entry in the template as deployed (`Type`, `Properties`, `Condition`...), or undefined when it is not in the template. */
  readonly deployed?: Json;
  /** What the construct wrote (resolved): its `Type`, and the properties a guard compares (one the construct leaves out must stay out); empty when the resource is not in the template. */
  readonly written: { readonly type: string; readonly properties: Json };
}

/**
 * The deploy-time check of a SecuredApi (`Custom::SecuredApiDeploymentCheck`), as deployed: its
 * custom resource, its function, and the `DependsOn` of the REST API's deployment, which makes the
 * stage wait for the check.
 */
export interface DeployedCheck {
  readonly resource: DeployedCheckResource;
  readonly function: DeployedCheckResource;
  /** The REST API's deployment: its path, and its `DependsOn` as deployed; undefined when it is not in the template. */
  readonly deployment?: { readonly path: string; readonly dependsOn?: unknown };
}

/** One rule over a deployed API: one finding per thing that breaks it, each naming the construct and the fix. */
export type ApiGuard = Rule<DeployedApi>;

/** A resource of a stack's template, as deployed, with the construct that made it when there is one. */
export interface DeployedResource {
  readonly stack: Stack;
  readonly logicalId: string;
  readonly type: unknown;
  readonly properties: Json;
  readonly construct?: CfnResource;
}

/**
 * The stacks deployed with the REST API (those of its CDK Stage, nested stacks included), read as
 * CloudFormation will deploy them: each element a guard reads is rendered and resolved as the stack's
 * template will hold it (property overrides, `addOverride`, a `Type` override and cross-stack
 * references included), once per check of the API. Only those elements are rendered, not whole
 * templates: a template resolves the definition (about 300 bytes per route) again, and the
 * deployment's logical id hashes it again each time it is read.
 *
 * The REST API's references are followed across stacks: `Ref`, `Fn::GetAtt`, `Fn::Sub` in its own
 * stack; an `Fn::ImportValue` of an export of it in the others; a parameter a nested stack is passed
 * it in. CDK references do not cross a Stage (each Stage is a cloud assembly of its own, prepared when
 * it is synthesized), so other Stages are left to the construct tree (their L2s).
 */
export class DeployedApp {
  private elements?: Map<Stack, CfnElement[]>;
  private exports?: string[];
  private readonly nestedParameters = new Map<Stack, string[]>();

  /**
   * @param apiStack the REST API's stack
   * @param apiLogicalId the REST API's logical id
   */
  constructor(public readonly apiStack: Stack, public readonly apiLogicalId: string) {}

  /** Every resource whose type as deployed is one of `types`, in every stack deployed with the API, but those in `skip`. */
  public resourcesOfType(types: readonly string[], skip: ReadonlySet<IConstruct> = new Set()): DeployedResource[] {
    const found: DeployedResource[] = [];
    for (const [stack, elements] of this.elementsByStack()) {
      for (const c of elements) {
        if (!CfnResource.isCfnResource(c) || skip.has(c) || !types.includes(typeAsDeployed(c))) continue;
        const [logicalId, resource] = Object.entries(rendered(stack, c).Resources ?? {})[0] ?? [];
        if (!isJson(resource) || !types.includes(resource.Type)) continue;
        found.push({ stack, logicalId, type: resource.Type, properties: isJson(resource.Properties) ? resource.Properties : {}, construct: c });
      }
    }
    return found;
  }

  /**
   * Whether a value of a resource in `stack` refers to the REST API: in its own stack a `Ref`, an
   * `Fn::GetAtt` (`RestApiId`, `RootResourceId`) or an `Fn::Sub` naming it; in any stack an
   * `Fn::ImportValue` of an export whose value refers to it; in a nested stack a `Ref` to a parameter
   * its parent passes a reference to it in.
   */
  public refersToApi(stack: Stack, value: unknown): boolean {
    if ((stack === this.apiStack && refersTo(this.apiLogicalId, value)) || importsOneOf(this.apiExports(), value)) return true;
    const parameters = this.parametersOfApi(stack);
    return parameters.some((name) => refersTo(name, value));
  }

  /** The CloudFormation elements (resources, outputs...) of each stack deployed with the API. */
  private elementsByStack(): Map<Stack, CfnElement[]> {
    if (!this.elements) {
      const stage = Stage.of(this.apiStack);
      this.elements = new Map();
      for (const c of (stage ?? this.apiStack.node.root).node.findAll()) {
        if (!CfnElement.isCfnElement(c)) continue;
        const stack = Stack.of(c);
        if (Stage.of(stack) !== stage) continue;
        const elements = this.elements.get(stack);
        if (elements) elements.push(c);
        else this.elements.set(stack, [c]);
      }
    }
    return this.elements;
  }

  /** The parameters of a nested stack that its parent passes a reference to the REST API in. */
  private parametersOfApi(stack: Stack): string[] {
    const parent = stack.nestedStackParent;
    const resource = stack.nestedStackResource;
    if (!parent || !resource) return [];
    let names = this.nestedParameters.get(stack);
    if (!names) {
      const entry = Object.values(rendered(parent, resource).Resources ?? {})[0];
      const parameters = isJson(entry) && isJson(entry.Properties) && isJson(entry.Properties.Parameters) ? entry.Properties.Parameters : {};
      names = Object.entries(parameters).filter(([, value]) => this.refersToApi(parent, value)).map(([name]) => name);
      this.nestedParameters.set(stack, names);
    }
    return names;
  }

  /** The names (as JSON) of the exports of the REST API's stack whose values refer to it. */
  private apiExports(): string[] {
    if (!this.exports) {
      const outputs = (this.elementsByStack().get(this.apiStack) ?? []).filter((c) => c instanceof CfnOutput)
        .flatMap((c) => Object.values(rendered(this.apiStack, c).Outputs ?? {}));
      this.exports = outputs
        .filter((o): o is Json => isJson(o) && isJson(o.Export) && o.Export.Name !== undefined && refersTo(this.apiLogicalId, o.Value))
        .map((o) => JSON.stringify(o.Export.Name));
    }
    return this.exports;
  }
}

/** An element's fragment of its stack's template, resolved. */
function rendered(stack: Stack, element: CfnElement): Json {
  const fragment: unknown = stack.resolve((element as unknown as { _toCloudFormation(): object })._toCloudFormation());
  return isJson(fragment) ? fragment : {};
}

/** A resource's type as deployed: an `addOverride('Type', ...)` replaces it. */
function typeAsDeployed(resource: CfnResource): string {
  const overridden = (resource as unknown as { rawOverrides?: Json }).rawOverrides?.Type;
  return typeof overridden === 'string' ? overridden : resource.cfnResourceType;
}

export function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether a key of a template object makes that object an intrinsic function (`Ref`, `Fn::…`). */
export function isIntrinsicKey(key: string): boolean {
  return key === 'Ref' || key.startsWith('Fn::');
}

/** Same JSON. */
export function same(x: unknown, y: unknown): boolean {
  return JSON.stringify(x) === JSON.stringify(y);
}

/** Whether a template value refers to the resource `logicalId` anywhere in it. */
function refersTo(logicalId: string, value: unknown): boolean {
  if (Array.isArray(value)) return value.some((v) => refersTo(logicalId, v));
  if (!isJson(value)) return false;
  if (value.Ref === logicalId) return true;
  const getAtt = value['Fn::GetAtt'];
  if ((Array.isArray(getAtt) && getAtt[0] === logicalId) || (typeof getAtt === 'string' && getAtt.split('.')[0] === logicalId)) return true;
  const sub = value['Fn::Sub'];
  const text = Array.isArray(sub) ? sub[0] : sub;
  if (typeof text === 'string' && (text.includes(`\${${logicalId}}`) || text.includes(`\${${logicalId}.`))) return true;
  return Object.values(value).some((v) => refersTo(logicalId, v));
}

function importsOneOf(exportNames: string[], value: unknown): boolean {
  if (exportNames.length === 0) return false;
  if (Array.isArray(value)) return value.some((v) => importsOneOf(exportNames, v));
  if (!isJson(value)) return false;
  if (value['Fn::ImportValue'] !== undefined && exportNames.includes(JSON.stringify(value['Fn::ImportValue']))) return true;
  return Object.values(value).some((v) => importsOneOf(exportNames, v));
}

/** A resource of the REST API made outside the construct: as deployed in a stack of the API's Stage, or an L2 of it anywhere in the app. */
export interface AddedResource {
  readonly type: string;
  /** Its construct path (the L1's). */
  readonly path: string;
  /** The L2 that made it, when one did. */
  readonly l2?: IConstruct;
  readonly properties: Json;
}

/**
 * Resources of `types` that belong to the REST API but that the construct did not make: in every
 * stack of the API's Stage, those whose `idProperties` (`RestApiId`, `ParentId`...) refer to the API
 * as deployed (any form of reference, across stacks too); anywhere in the app, the L2s `isOfApi` says
 * are of it (L2s in other Stages, whose templates are not read here).
 */
export function resourcesAddedToApi(api: DeployedApi, types: readonly string[], idProperties: readonly string[],
  isOfApi: (scope: IConstruct, restApi: apigateway.IRestApi) => boolean): AddedResource[] {
  if (!api.app) return [];
  const app = api.app;
  const own = new Set<IConstruct>(api.own ?? []);
  const found = new Map<IConstruct | string, AddedResource>();
  const add = (key: IConstruct | string, type: string, cfn: IConstruct | undefined, properties: Json) => {
    if ((cfn && own.has(cfn)) || found.has(key)) return;
    const l2 = cfn?.node.scope && api.restApi && isOfApi(cfn.node.scope, api.restApi) ? cfn.node.scope : undefined;
    found.set(key, { type, path: cfn?.node.path ?? String(key), l2, properties });
  };
  for (const r of app.resourcesOfType(types, own)) {
    if (idProperties.some((key) => app.refersToApi(r.stack, r.properties[key]))) {
      add(r.construct ?? `${r.stack.node.path}/${r.logicalId}`, String(r.type), r.construct, r.properties);
    }
  }
  if (api.restApi) {
    for (const c of app.apiStack.node.root.node.findAll()) {
      if (CfnResource.isCfnResource(c) && types.includes(c.cfnResourceType) && c.node.scope && isOfApi(c.node.scope, api.restApi)) {
        add(c, c.cfnResourceType, c, {});
      }
    }
  }
  return [...found.values()];
}

/**
 * A stage's `DeploymentId`, when it is not `writtenDeploymentId`, and its `CanarySetting`, as
 * deployed: the typed property, or an override of it (`addPropertyOverride`, `addOverride`, a
 * deletion). Read from the L1 rather than rendered: rendering the stage resolves its deployment's
 * logical id, which hashes the whole definition (for 1,000 routes, more than the guards together).
 */
export function stageAsDeployed(stage: CfnResource & { deploymentId?: string; canarySetting?: unknown }, writtenDeploymentId: string | undefined):
{ deploymentId?: unknown; canarySetting?: unknown } {
  const overrides = (stage as unknown as { rawOverrides?: Json }).rawOverrides ?? {};
  const overridden = isJson(overrides.Properties) ? overrides.Properties : undefined;
  const effective = (key: string, typed: unknown) => (overridden && Object.hasOwn(overridden, key) ? { value: overridden[key], by: 'override' } : { value: typed, by: 'typed' });
  const deployment = effective('DeploymentId', stage.deploymentId);
  const canary = effective('CanarySetting', stage.canarySetting);
  const stack = Stack.of(stage);
  return {
    ...(deployment.by === 'typed' && deployment.value === writtenDeploymentId ? {} : { deploymentId: deployment.value === undefined ? null : stack.resolve(deployment.value) }),
    ...(canary.value === undefined ? {} : { canarySetting: stack.resolve(canary.value) }),
  };
}

/**
 * The deployment check of `owner` (a SecuredApi) as deployed: each of its resources' entry in the
 * template (overrides included), or none when an escape hatch took it out of the construct tree (or
 * it is not synthesized), beside what the construct wrote, resolved in its stack. `deployment` is
 * the REST API's deployment; only its entry is resolved, not its logical id (see `resolvedResource`).
 */
export function deploymentCheckAsDeployed(owner: IConstruct, check: CreatedDeploymentCheck, deployment: CfnResource | undefined): DeployedCheck {
  const stack = Stack.of(owner);
  let written: WrittenDeploymentCheck | undefined;
  // What was written is read only of a resource still in the tree: the model is staged by the check's construct.
  const read = (resource: CfnResource, writtenOf: (w: WrittenDeploymentCheck) => { type: string; properties: Json }): DeployedCheckResource => {
    const path = resource.node.path;
    const logicalId: string = stack.resolve(resource.logicalId);
    if (!inTree(resource, owner)) return { path, logicalId, written: { type: '', properties: {} } };
    const { type, properties } = writtenOf(written ??= check.written());
    return { path, logicalId, deployed: resolvedResource(resource), written: { type, properties: stack.resolve(properties) } };
  };
  const deployedDeployment = deployment && inTree(deployment, owner) ? resolvedResource(deployment) : undefined;
  return {
    resource: read(check.cfnResource, (w) => ({ type: w.type, properties: w.properties })),
    function: read(check.cfnFunction, (w) => ({ type: w.functionType, properties: w.functionProperties })),
    ...(deployment && deployedDeployment ? { deployment: { path: deployment.node.path, dependsOn: deployedDeployment.DependsOn } } : {}),
  };
}

/** Whether `construct` is still in the tree below `root`: each scope from it up to `root` still has it as a child (`tryRemoveChild` leaves the removed construct's own `scope` in place). */
function inTree(construct: IConstruct, root: IConstruct): boolean {
  let node = construct;
  while (node !== root) {
    const scope = node.node.scope;
    if (!scope || scope.node.tryFindChild(node.node.id) !== node) return false;
    node = scope;
  }
  return true;
}
