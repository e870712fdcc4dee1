// One federated trust statement, parsed once from the resolved CloudFormation JSON, for the checks in
// ./checks/. Nothing here decides what is loose; it only says what the statement grants, to whom,
// under which conditions, and which parts of it are only known at deploy time.
import { displayValue, TOKEN_MARK } from './iam-string';
import { subjectSchemeFor, SubjectScheme } from './subject-scheme';
import { FederationRisk } from '../federation-risk';

/** One loose spot in a trust policy: what it risks, what is wrong and how to fix it. */
export interface Finding {
  readonly risk: FederationRisk;
  /** Reads after "the role's trust policy ...": what is wrong, then how to fix it. */
  readonly message: string;
}

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
  /**
   * The provider's condition-key prefix, lower-cased, exactly as registered (e.g.
   * `token.actions.githubusercontent.com`, `acme.eu.auth0.com/`); deploy-time parts as token marks.
   */
  readonly host?: string;
  /** The fixed prefix of the provider's subjects, when its issuer declares one. */
  readonly subjectPrefix?: string;
  /** The issuer's subjects follow a customized template, so no prefix is known. */
  readonly customSubjects?: boolean;
  /** How the principal was written, for messages about an unknown one. */
  readonly display?: string;
}

/** A condition value as far as it can be read at synth time. */
export interface TrustValue {
  /** The value; deploy-time parts that cannot hold wildcards or variables are token marks. */
  readonly text: string;
  /** True when some part could be any string at deploy time (parameter, import, `Fn::If`...). */
  readonly deployTime: boolean;
  /**
   * Every value the whole of it can take, when it is a lookup in a mapping of the stack keyed by a
   * pseudo parameter (`Fn::FindInMap` on `AWS::Partition` or `AWS::Region`).
   */
  readonly candidates?: string[];
}

/** How the parser reads tokens and principals; FederationGuard's follows references within the stack. */
export interface TrustReader {
  describeFederated(value: unknown): ProviderInfo;
  readValue(value: unknown): TrustValue;
}

/** One key of one operator block of a Condition. */
export interface ConditionEntry {
  /** The operator as written, e.g. `ForAnyValue:StringLike`. */
  readonly operator: string;
  /** `ForAllValues` or `ForAnyValue`, when present. */
  readonly setQualifier?: string;
  /** The operator without its set qualifier, e.g. `StringLike`. */
  readonly baseOperator: string;
  /** The key for messages, a token shown as `<token>`. */
  readonly key: string;
  /** The lower-cased part before the last `:` (`token.actions.githubusercontent.com`, `saml`, `aws`). */
  readonly namespace: string;
  /** The lower-cased part after the last `:` (`sub`). */
  readonly claim: string;
  readonly values: TrustValue[];
}

/** One OIDC provider a statement trusts, with its audience and subject conditions. */
export interface OidcTarget {
  /** Undefined when the provider cannot be identified: any provider's keys then count. */
  readonly host?: string;
  readonly scheme?: SubjectScheme;
  readonly audienceKey: string;
  readonly subjectKey: string;
  readonly audienceEntries: ConditionEntry[];
  readonly subjectEntries: ConditionEntry[];
  /** Amazon Cognito identity pools: `aud` + `amr` is AWS's documented trust, without `sub`. */
  readonly cognitoIdentityPool: boolean;
  /** The condition belongs to this provider (or, for an unknown one, to some provider). */
  ofProvider(entry: ConditionEntry): boolean;
}

/** One `Allow` statement that federates OIDC or SAML identities. */
export interface TrustStatement {
  readonly isPublic: boolean;
  readonly grantsWebIdentity: boolean;
  readonly grantsSaml: boolean;
  readonly isOidc: boolean;
  readonly isSaml: boolean;
  readonly oidcProviders: ProviderInfo[];
  readonly oidcTargets: OidcTarget[];
  /** Whether every principal's condition-key namespace is known, so that foreign keys can be told. */
  readonly namespacesKnown: boolean;
  readonly conditions: ConditionEntry[];
  /** True when part of the Condition is an intrinsic function that cannot be looked into. */
  readonly opaqueCondition: boolean;
  /** Parts of the statement only known at deploy time, described for messages ("its Condition"...). */
  readonly deployTimeParts: string[];
}

export const WEB_IDENTITY_ACTION = 'sts:AssumeRoleWithWebIdentity';
export const SAML_ACTION = 'sts:AssumeRoleWithSAML';
export const COGNITO_IDENTITY_HOST = 'cognito-identity.amazonaws.com';

const AUDIENCE_CLAIMS_BY_HOST: Record<string, string[]> = {
  'accounts.google.com': ['aud', 'oaud'],
  'graph.facebook.com': ['app_id'],
  'www.amazon.com': ['app_id'],
};
const SUBJECT_CLAIMS_BY_HOST: Record<string, string[]> = {
  'graph.facebook.com': ['id'],
  'www.amazon.com': ['user_id'],
};
const ANY_AUDIENCE_CLAIMS = ['aud', 'oaud', 'app_id'];
const ANY_SUBJECT_CLAIMS = ['sub', 'id', 'user_id'];

