// Roles of different environments must not accept the same token or assertion. Checked across every
// role of the app (every Stage included) once the app is built: the roles' trust policies and their
// `environment` tags as they will be deployed.
//
// Two Allow statements can admit one caller only if they trust the same identity provider and, for every
// condition key both constrain, some value satisfies both. The check over-approximates on purpose: an
// operator other than plain StringEquals/StringLike, a deploy-time value or a policy variable is taken to
// admit anything, so that an overlap is never missed (fail closed).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html (StringLike: `*`, `?`)
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html (keys AND, values OR)
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html (`aws:RequestTag/<key>` in a trust policy)
import { CfnResource, Stack } from 'aws-cdk-lib';
import { CfnRole } from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { acceptedRisks, resolveCfnRole } from './acceptance';
import { displayValue, hasPolicyVariable, hasTokenMark, patternView } from './iam-string';
import { StackTrustReader } from './stack-reader';
import { globMatches, isIntrinsic, isPlainObject, ProviderKind, SAML_ACTION, toArray, TrustValue, WEB_IDENTITY_ACTION } from './statement';
import { validationMessage } from '../../errors';
import { FederationRisk } from '../federation-risk';
import { resolvedProperties } from '../private/resolved-properties';

/** The tag whose value names a role's environment (`FederatedRole.ENVIRONMENT_TAG_KEY`). */
export const ENVIRONMENT_TAG_KEY = 'environment';

const CHECKED_ROOTS = new WeakSet<IConstruct>();

/**
 * Makes the app fail synth when roles of two environments accept the same token or assertion. Called by
 * FederationGuard and by every FederatedRole with an environment; registered once per construct tree,
 * on its root, whose validation runs after every Stage is built and every Aspect (tags included) applied.
 */
export function checkEnvironmentSeparation(scope: IConstruct): void {
  const root = scope.node.root;
  if (CHECKED_ROOTS.has(root)) return;
  CHECKED_ROOTS.add(root);
  root.node.addValidation({ validate: () => environmentFindings(root).map(message => validationMessage('FederationGuard.CrossEnvironmentTrust', message)) });
}

/** One federating Allow statement, reduced to what decides who it admits. */
interface Admission {
  readonly action: 'oidc' | 'saml';
  /** OIDC: the provider's host (its condition-key prefix); SAML: an identity of the provider. Undefined: unknown. */
  readonly provider?: string;
  /** SAML: the provider's signing certificates, when its metadata is in the app. */
  readonly certificates?: readonly string[];
  /** Lower-cased key to its constraints (each: the operator and the alternatives). */
  readonly conditions: ReadonlyMap<string, ReadonlyArray<{ readonly operator: string; readonly values: readonly TrustValue[] }>>;
  /** Keys as written, for messages. */
  readonly keys: ReadonlyMap<string, string>;
}

interface LabelledRole {
  readonly role: CfnResource;
  readonly path: string;
  readonly environment: string;
  readonly admissions: readonly Admission[];
}

function environmentFindings(root: IConstruct): string[] {
  const roles: LabelledRole[] = [];
  for (const node of root.node.findAll()) {
    if (!CfnResource.isCfnResource(node) || node.cfnResourceType !== CfnRole.CFN_RESOURCE_TYPE_NAME) continue;
    const properties = resolvedProperties(node);
    const environment = environmentOf(properties?.Tags);
    if (environment === undefined) continue;
    const admissions = admissionsOf(node, properties?.AssumeRolePolicyDocument);
    if (admissions.length > 0) roles.push({ role: node, path: outermostPath(node), environment, admissions });
  }
  const findings: string[] = [];
  for (let i = 0; i < roles.length; i++) {
    for (let j = i + 1; j < roles.length; j++) {
      const [a, b] = [roles[i], roles[j]];
      if (a.environment.toLowerCase() === b.environment.toLowerCase()) continue;
      const accepted = (r: LabelledRole) => acceptedRisks(r.role).has(FederationRisk.CROSS_ENVIRONMENT_TRUST);
      if (accepted(a) || accepted(b)) continue;
      const overlap = firstOverlap(a.admissions, b.admissions);
      if (overlap) findings.push(describe(a, b, overlap));
    }
  }
  return findings;
}

