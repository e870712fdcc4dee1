import { Finding, TrustStatement } from '../statement';
import { providerName, TrustRule } from './shared';
import { defineRule } from '../../../rules/rule';
import { FederationRisk } from '../../federation-risk';

/** An OIDC trust must condition on the audience key. */
export const missingAudience: TrustRule = defineRule<TrustStatement, Finding>('FederationGuard.MissingAudience', 'an OIDC trust conditions on the provider\'s audience key', s => s.opaqueCondition ? [] : s.oidcTargets
  .filter(t => t.audienceEntries.length === 0)
  .map(t => ({
    risk: FederationRisk.MISSING_AUDIENCE,
    message: `trusts the ${providerName(t)} without a condition on '${t.audienceKey}', so tokens minted for any client of that provider are accepted; add a StringEquals condition on '${t.audienceKey}' listing the expected audiences`,
  })));
