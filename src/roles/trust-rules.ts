// The checks shared by FederationGuard (on any resolved trust policy) and FederatedRole (on itself).
// Not part of the public API: nothing here is exported from src/index.ts.
import { IConstruct } from 'constructs';
import { FederationRisk } from './federation-risk';

/**
 * Providers that a FederatedRole already knows, keyed by the CfnRole that trusts them and then by
 * the provider ARN's resolved JSON, so that FederationGuard learns an issuer's subject prefix even
 * when the provider is imported.
 */
export const KNOWN_PROVIDERS = new WeakMap<IConstruct, Map<string, ProviderInfo>>();

/** One loose spot in a trust policy: what it risks, what is wrong and how to fix it. */
export interface Finding {
  readonly risk: FederationRisk;
  /** Reads after "the role's trust policy ...": what is wrong, then how to fix it. */
  readonly message: string;
}

/** What the fixed beginning of an issuer's `sub` values looks like. */
export interface SubjectScheme {
  /** Who issues these subjects, for messages. */
  readonly issuer: string;
  /** The literal start of every `sub`, e.g. `repo:`. */
  readonly prefix: string;
  /**
   * Whether the prefix is followed by an owner path that ends at the next `:`, and which must be
   * literal (`repo:<owner>/<name>:`); otherwise only the prefix itself and one character more are fixed.
   */
  readonly ownerPath: boolean;
  /** The fixed prefix, spelled for humans. */
  readonly fixedPrefix: string;
  /** A tight subject to suggest in messages. */
  readonly example: string;
}

const GITHUB_HOST = 'token.actions.githubusercontent.com';

/** GitHub Actions, with GitHub's default subject template. */
export const GITHUB_SUBJECTS: SubjectScheme = {
  issuer: 'GitHub Actions',
  prefix: 'repo:',
  ownerPath: true,
  fixedPrefix: 'repo:<owner>/<repository>:',
  example: 'repo:<owner>/<repository>:environment:<name>',
};

const KNOWN_SCHEMES: SubjectScheme[] = [
  GITHUB_SUBJECTS,
  {
    issuer: 'GitLab',
    prefix: 'project_path:',
    ownerPath: true,
    fixedPrefix: 'project_path:<group>/<project>:',
    example: 'project_path:<group>/<project>:ref_type:branch:ref:main',
  },
  {
    issuer: 'HCP Terraform',
    prefix: 'organization:',
    ownerPath: true,
    fixedPrefix: 'organization:<organization>:',
    example: 'organization:<organization>:project:<project>:workspace:<workspace>:run_phase:apply',
  },
];

const SCHEME_BY_HOST: Record<string, SubjectScheme> = {
  'gitlab.com': KNOWN_SCHEMES[1],
  'app.terraform.io': KNOWN_SCHEMES[2],
};

/** The scheme of an issuer, from the subject prefix it declares or else from its host. */
export function subjectSchemeFor(host?: string, subjectPrefix?: string): SubjectScheme | undefined {
  if (subjectPrefix) {
    return KNOWN_SCHEMES.find(s => s.prefix === subjectPrefix) ?? {
      issuer: 'this issuer',
      prefix: subjectPrefix,
      ownerPath: false,
      fixedPrefix: subjectPrefix,
      example: `${subjectPrefix}<subject>`,
    };
  }
  if (!host) return undefined;
  if (host === GITHUB_HOST || host.startsWith(`${GITHUB_HOST}/`)) return GITHUB_SUBJECTS;
  return SCHEME_BY_HOST[host];
}

/** Whether the issuer behind this host (or subject prefix) is GitHub Actions. */
export function isGitHubActions(host?: string, subjectPrefix?: string): boolean {
  return subjectSchemeFor(host, subjectPrefix) === GITHUB_SUBJECTS;
}

/** Index of the first IAM `StringLike` wildcard (`*` or `?`), or -1. */
export function firstWildcard(value: string): number {
  return value.search(/[*?]/);
}

