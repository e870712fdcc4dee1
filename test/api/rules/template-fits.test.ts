import { securedApi } from './subjects';
import { FIT_TEMPLATE_FROM_DEFINITION_CHARS, templateFits } from '../../../src/api/rules/template-fits';
import { messagesOf } from '../../../src/rules/rule';

describe('templateFits', () => {
  test('should not render the template of a small definition', () => {
    // securedApi's templateFit throws when asked
    expect(messagesOf(templateFits, securedApi({ definitionChars: () => FIT_TEMPLATE_FROM_DEFINITION_CHARS - 1 }))).toEqual([]);
  });

  test('should pass a template that fits, or that fits unindented', () => {
    expect(messagesOf(templateFits, securedApi({ definitionChars: () => FIT_TEMPLATE_FROM_DEFINITION_CHARS, templateFit: () => ({ kind: 'fits', bytes: 900_000 }) }))).toEqual([]);
    expect(messagesOf(templateFits, securedApi({ definitionChars: () => 500_000, templateFit: () => ({ kind: 'compacted', indentedBytes: 1_100_000, bytes: 700_000 }) }))).toEqual([]);
  });

  test('should refuse a template too large even unindented, with the fix', () => {
    const fit = { kind: 'too-large' as const, indentedBytes: 1_600_000, bytes: 1_050_000, fix: 'split the routes over two stacks' };
    expect(messagesOf(templateFits, securedApi({ definitionChars: () => 900_000, templateFit: () => fit }))).toEqual([
      'Orders/Api: the template of its stack would be 1,050,000 characters (1,600,000 indented), over CloudFormation\'s 1,000,000-byte template limit, '
      + 'and CloudFormation would refuse it at deployment; split the routes over two stacks.',
    ]);
    expect(templateFits.code).toBe('SecuredApi.TemplateTooLarge');
  });
});
