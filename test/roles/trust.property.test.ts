import * as fc from 'fast-check';
import { ProviderInfo, ProviderKind, TrustReader, TrustValue } from '../../src/roles/trust/statement';
import { analyzeTrustPolicy } from '../../src/roles/trust-rules';

// Property: no loose trust passes the guard, and no tight one is refused. The oracle below does not
// share code with the guard: it asks whether an attacker can choose a value that some condition
// accepts (a second GitHub repository, any audience, a claim of their own through a policy variable),
// by instantiating every wildcard with attacker strings, where the guard reasons about positions.

const GITHUB = 'token.actions.githubusercontent.com';
const OTHER = 'login.example.com';
const DEPLOY_TIME = { Ref: 'Param' };

/** A reader for hand-made JSON: strings are literal, any object is a deploy-time value. */
const reader: TrustReader = {
  describeFederated: (value: unknown): ProviderInfo => {
    if (typeof value !== 'string') return { kind: ProviderKind.UNKNOWN };
    const host = value.split(':oidc-provider/')[1];
    return host ? { kind: ProviderKind.OIDC, host } : { kind: ProviderKind.SAML };
  },
  readValue: (value: unknown): TrustValue => typeof value === 'string' ? { text: value, deployTime: false } : { text: '', deployTime: true },
};

type Value = string | typeof DEPLOY_TIME;
interface Case {
  readonly saml: boolean;
  readonly host: string;
  readonly audOperator?: string;
  readonly aud: Value[];
  readonly subOperator?: string;
  readonly sub: Value[];
}

// Pieces that matter: wildcards, escapes, variables, the owner/name separators of GitHub subjects.
const piece = fc.constantFrom('repo:', 'acme', 'evil', '/', ':', 'app', 'ref:refs/heads/main', '*', '?', '${*}', '${?}', '${$}', '$', '${aws:username}', `\${${GITHUB}:sub}`, 'sts.amazonaws.com', 'api://');
const literal = fc.array(piece, { minLength: 1, maxLength: 6 }).map(parts => parts.join(''));
const value: fc.Arbitrary<Value> = fc.oneof({ weight: 12, arbitrary: literal }, { weight: 1, arbitrary: fc.constant(DEPLOY_TIME) });
const operator = fc.option(fc.constantFrom('StringEquals', 'StringLike'), { nil: undefined, freq: 6 });
const values = fc.array(value, { minLength: 1, maxLength: 2 });
/** Sign-in endpoints AWS documents (IAM User Guide, SAML assertions; AWS Sign-In endpoints), written out by hand. */
const SIGN_IN_ENDPOINTS = ['https://signin.aws.amazon.com/saml', 'https://eu-west-1.signin.aws.amazon.com/saml', 'https://signin.amazonaws.cn/saml', 'https://us-gov-east-1.signin.amazonaws-us-gov.com/saml'];
const tightGitHub = fc.constantFrom('repo:acme/app:ref:refs/heads/main', 'repo:acme/app:*', 'repo:acme/app:environment:prod');

const trustCase: fc.Arbitrary<Case> = fc.record({
  saml: fc.boolean(),
  host: fc.constantFrom(GITHUB, OTHER),
  audOperator: operator,
  aud: fc.oneof(values, fc.constant<Value[]>(['sts.amazonaws.com']), fc.subarray(SIGN_IN_ENDPOINTS, { minLength: 1 })),
  subOperator: operator,
  sub: fc.oneof(values, tightGitHub.map(s => [s])),
});

function document(c: Case): unknown {
  const condition: Record<string, Record<string, Value[]>> = {};
  const put = (op: string | undefined, key: string, v: Value[]) => { if (op) (condition[op] ??= {})[key] = v; };
  if (c.saml) {
    put(c.audOperator, 'SAML:aud', c.aud);
  } else {
    put(c.audOperator, `${c.host}:aud`, c.aud);
    put(c.subOperator, `${c.host}:sub`, c.sub);
  }
  return {
    Version: '2012-10-17',
    Statement: [{
      Effect: 'Allow',
      Principal: { Federated: c.saml ? 'arn:aws:iam::123456789012:saml-provider/Corp' : `arn:aws:iam::123456789012:oidc-provider/${c.host}` },
      Action: c.saml ? 'sts:AssumeRoleWithSAML' : 'sts:AssumeRoleWithWebIdentity',
      Condition: condition,
    }],
  };
}

