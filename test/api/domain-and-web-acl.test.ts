import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { SecuredApiDomainOptions } from '../../src';
import { nagFindings } from '../support/cdk';
import { ordersApi } from '../support/orders-api';

const CERT_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';

/** An imported ACM certificate: a literal ARN, so the construct may live anywhere. */
function certificate(arn = CERT_ARN): acm.ICertificate {
  return acm.Certificate.fromCertificateArn(new Stack(), 'Cert', arn);
}

/** ordersApi with a custom domain. */
function withDomain(options: Partial<SecuredApiDomainOptions> = {}) {
  return ordersApi({ domain: { domainName: 'api.example.com', certificate: certificate(), ...options } });
}

describe('SecuredApi custom domain', () => {
  test('should create a regional TLS 1.2 domain and map its base path to the API\'s stage', () => {
    // GIVEN / WHEN
    const { stack, api } = withDomain({ basePath: 'orders' });

    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'api.example.com',
      RegionalCertificateArn: CERT_ARN,
      EndpointConfiguration: { Types: ['REGIONAL'] },
      SecurityPolicy: 'TLS_1_2',
    });
    template.hasResourceProperties('AWS::ApiGateway::BasePathMapping', {
      BasePath: 'orders',
      RestApiId: stack.resolve(api.restApi.restApiId),
      Stage: stack.resolve(api.restApi.deploymentStage.stageName),
    });
    expect(api.url).toBe('https://api.example.com/orders/');
    expect(api.domainName).toBeDefined();
    // The default endpoint stays on unless asked.
    const restApi = Object.values<any>(template.findResources('AWS::ApiGateway::RestApi'))[0];
    expect(restApi.Properties.DisableExecuteApiEndpoint).toBeUndefined();
    expect(restApi.Properties.Body.servers).toBeUndefined();
  });

  test('should map a multi-level base path with an API mapping', () => {
    // GIVEN / WHEN
    const { stack, api } = withDomain({ basePath: 'v1/orders' });

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', {
      ApiMappingKey: 'v1/orders',
      ApiId: stack.resolve(api.restApi.restApiId),
      Stage: stack.resolve(api.restApi.deploymentStage.stageName),
    });
  });

  test('should turn the default endpoint off both on the REST API and in its definition', () => {
    // GIVEN / WHEN
    const { stack, api } = withDomain({ disableDefaultEndpoint: true });

    // THEN
    const restApi = Object.values<any>(Template.fromStack(stack).findResources('AWS::ApiGateway::RestApi'))[0];
    expect(restApi.Properties.DisableExecuteApiEndpoint).toBe(true);
    expect(restApi.Properties.Body.servers).toEqual([{ 'url': '/', 'x-amazon-apigateway-endpoint-configuration': { disableExecuteApiEndpoint: true } }]);
    expect(api.url).toBe('https://api.example.com/');
  });

  test.each([
    ['the REST API property', 'DisableExecuteApiEndpoint', false, /has DisableExecuteApiEndpoint false/],
    ['the definition\'s server', 'Body.servers', [{ url: '/' }], /has a server without x-amazon-apigateway-endpoint-configuration.disableExecuteApiEndpoint: true/],
  ])('should fail synth when an override turns the default endpoint back on in %s', (_, path, value, message) => {
    // GIVEN
    const { app, api } = withDomain({ disableDefaultEndpoint: true });

    // WHEN
    (api.restApi.node.defaultChild as apigateway.CfnRestApi).addPropertyOverride(path, value);

    // THEN
    expect(() => app.synth()).toThrow(message);
  });

  test.each([
    [{ domainName: 'https://api.example.com' }, /domain.domainName "https:\/\/api.example.com" is not a domain name/, 'SecuredApi.InvalidDomainName'],
    [{ domainName: 'API.example.com' }, /is not a domain name; pass a fully qualified name in lower case/, 'SecuredApi.InvalidDomainName'],
    [{ basePath: '/orders' }, /domain.basePath "\/orders" is not a base path/, 'SecuredApi.InvalidBasePath'],
    [{ basePath: 'orders/' }, /is not a base path/, 'SecuredApi.InvalidBasePath'],
    [{ securityPolicy: apigateway.SecurityPolicy.TLS_1_0 }, /TLS_1_0 lets clients connect with TLS 1.0 and 1.1/, 'SecuredApi.InsecureTlsPolicy'],
    [{ certificate: certificate('arn:aws:acm:us-east-1:123456789012:certificate/abc') }, /is in us-east-1, but the API is in eu-west-1/, 'SecuredApi.CertificateInOtherRegion'],
    [{ disableDefaultEndpoint: 'yes' as any }, /domain.disableDefaultEndpoint "yes" is not a boolean/, 'SecuredApi.DisableDefaultEndpointNotBoolean'],
  ])('should refuse bad domain options (case %#)', (options, message, code) => {
    expect(() => withDomain(options as Partial<SecuredApiDomainOptions>))
      .toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }));
  });
});

