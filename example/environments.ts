// Staging and prod side by side: one SecuredApi per environment, each in its own CDK Stage (its own
// AWS account), with its own audience, caller role, custom domain and web ACL. Both trust the same
// Okta authorization server; the audience keeps them apart, so a staging token is refused by prod
// (401, audience_mismatch), and the staging role's trust cannot be met with a prod token either.
// Synthesize it with `npx ts-node example/environments.ts` (offline; no AWS account needed).
//
// In your own app, import from 'cdk-secured-api' instead of '../src'.
import { App, Aspects, Stack, Stage, StageProps, Tags } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { FederatedRole, FederationGuard, HttpMethod, OidcIssuer, SecuredApi } from '../src';

/** What differs between environments: nothing else does. */
export interface OrdersEnvironmentProps extends StageProps {
  /** The audience of this environment's API (Okta: the authorization server's audience). */
  readonly audience: string;
  /** The custom domain callers use. */
  readonly domainName: string;
  /** The ACM certificate of `domainName`, in the environment's account and region. */
  readonly certificateArn: string;
  /** The client allowed to assume the environment's caller role. */
  readonly readerClientId: string;
}

/** One environment: a stack holding its own SecuredApi. */
export class OrdersEnvironment extends Stage {
  public readonly api: SecuredApi;

  constructor(scope: App, id: string, props: OrdersEnvironmentProps) {
    super(scope, id, props);
    const stack = new Stack(this, 'OrdersApi');
    const listOrders = new lambda.Function(stack, 'ListOrders', {
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: JSON.stringify({ orders: [] }) });'),
    });

    this.api = new SecuredApi(stack, 'Orders', {
      issuer: OidcIssuer.okta('acme.okta.com', { audiences: [props.audience] }),
      apiName: `orders-${id.toLowerCase()}`,
      routes: [{ method: HttpMethod.GET, path: '/orders', handler: listOrders, scopes: ['orders:read'] }],
      // The domain is the only way in, so the web ACL in front of the stage cannot be walked around.
      domain: {
        domainName: props.domainName,
        certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', props.certificateArn),
        basePath: 'orders',
        disableDefaultEndpoint: true,
      },
      webAcl: {},
    });
    // Its trust pins aud to this environment's audience: a token of the other one cannot assume it.
    this.api.addCallerRole('OrdersReader', { subjects: [props.readerClientId] });
    // Every role of the Stage is labelled with its environment, so that synth fails if a role of
    // staging and one of prod would accept the same token (FederationRisk.CROSS_ENVIRONMENT_TRUST).
    Tags.of(this).add(FederatedRole.ENVIRONMENT_TAG_KEY, id.toLowerCase());
  }
}

/** The app: staging and prod, in accounts of their own. */
export function environmentsApp(outdir?: string): App {
  const app = new App({ outdir });
  new OrdersEnvironment(app, 'Staging', {
    env: { account: '111111111111', region: 'eu-west-1' },
    audience: 'api://orders-staging',
    domainName: 'api.staging.example.com',
    certificateArn: 'arn:aws:acm:eu-west-1:111111111111:certificate/11111111-1111-1111-1111-111111111111',
    readerClientId: '0oastagingreporting',
  });
  new OrdersEnvironment(app, 'Prod', {
    env: { account: '222222222222', region: 'eu-west-1' },
    audience: 'api://orders',
    domainName: 'api.example.com',
    certificateArn: 'arn:aws:acm:eu-west-1:222222222222:certificate/22222222-2222-2222-2222-222222222222',
    readerClientId: '0oaprodreporting',
  });
  Aspects.of(app).add(new FederationGuard());
  return app;
}

if (require.main === module) {
  environmentsApp().synth();
}