/** Whether a `StringLike` value matches anything at all. */
export function isWildcardOnly(value: string): boolean {
  return /^[*?]+$/.test(value);
}

/**
 * Classifies a `StringLike` subject value: undefined when its wildcards all sit after the fixed
 * prefix, else the risk it carries.
 *
 * - only wildcards: `WILDCARD_SUBJECT`, whatever the issuer;
 * - known owner-path schemes (GitHub `repo:<owner>/<name>:`, GitLab `project_path:<group>/<project>:`,
 *   HCP Terraform `organization:<org>:`): the prefix and the owner path up to the next `:` must be
 *   literal; a wildcard after a literal `<owner>/` is `ANY_REPOSITORY_OF_OWNER`, any earlier one
 *   `WILDCARD_SUBJECT`;
 * - other issuers that declare a subject prefix: the prefix and at least one more character must be literal;
 * - issuers without a known prefix: only wildcard-only values are refused.
 */
export function classifySubjectPattern(value: string, scheme?: SubjectScheme): FederationRisk | undefined {
  const wildcard = firstWildcard(value);
  if (wildcard < 0) return undefined;
  if (isWildcardOnly(value)) return FederationRisk.WILDCARD_SUBJECT;
  if (!scheme) return undefined;
  if (!value.startsWith(scheme.prefix) || wildcard <= scheme.prefix.length) return FederationRisk.WILDCARD_SUBJECT;
  if (!scheme.ownerPath) return undefined;

  const rest = value.slice(scheme.prefix.length);
  const restWildcard = wildcard - scheme.prefix.length;
  const colon = rest.indexOf(':');
  if (colon > 0 && colon < restWildcard) return undefined;
  const slash = rest.indexOf('/');
  if (slash > 0 && slash < restWildcard && (colon < 0 || slash < colon)) return FederationRisk.ANY_REPOSITORY_OF_OWNER;
  return FederationRisk.WILDCARD_SUBJECT;
}

/** Explains a subject classification; `key` is the condition key, e.g. `token.actions.githubusercontent.com:sub`. */
export function describeSubjectRisk(risk: FederationRisk, key: string, value: string, scheme?: SubjectScheme): string {
  if (risk === FederationRisk.ANY_REPOSITORY_OF_OWNER) {
    return `matches '${key}' against '${value}', which has a wildcard inside the owner path of '${scheme?.fixedPrefix}', so every present and future repository of that owner can assume the role; name the repository literally (e.g. '${scheme?.example}')`;
  }
  if (isWildcardOnly(value) || !scheme) {
    return `matches '${key}' against '${value}', which matches every subject of the provider; name the subjects (exactly, or with a wildcard only after their fixed part)`;
  }
  return `matches '${key}' against '${value}', which puts a wildcard before the end of the fixed prefix '${scheme.fixedPrefix}', so ${scheme.issuer} identities of other owners can match it; spell the prefix out literally (e.g. '${scheme.example}')`;
}

// --- Trust policy analysis (resolved CloudFormation JSON) ---

/** What a `Federated` principal value turned out to be. */
export enum ProviderKind {
  OIDC = 'OIDC',
  SAML = 'SAML',
  /** `Federated: *`. */
  ANY = 'ANY',
  /** An unresolvable token: could be either. */
  UNKNOWN = 'UNKNOWN',
}

/** A `Federated` principal, as far as it can be known at synth time. */
export interface ProviderInfo {
  readonly kind: ProviderKind;
  /** The provider's condition-key prefix, lower-cased (e.g. `token.actions.githubusercontent.com`). */
  readonly host?: string;
  /** The fixed prefix of the provider's subjects, when its issuer declares one. */
  readonly subjectPrefix?: string;
}

/** Stands in for an unresolvable token inside a joined string (a private-use character, valid in JSON). */
export const TOKEN_MARK = '\uE000';

