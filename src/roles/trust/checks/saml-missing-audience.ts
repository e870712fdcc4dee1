import { Finding, TrustStatement } from '../statement';
import { samlEntries, TrustRule } from './shared';
import { defineRule } from '../../../rules/rule';
import { FederationRisk } from '../../federation-risk';

/** A SAML trust must condition on `SAML:aud`. */
export const samlMissingAudience: TrustRule = defineRule<TrustStatement, Finding>('FederationGuard.SamlMissingAudience', 'a SAML trust conditions on SAML:aud', s => !s.isSaml || s.opaqueCondition || samlEntries(s, 'aud').length > 0 ? [] : [{
  risk: FederationRisk.SAML_MISSING_AUDIENCE,
  message: "trusts a SAML provider without a 'SAML:aud' condition, so assertions not addressed to your AWS sign-in endpoint are accepted; add a StringEquals condition on 'SAML:aud' with the sign-in endpoint, e.g. 'https://signin.aws.amazon.com/saml'",
}]);
