import { unsupportedKeyReason } from '../condition-keys';
import { Finding, TrustStatement } from '../statement';
import { TrustRule } from './shared';
import { defineRule } from '../../../rules/rule';
import { FederationRisk } from '../../federation-risk';

/** Keys IAM does not have make a role nobody can assume, and check nothing. */
export const unsupportedConditionKey: TrustRule = defineRule<TrustStatement, Finding>('FederationGuard.UnsupportedConditionKey', 'conditions use only keys IAM has for the provider', s => s.oidcTargets.flatMap(t => s.conditions
  .filter(e => t.host !== undefined && t.ofProvider(e))
  .map(e => ({ e, reason: unsupportedKeyReason(t.host!, e.claim) }))
  .filter(({ reason }) => reason !== undefined)
  .map(({ e, reason }) => ({
    risk: FederationRisk.UNSUPPORTED_CONDITION_KEY,
    message: `conditions on '${e.key}', but ${reason}; a condition on a missing key never holds, so nobody could assume the role. Remove it or use one of those keys`,
  }))));
