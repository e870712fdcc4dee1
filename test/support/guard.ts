import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { FederationGuard } from '../../src';

export const GITHUB = 'token.actions.githubusercontent.com';
export const GITHUB_ARN = `arn:aws:iam::123456789012:oidc-provider/${GITHUB}`;
export const SAML_ARN = 'arn:aws:iam::123456789012:saml-provider/Corp';

/** A stack in an app that has a FederationGuard. */
export function guardedStack(): Stack {
  const app = new App();
  Aspects.of(app).add(new FederationGuard());
  return new Stack(app, 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
}

/** A plain iam.Role trusting `federated` for web identities under `conditions`. */
export function webIdentityRole(stack: Stack, conditions: Record<string, unknown>, federated: string = GITHUB_ARN, id = 'Role'): iam.Role {
  return new iam.Role(stack, id, { assumedBy: new iam.FederatedPrincipal(federated, conditions, 'sts:AssumeRoleWithWebIdentity') });
}

/** The error annotations of the stack (synthesizing it). */
export function errors(stack: Stack): string[] {
  return Annotations.fromStack(stack).findError('*', Match.anyValue()).map(e => String(e.entry.data));
}

/** The one error annotation of the stack. */
export function onlyError(stack: Stack): string {
  const found = errors(stack);
  expect(found).toHaveLength(1);
  return found[0];
}
