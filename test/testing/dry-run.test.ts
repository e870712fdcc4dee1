// docs/environments.md shows this file, with its imports from 'cdk-secured-api' and
// 'cdk-secured-api/testing' (test/testing/environments-doc.test.ts keeps the two the same).
import { App, Aspects, Stack, Stage } from 'aws-cdk-lib';
import { FederatedRole, FederatedTrust, FederationGuard, OidcIdentityProvider, OidcIssuer, RoleEnvironment, Subject } from '../../src';
import { TrustSimulator, WebIdentityCaller } from '../../src/testing';

/** Staging and prod, each a Stage with the deploy role of acme/orders. */
function deployRoles(): App {
  const app = new App();
  for (const environment of [RoleEnvironment.nonProduction('staging'), RoleEnvironment.production('prod')]) {
    const stage = new Stage(app, environment.label, { env: { account: '111122223333', region: 'eu-west-1' } });
    const stack = new Stack(stage, 'Deploy');
    const github = new OidcIdentityProvider(stack, 'GitHub', { issuer: OidcIssuer.githubActions() });
    new FederatedRole(stack, 'Role', {
      trust: FederatedTrust.oidc({
        provider: github,
        // prod: jobs of the main branch; staging: jobs of the GitHub environment 'staging'.
        subjects: [environment.isProduction ? Subject.githubBranch('acme/orders', 'main') : Subject.githubEnvironment('acme/orders', 'staging')],
      }),
      environment,
    });
  }
  Aspects.of(app).add(new FederationGuard());
  return app;
}

/** A GitHub Actions token of acme/orders, as STS sees it once verified. */
function githubToken(sub: string): WebIdentityCaller {
  return { kind: 'webIdentity', claims: { iss: 'https://token.actions.githubusercontent.com', aud: 'sts.amazonaws.com', sub } };
}

describe('who can assume the deploy roles (dry run, no AWS)', () => {
  const sts = TrustSimulator.fromCloudAssembly(deployRoles().synth().directory);

  test('a staging token cannot assume the prod role', () => {
    const staging = githubToken('repo:acme/orders:environment:staging');
    expect(sts.evaluate(staging, 'staging/Deploy/Role').decision).toBe('allowed');
    expect(sts.evaluate(staging, 'prod/Deploy/Role').decision).toBe('refused');
  });

  test('the prod deploy role: branch main can, branch dev cannot', () => {
    expect(sts.evaluate(githubToken('repo:acme/orders:ref:refs/heads/main'), 'prod/Deploy/Role').decision).toBe('allowed');
    const dev = sts.evaluate(githubToken('repo:acme/orders:ref:refs/heads/dev'), 'prod/Deploy/Role');
    expect(dev.decision).toBe('refused');
    expect(dev.reasons.join('\n')).toContain("'token.actions.githubusercontent.com:sub' is 'repo:acme/orders:ref:refs/heads/dev'");
  });

  test('no other repository can assume any role of the app', () => {
    expect(sts.assumableRoles(githubToken('repo:evil/orders:ref:refs/heads/main'))).toEqual([]);
  });
});