/** The `environment` tag's value; a deploy-time value is shown as such (it differs from every label). */
function environmentOf(tags: unknown): string | undefined {
  const tag = toArray(tags).find(t => isPlainObject(t) && t.Key === ENVIRONMENT_TAG_KEY);
  if (!isPlainObject(tag) || tag.Value === undefined) return undefined;
  return typeof tag.Value === 'string' ? tag.Value : `<deploy-time value ${JSON.stringify(tag.Value)}>`;
}

function admissionsOf(role: CfnResource, document: unknown): Admission[] {
  const stack = Stack.of(role);
  const reader = new StackTrustReader(stack);
  const inlined = reader.inlineCfnJson(document);
  if (!isPlainObject(inlined) || isIntrinsic(inlined)) return document === undefined ? [] : [unknownAdmission('oidc'), unknownAdmission('saml')];
  const statements = Array.isArray(inlined.Statement) ? inlined.Statement : [inlined.Statement];
  const admissions: Admission[] = [];
  for (const statement of statements) {
    if (!isPlainObject(statement) || isIntrinsic(statement)) {
      admissions.push(unknownAdmission('oidc'), unknownAdmission('saml'));
      continue;
    }
    if (statement.Effect !== 'Allow') continue;
    const actions = toArray(statement.Action);
    const grants = (action: string) => statement.NotAction !== undefined || actions.some(a => typeof a !== 'string' || globMatches(a, action));
    const conditions = readConditions(statement.Condition, reader);
    const principals = principalValues(statement);
    if (grants(WEB_IDENTITY_ACTION)) {
      for (const value of principals) {
        const info = value === '*' ? undefined : reader.describeFederated(value);
        if (info && info.kind === ProviderKind.SAML) continue;
        const host = info?.kind === ProviderKind.OIDC && info.host !== undefined && !hasTokenMark(info.host) ? info.host : undefined;
        admissions.push({ action: 'oidc', provider: host, ...conditions });
      }
    }
    if (grants(SAML_ACTION)) {
      for (const value of principals) {
        const info = value === '*' ? undefined : reader.describeFederated(value);
        if (info && info.kind === ProviderKind.OIDC) continue;
        admissions.push({ action: 'saml', ...samlProvider(stack, value), ...conditions });
      }
    }
  }
  return admissions;
}

function unknownAdmission(action: 'oidc' | 'saml'): Admission {
  return { action, conditions: new Map(), keys: new Map() };
}

/** The `Federated` principals (`*` for everyone, `NotPrincipal` or a principal that cannot be read). */
function principalValues(statement: Record<string, unknown>): unknown[] {
  const principal = statement.Principal;
  if (statement.NotPrincipal !== undefined || principal === '*' || !isPlainObject(principal) || isIntrinsic(principal)) return ['*'];
  const values: unknown[] = [];
  for (const [type, list] of Object.entries(principal)) {
    for (const value of isPlainObject(list) && isIntrinsic(list) ? [list] : toArray(list)) {
      if (value === '*') values.push('*');
      else if (type === 'Federated') values.push(value);
    }
  }
  return values;
}

function readConditions(condition: unknown, reader: StackTrustReader): Pick<Admission, 'conditions' | 'keys'> {
  const conditions = new Map<string, Array<{ operator: string; values: TrustValue[] }>>();
  const keys = new Map<string, string>();
  // A Condition that cannot be read constrains nothing the check can count on.
  if (!isPlainObject(condition) || isIntrinsic(condition)) return { conditions, keys };
  for (const [operator, block] of Object.entries(condition)) {
    if (!isPlainObject(block) || isIntrinsic(block)) continue;
    for (const [key, values] of Object.entries(block)) {
      const lower = key.toLowerCase();
      keys.set(lower, displayValue(key));
      const list = isPlainObject(values) ? [values] : toArray(values);
      conditions.set(lower, [...(conditions.get(lower) ?? []), { operator, values: list.map(v => reader.readValue(v)) }]);
    }
  }
  return { conditions, keys };
}