/** Web identity providers that IAM names by host instead of by provider ARN. */
const WEB_IDENTITY_HOSTS = ['cognito-identity.amazonaws.com', 'accounts.google.com', 'graph.facebook.com', 'www.amazon.com'];
const AUDIENCE_CLAIMS_BY_HOST: Record<string, string[]> = {
  'accounts.google.com': ['aud', 'oaud', 'azp'],
  'graph.facebook.com': ['app_id'],
  'www.amazon.com': ['app_id'],
};
const SUBJECT_CLAIMS_BY_HOST: Record<string, string[]> = {
  'graph.facebook.com': ['id'],
  'www.amazon.com': ['user_id'],
};
const ANY_AUDIENCE_CLAIMS = ['aud', 'oaud', 'azp', 'app_id'];
const ANY_SUBJECT_CLAIMS = ['sub', 'id', 'user_id'];
/** The one multi-valued OIDC condition key; `ForAnyValue:` is right on it. */
const MULTI_VALUED_OIDC_CLAIMS = ['amr'];
/** SAML keys that hold one value per assertion. */
const SINGLE_VALUED_SAML_KEYS = ['saml:aud', 'saml:sub', 'saml:sub_type', 'saml:iss', 'saml:namequalifier', 'saml:doc'];

const WEB_IDENTITY_ACTION = 'sts:AssumeRoleWithWebIdentity';
const SAML_ACTION = 'sts:AssumeRoleWithSAML';

/** Reads a `Federated` principal that is a plain string (an ARN, a host or `*`). */
export function describeFederatedString(value: string): ProviderInfo {
  if (value === '*') return { kind: ProviderKind.ANY };
  const lower = value.toLowerCase();
  const oidc = lower.indexOf(':oidc-provider/');
  if (oidc >= 0) {
    const host = lower.slice(oidc + ':oidc-provider/'.length);
    return { kind: ProviderKind.OIDC, host: host && !host.includes(TOKEN_MARK) ? host : undefined };
  }
  if (lower.includes(':saml-provider/')) return { kind: ProviderKind.SAML };
  if (WEB_IDENTITY_HOSTS.includes(lower)) return { kind: ProviderKind.OIDC, host: lower };
  return { kind: ProviderKind.UNKNOWN };
}

/**
 * Flattens an `Fn::Join` of literal strings and tokens into one string, tokens replaced by
 * `TOKEN_MARK`; undefined when the value is not an `Fn::Join`.
 */
export function flattenJoin(value: unknown): string | undefined {
  if (!isPlainObject(value) || Object.keys(value).length !== 1 || !Array.isArray(value['Fn::Join'])) return undefined;
  const [separator, parts] = value['Fn::Join'] as unknown[];
  if (typeof separator !== 'string' || !Array.isArray(parts)) return undefined;
  return parts.map(part => typeof part === 'string' ? part : flattenJoin(part) ?? TOKEN_MARK).join(separator);
}

/** How the analysis learns what the `Federated` principals are. */
export interface TrustContext {
  describeFederated(value: unknown): ProviderInfo;
}

interface ConditionEntry {
  /** The operator as written, e.g. `ForAnyValue:StringLike`. */
  readonly operator: string;
  /** `ForAllValues` or `ForAnyValue`, when present. */
  readonly setQualifier?: string;
  /** The operator without its set qualifier, e.g. `StringLike`. */
  readonly baseOperator: string;
  /** The key as written, a token shown as `<token>`. */
  readonly key: string;
  /** The lower-cased part before the last `:` (`token.actions.githubusercontent.com`, `saml`, `aws`). */
  readonly namespace: string;
  /** The lower-cased part after the last `:` (`sub`). */
  readonly claim: string;
  readonly values: unknown[];
}

interface ParsedConditions {
  readonly entries: ConditionEntry[];
  /** True when some part of the Condition is an intrinsic function that cannot be looked into. */
  readonly opaque: boolean;
}

/**
 * Checks every `Allow` statement of a resolved trust policy document that federates OIDC or SAML
 * identities. Returns the findings, without duplicates, in statement order.
 */
