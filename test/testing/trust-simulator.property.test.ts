import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Aspects, Stack } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { FederatedRole, FederatedTrust, FederationGuard, OidcIdentityProvider, OidcIssuer, Subject } from '../../src';
import { TrustSimulator, WebIdentityCaller } from '../../src/testing';
import { globMatch, likePattern } from '../../src/testing/iam-conditions';

// Properties of the trust-policy simulator. The cross-check: FederatedRoles built from generated
// subjects and audiences, synthesized under the FederationGuard; for every role the guard accepts, the
// simulator (which shares no code with the guard) must admit exactly the callers that the declared
// subjects and audiences name, as decided by the oracle below (a regular expression per pattern, a
// third implementation of IAM's StringLike).

const GITHUB = 'token.actions.githubusercontent.com';

/** StringLike by regular expression: `*` any run, `?` one character, the rest literal. */
function oracleLike(pattern: string, value: string): boolean {
  const source = Array.from(pattern).map(c => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`, 'su').test(value);
}

describe('TrustSimulator: StringLike matching', () => {
  test('should agree with a regular-expression reading of * and ? on generated patterns and values', () => {
    const char = fc.constantFrom('a', 'b', '/', ':', '*', '?', 'é', '😀');
    fc.assert(fc.property(fc.array(char, { maxLength: 8 }), fc.array(fc.constantFrom('a', 'b', '/', ':', '*', '?', 'é', '😀'), { maxLength: 10 }), (p, v) => {
      const pattern = p.join('');
      const value = v.join('');
      expect(globMatch(value, likePattern(pattern))).toBe(oracleLike(pattern, value));
    }), { numRuns: 500 });
  });
});

/** The issuers a generated role may trust, with the `iss` of their tokens. */
const ISSUERS = {
  github: { iss: `https://${GITHUB}`, make: () => OidcIssuer.githubActions() },
  generic: { iss: 'https://login.example.com', make: () => OidcIssuer.fromUrl('https://login.example.com', { audiences: ['api://a'] }) },
  // Auth0's issuer ends in '/', and so do its provider URL and condition keys.
  auth0: { iss: 'https://acme.eu.auth0.com/', make: () => OidcIssuer.auth0('acme.eu.auth0.com', { audiences: ['api://a'] }) },
};
type IssuerName = keyof typeof ISSUERS;

interface RoleCase {
  readonly issuer: IssuerName;
  readonly audiences: string[];
  readonly subjects: Array<{ readonly value: string; readonly pattern: boolean }>;
}

const branch = fc.constantFrom('main', 'dev', 'release/1', 'feature/a:b');
const subject = fc.oneof(
  branch.map(b => ({ value: `repo:acme/app:ref:refs/heads/${b}`, pattern: false })),
  fc.constantFrom('prod', 'staging').map(e => ({ value: `repo:acme/app:environment:${e}`, pattern: false })),
  fc.constantFrom('repo:acme/app:ref:refs/heads/release/*', 'repo:acme/app:*', 'repo:acme/app:environment:stag?ng', 'repo:acme/api:ref:refs/tags/v*',
    // Loose ones, which the guard (or FederatedRole) must refuse, so that they never reach the check.
    'repo:acme/*:ref:refs/heads/main', 'repo:acme*', '*', 'repo:*:environment:prod').map(value => ({ value, pattern: true })),
);
const roleCase: fc.Arbitrary<RoleCase> = fc.record({
  issuer: fc.constantFrom<IssuerName>('github', 'github', 'generic', 'auth0'),
  audiences: fc.subarray(['sts.amazonaws.com', 'api://a', 'api://b'], { minLength: 1 }),
  subjects: fc.array(subject, { minLength: 1, maxLength: 3 }),
});

/** Subjects and audiences a caller may present: each declared one instantiated, and near misses. */
function callersFor(cases: RoleCase[], fill: string[]): Array<{ aud: string; sub: string; issuer: IssuerName }> {
  const subs = new Set<string>(['repo:acme/app:ref:refs/heads/main', 'repo:acme/app:environment:prod', 'repo:evil/app:ref:refs/heads/main', 'repo:acme/app']);
  const auds = new Set<string>(['sts.amazonaws.com', 'STS.amazonaws.com', 'api://a', 'api://c']);
  for (const c of cases) {
    c.audiences.forEach(a => auds.add(a));
    for (const s of c.subjects) {
      let i = 0;
      const filled = s.value.replace(/[*?]/g, w => (w === '?' ? fill[i++ % fill.length].slice(0, 1) || 'x' : fill[i++ % fill.length]));
      [filled, filled.toUpperCase(), `${filled}x`, filled.slice(0, -1), filled.replace('acme', 'acme2')].forEach(v => subs.add(v));
    }
  }
  const issuers = (Object.keys(ISSUERS) as IssuerName[]);
  return [...subs].flatMap(sub => [...auds].flatMap(aud => issuers.map(issuer => ({ aud, sub, issuer }))));
}

/** Synthesizes the roles under the guard: the indexes of the roles the guard accepts, or none if synth fails. */
function synthesize(cases: RoleCase[]): { directory: string; accepted: number[] } | undefined {
  const app = new App();
  const stack = new Stack(app, 'Stack', { env: { account: '111122223333', region: 'eu-west-1' } });
  const providers = new Map<IssuerName, OidcIdentityProvider>();
  const providerOf = (name: IssuerName) => {
    if (!providers.has(name)) providers.set(name, new OidcIdentityProvider(stack, name, { issuer: ISSUERS[name].make() }));
    return providers.get(name)!;
  };
  const accepted: number[] = [];
  cases.forEach((c, index) => {
    try {
      new FederatedRole(stack, `R${index}`, {
        trust: FederatedTrust.oidc({
          provider: providerOf(c.issuer),
          audiences: c.audiences,
          subjects: c.subjects.map(s => (s.pattern ? Subject.pattern(s.value) : Subject.exactly(s.value))),
        }),
      });
      accepted.push(index);
    } catch {
      // FederatedRole refused it at construction: the guard's own rules.
    }
  });
  Aspects.of(app).add(new FederationGuard());
  try {
    return { directory: app.synth().directory, accepted };
  } catch {
    return undefined;
  }
}

describe('TrustSimulator cross-checked against the FederationGuard', () => {
  test('should admit, on every role the guard accepts, exactly the callers its declared subjects and audiences name', () => {
    let checked = 0;
    fc.assert(fc.property(fc.array(roleCase, { minLength: 1, maxLength: 3 }), fc.array(fc.constantFrom('', 'a', '/', ':', 'main', 'x:y/z'), { minLength: 1, maxLength: 3 }), (cases, fill) => {
      const synthesized = synthesize(cases);
      if (!synthesized) return;
      const sts = TrustSimulator.fromCloudAssembly(synthesized.directory);
      for (const index of synthesized.accepted) {
        const declared = cases[index];
        for (const { aud, sub, issuer } of callersFor(cases, fill)) {
          const caller: WebIdentityCaller = { kind: 'webIdentity', claims: { iss: ISSUERS[issuer].iss, aud, sub } };
          const expected = issuer === declared.issuer && declared.audiences.includes(aud)
            && declared.subjects.some(s => (s.pattern ? oracleLike(s.value, sub) : s.value === sub));
          const decision = sts.evaluate(caller, `Stack/R${index}`);
          if (decision.decision !== (expected ? 'allowed' : 'refused')) {
            throw new Error(`role ${JSON.stringify(declared)}, caller aud '${aud}' sub '${sub}': expected ${expected ? 'allowed' : 'refused'}, got ${decision.decision} (${decision.reasons.join('; ')})`);
          }
          checked++;
        }
      }
    }), { numRuns: 35 });
    expect(checked).toBeGreaterThan(1000);
  });

  test('should never see the guard accept a role a caller of another owner can assume', () => {
    fc.assert(fc.property(fc.array(roleCase, { minLength: 1, maxLength: 3 }), cases => {
      const synthesized = synthesize(cases);
      if (!synthesized) return;
      const sts = TrustSimulator.fromCloudAssembly(synthesized.directory);
      const attackers = ['repo:evil/app:ref:refs/heads/main', 'repo:acme/evil:environment:prod', 'repo:acme-evil/app:ref:refs/heads/release/1'];
      for (const index of synthesized.accepted) {
        for (const sub of attackers) {
          for (const aud of cases[index].audiences) {
            expect(sts.evaluate({ kind: 'webIdentity', claims: { iss: ISSUERS[cases[index].issuer].iss, aud, sub } }, `Stack/R${index}`).decision).toBe('refused');
          }
        }
      }
    }), { numRuns: 15 });
  });
});

describe('TrustSimulator on hostile trust policies and callers', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'trust-simulator-hostile-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  let count = 0;
  function simulate(statements: unknown[]): TrustSimulator {
    const dir = join(work, `a${count++}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'S.template.json'), JSON.stringify({ Resources: { Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: statements } } } } }));
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ version: '36.0.0', artifacts: { S: { type: 'aws:cloudformation:stack', environment: 'aws://111122223333/eu-west-1', properties: { templateFile: 'S.template.json' } } } }));
    return TrustSimulator.fromCloudAssembly(dir);
  }

  const text = fc.oneof(
    fc.constantFrom('sts.amazonaws.com', 'repo:acme/app:ref:refs/heads/main', '*', '?', '${*}', '${?}', '${$}', '${', '}', `\${${GITHUB}:sub}`, "${aws:username, 'x'}", 'é', '😀', ''),
    fc.string({ maxLength: 6 }),
  );
  const value = fc.oneof({ weight: 8, arbitrary: text }, { weight: 1, arbitrary: fc.constantFrom<unknown>({ Ref: 'P' }, { 'Fn::ImportValue': 'X' }, 7, true, null, ['a', { Ref: 'AWS::AccountId' }]) });
  const key = fc.constantFrom(`${GITHUB}:aud`, `${GITHUB}:sub`, `${GITHUB.toUpperCase()}:SUB`, `${GITHUB}:amr`, 'aws:RequestTag/environment', 'aws:TagKeys', 'SAML:aud', 'sts:SourceIdentity');
  const operator = fc.constantFrom('StringEquals', 'StringLike', 'StringNotEquals', 'StringNotLike', 'StringEqualsIgnoreCase', 'StringLikeIfExists', 'ForAnyValue:StringLike',
    'ForAllValues:StringEquals', 'ForAllValues:StringNotLike', 'Null', 'Bool', 'NumericLessThan', 'ArnLike');
  const condition = fc.dictionary(operator, fc.dictionary(key, fc.oneof(value, fc.array(value, { maxLength: 3 })), { maxKeys: 3 }), { maxKeys: 3 });
  const statement = fc.record({
    Effect: fc.constantFrom('Allow', 'Allow', 'Deny', 'allow'),
    Action: fc.constantFrom<unknown>('sts:AssumeRoleWithWebIdentity', ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'], 'sts:*', '*', 'sts:AssumeRole', { Ref: 'A' }),
    Principal: fc.constantFrom<unknown>({ Federated: `arn:aws:iam::111122223333:oidc-provider/${GITHUB}` }, '*', { AWS: '*' }, { Federated: { Ref: 'Nope' } }, { Federated: 'accounts.google.com' }),
    Condition: fc.option(condition, { nil: undefined }),
  });
  const caller: fc.Arbitrary<WebIdentityCaller> = fc.record({
    kind: fc.constant('webIdentity' as const),
    claims: fc.record({
      iss: fc.constantFrom(`https://${GITHUB}`, `https://${GITHUB.toUpperCase()}`, 'https://evil.example.com', ''),
      aud: fc.oneof(text, fc.array(text, { maxLength: 2 })),
      sub: text,
      amr: fc.option(fc.array(text, { maxLength: 3 }), { nil: undefined }),
      ['https://aws.amazon.com/tags']: fc.option(fc.constantFrom<unknown>({ principal_tags: { environment: ['prod'] } }, { principal_tags: { environment: ['a', 'b'] } }, 'x'), { nil: undefined }),
    }, { requiredKeys: ['iss', 'aud', 'sub'] }),
  });

  test('should never throw, and answer one of allowed, refused, unknown with reasons for all but allowed', () => {
    fc.assert(fc.property(fc.array(statement, { maxLength: 3 }), caller, (statements, who) => {
      const decision = simulate(statements).evaluate(who, 'Role');
      expect(['allowed', 'refused', 'unknown']).toContain(decision.decision);
      if (decision.decision !== 'allowed') expect(decision.reasons.length).toBeGreaterThan(0);
    }), { numRuns: 300 });
  });

  test('should keep a refusal refused when a Deny is added, and an allowed caller allowed when an Allow is added', () => {
    fc.assert(fc.property(fc.array(statement, { maxLength: 3 }), statement, caller, (statements, extra, who) => {
      const before = simulate(statements).evaluate(who, 'Role').decision;
      const after = simulate([...statements, extra]).evaluate(who, 'Role').decision;
      if (extra.Effect === 'Deny' && before === 'refused') expect(after).toBe('refused');
      if (extra.Effect === 'Allow' && before === 'allowed') expect(after).toBe('allowed');
    }), { numRuns: 300 });
  });
});
