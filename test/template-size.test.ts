import * as fs from 'node:fs';
import { App, CfnResource, Stack, StackProps } from 'aws-cdk-lib';
import { ordersApi } from './support/orders-api';
import { fitTemplate, SYNTHESIZER_ALLOWANCE, TemplateFit } from '../src/api/private/template-size';

/** A stack holding one resource whose properties are `items` strings nested a few levels deep (indentation is a large share of it). */
function stackOf(items: number, props: StackProps = {}): { app: App; stack: Stack } {
  const app = new App();
  const stack = new Stack(app, 'Sized', props);
  new CfnResource(stack, 'Bulk', {
    type: 'Custom::Bulk',
    properties: { Items: Array.from({ length: items }, (_, i) => ({ Name: `item-${i}`, Tags: [{ Key: 'k', Value: `v${i}` }] })) },
  });
  return { app, stack };
}

function writtenTemplate(app: App, stack: Stack): string {
  return fs.readFileSync(app.synth().getStackByName(stack.stackName).templateFullPath, 'utf8');
}

describe('fitTemplate', () => {
  test('should measure the template exactly as the stack writes it, indented or not', () => {
    for (const suppressTemplateIndentation of [false, true]) {
      // GIVEN
      const { app, stack } = stackOf(200, { suppressTemplateIndentation });
      const written = writtenTemplate(app, stack);

      // WHEN
      const fit = fitTemplate(stack, 10_000_000);

      // THEN
      expect([suppressTemplateIndentation, fit]).toEqual([suppressTemplateIndentation, { kind: 'fits', bytes: written.length }]);
    }
  });

  test('should write the template without indentation when only indentation keeps it over the limit, and say so', () => {
    // GIVEN
    const { app, stack } = stackOf(200);
    const twin = stackOf(200);
    const compact = JSON.stringify(JSON.parse(writtenTemplate(twin.app, twin.stack))).length;

    // WHEN: asked at validation, as a SecuredApi asks (after synthesis has added its metadata resource)
    let fit: TemplateFit | undefined;
    stack.node.addValidation({ validate: () => (fit = fitTemplate(stack, compact + SYNTHESIZER_ALLOWANCE), []) });
    const artifact = app.synth().getStackByName(stack.stackName);

    // THEN
    // At validation the synthesizer has not added its bootstrap version parameter and rule yet.
    expect(fit).toEqual({ kind: 'compacted', indentedBytes: expect.any(Number), bytes: expect.any(Number) });
    expect(fit?.kind === 'compacted' && [compact - fit.bytes, fit.indentedBytes > compact]).toEqual([expect.any(Number), true]);
    expect(compact - fit!.bytes).toBeGreaterThan(0);
    expect(compact - fit!.bytes).toBeLessThan(SYNTHESIZER_ALLOWANCE);
    const written = fs.readFileSync(artifact.templateFullPath, 'utf8');
    expect(written.length).toBe(compact);
    expect(written).not.toContain('\n');
    expect(artifact.messages.map((m) => [m.level, m.entry.data])).toEqual([['info', expect.stringMatching(
      /^cdk-secured-api: this stack's template is [\d,]+ characters indented, over CloudFormation's [\d,]+-byte limit, so it is written without indentation .*Set suppressTemplateIndentation: true on the stack/)]]);
  });

  test('should leave an indented template within the limit as it is, and answer once per stack', () => {
    // GIVEN
    const { app, stack } = stackOf(20);

    // WHEN
    const first = fitTemplate(stack, 1_000_000);
    const again = fitTemplate(stack, 10);

    // THEN
    expect(again).toBe(first);
    expect(first.kind).toBe('fits');
    expect(writtenTemplate(app, stack)).toContain('\n "Resources"');
  });

  test('should say to split the stack when the template is over the limit even without indentation', () => {
    for (const suppressTemplateIndentation of [false, true]) {
      // GIVEN
      const { app, stack } = stackOf(200, { suppressTemplateIndentation });

      // WHEN
      const fit = fitTemplate(stack, 3_000);

      // THEN
      expect([suppressTemplateIndentation, fit]).toEqual([suppressTemplateIndentation, expect.objectContaining({
        kind: 'too-large',
        fix: 'move some of the routes, or other resources of the stack Sized, to another stack (each SecuredApi is one REST API with its own template)',
      })]);
      expect(writtenTemplate(app, stack).includes('\n')).toBe(!suppressTemplateIndentation);
    }
  });

  test('should change nothing and give the fix when the stack keeps its setting where this aws-cdk-lib does not', () => {
    // GIVEN: an aws-cdk-lib whose Stack keeps the setting elsewhere
    const { app, stack } = stackOf(200);
    delete (stack as unknown as { _suppressTemplateIndentation?: boolean })._suppressTemplateIndentation;

    // WHEN
    const fit = fitTemplate(stack, 17_000);

    // THEN
    expect(fit).toEqual(expect.objectContaining({ kind: 'too-large', fix: expect.stringMatching(/^set suppressTemplateIndentation: true on the stack Sized \(its template is then [\d,]+ characters\)$/) }));
    expect(writtenTemplate(app, stack)).toContain('\n');
  });
});

describe('a SecuredApi and its stack\'s template size', () => {
  test('should leave the stack to aws-cdk-lib\'s own warning when the API\'s definition is small', () => {
    // GIVEN: a small API in a stack made large by something else
    const { app, stack } = ordersApi();
    new CfnResource(stack, 'Bulk', {
      type: 'Custom::Bulk',
      properties: { Items: Array.from({ length: 12_000 }, (_, i) => ({ Name: `item-${i}`, Tags: [{ Key: 'k', Value: `v${i}` }] })) },
    });

    // WHEN
    const artifact = app.synth().getStackByName(stack.stackName);

    // THEN
    expect(fs.statSync(artifact.templateFullPath).size).toBeGreaterThan(1_000_000);
    expect(artifact.messages.map((m) => m.entry.data)).toContainEqual(expect.stringMatching(/^Template size exceeds limit: /));
  });

  test('should refuse at synth, saying how to split, a stack whose template is over the limit even without indentation', () => {
    // GIVEN: an API whose definition is past a tenth of the limit (about 180 routes with CORS), and other resources past the rest
    const { app, stack } = ordersApi({ cors: { allowOrigins: ['https://app.example.com', 'https://admin.example.com'] } }, 540);
    new CfnResource(stack, 'Bulk', {
      type: 'Custom::Bulk',
      properties: { Items: Array.from({ length: 20_000 }, (_, i) => ({ Name: `item-${i}`, Tags: [{ Key: 'k', Value: `v${i}` }] })) },
    });

    // WHEN / THEN
    expect(() => app.synth()).toThrow(/Orders\/Api: the template of its stack would be [\d,]+ characters \([\d,]+ indented\), over CloudFormation's 1,000,000-byte template limit, and CloudFormation would refuse it at deployment; move some of the routes, or other resources of the stack Orders, to another stack/);
  });
});
