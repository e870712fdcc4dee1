// The checks shared by FederationGuard (on any resolved trust policy) and FederatedRole (on itself).
// Not part of the public API: nothing here is exported from src/index.ts.
import { IConstruct } from 'constructs';
import { FederationRisk } from './federation-risk';
import { TRUST_CHECKS } from './trust/checks';
import { Finding, parseTrustPolicy, ProviderInfo, TrustReader } from './trust/statement';

export { Finding, ProviderInfo, ProviderKind, TrustReader, TrustValue } from './trust/statement';
export { classifySubjectPattern, describeSubjectRisk, subjectSchemeFor, SubjectScheme, isGitHubHost } from './trust/subject-scheme';
export { firstWildcard, hasPolicyVariable, isWildcardOnly } from './trust/iam-string';

/**
 * Providers that a FederatedRole already knows, keyed by the CfnRole that trusts them and then by
 * the provider ARN's resolved JSON, so that FederationGuard learns an issuer's subject prefix even
 * when the provider is imported.
 */
export const KNOWN_PROVIDERS = new WeakMap<IConstruct, Map<string, ProviderInfo>>();

/**
 * Checks every federating `Allow` statement of a resolved trust policy document. Returns the
 * findings, without duplicates, in statement order.
 */
export function analyzeTrustPolicy(document: unknown, reader: TrustReader): Finding[] {
  const parsed = parseTrustPolicy(document, reader);
  const findings: Finding[] = parsed.opaqueParts.map(part => ({
    risk: FederationRisk.DEPLOY_TIME_VALUE,
    message: `cannot be checked at synth: ${part}, which may hold a federated trust; write the statements as literal JSON, or accept DEPLOY_TIME_VALUE on this role if every branch is tight`,
  }));
  for (const statement of parsed.statements) {
    for (const check of TRUST_CHECKS) findings.push(...check(statement));
  }
  const seen = new Set<string>();
  return findings.filter(f => {
    const id = `${f.risk}|${f.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
