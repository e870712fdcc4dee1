import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SamlCaller, TrustSimulator, WebIdentityCaller } from '../../src/testing';

// The trust-policy simulator on hand-written templates: each case is one IAM rule, with the answer
// IAM's documentation gives (cited in src/testing/iam-conditions.ts and trust-simulator.ts).

const GITHUB = 'token.actions.githubusercontent.com';
const PROVIDER = `arn:aws:iam::111122223333:oidc-provider/${GITHUB}`;
const SAML_PROVIDER = 'arn:aws:iam::111122223333:saml-provider/Corp';

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'trust-simulator-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

let count = 0;
/** A cloud assembly of one stack (account 111122223333, eu-west-1) holding `Role` with this trust, plus `resources`. */
function assembly(statements: unknown[], resources: Record<string, unknown> = {}, env = 'aws://111122223333/eu-west-1'): TrustSimulator {
  const dir = join(work, `a${count++}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  const template = {
    Resources: {
      Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: statements } }, Metadata: { 'aws:cdk:path': 'Stack/Deploy/Resource' } },
      ...resources,
    },
    Mappings: { Endpoints: { aws: { global: 'https://signin.aws.amazon.com/saml' } } },
  };
  writeFileSync(join(dir, 'Stack.template.json'), JSON.stringify(template));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({
    version: '36.0.0',
    artifacts: { Stack: { type: 'aws:cloudformation:stack', environment: env, properties: { templateFile: 'Stack.template.json' } } },
  }));
  return TrustSimulator.fromCloudAssembly(dir);
}

const allow = (condition?: unknown, extra: Record<string, unknown> = {}) => ({
  Effect: 'Allow',
  Action: 'sts:AssumeRoleWithWebIdentity',
  Principal: { Federated: PROVIDER },
  ...(condition ? { Condition: condition } : {}),
  ...extra,
});

const github = (sub: string, claims: Record<string, unknown> = {}): WebIdentityCaller => ({
  kind: 'webIdentity',
  claims: { iss: `https://${GITHUB}`, aud: 'sts.amazonaws.com', sub, ...claims },
});

