import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as fc from 'fast-check';
import { HttpMethod, OidcIssuer, SecuredApi, SecuredApiAuditQueries } from '../../src';
import { ExchangeAudit, roleName } from '../../src/runtime/audit';
import { okHandler, ordersApi } from '../support/orders-api';

/** An API whose `GET /orders/{id}` handler (`Get`) assumes the caller role `Readers`. */
function exchangingApi(props: Parameters<typeof ordersApi>[0] = {}, handlerProps: Partial<lambda.FunctionProps> = {}) {
  const built = ordersApi(props);
  const get = new lambda.Function(built.stack, 'Get', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'),
    ...handlerProps,
  });
  const readers = built.api.addCallerRole('Readers', { subjects: ['client-a'] });
  built.api.addRoute({ method: HttpMethod.GET, path: '/orders/{id}', handler: get, scopes: ['orders:read'], callerRoles: [readers] });
  return { ...built, get, readers };
}

/** The query definitions saved under `cdk-secured-api/orders/`, by the name after the folder. */
function savedQueries(stack: Stack): Record<string, any> {
  const queries = Object.values<any>(Template.fromStack(stack).findResources('AWS::Logs::QueryDefinition'));
  return Object.fromEntries(queries.map((q) => [q.Properties.Name.replace('cdk-secured-api/orders/', ''), q.Properties]));
}

