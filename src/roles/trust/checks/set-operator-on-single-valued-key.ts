import { Finding, TrustStatement } from '../statement';
import { federationEntries, SINGLE_VALUED_SAML_CLAIMS, TrustRule } from './shared';
import { defineRule } from '../../../rules/rule';
import { FederationRisk } from '../../federation-risk';

/** Set operators only on the multi-valued `amr`. */
export const setOperatorOnSingleValuedKey: TrustRule = defineRule<TrustStatement, Finding>('FederationGuard.SetOperatorOnSingleValuedKey', 'ForAllValues/ForAnyValue only on multi-valued keys (amr, multi-valued SAML attributes)', s => federationEntries(s)
  .filter(e => e.setQualifier && (e.namespace === 'saml' ? SINGLE_VALUED_SAML_CLAIMS.includes(e.claim) : e.claim !== 'amr'))
  .map(e => ({
    risk: FederationRisk.SET_OPERATOR_ON_SINGLE_VALUED_KEY,
    message: `uses '${e.operator}' on '${e.key}', a single-valued key (ForAllValues is also true when the claim is missing); use plain ${e.baseOperator} instead`,
  })));
