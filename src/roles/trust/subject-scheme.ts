import { patternView } from './iam-string';
import { FederationRisk } from '../federation-risk';

/** What the fixed beginning of an issuer's `sub` values looks like. */
export interface SubjectScheme {
  /** Who issues these subjects, for messages. */
  readonly issuer: string;
  /** The literal start of every `sub`, e.g. `repo:`. */
  readonly prefix: string;
  /**
   * Whether the prefix is followed by an owner path that ends at the next `:`, and which must be
   * literal (`repo:<owner>/<name>:`); otherwise only the prefix itself and one character more are fixed.
   */
  readonly ownerPath: boolean;
  /** The fixed prefix, spelled for humans. */
  readonly fixedPrefix: string;
  /** A tight subject to suggest in messages. */
  readonly example: string;
}

export const GITHUB_HOST = 'token.actions.githubusercontent.com';

/** GitHub Actions, with GitHub's default subject template. */
export const GITHUB_SUBJECTS: SubjectScheme = {
  issuer: 'GitHub Actions',
  prefix: 'repo:',
  ownerPath: true,
  fixedPrefix: 'repo:<owner>/<repository>:',
  example: 'repo:<owner>/<repository>:environment:<name>',
};

export const GITLAB_SUBJECTS: SubjectScheme = {
  issuer: 'GitLab',
  prefix: 'project_path:',
  ownerPath: true,
  fixedPrefix: 'project_path:<group>/<project>:',
  example: 'project_path:<group>/<project>:ref_type:branch:ref:main',
};

const TERRAFORM_SUBJECTS: SubjectScheme = {
  issuer: 'HCP Terraform',
  prefix: 'organization:',
  ownerPath: true,
  fixedPrefix: 'organization:<organization>:',
  example: 'organization:<organization>:project:<project>:workspace:<workspace>:run_phase:apply',
};

const KNOWN_SCHEMES: SubjectScheme[] = [GITHUB_SUBJECTS, GITLAB_SUBJECTS, TERRAFORM_SUBJECTS];

/**
 * Whether a provider host (its condition-key prefix) is a GitHub Actions issuer: github.com's
 * (`token.actions.githubusercontent.com`, with an enterprise slug or not), GHE.com's
 * (`token.actions.<subdomain>.ghe.com`), or a GitHub Enterprise Server's (`<host>/_services/token`).
 *
 * @see https://docs.github.com/en/enterprise-server@latest/actions/reference/security/oidc
 */
export function isGitHubHost(host: string): boolean {
  return host === GITHUB_HOST || host.startsWith(`${GITHUB_HOST}/`)
    || /^token\.actions\.[a-z0-9-]+\.ghe\.com(\/|$)/.test(host)
    || /\/_services\/token$/.test(host);
}

/** What a provider's issuer says about its subjects, beyond the host. */
export interface SubjectHints {
  /** The fixed prefix its issuer declares (`OidcIssuer.subjectPrefix`). */
  readonly subjectPrefix?: string;
  /** The issuer's subjects follow a customized template (GitHub's `customSubjectTemplate`): no known prefix. */
  readonly customSubjects?: boolean;
}

/** The scheme of an issuer, from the subject prefix it declares or else from its host. */
export function subjectSchemeFor(host: string | undefined, hints: SubjectHints = {}): SubjectScheme | undefined {
  if (hints.customSubjects) return undefined;
  if (hints.subjectPrefix) {
    return KNOWN_SCHEMES.find(s => s.prefix === hints.subjectPrefix) ?? {
      issuer: 'this issuer',
      prefix: hints.subjectPrefix,
      ownerPath: false,
      fixedPrefix: hints.subjectPrefix,
      example: `${hints.subjectPrefix}<subject>`,
    };
  }
  if (!host) return undefined;
  if (isGitHubHost(host)) return GITHUB_SUBJECTS;
  if (host === 'gitlab.com') return GITLAB_SUBJECTS;
  if (host === 'app.terraform.io') return TERRAFORM_SUBJECTS;
  return undefined;
}

/**
 * Classifies a `StringLike` subject value (without policy variables): undefined when its wildcards
 * all sit after the fixed prefix, else the risk it carries.
 *
 * - only wildcards: `WILDCARD_SUBJECT`, whatever the issuer;
 * - known owner-path schemes (GitHub `repo:<owner>/<name>:`, GitLab `project_path:<group>/<project>:`,
 *   HCP Terraform `organization:<org>:`): the prefix and the owner path up to the next `:` must be
 *   literal; a wildcard after a literal `<owner>/` is `ANY_REPOSITORY_OF_OWNER`, any earlier one
 *   `WILDCARD_SUBJECT`;
 * - other issuers that declare a subject prefix: the prefix and at least one more character must be literal;
 * - issuers without a known prefix: any wildcard is `UNANCHORED_SUBJECT_PATTERN`.
 */
export function classifySubjectPattern(raw: string, scheme?: SubjectScheme): FederationRisk | undefined {
  const value = patternView(raw);
  const wildcard = value.search(/[*?]/);
  if (wildcard < 0) return undefined;
  if (/^[*?]+$/.test(value)) return FederationRisk.WILDCARD_SUBJECT;
  if (!scheme) return FederationRisk.UNANCHORED_SUBJECT_PATTERN;
  if (!value.startsWith(scheme.prefix) || wildcard <= scheme.prefix.length) return FederationRisk.WILDCARD_SUBJECT;
  if (!scheme.ownerPath) return undefined;

  const rest = value.slice(scheme.prefix.length);
  const restWildcard = wildcard - scheme.prefix.length;
  const colon = rest.indexOf(':');
  if (colon > 0 && colon < restWildcard) return undefined;
  const slash = rest.indexOf('/');
  if (slash > 0 && slash < restWildcard && (colon < 0 || slash < colon)) return FederationRisk.ANY_REPOSITORY_OF_OWNER;
  return FederationRisk.WILDCARD_SUBJECT;
}

/** Explains a subject classification; `key` is the condition key, e.g. `token.actions.githubusercontent.com:sub`. */
export function describeSubjectRisk(risk: FederationRisk, key: string, value: string, scheme?: SubjectScheme): string {
  if (risk === FederationRisk.ANY_REPOSITORY_OF_OWNER) {
    return `matches '${key}' against '${value}', which has a wildcard inside the owner path of '${scheme?.fixedPrefix}', so every present and future repository of that owner can assume the role; name the repository literally (e.g. '${scheme?.example}')`;
  }
  if (risk === FederationRisk.UNANCHORED_SUBJECT_PATTERN) {
    return `matches '${key}' against '${value}', a pattern for an issuer whose subjects have no fixed prefix this library knows, so nothing bounds which identities it matches; list the exact subjects (or, if the issuer guarantees the prefix before the wildcard, accept UNANCHORED_SUBJECT_PATTERN on this role)`;
  }
  if (!scheme || /^[*?]+$/.test(patternView(value))) {
    return `matches '${key}' against '${value}', which matches every subject of the provider; name the subjects (exactly, or with a wildcard only after their fixed part)`;
  }
  return `matches '${key}' against '${value}', which puts a wildcard before the end of the fixed prefix '${scheme.fixedPrefix}', so ${scheme.issuer} identities of other owners can match it; spell the prefix out literally (e.g. '${scheme.example}')`;
}
