// One small check per FederationRisk, each over one parsed statement (the shape of cdk-nag's one rule
// per file, kept in one file because each is a few lines). A check returns its findings; it never
// decides what other checks report.
import { unsupportedKeyReason } from './condition-keys';
import { displayValue, firstWildcard, hasPolicyVariable, hasTokenMark, isWildcardOnly } from './iam-string';
import { describeSamlEndpoints, partitionOfSamlEndpoint } from './saml-endpoints';
import { ConditionEntry, Finding, isProviderNamespace, OidcTarget, SAML_ACTION, TrustStatement, WEB_IDENTITY_ACTION } from './statement';
import { classifySubjectPattern, describeSubjectRisk } from './subject-scheme';
import { FederationRisk } from '../federation-risk';

/** SAML keys that hold one value per assertion (others, e.g. `SAML:eduPersonAffiliation`, are multi-valued). */
const SINGLE_VALUED_SAML_CLAIMS = ['aud', 'sub', 'sub_type', 'iss', 'namequalifier', 'doc'];

/** One check of a trust statement. */
export type TrustCheck = (statement: TrustStatement) => Finding[];

/** `sts:AssumeRoleWith*` granted to everyone. */
export const publicPrincipal: TrustCheck = s => {
  if (!s.isPublic || (!s.grantsWebIdentity && !s.grantsSaml)) return [];
  const granted = [s.grantsWebIdentity ? WEB_IDENTITY_ACTION : undefined, s.grantsSaml ? SAML_ACTION : undefined].filter(a => a !== undefined);
  return [{
    risk: FederationRisk.PUBLIC_PRINCIPAL,
    message: `grants ${granted.join(' and ')} to everyone ('*', 'AWS: *', 'Federated: *' or a NotPrincipal); name the identity provider's ARN as the only Federated principal`,
  }];
};

/** Parts of the trust only known at deploy time: never a silent pass. */
export const deployTimeValue: TrustCheck = s => {
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
};

/** `${...}` in a condition value is filled in from the request itself. */
export const policyVariable: TrustCheck = s => federationEntries(s)
  .flatMap(entry => entry.values.filter(v => !v.deployTime && hasPolicyVariable(v.text)).map(v => ({
    risk: FederationRisk.POLICY_VARIABLE,
    message: `tests '${entry.key}' against '${displayValue(v.text)}', which holds an IAM policy variable ('\${...}'), filled in from the request itself, so the caller's own claims satisfy it; write the value literally (for a literal '*', '?' or '$' use '\${*}', '\${?}', '\${$}')`,
  })));

/** An OIDC trust must condition on the audience key. */
export const missingAudience: TrustCheck = s => s.opaqueCondition ? [] : s.oidcTargets
  .filter(t => t.audienceEntries.length === 0)
  .map(t => ({
    risk: FederationRisk.MISSING_AUDIENCE,
    message: `trusts the ${providerName(t)} without a condition on '${t.audienceKey}', so tokens minted for any client of that provider are accepted; add a StringEquals condition on '${t.audienceKey}' listing the expected audiences`,
  }));

/** An OIDC trust must condition on the subject key (Cognito identity pools: or on `amr`). */
export const missingSubject: TrustCheck = s => s.opaqueCondition ? [] : s.oidcTargets
  .filter(t => t.subjectEntries.length === 0 && !(t.cognitoIdentityPool && hasAmrCondition(s, t)))
  .map(t => {
    const scheme = t.scheme;
    const cognito = t.cognitoIdentityPool ? ` (for an identity pool, or a ForAnyValue:StringLike condition on '${t.host}:amr', e.g. 'authenticated')` : '';
    return {
      risk: FederationRisk.MISSING_SUBJECT,
      message: `trusts the ${providerName(t)} without a condition on '${t.subjectKey}', so every identity of that provider${scheme ? ` (every ${scheme.issuer} identity, of every owner)` : ''} can assume the role; add a StringEquals (or StringLike) condition on '${t.subjectKey}' naming the subjects${scheme ? `, e.g. '${scheme.example}'` : ''}${cognito}`,
    };
  });

/** `aud`/`sub` (and `SAML:aud`/`SAML:sub`) only with plain StringEquals or StringLike. */
export const looseOperator: TrustCheck = s => identityEntries(s)
  .filter(e => !e.setQualifier && e.baseOperator !== 'StringEquals' && e.baseOperator !== 'StringLike')
  .map(e => ({
    risk: FederationRisk.LOOSE_OPERATOR,
    message: `tests '${e.key}' with '${e.operator}', which accepts values other than the listed ones (or a missing claim); use StringEquals (or StringLike) with the accepted values`,
  }));

/** Set operators only on the multi-valued `amr`. */
export const setOperatorOnSingleValuedKey: TrustCheck = s => federationEntries(s)
  .filter(e => e.setQualifier && (e.namespace === 'saml' ? SINGLE_VALUED_SAML_CLAIMS.includes(e.claim) : e.claim !== 'amr'))
  .map(e => ({
    risk: FederationRisk.SET_OPERATOR_ON_SINGLE_VALUED_KEY,
    message: `uses '${e.operator}' on '${e.key}', a single-valued key (ForAllValues is also true when the claim is missing); use plain ${e.baseOperator} instead`,
  }));

