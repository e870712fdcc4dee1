import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Aspects, Stack, Stage, Tags } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as fc from 'fast-check';
import {
  FederatedRole,
  FederatedTrust,
  FederationGuard,
  FederationRisk,
  ISamlIdentityProvider,
  OidcIdentityProvider,
  OidcIssuer,
  RoleEnvironment,
  SamlEnvironmentSeparation,
  SamlIdentityProvider,
  SamlMetadata,
  Subject,
} from '../../src';
import { patternsIntersect } from '../../src/roles/trust/environments';
import { SamlCaller, TrustSimulator, WebIdentityCaller } from '../../src/testing';
import { ErrorCodes } from '../support/error-codes';

const codes = new ErrorCodes();

// Issue 17, part 1: roles of different environments must not accept the same token or assertion, in
// IAM: a SAML role of an environment needs that environment's session tag (or a provider of its own), and
// synth fails (FederationRisk.CROSS_ENVIRONMENT_TRUST) when two roles of different environments anywhere
// in the app (every Stage) trust the same provider with nothing that tells their callers apart.

const GITHUB = 'token.actions.githubusercontent.com';
const SAML_ENDPOINT = 'https://signin.aws.amazon.com/saml';
const METADATA = readFileSync(join(__dirname, '..', 'identity', 'fixtures', 'idp-metadata.xml'), 'utf8');
/** The same document with another certificate (a changed byte: an IdP application with its own key). */
const OTHER_METADATA = METADATA.replace('MIIDFTCCAf2gAwIBAgIU', 'MIIDFTCCAf2gAwIBAgIV');
const ENV = { account: '111122223333', region: 'eu-west-1' };

function app(): { app: App; stack: Stack } {
  const root = new App();
  return { app: root, stack: new Stack(root, 'Identity', { env: ENV }) };
}

type Separation = SamlEnvironmentSeparation | undefined;

function samlRole(stack: Stack, id: string, provider: ISamlIdentityProvider, environment: RoleEnvironment, separation?: Separation): FederatedRole {
  return new FederatedRole(stack, id, { trust: FederatedTrust.saml({ provider, environmentSeparation: separation }), environment });
}

const STAGING = RoleEnvironment.nonProduction('staging');
const PROD = RoleEnvironment.production('prod');

