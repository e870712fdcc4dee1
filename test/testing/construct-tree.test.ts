import { App, PolicyValidationPluginReport, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { withConstructTree } from '../../src/testing';
import { synthKeepingExitCode } from '../support/cdk';

const CONTEXT = { templatePaths: [], stackTemplates: [] };

/** A pack that records the context it was given. */
function recorder() {
  const seen: Array<Record<string, unknown>> = [];
  return {
    seen,
    pack: {
      name: 'Recorder',
      version: '1.0.0',
      validate: (context: Record<string, unknown>): PolicyValidationPluginReport => {
        seen.push(context);
        return { success: true, violations: [] };
      },
    },
  };
}

describe('withConstructTree', () => {
  test('should hand the pack the app when the validation context has no construct tree', () => {
    // GIVEN
    const app = new App();
    const { seen, pack } = recorder();

    // WHEN
    const plugin = withConstructTree(pack, app);
    plugin.validate(CONTEXT);

    // THEN
    expect(plugin.name).toBe('Recorder');
    expect(plugin.version).toBe('1.0.0');
    expect(seen).toEqual([{ ...CONTEXT, appConstruct: app }]);
    expect(plugin.report).toEqual({ success: true, violations: [] });
  });

  test('should pass a context that has a construct tree through unchanged', () => {
    // GIVEN
    const app = new App();
    const other = new App();
    const { seen, pack } = recorder();
    const context = { ...CONTEXT, appConstruct: other };

    // WHEN
    withConstructTree(pack, app).validate(context);

    // THEN
    expect(seen[0]).toBe(context);
  });

  test('should run cdk-nag\'s AwsSolutionsChecks inside CDK\'s validation step', () => {
    // GIVEN
    const app = new App();
    new sqs.Queue(new Stack(app, 'Queues'), 'Plain');
    const plugin = withConstructTree(new AwsSolutionsChecks(app), app);
    Validations.of(app).addPlugins(plugin); // type-checks as an IPolicyValidationPlugin

    // WHEN
    synthKeepingExitCode(app);

    // THEN
    expect(plugin.report?.violations.map((v) => v.ruleName)).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
  });
});
