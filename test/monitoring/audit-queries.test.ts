import { CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { stubApi } from './stubs';
import { SecuredApiAuditQueries } from '../../src';
import { nagFindings } from '../support/cdk';
import { ordersApi } from '../support/orders-api';

/** The `{ Ref }` CloudFormation gives a log group's name. */
function nameOf(stack: Stack, logGroup: logs.ILogGroup): unknown {
  return stack.resolve(logGroup.logGroupName);
}

/**
 * The query definitions `queries` made, by name, as the template holds them (SecuredApi may save
 * its own set too; those are not these).
 */
function queriesByName(stack: Stack, queries: SecuredApiAuditQueries): Record<string, any> {
  const resources = Template.fromStack(stack).findResources('AWS::Logs::QueryDefinition');
  const ids = queries.node.findAll()
    .filter((c): c is logs.CfnQueryDefinition => c instanceof logs.CfnQueryDefinition)
    .map((c) => stack.getLogicalId(c));
  expect(ids).toHaveLength(4);
  return Object.fromEntries(ids.map((id) => [resources[id].Properties.Name, resources[id].Properties]));
}

describe('SecuredApiAuditQueries', () => {
  test('should save exactly the four audit queries, in one folder named after the API', () => {
    // GIVEN
    const { stack, api } = ordersApi();

    // WHEN
    const queries = new SecuredApiAuditQueries(stack, 'Audit', { api });

    // THEN
    expect(Object.keys(queriesByName(stack, queries)).sort()).toEqual([
      'cdk-secured-api/orders/decisions-for-client',
      'cdk-secured-api/orders/decisions-for-subject',
      'cdk-secured-api/orders/denials-by-reason-and-client',
      'cdk-secured-api/orders/requests-of-client',
    ]);
  });

  test('should list every decision for one subject from the authorizer log group', () => {
    // GIVEN
    const { stack, api } = ordersApi();

    // WHEN
    const queries = new SecuredApiAuditQueries(stack, 'Audit', { api });

    // THEN
    expect(queriesByName(stack, queries)['cdk-secured-api/orders/decisions-for-subject']).toEqual({
      Name: 'cdk-secured-api/orders/decisions-for-subject',
      QueryString: [
        'fields @timestamp, decision, reason, route, client_id, scopes, kid, cached, latency_ms',
        '| filter type = "authz_decision" and sub = "REPLACE_WITH_SUBJECT"',
        '| sort @timestamp desc',
        '| limit 10000',
      ].join('\n'),
      LogGroupNames: [nameOf(stack, api.authorizer.logGroup)],
    });
  });

  test('should list every decision for one client from the authorizer log group', () => {
    // GIVEN
    const { stack, api } = ordersApi();

    // WHEN
    const queries = new SecuredApiAuditQueries(stack, 'Audit', { api });

    // THEN
    expect(queriesByName(stack, queries)['cdk-secured-api/orders/decisions-for-client']).toEqual({
      Name: 'cdk-secured-api/orders/decisions-for-client',
      QueryString: [
        'fields @timestamp, decision, reason, route, sub, scopes, kid, cached, latency_ms',
        '| filter type = "authz_decision" and client_id = "REPLACE_WITH_CLIENT_ID"',
        '| sort @timestamp desc',
        '| limit 10000',
      ].join('\n'),
      LogGroupNames: [nameOf(stack, api.authorizer.logGroup)],
    });
  });

  test('should count denials and 401s by reason and client from the authorizer log group', () => {
    // GIVEN
    const { stack, api } = ordersApi();

    // WHEN
    const queries = new SecuredApiAuditQueries(stack, 'Audit', { api });

    // THEN
    expect(queriesByName(stack, queries)['cdk-secured-api/orders/denials-by-reason-and-client']).toEqual({
      Name: 'cdk-secured-api/orders/denials-by-reason-and-client',
      QueryString: [
        'filter type = "authz_decision" and decision != "allow"',
        '| stats count(*) as denials by decision, reason, client_id',
        '| sort denials desc',
      ].join('\n'),
      LogGroupNames: [nameOf(stack, api.authorizer.logGroup)],
    });
  });

  test('should list the requests of one client from the access log group', () => {
    // GIVEN
    const { stack, api } = ordersApi();

    // WHEN
    const queries = new SecuredApiAuditQueries(stack, 'Audit', { api });

    // THEN
    expect(queriesByName(stack, queries)['cdk-secured-api/orders/requests-of-client']).toEqual({
      Name: 'cdk-secured-api/orders/requests-of-client',
      QueryString: [
        'fields @timestamp, requestId, httpMethod, resourcePath, status, principalId, authorizerStatus, errorType, sourceIp, responseLatency',
        '| filter clientId = "REPLACE_WITH_CLIENT_ID"',
        '| sort @timestamp desc',
        '| limit 10000',
      ].join('\n'),
      LogGroupNames: [nameOf(stack, api.accessLogGroup)],
    });
  });

  test('should read the two log groups SecuredApi creates, not others', () => {
    // GIVEN
    const { stack, api } = ordersApi();

    // WHEN
    new SecuredApiAuditQueries(stack, 'Audit', { api });

    // THEN
    const template = Template.fromStack(stack);
    const logGroups = template.findResources('AWS::Logs::LogGroup');
    const authorizerLogs = (nameOf(stack, api.authorizer.logGroup) as { Ref: string }).Ref;
    const accessLogs = (nameOf(stack, api.accessLogGroup) as { Ref: string }).Ref;
    expect(authorizerLogs).not.toEqual(accessLogs);
    // Besides them, only the deployment check's own log group, which the queries do not read.
    const checkLogs = stack.resolve((api.node.findChild('DeploymentCheck').node.findChild('LogGroup').node.defaultChild as CfnResource).logicalId);
    expect(Object.keys(logGroups).sort()).toEqual([accessLogs, authorizerLogs, checkLogs].sort());
    // The authorizer function writes to the group the audit queries read.
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { SECURED_API_ISSUER: 'https://issuer.example.com' } },
      LoggingConfig: { LogGroup: { Ref: authorizerLogs } },
    });
    // The stage writes its access logs to the group the access query reads.
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      AccessLogSetting: { DestinationArn: { 'Fn::GetAtt': [accessLogs, 'Arn'] } },
    });
  });

  test('should read log groups that keep a year of events by default, as documented', () => {
    // GIVEN
    const { stack, api } = ordersApi();

    // WHEN
    new SecuredApiAuditQueries(stack, 'Audit', { api });

    // THEN
    const logGroups = Template.fromStack(stack).findResources('AWS::Logs::LogGroup');
    // Access logs, authorizer, deployment check.
    expect(Object.values<any>(logGroups).map((g) => g.Properties.RetentionInDays)).toEqual([365, 365, 365]);
  });

  test('should read log groups that keep events as long as logRetention says', () => {
    // GIVEN
    const { stack, api } = ordersApi({ logRetention: logs.RetentionDays.EIGHTEEN_MONTHS });

    // WHEN
    new SecuredApiAuditQueries(stack, 'Audit', { api });

    // THEN
    const logGroups = Template.fromStack(stack).findResources('AWS::Logs::LogGroup');
    expect(Object.values<any>(logGroups).map((g) => g.Properties.RetentionInDays)).toEqual([545, 545, 545]);
  });

  test('should name the queries under queryNamePrefix when given', () => {
    // GIVEN
    const { stack, api } = ordersApi();

    // WHEN
    const queries = new SecuredApiAuditQueries(stack, 'Audit', { api, queryNamePrefix: 'audit/soc2/orders' });

    // THEN
    expect(Object.keys(queriesByName(stack, queries)).sort()).toEqual([
      'audit/soc2/orders/decisions-for-client',
      'audit/soc2/orders/decisions-for-subject',
      'audit/soc2/orders/denials-by-reason-and-client',
      'audit/soc2/orders/requests-of-client',
    ]);
    expect(stack.resolve(queries.decisionsForSubject.queryDefinitionId)).toEqual({
      'Fn::GetAtt': [stack.getLogicalId(queries.decisionsForSubject.node.defaultChild as logs.CfnQueryDefinition), 'QueryDefinitionId'],
    });
  });

  test.each([
    ['', 'is not a folder path', 'SecuredApiAuditQueries.InvalidQueryNamePrefix'],
    ['/audit', 'is not a folder path', 'SecuredApiAuditQueries.InvalidQueryNamePrefix'],
    ['audit/', 'is not a folder path', 'SecuredApiAuditQueries.InvalidQueryNamePrefix'],
    ['audit//orders', 'is not a folder path', 'SecuredApiAuditQueries.InvalidQueryNamePrefix'],
    ['a'.repeat(227), 'is 227 characters; query names may have 255', 'SecuredApiAuditQueries.QueryNamePrefixTooLong'],
  ])('should refuse queryNamePrefix %j with a validation error code', (prefix, message, code) => {
    // GIVEN
    const { stack, api } = stubApi();

    // THEN
    expect(() => new SecuredApiAuditQueries(stack, 'Audit', { api, queryNamePrefix: prefix })).toThrow(expect.objectContaining({
      code,
      message: expect.stringContaining(`Orders/Audit: queryNamePrefix ${JSON.stringify(prefix)} ${message}`),
    }));
  });

  test('should refuse a default prefix made too long by the API\'s name, naming it as such', () => {
    // GIVEN
    const { stack, api } = stubApi({ apiName: 'n'.repeat(300) });

    // THEN
    expect(() => new SecuredApiAuditQueries(stack, 'Audit', { api })).toThrow(expect.objectContaining({
      code: 'SecuredApiAuditQueries.QueryNamePrefixTooLong',
      message: expect.stringContaining('the default query name prefix (from the API\'s name)'),
    }));
  });

  test('should accept the longest queryNamePrefix whose names fit', () => {
    // GIVEN
    const { stack, api } = ordersApi();

    // WHEN
    const queries = new SecuredApiAuditQueries(stack, 'Audit', { api, queryNamePrefix: 'a'.repeat(226) });

    // THEN
    expect(Object.keys(queriesByName(stack, queries)).map((n) => n.length)).toContain(255);
  });

  test('should add no cdk-nag finding', () => {
    // GIVEN
    const { app, stack, api } = ordersApi();

    // WHEN
    new SecuredApiAuditQueries(stack, 'Audit', { api });

    // THEN
    const findings = nagFindings(app);
    expect(findings).toContain('AwsSolutions-APIG3 Orders/Api/Api/DeploymentStage.prod/Resource'); // the checks ran
    expect(findings.filter((f) => f.includes('/Audit/') || f.includes('/AuditQueries/'))).toEqual([]);
  });
});
