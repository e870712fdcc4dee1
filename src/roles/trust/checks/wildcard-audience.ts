import { displayValue, firstWildcard, isWildcardOnly } from '../iam-string';
import { Finding, TrustStatement } from '../statement';
import { likeValues, samlEntries, TrustRule } from './shared';
import { defineRule } from '../../../rules/rule';
import { FederationRisk } from '../../federation-risk';

/** Audiences are exact values: no wildcard anywhere. */
export const wildcardAudience: TrustRule = defineRule<TrustStatement, Finding>('FederationGuard.WildcardAudience', 'audiences (OIDC aud, SAML:aud) are exact values, with no wildcard', s => {
  const audiences = [...s.oidcTargets.flatMap(t => t.audienceEntries), ...(s.isSaml ? samlEntries(s, 'aud') : [])];
  return likeValues(audiences)
    .filter(({ value }) => firstWildcard(value) >= 0)
    .map(({ entry, value }) => ({
      risk: FederationRisk.WILDCARD_AUDIENCE,
      message: `matches '${entry.key}' against '${displayValue(value)}', which has a wildcard though audiences are exact values, so ${isWildcardOnly(value) ? 'every audience matches' : 'audiences of other applications can match'}; list each expected audience with StringEquals`,
    }));
});
