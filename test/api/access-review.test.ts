import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Aspects, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as fc from 'fast-check';
import {
  ClaimRule, DeploymentCheck, FederatedRole, FederatedTrust, FederationGuard, FederationRisk, HttpMethod,
  OidcIdentityProvider, OidcIssuer, SecuredApi, Subject,
} from '../../src';
import { ACCESS_REVIEW_FORMAT } from '../../src/api/access-review';
import { okHandler } from '../support/orders-api';

const ISSUER = OidcIssuer.fromUrl('https://issuer.example.com', { audiences: ['api://orders'] });

/**
 * The Orders API with every section of a review filled: public, scoped and claim-ruled routes, two
 * caller roles (named subjects with session tags; any subject, as an accepted risk), quotas, a
 * skipped deployment check, a cdk-nag acknowledgement on a handler, and, elsewhere in the app, a
 * GitHub Actions role and a plain iam.Role whose missing subject is accepted.
 */
function reviewedApp(outdir: string): { app: App; stack: Stack; api: SecuredApi } {
  const app = new App({ outdir });
  const stack = new Stack(app, 'Orders', { env: { account: '123456789012', region: 'eu-west-1' } });
  const list = okHandler(stack, 'List');
  const get = okHandler(stack, 'Get');
  Validations.of(get).acknowledge({ id: 'AwsSolutions-L1', reason: 'Runtime pinned by the platform team' });
  const api = new SecuredApi(stack, 'Api', {
    issuer: ISSUER,
    apiName: 'orders',
    routes: [
      { method: HttpMethod.GET, path: '/orders', handler: list, scopes: ['orders:read', 'orders:admin'] },
      { method: HttpMethod.GET, path: '/me', handler: list },
    ],
    quotas: { tiers: [{ name: 'gold', rateLimit: 100, burstLimit: 200 }, { name: 'free', rateLimit: 1, quotaLimit: 1000, quotaPeriod: apigateway.Period.DAY }], clients: [{ clientId: 'checkout', tier: 'gold' }], defaultTier: 'free' },
    deploymentCheck: DeploymentCheck.skip('LocalStack has no API Gateway read API'),
  });
  const reader = api.addCallerRole('OrdersReader', { subjects: ['reporting', 'checkout'], sessionTags: true });
  const any = api.addCallerRole('AnyCaller', { allowAnySubjectOfAudience: 'reads the public catalogue only', sourceIdentity: true });
  const bucket = new s3.Bucket(stack, 'Orders');
  bucket.grantRead(reader);
  any.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects('catalogue/*')] }));
  api.addRoute({ method: HttpMethod.GET, path: '/orders/{id}', handler: get, scopes: ['orders:read'], claimRules: [ClaimRule.equalTo('tenant', 'acme')], callerRoles: [reader, any] });
  api.addRoute({ method: HttpMethod.GET, path: '/health', handler: list, public: true });

  const ci = new Stack(app, 'Ci', { env: { account: '123456789012', region: 'eu-west-1' } });
  const github = new OidcIdentityProvider(ci, 'GitHub', { issuer: OidcIssuer.githubActions() });
  new FederatedRole(ci, 'Deploy', { trust: FederatedTrust.oidc({ provider: github, subjects: [Subject.githubEnvironment('acme/orders', 'prod')] }) });
  const legacy = new iam.Role(ci, 'Legacy', {
    assumedBy: new iam.WebIdentityPrincipal(github.providerArn, { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } }),
  });
  FederationGuard.acceptRisk(legacy, FederationRisk.MISSING_SUBJECT, 'retired on 2027-01-31, ticket OPS-12');
  Aspects.of(app).add(new FederationGuard());
  return { app, stack, api };
}

let outdir: string;
let api: SecuredApi;
let json: any;
let markdown: string;
let templateDir: string;

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'access-review-'));
  const built = reviewedApp(outdir);
  api = built.api;
  const assembly = built.app.synth();
  templateDir = path.dirname(assembly.getStackArtifact(built.stack.artifactId).templateFullPath);
  json = JSON.parse(fs.readFileSync(path.join(templateDir, api.accessReviewFileName), 'utf8'));
  markdown = fs.readFileSync(path.join(templateDir, 'Orders.Api.access-review.md'), 'utf8');
});

afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

