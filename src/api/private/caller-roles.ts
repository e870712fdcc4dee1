// The caller roles of a SecuredApi: their trust, and how their ARNs reach the handlers.
import { Lazy, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { validationError } from '../../errors';
import { IOidcIdentityProvider } from '../../identity/oidc-identity-provider';
import { OidcIssuer } from '../../identity/oidc-issuer';
import { CallerRoleOptions } from '../../roles/caller-role';
import { FederatedRole } from '../../roles/federated-role';
import { FederatedTrust } from '../../roles/federated-trust';
import { Subject } from '../../roles/subject';
import { ENV_CLIENT_CLAIMS } from '../../runtime/contract';

/** The environment variable of a handler's caller role, when it has exactly one. */
export const CALLER_ROLE_ARN_ENV = 'SECURED_API_CALLER_ROLE_ARN';

/** `SECURED_API_CALLER_ROLE_ARN_<NAME>`: the role's id in upper snake case (`OrdersReader` -> `ORDERS_READER`). */
export function callerRoleEnvName(id: string): string {
  const name = id.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '').toUpperCase();
  return `${CALLER_ROLE_ARN_ENV}_${name}`;
}

const STS_THREAT = 'STS needs no AWS credentials: anyone holding a token that satisfies a role\'s trust policy can call AssumeRoleWithWebIdentity directly, bypassing the API, its scope checks and any session policy';

/**
 * Refuses an issuer whose tokens STS cannot take. Cognito user pool access tokens carry no `aud`
 * (the app client ID is in `client_id`), and STS matches `aud` against the provider's client IDs.
 */
export function checkCallerRoleIssuer(where: string, issuer: OidcIssuer): void {
  if (issuer.audienceClaim === 'aud') return;
  throw validationError('SecuredApi.CallerRoleIssuerWithoutAud', `${where}: the API's issuer is ${issuer.name}, whose access tokens carry no 'aud' claim (the app client ID is in '${issuer.audienceClaim}'), and STS AssumeRoleWithWebIdentity matches a token's 'aud' against the IAM OIDC provider's client IDs, so it refuses every access token the API accepts. `
    + 'Exchange the user\'s ID token instead (its \'aud\' is the app client ID): through a Cognito identity pool with this user pool as its identity provider (GetId, then GetCredentialsForIdentity with the ID token; its roles trust cognito-identity.amazonaws.com with the pool ID as \'aud\' and \'amr\' authenticated), or with a FederatedRole on an OidcIdentityProvider for the user pool, whose trust lists the app client IDs as \'aud\'. '
    + 'A client-credentials client gets no ID token from Cognito: give its handler\'s own execution role the permissions instead.');
}

/** Checks that a given IAM OIDC provider is the one of the API's issuer (`SecuredApiProps.identityProvider`). */
export function checkIdentityProvider(where: string, issuer: OidcIssuer, identityProvider: IOidcIdentityProvider): void {
  const theirs = identityProvider.issuer?.conditionKeyPrefix;
  const known = theirs !== undefined && !Token.isUnresolved(theirs) && !Token.isUnresolved(issuer.conditionKeyPrefix);
  if (theirs === undefined || (known && theirs !== issuer.conditionKeyPrefix)) {
    throw validationError('SecuredApi.IdentityProviderOfOtherIssuer', `${where}: identityProvider '${identityProvider.node.path}' is for the issuer '${identityProvider.issuer?.issuerUrl}', not the API's issuer '${issuer.issuerUrl}'; pass the IAM OIDC provider of the API's issuer, e.g. OidcIdentityProvider.fromIssuer(this, 'Provider', issuer).`);
  }
}

/** The checked subjects, or the reason for admitting every subject of the audiences. */
export interface CheckedCallerTrust {
  readonly subjects?: string[];
  readonly anySubjectReason?: string;
}

export function checkCallerTrust(where: string, issuer: OidcIssuer, options: CallerRoleOptions): CheckedCallerTrust {
  const { subjects, allowAnySubjectOfAudience: reason } = options;
  const audiences = Token.isUnresolved(issuer.audiences) ? 'the API\'s audiences' : issuer.audiences.map(a => `'${a}'`).join(', ');
  const fixes = 'pin the callers with subjects: [\'<sub>\'] (exact \'sub\' values, e.g. a client-credentials client\'s subject), '
    + `or, if every subject whose token carries ${audiences} may do all the role allows, set allowAnySubjectOfAudience: '<why every such caller may>'`;
  if (reason !== undefined && (typeof reason !== 'string' || reason.trim() === '')) {
    throw validationError('SecuredApi.EmptyAnySubjectReason', `${where}: allowAnySubjectOfAudience is empty; it is the reason every subject of ${audiences} may assume the role, for reviewers: say why, or pass subjects instead.`);
  }
  if (subjects !== undefined && reason !== undefined) {
    throw validationError('SecuredApi.SubjectsWithAnySubject', `${where}: sets both subjects and allowAnySubjectOfAudience, which contradict each other; keep subjects to admit only those callers, or drop them to admit every subject of ${audiences}.`);
  }
  if (reason !== undefined) return { anySubjectReason: reason.trim() };
  if (subjects === undefined || subjects.length === 0) {
    throw validationError('SecuredApi.CallerRoleWithoutSubjects', `${where}: names no subjects. ${STS_THREAT}; so a caller role admits named subjects, or every subject of the audiences as an accepted risk. Either ${fixes}.`);
  }
  for (const subject of subjects) {
    if (Token.isUnresolved(subject)) continue;
    if (typeof subject !== 'string' || subject.trim() === '' || /[*?]/.test(subject) || subject.includes('${')) {
      throw validationError('SecuredApi.InexactCallerSubject', `${where}: subject ${JSON.stringify(subject)} is empty or has a wildcard or policy variable, but a caller role's subjects are compared exactly (StringEquals); name each subject literally, or, if every subject of ${audiences} is meant, drop subjects and set allowAnySubjectOfAudience: '<why every such caller may>'.`);
    }
  }
  return { subjects: [...subjects] };
}

