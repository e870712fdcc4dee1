import { defineRule } from '../../../rules/rule';
import { displayValue, firstWildcard, hasPolicyVariable, hasTokenMark } from '../iam-string';
import { describeSamlEndpoints, partitionOfSamlEndpoint } from '../saml-endpoints';
import { Finding, TrustStatement } from '../statement';
import { samlEntries, TrustRule } from './shared';
import { FederationRisk } from '../../federation-risk';

/**
 * `SAML:aud` holds exact sign-in endpoints of AWS. Values only known at deploy time, patterns with a
 * wildcard and policy variables have their own checks; a lookup in a mapping of the stack has each of
 * its values checked; an identifier (a reference to a pseudo parameter or a resource) cannot be read.
 */
export const samlForeignAudience: TrustRule = defineRule<TrustStatement, Finding>('FederationGuard.SamlForeignAudience', 'SAML:aud lists only AWS sign-in endpoints', s => !s.isSaml ? [] : samlEntries(s, 'aud')
  .filter(e => !e.setQualifier && (e.baseOperator === 'StringEquals' || e.baseOperator === 'StringLike'))
  .flatMap(entry => entry.values.flatMap(v => {
    if (v.deployTime) return [];
    if (v.candidates) return v.candidates.map(text => ({ entry, text }));
    if (hasTokenMark(v.text) || hasPolicyVariable(v.text)) return [];
    if (entry.baseOperator === 'StringLike' && firstWildcard(v.text) >= 0) return [];
    return [{ entry, text: v.text }];
  }))
  .filter(({ text }) => partitionOfSamlEndpoint(text) === undefined)
  .map(({ entry, text }) => ({
    risk: FederationRisk.SAML_FOREIGN_AUDIENCE,
    message: `tests '${entry.key}' against '${displayValue(text)}', which is not an AWS sign-in endpoint, so assertions addressed to another service provider are accepted (or, if it is a mistyped endpoint, none are); list the endpoints your IdP posts to, exactly as AWS documents them: ${describeSamlEndpoints()}`,
  })));