describe('the exchange audit of caller-role handlers', () => {
  test('should give a handler without a log group of its own one that keeps events for the audit retention', () => {
    // GIVEN / WHEN
    const { stack, get } = exchangingApi();

    // THEN
    const template = Template.fromStack(stack);
    const logGroup = get.node.findChild('SecuredApiAuditLogs').node.defaultChild as logs.CfnLogGroup;
    const id = stack.getLogicalId(logGroup);
    template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 365 }, DeletionPolicy: 'Retain' });
    expect(template.toJSON().Resources[id].Properties.RetentionInDays).toBe(365);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      LoggingConfig: { LogGroup: { Ref: id } },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [id, 'Arn'] } })]) },
      Roles: [{ Ref: stack.getLogicalId(get.role!.node.defaultChild as any) }],
    });
  });

  test('should follow the API\'s logRetention', () => {
    // GIVEN / WHEN
    const { stack, get } = exchangingApi({ logRetention: logs.RetentionDays.EIGHTEEN_MONTHS });

    // THEN
    const id = stack.getLogicalId(get.node.findChild('SecuredApiAuditLogs').node.defaultChild as logs.CfnLogGroup);
    expect(Template.fromStack(stack).toJSON().Resources[id].Properties.RetentionInDays).toBe(545);
  });

  test('should leave out handlers of routes without caller roles', () => {
    // GIVEN / WHEN
    const { stack } = ordersApi();

    // THEN
    expect(stack.node.findAll().filter((c) => c.node.id === 'SecuredApiAuditLogs')).toEqual([]);
    expect(Object.keys(savedQueries(stack)).sort()).toEqual(['decisions-for-client', 'decisions-for-subject', 'denials-by-reason-and-client', 'requests-of-client']);
  });

  test('should keep a handler\'s own log group when it keeps events long enough', () => {
    // GIVEN
    const { stack } = ordersStackWithGroup(logs.RetentionDays.TWO_YEARS);

    // THEN
    expect(stack.node.findAll().filter((c) => c.node.id === 'SecuredApiAuditLogs')).toEqual([]);
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('should fail synth when a handler\'s own log group keeps events fewer days than the audit retention, saying how to fix it', () => {
    // GIVEN
    const { app } = ordersStackWithGroup(logs.RetentionDays.ONE_MONTH);

    // THEN
    expect(() => app.synth()).toThrow(/the caller-role handler 'Orders\/Get' writes its exchange audit lines to a log group that keeps them 30 days, fewer than the API's audit retention of 365 days \(logRetention\).*set that log group's retention to at least 365 days.*\[SecuredApi\.HandlerLogRetentionShort\]/);
  });

  test('should fail synth when a handler writes to a log group whose retention the app does not show', () => {
    // GIVEN
    const { app } = exchangingApiWith((stack) => logs.LogGroup.fromLogGroupName(stack, 'Shared', 'org/shared-lambda-logs'));

    // THEN
    expect(() => app.synth()).toThrow(/writes its exchange audit lines to the log group "org\/shared-lambda-logs", whose retention cannot be read from the app.*\[SecuredApi\.HandlerLogRetentionUnknown\]/);
  });

  test('should give a SingletonFunction handler its log group, on the function it stands for', () => {
    // GIVEN
    const { stack, api } = ordersApi();
    const singleton = new lambda.SingletonFunction(stack, 'Get', {
      uuid: '6f4a1c2e-0d8b-4c5e-9a77-3b2f1e0c9d41',
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'),
    });
    const readers = api.addCallerRole('Readers', { subjects: ['client-a'] });

    // WHEN
    api.addRoute({ method: HttpMethod.GET, path: '/orders/{id}', handler: singleton, scopes: ['orders:read'], callerRoles: [readers] });

    // THEN
    const created = stack.node.findAll().filter((c) => c.node.id === 'SecuredApiAuditLogs');
    expect(created).toHaveLength(1);
    const id = stack.getLogicalId(created[0].node.defaultChild as logs.CfnLogGroup);
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { LoggingConfig: { LogGroup: { Ref: id } } });
  });

  test('should save the exchange queries over the handlers\' log groups with the first caller role', () => {
    // GIVEN / WHEN
    const { stack, get } = exchangingApi();

    // THEN
    const id = stack.getLogicalId(get.node.findChild('SecuredApiAuditLogs').node.defaultChild as logs.CfnLogGroup);
    const queries = savedQueries(stack);
    expect(queries['exchanges-for-subject']).toEqual({
      Name: 'cdk-secured-api/orders/exchanges-for-subject',
      QueryString: [
        'fields @timestamp, outcome, error, kind, role, sub, client_id, session_name, request_id, Service, attempts, latency_ms',
        '| filter type = "credentials_exchange" and sub = "REPLACE_WITH_SUBJECT"',
        '| sort @timestamp desc',
        '| limit 10000',
      ].join('\n'),
      LogGroupNames: [{ Ref: id }],
    });
    expect(queries['exchanges-for-role'].QueryString).toContain(`| filter type = "credentials_exchange" and Role = "${SecuredApiAuditQueries.ROLE_NAME_PLACEHOLDER}"`);
    expect(queries['exchange-failures-by-reason']).toEqual({
      Name: 'cdk-secured-api/orders/exchange-failures-by-reason',
      QueryString: [
        'filter type = "credentials_exchange" and outcome = "failed"',
        '| stats count(*) as failures by error, Role, Service',
        '| sort failures desc',
      ].join('\n'),
      LogGroupNames: [{ Ref: id }],
    });
  });

  test('should read the fields the runtime helpers write, by the names they write them under', () => {
    // GIVEN: a line as the runtime writes it, with its default dimensions
    const lines: any[] = [];
    new ExchangeAudit({ service: 'orders-get', write: (line) => lines.push(JSON.parse(line)) }).record({
      kind: 'web_identity',
      outcome: 'failed',
      errorCode: 'access_denied',
      sub: 'client-a',
      clientId: 'app',
      roleArn: 'arn:aws:iam::123456789012:role/Orders-Readers-ABC',
      sessionName: 'client-a',
      requestId: 'req-1',
      latencyMs: 12,
      attempts: 1,
    });
    const { stack } = exchangingApi();

    // THEN: every field a query names is in the line
    const line = lines[0];
    for (const query of Object.values(savedQueries(stack)).filter((q) => q.Name.includes('exchange'))) {
      const named = [...(query.QueryString as string).matchAll(/(?:fields |by |, |and |filter )([A-Za-z_@]+)/g)].map((m) => m[1])
        .filter((f) => f !== '@timestamp' && f !== 'count');
      for (const field of named) expect(Object.keys(line)).toContain(field);
    }
    expect(line.type).toBe('credentials_exchange');
    expect(line.Role).toBe('Orders-Readers-ABC');
  });
});

