/** Which GitHub Actions subject form a typed `Subject` was built with. */
enum GitHubSubjectKind {
  BRANCH = 'branch',
  TAG = 'tag',
  ENVIRONMENT = 'environment',
  PULL_REQUEST = 'pull request',
}

/**
 * The typed parts of a GitHub Actions subject, for validation with the construct's path.
 * @internal
 */
export interface _GitHubSubjectParts {
  readonly kind: string;
  readonly repository: string;
  /** The branch, tag or environment name. */
  readonly name?: string;
}

/**
 * A value the OIDC token's `sub` claim must have for `FederatedRole` to let it in.
 *
 * Exact subjects are compared with `StringEquals`; patterns with `StringLike`, where `*` matches
 * any run of characters and `?` any one character. A pattern may put its wildcards only after the
 * subject's fixed prefix: for GitHub Actions `repo:<owner>/<repository>:`, for GitLab
 * `project_path:<group>/<project>:` (so `repo:acme/app:*` is accepted; `*`, `repo:*` and
 * `repo:acme*` are refused). `FederatedRole` checks this when it is constructed.
 *
 * The GitHub factories build GitHub's default subject template; an organization that customized its
 * template (and so uses `OidcIssuer.fromUrl`, without the `repo:` prefix) uses `exactly`/`pattern`.
 *
 * @see https://docs.github.com/actions/reference/security/oidc#example-subject-claims
 */
export class Subject {
  /**
   * A subject compared exactly (`StringEquals`). It may not contain `*` or `?`: use `pattern`.
   *
   * @param subject the whole `sub` value, e.g. `repo:acme/app:ref:refs/heads/main`
   */
  public static exactly(subject: string): Subject {
    return new Subject(subject, false);
  }

  /**
   * A subject pattern (`StringLike`): `*` matches any run of characters, `?` one character, and
   * both only after the subject's fixed prefix.
   *
   * @param pattern e.g. `repo:acme/app:ref:refs/heads/release/*`
   */
  public static pattern(pattern: string): Subject {
    return new Subject(pattern, true);
  }

  /**
   * GitHub Actions jobs that run for a branch and reference no environment:
   * `repo:<owner>/<repository>:ref:refs/heads/<branch>`.
   *
   * @param repository `owner/name`, literal
   * @param branch the branch name without `refs/heads/`, e.g. `main`; may end in a wildcard, e.g. `release/*`
   */
  public static githubBranch(repository: string, branch: string): Subject {
    return Subject.github({ kind: GitHubSubjectKind.BRANCH, repository, name: branch }, `ref:refs/heads/${branch}`);
  }

  /**
   * GitHub Actions jobs that run for a tag and reference no environment:
   * `repo:<owner>/<repository>:ref:refs/tags/<tag>`.
   *
   * @param repository `owner/name`, literal
   * @param tag the tag name without `refs/tags/`, e.g. `v1.2.3`; may contain wildcards, e.g. `v*`
   */
  public static githubTag(repository: string, tag: string): Subject {
    return Subject.github({ kind: GitHubSubjectKind.TAG, repository, name: tag }, `ref:refs/tags/${tag}`);
  }

  /**
   * GitHub Actions jobs that reference an environment (whatever the branch, tag or event):
   * `repo:<owner>/<repository>:environment:<environment>`. Pair it with the environment's protection
   * rules (required reviewers, deployment branches) in GitHub.
   *
   * @param repository `owner/name`, literal
   * @param environment the GitHub environment's name, e.g. `prod`
   */
  public static githubEnvironment(repository: string, environment: string): Subject {
    return Subject.github({ kind: GitHubSubjectKind.ENVIRONMENT, repository, name: environment }, `environment:${environment}`);
  }

  /**
   * GitHub Actions jobs triggered by a `pull_request` event that reference no environment:
   * `repo:<owner>/<repository>:pull_request`. The workflow code of such a run comes from the pull
   * request's branch, so keep these roles read-only.
   *
   * @param repository `owner/name`, literal
   */
  public static githubPullRequest(repository: string): Subject {
    return Subject.github({ kind: GitHubSubjectKind.PULL_REQUEST, repository }, 'pull_request');
  }

  private static github(parts: _GitHubSubjectParts, rest: string): Subject {
    const value = `repo:${parts.repository}:${rest}`;
    return new Subject(value, /[*?]/.test(value), parts);
  }

  /** The `sub` value or pattern. */
  public readonly value: string;

  /** Whether the value is compared as a pattern (`StringLike`) rather than exactly. */
  public readonly isPattern: boolean;

  /** @internal */
  public readonly _github?: _GitHubSubjectParts;

  private constructor(value: string, isPattern: boolean, github?: _GitHubSubjectParts) {
    this.value = value;
    this.isPattern = isPattern;
    this._github = github;
  }
}
