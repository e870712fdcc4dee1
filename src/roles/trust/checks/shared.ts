// What the trust rules share: the rule type, and the condition entries several of them read.
import { Rule } from '../../../rules/rule';
import { firstWildcard, displayValue, hasPolicyVariable } from '../iam-string';
import { ConditionEntry, Finding, isProviderNamespace, OidcTarget, TrustStatement } from '../statement';

/** One rule over one parsed trust statement; each finding carries its FederationRisk. */
export type TrustRule = Rule<TrustStatement, Finding>;

/** SAML keys that hold one value per assertion (others, e.g. `SAML:eduPersonAffiliation`, are multi-valued). */
export const SINGLE_VALUED_SAML_CLAIMS = ['aud', 'sub', 'sub_type', 'iss', 'namequalifier', 'doc'];

/** Conditions on provider or SAML keys of a federating statement. */
export function federationEntries(s: TrustStatement): ConditionEntry[] {
  if (!s.isOidc && !s.isSaml) return [];
  return s.conditions.filter(e => isProviderNamespace(e.namespace) || (s.isSaml && e.namespace === 'saml'));
}

/** The audience and subject conditions, which must use plain StringEquals/StringLike. */
export function identityEntries(s: TrustStatement): ConditionEntry[] {
  const oidc = s.oidcTargets.flatMap(t => [...t.audienceEntries, ...t.subjectEntries]);
  return [...new Set([...oidc, ...(s.isSaml ? [...samlEntries(s, 'aud'), ...samlEntries(s, 'sub')] : [])])];
}

export function samlEntries(s: TrustStatement, claim: string): ConditionEntry[] {
  return s.conditions.filter(e => e.namespace === 'saml' && e.claim === claim);
}

/** The readable, variable-free values of StringLike entries: the ones whose wildcards count. */
export function likeValues(entries: ConditionEntry[]): Array<{ entry: ConditionEntry; value: string }> {
  return [...new Set(entries)]
    .filter(e => !e.setQualifier && e.baseOperator === 'StringLike')
    .flatMap(entry => entry.values.filter(v => !v.deployTime && !hasPolicyVariable(v.text)).map(v => ({ entry, value: v.text })));
}

/** Cognito identity pools: a ForAnyValue condition on `amr` whose values are literal (no wildcard). */
export function hasAmrCondition(s: TrustStatement, t: OidcTarget): boolean {
  return s.conditions.some(e => t.ofProvider(e) && e.claim === 'amr' && e.values.length > 0
    && e.values.every(v => !v.deployTime && !hasPolicyVariable(v.text) && (e.baseOperator !== 'StringLike' || firstWildcard(v.text) < 0)));
}

export function providerName(t: OidcTarget): string {
  return t.host ? `OIDC provider '${displayValue(t.host)}'` : 'OIDC provider';
}