/** The result of parsing a whole trust policy document. */
export interface ParsedTrustPolicy {
  readonly statements: TrustStatement[];
  /** Parts of the document that may federate but cannot be read (a statement or document in `Fn::If`). */
  readonly opaqueParts: string[];
}

/** Reads a resolved trust policy document: its federating `Allow` statements and what cannot be read. */
export function parseTrustPolicy(document: unknown, reader: TrustReader): ParsedTrustPolicy {
  const opaqueParts: string[] = [];
  if (!isPlainObject(document) || isIntrinsic(document)) {
    if (document !== undefined && mayFederate(document)) opaqueParts.push('the whole document is an intrinsic function');
    return { statements: [], opaqueParts };
  }
  if (isPlainObject(document.Statement) && isIntrinsic(document.Statement)) {
    if (mayFederate(document.Statement)) opaqueParts.push('its Statement list is an intrinsic function');
    return { statements: [], opaqueParts };
  }
  const statements: TrustStatement[] = [];
  toArray(document.Statement).forEach((statement, index) => {
    if (!isPlainObject(statement)) return;
    if (isIntrinsic(statement)) {
      if (mayFederate(statement)) opaqueParts.push(`statement ${index + 1} is an intrinsic function (${Object.keys(statement)[0]})`);
      return;
    }
    if (statement.Effect !== 'Allow') return;
    const parsed = parseStatement(statement, reader);
    if (parsed) statements.push(parsed);
  });
  return { statements, opaqueParts };
}

function parseStatement(statement: Record<string, unknown>, reader: TrustReader): TrustStatement | undefined {
  const deployTimeParts: string[] = [];
  const rawActions = statement.NotAction !== undefined ? statement.NotAction : statement.Action;
  const actionList = isPlainObject(rawActions) && isIntrinsic(rawActions) ? [rawActions] : toArray(rawActions);
  const actions = actionList.filter(isString);
  const actionsUnknown = actionList.some(a => !isString(a));
  if (actionsUnknown) deployTimeParts.push(`its ${statement.NotAction !== undefined ? 'NotAction' : 'Action'} is only known at deploy time`);
  const grants = (action: string) => statement.NotAction !== undefined
    ? !actions.some(pattern => globMatches(pattern, action))
    : actions.some(pattern => globMatches(pattern, action));
  const namesAction = (action: string) => statement.NotAction === undefined && actions.some(a => a.toLowerCase() === action.toLowerCase());

  let isPublic = statement.NotPrincipal !== undefined;
  const federated: ProviderInfo[] = [];
  const principal = statement.Principal;
  if (principal === '*') {
    isPublic = true;
  } else if (isPlainObject(principal) && isIntrinsic(principal)) {
    deployTimeParts.push('its Principal is only known at deploy time');
    federated.push({ kind: ProviderKind.UNKNOWN });
  } else if (isPlainObject(principal)) {
    for (const [type, values] of Object.entries(principal)) {
      const list = isPlainObject(values) && isIntrinsic(values) ? [values] : toArray(values);
      for (const value of list) {
        if (value === '*') isPublic = true;
        if (type !== 'Federated') continue;
        const provider = reader.describeFederated(value);
        federated.push(provider);
        if (provider.kind === ProviderKind.UNKNOWN) {
          deployTimeParts.push(`its Federated principal ${provider.display ?? describeJson(value)} cannot be resolved to an identity provider`);
        }
      }
    }
  }

  const hasUnknown = federated.some(p => p.kind === ProviderKind.UNKNOWN);
  const hasSaml = federated.some(p => p.kind === ProviderKind.SAML);
  const oidcProviders = federated.filter(p => p.kind === ProviderKind.OIDC);
  const grantsWebIdentity = grants(WEB_IDENTITY_ACTION) || (actionsUnknown && (hasUnknown || oidcProviders.length > 0 || isPublic));
  const grantsSaml = grants(SAML_ACTION) || (actionsUnknown && (hasUnknown || hasSaml || isPublic));
  const isOidc = oidcProviders.length > 0 || namesAction(WEB_IDENTITY_ACTION) || (grantsWebIdentity && hasUnknown && !hasSaml);
  const isSaml = hasSaml || namesAction(SAML_ACTION);
  if (!isPublic && !isOidc && !isSaml) return undefined;
  if (!isOidc && !isSaml && !grantsWebIdentity && !grantsSaml) return undefined;

  const { entries, opaque } = parseConditions(statement.Condition, reader, deployTimeParts);
  const namespacesKnown = !hasUnknown && oidcProviders.every(p => p.host !== undefined);
  const knownHosts = namespacesKnown && oidcProviders.length > 0;
  const targets = !isOidc ? [] : knownHosts
    ? dedupeByHost(oidcProviders).map(p => oidcTarget(p, p.host, entries))
    : [oidcTarget(oidcProviders.find(p => p.subjectPrefix !== undefined || p.customSubjects), undefined, entries)];

  return {
    isPublic,
    grantsWebIdentity,
    grantsSaml,
    isOidc,
    isSaml,
    oidcProviders,
    oidcTargets: targets,
    namespacesKnown: namespacesKnown && (oidcProviders.length > 0 || (isSaml && !isOidc)),
    conditions: entries,
    opaqueCondition: opaque,
    deployTimeParts,
  };
}

