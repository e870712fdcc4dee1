// One error type for the mistakes a user can make in a construct of this library: each has a stable
// code (PascalCase, `<Construct>.<Mistake>`, e.g. `SecuredApi.PublicRouteWithScopes`), listed in
// docs/errors.md, that tests assert and users can match on; the message says what is wrong and how
// to fix it, and names the construct path.
import * as cdk from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** A stable code naming one mistake: `<Construct>.<Mistake>`, both PascalCase. */
export type ErrorCode = `${string}.${string}`;

const CODE = /^[A-Z][A-Za-z0-9]*\.[A-Z][A-Za-z0-9]*$/;

/**
 * The error thrown for a user's mistake: aws-cdk-lib's `ValidationError`, or `UnscopedValidationError`
 * without a construct (what `Errors.isValidationError`
 * recognizes, shown by the CDK as a validation error with its code and the construct it relates to,
 * without a raw stack trace), with the code also in `code`.
 *
 * aws-cdk-lib exports `ValidationError` at runtime but marks it `@internal`; house style follows it
 * (`throw new ValidationError(lit\`Code\`, message, scope)`). Should a later aws-cdk-lib drop it or
 * change what it accepts, this falls back to a plain `Error` of the same name, code and message, so
 * a user's mistake is never hidden: `test/errors.test.ts` tells which one the installed version gives.
 */
export function validationError(code: ErrorCode, message: string, scope?: IConstruct): Error & { readonly code: ErrorCode } {
  if (!CODE.test(code)) {
    throw new Error(`cdk-secured-api: '${code}' is not an error code (<Construct>.<Mistake>, both PascalCase).`);
  }
  let error: Error | undefined;
  // With a construct: `ValidationError(name, msg, scope)`; without one (a static factory's input): `UnscopedValidationError(name, msg)`.
  const cdkError = (cdk as Record<string, unknown>)[scope === undefined ? 'UnscopedValidationError' : 'ValidationError'];
  if (typeof cdkError === 'function') {
    try {
      const made: unknown = new (cdkError as new (name: string, msg: string, scope?: IConstruct) => Error)(code, message, scope);
      if (made instanceof Error && made.message === message && made.name === code && cdk.Errors.isValidationError(made)) error = made;
    } catch {
      error = undefined;
    }
  }
  if (error === undefined) {
    error = new Error(message);
    error.name = code;
  }
  Object.defineProperty(error, 'code', { value: code, enumerable: true });
  return error as Error & { readonly code: ErrorCode };
}

/**
 * A message of a construct validation (`node.addValidation`), which the CDK reports at synth with
 * the construct's path, ending in its code: `<message> [<code>]`.
 */
export function validationMessage(code: ErrorCode, message: string): string {
  if (!CODE.test(code)) {
    throw new Error(`cdk-secured-api: '${code}' is not an error code (<Construct>.<Mistake>, both PascalCase).`);
  }
  return `${message} [${code}]`;
}
