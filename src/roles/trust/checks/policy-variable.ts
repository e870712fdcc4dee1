import { displayValue, hasPolicyVariable } from '../iam-string';
import { Finding, TrustStatement } from '../statement';
import { federationEntries, TrustRule } from './shared';
import { defineRule } from '../../../rules/rule';
import { FederationRisk } from '../../federation-risk';

/** `${...}` in a condition value is filled in from the request itself. */
export const policyVariable: TrustRule = defineRule<TrustStatement, Finding>('FederationGuard.PolicyVariable', 'no condition value on a provider or SAML key holds an IAM policy variable (\'${...}\')', s => federationEntries(s)
  .flatMap(entry => entry.values.filter(v => !v.deployTime && hasPolicyVariable(v.text)).map(v => ({
    risk: FederationRisk.POLICY_VARIABLE,
    message: `tests '${entry.key}' against '${displayValue(v.text)}', which holds an IAM policy variable ('\${...}'), filled in from the request itself, so the caller's own claims satisfy it; write the value literally (for a literal '*', '?' or '$' use '\${*}', '\${?}', '\${$}')`,
  }))));
