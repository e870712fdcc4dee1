// Reads a role's trust policy as CloudFormation will deploy it, following references within its stack:
// which provider a `Federated` ARN names, and which tokens are deploy-time values that could be anything.
import { CfnMapping, CfnResource, Stack } from 'aws-cdk-lib';
import { TOKEN_MARK } from './iam-string';
import { describeJson, isPlainObject, ProviderInfo, ProviderKind, TrustReader, TrustValue } from './statement';
import { resolvedProperties } from '../private/resolved-properties';

const CFN_JSON_RESOURCE_TYPE = 'Custom::AWSCDKCfnJson';
/** Pseudo parameters whose values are account, region or stack names: never wildcards or variables. */
const SAFE_PSEUDO_PARAMETERS = ['AWS::AccountId', 'AWS::Region', 'AWS::Partition', 'AWS::URLSuffix', 'AWS::StackName', 'AWS::StackId'];
/** Resources whose attributes are whatever someone wrote or computed: as open as a parameter. */
const OPEN_ATTRIBUTE_TYPES = /^(Custom::|AWS::CloudFormation::CustomResource$|AWS::SSM::Parameter$)/;
/** Web identity providers that IAM names by host instead of by provider ARN. */
const WEB_IDENTITY_HOSTS = ['cognito-identity.amazonaws.com', 'accounts.google.com', 'graph.facebook.com', 'www.amazon.com'];

/**
 * A `TrustReader` over one stack. Tokens become marks (`TOKEN_MARK<n>TOKEN_MARK`, the same mark for the
 * same token), so that a condition key built from a provider's URL token is recognized as that
 * provider's key. A `Ref` to a resource, a pseudo parameter or a `Fn::GetAtt` of an AWS resource is an
 * identifier and safe; a parameter, an import, `Fn::If`, a custom resource's attribute... is a
 * deploy-time value that could be `*` or a policy variable.
 */
export class StackTrustReader implements TrustReader {
  private readonly marks = new Map<string, { readonly id: number; readonly safe: boolean }>();
  private resources?: Map<string, CfnResource>;

  constructor(private readonly stack: Stack, private readonly known?: Map<string, ProviderInfo>) {}

  public readValue(value: unknown): TrustValue {
    const text = this.textOf(value);
    const candidates = this.mappingCandidates(value);
    return { text, deployTime: this.hasOpenMark(text), ...(candidates ? { candidates } : {}) };
  }

  public describeFederated(value: unknown): ProviderInfo {
    const known = this.known?.get(JSON.stringify(value));
    if (known) return known;
    if (typeof value === 'string' || isPlainObject(value) && value['Fn::Join'] !== undefined) {
      return describeFederatedString(this.textOf(value));
    }
    const resource = this.referencedResource(value);
    return resource ? this.describeProviderResource(resource) : { kind: ProviderKind.UNKNOWN, display: describeJson(value) };
  }

  /**
   * Conditions whose keys hold a token (an EKS cluster's issuer, for IRSA roles) are written through
   * `CfnJson`: a custom resource whose `Value` is the JSON text. Reads that text back in place of the
   * `Fn::GetAtt`, tokens marked, so those conditions are checked like any other.
   */
  public inlineCfnJson(document: unknown): unknown {
    const inline = (value: unknown): unknown => {
      const resource = this.referencedResource(value);
      if (!resource || resource.cfnResourceType !== CFN_JSON_RESOURCE_TYPE) return value;
      const json = resolvedProperties(resource)?.Value;
      if (json === undefined) return value;
      try {
        return JSON.parse(this.textOf(json));
      } catch {
        return value;
      }
    };
    if (!isPlainObject(document) || !Array.isArray(document.Statement)) return document;
    return {
      ...document,
      Statement: document.Statement.map(statement => {
        if (!isPlainObject(statement) || statement.Condition === undefined) return statement;
        const condition = inline(statement.Condition);
        return {
          ...statement,
          Condition: isPlainObject(condition)
            ? Object.fromEntries(Object.entries(condition).map(([operator, block]) => [operator, inline(block)]))
            : condition,
        };
      }),
    };
  }

  /** A string, an `Fn::Join` of strings and tokens, or a token, with tokens as marks. */
  private textOf(value: unknown): string {
    if (typeof value === 'string') return value;
    if (isPlainObject(value) && Object.keys(value).length === 1 && Array.isArray(value['Fn::Join'])) {
      const [separator, parts] = value['Fn::Join'] as unknown[];
      if (typeof separator === 'string' && Array.isArray(parts)) return parts.map(part => this.textOf(part)).join(separator);
    }
    return this.mark(value);
  }

  private mark(token: unknown): string {
    const key = JSON.stringify(token) ?? 'undefined';
    let entry = this.marks.get(key);
    if (!entry) {
      entry = { id: this.marks.size, safe: this.isIdentifier(token) };
      this.marks.set(key, entry);
    }
    return `${TOKEN_MARK}${entry.id}${TOKEN_MARK}`;
  }

  private hasOpenMark(text: string): boolean {
    const open = new Set([...this.marks.values()].filter(m => !m.safe).map(m => m.id));
    const pattern = new RegExp(`${TOKEN_MARK}(\\d+)${TOKEN_MARK}`, 'g');
    for (const match of text.matchAll(pattern)) if (open.has(Number(match[1]))) return true;
    return false;
  }

