// IAM's Condition element, evaluated against one request context, for the trust-policy simulator.
// Written from IAM's documentation alone, on purpose sharing no code with the FederationGuard (which
// reasons about trust policies at synth), so that each can check the other.
//
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
//   String operators (StringEquals/NotEquals, ...IgnoreCase, StringLike/NotLike: `*` any run of
//   characters, `?` one, anywhere, case-sensitive), Bool, ARN operators, `...IfExists`, `Null`; and: "If
//   the key that you specify in a policy condition is not present in the request context, the values do
//   not match and the condition is false. If the policy condition requires that the key is not matched,
//   such as StringNotLike or ArnNotLike, and the right key is not present, the condition is true. This
//   logic applies to all condition operators except ...IfExists and Null check."
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html
//   Several operators: AND; several keys in one operator: AND; several values for one key: OR (NOR for a
//   negated operator). `ForAnyValue:` is true when at least one request value matches (false for a
//   missing key or an empty set); `ForAllValues:` when every request value matches (true for a missing
//   key or an empty set).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
//   `${key}` is replaced by the key's value in the request; `${key, 'default'}` falls back to the default;
//   `${*}`, `${?}`, `${$}` are a literal `*`, `?`, `$`. "If AWS cannot resolve a variable, this might
//   cause the entire statement to be invalid": the simulator answers `unknown` then, rather than guess.

/** Three-valued: `undefined` is "cannot be told at synth" (an unresolved value, an unsimulated operator). */
export type Tri = boolean | undefined;

/** The request context: lower-cased key to its values; a single-valued key has one. */
export type RequestContext = ReadonlyMap<string, readonly string[]>;

/** The outcome of one Condition element, with the first reason it is not true. */
export interface ConditionOutcome {
  readonly result: Tri;
  readonly reason?: string;
}

/** A policy value, already resolved from the template; `undefined` text is a deploy-time value. */
export interface PolicyValue {
  readonly text?: string;
  /** How the unresolved value was written, for messages. */
  readonly display: string;
}

/** One character of a pattern: a literal, or (StringLike only) a `*` or `?` wildcard. */
type PatternPart = { readonly literal: string } | { readonly wildcard: '*' | '?' };

const STRING_OPERATORS = ['stringequals', 'stringnotequals', 'stringequalsignorecase', 'stringnotequalsignorecase', 'stringlike', 'stringnotlike'];
const ARN_OPERATORS = ['arnequals', 'arnlike', 'arnnotequals', 'arnnotlike'];

export type ConditionBlocks = Readonly<Record<string, Readonly<Record<string, readonly PolicyValue[]>>>>;

/** Evaluates a whole Condition element (all operators, all keys: AND). */
export function evaluateCondition(condition: ConditionBlocks, context: RequestContext): ConditionOutcome {
  let unknown: string | undefined;
  for (const [operator, block] of Object.entries(condition)) {
    for (const [key, values] of Object.entries(block)) {
      const outcome = evaluateEntry(operator, key, values, context);
      if (outcome.result === false) return outcome;
      if (outcome.result === undefined) unknown ??= outcome.reason;
    }
  }
  return unknown === undefined ? { result: true } : { result: undefined, reason: unknown };
}

/** One key under one operator. */
export function evaluateEntry(operator: string, key: string, values: readonly PolicyValue[], context: RequestContext): ConditionOutcome {
  const qualified = /^(ForAnyValue|ForAllValues):(.+)$/i.exec(operator);
  const qualifier = qualified?.[1].toLowerCase();
  let base = (qualified ? qualified[2] : operator).toLowerCase();
  const ifExists = base.endsWith('ifexists');
  if (ifExists) base = base.slice(0, -'ifexists'.length);
  const requestValues = context.get(key.toLowerCase());
  const present = requestValues !== undefined && requestValues.length > 0;
  const shown = `'${key}' ${present ? `is ${describeValues(requestValues)}` : 'is not in the request'}`;
  const fail = (result: Tri, why: string): ConditionOutcome => ({ result, reason: result === true ? undefined : `${operator} on ${shown}: ${why}` });

  if (base === 'null') {
    if (qualifier) return fail(undefined, 'a set operator on Null is not simulated');
    const wanted = values.map(v => v.text?.toLowerCase());
    if (wanted.some(w => w === undefined)) return fail(undefined, `its value ${values.map(v => v.display).join(', ')} is only known at deploy time`);
    // Several values for one key: OR. "true" holds when the key is absent, "false" when it is present.
    return fail(wanted.some(w => (w === 'true') === !present), `Null wants ${wanted.map(w => `'${w}'`).join(' or ')}`);
  }
  const negated = base.includes('not');
  const compare = comparator(base);
  const like = base.endsWith('like') || ARN_OPERATORS.includes(base);
  if (!compare) return fail(undefined, `the operator '${operator}' is not simulated`);

  if (qualifier === 'foranyvalue' || qualifier === 'forallvalues') {
    if (!present) return fail(qualifier === 'forallvalues', qualifier === 'forallvalues' ? '' : 'ForAnyValue is false for a missing key');
    const each = requestValues.map(v => matchOne(compare, negated, like, v, values, context));
    const result = qualifier === 'foranyvalue' ? anyOf(each) : allOf(each);
    return fail(result, describeWanted(operator, values, each));
  }
  if (!present) {
    if (ifExists) return { result: true };
    return fail(negated, 'a missing key never matches');
  }
  // A single-valued operator on several request values: IAM does not document it for these keys, so
  // the reading that lets the caller in is taken (any value matching), never the stricter one.
  const each = requestValues.map(v => matchOne(compare, negated, like, v, values, context));
  return fail(anyOf(each), describeWanted(operator, values, each));
}

