import { App, Errors, Stack } from 'aws-cdk-lib';
import { validationError, validationMessage } from '../src/errors';

describe('validationError', () => {
  test('should be a CDK validation error with its code, message and construct', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Stack');
    // WHEN
    const error = validationError('SecuredApi.NoRoutes', 'Stack/Api has no routes; add one.', stack);
    // THEN
    expect(error.code).toBe('SecuredApi.NoRoutes');
    expect(error.name).toBe('SecuredApi.NoRoutes');
    expect(error.message).toBe('Stack/Api has no routes; add one.');
    expect(Errors.isValidationError(error)).toBe(true);
    expect((error as unknown as { constructPath?: string }).constructPath).toBe('Stack');
  });

  test('should still carry its code without a construct', () => {
    const error = validationError('OidcIssuer.NotHttps', 'issuer must be https.');
    expect(error).toBeInstanceOf(Error);
    expect(Errors.isValidationError(error)).toBe(true);
    expect([error.name, error.code, error.message]).toEqual(['OidcIssuer.NotHttps', 'OidcIssuer.NotHttps', 'issuer must be https.']);
  });

  test('should refuse a code not in <Construct>.<Mistake> form', () => {
    expect(() => validationError('no-routes' as never, 'x')).toThrow(/not an error code/);
    expect(() => validationMessage('SecuredApi' as never, 'x')).toThrow(/not an error code/);
  });

  test('should end a validation message with its code', () => {
    expect(validationMessage('SecuredApi.NoRoutes', 'Stack/Api has no routes.')).toBe('Stack/Api has no routes. [SecuredApi.NoRoutes]');
  });
});
