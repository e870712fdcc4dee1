/* eslint-disable import/no-extraneous-dependencies -- part of the demo, a development script; jose is a devDependency */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { TrustSimulator } from '../src/testing';

/** What the stand-in trusts, and the app whose roles it hands out. */
export interface StsStandInOptions {
  /** The local OpenID provider that signs the tokens, and its keys. */
  readonly issuer: string;
  readonly jwksUri: string;
  /** The client IDs (audiences) of the IAM OIDC provider. */
  readonly clientIds: string[];
  /** The synthesized app's roles, whose trust policies decide (the simulator of cdk-secured-api/testing). */
  readonly simulator: TrustSimulator;
  /** The issuer the app's roles trust (the local provider stands in for it), e.g. Okta's. */
  readonly appIssuer: string;
}

/**
 * A local stand-in for STS's AssumeRoleWithWebIdentity and AssumeRoleWithSAML (query protocol, XML answers), enough for the
 * AWS SDK's STSClient: it checks the web identity token as an IAM OIDC provider would (signature
 * against the issuer's JWKS, `iss`, `aud` one of the provider's client IDs, `exp`), then asks the trust
 * simulator whether the app's role admits the token's claims (presented with the app's issuer): it
 * hands out made-up credentials only when the simulator says `allowed`, and answers `AccessDenied`
 * for a refusal, an `unknown`, or a role the app does not have.
 */