/** Whether one request value satisfies the operator against the policy values (OR; NOR when negated). */
function matchOne(
  compare: Comparator, negated: boolean, like: boolean, requestValue: string, values: readonly PolicyValue[], context: RequestContext,
): Tri {
  const matches = values.map(v => {
    const pattern = expand(v, context, like);
    return pattern === undefined ? undefined : compare(requestValue, pattern);
  });
  const any = anyOf(matches);
  return negated ? (any === undefined ? undefined : !any) : any;
}

type Comparator = (value: string, pattern: PatternPart[]) => Tri;

function comparator(base: string): Comparator | undefined {
  if (STRING_OPERATORS.includes(base) || ARN_OPERATORS.includes(base)) {
    const like = base.endsWith('like') || ARN_OPERATORS.includes(base);
    const ignoreCase = base.endsWith('ignorecase');
    return (value, pattern) => globMatch(ignoreCase ? value.toLowerCase() : value, like ? pattern : literalOnly(pattern), ignoreCase);
  }
  if (base === 'bool') {
    return (value, pattern) => value.toLowerCase() === pattern.map(p => 'literal' in p ? p.literal : p.wildcard).join('').toLowerCase();
  }
  return undefined;
}

/** Outside StringLike, `*` and `?` are ordinary characters. */
function literalOnly(pattern: PatternPart[]): PatternPart[] {
  return pattern.map(p => ('wildcard' in p ? { literal: p.wildcard } : p));
}

/**
 * A policy value as a pattern: escapes made literal, policy variables filled from the request.
 * `undefined` when it cannot be told: a deploy-time value, a variable whose key is missing (without a
 * default) or multi-valued, or, under StringLike/ArnLike, a substituted value holding `*`/`?` (IAM does
 * not say whether those then act as wildcards).
 */
function expand(value: PolicyValue, context: RequestContext, like: boolean): PatternPart[] | undefined {
  const text = value.text;
  if (text === undefined) return undefined;
  const parts: PatternPart[] = [];
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('${', i)) {
      const end = text.indexOf('}', i + 2);
      if (end < 0) return undefined;
      const inner = text.slice(i + 2, end);
      if (inner === '*' || inner === '?' || inner === '$') {
        parts.push({ literal: inner });
      } else {
        const substituted = variableValue(inner, context);
        if (substituted === undefined || (like && /[*?]/.test(substituted))) return undefined;
        for (const ch of Array.from(substituted)) parts.push({ literal: ch });
      }
      i = end + 1;
      continue;
    }
    const ch = String.fromCodePoint(text.codePointAt(i)!);
    parts.push(ch === '*' || ch === '?' ? { wildcard: ch } : { literal: ch });
    i += ch.length;
  }
  return parts;
}

/** `key` or `key, 'default'` (a doubled `''` is a quote): the key's single value, else the default. */
function variableValue(inner: string, context: RequestContext): string | undefined {
  const withDefault = /^\s*([^,]+?)\s*,\s*'((?:[^']|'')*)'\s*$/.exec(inner);
  const key = (withDefault ? withDefault[1] : inner.trim()).toLowerCase();
  const values = context.get(key);
  if (values && values.length === 1) return values[0];
  if (values && values.length > 1) return undefined;
  return withDefault ? withDefault[2].replace(/''/g, "'") : undefined;
}

/** StringLike matching over code points: `*` any run (`/` and `:` included), `?` exactly one. */
export function globMatch(value: string, pattern: readonly PatternPart[], ignoreCase = false): boolean {
  const chars = Array.from(value);
  const lit = (p: PatternPart) => ('literal' in p ? (ignoreCase ? p.literal.toLowerCase() : p.literal) : undefined);
  // reachable[j]: the first i pattern parts can match the first j characters.
  let reachable = new Array<boolean>(chars.length + 1).fill(false);
  reachable[0] = true;
  for (const part of pattern) {
    const next = new Array<boolean>(chars.length + 1).fill(false);
    if ('wildcard' in part && part.wildcard === '*') {
      let seen = false;
      for (let j = 0; j <= chars.length; j++) {
        seen = seen || reachable[j];
        next[j] = seen;
      }
    } else {
      const literal = lit(part);
      for (let j = 1; j <= chars.length; j++) {
        next[j] = reachable[j - 1] && (literal === undefined || chars[j - 1] === literal);
      }
    }
    reachable = next;
  }
  return reachable[chars.length];
}

/** Parses a pattern as StringLike reads it, for callers that hold a literal string. */
export function likePattern(text: string): PatternPart[] {
  return expand({ text, display: text }, new Map(), true) ?? [];
}

export function anyOf(values: readonly Tri[]): Tri {
  if (values.some(v => v === true)) return true;
  return values.some(v => v === undefined) ? undefined : false;
}

export function allOf(values: readonly Tri[]): Tri {
  if (values.some(v => v === false)) return false;
  return values.some(v => v === undefined) ? undefined : true;
}

function describeValues(values: readonly string[]): string {
  return values.length === 1 ? `'${values[0]}'` : `[${values.map(v => `'${v}'`).join(', ')}]`;
}

function describeWanted(operator: string, values: readonly PolicyValue[], each: readonly Tri[]): string {
  const listed = values.map(v => (v.text === undefined ? v.display : `'${v.text}'`)).join(', ');
  if (each.some(e => e === undefined)) return `cannot be told at synth against ${listed} (a deploy-time value, or a policy variable the request does not fill)`;
  return `${operator} wants ${listed}`;
}