describe('the access review', () => {
  test('should be written beside the template as <stack>.<api>.access-review.json and .md', () => {
    // THEN
    expect(api.accessReviewFileName).toBe('Orders.Api.access-review.json');
    expect(fs.existsSync(path.join(templateDir, 'Orders.template.json'))).toBe(true);
    expect(json.format).toBe(ACCESS_REVIEW_FORMAT);
    expect(json.api).toEqual({ path: 'Orders/Api', stack: 'Orders', name: 'orders', kind: 'REST' });
  });

  test('should list every route with its scopes, claim rules and caller roles, sorted by path and method', () => {
    // THEN
    expect(json.routes.map((r: any) => `${r.method} ${r.path} ${r.access}`)).toEqual([
      'GET /health public',
      'GET /me any valid token',
      'GET /orders scopes',
      'GET /orders/{id} scopes',
    ]);
    expect(json.routes[2].scopesAnyOf).toEqual(['orders:admin', 'orders:read']);
    expect(json.routes[3]).toMatchObject({
      claimRulesAllOf: ['tenant equals "acme"'],
      servedBy: 'Orders/Get',
      callerRoles: ['Orders/Api/CallerRoles/AnyCaller', 'Orders/Api/CallerRoles/OrdersReader'],
    });
  });

  test('should show who may assume each caller role, with what, and what it may do', () => {
    // THEN
    const [any, reader] = json.callerRoles;
    expect(reader).toMatchObject({
      path: 'Orders/Api/CallerRoles/OrdersReader',
      handlerEnvironmentVariable: 'SECURED_API_CALLER_ROLE_ARN_ORDERS_READER',
      trustedBy: ['${Orders/Api/IdentityProvider}'],
      actions: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'],
      audiences: ['api://orders'],
      subjects: ['checkout', 'reporting'],
      sessionTags: true,
      sourceIdentity: false,
      maxSessionDurationSeconds: 3600,
      permissions: { statements: [{ effect: 'Allow', actions: ['s3:GetBucket*', 's3:GetObject*', 's3:List*'], resources: ['${Orders/Orders.Arn}', '${Orders/Orders.Arn}/*'] }], managedPolicies: [] },
      acceptedRisks: [],
    });
    expect(any).toMatchObject({
      subjects: 'any subject of the audiences',
      sourceIdentity: true,
      permissions: { statements: [{ effect: 'Allow', actions: ['s3:GetObject'], resources: ['${Orders/Orders.Arn}/catalogue/*'] }] },
      acceptedRisks: [{ risk: 'MISSING_SUBJECT', reason: expect.stringContaining('reads the public catalogue only') }],
    });
  });

  test('should list quota tiers and clients, and what undeclared clients get', () => {
    // THEN
    expect(json.quotas).toEqual({
      tiers: [
        { name: 'free', rateLimit: 1, burstLimit: null, quotaLimit: 1000, quotaPeriod: 'DAY' },
        { name: 'gold', rateLimit: 100, burstLimit: 200, quotaLimit: null, quotaPeriod: null },
      ],
      clients: [{ clientId: 'checkout', tier: 'gold' }],
      undeclaredClients: 'tier free, one shared key',
    });
  });

  test('should list every accepted risk and skipped check with its reason', () => {
    // THEN
    const rows = json.acceptedRisksAndSkippedChecks.map((a: any) => `${a.path} | ${a.kind} | ${a.id}`);
    expect(rows).toEqual(expect.arrayContaining([
      'Orders/Api | skipped check | deploymentCheck',
      'Orders/Api/CallerRoles/AnyCaller | accepted federation risk | MISSING_SUBJECT',
      'Orders/Get | acknowledged validation rule | AwsSolutions-L1',
      'Orders/Api/Api/Resource | acknowledged validation rule | AwsSolutions-APIG2',
    ]));
    expect(json.acceptedRisksAndSkippedChecks.find((a: any) => a.id === 'deploymentCheck').reason).toBe('LocalStack has no API Gateway read API');
    expect(json.acceptedRisksAndSkippedChecks.every((a: any) => typeof a.reason === 'string' && a.reason.length > 0)).toBe(true);
  });

  test('should give the FederationGuard\'s findings for every federated role of the app, other stacks included', () => {
    // THEN
    expect(json.federatedRolesInApp.map((r: any) => r.path)).toEqual([
      'Ci/Deploy', 'Ci/Legacy', 'Orders/Api/CallerRoles/AnyCaller', 'Orders/Api/CallerRoles/OrdersReader',
    ]);
    const legacy = json.federatedRolesInApp[1];
    expect(legacy).toMatchObject({ stack: 'Ci', checkedByFederationGuard: true, openFindings: [] });
    expect(legacy.acceptedFindings).toEqual([{ risk: 'MISSING_SUBJECT', finding: expect.stringContaining('without a condition on'), reason: 'retired on 2027-01-31, ticket OPS-12' }]);
  });

  test('should report a role no FederationGuard checks, with its open findings', () => {
    // GIVEN
    const app = new App();
    const stack = new Stack(app, 'Orders');
    const a = new SecuredApi(stack, 'Api', { issuer: ISSUER, routes: [{ method: HttpMethod.GET, path: '/health', handler: okHandler(stack), public: true }] });
    const provider = new OidcIdentityProvider(stack, 'GitHub', { issuer: OidcIssuer.githubActions() });
    new iam.Role(stack, 'Loose', { assumedBy: new iam.WebIdentityPrincipal(provider.providerArn) });

    // WHEN
    const review = JSON.parse(a.renderAccessReview());

    // THEN
    expect(review.federatedRolesInApp).toHaveLength(1);
    expect(review.federatedRolesInApp[0]).toMatchObject({ path: 'Orders/Loose', checkedByFederationGuard: false });
    expect(review.federatedRolesInApp[0].openFindings.map((f: any) => f.risk)).toEqual(expect.arrayContaining(['MISSING_AUDIENCE', 'MISSING_SUBJECT']));
    expect(review.callerRoles).toEqual([]);
    expect(review.quotas).toBeNull();
  });

  test('should be the same bytes when the same app is synthesized again', () => {
    // GIVEN
    const again = fs.mkdtempSync(path.join(os.tmpdir(), 'access-review-'));
    try {
      const built = reviewedApp(again);
      const dir = path.dirname(built.app.synth().getStackArtifact('Orders').templateFullPath);

      // THEN
      for (const name of ['Orders.Api.access-review.json', 'Orders.Api.access-review.md']) {
        expect(fs.readFileSync(path.join(dir, name), 'utf8')).toBe(fs.readFileSync(path.join(templateDir, name), 'utf8'));
      }
    } finally {
      fs.rmSync(again, { recursive: true, force: true });
    }
  });

  test('should match the reviewed Markdown', () => {
    expect(markdown).toMatchSnapshot();
  });

  test('should match the reviewed JSON', () => {
    expect(json).toMatchSnapshot();
  });
});