export function analyzeTrustPolicy(document: unknown, context: TrustContext): Finding[] {
  const statements = isPlainObject(document) ? toArray(document.Statement) : [];
  const findings: Finding[] = [];
  statements.forEach(statement => {
    if (isPlainObject(statement) && statement.Effect === 'Allow') findings.push(...analyzeStatement(statement, context));
  });
  const seen = new Set<string>();
  return findings.filter(f => {
    const id = `${f.risk}|${f.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

function analyzeStatement(statement: Record<string, unknown>, context: TrustContext): Finding[] {
  const actions = toArray(statement.Action).filter(isString);
  const notActions = toArray(statement.NotAction).filter(isString);
  const grants = (action: string) => statement.NotAction !== undefined
    ? !notActions.some(pattern => globMatches(pattern, action))
    : actions.some(pattern => globMatches(pattern, action));
  const grantsWebIdentity = grants(WEB_IDENTITY_ACTION);
  const grantsSaml = grants(SAML_ACTION);
  const namesAction = (action: string) => actions.some(a => a.toLowerCase() === action.toLowerCase());

  let isPublic = statement.NotPrincipal !== undefined;
  const federated: ProviderInfo[] = [];
  const principal = statement.Principal;
  if (principal === '*') {
    isPublic = true;
  } else if (isPlainObject(principal)) {
    for (const [type, values] of Object.entries(principal)) {
      for (const value of toArray(values)) {
        if (value === '*') isPublic = true;
        if (type === 'Federated') federated.push(context.describeFederated(value));
      }
    }
  }

  const findings: Finding[] = [];
  if (isPublic && (grantsWebIdentity || grantsSaml)) {
    const granted = [grantsWebIdentity ? WEB_IDENTITY_ACTION : undefined, grantsSaml ? SAML_ACTION : undefined].filter(isString);
    findings.push({
      risk: FederationRisk.PUBLIC_PRINCIPAL,
      message: `grants ${granted.join(' and ')} to everyone ('*', 'AWS: *', 'Federated: *' or a NotPrincipal); name the identity provider's ARN as the only Federated principal`,
    });
  }

  const oidcProviders = federated.filter(p => p.kind === ProviderKind.OIDC);
  const hasUnknown = federated.some(p => p.kind === ProviderKind.UNKNOWN);
  const hasSaml = federated.some(p => p.kind === ProviderKind.SAML);
  const isOidc = oidcProviders.length > 0 || namesAction(WEB_IDENTITY_ACTION) || (grantsWebIdentity && hasUnknown && !hasSaml);
  const isSaml = hasSaml || namesAction(SAML_ACTION);
  if (!isOidc && !isSaml) return findings;

  const conditions = parseConditions(statement.Condition);
  const opaqueNote = conditions.opaque ? ' (part of its Condition is an intrinsic function, which FederationGuard cannot look into)' : '';
  const knownHosts = !hasUnknown && oidcProviders.length > 0 && oidcProviders.every(p => p.host !== undefined);

  if (isOidc) {
    const targets: Array<ProviderInfo | undefined> = knownHosts
      ? dedupeByHost(oidcProviders)
      : [oidcProviders.find(p => p.subjectPrefix !== undefined)];
    for (const target of targets) findings.push(...checkOidcTarget(target, knownHosts, conditions, opaqueNote));
  }
  if (isSaml) findings.push(...checkSaml(conditions, opaqueNote));

  // Keys of other providers: only decidable when every principal's own namespace is known.
  if (knownHosts || (isSaml && !isOidc)) {
    const own = new Set(oidcProviders.map(p => p.host));
    for (const entry of conditions.entries) {
      if (isProviderNamespace(entry.namespace) && !entry.namespace.includes(TOKEN_MARK) && !own.has(entry.namespace)) {
        const principalDescription = own.size > 0 ? `the principal is the OIDC provider ${[...own].map(h => `'${h}'`).join(', ')}` : 'the principal is a SAML provider';
        findings.push({
          risk: FederationRisk.FOREIGN_CONDITION_KEY,
          message: `conditions on '${entry.key}', a key of another identity provider ('${entry.namespace}'), but ${principalDescription}, so that condition constrains nothing; key the condition on the principal's own provider${own.size > 0 ? ` (e.g. '${[...own][0]}:${entry.claim}')` : " ('SAML:...')"}`,
        });
      }
    }
  }
  return findings;
}

