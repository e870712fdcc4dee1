import { Finding, SAML_ACTION, TrustStatement, WEB_IDENTITY_ACTION } from '../statement';
import { TrustRule } from './shared';
import { defineRule } from '../../../rules/rule';
import { FederationRisk } from '../../federation-risk';

/** `sts:AssumeRoleWith*` granted to everyone. */
export const publicPrincipal: TrustRule = defineRule<TrustStatement, Finding>('FederationGuard.PublicPrincipal', 'sts:AssumeRoleWith* is not granted to everyone (\'*\', \'AWS: *\', \'Federated: *\', NotPrincipal)', s => {
  if (!s.isPublic || (!s.grantsWebIdentity && !s.grantsSaml)) return [];
  const granted = [s.grantsWebIdentity ? WEB_IDENTITY_ACTION : undefined, s.grantsSaml ? SAML_ACTION : undefined].filter(a => a !== undefined);
  return [{
    risk: FederationRisk.PUBLIC_PRINCIPAL,
    message: `grants ${granted.join(' and ')} to everyone ('*', 'AWS: *', 'Federated: *' or a NotPrincipal); name the identity provider's ARN as the only Federated principal`,
  }];
});