describe('a SAML FederatedRole with an environment', () => {
  test('should require the environment session tag by default, and accept no other session tag', () => {
    // GIVEN
    const { stack } = app();
    const provider = SamlIdentityProvider.fromSamlProviderArn(stack, 'Corp', 'arn:aws:iam::111122223333:saml-provider/Corp');

    // WHEN
    samlRole(stack, 'Prod', provider, PROD);

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'],
          Principal: { Federated: 'arn:aws:iam::111122223333:saml-provider/Corp' },
          Condition: {
            'StringEquals': { 'SAML:aud': SAML_ENDPOINT, 'aws:RequestTag/environment': 'prod' },
            'ForAllValues:StringEquals': { 'aws:TagKeys': 'environment' },
          },
        }],
      },
    });
  });

  test('should leave other session tags to allowSessionTags', () => {
    // GIVEN
    const { stack } = app();
    const provider = SamlIdentityProvider.fromSamlProviderArn(stack, 'Corp', 'arn:aws:iam::111122223333:saml-provider/Corp');

    // WHEN
    new FederatedRole(stack, 'Prod', { trust: FederatedTrust.saml({ provider }), environment: PROD, allowSessionTags: true });

    // THEN
    const [role] = Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::Role'));
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Condition).toEqual({ StringEquals: { 'SAML:aud': SAML_ENDPOINT, 'aws:RequestTag/environment': 'prod' } });
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Action).toEqual(['sts:AssumeRoleWithSAML', 'sts:TagSession']);
  });

  test('should write no extra condition for a dedicated provider, and refuse a separation without an environment', () => {
    // GIVEN
    const { stack } = app();
    const provider = new SamlIdentityProvider(stack, 'Corp', { metadata: SamlMetadata.fromXml(METADATA) });

    // WHEN
    samlRole(stack, 'Prod', provider, PROD, SamlEnvironmentSeparation.dedicatedProvider());

    // THEN
    const [role] = Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::Role'));
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Condition).toEqual({ StringEquals: { 'SAML:aud': SAML_ENDPOINT } });
    codes.expectThrows(() => new FederatedRole(stack, 'NoEnv', { trust: FederatedTrust.saml({ provider, environmentSeparation: SamlEnvironmentSeparation.sessionTag() }) }),
      'FederatedRole.SeparationWithoutEnvironment', /FederatedRole 'Identity\/NoEnv' sets environmentSeparation on a SAML trust, but the role has no environment; pass environment/);
  });

  test('should let one provider serve staging and prod with session tags: STS refuses a staging assertion for the prod role', () => {
    // GIVEN
    const { app: root, stack } = app();
    const provider = new SamlIdentityProvider(stack, 'Corp', { metadata: SamlMetadata.fromXml(METADATA), name: 'Corp' });
    samlRole(stack, 'Staging', provider, STAGING);
    samlRole(stack, 'Prod', provider, PROD);
    Aspects.of(root).add(new FederationGuard());

    // WHEN
    const sts = TrustSimulator.fromCloudAssembly(root.synth().directory);
    const assertion = (environment?: string): SamlCaller => ({ kind: 'saml', provider: 'Identity/Corp', attributes: { aud: SAML_ENDPOINT }, sessionTags: environment ? { environment } : undefined });

    // THEN
    expect(sts.evaluate(assertion('staging'), 'Identity/Staging').decision).toBe('allowed');
    expect(sts.evaluate(assertion('staging'), 'Identity/Prod').decision).toBe('refused');
    expect(sts.evaluate(assertion('prod'), 'Identity/Prod').decision).toBe('allowed');
    expect(sts.evaluate(assertion(), 'Identity/Prod').decision).toBe('refused');
    expect(sts.evaluate({ ...assertion('prod'), sessionTags: { environment: 'prod', team: 'x' } }, 'Identity/Prod').decision).toBe('refused');
  });

  test('should fail synth when staging and prod each claim a dedicated provider but share one', () => {
    // GIVEN
    const { app: root, stack } = app();
    const provider = new SamlIdentityProvider(stack, 'Corp', { metadata: SamlMetadata.fromXml(METADATA) });

    // WHEN
    samlRole(stack, 'Staging', provider, STAGING, SamlEnvironmentSeparation.dedicatedProvider());
    samlRole(stack, 'Prod', provider, PROD, SamlEnvironmentSeparation.dedicatedProvider());

    // THEN
    expect(() => root.synth()).toThrow(new RegExp(
      "\\[CROSS_ENVIRONMENT_TRUST\\] role 'Identity/Staging' \\(environment 'staging'\\) and role 'Identity/Prod' \\(environment 'prod'\\) accept the same assertion: "
      + "both trust the SAML provider 'Identity/Corp' and every condition key both test admits a common value \\('SAML:aud' StringEquals 'https://signin.aws.amazon.com/saml'",
    ));
    expect(() => root.synth()).toThrow(/SamlEnvironmentSeparation.sessionTag\(\), the default/);
    expect(() => root.synth()).toThrow(`[${codes.saw('FederationGuard.CrossEnvironmentTrust')}]`);
  });

  test('should pass dedicated providers whose metadata holds different keys, and fail ones that share a key or cannot be read', () => {
    // GIVEN
    const build = (stagingXml: string | undefined, prodXml: string) => {
      const { app: root, stack } = app();
      const staging = stagingXml === undefined
        ? SamlIdentityProvider.fromSamlProviderArn(stack, 'StagingIdp', 'arn:aws:iam::111122223333:saml-provider/Staging')
        : new SamlIdentityProvider(stack, 'StagingIdp', { metadata: SamlMetadata.fromXml(stagingXml) });
      const prod = new SamlIdentityProvider(stack, 'ProdIdp', { metadata: SamlMetadata.fromXml(prodXml) });
      samlRole(stack, 'Staging', staging, STAGING, SamlEnvironmentSeparation.dedicatedProvider());
      samlRole(stack, 'Prod', prod, PROD, SamlEnvironmentSeparation.dedicatedProvider());
      return root;
    };

    // THEN
    expect(() => build(OTHER_METADATA, METADATA).synth()).not.toThrow();
    expect(() => build(METADATA.replace('idp.example.com/saml', 'idp.example.com/other'), METADATA).synth()).toThrow(/CROSS_ENVIRONMENT_TRUST/);
    expect(() => build(undefined, METADATA).synth()).toThrow(/CROSS_ENVIRONMENT_TRUST.*arn:aws:iam::111122223333:saml-provider\/Staging/);
  });

  test('should be silenced by accepting CROSS_ENVIRONMENT_TRUST on either role', () => {
    // GIVEN
    const { app: root, stack } = app();
    const provider = new SamlIdentityProvider(stack, 'Corp', { metadata: SamlMetadata.fromXml(METADATA) });
    samlRole(stack, 'Staging', provider, STAGING, SamlEnvironmentSeparation.dedicatedProvider());
    const prod = samlRole(stack, 'Prod', provider, PROD, SamlEnvironmentSeparation.dedicatedProvider());

    // WHEN
    FederationGuard.acceptRisk(prod, FederationRisk.CROSS_ENVIRONMENT_TRUST, 'break-glass role, reviewed');

    // THEN
    expect(() => root.synth()).not.toThrow();
  });
});