export class StsStandIn {
  public static async start(options: StsStandInOptions): Promise<StsStandIn> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return new StsStandIn(server, options);
  }

  public readonly endpoint: string;
  /** One line per call: the action, the role and the outcome. */
  public readonly calls: string[] = [];

  private constructor(private readonly server: Server, options: StsStandInOptions) {
    this.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const keys = createRemoteJWKSet(new URL(options.jwksUri));
    server.on('request', (req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', async () => {
        const form = new URLSearchParams(body);
        const requestId = randomUUID();
        const send = (status: number, xml: string) => {
          res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
          res.end(xml);
        };
        const roleArn = form.get('RoleArn') ?? '';
        if (form.get('Action') === 'AssumeRoleWithSAML') {
          this.assumeWithSaml(options, form, requestId, send);
          return;
        }
        if (form.get('Action') !== 'AssumeRoleWithWebIdentity') {
          send(400, errorXml('InvalidAction', `${form.get('Action')} is not supported here`, requestId));
          return;
        }
        try {
          const { payload } = await jwtVerify(form.get('WebIdentityToken') ?? '', keys, { issuer: options.issuer, audience: options.clientIds });
          const refusal = trustRefusal(options, roleArn, { ...payload, iss: options.appIssuer });
          if (refusal !== undefined) {
            this.calls.push(`AssumeRoleWithWebIdentity ${roleArn} as ${payload.sub ?? payload.client_id}: AccessDenied (${refusal})`);
            send(403, errorXml('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity', requestId));
            return;
          }
          const session = form.get('RoleSessionName') ?? 'session';
          const duration = Number(form.get('DurationSeconds') ?? 3600);
          const expiration = new Date(Date.now() + duration * 1000).toISOString();
          this.calls.push(`AssumeRoleWithWebIdentity ${roleArn} as ${payload.sub ?? payload.client_id}: ok`);
          const role = roleArn.split('/').pop();
          send(200, `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>${escape(String(payload.sub ?? ''))}</SubjectFromWebIdentityToken>
    <Audience>${escape(options.clientIds[0])}</Audience>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::${roleArn.split(':')[4]}:assumed-role/${escape(role ?? '')}/${escape(session)}</Arn>
      <AssumedRoleId>AROADEMO${randomBytes(6).toString('hex').toUpperCase()}:${escape(session)}</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIADEMO${randomBytes(6).toString('hex').toUpperCase()}</AccessKeyId>
      <SecretAccessKey>${randomBytes(30).toString('base64')}</SecretAccessKey>
      <SessionToken>${randomBytes(60).toString('base64')}</SessionToken>
      <Expiration>${expiration}</Expiration>
    </Credentials>
    <Provider>${escape(options.issuer)}</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>`);
        } catch (err) {
          this.calls.push(`AssumeRoleWithWebIdentity ${roleArn}: InvalidIdentityToken (${(err as Error).message})`);
          send(400, errorXml('InvalidIdentityToken', 'The web identity token could not be validated.', requestId));
        }
      });
    });
  }

  /**
   * AssumeRoleWithSAML. The demo makes its own unsigned assertion, so no signature is checked here (STS
   * checks it against the provider's metadata); the rest is read as STS reads it: the role/provider pair
   * must be offered by the Role attribute, and the trust policy (by the simulator) must admit the
   * assertion's Recipient (`SAML:aud`), Issuer, NameID and PrincipalTag attributes (session tags).
   */
  private assumeWithSaml(options: StsStandInOptions, form: URLSearchParams, requestId: string, send: (status: number, xml: string) => void): void {
    const roleArn = form.get('RoleArn') ?? '';
    const providerArn = form.get('PrincipalArn') ?? '';
    const xml = Buffer.from(form.get('SAMLAssertion') ?? '', 'base64').toString('utf8');
    const values = (name: string) => [...xml.matchAll(new RegExp(`<(?:\\w+:)?Attribute [^>]*Name="${name.replace(/[.:/]/g, '\\$&')}"[^>]*>([\\s\\S]*?)</(?:\\w+:)?Attribute>`, 'g'))]
      .flatMap((m) => [...m[1].matchAll(/<(?:\w+:)?AttributeValue[^>]*>([^<]*)</g)].map((v) => v[1].trim()));
    const sessionTags: Record<string, string> = {};
    for (const m of xml.matchAll(/Name="https:\/\/aws\.amazon\.com\/SAML\/Attributes\/PrincipalTag:([^"]+)"/g)) {
      sessionTags[m[1]] = values(`https://aws.amazon.com/SAML/Attributes/PrincipalTag:${m[1]}`)[0] ?? '';
    }
    const recipient = /Recipient="([^"]*)"/.exec(xml)?.[1] ?? '';
    const issuer = /<(?:\w+:)?Issuer[^>]*>([^<]*)</.exec(xml)?.[1] ?? '';
    const subject = /<(?:\w+:)?NameID[^>]*>([^<]*)</.exec(xml)?.[1] ?? '';
    const offered = values('https://aws.amazon.com/SAML/Attributes/Role').some((v) => v.split(',').map((x) => x.trim()).sort().join(',') === [roleArn, providerArn].sort().join(','));
    let refusal = offered ? undefined : 'the assertion does not offer this role and provider';
    if (!refusal) {
      try {
        const decision = options.simulator.evaluate({ kind: 'saml', provider: providerArn, attributes: { aud: recipient, iss: issuer, sub: subject }, sessionTags }, roleArn);
        refusal = decision.decision === 'allowed' ? undefined : `${decision.decision}: ${decision.reasons[0] ?? ''}`;
      } catch {
        refusal = 'the app has no such role';
      }
    }
    if (refusal) {
      this.calls.push(`AssumeRoleWithSAML ${roleArn} as ${subject}: AccessDenied (${refusal})`);
      send(403, errorXml('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithSAML', requestId));
      return;
    }
    this.calls.push(`AssumeRoleWithSAML ${roleArn} as ${subject}: ok`);
    const session = subject.replace(/[^\w+=,.@-]/g, '').slice(0, 64) || 'session';
    send(200, `<AssumeRoleWithSAMLResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithSAMLResult>
    <Subject>${escape(subject)}</Subject>
    <SubjectType>persistent</SubjectType>
    <Issuer>${escape(issuer)}</Issuer>
    <Audience>${escape(recipient)}</Audience>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::${roleArn.split(':')[4]}:assumed-role/${escape(roleArn.split('/').pop() ?? '')}/${escape(session)}</Arn>
      <AssumedRoleId>AROADEMO${randomBytes(6).toString('hex').toUpperCase()}:${escape(session)}</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIADEMO${randomBytes(6).toString('hex').toUpperCase()}</AccessKeyId>
      <SecretAccessKey>${randomBytes(30).toString('base64')}</SecretAccessKey>
      <SessionToken>${randomBytes(60).toString('base64')}</SessionToken>
      <Expiration>${new Date(Date.now() + Number(form.get('DurationSeconds') ?? 3600) * 1000).toISOString()}</Expiration>
    </Credentials>
  </AssumeRoleWithSAMLResult>
  <ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>
</AssumeRoleWithSAMLResponse>`);
  }

  public async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Why the app's role does not admit the claims, or undefined when the simulator allows it. */
function trustRefusal(options: StsStandInOptions, roleArn: string, claims: Record<string, unknown>): string | undefined {
  let decision;
  try {
    decision = options.simulator.evaluate({ kind: 'webIdentity', claims }, roleArn);
  } catch {
    return 'the app has no such role';
  }
  return decision.decision === 'allowed' ? undefined : `${decision.decision}: ${decision.reasons[0] ?? ''}`;
}

function errorXml(code: string, message: string, requestId: string): string {
  return `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code>`
    + `<Message>${escape(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
