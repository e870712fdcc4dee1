import { Template } from 'aws-cdk-lib/assertions';
import { ordersApi } from '../support/orders-api';

/** The dashboard body as text, tokens as `{"Ref":…}` objects between its literal parts. */
function dashboardBody(template: Template): string {
  const dashboards = Object.values<any>(template.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  return JSON.stringify(dashboards[0].Properties.DashboardBody);
}

describe('the dashboard\'s role exchanges row', () => {
  test('should not exist for an API without caller roles', () => {
    // GIVEN / WHEN
    const { stack } = ordersApi();

    // THEN
    expect(dashboardBody(Template.fromStack(stack))).not.toContain('Role exchanges');
  });

  test('should search the exchanges of every caller role by role and outcome, in one widget whatever the number of roles', () => {
    // GIVEN
    const { stack, api } = ordersApi();

    // WHEN
    const readers = api.addCallerRole('Readers', { subjects: ['client-a'] });
    const writers = api.addCallerRole('Writers', { subjects: ['client-b'] });

    // THEN
    const body = dashboardBody(Template.fromStack(stack));
    expect(body.match(/Role exchanges by role and outcome/g)).toHaveLength(1);
    expect(body.match(/Role exchange latency/g)).toHaveLength(1);
    expect(body).toContain('SEARCH(\'{SecuredApi/CallerCredentials,Outcome,Role,Service} MetricName=\\\\\\"Exchanges\\\\\\" (Role=\\\\\\"');
    for (const role of [readers, writers]) {
      expect(body).toContain(JSON.stringify(stack.resolve(role.role.roleName)));
    }
    expect(body).toContain('\', \'Sum\', 300)');
    expect(body).toContain('MetricName=\\\\\\"ExchangeLatency\\\\\\"');
  });
});