  /**
   * The values an `Fn::FindInMap` can take: a mapping of this stack, a top-level key that is a literal
   * or a pseudo parameter (`AWS::Partition`, `AWS::Region`...), a literal second key, and string
   * values. Undefined for anything else.
   */
  private mappingCandidates(value: unknown): string[] | undefined {
    if (!isPlainObject(value) || Object.keys(value).length !== 1 || !Array.isArray(value['Fn::FindInMap'])) return undefined;
    const [name, topKey, secondKey] = value['Fn::FindInMap'] as unknown[];
    if (typeof name !== 'string' || typeof secondKey !== 'string') return undefined;
    const topIsPseudo = isPlainObject(topKey) && typeof topKey.Ref === 'string' && SAFE_PSEUDO_PARAMETERS.includes(topKey.Ref);
    if (typeof topKey !== 'string' && !topIsPseudo) return undefined;
    const table = this.mappingTable(name);
    if (!table) return undefined;
    const rows = typeof topKey === 'string' ? [table[topKey]] : Object.values(table);
    const values = rows.map(row => isPlainObject(row) ? row[secondKey] : undefined);
    return values.length > 0 && values.every(v => typeof v === 'string') ? values as string[] : undefined;
  }

  private mappingTable(logicalId: string): Record<string, unknown> | undefined {
    for (const child of this.stack.node.findAll()) {
      if (!(child instanceof CfnMapping) || Stack.of(child) !== this.stack || this.stack.resolve(child.logicalId) !== logicalId) continue;
      const rendered: unknown = this.stack.resolve((child as unknown as { _toCloudFormation(): object })._toCloudFormation());
      const table = isPlainObject(rendered) && isPlainObject(rendered.Mappings) ? rendered.Mappings[logicalId] : undefined;
      return isPlainObject(table) ? table : undefined;
    }
    return undefined;
  }

  /** A deploy-time value that is an identifier: it cannot be a wildcard or a policy variable. */
  private isIdentifier(token: unknown): boolean {
    if (!isPlainObject(token)) return false;
    const candidates = this.mappingCandidates(token);
    if (candidates) return candidates.every(c => !/[*?]|\$\{/.test(c));
    if (typeof token.Ref === 'string') {
      return SAFE_PSEUDO_PARAMETERS.includes(token.Ref) || this.findResource(token.Ref) !== undefined;
    }
    const resource = this.referencedResource(token);
    return resource !== undefined && !OPEN_ATTRIBUTE_TYPES.test(resource.cfnResourceType);
  }

  private describeProviderResource(resource: CfnResource): ProviderInfo {
    if (resource.cfnResourceType === 'AWS::IAM::SAMLProvider') return { kind: ProviderKind.SAML };
    if (resource.cfnResourceType !== 'AWS::IAM::OIDCProvider' && resource.cfnResourceType !== 'Custom::AWSCDKOpenIdConnectProvider') {
      return { kind: ProviderKind.UNKNOWN, display: `'${resource.node.path}' (${resource.cfnResourceType})` };
    }
    const url = resolvedProperties(resource)?.Url;
    // IAM keeps the provider URL as registered, trailing slash included (Auth0's keys are '<tenant>/:aud').
    const host = url === undefined ? undefined : isPlainObject(url) && url['Fn::Join'] === undefined
      ? this.mark({ 'Fn::Select': [1, { 'Fn::Split': ['https://', url] }] })
      : this.textOf(url).replace(/^https:\/\//i, '').toLowerCase();
    return { kind: ProviderKind.OIDC, host, ...issuerHints(resource) };
  }

  private referencedResource(value: unknown): CfnResource | undefined {
    if (!isPlainObject(value)) return undefined;
    const getAtt = value['Fn::GetAtt'];
    const logicalId = typeof value.Ref === 'string' ? value.Ref : Array.isArray(getAtt) && typeof getAtt[0] === 'string' ? getAtt[0] : undefined;
    return logicalId ? this.findResource(logicalId) : undefined;
  }

  private findResource(logicalId: string): CfnResource | undefined {
    if (!this.resources || !this.resources.has(logicalId)) {
      this.resources = new Map();
      for (const child of this.stack.node.findAll()) {
        if (CfnResource.isCfnResource(child) && Stack.of(child) === this.stack) this.resources.set(this.stack.resolve(child.logicalId), child);
      }
    }
    return this.resources.get(logicalId);
  }
}

/** Reads a `Federated` principal written as a string (an ARN, a host or `*`; tokens as marks). */
export function describeFederatedString(value: string): ProviderInfo {
  if (value === '*') return { kind: ProviderKind.ANY };
  const lower = value.toLowerCase();
  const oidc = lower.indexOf(':oidc-provider/');
  if (oidc >= 0) {
    const host = lower.slice(oidc + ':oidc-provider/'.length);
    return { kind: ProviderKind.OIDC, host: host || undefined };
  }
  if (lower.includes(':saml-provider/')) return { kind: ProviderKind.SAML };
  if (WEB_IDENTITY_HOSTS.includes(lower)) return { kind: ProviderKind.OIDC, host: lower };
  return { kind: ProviderKind.UNKNOWN, display: `'${value.split(TOKEN_MARK).filter((_, i) => i % 2 === 0).join('<token>')}'` };
}


/** Our OidcIdentityProvider carries its issuer; the CfnResource is its child. */
function issuerHints(resource: CfnResource): { subjectPrefix?: string; customSubjects?: boolean } {
  for (let scope = resource.node.scope; scope && !Stack.isStack(scope); scope = scope.node.scope) {
    const issuer = (scope as { issuer?: { subjectPrefix?: unknown; customSubjectTemplate?: unknown } }).issuer;
    if (issuer && typeof issuer === 'object') {
      return {
        subjectPrefix: typeof issuer.subjectPrefix === 'string' ? issuer.subjectPrefix : undefined,
        customSubjects: issuer.customSubjectTemplate === true || undefined,
      };
    }
  }
  return {};
}