function oidcTarget(provider: ProviderInfo | undefined, host: string | undefined, entries: ConditionEntry[]): OidcTarget {
  const audienceClaims = host ? AUDIENCE_CLAIMS_BY_HOST[host] ?? ['aud'] : ANY_AUDIENCE_CLAIMS;
  const subjectClaims = host ? SUBJECT_CLAIMS_BY_HOST[host] ?? ['sub'] : ANY_SUBJECT_CLAIMS;
  const ofProvider = (e: ConditionEntry) => host ? e.namespace === host : isProviderNamespace(e.namespace);
  const shownHost = host ? displayValue(host) : '<provider>';
  return {
    host,
    scheme: subjectSchemeFor(host, { subjectPrefix: provider?.subjectPrefix, customSubjects: provider?.customSubjects }),
    audienceKey: `${shownHost}:${audienceClaims[0]}`,
    subjectKey: `${shownHost}:${subjectClaims[0]}`,
    audienceEntries: entries.filter(e => ofProvider(e) && audienceClaims.includes(e.claim)),
    subjectEntries: entries.filter(e => ofProvider(e) && subjectClaims.includes(e.claim)),
    cognitoIdentityPool: host === COGNITO_IDENTITY_HOST,
    ofProvider,
  };
}

function parseConditions(condition: unknown, reader: TrustReader, deployTimeParts: string[]): { entries: ConditionEntry[]; opaque: boolean } {
  if (condition === undefined) return { entries: [], opaque: false };
  if (!isPlainObject(condition) || isIntrinsic(condition)) {
    deployTimeParts.push(`its Condition is ${describeIntrinsic(condition)}`);
    return { entries: [], opaque: true };
  }
  const entries: ConditionEntry[] = [];
  let opaque = false;
  for (const [operator, block] of Object.entries(condition)) {
    if (!isPlainObject(block) || isIntrinsic(block)) {
      deployTimeParts.push(`its '${operator}' condition block is ${describeIntrinsic(block)}`);
      opaque = true;
      continue;
    }
    const qualified = /^(ForAllValues|ForAnyValue):(.+)$/i.exec(operator);
    for (const [key, values] of Object.entries(block)) {
      const separator = key.lastIndexOf(':');
      const list = isPlainObject(values) ? [values] : toArray(values);
      entries.push({
        operator,
        setQualifier: qualified?.[1],
        baseOperator: qualified ? qualified[2] : operator,
        key: displayValue(key),
        namespace: separator > 0 ? key.slice(0, separator).toLowerCase() : '',
        claim: key.slice(separator + 1).toLowerCase(),
        values: list.map(v => reader.readValue(v)),
      });
    }
  }
  return { entries, opaque };
}

/**
 * Provider namespaces are hosts (they contain a dot) or a deploy-time token (conditions written through
 * `CfnJson`); global ones (`aws`, `sts`, `saml`) are neither.
 */
export function isProviderNamespace(namespace: string): boolean {
  return namespace.includes('.') || namespace.includes(TOKEN_MARK);
}

/** Whether an unreadable part could hold a federated trust: it mentions a Federated principal, a federation action or `*`. */
function mayFederate(value: unknown): boolean {
  let found = false;
  const visit = (v: unknown): void => {
    if (found) return;
    if (typeof v === 'string') {
      if (v === '*' || globMatches(v, WEB_IDENTITY_ACTION) || globMatches(v, SAML_ACTION)) found = true;
    } else if (Array.isArray(v)) {
      v.forEach(visit);
    } else if (isPlainObject(v)) {
      for (const [k, inner] of Object.entries(v)) {
        if (k === 'Federated' || k === 'NotPrincipal' || k === 'NotAction') found = true;
        visit(inner);
      }
    }
  };
  visit(value);
  return found;
}

function describeIntrinsic(value: unknown): string {
  return isPlainObject(value) && isIntrinsic(value) ? `an intrinsic function (${Object.keys(value)[0]})` : 'not an object';
}

/** A JSON value for messages, shortened. */
export function describeJson(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return `'${text.length > 120 ? `${text.slice(0, 117)}...` : text}'`;
}

function dedupeByHost(providers: ProviderInfo[]): ProviderInfo[] {
  const byHost = new Map<string | undefined, ProviderInfo>();
  for (const p of providers) if (!byHost.has(p.host) || p.subjectPrefix || p.customSubjects) byHost.set(p.host, p);
  return [...byHost.values()];
}

/** IAM action globbing: `*` and `?`, case-insensitive. */
export function globMatches(pattern: string, action: string): boolean {
  const regex = pattern.split('').map(c => c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')).join('');
  return new RegExp(`^${regex}$`, 'i').test(action);
}

/** A `{ "Ref": ... }` or `{ "Fn::...": ... }` object. */
export function isIntrinsic(value: Record<string, unknown>): boolean {
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}

/** A JSON object (not an array, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function toArray(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}