function checkOidcTarget(target: ProviderInfo | undefined, knownHost: boolean, conditions: ParsedConditions, opaqueNote: string): Finding[] {
  const host = knownHost ? target?.host : undefined;
  const audienceClaims = host ? AUDIENCE_CLAIMS_BY_HOST[host] ?? ['aud'] : ANY_AUDIENCE_CLAIMS;
  const subjectClaims = host ? SUBJECT_CLAIMS_BY_HOST[host] ?? ['sub'] : ANY_SUBJECT_CLAIMS;
  const ofProvider = (e: ConditionEntry) => host ? e.namespace === host : isProviderNamespace(e.namespace);
  const audienceEntries = conditions.entries.filter(e => ofProvider(e) && audienceClaims.includes(e.claim));
  const subjectEntries = conditions.entries.filter(e => ofProvider(e) && subjectClaims.includes(e.claim));
  const scheme = subjectSchemeFor(host, target?.subjectPrefix);
  const providerName = host ? `OIDC provider '${host}'` : 'OIDC provider';
  const audienceKey = `${host ?? '<provider>'}:${audienceClaims[0]}`;
  const subjectKey = `${host ?? '<provider>'}:${subjectClaims[0]}`;

  const findings: Finding[] = [];
  if (audienceEntries.length === 0) {
    findings.push({
      risk: FederationRisk.MISSING_AUDIENCE,
      message: `trusts the ${providerName} without a condition on '${audienceKey}'${opaqueNote}, so tokens minted for any client of that provider are accepted; add a StringEquals condition on '${audienceKey}' listing the expected audiences`,
    });
  }
  if (subjectEntries.length === 0) {
    findings.push({
      risk: FederationRisk.MISSING_SUBJECT,
      message: `trusts the ${providerName} without a condition on '${subjectKey}'${opaqueNote}, so every identity of that provider${scheme ? ` (every ${scheme.issuer} identity, of every owner)` : ''} can assume the role; add a StringEquals (or StringLike) condition on '${subjectKey}' naming the subjects${scheme ? `, e.g. '${scheme.example}'` : ''}`,
    });
  }

  for (const entry of [...audienceEntries, ...subjectEntries]) {
    const loose = checkOperator(entry);
    if (loose) {
      findings.push(loose);
      continue;
    }
    if (entry.baseOperator !== 'StringLike') continue;
    for (const value of entry.values.filter(isString)) {
      if (audienceEntries.includes(entry)) {
        if (isWildcardOnly(value)) {
          findings.push({
            risk: FederationRisk.WILDCARD_AUDIENCE,
            message: `matches '${entry.key}' against '${value}', which matches every audience; list the expected audiences with StringEquals`,
          });
        }
      } else {
        const risk = classifySubjectPattern(value, scheme);
        if (risk) findings.push({ risk, message: describeSubjectRisk(risk, entry.key, value, scheme) });
      }
    }
  }

  for (const entry of conditions.entries) {
    if (entry.setQualifier && ofProvider(entry) && !MULTI_VALUED_OIDC_CLAIMS.includes(entry.claim)
      && !audienceEntries.includes(entry) && !subjectEntries.includes(entry)) {
      findings.push(setOperatorFinding(entry));
    }
  }
  return findings;
}

