/**
 * The deployment environment a `FederatedRole` belongs to, e.g. `staging` or `prod`.
 *
 * The role is tagged `environment=<label>`, and for GitHub Actions subjects:
 * - a subject whose environment part is literal (`...:environment:staging`) must name the label
 *   (compared case-insensitively, as GitHub compares environment names);
 * - a pattern's environment part (`...:environment:stag*`) must be able to match the label;
 * - a production role accepts no subject that could match any other environment: no wildcard in
 *   or before the environment part (`...:environment:prod*`, `repo:o/n:*` are refused); a subject
 *   that cannot name an environment at all (`...:ref:refs/heads/main`, `...:ref:refs/tags/*`) is fine.
 *
 * A SAML role requires the assertion's `environment` session tag by default
 * (`SamlTrustOptions.environmentSeparation`). Across the app, roles whose `environment` tags differ must
 * not accept the same token or assertion (`FederationRisk.CROSS_ENVIRONMENT_TRUST`).
 */
export class RoleEnvironment {
  /**
   * A production environment: the strict rule above applies.
   *
   * @param label the environment's name, as in the GitHub environment (default `prod`)
   */
  public static production(label: string = 'prod'): RoleEnvironment {
    return new RoleEnvironment(label, true);
  }

  /**
   * A non-production environment, e.g. `staging` or `dev`. A label that reads as production
   * (`prod`, `production`, `prd`, `live`, alone or followed by `-`, `_` or `.`) is refused: use `production`.
   *
   * @param label the environment's name, as in the GitHub environment
   */
  public static nonProduction(label: string): RoleEnvironment {
    return new RoleEnvironment(label, false);
  }

  /** The environment's name; also the value of the role's `environment` tag. */
  public readonly label: string;

  /** Whether this is a production environment. */
  public readonly isProduction: boolean;

  private constructor(label: string, isProduction: boolean) {
    this.label = label;
    this.isProduction = isProduction;
  }
}