describe('OIDC roles of different environments, across Stages', () => {
  /** Staging and prod Stages, each a stack with one role trusting `issuer`'s provider; labelled by a tag on the Stage. */
  function stages(trust: (stage: string, provider: OidcIdentityProvider) => FederatedTrust, issuer = () => OidcIssuer.githubActions()): App {
    const root = new App();
    for (const name of ['Staging', 'Prod']) {
      const stage = new Stage(root, name, { env: ENV });
      const stack = new Stack(stage, 'Deploy');
      new FederatedRole(stack, 'Role', { trust: trust(name, new OidcIdentityProvider(stack, 'Provider', { issuer: issuer() })) });
      Tags.of(stage).add('environment', name.toLowerCase());
    }
    Aspects.of(root).add(new FederationGuard());
    return root;
  }

  test('should fail synth when the staging role\'s subject pattern also matches the prod environment\'s jobs', () => {
    // GIVEN
    const root = stages((stage, provider) => FederatedTrust.oidc({
      provider,
      subjects: [stage === 'Prod' ? Subject.githubEnvironment('acme/app', 'prod') : Subject.pattern('repo:acme/app:*')],
    }));

    // THEN
    expect(() => root.synth()).toThrow(new RegExp(
      "\\[CROSS_ENVIRONMENT_TRUST\\] role 'Staging/Deploy/Role' \\(environment 'staging'\\) and role 'Prod/Deploy/Role' \\(environment 'prod'\\) accept the same token: "
      + `both trust the OIDC provider '${GITHUB.replace(/\./g, '\\.')}' and every condition key both test admits a common value`,
    ));
  });

  test('should pass GitHub subjects that name each environment', () => {
    // GIVEN
    const root = stages((stage, provider) => FederatedTrust.oidc({ provider, subjects: [Subject.githubEnvironment('acme/app', stage.toLowerCase())] }));

    // THEN
    expect(() => root.synth()).not.toThrow();
  });

  test('should compare audiences of any issuer: one audience and subject for both fails, an audience each passes', () => {
    // GIVEN
    const issuer = () => OidcIssuer.fromUrl('https://login.example.com', { audiences: ['api://orders'] });
    const shared = stages((_, provider) => FederatedTrust.oidc({ provider, subjects: [Subject.exactly('client-1')] }), issuer);
    const split = stages((stage, provider) => FederatedTrust.oidc({ provider, audiences: [`api://orders-${stage.toLowerCase()}`], subjects: [Subject.exactly('client-1')] }), issuer);

    // THEN
    expect(() => shared.synth()).toThrow(/CROSS_ENVIRONMENT_TRUST.*'login\.example\.com:aud' StringEquals 'api:\/\/orders' and StringEquals 'api:\/\/orders'/);
    expect(() => split.synth()).not.toThrow();
  });

  test('should be checked by a FederatedRole with an environment even without the guard', () => {
    // GIVEN
    const { app: root, stack } = app();
    const provider = new OidcIdentityProvider(stack, 'GitHub', { issuer: OidcIssuer.githubActions() });

    // WHEN
    new FederatedRole(stack, 'Staging', { trust: FederatedTrust.oidc({ provider, subjects: [Subject.githubBranch('acme/app', 'main')] }), environment: STAGING });
    new FederatedRole(stack, 'Prod', { trust: FederatedTrust.oidc({ provider, subjects: [Subject.githubBranch('acme/app', 'main')] }), environment: PROD });

    // THEN
    expect(() => root.synth()).toThrow(/CROSS_ENVIRONMENT_TRUST.*'Identity\/Staging'.*'Identity\/Prod'/);
  });
});

