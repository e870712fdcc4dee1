// Which roles of a synthesized cloud assembly STS would let a federated caller assume, and why not.
// Reads the templates' JSON only (no aws-cdk-lib), and shares no code with the FederationGuard.
//
// How STS decides, from IAM's documentation:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
//   an explicit Deny in the trust policy wins; else an Allow is needed; else the request is refused.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
//   web identity keys are named after the provider (`<provider URL without https://>:aud`, `:sub`, `:amr`...);
//   #condition-keys-saml: `SAML:aud` (the assertion's Recipient), `SAML:iss`, `SAML:sub`, `SAML:sub_type`...
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html
//   passing session tags needs `sts:TagSession` in the trust policy as well; the tags are `aws:RequestTag/<key>`,
//   their keys `aws:TagKeys`, transitive ones `sts:TransitiveTagKeys`.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html
//   setting a source identity needs `sts:SetSourceIdentity`; its value is `sts:SourceIdentity`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AssemblyStack, readStacks } from './cloud-assembly';
import { allOf, anyOf, evaluateCondition, globMatch, likePattern, PolicyValue, RequestContext, Tri } from './iam-conditions';

const WEB_IDENTITY_ACTION = 'sts:AssumeRoleWithWebIdentity';
const SAML_ACTION = 'sts:AssumeRoleWithSAML';
const TAG_SESSION_ACTION = 'sts:TagSession';
const SOURCE_IDENTITY_ACTION = 'sts:SetSourceIdentity';
const TAGS_CLAIM = 'https://aws.amazon.com/tags';
const SOURCE_IDENTITY_CLAIM = 'https://aws.amazon.com/source_identity';
/** Web identity providers that IAM names by host instead of by an `oidc-provider/` ARN. */
const BUILT_IN_HOSTS = ['cognito-identity.amazonaws.com', 'accounts.google.com', 'graph.facebook.com', 'www.amazon.com'];

/** A caller of `AssumeRoleWithWebIdentity`: the claims of a token STS has verified. */
export interface WebIdentityCaller {
  readonly kind: 'webIdentity';
  /**
   * The token's claims: `iss` (which names the IAM OIDC provider), `aud`, `sub`, and any other claim
   * the provider's condition keys read (`amr`, `repository`, `job_workflow_ref`...). The
   * `https://aws.amazon.com/tags` claim becomes session tags, `https://aws.amazon.com/source_identity`
   * the source identity, as STS makes them.
   */
  readonly claims: Readonly<Record<string, unknown>>;
  /** The `RoleSessionName` passed to STS (`sts:RoleSessionName`). @default - none */
  readonly roleSessionName?: string;
}

/** A caller of `AssumeRoleWithSAML`: the IAM SAML provider named as `PrincipalArn`, and the assertion. */
export interface SamlCaller {
  readonly kind: 'saml';
  /**
   * The IAM SAML provider: its ARN, or, for a provider synthesized in the assembly, its construct path
   * (e.g. `Prod/Identity/Corp`) or logical id.
   */
  readonly provider: string;
  /**
   * The assertion's values as IAM's `SAML:` keys see them: `aud` (the `Recipient`: the sign-in endpoint
   * or ACS URL it was posted to), `iss`, `sub`, `sub_type`, and other attributes (`eduPersonAffiliation`...).
   */
  readonly attributes: Readonly<Record<string, string | readonly string[]>>;
  /** `https://aws.amazon.com/SAML/Attributes/PrincipalTag:<key>` attributes. @default - none */
  readonly sessionTags?: Readonly<Record<string, string>>;
  /** The `TransitiveTagKeys` attribute. @default - none */
  readonly transitiveTagKeys?: readonly string[];
  /** The `SourceIdentity` attribute. @default - none */
  readonly sourceIdentity?: string;
}

export type TrustCaller = WebIdentityCaller | SamlCaller;

/** A role of the assembly. */
export interface AssemblyRole {
  /** The stack's artifact id and name, e.g. `ProdOrdersApi1234` and `Prod-OrdersApi`. */
  readonly stackId: string;
  readonly stackName: string;
  readonly logicalId: string;
  /** The construct path of the `AWS::IAM::Role` (from `aws:cdk:path` metadata), when the app wrote it. */
  readonly path?: string;
  /** `RoleName`, when it is a literal. */
  readonly roleName?: string;
  /** The value of the role's `environment` tag, when it has one. */
  readonly environment?: string;
  /** `AssumeRolePolicyDocument`, as synthesized. */
  readonly trustPolicy: unknown;
}

