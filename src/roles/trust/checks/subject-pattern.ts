import { displayValue } from '../iam-string';
import { Finding, TrustStatement } from '../statement';
import { classifySubjectPattern, describeSubjectRisk } from '../subject-scheme';
import { likeValues, TrustRule } from './shared';
import { defineRule } from '../../../rules/rule';

/** `sub` patterns: wildcards only after the issuer's fixed prefix (three risks, one classification). */
export const subjectPattern: TrustRule = defineRule<TrustStatement, Finding>('FederationGuard.LooseSubjectPattern', 'a subject pattern\'s wildcards come only after the fixed prefix its issuer guarantees', s => s.oidcTargets.flatMap(t => likeValues(t.subjectEntries)
  .map(({ entry, value }) => ({ entry, value, risk: classifySubjectPattern(value, t.scheme) }))
  .filter(c => c.risk !== undefined)
  .map(({ entry, value, risk }) => ({ risk: risk!, message: describeSubjectRisk(risk!, entry.key, displayValue(value), t.scheme) }))));