const tight = { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com', [`${GITHUB}:sub`]: 'repo:acme/app:ref:refs/heads/main' } };

describe('TrustSimulator: string operators', () => {
  test('should allow the exact subject and audience under StringEquals, and refuse another branch saying which condition failed', () => {
    // GIVEN
    const sts = assembly([allow(tight)]);

    // WHEN
    const main = sts.evaluate(github('repo:acme/app:ref:refs/heads/main'), 'Stack/Deploy');
    const dev = sts.evaluate(github('repo:acme/app:ref:refs/heads/dev'), 'Stack/Deploy');

    // THEN
    expect(main.decision).toBe('allowed');
    expect(dev.decision).toBe('refused');
    expect(dev.reasons.join('\n')).toContain(`StringEquals on '${GITHUB}:sub' is 'repo:acme/app:ref:refs/heads/dev': StringEquals wants 'repo:acme/app:ref:refs/heads/main'`);
  });

  test('should compare StringEquals case-sensitively, and StringEqualsIgnoreCase not', () => {
    // GIVEN
    const exact = assembly([allow(tight)]);
    const ignoreCase = assembly([allow({ StringEqualsIgnoreCase: { [`${GITHUB}:sub`]: 'repo:acme/app:ref:refs/heads/main' }, StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' } })]);

    // WHEN
    const caller = github('repo:ACME/app:ref:refs/heads/main');

    // THEN
    expect(exact.evaluate(caller, 'Role').decision).toBe('refused');
    expect(ignoreCase.evaluate(caller, 'Role').decision).toBe('allowed');
  });

  test('should read condition keys case-insensitively', () => {
    // GIVEN
    const sts = assembly([allow({ StringEquals: { [`${GITHUB.toUpperCase()}:AUD`]: 'sts.amazonaws.com', [`${GITHUB}:Sub`]: 'repo:acme/app:ref:refs/heads/main' } })]);

    // THEN
    expect(sts.evaluate(github('repo:acme/app:ref:refs/heads/main'), 'Role').decision).toBe('allowed');
  });

  test('should match StringLike * across / and :, ? as exactly one character, and never a wildcard under StringEquals', () => {
    // GIVEN
    const like = assembly([allow({ StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' }, StringLike: { [`${GITHUB}:sub`]: ['repo:acme/app:*', 'repo:acme/ap?:environment:prod'] } })]);
    const equals = assembly([allow({ StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com', [`${GITHUB}:sub`]: 'repo:acme/app:*' } })]);

    // THEN
    expect(like.evaluate(github('repo:acme/app:ref:refs/heads/feature/x'), 'Role').decision).toBe('allowed');
    expect(like.evaluate(github('repo:acme/apx:environment:prod'), 'Role').decision).toBe('allowed');
    expect(like.evaluate(github('repo:acme/ap:environment:prod'), 'Role').decision).toBe('refused');
    expect(like.evaluate(github('repo:acme/apps:environment:prod'), 'Role').decision).toBe('refused');
    expect(equals.evaluate(github('repo:acme/app:ref:refs/heads/main'), 'Role').decision).toBe('refused');
    expect(equals.evaluate(github('repo:acme/app:*'), 'Role').decision).toBe('allowed');
  });

  test('should read ${*}, ${?} and ${$} as literal characters', () => {
    // GIVEN
    const sts = assembly([allow({ StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' }, StringLike: { [`${GITHUB}:sub`]: 'repo:acme/app:${*}${?}${$}' } })]);

    // THEN
    expect(sts.evaluate(github('repo:acme/app:*?$'), 'Role').decision).toBe('allowed');
    expect(sts.evaluate(github('repo:acme/app:ab$'), 'Role').decision).toBe('refused');
  });

  test('should fill a policy variable from the request itself, so any subject satisfies ${<provider>:sub}', () => {
    // GIVEN
    const sts = assembly([allow({ StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com', [`${GITHUB}:sub`]: `\${${GITHUB}:sub}` } })]);

    // THEN
    expect(sts.evaluate(github('repo:evil/fork:ref:refs/heads/main'), 'Role').decision).toBe('allowed');
  });

  test('should answer unknown for a policy variable the request does not fill, and use its default value when it has one', () => {
    // GIVEN
    const missing = assembly([allow({ StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com', [`${GITHUB}:sub`]: 'repo:acme/${aws:username}:x' } })]);
    const withDefault = assembly([allow({ StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com', [`${GITHUB}:sub`]: "repo:acme/${aws:username, 'app'}:x" } })]);

    // THEN
    expect(missing.evaluate(github('repo:acme/app:x'), 'Role').decision).toBe('unknown');
    expect(withDefault.evaluate(github('repo:acme/app:x'), 'Role').decision).toBe('allowed');
    expect(withDefault.evaluate(github('repo:acme/other:x'), 'Role').decision).toBe('refused');
  });

  test('should treat a missing key as false for StringEquals, true for StringNotEquals and for ...IfExists', () => {
    // GIVEN
    const aud = { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' } };
    const equals = assembly([allow({ ...aud, StringEquals: { ...aud.StringEquals, [`${GITHUB}:repository`]: 'acme/app' } })]);
    const notEquals = assembly([allow({ ...aud, StringNotEquals: { [`${GITHUB}:repository`]: 'evil/app' } })]);
    const ifExists = assembly([allow({ ...aud, StringEqualsIfExists: { [`${GITHUB}:repository`]: 'acme/app' } })]);
    const caller = github('repo:acme/app:ref:refs/heads/main');

    // THEN
    expect(equals.evaluate(caller, 'Role').decision).toBe('refused');
    expect(equals.evaluate(caller, 'Role').reasons.join()).toContain(`'${GITHUB}:repository' is not in the request`);
    expect(notEquals.evaluate(caller, 'Role').decision).toBe('allowed');
    expect(ifExists.evaluate(caller, 'Role').decision).toBe('allowed');
    expect(ifExists.evaluate(github('x', { repository: 'evil/app' }), 'Role').decision).toBe('refused');
  });

  test('should apply Null: true when the key is absent, false when present', () => {
    // GIVEN
    const sts = assembly([allow({ StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' }, Null: { [`${GITHUB}:environment`]: 'false' } })]);

    // THEN
    expect(sts.evaluate(github('s', { environment: 'prod' }), 'Role').decision).toBe('allowed');
    expect(sts.evaluate(github('s'), 'Role').decision).toBe('refused');
  });
});

describe('TrustSimulator: set operators', () => {
  const COGNITO = 'cognito-identity.amazonaws.com';
  const cognito = (amr?: string[]): WebIdentityCaller => ({ kind: 'webIdentity', claims: { iss: `https://${COGNITO}`, aud: 'eu-west-1:pool', sub: 'eu-west-1:id', ...(amr ? { amr } : {}) } });

  test('should allow ForAnyValue:StringLike when one amr value matches, and refuse a token without amr', () => {
    // GIVEN
    const sts = assembly([{ Effect: 'Allow', Action: 'sts:AssumeRoleWithWebIdentity', Principal: { Federated: COGNITO }, Condition: { 'StringEquals': { [`${COGNITO}:aud`]: 'eu-west-1:pool' }, 'ForAnyValue:StringLike': { [`${COGNITO}:amr`]: 'authenticated' } } }]);

    // THEN
    expect(sts.evaluate(cognito(['authenticated', 'cognito-idp.eu-west-1.amazonaws.com/pool']), 'Role').decision).toBe('allowed');
    expect(sts.evaluate(cognito(['unauthenticated']), 'Role').decision).toBe('refused');
    expect(sts.evaluate(cognito(), 'Role').decision).toBe('refused');
  });

  test('should let ForAllValues through for a token that lacks the claim (the hazard FederationRisk names)', () => {
    // GIVEN
    const sts = assembly([allow({ 'StringEquals': { [`${GITHUB}:aud`]: 'sts.amazonaws.com' }, 'ForAllValues:StringEquals': { [`${GITHUB}:sub`]: 'repo:acme/app:ref:refs/heads/main' } })]);
    const noSub: WebIdentityCaller = { kind: 'webIdentity', claims: { iss: `https://${GITHUB}`, aud: 'sts.amazonaws.com' } };

    // THEN
    expect(sts.evaluate(noSub, 'Role').decision).toBe('allowed');
    expect(sts.evaluate(github('repo:acme/app:ref:refs/heads/dev'), 'Role').decision).toBe('refused');
  });
});

describe('TrustSimulator: statements, principals and actions', () => {
  test('should allow when any Allow statement holds, and let a matching Deny win', () => {
    // GIVEN
    const sts = assembly([
      allow({ StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com', [`${GITHUB}:sub`]: 'repo:acme/app:ref:refs/heads/dev' } }),
      allow(tight),
      { Effect: 'Deny', Action: 'sts:*', Principal: '*', Condition: { StringLike: { [`${GITHUB}:sub`]: '*:ref:refs/heads/dev' } } },
    ]);

    // THEN
    expect(sts.evaluate(github('repo:acme/app:ref:refs/heads/main'), 'Role').decision).toBe('allowed');
    const dev = sts.evaluate(github('repo:acme/app:ref:refs/heads/dev'), 'Role');
    expect(dev.decision).toBe('refused');
    expect(dev.reasons.join()).toContain('statement 3 (Deny) denies sts:AssumeRoleWithWebIdentity');
  });

  test('should refuse a token of another issuer, naming the provider the statement trusts', () => {
    // GIVEN
    const sts = assembly([allow(tight)]);
    const gitlab: WebIdentityCaller = { kind: 'webIdentity', claims: { iss: 'https://gitlab.com', aud: 'sts.amazonaws.com', sub: 'repo:acme/app:ref:refs/heads/main' } };

    // WHEN
    const decision = sts.evaluate(gitlab, 'Role');

    // THEN
    expect(decision.decision).toBe('refused');
    expect(decision.reasons.join()).toContain(`its principal is not the OIDC provider of 'https://gitlab.com' (it names '${PROVIDER}')`);
  });

  test('should follow a Ref to a provider of the stack, and joins of pseudo parameters', () => {
    // GIVEN
    const joined = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, `:oidc-provider/${GITHUB}`]] };
    const byRef = assembly([{ ...allow(tight), Principal: { Federated: { Ref: 'GitHub' } } }], { GitHub: { Type: 'AWS::IAM::OIDCProvider', Properties: { Url: `https://${GITHUB}` } } });
    const byJoin = assembly([{ ...allow(tight), Principal: { Federated: joined } }]);
    const noEnv = assembly([{ ...allow(tight), Principal: { Federated: joined } }], {}, 'aws://unknown-account/unknown-region');

    // THEN
    expect(byRef.evaluate(github('repo:acme/app:ref:refs/heads/main'), 'Role').decision).toBe('allowed');
    expect(byJoin.evaluate(github('repo:acme/app:ref:refs/heads/main'), 'Role').decision).toBe('allowed');
    expect(noEnv.evaluate(github('repo:acme/app:ref:refs/heads/main'), 'Role').decision).toBe('unknown');
  });

  test('should need the federation action: NotAction and other actions are read as IAM reads them', () => {
    // GIVEN
    const other = assembly([allow(tight, { Action: 'sts:AssumeRole' })]);
    const wildcard = assembly([allow(tight, { Action: 'STS:AssumeRoleWith*' })]);
    const notAction = assembly([allow(tight, { Action: undefined, NotAction: 'sts:TagSession' })]);
    const caller = github('repo:acme/app:ref:refs/heads/main');

    // THEN
    expect(other.evaluate(caller, 'Role').decision).toBe('refused');
    expect(wildcard.evaluate(caller, 'Role').decision).toBe('allowed');
    expect(notAction.evaluate(caller, 'Role').decision).toBe('allowed');
  });

  test('should answer unknown for a deploy-time value, and refused when another condition already fails', () => {
    // GIVEN
    const sts = assembly([allow({ StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com', [`${GITHUB}:sub`]: { Ref: 'Subject' } } })]);
    const imported = assembly([{ ...allow(tight), Principal: { Federated: { 'Fn::ImportValue': 'Provider' } } }]);

    // THEN
    const unknown = sts.evaluate(github('repo:acme/app:ref:refs/heads/main'), 'Role');
    expect(unknown.decision).toBe('unknown');
    expect(unknown.reasons.join()).toContain('cannot be told at synth');
    expect(sts.evaluate({ kind: 'webIdentity', claims: { iss: `https://${GITHUB}`, aud: 'other', sub: 'x' } }, 'Role').decision).toBe('refused');
    expect(imported.evaluate(github('repo:acme/app:ref:refs/heads/main'), 'Role').decision).toBe('unknown');
  });
});

describe('TrustSimulator: session tags and source identity', () => {
  const tagged = (tags: Record<string, string[]>, extra: Record<string, unknown> = {}) => github('repo:acme/app:ref:refs/heads/main', { 'https://aws.amazon.com/tags': { principal_tags: tags }, ...extra });

  test('should need sts:TagSession for a token that carries session tags, and read aws:RequestTag', () => {
    // GIVEN
    const without = assembly([allow(tight)]);
    const withTags = assembly([allow({ ...tight, StringEquals: { ...tight.StringEquals, 'aws:RequestTag/environment': 'prod' } }, { Action: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'] })]);

    // THEN
    const refused = without.evaluate(tagged({ environment: ['prod'] }), 'Role');
    expect(refused.decision).toBe('refused');
    expect(refused.reasons.join()).toContain('sts:TagSession');
    expect(withTags.evaluate(tagged({ environment: ['prod'] }), 'Role').decision).toBe('allowed');
    expect(withTags.evaluate(tagged({ environment: ['staging'] }), 'Role').decision).toBe('refused');
    expect(withTags.evaluate(github('repo:acme/app:ref:refs/heads/main'), 'Role').decision).toBe('refused');
  });

  test('should need sts:SetSourceIdentity for a token that carries a source identity', () => {
    // GIVEN
    const without = assembly([allow(tight)]);
    const withSource = assembly([allow(tight, { Action: ['sts:AssumeRoleWithWebIdentity', 'sts:SetSourceIdentity'] })]);
    const caller = github('repo:acme/app:ref:refs/heads/main', { 'https://aws.amazon.com/source_identity': 'alice' });

    // THEN
    expect(without.evaluate(caller, 'Role').decision).toBe('refused');
    expect(withSource.evaluate(caller, 'Role').decision).toBe('allowed');
  });
});

describe('TrustSimulator: SAML', () => {
  const samlTrust = (provider: unknown, condition: unknown) => [{ Effect: 'Allow', Action: 'sts:AssumeRoleWithSAML', Principal: { Federated: provider }, Condition: condition }];
  const assertion = (provider: string, attributes: Record<string, string>): SamlCaller => ({ kind: 'saml', provider, attributes });

  test('should match SAML:aud (the Recipient) and the provider by ARN', () => {
    // GIVEN
    const sts = assembly(samlTrust(SAML_PROVIDER, { StringEquals: { 'SAML:aud': { 'Fn::FindInMap': ['Endpoints', { Ref: 'AWS::Partition' }, 'global'] } } }));

    // THEN
    expect(sts.evaluate(assertion(SAML_PROVIDER, { aud: 'https://signin.aws.amazon.com/saml' }), 'Role').decision).toBe('allowed');
    expect(sts.evaluate(assertion(SAML_PROVIDER, { aud: 'https://sso.example.com/acs' }), 'Role').decision).toBe('refused');
    expect(sts.evaluate(assertion('arn:aws:iam::111122223333:saml-provider/Other', { aud: 'https://signin.aws.amazon.com/saml' }), 'Role').decision).toBe('refused');
  });

  test('should find a provider of the assembly by its construct path, and by ARN only when its name is literal', () => {
    // GIVEN
    const unnamed = assembly(samlTrust({ Ref: 'Corp' }, { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } }), {
      Corp: { Type: 'AWS::IAM::SAMLProvider', Properties: { MetadataDocument: '<xml/>' }, Metadata: { 'aws:cdk:path': 'Stack/Corp/Resource' } },
    });
    const named = assembly(samlTrust({ Ref: 'Corp' }, { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } }), {
      Corp: { Type: 'AWS::IAM::SAMLProvider', Properties: { Name: 'Corp', MetadataDocument: '<xml/>' } },
    });
    const attributes = { aud: 'https://signin.aws.amazon.com/saml' };

    // THEN
    expect(unnamed.evaluate(assertion('Stack/Corp', attributes), 'Role').decision).toBe('allowed');
    expect(unnamed.evaluate(assertion(SAML_PROVIDER, attributes), 'Role').decision).toBe('unknown');
    expect(named.evaluate(assertion(SAML_PROVIDER, attributes), 'Role').decision).toBe('allowed');
  });

  test('should refuse an assertion whose PrincipalTag:environment is not the role\'s', () => {
    // GIVEN
    const sts = assembly([{ Effect: 'Allow', Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'], Principal: { Federated: SAML_PROVIDER }, Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml', 'aws:RequestTag/environment': 'prod' } } }]);
    const caller = (environment: string): SamlCaller => ({ kind: 'saml', provider: SAML_PROVIDER, attributes: { aud: 'https://signin.aws.amazon.com/saml' }, sessionTags: { environment } });

    // THEN
    expect(sts.evaluate(caller('prod'), 'Role').decision).toBe('allowed');
    expect(sts.evaluate(caller('staging'), 'Role').decision).toBe('refused');
  });
});

describe('TrustSimulator: finding roles', () => {
  test('should find a role by path prefix, logical id, and say which roles exist when none matches', () => {
    // GIVEN
    const sts = assembly([allow(tight)]);

    // THEN
    expect(sts.role('Stack/Deploy').logicalId).toBe('Role');
    expect(sts.role('Role').path).toBe('Stack/Deploy/Resource');
    expect(() => sts.role('Prod/Deploy')).toThrow(/no role of the assembly match/);
    expect(sts.assumableRoles(github('repo:acme/app:ref:refs/heads/main')).map(r => r.logicalId)).toEqual(['Role']);
  });
});

describe('TrustSimulator: non-string values', () => {
  test('should read a JSON boolean as IAM does, as the string "true"', () => {
    // GIVEN
    const sts = assembly([allow({ ...tight, Bool: { [`${GITHUB}:verified`]: true } })]);

    // THEN
    expect(sts.evaluate(github('repo:acme/app:ref:refs/heads/main', { verified: true }), 'Role').decision).toBe('allowed');
    expect(sts.evaluate(github('repo:acme/app:ref:refs/heads/main', { verified: false }), 'Role').decision).toBe('refused');
  });
});

describe('TrustSimulator: what it is made of', () => {
  test('should bundle from src/testing alone: no aws-cdk-lib, and no code shared with the FederationGuard', () => {
    // GIVEN
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const esbuild = require('esbuild') as typeof import('esbuild');

    // WHEN
    const { metafile } = esbuild.buildSync({ entryPoints: [join(__dirname, '..', '..', 'src', 'testing', 'trust-simulator.ts')], bundle: true, write: false, metafile: true, platform: 'node', logLevel: 'silent' });

    // THEN
    const inputs = Object.keys(metafile!.inputs);
    expect(inputs.filter(f => !/(^|\/)src\/testing\//.test(f))).toEqual([]);
  });
});

describe('TrustSimulator: substituted policy variables', () => {
  test('should compare a substituted * literally under StringEquals, and answer unknown under StringLike', () => {
    // GIVEN
    const equals = assembly([allow({ StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com', [`${GITHUB}:sub`]: `\${${GITHUB}:repository}` } })]);
    const like = assembly([allow({ StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' }, StringLike: { [`${GITHUB}:sub`]: `\${${GITHUB}:repository}` } })]);
    const caller = github('repo:*', { repository: 'repo:*' });

    // THEN
    expect(equals.evaluate(caller, 'Role').decision).toBe('allowed');
    expect(equals.evaluate(github('repo:x', { repository: 'repo:*' }), 'Role').decision).toBe('refused');
    expect(like.evaluate(github('repo:x', { repository: 'repo:*' }), 'Role').decision).toBe('unknown');
  });
});