/** STS's answer for one role. */
export interface TrustDecision {
  readonly role: AssemblyRole;
  /** `unknown` when part of the trust is only known at deploy time: the simulator says so instead of guessing. */
  readonly decision: 'allowed' | 'refused' | 'unknown';
  /** For a refusal: each statement and the condition that failed; for `unknown`: what could not be read. */
  readonly reasons: readonly string[];
}

/**
 * Answers which roles of a synthesized cloud assembly STS would let a federated caller assume (any
 * `AWS::IAM::Role` of any stack, nested stages included, not only this library's), and for each
 * refusal which condition failed. It evaluates the trust policy as IAM documents it: the provider
 * in `Principal`, `Action`/`NotAction`, every condition operator on strings (with `*`/`?`, policy
 * variables and their escapes), `...IfExists`, `Null`, `ForAnyValue:`/`ForAllValues:`, missing keys,
 * several statements, `Deny`, and `sts:TagSession`/`sts:SetSourceIdentity` when the caller brings
 * session tags or a source identity. A value only known at deploy time (a parameter, an import)
 * makes the answer `unknown`, never a guess.
 *
 * ```ts
 * const sts = TrustSimulator.fromCloudAssembly(app.synth().directory);
 * const staging = { kind: 'webIdentity', claims: { iss: 'https://token.actions.githubusercontent.com', aud: 'sts.amazonaws.com', sub: 'repo:acme/app:environment:staging' } } as const;
 * expect(sts.evaluate(staging, 'Prod/Deploy').decision).toBe('refused');
 * ```
 */
export class TrustSimulator {
  /** Reads every role of the cloud assembly in `dir` (e.g. `app.synth().directory`, or `cdk.out`). */
  public static fromCloudAssembly(dir: string): TrustSimulator {
    return new TrustSimulator(readStacks(dir));
  }

  /** Every `AWS::IAM::Role` of the assembly. */
  public readonly roles: readonly AssemblyRole[];
  private readonly stacks = new Map<string, AssemblyStack>();
  private readonly paths = new Map<string, Map<string, string>>();

  private constructor(stacks: AssemblyStack[]) {
    const roles: AssemblyRole[] = [];
    for (const stack of stacks) {
      this.stacks.set(stack.id, stack);
      const paths = constructPaths(stack);
      this.paths.set(stack.id, paths);
      for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
        if (resource.Type !== 'AWS::IAM::Role') continue;
        const props = resource.Properties ?? {};
        const tags: unknown[] = Array.isArray(props.Tags) ? props.Tags : [];
        const environment = tags.map(t => t as { Key?: unknown; Value?: unknown }).find(t => t.Key === 'environment')?.Value;
        const path = (resource as { Metadata?: Record<string, unknown> }).Metadata?.['aws:cdk:path'] ?? paths.get(logicalId);
        roles.push({
          stackId: stack.id,
          stackName: stack.stackName,
          logicalId,
          path: typeof path === 'string' ? path : undefined,
          roleName: typeof props.RoleName === 'string' ? props.RoleName : undefined,
          environment: typeof environment === 'string' ? environment : undefined,
          trustPolicy: props.AssumeRolePolicyDocument,
        });
      }
    }
    this.roles = roles;
  }

  /**
   * One role: by the construct path of the role or of a construct that holds it (`Prod/OrdersApi/Deploy`
   * finds `Prod/OrdersApi/Deploy/Resource/Resource`), by logical id, by role name, or by ARN.
   * Throws if none or several match.
   */
  public role(id: string): AssemblyRole {
    const name = /^arn:[^:]+:iam::\d*:role\/(?:.*\/)?([^/]+)$/.exec(id)?.[1];
    const found = this.roles.filter(r => r.path === id || r.path?.startsWith(`${id}/`) || r.logicalId === id || (r.roleName !== undefined && (r.roleName === id || r.roleName === name)));
    const exact = found.filter(r => r.path === id || r.logicalId === id || r.roleName === id || r.roleName === name);
    const chosen = exact.length === 1 ? exact : found;
    if (chosen.length !== 1) {
      const known = this.roles.map(r => r.path ?? `${r.stackName}/${r.logicalId}`).join(', ');
      throw new Error(`TrustSimulator: ${chosen.length === 0 ? 'no role' : 'several roles'} of the assembly match '${id}'; pass a construct path, logical id, role name or ARN of one of: ${known}`);
    }
    return chosen[0];
  }

  /** STS's answer for `caller` on one role (a role, or what `role(id)` takes). */
  public evaluate(caller: TrustCaller, role: AssemblyRole | string): TrustDecision {
    const target = typeof role === 'string' ? this.role(role) : role;
    const stack = this.stacks.get(target.stackId)!;
    return evaluateTrust(target, new TemplateReader(stack, this.paths.get(target.stackId)!), caller);
  }

  /** STS's answer for `caller` on every role of the assembly. */
  public evaluateAll(caller: TrustCaller): TrustDecision[] {
    return this.roles.map(role => this.evaluate(caller, role));
  }

  /** The roles STS would let `caller` assume (`unknown` answers are not among them). */
  public assumableRoles(caller: TrustCaller): AssemblyRole[] {
    return this.evaluateAll(caller).filter(d => d.decision === 'allowed').map(d => d.role);
  }
}

