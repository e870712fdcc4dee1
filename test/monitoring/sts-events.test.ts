import { ArnFormat, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as fc from 'fast-check';
import { stubApi } from './stubs';
import { HttpMethod, SecuredApiStsEvents } from '../../src';
import { nagFindings } from '../support/cdk';
import { ordersApi } from '../support/orders-api';

/** An API with the caller roles `Readers` and `Writers`, the first handed to `GET /orders/{id}`'s handler, and its STS record. */
function recordedApi(options: { retention?: logs.RetentionDays; logRetention?: logs.RetentionDays } = {}) {
  const built = ordersApi(options.logRetention === undefined ? {} : { logRetention: options.logRetention });
  const { stack, api } = built;
  const get = new lambda.Function(stack, 'Get', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'),
  });
  const readers = api.addCallerRole('Readers', { subjects: ['client-a'] });
  const record = new SecuredApiStsEvents(stack, 'StsEvents', { api, ...(options.retention === undefined ? {} : { retention: options.retention }) });
  const writers = api.addCallerRole('Writers', { subjects: ['client-b'] });
  api.addRoute({ method: HttpMethod.GET, path: '/orders/{id}', handler: get, scopes: ['orders:read'], callerRoles: [readers] });
  return { ...built, get, readers, writers, record };
}

function retentionOf(template: Template, stack: Stack, record: SecuredApiStsEvents): unknown {
  return template.toJSON().Resources[stack.getLogicalId(record.logGroup.node.defaultChild as logs.CfnLogGroup)].Properties.RetentionInDays;
}