describe('environment separation, generated', () => {
  test('should decide pattern intersection as brute force over short strings does', () => {
    const part = fc.constantFrom('a', 'b', '*', '?');
    const toParts = (p: string[]) => p.map(c => (c === '*' ? { star: true as const } : c === '?' ? { one: true as const } : { literal: c }));
    const like = (p: string[], s: string) => new RegExp(`^${p.map(c => (c === '*' ? '.*' : c === '?' ? '.' : c)).join('')}$`).test(s);
    const strings: string[] = [''];
    for (let length = 1; length <= 6; length++) strings.push(...strings.filter(s => s.length === length - 1).flatMap(s => [`${s}a`, `${s}b`, `${s}c`]));
    fc.assert(fc.property(fc.array(part, { maxLength: 3 }), fc.array(part, { maxLength: 3 }), (a, b) => {
      expect(patternsIntersect(toParts(a), toParts(b))).toBe(strings.some(s => like(a, s) && like(b, s)));
    }), { numRuns: 300 });
  });

  test('should never pass synth for two environments\' roles that one caller can both assume (checked by the simulator)', () => {
    const subject = fc.constantFrom('repo:acme/app:environment:prod', 'repo:acme/app:environment:staging', 'repo:acme/app:ref:refs/heads/main', 'repo:acme/app:*', 'repo:acme/app:ref:refs/heads/*', 'repo:acme/app:environment:*');
    const audiences = fc.subarray(['sts.amazonaws.com', 'api://a'], { minLength: 1 });
    let passed = 0;
    const subjectList = fc.array(subject, { minLength: 1, maxLength: 2 });
    fc.assert(fc.property(subjectList, audiences, subjectList, audiences, (stagingSubjects, stagingAud, prodSubjects, prodAud) => {
      const { app: root, stack } = app();
      const provider = new OidcIdentityProvider(stack, 'GitHub', { issuer: OidcIssuer.githubActions() });
      const role = (id: string, subjects: string[], aud: string[]) => new FederatedRole(stack, id, {
        trust: FederatedTrust.oidc({ provider, audiences: aud, subjects: subjects.map(s => (/[*?]/.test(s) ? Subject.pattern(s) : Subject.exactly(s))) }),
      });
      role('Staging', stagingSubjects, stagingAud);
      role('Prod', prodSubjects, prodAud);
      Tags.of(stack.node.findChild('Staging')).add('environment', 'staging');
      Tags.of(stack.node.findChild('Prod')).add('environment', 'prod');
      Aspects.of(root).add(new FederationGuard());
      let directory: string;
      try {
        directory = root.synth().directory;
      } catch (e) {
        expect(String(e)).toMatch(/CROSS_ENVIRONMENT_TRUST/);
        return;
      }
      passed++;
      const sts = TrustSimulator.fromCloudAssembly(directory);
      const subs = [...stagingSubjects, ...prodSubjects].flatMap(s => [s.replace(/\*/g, ''), s.replace(/\*/g, 'environment:prod'), s.replace(/\*/g, 'x')]);
      for (const sub of subs) {
        for (const aud of ['sts.amazonaws.com', 'api://a']) {
          const caller: WebIdentityCaller = { kind: 'webIdentity', claims: { iss: `https://${GITHUB}`, aud, sub } };
          const both = ['Identity/Staging', 'Identity/Prod'].every(r => sts.evaluate(caller, r).decision === 'allowed');
          expect(both).toBe(false);
        }
      }
    }), { numRuns: 40 });
    expect(passed).toBeGreaterThan(0);
  });
});