/** Audiences are exact values: no wildcard anywhere. */
export const wildcardAudience: TrustCheck = s => {
  const audiences = [...s.oidcTargets.flatMap(t => t.audienceEntries), ...(s.isSaml ? samlEntries(s, 'aud') : [])];
  return likeValues(audiences)
    .filter(({ value }) => firstWildcard(value) >= 0)
    .map(({ entry, value }) => ({
      risk: FederationRisk.WILDCARD_AUDIENCE,
      message: `matches '${entry.key}' against '${displayValue(value)}', which has a wildcard though audiences are exact values, so ${isWildcardOnly(value) ? 'every audience matches' : 'audiences of other applications can match'}; list each expected audience with StringEquals`,
    }));
};

/** `sub` patterns: wildcards only after the issuer's fixed prefix (three risks, one classification). */
export const subjectPattern: TrustCheck = s => s.oidcTargets.flatMap(t => likeValues(t.subjectEntries)
  .map(({ entry, value }) => ({ entry, value, risk: classifySubjectPattern(value, t.scheme) }))
  .filter(c => c.risk !== undefined)
  .map(({ entry, value, risk }) => ({ risk: risk!, message: describeSubjectRisk(risk!, entry.key, displayValue(value), t.scheme) })));

/** A key of another provider than the principal constrains nothing. */
export const foreignConditionKey: TrustCheck = s => {
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
};

/** A SAML trust must condition on `SAML:aud`. */
export const samlMissingAudience: TrustCheck = s => !s.isSaml || s.opaqueCondition || samlEntries(s, 'aud').length > 0 ? [] : [{
  risk: FederationRisk.SAML_MISSING_AUDIENCE,
  message: "trusts a SAML provider without a 'SAML:aud' condition, so assertions not addressed to your AWS sign-in endpoint are accepted; add a StringEquals condition on 'SAML:aud' with the sign-in endpoint, e.g. 'https://signin.aws.amazon.com/saml'",
}];

/**
 * `SAML:aud` holds exact sign-in endpoints of AWS. Values only known at deploy time, patterns with a
 * wildcard and policy variables have their own checks; a lookup in a mapping of the stack has each of
 * its values checked; an identifier (a reference to a pseudo parameter or a resource) cannot be read.
 */
export const samlForeignAudience: TrustCheck = s => !s.isSaml ? [] : samlEntries(s, 'aud')
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
  }));

/** Keys IAM does not have make a role nobody can assume, and check nothing. */
export const unsupportedConditionKey: TrustCheck = s => s.oidcTargets.flatMap(t => s.conditions
  .filter(e => t.host !== undefined && t.ofProvider(e))
  .map(e => ({ e, reason: unsupportedKeyReason(t.host!, e.claim) }))
  .filter(({ reason }) => reason !== undefined)
  .map(({ e, reason }) => ({
    risk: FederationRisk.UNSUPPORTED_CONDITION_KEY,
    message: `conditions on '${e.key}', but ${reason}; a condition on a missing key never holds, so nobody could assume the role. Remove it or use one of those keys`,
  })));

/** Every check, in the order their findings are reported. */
export const TRUST_CHECKS: TrustCheck[] = [
  publicPrincipal,
  deployTimeValue,
  policyVariable,
  missingAudience,
  missingSubject,
  looseOperator,
  setOperatorOnSingleValuedKey,
  wildcardAudience,
  subjectPattern,
  foreignConditionKey,
  samlMissingAudience,
  samlForeignAudience,
  unsupportedConditionKey,
];

/** Conditions on provider or SAML keys of a federating statement. */
function federationEntries(s: TrustStatement): ConditionEntry[] {
  if (!s.isOidc && !s.isSaml) return [];
  return s.conditions.filter(e => isProviderNamespace(e.namespace) || (s.isSaml && e.namespace === 'saml'));
}

/** The audience and subject conditions, which must use plain StringEquals/StringLike. */
function identityEntries(s: TrustStatement): ConditionEntry[] {
  const oidc = s.oidcTargets.flatMap(t => [...t.audienceEntries, ...t.subjectEntries]);
  return [...new Set([...oidc, ...(s.isSaml ? [...samlEntries(s, 'aud'), ...samlEntries(s, 'sub')] : [])])];
}

function samlEntries(s: TrustStatement, claim: string): ConditionEntry[] {
  return s.conditions.filter(e => e.namespace === 'saml' && e.claim === claim);
}

/** The readable, variable-free values of StringLike entries: the ones whose wildcards count. */
function likeValues(entries: ConditionEntry[]): Array<{ entry: ConditionEntry; value: string }> {
  return [...new Set(entries)]
    .filter(e => !e.setQualifier && e.baseOperator === 'StringLike')
    .flatMap(entry => entry.values.filter(v => !v.deployTime && !hasPolicyVariable(v.text)).map(v => ({ entry, value: v.text })));
}

/** Cognito identity pools: a ForAnyValue condition on `amr` whose values are literal (no wildcard). */
function hasAmrCondition(s: TrustStatement, t: OidcTarget): boolean {
  return s.conditions.some(e => t.ofProvider(e) && e.claim === 'amr' && e.values.length > 0
    && e.values.every(v => !v.deployTime && !hasPolicyVariable(v.text) && (e.baseOperator !== 'StringLike' || firstWildcard(v.text) < 0)));
}

function providerName(t: OidcTarget): string {
  return t.host ? `OIDC provider '${displayValue(t.host)}'` : 'OIDC provider';
}