/** A SAML provider's identity: its ARN as written, or the provider resource it references, with its certificates. */
function samlProvider(stack: Stack, value: unknown): { provider?: string; certificates?: string[] } {
  if (value === '*') return {};
  if (typeof value === 'string') return hasTokenMark(value) ? {} : { provider: value };
  const getAtt = isPlainObject(value) ? value['Fn::GetAtt'] : undefined;
  const logicalId = isPlainObject(value) && typeof value.Ref === 'string' ? value.Ref : Array.isArray(getAtt) ? getAtt[0] : undefined;
  if (typeof logicalId !== 'string') return { provider: `${stack.node.path}:${JSON.stringify(value)}` };
  const resource = stack.node.findAll()
    .find((c): c is CfnResource => CfnResource.isCfnResource(c) && Stack.of(c) === stack && stack.resolve(c.logicalId) === logicalId);
  const metadata = resource?.cfnResourceType === 'AWS::IAM::SAMLProvider' ? resolvedProperties(resource)?.SamlMetadataDocument : undefined;
  return {
    provider: resource ? outermostOf(resource).node.path : `${stack.node.path}:${logicalId}`,
    certificates: typeof metadata === 'string' ? certificatesOf(metadata) : undefined,
  };
}

/** The construct a resource stands for: the outermost scope whose default child chain leads to it. */
function outermostOf(resource: IConstruct): IConstruct {
  let current = resource;
  while (current.node.scope && !Stack.isStack(current.node.scope) && current.node.scope.node.defaultChild === current) current = current.node.scope;
  return current;
}

/** The X.509 certificates of a SAML metadata document (signing and encryption alike: over-approximated). */
function certificatesOf(xml: string): string[] {
  return [...xml.matchAll(/<(?:[\w.-]+:)?X509Certificate[^>]*>([^<]*)</g)].map(m => m[1].replace(/\s+/g, ''));
}

interface Overlap {
  readonly action: 'oidc' | 'saml';
  readonly provider: string;
  /** The keys both constrain, each with both sides' values, for the message. */
  readonly shared: string[];
}

function firstOverlap(a: readonly Admission[], b: readonly Admission[]): Overlap | undefined {
  for (const x of a) {
    for (const y of b) {
      if (x.action !== y.action || !sameProvider(x, y)) continue;
      const shared: string[] = [];
      let disjoint = false;
      for (const [key, constraints] of x.conditions) {
        const other = y.conditions.get(key);
        if (!other) continue;
        if (!allPairsIntersect([...constraints, ...other])) {
          disjoint = true;
          break;
        }
        shared.push(`'${x.keys.get(key)}' ${describeValues(constraints)} and ${describeValues(other)}`);
      }
      if (!disjoint) {
        const provider = x.provider ?? y.provider ?? 'an identity provider only known at deploy time';
        return { action: x.action, provider, shared };
      }
    }
  }
  return undefined;
}

/** Whether one caller could be admitted by both: the same provider, or (SAML) providers that may share keys. */
function sameProvider(x: Admission, y: Admission): boolean {
  if (x.provider === undefined || y.provider === undefined) return true;
  if (x.provider === y.provider) return true;
  if (x.action === 'oidc') return false;
  // Two SAML providers accept the same assertion only if they trust the same signing key.
  if (!x.certificates || !y.certificates) return true;
  return x.certificates.some(c => y.certificates!.includes(c));
}

/** Pairwise: a caller's value must satisfy every constraint; any pair that cannot both hold proves disjointness. */
function allPairsIntersect(constraints: ReadonlyArray<{ readonly operator: string; readonly values: readonly TrustValue[] }>): boolean {
  const languages = constraints.map(c => languageOf(c.operator, c.values));
  for (let i = 0; i < languages.length; i++) {
    for (let j = i + 1; j < languages.length; j++) {
      const [p, q] = [languages[i], languages[j]];
      if (p === undefined || q === undefined) continue;
      if (!p.some(x => q.some(y => patternsIntersect(x, y)))) return false;
    }
  }
  return true;
}

type Part = { readonly literal: string } | { readonly star: true } | { readonly one: true };

/**
 * The values an operator admits, as alternatives of patterns; undefined when it could admit anything
 * this check does not model (another operator, a set qualifier, a deploy-time value, a policy variable).
 */
