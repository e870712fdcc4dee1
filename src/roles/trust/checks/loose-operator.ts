import { Finding, TrustStatement } from '../statement';
import { identityEntries, TrustRule } from './shared';
import { defineRule } from '../../../rules/rule';
import { FederationRisk } from '../../federation-risk';

/** `aud`/`sub` (and `SAML:aud`/`SAML:sub`) only with plain StringEquals or StringLike. */
export const looseOperator: TrustRule = defineRule<TrustStatement, Finding>('FederationGuard.LooseOperator', 'audience and subject keys are tested with plain StringEquals or StringLike only', s => identityEntries(s)
  .filter(e => !e.setQualifier && e.baseOperator !== 'StringEquals' && e.baseOperator !== 'StringLike')
  .map(e => ({
    risk: FederationRisk.LOOSE_OPERATOR,
    message: `tests '${e.key}' with '${e.operator}', which accepts values other than the listed ones (or a missing claim); use StringEquals (or StringLike) with the accepted values`,
  })));
