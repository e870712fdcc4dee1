// `npx projen demo`: the example app's authorizer at work, offline. It synthesizes example/app.ts,
// starts a real OpenID provider (oidc-provider) on 127.0.0.1, gets client-credentials tokens for
// clients with different scopes and tenants, sends each route's request through the synthesized
// authorizer (cdk-secured-api/testing: API Gateway's routing, identity source, result cache and policy
// verdict emulated), prints a route x client table, then exchanges tokens for AWS credentials with
// the web identity helper (cdk-secured-api/runtime) against a local STS stand-in that refuses what the
// trust-policy simulator (cdk-secured-api/testing) refuses for the example's roles. No AWS account.
// Run after `npx projen bundle` (the task does it).
/* eslint-disable import/no-extraneous-dependencies -- a development script: the AWS SDK and jose are devDependencies */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { STSClient } from '@aws-sdk/client-sts';
import { StsStandIn } from './sts-stand-in';
import { CallerCredentialsError, ExchangeAudit, SamlCredentials, WebIdentityCredentials } from '../src/runtime';
import { AuthorizerResponse, SynthesizedAuthorizer, TrustSimulator } from '../src/testing';

const AUDIENCE = 'api://orders';
const CLIENTS = [
  { client_id: 'reporting', scope: 'orders:read', tenant: 'acme' },
  { client_id: 'checkout', scope: 'orders:read orders:write', tenant: 'acme' },
  { client_id: 'globex-app', scope: 'orders:read', tenant: 'globex' },
  { client_id: 'newsletter', scope: 'profile', tenant: 'acme' },
].map((c) => ({ ...c, client_secret: `${c.client_id}-secret-0123456789abcdefghijklmnopqrstuv` }));
/** The example's caller role (addCallerRole 'Reporting'), and a role the example does not have. */
const ROLE_ARN = 'arn:aws:iam::123456789012:role/orders-reporting';
const UNKNOWN_ROLE_ARN = 'arn:aws:iam::123456789012:role/orders-admin';
/** The example's SAML provider and its prod on-call role. */
const SAML_PROVIDER_ARN = 'arn:aws:iam::123456789012:saml-provider/Corp';
const ON_CALL_ROLE_ARN = 'arn:aws:iam::123456789012:role/orders-prod-on-call';
/** The issuer the example trusts (Okta), for which the local provider stands in. */
const APP_ISSUER = 'https://acme.okta.com/oauth2/default';

