/**
 * The HTTP method of a route.
 */
export enum HttpMethod {
  /** GET */
  GET = 'GET',
  /** POST */
  POST = 'POST',
  /** PUT */
  PUT = 'PUT',
  /** PATCH */
  PATCH = 'PATCH',
  /** DELETE */
  DELETE = 'DELETE',
  /** HEAD */
  HEAD = 'HEAD',
  /** OPTIONS */
  OPTIONS = 'OPTIONS',
  /**
   * Every method (API Gateway's `ANY`).
   *
   * A path may not carry both `ANY` and a specific method: which of them a request meets would then
   * depend on API Gateway's precedence rather than on the route table.
   */
  ANY = 'ANY',
}

/**
 * A condition on one top-level claim of the access token, beyond its scopes.
 *
 * A route's claim rules must all hold. A claim that is missing, or of a type the rule does not
 * expect, fails the rule.
 */
export class ClaimRule {
  /**
   * The claim, as a string, number or boolean, equals `value` (compared as text: `true`, `42`).
   *
   * (Not named `equals`, which would clash with the object equality method of Java and C#.)
   *
   * @param claim the top-level claim name, e.g. `tenant` or `https://example.com/org`
   * @param value the value it must have
   */
  public static equalTo(claim: string, value: string): ClaimRule {
    return new ClaimRule(claim, 'equals', value, undefined);
  }

  /**
   * The claim is an array holding `value`, or a space-delimited string with `value` as one of its words
   * (e.g. `groups` contains `admins`).
   *
   * @param claim the top-level claim name
   * @param value the element it must hold
   */
  public static contains(claim: string, value: string): ClaimRule {
    return new ClaimRule(claim, 'contains', value, undefined);
  }

  /**
   * The claim is a string equal to one of `values` (e.g. `region` is one of `eu`, `us`).
   *
   * @param claim the top-level claim name
   * @param values the accepted values; at least one
   */
  public static oneOf(claim: string, values: string[]): ClaimRule {
    return new ClaimRule(claim, 'oneOf', undefined, [...values]);
  }

  /** The top-level claim the rule reads. */
  public readonly claim: string;

  /** @internal */
  public readonly _op: string;
  /** @internal */
  public readonly _value?: string;
  /** @internal */
  public readonly _values?: string[];

  private constructor(claim: string, op: string, value: string | undefined, values: string[] | undefined) {
    this.claim = claim;
    this._op = op;
    this._value = value;
    this._values = values;
  }
}

/**
 * What a route requires of an access token: the authorizer's view of one API Gateway method.
 */
export interface RouteAuthorization {
  /**
   * The route's HTTP method.
   */
  readonly method: HttpMethod;

  /**
   * The API Gateway resource path: `/`, or `/`-separated segments of `[A-Za-z0-9:._$-]`, each
   * segment either literal or a path parameter `{name}`; the last one may be a greedy `{name+}`.
   *
   * @example '/orders/{id}'
   */
  readonly path: string;

  /**
   * The OAuth scopes that open the route; the token needs any one of them (as API Gateway's own
   * scope checks work).
   *
   * @default - no scope is required: any valid token opens the route
   */
  readonly scopes?: string[];

  /**
   * Conditions on the token's claims; all of them must hold.
   *
   * @default - no claim rules
   */
  readonly claimRules?: ClaimRule[];
}
