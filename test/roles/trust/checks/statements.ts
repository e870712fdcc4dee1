// Trust statements for the tests of one trust rule each: parsed from literal documents, as
// FederationGuard parses a role's resolved trust policy.
import { App, Stack } from 'aws-cdk-lib';
import { StackTrustReader } from '../../../../src/roles/trust/stack-reader';
import { parseTrustPolicy, TrustStatement } from '../../../../src/roles/trust/statement';

export const GITHUB = 'token.actions.githubusercontent.com';
export const GITHUB_ARN = `arn:aws:iam::123456789012:oidc-provider/${GITHUB}`;
export const AUTH0 = 'acme.eu.auth0.com/';
export const AUTH0_ARN = `arn:aws:iam::123456789012:oidc-provider/${AUTH0}`;
export const SAML_ARN = 'arn:aws:iam::123456789012:saml-provider/Okta';

/** A tight GitHub Actions trust: exact audience, one repository's branch. */
export const TIGHT_GITHUB = {
  StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com', [`${GITHUB}:sub`]: 'repo:acme/orders:ref:refs/heads/main' },
};

/** A tight SAML trust: the AWS sign-in endpoint as audience. */
export const TIGHT_SAML = { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } };

/** An `sts:AssumeRoleWithWebIdentity` statement of `principal` (the GitHub provider by default). */
export function webIdentity(condition: unknown, principal: unknown = { Federated: GITHUB_ARN }): Record<string, unknown> {
  return { Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRoleWithWebIdentity', ...(condition === undefined ? {} : { Condition: condition }) };
}

/** An `sts:AssumeRoleWithSAML` statement of a SAML provider. */
export function saml(condition: unknown): Record<string, unknown> {
  return { Effect: 'Allow', Principal: { Federated: SAML_ARN }, Action: 'sts:AssumeRoleWithSAML', ...(condition === undefined ? {} : { Condition: condition }) };
}

/** The one federating statement of a trust policy holding `statement`, read in a fresh stack. */
export function statementOf(statement: Record<string, unknown>, stack: Stack = new Stack(new App(), 'Stack')): TrustStatement {
  const parsed = parseTrustPolicy({ Version: '2012-10-17', Statement: [statement] }, new StackTrustReader(stack));
  if (parsed.statements.length !== 1) {
    throw new Error(`expected one federating statement, parsed ${parsed.statements.length}`);
  }
  return parsed.statements[0];
}