interface Provider { issuer: string; jwksUri: string; tokenEndpoint: string }

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'secured-api-demo-'));
  let idp: ChildProcess | undefined;
  let authorizer: SynthesizedAuthorizer | undefined;
  let sts: StsStandIn | undefined;
  try {
    // 1. The example app, synthesized as `npx projen example` does.
    const outdir = join(work, 'cdk.out');
    process.env.CDK_OUTDIR = outdir;
    // The app synthesizes when loaded (ts-node runs this file as CommonJS, where import() would bypass it).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('../example/app');
    console.log(`Synthesized example/app.ts into ${outdir}`);

    // 2. A real OpenID provider on 127.0.0.1, and one client-credentials token per client.
    const clients = CLIENTS.map(({ tenant, ...c }) => ({ ...c, claims: { tenant } }));
    writeFileSync(join(work, 'oidc-server.json'), JSON.stringify({ clients, audience: AUDIENCE }));
    idp = spawn(process.execPath, [join(__dirname, '..', 'test', 'support', 'oidc-server.mjs'), join(work, 'oidc-server.json')], { stdio: ['pipe', 'pipe', 'pipe'] });
    // Its development-mode warnings (in-memory adapter, Node.js version) are expected here.
    createInterface({ input: idp.stderr! }).on('line', (line) => !line.startsWith('oidc-provider WARNING') && console.error(line));
    const provider = await firstLine<Provider>(idp, 90_000);
    console.log(`OpenID provider (oidc-provider) at ${provider.issuer}`);
    const tokens = new Map<string, string>();
    for (const client of CLIENTS) {
      tokens.set(client.client_id, await clientCredentialsToken(provider, client));
    }

    // 3. The synthesized authorizer, trusting the local provider instead of Okta.
    // The stack also holds the HTTP API's Lambda authorizer: name the REST API's.
    const template = JSON.parse(readFileSync(join(outdir, 'OrdersApiExample.template.json'), 'utf8'));
    authorizer = await SynthesizedAuthorizer.fromCloudAssembly(outdir, {
      stackName: 'OrdersApiExample',
      authorizerLogicalId: Object.keys(template.Resources).find((id) => id.startsWith('OrdersAuthorizerHandler')),
      issuerOverride: { issuer: provider.issuer, jwksUri: provider.jwksUri },
    });
    const routes = authorizer.routes.sort((a, b) => a.resource.localeCompare(b.resource) || a.method.localeCompare(b.method));
    const columns = [...CLIENTS.map((c) => c.client_id), '(no token)'];
    const rows: string[][] = [];
    const reasons = new Set<string>();
    for (const route of routes) {
      const path = route.resource.replace(/\{[^}]+\}/g, 'ord_1');
      const row = [`${route.method} ${path}`];
      for (const column of columns) {
        authorizer.clearCache(); // each cell a fresh decision; the cache is shown below
        const res = await authorizer.request({ method: route.method, path, token: tokens.get(column) });
        row.push(`${res.status} ${res.reason}`);
        reasons.add(res.reason);
      }
      rows.push(row);
    }
    console.log('\nEach route x client, as API Gateway would answer, for the clients');
    CLIENTS.forEach((c) => console.log(`  ${c.client_id.padEnd(12)} scopes ${c.scope.padEnd(25)} tenant ${c.tenant}`));
    console.log('');
    printTable(['route', ...columns], rows);
    console.log(`\n  ${describe(reasons)}`);

    // The result cache: one policy, cached for the token (the identity source), answers other routes.
    authorizer.clearCache();
    const reporting = tokens.get('reporting')!;
    console.log('\nThe result cache, for reporting\'s token (TTL from the template):');
    for (const [method, path] of [['GET', '/orders'], ['GET', '/orders/ord_9'], ['POST', '/orders']]) {
      const res: AuthorizerResponse = await authorizer.request({ method, path, token: reporting });
      console.log(`  ${`${method} ${path}`.padEnd(20)} ${res.status} ${res.cached ? 'from the cached policy' : 'authorizer invoked'}`);
    }

    // 4. The token exchanged for AWS credentials through the web identity helper, against a local STS.
    const simulator = TrustSimulator.fromCloudAssembly(outdir);
    sts = await StsStandIn.start({ issuer: provider.issuer, jwksUri: provider.jwksUri, clientIds: [AUDIENCE], simulator, appIssuer: APP_ISSUER });
    const audit: string[] = [];
    const exchange = (roleArn: string) => new WebIdentityCredentials({
      roleArn,
      region: 'eu-west-1',
      stsClient: new STSClient({ region: 'eu-west-1', endpoint: sts!.endpoint, maxAttempts: 1, credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' } }),
      audit: new ExchangeAudit({ service: 'demo', write: (line) => audit.push(line) }),
    });
    const attempt = async (what: string, roleArn: string, token: string) => {
      try {
        const creds = await exchange(roleArn).forToken(token)();
        console.log(`  ${what} -> ${roleArn}: ${creds.accessKeyId} until ${creds.expiration?.toISOString()}`);
      } catch (err) {
        const e = err as CallerCredentialsError;
        console.log(`  ${what} -> ${roleArn}: ${e.httpStatus} ${e.code}`);
      }
    };
    console.log(`\nWeb identity exchange (STS stand-in at ${sts.endpoint}, trust policies of the example's roles by the simulator):`);
    await attempt("reporting's token", ROLE_ARN, reporting);
    await attempt("checkout's token", ROLE_ARN, tokens.get('checkout')!);
    await attempt("reporting's token", UNKNOWN_ROLE_ARN, reporting);
    const [h, p] = reporting.split('.');
    await attempt('a forged token', ROLE_ARN, `${h}.${p}.${'A'.repeat(342)}`);
    // The company IdP's assertion, as the IdP application of each environment would post it (unsigned: the
    // stand-in, unlike STS, checks no signature), exchanged by the runtime's SAML helper.
    console.log('\nSAML exchange (the same stand-in; the role requires the PrincipalTag:environment of prod):');
    const saml = new SamlCredentials({
      region: 'eu-west-1',
      stsClient: new STSClient({ region: 'eu-west-1', endpoint: sts.endpoint, maxAttempts: 1, credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' } }),
      audit: new ExchangeAudit({ service: 'demo', write: (line) => audit.push(line) }),
    });
    for (const environment of ['prod', 'staging']) {
      try {
        const { credentials: c, subject } = await saml.assume(samlResponse(environment), { roleArn: ON_CALL_ROLE_ARN });
        console.log(`  ${environment} IdP application's assertion -> ${ON_CALL_ROLE_ARN}: ${c.accessKeyId} for ${subject}`);
      } catch (err) {
        const e = err as CallerCredentialsError;
        console.log(`  ${environment} IdP application's assertion -> ${ON_CALL_ROLE_ARN}: ${e.httpStatus} ${e.code}`);
      }
    }
    for (const line of sts.calls) {
      console.log(`  STS: ${line}`);
    }
    for (const line of audit.map((l) => JSON.parse(l))) {
      console.log(`  audit line: ${line.outcome} ${line.error ?? ''} role ${line.role} session ${line.session_name} (${line.attempts} attempt)`);
    }

    // 5. Who can assume which role of the example, as the simulator answers it (the same answers the stand-in gave).
    console.log('\nThe example\'s federated roles, per caller (TrustSimulator, no AWS):');
    const callers: Array<[string, Parameters<TrustSimulator['evaluate']>[0]]> = [
      ["Okta token of 'reporting'", { kind: 'webIdentity', claims: { iss: APP_ISSUER, aud: AUDIENCE, sub: 'reporting' } }],
      ["Okta token of 'checkout'", { kind: 'webIdentity', claims: { iss: APP_ISSUER, aud: AUDIENCE, sub: 'checkout' } }],
      ['GitHub, acme/orders, environment prod', { kind: 'webIdentity', claims: { iss: 'https://token.actions.githubusercontent.com', aud: 'sts.amazonaws.com', sub: 'repo:acme/orders:environment:prod' } }],
      ['GitHub, acme/orders, environment staging', { kind: 'webIdentity', claims: { iss: 'https://token.actions.githubusercontent.com', aud: 'sts.amazonaws.com', sub: 'repo:acme/orders:environment:staging' } }],
      ["SAML assertion, PrincipalTag:environment 'prod'", { kind: 'saml', provider: 'OrdersApiExample/Corp', attributes: { aud: 'https://signin.aws.amazon.com/saml' }, sessionTags: { environment: 'prod' } }],
      ["SAML assertion, PrincipalTag:environment 'staging'", { kind: 'saml', provider: 'OrdersApiExample/Corp', attributes: { aud: 'https://signin.aws.amazon.com/saml' }, sessionTags: { environment: 'staging' } }],
    ];
    const federated = simulator.roles.filter((r) => JSON.stringify(r.trustPolicy).includes('sts:AssumeRoleWith'));
    printTable(['caller', ...federated.map((r) => r.roleName ?? r.path?.replace(/(\/Resource)+$/, '') ?? r.logicalId)],
      callers.map(([name, caller]) => [name, ...federated.map((r) => simulator.evaluate(caller, r).decision)]));
  } finally {
    await authorizer?.stop();
    await sts?.stop();
    idp?.stdin?.end();
    idp?.kill();
    rmSync(work, { recursive: true, force: true });
  }
}

function firstLine<T>(child: ChildProcess, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line));
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
  });
}