describe('SecuredApiStsEvents', () => {
  test('should match STS\'s web identity and SAML exchanges for every caller role, read-only management events included', () => {
    // GIVEN / WHEN
    const { stack, readers, writers, record } = recordedApi();

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      State: 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS',
      EventPattern: {
        'source': ['aws.sts'],
        'detail-type': ['AWS API Call via CloudTrail'],
        'detail': {
          eventSource: ['sts.amazonaws.com'],
          eventName: ['AssumeRoleWithWebIdentity', 'AssumeRoleWithSAML'],
          requestParameters: { roleArn: [stack.resolve(readers.roleArn), stack.resolve(writers.roleArn)] },
        },
      },
      Targets: [{ Id: 'LogGroup', Arn: stack.resolve(stack.formatArn({ service: 'logs', resource: 'log-group', arnFormat: ArnFormat.COLON_RESOURCE_NAME, resourceName: record.logGroup.logGroupName })) }],
    });
  });

  test('should keep the records as long as the API keeps its audit logs, and let EventBridge alone write them', () => {
    // GIVEN / WHEN
    const { stack, record } = recordedApi({ logRetention: logs.RetentionDays.EIGHTEEN_MONTHS });

    // THEN
    const template = Template.fromStack(stack);
    expect(retentionOf(template, stack, record)).toBe(545);
    const policies = Object.values<any>(template.findResources('AWS::Logs::ResourcePolicy'));
    expect(policies).toHaveLength(1);
    const document = JSON.parse(JSON.stringify(policies[0].Properties.PolicyDocument));
    expect(document).toEqual({ 'Fn::Join': expect.anything() });
    const text = JSON.stringify(document);
    expect(text).toContain('\\"Service\\":\\"events.amazonaws.com\\"');
    expect(text).toContain('\\"Action\\":[\\"logs:CreateLogStream\\",\\"logs:PutLogEvents\\"]');
  });

  test('should take a retention of its own', () => {
    // GIVEN / WHEN
    const { stack, record } = recordedApi({ retention: logs.RetentionDays.TWO_YEARS });

    // THEN
    expect(retentionOf(Template.fromStack(stack), stack, record)).toBe(731);
  });

  test('should save a query of STS records with no exchange line of the helpers, over the record and the handlers\' log groups', () => {
    // GIVEN / WHEN
    const { stack, get, record } = recordedApi();

    // THEN
    const queries = Object.values<any>(Template.fromStack(stack).findResources('AWS::Logs::QueryDefinition'));
    const without = queries.find((q) => q.Properties.Name === 'cdk-secured-api/orders/sts-exchanges-without-helper-line').Properties;
    const handlerLogs = stack.getLogicalId(get.node.findChild('SecuredApiAuditLogs').node.defaultChild as logs.CfnLogGroup);
    expect(without.LogGroupNames).toEqual([stack.resolve(record.logGroup.logGroupName), { Ref: handlerLogs }]);
    expect(without.QueryString).toBe([
      'filter (source = "aws.sts" and ispresent(detail.requestID)) or (type = "credentials_exchange" and ispresent(request_id))',
      '| fields coalesce(detail.requestID, request_id) as requestId',
      '| stats sum(source = "aws.sts") as stsRecords, sum(type = "credentials_exchange") as helperLines, earliest(@timestamp) as at,'
        + ' earliest(detail.eventName) as event, earliest(detail.requestParameters.roleArn) as role, earliest(detail.userIdentity.userName) as subject,'
        + ' earliest(detail.sourceIPAddress) as sourceIp, earliest(detail.errorCode) as errorCode by requestId',
      '| filter stsRecords > 0 and helperLines = 0',
      '| sort at desc',
    ].join('\n'));
    const all = queries.find((q) => q.Properties.Name === 'cdk-secured-api/orders/sts-exchanges').Properties;
    expect(all.QueryString).toContain('| filter source = "aws.sts"');
    expect(all.LogGroupNames).toEqual([stack.resolve(record.logGroup.logGroupName)]);
  });

  test('should fail synth for an API without caller roles, saying what to do', () => {
    // GIVEN
    const { app, stack, api } = ordersApi();

    // WHEN
    new SecuredApiStsEvents(stack, 'StsEvents', { api });

    // THEN
    expect(() => app.synth()).toThrow(/Orders\/StsEvents: the API Orders\/Api has no caller roles, so there is no STS exchange to record.* \[SecuredApiStsEvents\.NoCallerRoles\]/);
  });

  test.each(['', '/audit', 'audit/'])('should refuse queryNamePrefix %j with a validation error code', (prefix) => {
    // GIVEN
    const { stack, api } = stubApi();

    // THEN
    expect(() => new SecuredApiStsEvents(stack, 'StsEvents', { api, queryNamePrefix: prefix })).toThrow(expect.objectContaining({
      code: 'SecuredApiStsEvents.InvalidQueryNamePrefix',
      message: expect.stringContaining(`Orders/StsEvents: queryNamePrefix ${JSON.stringify(prefix)} is not a folder path`),
    }));
  });

  test('should record the caller roles of any IMonitoredApi, in its audit retention, under its name', () => {
    // GIVEN
    const { stack, api } = stubApi();
    api.callerRoleArns.push('arn:aws:iam::123456789012:role/stub-caller');
    api.exchangeLogGroupNames.push('stub-exchanges');

    // WHEN
    const record = new SecuredApiStsEvents(stack, 'StsEvents', { api });

    // THEN
    const template = Template.fromStack(stack);
    expect(retentionOf(template, stack, record)).toBe(90);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { detail: { requestParameters: { roleArn: ['arn:aws:iam::123456789012:role/stub-caller'] } } },
    });
    template.hasResourceProperties('AWS::Logs::QueryDefinition', {
      Name: 'cdk-secured-api/stub-api/sts-exchanges-without-helper-line',
      LogGroupNames: [stack.resolve(record.logGroup.logGroupName), 'stub-exchanges'],
    });
  });

  test('should add no cdk-nag finding of its own', () => {
    // GIVEN
    const { app } = recordedApi();

    // WHEN
    const findings = nagFindings(app);

    // THEN
    expect(findings).toContain('AwsSolutions-APIG3 Orders/Api/Api/DeploymentStage.prod/Resource'); // the checks ran
    expect(findings.filter((f) => f.includes('/StsEvents/'))).toEqual([]);
  });
});

describe('SecuredApiStsEvents, generated', () => {
  test('should match exactly the API\'s caller roles, whenever they are added', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), fc.nat({ max: 5 }), (count, createdAfter) => {
      // GIVEN
      const { stack, api } = ordersApi();
      const roles = [];
      let record: SecuredApiStsEvents | undefined;
      for (let i = 0; i < count; i++) {
        if (i === Math.min(createdAfter, count - 1)) record = new SecuredApiStsEvents(stack, 'StsEvents', { api });
        roles.push(api.addCallerRole(`Role${i}`, { subjects: [`client-${i}`] }));
      }

      // WHEN
      const pattern = stack.resolve((record!.rule as any).eventPattern);

      // THEN
      expect(pattern.detail.requestParameters.roleArn).toEqual(roles.map((r) => stack.resolve(r.roleArn)));
    }), { numRuns: 12 });
  });
});
