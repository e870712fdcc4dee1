import { createHash } from 'node:crypto';
import { App, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { ClaimRule, HttpMethod, OidcIssuer, QuotaClientOptions, SecuredApi, SecuredApiProps, SecuredApiQuotaOptions } from '../../src';
import { acknowledgements, authorizerConfigJson, nagFindings } from '../support/cdk';
import { authorizationOf, definitionOf } from '../support/definition';
import { okHandler, ordersStack } from '../support/orders-api';

const ISSUER = OidcIssuer.fromUrl('https://issuer.example.com', { audiences: ['api://orders'] });

const TIERS = [
  { name: 'free', rateLimit: 5, burstLimit: 10, quotaLimit: 1000, quotaPeriod: apigateway.Period.DAY },
  { name: 'gold', rateLimit: 100, burstLimit: 200, quotaLimit: 1_000_000, quotaPeriod: apigateway.Period.MONTH },
];

const CLIENTS: QuotaClientOptions[] = [
  { clientId: 'reporting', tier: 'free' },
  { clientId: 'checkout', tier: 'gold' },
  { clientId: 'billing', tier: 'gold' },
];

/** An Orders API (GET and POST /orders guarded, GET /health public) with these quotas. */
function quotaApi(quotas: SecuredApiQuotaOptions | undefined, props: Partial<SecuredApiProps> = {}): { app: App; stack: Stack; api: SecuredApi } {
  const { app, stack } = ordersStack();
  const handler = okHandler(stack);
  const api = new SecuredApi(stack, 'Api', {
    issuer: ISSUER,
    apiName: 'orders',
    routes: [
      { method: HttpMethod.GET, path: '/orders', handler, scopes: ['orders:read'] },
      { method: HttpMethod.POST, path: '/orders', handler, scopes: ['orders:write'] },
      { method: HttpMethod.GET, path: '/health', handler, public: true },
    ],
    quotas,
    dashboard: false,
    alarms: false,
    auditQueries: false,
    ...props,
  });
  return { app, stack, api };
}

function resourcesOf(template: Template, type: string): Record<string, any> {
  return template.findResources(type);
}

/** The API key value the authorizer returns for `clientId`, by the key's description. */
function keyOf(template: Template, description: RegExp): string {
  const keys = Object.values(resourcesOf(template, 'AWS::ApiGateway::ApiKey')).filter((k) => description.test(k.Properties.Description));
  expect(keys).toHaveLength(1);
  return keys[0].Properties.Value;
}

describe('SecuredApi quotas', () => {
  describe('the client of the issuer profile', () => {
    test('should refuse declared clients when the issuer\'s tokens name no client, and meter such an issuer by tier alone', () => {
      // GIVEN: GitHub Actions ID tokens name no OAuth client (their issuer profile has no client claim)
      const issuer = OidcIssuer.githubActions({ audiences: ['api://deploy'] });
      const routes = (handler: any) => [{ method: HttpMethod.POST, path: '/deploy', handler, claimRules: [ClaimRule.equalTo('repository', 'my-org/my-repo')] }];

      // WHEN / THEN
      const { stack } = ordersStack();
      expect(() => new SecuredApi(stack, 'Api', { issuer, routes: routes(okHandler(stack)), quotas: { tiers: TIERS, clients: CLIENTS } }))
        .toThrow(expect.objectContaining({ code: 'SecuredApi.QuotaClientsWithoutClientClaim' }));
      expect(() => new SecuredApi(stack, 'Api2', { issuer, routes: routes(okHandler(stack, 'H2')), quotas: { tiers: TIERS, clients: CLIENTS } }))
        .toThrow('Orders/Api2: quotas declare 3 client(s), but GitHub Actions tokens name no OAuth client (the issuer profile\'s clientClaims is empty), so every token would be an undeclared client; meter by tier alone');
      const other = ordersStack();
      expect(() => new SecuredApi(other.stack, 'Api', { issuer, routes: routes(okHandler(other.stack)), quotas: { tiers: TIERS, defaultTier: 'free' } })).not.toThrow();
    });
  });

  describe('usage plans', () => {
    test('should make one usage plan per tier, bound to the API stage, with its throttle and quota', () => {
      // GIVEN
      const { stack, api } = quotaApi({ tiers: TIERS, clients: CLIENTS });
      // WHEN
      const template = Template.fromStack(stack);
      // THEN
      template.resourceCountIs('AWS::ApiGateway::UsagePlan', 2);
      for (const tier of TIERS) {
        template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
          Description: `Quota tier "${tier.name}" of Orders/Api`,
          // The stage by Ref: the plan is created after the stage.
          ApiStages: [{ ApiId: stack.resolve(api.restApi.restApiId), Stage: stack.resolve(api.restApi.deploymentStage.stageName) }],
          Throttle: { RateLimit: tier.rateLimit, BurstLimit: tier.burstLimit },
          Quota: { Limit: tier.quotaLimit, Period: tier.quotaPeriod },
        });
      }
    });

    test('should leave out the throttle or the quota of a tier that sets none', () => {
      // GIVEN
      const { stack } = quotaApi({ tiers: [{ name: 'metered' }], defaultTier: 'metered' });
      // THEN
      const [plan] = Object.values(resourcesOf(Template.fromStack(stack), 'AWS::ApiGateway::UsagePlan'));
      expect(plan.Properties.Throttle).toBeUndefined();
      expect(plan.Properties.Quota).toBeUndefined();
    });
  });

  describe('API keys', () => {
    test('should give each declared client an enabled key of its own in its tier plan', () => {
      // GIVEN
      const { stack } = quotaApi({ tiers: TIERS, clients: CLIENTS });
      // WHEN
      const template = Template.fromStack(stack);
      // THEN
      template.resourceCountIs('AWS::ApiGateway::ApiKey', 3);
      template.resourceCountIs('AWS::ApiGateway::UsagePlanKey', 3);
      const plans = resourcesOf(template, 'AWS::ApiGateway::UsagePlan');
      const planOf = (tier: string) => Object.entries(plans).find(([, p]) => p.Properties.Description.includes(`"${tier}"`))![0];
      const keys = resourcesOf(template, 'AWS::ApiGateway::ApiKey');
      const planKeys = Object.values(resourcesOf(template, 'AWS::ApiGateway::UsagePlanKey'));
      for (const client of CLIENTS) {
        const [keyId, key] = Object.entries(keys).find(([, k]) => k.Properties.Description.includes(`"${client.clientId}"`))!;
        // CloudFormation creates API keys disabled unless told otherwise.
        expect(key.Properties.Enabled).toBe(true);
        expect(key.Properties.Value).toMatch(/^[0-9a-f]{64}$/);
        expect(planKeys.filter((pk) => pk.Properties.KeyId.Ref === keyId).map((pk) => pk.Properties))
          .toEqual([{ KeyId: { Ref: keyId }, KeyType: 'API_KEY', UsagePlanId: { Ref: planOf(client.tier) } }]);
      }
      expect(new Set(Object.values(keys).map((k) => k.Properties.Value)).size).toBe(3);
    });

    test('should give undeclared clients of the default tier one shared key, distinct from every declared client', () => {
      // GIVEN
      const { stack } = quotaApi({ tiers: TIERS, clients: CLIENTS, defaultTier: 'free' });
      // WHEN
      const template = Template.fromStack(stack);
      // THEN
      template.resourceCountIs('AWS::ApiGateway::ApiKey', 4);
      const shared = keyOf(template, /^Clients not declared/);
      expect(CLIENTS.map((c) => keyOf(template, new RegExp(`"${c.clientId}"`)))).not.toContain(shared);
    });

    test('should write the authorizer each client key and the default one, or null to refuse the others', () => {
      // GIVEN
      const refusing = quotaApi({ tiers: TIERS, clients: CLIENTS });
      const admitting = quotaApi({ tiers: TIERS, clients: CLIENTS, defaultTier: 'gold' });
      // WHEN
      const refusingConfig = authorizerConfigJson(refusing.app, refusing.stack);
      const admittingConfig = authorizerConfigJson(admitting.app, admitting.stack);
      // THEN
      const t = Template.fromStack(refusing.stack);
      expect(refusingConfig.usageKeys).toEqual({
        clients: Object.fromEntries(CLIENTS.map((c) => [c.clientId, keyOf(t, new RegExp(`"${c.clientId}"`))])),
        others: null,
      });
      expect(admittingConfig.usageKeys.others).toBe(keyOf(Template.fromStack(admitting.stack), /^Clients not declared/));
    });

    test('should write no usage keys, and need no API key, without quotas', () => {
      // GIVEN
      const { app, stack } = quotaApi(undefined);
      // THEN
      expect(authorizerConfigJson(app, stack).usageKeys).toBeUndefined();
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::ApiGateway::UsagePlan', 0);
      template.resourceCountIs('AWS::ApiGateway::ApiKey', 0);
      const body = definitionOf(template);
      expect(body['x-amazon-apigateway-api-key-source']).toBeUndefined();
      expect(body.paths['/orders'].get.security).toEqual([{ tokenAuthorizer: [] }]);
    });

    test('should keep a client named like an Object.prototype member as its own key', () => {
      // GIVEN
      const { app, stack } = quotaApi({ tiers: TIERS, clients: [{ clientId: '__proto__', tier: 'free' }, { clientId: 'constructor', tier: 'gold' }] });
      // THEN
      const keys = authorizerConfigJson(app, stack).usageKeys.clients;
      expect(Object.keys(keys).sort()).toEqual(['__proto__', 'constructor']);
      expect(Object.getOwnPropertyDescriptor(keys, '__proto__')?.value).toMatch(/^[0-9a-f]{64}$/);
    });

    test('should derive key values from the API and stack, so that two APIs never share one', () => {
      // GIVEN
      const app = new App();
      const stacks = ['A', 'B'].map((stackName) => {
        const stack = new Stack(app, stackName);
        new SecuredApi(stack, 'Api', {
          issuer: ISSUER,
          routes: [{ method: HttpMethod.GET, path: '/orders', handler: okHandler(stack) }],
          quotas: { tiers: TIERS, clients: CLIENTS },
          dashboard: false,
          alarms: false,
          auditQueries: false,
          // One account-level CloudWatch role per account and region: stack A's.
          cloudWatchRole: stackName === 'A',
        });
        return stack;
      });
      // WHEN
      const values = stacks.flatMap((stack) => Object.values(resourcesOf(Template.fromStack(stack), 'AWS::ApiGateway::ApiKey')).map((k) => k.Properties.Value));
      // THEN
      expect(new Set(values).size).toBe(6);
    });
  });

  describe('stable logical ids', () => {
    const idsAndValues = (clients: QuotaClientOptions[]) => {
      const template = Template.fromStack(quotaApi({ tiers: TIERS, clients, defaultTier: 'free' }).stack);
      return Object.fromEntries(['AWS::ApiGateway::ApiKey', 'AWS::ApiGateway::UsagePlanKey', 'AWS::ApiGateway::UsagePlan']
        .flatMap((type) => Object.entries(resourcesOf(template, type))));
    };

    test('should change nothing when clients are reordered', () => {
      // GIVEN
      const before = idsAndValues(CLIENTS);
      // WHEN
      const after = idsAndValues([...CLIENTS].reverse());
      // THEN
      expect(after).toEqual(before);
    });

    test('should change only a client\'s own key when it is added, removed or moved to another tier', () => {
      // GIVEN
      const before = idsAndValues(CLIENTS);
      // WHEN
      const added = idsAndValues([{ clientId: 'audit', tier: 'free' }, ...CLIENTS]);
      const removed = idsAndValues(CLIENTS.slice(1));
      const moved = idsAndValues(CLIENTS.map((c) => (c.clientId === 'checkout' ? { ...c, tier: 'free' } : c)));
      // THEN
      const diff = (a: Record<string, any>, b: Record<string, any>) =>
        [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((id) => JSON.stringify(a[id]) !== JSON.stringify(b[id])).length;
      expect(diff(before, added)).toBe(2);
      expect(diff(before, removed)).toBe(2);
      // A key can be in one usage plan of a stage only, and CloudFormation creates before it deletes:
      // the moved client gets a new key (new id and value) beside the old one until cleanup.
      expect(diff(before, moved)).toBe(4);
      const value = (t: Record<string, any>) => Object.values(t).find((r) => r.Properties.Description?.includes('"checkout"'))?.Properties.Value;
      expect(value(moved)).not.toBe(value(before));
    });
  });

  describe('definition', () => {
    test('should take API keys from the authorizer and require one with the authorizer on guarded routes only', () => {
      // GIVEN
      const { stack } = quotaApi({ tiers: TIERS, clients: CLIENTS });
      // WHEN
      const template = Template.fromStack(stack);
      const body = definitionOf(template);
      // THEN
      expect(body['x-amazon-apigateway-api-key-source']).toBe('AUTHORIZER');
      template.hasResourceProperties('AWS::ApiGateway::RestApi', { ApiKeySourceType: 'AUTHORIZER' });
      expect(body.components.securitySchemes.api_key).toEqual({ type: 'apiKey', name: 'x-api-key', in: 'header' });
      // Two requirement objects, as API Gateway's export writes a method with an authorizer and a
      // required key; API Gateway reads them as the authorizer AND the key.
      for (const op of [body.paths['/orders'].get, body.paths['/orders'].post]) {
        expect(op.security).toEqual([{ tokenAuthorizer: [] }, { api_key: [] }]);
        expect(authorizationOf(op)).toEqual({ authorizer: 'tokenAuthorizer', apiKeyRequired: true });
      }
      // No authorizer runs for a public route, so it has no key and is not metered.
      expect(body.paths['/health'].get.security).toEqual([]);
      expect(authorizationOf(body.paths['/health'].get)).toEqual({ apiKeyRequired: false });
    });

    test.each<[string, unknown]>([
      ['keeps only the key', [{ api_key: [] }]],
      ['keeps only the authorizer', [{ tokenAuthorizer: [] }]],
      ['merges the two requirements', [{ tokenAuthorizer: [], api_key: [] }]],
      ['adds another scheme', [{ tokenAuthorizer: [] }, { api_key: [] }, { other: [] }]],
      ['empties it', []],
    ])('should fail synth when an override of a metered route\'s security %s', (_, security) => {
      // GIVEN
      const { app, api } = quotaApi({ tiers: TIERS, clients: CLIENTS });
      (api.restApi.node.defaultChild as apigateway.CfnRestApi).addPropertyOverride('Body.paths./orders.get.security', security);
      // THEN
      expect(() => app.synth()).toThrow(/operation GET \/orders is a guarded route, but as deployed its security is .* instead of this API's token authorizer and API key/);
    });

    test('should fail synth when an override turns the api_key scheme into another authorizer', () => {
      // GIVEN
      const { app, api } = quotaApi({ tiers: TIERS, clients: CLIENTS });
      (api.restApi.node.defaultChild as apigateway.CfnRestApi).addPropertyOverride('Body.components.securitySchemes.api_key', {
        'type': 'apiKey',
        'name': 'x-api-key',
        'in': 'header',
        'x-amazon-apigateway-authtype': 'custom',
        'x-amazon-apigateway-authorizer': { type: 'request', authorizerUri: 'arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:allow-all/invocations' },
      });
      // THEN
      expect(() => app.synth()).toThrow(/operation GET \/orders is a guarded route, but as deployed its security is \[\{"tokenAuthorizer":\[\]\},\{"api_key":\[\]\}\] and the definition's security scheme api_key was changed/);
    });

    test('should still fail synth when an override drops the authorizer from a metered route', () => {
      // GIVEN
      const { app, api } = quotaApi({ tiers: TIERS, clients: CLIENTS });
      (api.restApi.node.defaultChild as apigateway.CfnRestApi).addPropertyOverride('Body.paths./orders.get.security', [{ api_key: [] }]);
      // THEN
      expect(() => app.synth()).toThrow(/operation GET \/orders is a guarded route/);
    });
  });

  describe('validation', () => {
    test.each<[string, SecuredApiQuotaOptions, RegExp, string]>([
      ['no tiers', { tiers: [], defaultTier: 'free' }, /has 0 tiers; declare 1 to 300 tiers/, 'SecuredApi.QuotaTierCount'],
      ['more than 300 tiers', { tiers: Array.from({ length: 301 }, (_, i) => ({ name: `t${i}` })), defaultTier: 't0' }, /has 301 tiers; declare 1 to 300/, 'SecuredApi.QuotaTierCount'],
      ['a tier name with a slash', { tiers: [{ name: 'a/b' }], defaultTier: 'a/b' }, /name it with 1 to 64 letters, digits/, 'SecuredApi.InvalidQuotaTierName'],
      ['a tier declared twice', { tiers: [{ name: 'free' }, { name: 'free' }], defaultTier: 'free' }, /the tier "free" is declared twice/, 'SecuredApi.DuplicateQuotaTier'],
      ['a negative rate', { tiers: [{ name: 'free', rateLimit: -1 }], defaultTier: 'free' }, /pass literal non-negative numbers/, 'SecuredApi.InvalidQuotaTierLimits'],
      ['a fractional burst', { tiers: [{ name: 'free', burstLimit: 1.5 }], defaultTier: 'free' }, /whole for burstLimit and quotaLimit/, 'SecuredApi.InvalidQuotaTierLimits'],
      ['a token rate', { tiers: [{ name: 'free', rateLimit: Token.asNumber({ Ref: 'Rate' }) }], defaultTier: 'free' }, /literal non-negative/, 'SecuredApi.InvalidQuotaTierLimits'],
      ['a quota without a period', { tiers: [{ name: 'free', quotaLimit: 10 }], defaultTier: 'free' }, /set both .* or neither/, 'SecuredApi.QuotaPeriodMismatch'],
      ['a period without a quota', { tiers: [{ name: 'free', quotaPeriod: apigateway.Period.WEEK }], defaultTier: 'free' }, /set both/, 'SecuredApi.QuotaPeriodMismatch'],
      ['an unknown default tier', { tiers: TIERS, defaultTier: 'silver' }, /defaultTier names the tier "silver", which is not one of the tiers \(free, gold\)/, 'SecuredApi.UnknownQuotaTier'],
      ['a client of an unknown tier', { tiers: TIERS, clients: [{ clientId: 'a', tier: 'silver' }] }, /the client "a" names the tier "silver"/, 'SecuredApi.UnknownQuotaTier'],
      ['a client declared twice', { tiers: TIERS, clients: [{ clientId: 'a', tier: 'free' }, { clientId: 'a', tier: 'gold' }] }, /the client "a" is declared twice/, 'SecuredApi.DuplicateQuotaClient'],
      ['an empty client id', { tiers: TIERS, clients: [{ clientId: '', tier: 'free' }] }, /clientId "", which is not a non-empty literal string/, 'SecuredApi.InvalidQuotaClientId'],
      ['a token client id', { tiers: TIERS, clients: [{ clientId: Token.asString({ Ref: 'Client' }), tier: 'free' }] }, /not a non-empty literal string/, 'SecuredApi.InvalidQuotaClientId'],
      ['no clients and no default tier', { tiers: TIERS }, /declares no clients and no defaultTier, so every caller would be denied/, 'SecuredApi.QuotasAdmitNoClient'],
      ['more than 10,000 keys', { tiers: TIERS, clients: Array.from({ length: 10_000 }, (_, i) => ({ clientId: `c${i}`, tier: 'free' })), defaultTier: 'free' },
        /needs 10001 API keys .* over API Gateway's hard limit of 10000/, 'SecuredApi.TooManyApiKeys'],
    ])('should refuse %s, saying how to fix it', (_, quotas, message, code) => {
      // THEN
      expect(() => quotaApi(quotas)).toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }));
      expect(() => quotaApi(quotas)).toThrow(/^Orders\/Api: quotas/);
    });
  });

  describe('cdk-nag', () => {
    test('should add no AwsSolutions finding and no acknowledgement', () => {
      // GIVEN
      const without = quotaApi(undefined);
      const withQuotas = quotaApi({ tiers: TIERS, clients: CLIENTS, defaultTier: 'free' });
      // WHEN
      const findings = [nagFindings(without.app), nagFindings(withQuotas.app)];
      // THEN
      expect(findings[1]).toEqual(findings[0]);
      expect(acknowledgements(withQuotas.app).map((a) => a.id)).toEqual(acknowledgements(without.app).map((a) => a.id));
    });
  });
});

test('key values are the documented derivation', () => {
  // GIVEN
  const { stack } = quotaApi({ tiers: TIERS, clients: CLIENTS });
  // THEN
  const expected = createHash('sha256').update(JSON.stringify(['cdk-secured-api/usage-key/1', 'Orders', 'Orders/Api', 'free', 'client', 'reporting'])).digest('hex');
  expect(keyOf(Template.fromStack(stack), /"reporting"/)).toBe(expected);
});