describe('the access review, generated', () => {
  const segment = fc.constantFrom('orders', 'items', '{id}', 'admin');
  const routeArb = fc.record({
    method: fc.constantFrom(HttpMethod.GET, HttpMethod.POST, HttpMethod.DELETE),
    path: fc.uniqueArray(segment, { minLength: 1, maxLength: 3 }).map((s) => '/' + s.join('/')),
    scopes: fc.uniqueArray(fc.constantFrom('a:read', 'a:write', 'admin'), { maxLength: 3 }),
    isPublic: fc.boolean(),
  });
  const shape = (p: string) => p.replace(/\{[^}]+\}/g, '{}');
  const routeSet = fc.uniqueArray(routeArb, { minLength: 1, maxLength: 6, selector: (r) => `${r.method} ${shape(r.path)}` })
    .filter((routes) => new Set(routes.map((r) => r.path.replace(/\{[^}]+\}/g, '{}'))).size === new Set(routes.map((r) => r.path)).size);

  function review(routes: Array<{ method: HttpMethod; path: string; scopes: string[]; isPublic: boolean }>): any {
    const app = new App();
    const stack = new Stack(app, 'Orders');
    const handler = okHandler(stack);
    const a = new SecuredApi(stack, 'Api', { issuer: ISSUER, apiName: 'orders', deploymentCheck: DeploymentCheck.skip('unit test') });
    for (const r of routes) {
      const { method, path: routePath } = r;
      a.addRoute(r.isPublic ? { method, path: routePath, handler, public: true } : { method, path: routePath, handler, scopes: r.scopes });
    }
    return a.renderAccessReview();
  }

  test('should show every route exactly once with its access, and not depend on the order routes were added in', () => {
    fc.assert(fc.property(routeSet, fc.infiniteStream(fc.nat()), (routes, seeds) => {
      // GIVEN: the same routes in another order
      const shuffled = routes.map((r) => ({ r, k: seeds.next().value })).sort((x, y) => x.k - y.k).map((x) => x.r);

      // WHEN
      const text = review(routes);

      // THEN
      expect(review(shuffled)).toBe(text);
      const written = JSON.parse(text).routes;
      expect(written).toHaveLength(routes.length);
      for (const r of routes) {
        const row = written.filter((w: any) => w.method === r.method && w.path === r.path);
        expect(row).toHaveLength(1);
        expect(row[0].access).toBe(r.isPublic ? 'public' : r.scopes.length === 0 ? 'any valid token' : 'scopes');
        expect(row[0].scopesAnyOf).toEqual(r.isPublic ? [] : [...r.scopes].sort());
      }
    }), { numRuns: 15 });
  });
});
