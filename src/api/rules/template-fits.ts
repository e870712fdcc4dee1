import { SecuredApiSubject } from './subjects';
import { messageRule } from '../../rules/rule';
import { TEMPLATE_BODY_MAXIMUM_SIZE } from '../private/template-size';

/** The size of a definition (compact JSON) from which its API makes its stack's template fit (`fitTemplate`): a tenth of the limit. */
export const FIT_TEMPLATE_FROM_DEFINITION_CHARS = TEMPLATE_BODY_MAXIMUM_SIZE / 10;

/**
 * The stack's template file within CloudFormation's limit: `fitTemplate` writes it without
 * indentation when only indentation keeps it out; this refuses it with the fix when even that cannot.
 * Rendering the whole template costs about as much as the stack's own synthesis, so it is asked only
 * when this API's definition is a tenth of the limit or more (about 170 routes with CORS); a stack
 * made large by other resources gets aws-cdk-lib's own warning (`@aws-cdk/core:Stack.templateSize`).
 */
export const templateFits = messageRule<SecuredApiSubject>('SecuredApi.TemplateTooLarge', 'the stack\'s template fits CloudFormation\'s 1,000,000-byte limit (unindented if need be)', (api) => {
  if (api.definitionChars() < FIT_TEMPLATE_FROM_DEFINITION_CHARS) return [];
  const fit = api.templateFit();
  return fit.kind !== 'too-large' ? [] : [`${api.path}: the template of its stack would be ${fit.bytes.toLocaleString('en-US')} characters`
    + `${fit.indentedBytes !== undefined && fit.indentedBytes !== fit.bytes ? ` (${fit.indentedBytes.toLocaleString('en-US')} indented)` : ''}, over CloudFormation's 1,000,000-byte template limit, and CloudFormation would refuse it at deployment; ${fit.fix}.`];
});
