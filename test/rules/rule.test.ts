import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as fc from 'fast-check';
import { addRuleWarnings, defineRule, messageRule, messagesOf, Rule, RuleLevel, ruleMessages, runRules } from '../../src/rules/rule';

interface Subject { readonly words: readonly string[] }

/** One finding per word that is `bad`. */
const noBadWords = messageRule<Subject>('Example.BadWord', 'no word is bad', (s) => s.words.filter((w) => w === 'bad').map((w) => `the word '${w}' is bad; remove it`));
const noEmpty = defineRule<Subject>('Example.Empty', 'there is a word', (s) => (s.words.length === 0 ? [{ message: 'there are no words; add one' }] : []));
const longWords: Rule<Subject> = {
  code: 'Example.LongWord',
  checks: 'no word is over 5 letters (a warning)',
  level: RuleLevel.WARNING,
  check: (s) => s.words.filter((w) => w.length > 5).map((w) => ({ message: `'${w}' is long` })),
};
const RULES = [noBadWords, noEmpty, longWords];

describe('rules', () => {
  test('should report each error finding as a validation message ending in its code, in list order', () => {
    expect(ruleMessages(RULES, { words: ['bad', 'lengthy', 'bad'] })).toEqual([
      'the word \'bad\' is bad; remove it [Example.BadWord]',
      'the word \'bad\' is bad; remove it [Example.BadWord]',
    ]);
    expect(ruleMessages(RULES, { words: [] })).toEqual(['there are no words; add one [Example.Empty]']);
    expect(ruleMessages(RULES, { words: ['good'] })).toEqual([]);
  });

  test('should leave warnings out of validation messages, and add them as warnings acknowledged by their id', () => {
    const stack = new Stack(new App(), 'Stack');
    addRuleWarnings(stack, RULES, { words: ['bad', 'lengthy'] });
    addRuleWarnings(stack, [{ ...longWords, warningId: 'example:longWords' }], { words: ['verbose'] });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => w.entry.data);
    expect(warnings).toEqual([
      '\'lengthy\' is long [Example.LongWord] [ack: Example.LongWord]',
      '\'verbose\' is long [Example.LongWord] [ack: example:longWords]',
    ]);
  });

  test('should refuse a rule whose code is not <Construct>.<Mistake>', () => {
    const bad = messageRule<Subject>('example.bad' as 'A.B', 'nothing', () => ['found']);
    expect(() => ruleMessages([bad], { words: [] })).toThrow(/is not an error code/);
  });

  test('should report every finding of every rule once, with its rule (generated subjects)', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom('bad', 'good', 'lengthy', '')), (words) => {
      const found = runRules(RULES, { words });
      const expected = RULES.flatMap((rule) => messagesOf(rule, { words }).map((message) => `${rule.code}: ${message}`));
      expect(found.map(({ rule, finding }) => `${rule.code}: ${finding.message}`)).toEqual(expected);
      expect(ruleMessages(RULES, { words })).toHaveLength(found.filter(({ rule }) => rule.level !== RuleLevel.WARNING).length);
    }));
  });
});