async function clientCredentialsToken(provider: Provider, client: typeof CLIENTS[number]): Promise<string> {
  const res = await fetch(provider.tokenEndpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'authorization': `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: client.scope }).toString(),
  });
  const json: any = await res.json();
  if (res.status !== 200) {
    throw new Error(`token endpoint for ${client.client_id}: ${res.status} ${JSON.stringify(json)}`);
  }
  return json.access_token;
}

/** A base64 SAMLResponse for alice, posted to AWS's sign-in endpoint, with the environment's session tag. */
function samlResponse(environment: string): string {
  const issuer = '<saml:Issuer>https://idp.example.com/saml/metadata</saml:Issuer>';
  const attribute = (name: string, value: string) => `<saml:Attribute Name="${name}"><saml:AttributeValue>${value}</saml:AttributeValue></saml:Attribute>`;
  const xml = '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">'
    + `${issuer}<saml:Assertion>${issuer}<saml:Subject>`
    + '<saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">alice@example.com</saml:NameID>'
    + '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData Recipient="https://signin.aws.amazon.com/saml"/></saml:SubjectConfirmation>'
    + '</saml:Subject><saml:AttributeStatement>'
    + attribute('https://aws.amazon.com/SAML/Attributes/Role', `${ON_CALL_ROLE_ARN},${SAML_PROVIDER_ARN}`)
    + attribute('https://aws.amazon.com/SAML/Attributes/RoleSessionName', 'alice')
    + attribute('https://aws.amazon.com/SAML/Attributes/PrincipalTag:environment', environment)
    + '</saml:AttributeStatement></saml:Assertion></samlp:Response>';
  return Buffer.from(xml).toString('base64');
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')}`;
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  rows.forEach((r) => console.log(line(r)));
}

function describe(reasons: Set<string>): string {
  const meaning: Record<string, string> = {
    allowed: 'the token has one of the route\'s scopes and passes its claim rules',
    insufficient_scope: 'valid token, none of the route\'s scopes (Deny policy)',
    claim_rule_failed: 'valid token, a claim rule fails (GET /orders/{id} needs tenant acme)',
    identity_source_missing: 'no Authorization header: API Gateway answers 401 without invoking the authorizer',
    public: 'public route: no authorizer',
  };
  return [...reasons].map((r) => `${r}: ${meaning[r] ?? ''}`).join('\n  ');
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
