import { Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { SecuredApiWebAclOptions } from './web-acl-options';
import { validationError } from '../errors';

/** Rule groups that need a managed rule group configuration, or are billed per request on top. */
const REFUSED_GROUPS = ['AWSManagedRulesBotControlRuleSet', 'AWSManagedRulesATPRuleSet', 'AWSManagedRulesACFPRuleSet', 'AWSManagedRulesAntiDDoSRuleSet'];

/** The core rule set's managed rule group. */
const COMMON_RULE_SET = 'AWSManagedRulesCommonRuleSet';

/** A web ACL and its association with the stage. */
export interface StageWebAcl {
  readonly webAcl: wafv2.CfnWebACL;
  readonly association: wafv2.CfnWebACLAssociation;
}

/**
 * Creates a regional web ACL under `scope` and associates it with `stage`.
 *
 * - API Gateway takes a regional web ACL (scope `REGIONAL`) associated with a REST API stage, by the
 *   stage's ARN, and evaluates its rules before any other access control, the Lambda authorizer
 *   included (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-aws-waf.html).
 * - The rate-based rule counts requests per source IP over the evaluation window (300 s, the
 *   default); the lowest limit is 10
 *   (https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-high-level-settings.html).
 *   AWS says the limit is applied near, not exactly at, the number set: it is a brake on floods,
 *   not a quota.
 * - The core rule set (`AWSManagedRulesCommonRuleSet`, 700 WCU) guards against common exploits
 *   (https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-baseline.html).
 */
export function createStageWebAcl(scope: Construct, where: string, stage: apigateway.Stage, options: SecuredApiWebAclOptions): StageWebAcl {
  const limit = options.rateLimitPer5Minutes ?? 1000;
  if (Token.isUnresolved(limit) || typeof limit !== 'number' || !Number.isInteger(limit) || limit < 10 || limit > 2_000_000_000) {
    throw validationError('SecuredApi.InvalidWafRateLimit', `${where}: webAcl.rateLimitPer5Minutes ${JSON.stringify(limit)} is not a limit AWS WAF takes; pass a whole number of requests per IP address per 5 minutes from 10 to 2,000,000,000.`, scope);
  }
  const groups = options.managedRuleGroups ?? [];
  for (const name of groups) {
    if (typeof name !== 'string' || !/^AWSManagedRules[A-Za-z0-9]+$/.test(name)) {
      throw validationError('SecuredApi.UnknownManagedRuleGroup', `${where}: webAcl.managedRuleGroups has ${JSON.stringify(name)}, which is not the name of an AWS managed rule group; pass names such as 'AWSManagedRulesKnownBadInputsRuleSet'.`, scope);
    }
    if (REFUSED_GROUPS.includes(name)) {
      throw validationError('SecuredApi.UnsupportedManagedRuleGroup', `${where}: webAcl.managedRuleGroups has '${name}', which needs its own configuration or is billed per request on top; associate a web ACL of your own with the stage (api.restApi.deploymentStage.stageArn) instead of webAcl.`, scope);
    }
    if (name === COMMON_RULE_SET) {
      throw validationError('SecuredApi.RedundantManagedRuleGroup', `${where}: webAcl.managedRuleGroups has '${name}', which the web ACL always has; remove it (use countOnlyCommonRules to relax its rules).`, scope);
    }
  }
  if (new Set(groups).size !== groups.length) {
    throw validationError('SecuredApi.DuplicateManagedRuleGroup', `${where}: webAcl.managedRuleGroups ${JSON.stringify(groups)} names a group twice; name each once.`, scope);
  }
  const countOnly = options.countOnlyCommonRules ?? [];
  for (const name of countOnly) {
    if (typeof name !== 'string' || !/^[A-Za-z0-9_-]+$/.test(name)) {
      throw validationError('SecuredApi.InvalidCommonRuleName', `${where}: webAcl.countOnlyCommonRules has ${JSON.stringify(name)}, which is not a rule name; pass names of rules of AWSManagedRulesCommonRuleSet, e.g. 'SizeRestrictions_BODY'.`, scope);
    }
  }

  const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
    cloudWatchMetricsEnabled: true,
    sampledRequestsEnabled: true,
    metricName,
  });
  type Overrides = wafv2.CfnWebACL.RuleActionOverrideProperty[];
  const managed = (name: string, priority: number, ruleActionOverrides?: Overrides): wafv2.CfnWebACL.RuleProperty => ({
    name,
    priority,
    overrideAction: { none: {} },
    statement: { managedRuleGroupStatement: { vendorName: 'AWS', name, ruleActionOverrides } },
    visibilityConfig: visibility(name),
  });

  const webAcl = new wafv2.CfnWebACL(scope, 'WebAcl', {
    scope: 'REGIONAL',
    defaultAction: { allow: {} },
    description: `Guards the stage of ${where}: a per-IP rate limit and AWS managed rules.`,
    visibilityConfig: visibility('SecuredApiWebAcl'),
    rules: [
      // First: a flood is blocked before any other rule spends capacity on it.
      {
        name: 'RateLimitPerIp',
        priority: 0,
        action: { block: {} },
        statement: { rateBasedStatement: { limit, aggregateKeyType: 'IP', evaluationWindowSec: 300 } },
        visibilityConfig: visibility('RateLimitPerIp'),
      },
      managed(COMMON_RULE_SET, 1, countOnly.length === 0 ? undefined : countOnly.map((name) => ({ name, actionToUse: { count: {} } }))),
      ...groups.map((name, i) => managed(name, 2 + i)),
    ],
  });
  const association = new wafv2.CfnWebACLAssociation(scope, 'WebAclAssociation', {
    resourceArn: stage.stageArn,
    webAclArn: webAcl.attrArn,
  });
  return { webAcl, association };
}
