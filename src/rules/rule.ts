// One shape for every synth-time check of this library (as cdk-nag's rules: one small rule per file,
// named for what it checks, registered in a list per construct). A rule reads plain data (its
// subject), so that it is tested on hand-written subjects as well as through a synthesized app; the
// construct that owns the list builds the subject and runs the list. Not part of the public API.
import { Annotations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ErrorCode, validationMessage } from '../errors';

/** One thing a rule found: what is wrong, naming the construct, the value and the fix. */
export interface RuleFinding {
  readonly message: string;
}

/** How a rule's findings are reported. */
export enum RuleLevel {
  /** A validation error: synth fails. */
  ERROR = 'error',
  /** A warning annotation: synth goes on (a deployment may still fail, e.g. over a quota). */
  WARNING = 'warning',
}

/** One synth-time check over a subject `S`, with a stable code. */
export interface Rule<S, F extends RuleFinding = RuleFinding> {
  /** `<Construct>.<Mistake>` (src/errors.ts): one code per mistake, never reused. */
  readonly code: ErrorCode;
  /** What it checks, in one line (docs/rules.md lists it). */
  readonly checks: string;
  /** How its findings are reported. @default RuleLevel.ERROR */
  readonly level?: RuleLevel;
  /**
   * The id of its warning annotation (`addWarningV2`), by which users acknowledge it; only for
   * `RuleLevel.WARNING`, and only where an id older than the code must keep working.
   * @default - the code
   */
  readonly warningId?: string;
  /** The findings on `subject`, none when it passes. A rule never decides what other rules report. */
  check(subject: S): F[];
}

/** The findings of every rule of `rules` on `subject`, each with its rule, in list order. */
export function runRules<S, F extends RuleFinding>(rules: ReadonlyArray<Rule<S, F>>, subject: S): Array<{ rule: Rule<S, F>; finding: F }> {
  return rules.flatMap((rule) => rule.check(subject).map((finding) => ({ rule, finding })));
}

/**
 * The validation messages (`node.addValidation`) of the error-level rules of `rules` on `subject`:
 * each finding's message ending in its rule's code (`<message> [<code>]`).
 */
export function ruleMessages<S, F extends RuleFinding>(rules: ReadonlyArray<Rule<S, F>>, subject: S): string[] {
  const errors = rules.filter((rule) => (rule.level ?? RuleLevel.ERROR) === RuleLevel.ERROR);
  return runRules(errors, subject).map(({ rule, finding }) => validationMessage(rule.code, finding.message));
}

/**
 * Adds a warning annotation to `scope` for each finding of the warning-level rules of `rules` on
 * `subject`, its message ending in its rule's code.
 */
export function addRuleWarnings<S, F extends RuleFinding>(scope: IConstruct, rules: ReadonlyArray<Rule<S, F>>, subject: S): void {
  const warnings = rules.filter((rule) => rule.level === RuleLevel.WARNING);
  for (const { rule, finding } of runRules(warnings, subject)) {
    Annotations.of(scope).addWarningV2(rule.warningId ?? rule.code, validationMessage(rule.code, finding.message));
  }
}

/** A rule whose findings are messages alone, from a check that returns them as strings. */
export function messageRule<S>(code: ErrorCode, checks: string, check: (subject: S) => string[]): Rule<S> {
  return { code, checks, check: (subject) => check(subject).map((message) => ({ message })) };
}

/** The messages of one rule's findings on `subject`, without its code (for tests of one rule). */
export function messagesOf<S, F extends RuleFinding>(rule: Rule<S, F>, subject: S): string[] {
  return rule.check(subject).map((finding) => finding.message);
}

/** A rule of `code` that `checks` what its one-line description says, by `check`. */
export function defineRule<S, F extends RuleFinding = RuleFinding>(code: ErrorCode, checks: string, check: (subject: S) => F[]): Rule<S, F> {
  return { code, checks, check };
}
