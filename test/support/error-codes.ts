// The error codes a source file can throw, and a recorder of the codes a test file saw thrown, so that
// a test file can check that it tests every code of the source file it covers.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Errors } from 'aws-cdk-lib';

const ROOT = path.join(__dirname, '..', '..');

/**
 * Where a code is written: as the first argument of `validationError(`/`validationMessage(`, or of a
 * helper that passes it on to them, whose name ends in `fail`/`Fail` (`fail('OidcIssuer.NotHttps', ...)`,
 * `this.fail('FederatedRole.NoTrust', ...)`).
 */
const CODE_SITE = /\b(?:validationError|validationMessage|\w*[fF]ail)\(\s*'([A-Z][A-Za-z0-9]*\.[A-Z][A-Za-z0-9]*)'/g;

/** Each code written in `source` (TypeScript text), with the 1-based line it is written on. */
export function codeSites(source: string): Array<{ code: string; line: number }> {
  return [...source.matchAll(CODE_SITE)].map((m) => ({ code: m[1], line: source.slice(0, m.index).split('\n').length }));
}

/** The codes a source file (path from the repository root) can throw, sorted, each once. */
export function codesThrownIn(file: string): string[] {
  const source = fs.readFileSync(path.join(ROOT, file), 'utf8');
  return [...new Set(codeSites(source).map((site) => site.code))].sort();
}

/** Records the codes a test file saw thrown. */
export class ErrorCodes {
  private readonly seen = new Set<string>();

  /**
   * Runs `fn` and asserts that it throws a CDK validation error with `code` (and, if given, a message
   * that contains `message` or matches it); returns the error.
   */
  public expectThrows(fn: () => unknown, code: string, message?: string | RegExp): Error {
    let error: unknown;
    try {
      fn();
    } catch (e) {
      error = e;
    }
    if (error === undefined) throw new Error(`expected ${code} to be thrown, but nothing was`);
    expect(error).toMatchObject({ code });
    expect(Errors.isValidationError(error)).toBe(true);
    if (typeof message === 'string') expect((error as Error).message).toContain(message);
    if (message instanceof RegExp) expect((error as Error).message).toMatch(message);
    this.seen.add(code);
    return error as Error;
  }

  /** Records a code asserted some other way (e.g. a `toThrow(expect.objectContaining({ code }))`). */
  public saw(code: string): string {
    this.seen.add(code);
    return code;
  }

  /** The codes of `file` no test of this file saw thrown (run this last in the file). */
  public untested(file: string): string[] {
    return codesThrownIn(file).filter((code) => !this.seen.has(code));
  }
}