describe('the dashboard\'s role-exchange row, against the runtime\'s default line', () => {
  test('should search the dimension set the runtime writes, and the Role value it writes for the role', () => {
    // GIVEN
    const lines: any[] = [];
    const arn = 'arn:aws:iam::123456789012:role/Orders-ApiCallerRolesReaders-0123456789AB';
    new ExchangeAudit({ write: (line) => lines.push(JSON.parse(line)) }).record({ kind: 'web_identity', outcome: 'issued', roleArn: arn, latencyMs: 1, attempts: 1 });
    const { stack } = exchangingApi();

    // WHEN
    const body = JSON.stringify(Object.values<any>(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
    const schema = /SEARCH\('\{([^}]+)\}/.exec(body.replace(/\\+"/g, '"'))![1].split(',');

    // THEN: the namespace is the runtime's default, and the schema is exactly one of the line's dimension sets
    const metrics = lines[0]._aws.CloudWatchMetrics[0];
    expect(schema[0]).toBe(metrics.Namespace);
    expect(metrics.Dimensions.map((d: string[]) => [...d].sort().join(','))).toContain(schema.slice(1).sort().join(','));
    expect(lines[0].Role).toBe(roleName(arn));
    expect(lines[0].Service).toBe(process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'unknown');
  });
});

describe('the exchange audit retention, generated', () => {
  const retentions = fc.constantFrom(...Object.values(logs.RetentionDays).filter((v): v is logs.RetentionDays => typeof v === 'number'));
  test('should fail synth exactly when a handler\'s own log group keeps events fewer days than the audit retention', () => {
    fc.assert(fc.property(retentions, retentions, (audit, own) => {
      // GIVEN
      const { api } = ordersStackWithGroup(own, audit);

      // WHEN
      const errors = api.node.validate().filter((e) => e.includes('exchange audit lines'));

      // THEN
      const keeps = (r: logs.RetentionDays) => (r === logs.RetentionDays.INFINITE ? Infinity : r);
      expect(errors.length > 0).toBe(keeps(own) < keeps(audit));
    }), { numRuns: 40 });
  });
});

/** An API whose caller-role handler writes to a log group of the app with `retention`. */
function ordersStackWithGroup(retention: logs.RetentionDays, audit?: logs.RetentionDays) {
  return exchangingApiWith((stack) => new logs.LogGroup(stack, 'GetLogs', { retention }), audit);
}

function exchangingApiWith(logGroup: (stack: Stack) => logs.ILogGroup, audit?: logs.RetentionDays) {
  const app = new App();
  const stack = new Stack(app, 'Orders', { env: { account: '123456789012', region: 'eu-west-1' } });
  const built = ordersApiIn(stack, audit);
  const get = new lambda.Function(stack, 'Get', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'),
    logGroup: logGroup(stack),
  });
  const readers = built.addCallerRole('Readers', { subjects: ['client-a'] });
  built.addRoute({ method: HttpMethod.GET, path: '/orders/{id}', handler: get, scopes: ['orders:read'], callerRoles: [readers] });
  return { app, stack, api: built };
}

function ordersApiIn(stack: Stack, audit?: logs.RetentionDays): SecuredApi {
  return new SecuredApi(stack, 'Api', {
    issuer: OidcIssuer.fromUrl('https://issuer.example.com', { audiences: ['api://orders'] }),
    apiName: 'orders',
    routes: [{ method: HttpMethod.GET, path: '/orders', handler: okHandler(stack), scopes: ['orders:read'] }],
    ...(audit === undefined ? {} : { logRetention: audit }),
  });
}
