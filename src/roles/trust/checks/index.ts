// One small rule per FederationRisk (<name>.ts here, one test file each), each over
// one parsed statement, in the order their findings are reported. A rule returns its findings; it
// never decides what other rules report. docs/rules.md lists them.
import { deployTimeValue } from './deploy-time-value';
import { foreignConditionKey } from './foreign-condition-key';
import { looseOperator } from './loose-operator';
import { missingAudience } from './missing-audience';
import { missingSubject } from './missing-subject';
import { policyVariable } from './policy-variable';
import { publicPrincipal } from './public-principal';
import { samlForeignAudience } from './saml-foreign-audience';
import { samlMissingAudience } from './saml-missing-audience';
import { setOperatorOnSingleValuedKey } from './set-operator-on-single-valued-key';
import { TrustRule } from './shared';
import { subjectPattern } from './subject-pattern';
import { unsupportedConditionKey } from './unsupported-condition-key';
import { wildcardAudience } from './wildcard-audience';
import { Finding, TrustStatement } from '../statement';

export type { TrustRule } from './shared';
export {
  deployTimeValue,
  foreignConditionKey,
  looseOperator,
  missingAudience,
  missingSubject,
  policyVariable,
  publicPrincipal,
  samlForeignAudience,
  samlMissingAudience,
  setOperatorOnSingleValuedKey,
  subjectPattern,
  unsupportedConditionKey,
  wildcardAudience,
};

/** Every trust rule, in the order their findings are reported. */
export const TRUST_RULES: readonly TrustRule[] = [
  publicPrincipal,
  deployTimeValue,
  policyVariable,
  missingAudience,
  missingSubject,
  looseOperator,
  setOperatorOnSingleValuedKey,
  wildcardAudience,
  subjectPattern,
  foreignConditionKey,
  samlMissingAudience,
  samlForeignAudience,
  unsupportedConditionKey,
];

/** One check of a trust statement. */
export type TrustCheck = (statement: TrustStatement) => Finding[];

/** Every trust rule's check, in the same order (what `analyzeTrustPolicy` runs). */
export const TRUST_CHECKS: TrustCheck[] = TRUST_RULES.map((r) => (statement: TrustStatement) => r.check(statement));
