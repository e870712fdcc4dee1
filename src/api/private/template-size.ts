import { Annotations, CfnElement, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * CloudFormation's limit on a template body read from S3 (where the CDK CLI uploads every template
 * over 50 KiB), as aws-cdk-lib takes it (Stack `TEMPLATE_BODY_MAXIMUM_SIZE`, 1,000,000): the
 * smaller reading of "1 MB" in "Understand CloudFormation quotas"
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html).
 */
export const TEMPLATE_BODY_MAXIMUM_SIZE = 1_000_000;

/**
 * What the stack's synthesizer adds to the template after validation, when it writes the file: the
 * DefaultStackSynthesizer's `BootstrapVersion` parameter and `CheckBootstrapVersion` rule (about
 * 600 characters indented, added in its `synthesize`). Kept free below the limit.
 */
export const SYNTHESIZER_ALLOWANCE = 2_000;

/** What `fitTemplate` did to a stack: nothing, turned its indentation off, or could not fit it. */
export type TemplateFit =
  | { readonly kind: 'fits'; readonly bytes: number }
  | { readonly kind: 'compacted'; readonly indentedBytes: number; readonly bytes: number }
  | { readonly kind: 'too-large'; readonly indentedBytes?: number; readonly bytes: number; readonly fix: string };

/** The stack's choice of template format, read where Stack keeps it (its constructor reads props, then context). */
interface IndentationSetting { _suppressTemplateIndentation?: unknown }

const FITTED = new WeakMap<Stack, TemplateFit>();

/**
 * Makes the stack's template file fit CloudFormation's limit when indentation is all that keeps it
 * out, once per stack and synthesis (every SecuredApi of the stack asks; the first answer holds).
 *
 * A stack writes its template as `JSON.stringify(template, undefined, 1)` unless
 * `suppressTemplateIndentation` (then with no indentation), and only warns when the file passes
 * 1,000,000 characters (`@aws-cdk/core:Stack.templateSize`); CloudFormation then refuses it at
 * deployment. A REST API's definition is most of a large API's template, and a third of it is
 * indentation: 1,000 routes with CORS and quotas are about 1.14 MB indented and 0.71 MB without. The
 * construct that makes the template large makes it fit: when the indented file would pass the limit
 * and the compact one would not, the stack writes it without indentation (the same template, with no
 * whitespace), and an info annotation says so.
 *
 * A construct cannot set this through a public API: Stack reads the setting in its constructor, and
 * keeps it in `_suppressTemplateIndentation`, which `_synthesizeTemplate` reads when it writes the
 * file (aws-cdk-lib core/lib/stack.ts). Where that field is not a boolean (a future aws-cdk-lib),
 * nothing is changed and the answer is `too-large` with the fix for the user to apply.
 *
 * The size is the rendered template's (every CloudFormation element of the stack, resolved, the way
 * `Stack._toCloudFormation` merges them), measured in UTF-16 code units as Stack measures it, with
 * `SYNTHESIZER_ALLOWANCE` kept free for what the synthesizer adds after validation. Asked at
 * validation, when aspects have run and the tree no longer changes.
 */
export function fitTemplate(stack: Stack, limit: number = TEMPLATE_BODY_MAXIMUM_SIZE): TemplateFit {
  const known = FITTED.get(stack);
  if (known) return known;
  const fit = decide(stack, limit);
  FITTED.set(stack, fit);
  if (fit.kind === 'compacted') {
    Annotations.of(stack).addInfo(`cdk-secured-api: this stack's template is ${fit.indentedBytes.toLocaleString('en-US')} characters indented, over CloudFormation's ${limit.toLocaleString('en-US')}-byte limit, `
      + `so it is written without indentation (${fit.bytes.toLocaleString('en-US')} characters; the same template). Set suppressTemplateIndentation: true on the stack to make this explicit.`);
  }
  return fit;
}

function decide(stack: Stack, outerLimit: number): TemplateFit {
  const limit = outerLimit - SYNTHESIZER_ALLOWANCE;
  const template = renderedTemplate(stack);
  const setting = stack as unknown as IndentationSetting;
  const compact = JSON.stringify(template).length;
  const suppressed = setting._suppressTemplateIndentation;
  if (suppressed === true) {
    return compact > limit ? { kind: 'too-large', bytes: compact, fix: splitFix(stack) } : { kind: 'fits', bytes: compact };
  }
  const indented = JSON.stringify(template, undefined, 1).length;
  if (indented <= limit) return { kind: 'fits', bytes: indented };
  if (compact > limit) return { kind: 'too-large', indentedBytes: indented, bytes: compact, fix: splitFix(stack) };
  if (suppressed !== false) {
    return {
      kind: 'too-large',
      indentedBytes: indented,
      bytes: indented,
      fix: `set suppressTemplateIndentation: true on the stack ${stack.node.path} (its template is then ${compact.toLocaleString('en-US')} characters)`,
    };
  }
  setting._suppressTemplateIndentation = true;
  return { kind: 'compacted', indentedBytes: indented, bytes: compact };
}

function splitFix(stack: Stack): string {
  return `move some of the routes, or other resources of the stack ${stack.node.path}, to another stack (each SecuredApi is one REST API with its own template)`;
}

/** The stack's template as `Stack._toCloudFormation` renders it: every element's fragment, resolved and merged by section. */
function renderedTemplate(stack: Stack): Record<string, unknown> {
  const template: Record<string, unknown> = {
    Description: stack.templateOptions.description,
    Transform: stack.templateOptions.transforms?.length === 1 ? stack.templateOptions.transforms[0] : stack.templateOptions.transforms,
    AWSTemplateFormatVersion: stack.templateOptions.templateFormatVersion,
    Metadata: stack.templateOptions.metadata,
  };
  for (const element of cfnElements(stack)) {
    const fragment: unknown = stack.resolve((element as unknown as { _toCloudFormation(): object })._toCloudFormation());
    if (typeof fragment !== 'object' || fragment === null) continue;
    for (const [section, value] of Object.entries(fragment)) {
      const existing = template[section];
      template[section] = isRecord(existing) && isRecord(value) ? { ...existing, ...value } : value;
    }
  }
  return template;
}

/** The CloudFormation elements a stack renders: its own, not those of nested stacks (Stack's `cfnElements`). */
function cfnElements(node: IConstruct, into: CfnElement[] = []): CfnElement[] {
  if (CfnElement.isCfnElement(node)) into.push(node);
  for (const child of node.node.children) {
    if (Stack.isStack(child)) continue;
    cfnElements(child, into);
  }
  return into;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
