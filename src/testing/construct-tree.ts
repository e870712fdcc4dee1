/**
 * A CDK policy validation plugin that reads the construct tree, as cdk-nag 3's rule packs do: its
 * name, version and `validate`. Structural, so this entry needs neither cdk-nag nor aws-cdk-lib.
 */
export interface ConstructTreeValidator<C extends object, R> {
  readonly name: string;
  readonly version?: string;
  validate(context: C): R;
}

/** The plugin `withConstructTree` returns: the pack's own, plus the report of its latest run. */
export interface ConstructTreePlugin<C extends object, R> extends ConstructTreeValidator<C, R> {
  /**
   * What the pack returned on its latest run, or `undefined` before synthesis. CDK's
   * `policy-validation-report.json` lists only failed plugins, so a clean run leaves no trace there.
   */
  readonly report?: R;
}

/**
 * Registers a cdk-nag 3 rule pack on an aws-cdk-lib that does not put the construct tree on the
 * validation context. cdk-nag 3 (3.0.0 to 3.0.2 at least) walks `context.appConstruct`, which
 * aws-cdk-lib passes from 2.258.0 on; on 2.257.x, the oldest release cdk-nag 3 accepts,
 * `Validations.of(app).addPlugins(new AwsSolutionsChecks(app))` fails synthesis with "NagPack
 * requires a construct tree on the validation context". This hands the pack `app` when the context
 * lacks it, and passes a context that has one through unchanged, so it is harmless on later versions.
 *
 * @example
 *   const pack = new AwsSolutionsChecks(app);
 *   Validations.of(app).addPlugins(withConstructTree(pack, app));
 *
 * @param pack the rule pack (e.g. cdk-nag's `AwsSolutionsChecks`), taken from you so that this
 *   package does not depend on cdk-nag
 * @param app the construct the pack validates: the `App` (or `Stage`) the plugin is registered on
 */
export function withConstructTree<C extends object, R>(pack: ConstructTreeValidator<C, R>, app: object): ConstructTreePlugin<C, R> {
  let report: R | undefined;
  return {
    name: pack.name,
    version: pack.version,
    get report() {
      return report;
    },
    validate(context: C): R {
      const hasTree = (context as { appConstruct?: unknown }).appConstruct !== undefined;
      report = pack.validate(hasTree ? context : { ...context, appConstruct: app });
      return report;
    },
  };
}