/**
 * The caller role: aud = the API's audiences (StringEquals), sub = the subjects (StringEquals), or
 * no sub condition with MISSING_SUBJECT accepted.
 */
export function createCallerRole(
  scope: Construct, id: string, provider: IOidcIdentityProvider, issuer: OidcIssuer, options: CallerRoleOptions, trust: CheckedCallerTrust,
): FederatedRole {
  const audiences = [...issuer.audiences];
  return new FederatedRole(scope, id, {
    trust: FederatedTrust.oidc({
      provider,
      audiences,
      subjects: (trust.subjects ?? []).map(s => Subject.exactly(s)),
      anySubjectReason: trust.anySubjectReason === undefined ? undefined
        : `SecuredApi caller role admits every subject whose token carries ${audiences.join(', ')} (allowAnySubjectOfAudience): ${trust.anySubjectReason}`,
    }),
    allowSessionTags: options.sessionTags ?? false,
    allowSourceIdentity: options.sourceIdentity ?? false,
    maxSessionDuration: options.maxSessionDuration,
    roleName: options.roleName,
    description: options.description,
    permissionsBoundary: options.permissionsBoundary,
  });
}

/** Per handler: its caller roles by environment variable, across every SecuredApi of the app. */
const HANDLER_ROLES = new WeakMap<lambda.IFunction, Map<string, FederatedRole>>();
/** Per handler: the client claims (JSON) its caller roles' issuer names the client in. */
const HANDLER_CLIENT_CLAIMS = new WeakMap<lambda.IFunction, string>();

/**
 * Sets `SECURED_API_CALLER_ROLE_ARN_<NAME>` on the handler, `SECURED_API_CALLER_ROLE_ARN` while
 * it has exactly one caller role (rendered lazily, so a second role removes it), and
 * `SECURED_API_CLIENT_CLAIMS`, the issuer profile's client claims.
 */
export function handCallerRole(
  where: string, handler: lambda.IFunction, role: FederatedRole, envName: string, clientClaims: readonly string[],
): void {
  if (!(handler instanceof lambda.Function) && !(handler instanceof lambda.SingletonFunction)) {
    throw validationError('SecuredApi.CallerRoleHandlerNotFunction', `${where} hands caller roles to its handler '${handler.node.path}', which is not a lambda.Function (an alias, a version or an imported function cannot take environment variables); pass the lambda.Function itself as the route's handler, or leave callerRoles out and set ${envName} to the role's ARN where that function is defined.`);
  }
  let roles = HANDLER_ROLES.get(handler);
  if (!roles) {
    roles = new Map();
    HANDLER_ROLES.set(handler, roles);
    const only = roles;
    handler.addEnvironment(CALLER_ROLE_ARN_ENV, Lazy.string({
      produce: () => (only.size === 1 ? [...only.values()][0].roleArn : undefined),
    }));
  }
  // The issuer profile's client claims, for the exchange audit line's client_id (runtime/web-identity).
  const claims = JSON.stringify(clientClaims);
  const handed = HANDLER_CLIENT_CLAIMS.get(handler);
  if (handed !== undefined && handed !== claims) {
    throw validationError('SecuredApi.CallerRolesOfTwoIssuers', `${where} hands its handler '${handler.node.path}' caller roles of an issuer whose tokens name their client in ${claims}, but the handler already has caller roles of an issuer that names it in ${handed}; serve the routes of the two issuers with different handlers.`);
  }
  if (handed === undefined) {
    HANDLER_CLIENT_CLAIMS.set(handler, claims);
    handler.addEnvironment(ENV_CLIENT_CLAIMS, claims);
  }
  const existing = roles.get(envName);
  if (existing === role) return;
  if (existing) {
    throw validationError('SecuredApi.CallerRoleEnvTaken', `${where} hands its handler '${handler.node.path}' the caller role '${role.node.path}' as ${envName}, which already holds '${existing.node.path}'; give the roles ids that differ in upper snake case.`);
  }
  roles.set(envName, role);
  handler.addEnvironment(envName, role.roleArn);
}