/**
 * The construct path of each logical id, from the stack's metadata in the manifest (inline, or in its
 * `additionalMetadataFile`): written whether or not the template carries `aws:cdk:path` metadata.
 */
function constructPaths(stack: AssemblyStack): Map<string, string> {
  const paths = new Map<string, string>();
  try {
    const artifact = JSON.parse(readFileSync(join(stack.directory, 'manifest.json'), 'utf8')).artifacts?.[stack.id] ?? {};
    const file = artifact.additionalMetadataFile;
    const metadata: Record<string, unknown> = { ...artifact.metadata, ...(typeof file === 'string' ? JSON.parse(readFileSync(join(stack.directory, file), 'utf8')) : {}) };
    for (const [path, entries] of Object.entries(metadata)) {
      for (const entry of Array.isArray(entries) ? entries : []) {
        if (entry?.type === 'aws:cdk:logicalId' && typeof entry.data === 'string') paths.set(entry.data, path.replace(/^\//, ''));
      }
    }
  } catch {
    // No readable metadata: roles are then found by logical id, role name or ARN.
  }
  return paths;
}

/** The actions STS authorizes for the caller's request: the federation action, and what the caller brings. */
function requiredActions(caller: TrustCaller, context: RequestContext): string[] {
  const actions = [caller.kind === 'saml' ? SAML_ACTION : WEB_IDENTITY_ACTION];
  if (context.has('aws:tagkeys')) actions.push(TAG_SESSION_ACTION);
  if (context.has('sts:sourceidentity')) actions.push(SOURCE_IDENTITY_ACTION);
  return actions;
}

function evaluateTrust(role: AssemblyRole, reader: TemplateReader, caller: TrustCaller): TrustDecision {
  const statements = statementsOf(role.trustPolicy);
  if (statements === undefined) {
    return { role, decision: 'unknown', reasons: ['its trust policy is only known at deploy time (an intrinsic function)'] };
  }
  let context: RequestContext;
  try {
    context = requestContext(caller);
  } catch (err) {
    return { role, decision: 'refused', reasons: [(err as Error).message] };
  }
  const reasons: string[] = [];
  const results: Tri[] = [];
  for (const action of requiredActions(caller, context)) {
    const allows: Tri[] = [];
    const denies: Tri[] = [];
    statements.forEach((statement, index) => {
      const effect = statement.Effect;
      if (effect !== 'Allow' && effect !== 'Deny') return;
      const { result, reason } = statementApplies(statement, action, caller, context, reader);
      (effect === 'Allow' ? allows : denies).push(result);
      if (effect === 'Allow' && result !== true && reason) reasons.push(`statement ${index + 1} (Allow) does not grant ${action}: ${reason}`);
      if (effect === 'Deny' && result !== false) reasons.push(`statement ${index + 1} (Deny) ${result ? 'denies' : 'may deny'} ${action}${reason ? `: ${reason}` : ''}`);
    });
    const denied = anyOf(denies);
    const allowed = anyOf(allows);
    if (allows.length === 0) reasons.push(`no Allow statement grants ${action}`);
    results.push(allOf([denied === undefined ? undefined : !denied, allowed]));
  }
  const result = allOf(results);
  return { role, decision: result === true ? 'allowed' : result === false ? 'refused' : 'unknown', reasons: result === true ? [] : [...new Set(reasons)] };
}

interface Statement {
  readonly Effect?: unknown;
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
  readonly Condition?: unknown;
}

function statementsOf(document: unknown): Statement[] | undefined {
  if (!isObject(document) || isIntrinsic(document)) return undefined;
  const raw = document.Statement;
  if (isObject(raw) && isIntrinsic(raw)) return undefined;
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  if (list.some(s => !isObject(s) || isIntrinsic(s))) return undefined;
  return list as Statement[];
}

interface Applies {
  readonly result: Tri;
  readonly reason?: string;
}

function statementApplies(statement: Statement, action: string, caller: TrustCaller, context: RequestContext, reader: TemplateReader): Applies {
  const actionMatch = actionMatches(statement, action, reader);
  if (actionMatch === false) return { result: false, reason: `its ${statement.NotAction !== undefined ? 'NotAction' : 'Action'} does not cover ${action}` };
  const principal = principalMatches(statement, caller, reader);
  if (principal.result === false) return principal;
  const condition = conditionOf(statement.Condition, reader);
  if (condition === undefined) return { result: allOf([actionMatch, principal.result, undefined]), reason: 'its Condition is only known at deploy time' };
  const outcome = evaluateCondition(condition, context);
  if (outcome.result === false) return outcome;
  const result = allOf([actionMatch, principal.result, outcome.result]);
  const reason = actionMatch === undefined ? 'its Action is only known at deploy time' : principal.reason ?? outcome.reason;
  return { result, reason };
}

function actionMatches(statement: Statement, action: string, reader: TemplateReader): Tri {
  const negated = statement.NotAction !== undefined;
  const values = toList(negated ? statement.NotAction : statement.Action).map(v => reader.read(v).text);
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html: case-insensitive, with wildcards.
  const matches = anyOf(values.map(v => (v === undefined ? undefined : globMatch(action.toLowerCase(), likePattern(v.toLowerCase())))));
  if (matches === undefined) return undefined;
  return negated ? !matches : matches;
}

/** Whether the statement's principal is the caller's identity provider. */
function principalMatches(statement: Statement, caller: TrustCaller, reader: TemplateReader): Applies {
  const negated = statement.NotPrincipal !== undefined;
  const principal = negated ? statement.NotPrincipal : statement.Principal;
  let result: Tri;
  const named: string[] = [];
  if (principal === '*') {
    result = true;
  } else if (!isObject(principal) || isIntrinsic(principal)) {
    return { result: undefined, reason: 'its Principal is only known at deploy time' };
  } else {
    const matches: Tri[] = [];
    for (const [type, values] of Object.entries(principal)) {
      for (const value of toList(values)) {
        if (type === 'AWS' && value === '*') {
          // Whether `AWS: *` covers a federated caller without AWS credentials is not documented: neither reading is assumed.
          matches.push(undefined);
          continue;
        }
        if (type !== 'Federated') continue;
        const provider = reader.provider(value);
        named.push(provider.display);
        matches.push(providerIs(provider, caller));
      }
    }
    result = anyOf(matches);
  }
  if (negated) result = result === undefined ? undefined : !result;
  if (result === true) return { result };
  const who = caller.kind === 'saml' ? `the SAML provider '${caller.provider}'` : `the OIDC provider of '${String(caller.claims.iss)}'`;
  return {
    result,
    reason: result === false
      ? `its ${negated ? 'NotPrincipal names' : 'principal is not'} ${who}${named.length > 0 && !negated ? ` (it names ${named.join(', ')})` : ''}`
      : `its principal ${named.join(', ') || 'AWS: *'} cannot be matched to ${who} at synth`,
  };
}

function providerIs(provider: ProviderRef, caller: TrustCaller): Tri {
  if (provider.any) return true;
  if (caller.kind === 'webIdentity') {
    if (provider.kind === 'saml') return false;
    if (provider.url === undefined) return undefined;
    return provider.url === providerUrl(caller.claims.iss);
  }
  if (provider.kind === 'oidc') return false;
  const wanted = caller.provider;
  if (provider.arn !== undefined && provider.arn === wanted) return true;
  if (provider.logicalId !== undefined && (provider.logicalId === wanted || (provider.path !== undefined && (provider.path === wanted || provider.path.startsWith(`${wanted}/`))))) return true;
  if (provider.arn === undefined && wanted.startsWith('arn:')) return undefined;
  return false;
}

/** IAM names an OIDC provider after its URL without `https://`; the host is compared case-insensitively. */
function providerUrl(issuer: unknown): string | undefined {
  if (typeof issuer !== 'string') return undefined;
  const bare = issuer.replace(/^https:\/\//i, '');
  const slash = bare.indexOf('/');
  return slash < 0 ? bare.toLowerCase() : bare.slice(0, slash).toLowerCase() + bare.slice(slash);
}

/** The request context STS builds from the caller. */
function requestContext(caller: TrustCaller): RequestContext {
  const context = new Map<string, string[]>();
  const put = (key: string, value: unknown) => {
    const values = (Array.isArray(value) ? value : [value]).filter(v => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean').map(String);
    if (values.length > 0) context.set(key.toLowerCase(), values);
  };
  let tags: Record<string, string> = {};
  let transitive: readonly string[] = [];
  if (caller.kind === 'webIdentity') {
    const url = providerUrl(caller.claims.iss);
    if (url === undefined) throw new Error("the caller's claims have no 'iss', so no OIDC provider can be named");
    for (const [claim, value] of Object.entries(caller.claims)) {
      if (claim === TAGS_CLAIM || claim === SOURCE_IDENTITY_CLAIM || claim === 'iss') continue;
      put(`${url}:${claim}`, value);
    }
    ({ tags, transitive } = tagsClaim(caller.claims[TAGS_CLAIM]));
    put('sts:SourceIdentity', caller.claims[SOURCE_IDENTITY_CLAIM]);
    put('sts:RoleSessionName', caller.roleSessionName);
  } else {
    for (const [attribute, value] of Object.entries(caller.attributes)) put(`SAML:${attribute}`, value);
    tags = { ...caller.sessionTags };
    transitive = caller.transitiveTagKeys ?? [];
    put('sts:SourceIdentity', caller.sourceIdentity);
  }
  for (const [key, value] of Object.entries(tags)) put(`aws:RequestTag/${key}`, value);
  put('aws:TagKeys', Object.keys(tags));
  put('sts:TransitiveTagKeys', [...transitive]);
  return context;
}

/** The `https://aws.amazon.com/tags` claim: `principal_tags` (each a one-element list) and `transitive_tag_keys`. */
function tagsClaim(claim: unknown): { tags: Record<string, string>; transitive: readonly string[] } {
  if (claim === undefined) return { tags: {}, transitive: [] };
  if (!isObject(claim)) throw new Error(`the '${TAGS_CLAIM}' claim is not an object, and STS refuses such a token`);
  const tags: Record<string, string> = {};
  const principalTags = claim.principal_tags;
  if (isObject(principalTags)) {
    for (const [key, value] of Object.entries(principalTags)) {
      const list = Array.isArray(value) ? value : [value];
      if (list.length !== 1 || typeof list[0] !== 'string') throw new Error(`the session tag '${key}' does not have exactly one string value, and STS refuses such a token`);
      tags[key] = list[0];
    }
  }
  const keys = claim.transitive_tag_keys;
  return { tags, transitive: Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : [] };
}

/** A `Federated` principal, as far as the template tells. */
interface ProviderRef {
  readonly kind: 'oidc' | 'saml' | 'unknown';
  readonly any?: boolean;
  /** OIDC: the provider's URL without `https://`, host lower-cased. */
  readonly url?: string;
  /** SAML: the ARN, when it can be told at synth. */
  readonly arn?: string;
  /** A provider synthesized in the same stack. */
  readonly logicalId?: string;
  readonly path?: string;
  readonly display: string;
}

/** Reads template values of one stack: pseudo parameters of a known environment, joins, mappings, references. */
class TemplateReader {
  private readonly template: {
    Resources?: Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }>;
    Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  };

  constructor(private readonly stack: AssemblyStack, private readonly paths: ReadonlyMap<string, string>) {
    this.template = stack.template as TemplateReader['template'];
  }

  /** A value as text; `undefined` text when it is only known at deploy time. */
  public read(value: unknown): PolicyValue {
    const text = this.text(value);
    return { text, display: text ?? `a deploy-time value ${JSON.stringify(value)}` };
  }

  public provider(value: unknown): ProviderRef {
    const logicalId = referencedId(value);
    const resource = logicalId === undefined ? undefined : this.template.Resources?.[logicalId];
    const written = resource?.Metadata?.['aws:cdk:path'];
    const path = typeof written === 'string' ? written : logicalId === undefined ? undefined : this.paths.get(logicalId);
    const display = `'${path ?? logicalId ?? JSON.stringify(value)}'`;
    if (resource?.Type === 'AWS::IAM::SAMLProvider') return { kind: 'saml', arn: this.text(value), logicalId, path, display };
    if (resource?.Type === 'AWS::IAM::OIDCProvider' || resource?.Type === 'Custom::AWSCDKOpenIdConnectProvider') {
      const url = this.text(resource.Properties?.Url);
      return { kind: 'oidc', url: url === undefined ? undefined : providerUrl(url), logicalId, path, display };
    }
    const text = this.text(value);
    return text === undefined ? { kind: 'unknown', display } : providerFromText(text);
  }

  private text(value: unknown): string | undefined {
    if (typeof value === 'string') return value;
    // IAM reads `true` and `1` in a policy as the strings "true" and "1".
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (!isObject(value) || Object.keys(value).length !== 1) return undefined;
    if (typeof value.Ref === 'string') return this.ref(value.Ref);
    const joined = value['Fn::Join'];
    if (Array.isArray(joined) && typeof joined[0] === 'string' && Array.isArray(joined[1])) {
      const parts = joined[1].map(p => this.text(p));
      return parts.every(p => p !== undefined) ? parts.join(joined[0]) : undefined;
    }
    const findInMap = value['Fn::FindInMap'];
    if (Array.isArray(findInMap)) {
      const [name, top, second] = findInMap.map(p => this.text(p));
      const cell = name && top && second ? this.template.Mappings?.[name]?.[top]?.[second] : undefined;
      return typeof cell === 'string' ? cell : undefined;
    }
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt) && getAtt[1] === 'Arn' && typeof getAtt[0] === 'string') return this.providerArn(getAtt[0]);
    return undefined;
  }

  /** Pseudo parameters of the stack's environment, and the ARN a provider's `Ref` returns when it is literal. */
  private ref(name: string): string | undefined {
    const region = this.stack.region;
    const partition = region === undefined ? undefined : region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
    switch (name) {
      case 'AWS::AccountId': return this.stack.account;
      case 'AWS::Region': return region;
      case 'AWS::Partition': return partition;
      case 'AWS::URLSuffix': return partition === undefined ? undefined : partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
      default: return this.providerArn(name);
    }
  }

  private providerArn(logicalId: string): string | undefined {
    const resource = this.template.Resources?.[logicalId];
    const partition = this.ref('AWS::Partition');
    const account = this.stack.account;
    if (!resource || partition === undefined || account === undefined) return undefined;
    if (resource.Type === 'AWS::IAM::SAMLProvider') {
      const name = this.text(resource.Properties?.Name);
      return name === undefined ? undefined : `arn:${partition}:iam::${account}:saml-provider/${name}`;
    }
    if (resource.Type === 'AWS::IAM::OIDCProvider' || resource.Type === 'Custom::AWSCDKOpenIdConnectProvider') {
      const url = this.text(resource.Properties?.Url);
      return url === undefined ? undefined : `arn:${partition}:iam::${account}:oidc-provider/${url.replace(/^https:\/\//i, '')}`;
    }
    return undefined;
  }
}

function conditionOf(condition: unknown, reader: TemplateReader): Record<string, Record<string, PolicyValue[]>> | undefined {
  if (condition === undefined) return {};
  if (!isObject(condition) || isIntrinsic(condition)) return undefined;
  const result: Record<string, Record<string, PolicyValue[]>> = {};
  for (const [operator, block] of Object.entries(condition)) {
    if (!isObject(block) || isIntrinsic(block)) return undefined;
    result[operator] = {};
    for (const [key, values] of Object.entries(block)) {
      // A condition key is case-insensitive; two spellings of one key under one operator both apply.
      const list = toList(values).map(v => reader.read(v));
      result[operator][key] = [...(result[operator][key] ?? []), ...list];
    }
  }
  return result;
}

function providerFromText(text: string): ProviderRef {
  if (text === '*') return { kind: 'unknown', any: true, display: "'*'" };
  const oidc = /:oidc-provider\/(.+)$/.exec(text);
  if (oidc) return { kind: 'oidc', url: providerUrl(oidc[1]), arn: text, display: `'${text}'` };
  if (/:saml-provider\//.test(text)) return { kind: 'saml', arn: text, display: `'${text}'` };
  if (BUILT_IN_HOSTS.includes(text.toLowerCase())) return { kind: 'oidc', url: text.toLowerCase(), display: `'${text}'` };
  return { kind: 'unknown', display: `'${text}'` };
}

function referencedId(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  if (typeof value.Ref === 'string') return value.Ref;
  const getAtt = value['Fn::GetAtt'];
  return Array.isArray(getAtt) && typeof getAtt[0] === 'string' ? getAtt[0] : undefined;
}

function toList(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isIntrinsic(value: Record<string, unknown>): boolean {
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}
