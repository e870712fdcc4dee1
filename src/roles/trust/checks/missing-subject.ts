import { Finding, TrustStatement } from '../statement';
import { hasAmrCondition, providerName, TrustRule } from './shared';
import { defineRule } from '../../../rules/rule';
import { FederationRisk } from '../../federation-risk';

/** An OIDC trust must condition on the subject key (Cognito identity pools: or on `amr`). */
export const missingSubject: TrustRule = defineRule<TrustStatement, Finding>('FederationGuard.MissingSubject', 'an OIDC trust conditions on the provider\'s subject key (a Cognito identity pool: or on amr)', s => s.opaqueCondition ? [] : s.oidcTargets
  .filter(t => t.subjectEntries.length === 0 && !(t.cognitoIdentityPool && hasAmrCondition(s, t)))
  .map(t => {
    const scheme = t.scheme;
    const cognito = t.cognitoIdentityPool ? ` (for an identity pool, or a ForAnyValue:StringLike condition on '${t.host}:amr', e.g. 'authenticated')` : '';
    return {
      risk: FederationRisk.MISSING_SUBJECT,
      message: `trusts the ${providerName(t)} without a condition on '${t.subjectKey}', so every identity of that provider${scheme ? ` (every ${scheme.issuer} identity, of every owner)` : ''} can assume the role; add a StringEquals (or StringLike) condition on '${t.subjectKey}' naming the subjects${scheme ? `, e.g. '${scheme.example}'` : ''}${cognito}`,
    };
  }));
