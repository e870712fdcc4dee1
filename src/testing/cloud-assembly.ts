import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A synthesized stack read from a cloud assembly (cdk.out). */
export interface AssemblyStack {
  /** The artifact id. */
  readonly id: string;
  readonly stackName: string;
  readonly account?: string;
  readonly region?: string;
  readonly template: { Resources?: Record<string, TemplateResource> };
  /** The assembly folder holding the stack. */
  readonly directory: string;
  /** The stack's asset manifests' `files` entries, by asset hash. */
  readonly fileAssets: Record<string, { source: { path: string } }>;
}

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
}

/** Every stack of the cloud assembly in `dir`, nested assemblies (stages) included. */
export function readStacks(dir: string): AssemblyStack[] {
  const manifestFile = join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) {
    throw new Error(`${dir} is not a cloud assembly (no manifest.json): synthesize the app first (app.synth(), or cdk synth)`);
  }
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  const artifacts: Record<string, any> = manifest.artifacts ?? {};
  const fileAssets: Record<string, { source: { path: string } }> = {};
  for (const artifact of Object.values(artifacts)) {
    if (artifact.type === 'cdk:asset-manifest' && artifact.properties?.file) {
      Object.assign(fileAssets, JSON.parse(readFileSync(join(dir, artifact.properties.file), 'utf8')).files ?? {});
    }
  }
  const stacks: AssemblyStack[] = [];
  for (const [id, artifact] of Object.entries(artifacts)) {
    if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      stacks.push(...readStacks(join(dir, artifact.properties.directoryName)));
    } else if (artifact.type === 'aws:cloudformation:stack') {
      const env = /^aws:\/\/([^/]*)\/(.*)$/.exec(artifact.environment ?? '');
      const concrete = (v: string | undefined) => (v && !v.startsWith('unknown-') ? v : undefined);
      stacks.push({
        id,
        stackName: artifact.properties?.stackName ?? id,
        account: concrete(env?.[1]),
        region: concrete(env?.[2]),
        template: JSON.parse(readFileSync(join(dir, artifact.properties.templateFile), 'utf8')),
        directory: dir,
        fileAssets,
      });
    }
  }
  return stacks;
}

/**
 * Whether `value` (a template fragment) refers to the logical id `id`: by Ref, by Fn::GetAtt, or
 * as `${Id}` or `${Id.Attribute}` in an Fn::Sub string (not `${!Id}`, which is literal text, nor a
 * name the Fn::Sub's own variables define).
 */
export function refersTo(value: unknown, id: string): boolean {
  if (Array.isArray(value)) {
    return value.some((v) => refersTo(v, id));
  }
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    const getAtt = v['Fn::GetAtt'];
    if (v.Ref === id
      || (Array.isArray(getAtt) && getAtt[0] === id)
      || (typeof getAtt === 'string' && getAtt.split('.')[0] === id)
      || subRefersTo(v['Fn::Sub'], id)) {
      return true;
    }
    return Object.values(v).some((x) => refersTo(x, id));
  }
  return false;
}

/** Whether an Fn::Sub's template string names `id` (its variables' values are searched as any fragment). */
function subRefersTo(sub: unknown, id: string): boolean {
  const [template, variables] = Array.isArray(sub) ? sub : [sub, undefined];
  if (typeof template !== 'string') {
    return false;
  }
  const own = (name: string) => variables !== null && typeof variables === 'object' && Object.prototype.hasOwnProperty.call(variables, name);
  return [...template.matchAll(/\$\{([^}]*)\}/g)].some(([, name]) => !name.startsWith('!') && !own(name)
    && (name === id || name.startsWith(`${id}.`)));
}

/** The resource path of an AWS::ApiGateway::Method, from its chain of AWS::ApiGateway::Resource. */
export function resourcePath(resources: Record<string, TemplateResource>, resourceId: unknown): string {
  const parts: string[] = [];
  let ref = (resourceId as { Ref?: string } | undefined)?.Ref;
  while (ref !== undefined && resources[ref]?.Type === 'AWS::ApiGateway::Resource') {
    parts.unshift(resources[ref].Properties!.PathPart);
    ref = resources[ref].Properties!.ParentId?.Ref;
  }
  return `/${parts.join('/')}`;
}
