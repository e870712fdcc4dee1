/**
 * An AWS WAF web ACL in front of a `SecuredApi`'s stage: AWS's core rule set and a per-IP rate
 * limit, evaluated before the authorizer, so a flood from one address never reaches it (nor costs
 * its Lambda invocations).
 */
export interface SecuredApiWebAclOptions {
  /**
   * Requests one client IP address may make in any 5 minutes; past it, its further requests are
   * blocked (403) until its rate falls below. AWS WAF's rate-based rule, aggregated on the source
   * IP, with its default 5-minute evaluation window; the lowest limit AWS WAF takes is 10.
   *
   * @default 1000 (about 3 requests per second, sustained)
   */
  readonly rateLimitPer5Minutes?: number;

  /**
   * Rules of AWS's core rule set (`AWSManagedRulesCommonRuleSet`) that only count instead of
   * block, e.g. `SizeRestrictions_BODY`, which blocks request bodies over 8 KB.
   *
   * @default - every rule of the core rule set blocks
   */
  readonly countOnlyCommonRules?: string[];

  /**
   * More AWS managed rule groups (vendor `AWS`) to evaluate after the core rule set, by name, e.g.
   * `AWSManagedRulesKnownBadInputsRuleSet`, `AWSManagedRulesAmazonIpReputationList`,
   * `AWSManagedRulesSQLiRuleSet`. Groups that need configuration or are billed apart (Bot Control,
   * account takeover and account creation fraud prevention, anti-DDoS) are refused: associate a web
   * ACL of your own for those.
   *
   * @default - none
   */
  readonly managedRuleGroups?: string[];
}