describe('SecuredApi web ACL', () => {
  test('should associate a regional web ACL with a per-IP rate rule and AWS\'s core rule set with the stage', () => {
    // GIVEN / WHEN
    const { stack, api } = ordersApi({ webAcl: {} });

    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      DefaultAction: { Allow: {} },
      Rules: [
        {
          Name: 'RateLimitPerIp',
          Priority: 0,
          Action: { Block: {} },
          Statement: { RateBasedStatement: { Limit: 1000, AggregateKeyType: 'IP', EvaluationWindowSec: 300 } },
          VisibilityConfig: Match.objectLike({ CloudWatchMetricsEnabled: true }),
        },
        {
          Name: 'AWSManagedRulesCommonRuleSet',
          Priority: 1,
          OverrideAction: { None: {} },
          Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' } },
          VisibilityConfig: Match.objectLike({ CloudWatchMetricsEnabled: true }),
        },
      ],
    });
    const webAclId = Object.keys(template.findResources('AWS::WAFv2::WebACL'))[0];
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      ResourceArn: stack.resolve(api.restApi.deploymentStage.stageArn),
      WebACLArn: { 'Fn::GetAtt': [webAclId, 'Arn'] },
    });
    const stageId = stack.getLogicalId(api.restApi.deploymentStage.node.defaultChild as apigateway.CfnStage);
    expect(JSON.stringify(stack.resolve(api.restApi.deploymentStage.stageArn))).toContain(stageId);
    expect(api.webAcl).toBeDefined();
  });

  test('should take a rate limit, rules of the core rule set to count only, and more managed rule groups', () => {
    // GIVEN / WHEN
    const { stack } = ordersApi({
      webAcl: {
        rateLimitPer5Minutes: 300,
        countOnlyCommonRules: ['SizeRestrictions_BODY'],
        managedRuleGroups: ['AWSManagedRulesKnownBadInputsRuleSet', 'AWSManagedRulesAmazonIpReputationList'],
      },
    });

    // THEN
    const rules = Object.values<any>(Template.fromStack(stack).findResources('AWS::WAFv2::WebACL'))[0].Properties.Rules;
    expect(rules.map((r: any) => [r.Priority, r.Name])).toEqual([
      [0, 'RateLimitPerIp'],
      [1, 'AWSManagedRulesCommonRuleSet'],
      [2, 'AWSManagedRulesKnownBadInputsRuleSet'],
      [3, 'AWSManagedRulesAmazonIpReputationList'],
    ]);
    expect(rules[0].Statement.RateBasedStatement.Limit).toBe(300);
    expect(rules[1].Statement.ManagedRuleGroupStatement.RuleActionOverrides).toEqual([{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }]);
  });

  test('should create no web ACL unless asked', () => {
    const { stack } = ordersApi();
    Template.fromStack(stack).resourceCountIs('AWS::WAFv2::WebACL', 0);
  });

  test.each([
    [{ rateLimitPer5Minutes: 9 }, /rateLimitPer5Minutes 9 is not a limit AWS WAF takes/, 'SecuredApi.InvalidWafRateLimit'],
    [{ rateLimitPer5Minutes: 100.5 }, /not a limit AWS WAF takes/, 'SecuredApi.InvalidWafRateLimit'],
    [{ managedRuleGroups: ['SQLi'] }, /"SQLi", which is not the name of an AWS managed rule group/, 'SecuredApi.UnknownManagedRuleGroup'],
    [{ managedRuleGroups: ['AWSManagedRulesBotControlRuleSet'] }, /needs its own configuration or is billed per request/, 'SecuredApi.UnsupportedManagedRuleGroup'],
    [{ managedRuleGroups: ['AWSManagedRulesCommonRuleSet'] }, /which the web ACL always has/, 'SecuredApi.RedundantManagedRuleGroup'],
    [{ managedRuleGroups: ['AWSManagedRulesSQLiRuleSet', 'AWSManagedRulesSQLiRuleSet'] }, /names a group twice/, 'SecuredApi.DuplicateManagedRuleGroup'],
    [{ countOnlyCommonRules: ['Size Restrictions'] }, /is not a rule name/, 'SecuredApi.InvalidCommonRuleName'],
  ])('should refuse %j', (webAcl, message, code) => {
    expect(() => ordersApi({ webAcl })).toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }));
  });

  test('should clear cdk-nag\'s AwsSolutions-APIG3 on the stage, and add no finding of its own', () => {
    // GIVEN
    const { app } = ordersApi({ webAcl: {} });

    // WHEN
    const findings = nagFindings(app);

    // THEN
    expect(findings.filter((f) => f.includes(' Orders/Api/'))).toEqual([]);
  });

  test('should leave APIG3 without it (the check above can fail)', () => {
    const { app } = ordersApi();
    expect(nagFindings(app).filter((f) => f.includes(' Orders/Api/'))).toEqual(['AwsSolutions-APIG3 Orders/Api/Api/DeploymentStage.prod/Resource']);
  });
});
