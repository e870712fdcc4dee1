import { displayValue, hasTokenMark } from '../iam-string';
import { Finding, isProviderNamespace, TrustStatement } from '../statement';
import { TrustRule } from './shared';
import { defineRule } from '../../../rules/rule';
import { FederationRisk } from '../../federation-risk';

/** A key of another provider than the principal constrains nothing. */
export const foreignConditionKey: TrustRule = defineRule<TrustStatement, Finding>('FederationGuard.ForeignConditionKey', 'conditions are keyed on the principal\'s own provider, not another\'s', s => {
  if (!s.namespacesKnown) return [];
  const own = new Set(s.oidcProviders.map(p => p.host));
  return s.conditions
    .filter(e => isProviderNamespace(e.namespace) && !hasTokenMark(e.namespace) && !own.has(e.namespace))
    .map(entry => {
      const hosts = [...own].map(h => `'${displayValue(h ?? '')}'`);
      const principal = own.size > 0 ? `the principal is the OIDC provider ${hosts.join(', ')}` : 'the principal is a SAML provider';
      return {
        risk: FederationRisk.FOREIGN_CONDITION_KEY,
        message: `conditions on '${entry.key}', a key of another identity provider ('${entry.namespace}'), but ${principal}, so that condition constrains nothing; key the condition on the principal's own provider${own.size > 0 ? ` (e.g. '${displayValue([...own][0] ?? '')}:${entry.claim}')` : " ('SAML:...')"}`,
      };
    });
});
