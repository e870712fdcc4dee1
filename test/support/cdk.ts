import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { withConstructTree } from '../../src/testing';

/** config.json of the stack's authorizer, read back from the synthesized cloud assembly. */
export function authorizerConfigJson(app: App, stack: Stack): Record<string, any> {
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template;
  const fn = Object.values<any>(template.Resources).find((r) =>
    r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.SECURED_API_ISSUER !== undefined);
  const dir = path.join(assembly.directory, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
  expect(fs.readdirSync(dir).sort()).toEqual(['config.json', 'index.js']);
  return JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
}

/**
 * Synthesizes an app whose validation plugins may fail: their printed report is muted, and the
 * process exit code a failed validation sets is restored (the assertions report the findings
 * instead; jest would otherwise exit 1 with every test passed).
 */
export function synthKeepingExitCode(app: App): CloudAssembly {
  const printed = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const exitCode = process.exitCode;
  try {
    return app.synth();
  } catch (error) {
    // aws-cdk-lib releases after 2.257 throw when a validation plugin failed, once they have written
    // the assembly and its report (2.257 sets process.exitCode instead): read the assembly they wrote.
    if (String((error as Error).message).includes('A copy of this report can be found in') && fs.existsSync(path.join(app.outdir, 'manifest.json'))) {
      return new CloudAssembly(app.outdir);
    }
    throw error;
  } finally {
    process.exitCode = exitCode;
    printed.mockRestore();
  }
}

/**
 * Synthesizes with cdk-nag's AwsSolutionsChecks registered the cdk-nag 3 way and returns its
 * unacknowledged findings as `<rule id> <construct path>`, sorted. cdk-nag 3.0.2 needs the construct
 * tree on the validation context, which aws-cdk-lib 2.257.0 does not pass: `withConstructTree`
 * (cdk-secured-api/testing, see test/nag.test.ts) hands it the app.
 */
export function nagFindings(app: App): string[] {
  const plugin = withConstructTree(new AwsSolutionsChecks(app), app);
  Validations.of(app).addPlugins(plugin);
  synthKeepingExitCode(app);
  return plugin.report!.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`)).sort();
}

/**
 * Every acknowledgement recorded under `root`, in construct tree order, with ids as cdk-nag reads
 * them: `acknowledge` prefixes an id without `::` with `annotation::`, and records each rule as a
 * further metadata entry holding all of the construct's acknowledgements so far.
 */
export function acknowledgements(root: IConstruct): Array<{ path: string; id: string; reason: unknown }> {
  return root.node.findAll().flatMap((construct) => {
    const recorded = construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .reduce((all, entry) => ({ ...all, ...entry.data }), {} as Record<string, unknown>);
    return Object.entries(recorded).map(([id, reason]) => ({ path: construct.node.path, id: id.replace(/^annotation::/i, ''), reason }));
  });
}