describe('SAML separation by issuer', () => {
  const okta = (application: string) => `http://www.okta.com/${application}`;

  test('should condition on SAML:iss, pass two environments with their own issuers, and fail a shared one', () => {
    // GIVEN
    const build = (stagingIssuer: string) => {
      const { app: root, stack } = app();
      const provider = SamlIdentityProvider.fromSamlProviderArn(stack, 'Corp', 'arn:aws:iam::111122223333:saml-provider/Corp');
      samlRole(stack, 'Staging', provider, STAGING, SamlEnvironmentSeparation.issuer(stagingIssuer));
      samlRole(stack, 'Prod', provider, PROD, SamlEnvironmentSeparation.issuer(okta('exkprod')));
      return { root, stack };
    };

    // WHEN
    const { root, stack } = build(okta('exkstaging'));

    // THEN
    const roles = Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::Role'));
    expect(roles.map(r => r.Properties.AssumeRolePolicyDocument.Statement[0].Condition)).toEqual([
      { StringEquals: { 'SAML:aud': SAML_ENDPOINT, 'SAML:iss': okta('exkstaging') } },
      { StringEquals: { 'SAML:aud': SAML_ENDPOINT, 'SAML:iss': okta('exkprod') } },
    ]);
    expect(() => root.synth()).not.toThrow();
    expect(() => build(okta('exkprod')).root.synth()).toThrow(/CROSS_ENVIRONMENT_TRUST.*'SAML:iss' StringEquals 'http:\/\/www\.okta\.com\/exkprod'/);
  });

  test('should refuse an issuer with a wildcard or a policy variable', () => {
    // GIVEN
    const { stack } = app();
    const provider = SamlIdentityProvider.fromSamlProviderArn(stack, 'Corp', 'arn:aws:iam::111122223333:saml-provider/Corp');

    // THEN
    codes.expectThrows(() => samlRole(stack, 'A', provider, PROD, SamlEnvironmentSeparation.issuer('http://www.okta.com/*')),
      'FederatedRole.InvalidSamlIssuer', /FederatedRole 'Identity\/A' has the SAML issuer 'http:\/\/www.okta.com\/\*' for its environment, which is empty, only known at deploy time, or has a wildcard/);
    codes.expectThrows(() => samlRole(stack, 'B', provider, PROD, SamlEnvironmentSeparation.issuer('${SAML:iss}')), 'FederatedRole.InvalidSamlIssuer', /policy variable/);
  });
});

describe('environment separation error codes', () => {
  test('should test every code the separation check reports', () => {
    expect(codes.untested('src/roles/trust/environments.ts')).toEqual([]);
  });
});