// --- The oracle ---

/** IAM's StringLike, written from the IAM docs: escapes are literal characters, `*` any run, `?` one character. */
function likeRegex(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const escape = /^\$\{([*?$])\}/.exec(pattern.slice(i));
    if (escape) {
      out += `\\${escape[1]}`;
      i += 3;
    } else if (pattern[i] === '*') {
      out += '.*';
    } else if (pattern[i] === '?') {
      out += '.';
    } else {
      out += pattern[i].replace(/[.+^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${out}$`);
}

/** Attacker-chosen strings for each wildcard: each `*` or `?` of the pattern is replaced by one of these. */
function instantiations(pattern: string): string[] {
  const parts = pattern.split(/(\$\{[*?$]\}|[*?])/);
  let results = [''];
  for (const part of parts) {
    const choices = part === '*' ? ['', 'x', ':', 'x:', '/x:', 'x/y:', 'evil/x:'] : part === '?' ? ['x', ':', '/'] : [part.replace(/^\$\{(.)\}$/, '$1')];
    results = results.flatMap(r => choices.map(c => r + c)).slice(0, 5000);
  }
  return results;
}

const variable = (v: string) => /\$\{(?![*?$]\})/.test(v);
const hasWildcard = (v: string) => /[*?]/.test(v.replace(/\$\{[*?$]\}/g, ''));

/** The GitHub repository a subject belongs to, when it is one GitHub could issue. */
function githubRepository(sub: string): string | undefined {
  return /^repo:([^/:]+\/[^/:]+):./.exec(sub)?.[1];
}

/** Patterns that match no subject GitHub issues are harmless; the guard may refuse them or not. */
type Verdict = 'loose' | 'tight' | 'matches-nothing';

function oracle(c: Case): Verdict {
  const loose = oracleLoose(c);
  if (loose !== undefined) return loose ? 'loose' : 'tight';
  return 'matches-nothing';
}

/** True when an attacker gets in, false when not, undefined when some GitHub pattern matches no subject at all. */
function oracleLoose(c: Case): boolean | undefined {
  const all = [...c.aud, ...(c.saml ? [] : c.sub)];
  if (all.some(v => typeof v !== 'string') && (c.audOperator || c.subOperator)) {
    // a deploy-time value under a present operator cannot be checked
    const audUnread = c.audOperator !== undefined && c.aud.some(v => typeof v !== 'string');
    const subUnread = !c.saml && c.subOperator !== undefined && c.sub.some(v => typeof v !== 'string');
    if (audUnread || subUnread) return true;
  }
  if (!c.audOperator) return true;
  if ((c.aud as string[]).some(variable)) return true;
  if (c.audOperator === 'StringLike' && (c.aud as string[]).some(hasWildcard)) return true;
  // SAML:aud is the assertion's Recipient: any other value admits assertions addressed to the attacker's own service.
  if (c.saml) return (c.aud as string[]).some(v => !SIGN_IN_ENDPOINTS.includes(v));
  if (!c.subOperator) return true;
  const subs = c.sub as string[];
  if (subs.some(variable)) return true;
  if (c.subOperator === 'StringEquals') return false;
  const counts = subs.filter(hasWildcard).map(pattern => {
    if (c.host !== GITHUB) return Infinity; // no known prefix: any wildcard is unanchored
    const regex = likeRegex(pattern);
    return new Set(instantiations(pattern).filter(s => regex.test(s)).map(githubRepository).filter(r => r !== undefined)).size;
  });
  if (counts.some(n => n > 1)) return true;
  return counts.some(n => n === 0) ? undefined : false;
}

describe('FederationGuard (generated trust policies)', () => {
  test('should refuse exactly the trusts an attacker-choosing oracle finds loose', () => {
    fc.assert(fc.property(trustCase, c => {
      const refused = analyzeTrustPolicy(document(c), reader).length > 0;
      const verdict = oracle(c);
      if (verdict !== 'matches-nothing') expect({ case: c, refused }).toEqual({ case: c, refused: verdict === 'loose' });
    }), { seed: 20261130, numRuns: 3000 });
  });
});
