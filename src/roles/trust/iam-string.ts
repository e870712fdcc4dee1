// How IAM reads a condition value: policy variables, their escapes, and StringLike wildcards.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html ("Special characters":
// `${*}`, `${?}` and `${$}` stand for a literal `*`, `?` and `$`; any other `${...}` is filled in from the request).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String
// (StringLike: `*` any run of characters, `?` one character, anywhere in the value, `/` and `:` included).

/** Stands in for a deploy-time token inside a string: `TOKEN_MARK<id>TOKEN_MARK` (a private-use character). */
export const TOKEN_MARK = '\uE000';
/** A literal `*` or `?` written as an escape: literal in every operator. */
const LITERAL_STAR = '\uE001';
const LITERAL_QUESTION = '\uE002';

const ESCAPES: Record<string, string> = { '${*}': LITERAL_STAR, '${?}': LITERAL_QUESTION, '${$}': '$' };

/**
 * Whether IAM would substitute part of the value from the request. Worst reading: every `${` that does
 * not begin one of the three escapes starts a variable, closed or not.
 */
export function hasPolicyVariable(value: string): boolean {
  return /\$\{/.test(removeEscapes(value));
}

/**
 * The value as a `StringLike` pattern sees it: escapes turned into literal stand-ins, so only real
 * wildcards remain `*` and `?`. Call only on values without policy variables.
 */
export function patternView(value: string): string {
  return value.replace(/\$\{[*?$]\}/g, escape => ESCAPES[escape]);
}

/** Index of the first StringLike wildcard (`*` or `?`, not escaped), or -1. */
export function firstWildcard(value: string): number {
  return patternView(value).search(/[*?]/);
}

/** Whether a StringLike value is nothing but wildcards (matches anything of some length). */
export function isWildcardOnly(value: string): boolean {
  return /^[*?]+$/.test(patternView(value));
}

/** Whether the value holds a deploy-time token mark. */
export function hasTokenMark(value: string): boolean {
  return value.includes(TOKEN_MARK);
}

/** The value for messages: token marks shown as `<token>`. */
export function displayValue(value: string): string {
  return value.replace(new RegExp(`${TOKEN_MARK}\\d*${TOKEN_MARK}?`, 'g'), '<token>');
}

function removeEscapes(value: string): string {
  return value.replace(/\$\{[*?$]\}/g, '');
}
