import { hasTokenMark } from '../iam-string';
import { Finding, TrustStatement } from '../statement';
import { federationEntries, TrustRule } from './shared';
import { defineRule } from '../../../rules/rule';
import { FederationRisk } from '../../federation-risk';

/** Parts of the trust only known at deploy time: never a silent pass. */
export const deployTimeValue: TrustRule = defineRule<TrustStatement, Finding>('FederationGuard.DeployTimeValue', 'every part of a federating statement (keys, values) can be read at synth, not only at deployment', s => {
  const findings: Finding[] = s.deployTimeParts.map(part => ({
    risk: FederationRisk.DEPLOY_TIME_VALUE,
    message: `cannot be checked at synth: ${part}, so a loose value (e.g. '*' or a policy variable) would go unnoticed; write it as literal values, or accept DEPLOY_TIME_VALUE on this role if the deploy-time value is trusted`,
  }));
  for (const entry of federationEntries(s)) {
    if (hasTokenMark(entry.namespace) && !s.oidcTargets.some(t => t.host === entry.namespace)) {
      findings.push({
        risk: FederationRisk.DEPLOY_TIME_VALUE,
        message: `conditions on '${entry.key}', whose provider part is only known at deploy time and cannot be matched to the principal's provider; write the key literally`,
      });
    }
    if (entry.values.some(v => v.deployTime)) {
      findings.push({
        risk: FederationRisk.DEPLOY_TIME_VALUE,
        message: `tests '${entry.key}' against a value only known at deploy time (a parameter, an import, Fn::If...), which could be '*' or a policy variable; write the value literally, or accept DEPLOY_TIME_VALUE on this role if that value is trusted`,
      });
    }
  }
  return findings;
});