function languageOf(operator: string, values: readonly TrustValue[]): Part[][] | undefined {
  const like = operator === 'StringLike';
  if (!like && operator !== 'StringEquals') return undefined;
  const alternatives: Part[][] = [];
  for (const value of values) {
    if (value.deployTime) return undefined;
    for (const text of value.candidates ?? [value.text]) {
      if (hasPolicyVariable(text) || (!value.candidates && hasTokenMark(text))) return undefined;
      alternatives.push(Array.from(patternView(text)).map(c => {
        if (like && c === '*') return { star: true } as Part;
        if (like && c === '?') return { one: true } as Part;
        return { literal: c === '\uE001' ? '*' : c === '\uE002' ? '?' : c };
      }));
    }
  }
  return alternatives;
}

/** Whether some string matches both patterns: a search over pairs of positions (the product of two automata). */
export function patternsIntersect(a: readonly Part[], b: readonly Part[]): boolean {
  const seen = new Set<string>();
  const queue: Array<[number, number]> = [[0, 0]];
  while (queue.length > 0) {
    const [i, j] = queue.pop()!;
    const id = `${i},${j}`;
    if (seen.has(id)) continue;
    seen.add(id);
    if (i === a.length && j === b.length) return true;
    // A `*` may match nothing.
    if (i < a.length && 'star' in a[i]) queue.push([i + 1, j]);
    if (j < b.length && 'star' in b[j]) queue.push([i, j + 1]);
    if (i === a.length || j === b.length) continue;
    const [x, y] = [a[i], b[j]];
    if ('literal' in x && 'literal' in y && x.literal !== y.literal) continue;
    // Both consume one character that suits both; a `*` stays where it is.
    queue.push(['star' in x ? i : i + 1, 'star' in y ? j : j + 1]);
  }
  return false;
}

function describeValues(constraints: ReadonlyArray<{ readonly operator: string; readonly values: readonly TrustValue[] }>): string {
  return constraints.map(c => `${c.operator} ${c.values.map(v => (v.deployTime ? '<deploy-time value>' : `'${displayValue(v.text)}'`)).join(', ')}`).join(' + ');
}

function describe(a: LabelledRole, b: LabelledRole, overlap: Overlap): string {
  const what = overlap.action === 'saml' ? 'assertion' : 'token';
  const compared = overlap.shared.length > 0
    ? `every condition key both test admits a common value (${overlap.shared.join('; ')})`
    : 'neither tests a condition key the other tests, so neither rules out the other\'s callers';
  const fix = overlap.action === 'saml'
    ? "give each environment's role a condition the other's callers cannot meet: the session tag FederatedRole writes for a SAML role with an environment (SamlEnvironmentSeparation.sessionTag(), the default: the IdP sends the PrincipalTag:environment attribute), an issuer per environment where each IdP application has its own (SamlEnvironmentSeparation.issuer(entityId)), or a SAML provider per environment whose IdP application signs with its own key (SamlEnvironmentSeparation.dedicatedProvider())"
    : "give each environment's role a condition the other's callers cannot meet: its own audience, or subjects that name the environment (e.g. Subject.githubEnvironment(repository, 'prod'))";
  return `FederationGuard: [${FederationRisk.CROSS_ENVIRONMENT_TRUST}] role '${a.path}' (environment '${a.environment}') and role '${b.path}' (environment '${b.environment}') `
    + `accept the same ${what}: both trust ${overlap.action === 'saml' ? 'the SAML provider' : 'the OIDC provider'} '${overlap.provider}' and ${compared}; ${fix}. `
    + `If intended, accept it on one of them with FederationGuard.acceptRisk(role, FederationRisk.${FederationRisk.CROSS_ENVIRONMENT_TRUST}, '<reason>').`;
}

/** The construct people know the role by: the outermost one that stands for it. */
function outermostPath(role: CfnResource): string {
  let outermost: IConstruct = role;
  for (let scope = role.node.scope; scope && !Stack.isStack(scope); scope = scope.node.scope) {
    if (resolveCfnRole(scope) === role) outermost = scope;
  }
  return outermost.node.path;
}