function checkSaml(conditions: ParsedConditions, opaqueNote: string): Finding[] {
  const findings: Finding[] = [];
  const audience = conditions.entries.filter(e => e.key.toLowerCase() === 'saml:aud');
  if (audience.length === 0) {
    findings.push({
      risk: FederationRisk.SAML_MISSING_AUDIENCE,
      message: `trusts a SAML provider without a 'SAML:aud' condition${opaqueNote}, so assertions not addressed to your AWS sign-in endpoint are accepted; add a StringEquals condition on 'SAML:aud' with the sign-in endpoint, e.g. 'https://signin.aws.amazon.com/saml'`,
    });
  }
  for (const entry of conditions.entries) {
    const key = entry.key.toLowerCase();
    if (key === 'saml:aud' || key === 'saml:sub') {
      const loose = checkOperator(entry);
      if (loose) {
        findings.push(loose);
      } else if (key === 'saml:aud' && entry.baseOperator === 'StringLike' && entry.values.filter(isString).some(isWildcardOnly)) {
        findings.push({
          risk: FederationRisk.WILDCARD_AUDIENCE,
          message: `matches '${entry.key}' against a wildcard-only pattern, which matches every recipient; use StringEquals with the sign-in endpoint`,
        });
      }
    } else if (entry.setQualifier && SINGLE_VALUED_SAML_KEYS.includes(key)) {
      findings.push(setOperatorFinding(entry));
    }
  }
  return findings;
}

/** aud/sub must be tested with plain StringEquals or StringLike. */
function checkOperator(entry: ConditionEntry): Finding | undefined {
  if (entry.setQualifier) return setOperatorFinding(entry);
  if (entry.baseOperator === 'StringEquals' || entry.baseOperator === 'StringLike') return undefined;
  return {
    risk: FederationRisk.LOOSE_OPERATOR,
    message: `tests '${entry.key}' with '${entry.operator}', which accepts values other than the listed ones (or a missing claim); use StringEquals (or StringLike) with the accepted values`,
  };
}

function setOperatorFinding(entry: ConditionEntry): Finding {
  return {
    risk: FederationRisk.SET_OPERATOR_ON_SINGLE_VALUED_KEY,
    message: `uses '${entry.operator}' on '${entry.key}', a single-valued key (ForAllValues is also true when the claim is missing); use plain ${entry.baseOperator} instead`,
  };
}

function parseConditions(condition: unknown): ParsedConditions {
  if (condition === undefined) return { entries: [], opaque: false };
  if (!isPlainObject(condition) || isIntrinsic(condition)) return { entries: [], opaque: true };
  const entries: ConditionEntry[] = [];
  let opaque = false;
  for (const [operator, block] of Object.entries(condition)) {
    if (!isPlainObject(block) || isIntrinsic(block)) {
      opaque = true;
      continue;
    }
    const qualified = /^(ForAllValues|ForAnyValue):(.+)$/i.exec(operator);
    for (const [key, values] of Object.entries(block)) {
      const separator = key.lastIndexOf(':');
      entries.push({
        operator,
        setQualifier: qualified?.[1],
        baseOperator: qualified ? qualified[2] : operator,
        key: key.split(TOKEN_MARK).join('<token>'),
        namespace: separator > 0 ? key.slice(0, separator).toLowerCase() : '',
        claim: key.slice(separator + 1).toLowerCase(),
        values: toArray(values),
      });
    }
  }
  return { entries, opaque };
}

/**
 * Provider namespaces are hosts (they contain a dot) or, in a condition written through `CfnJson`,
 * a deploy-time token; global ones (`aws`, `sts`, `saml`) are neither.
 */
function isProviderNamespace(namespace: string): boolean {
  return namespace.includes('.') || namespace.includes(TOKEN_MARK);
}

function dedupeByHost(providers: ProviderInfo[]): ProviderInfo[] {
  const byHost = new Map<string | undefined, ProviderInfo>();
  for (const p of providers) if (!byHost.has(p.host) || p.subjectPrefix) byHost.set(p.host, p);
  return [...byHost.values()];
}

/** IAM action globbing: `*` and `?`, case-insensitive. */
function globMatches(pattern: string, action: string): boolean {
  const regex = pattern.split('').map(c => c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')).join('');
  return new RegExp(`^${regex}$`, 'i').test(action);
}

function isIntrinsic(value: Record<string, unknown>): boolean {
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}

/** A JSON object (not an array, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toArray(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}
