import { ArnFormat, IResource, RemovalPolicy, Resource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { validationError } from '../errors';
import { OidcIssuer } from './oidc-issuer';

/**
 * An IAM OpenID Connect identity provider for an `OidcIssuer`, created here or imported.
 */
export interface IOidcIdentityProvider extends IResource {
  /**
   * The ARN of the IAM OIDC provider, e.g.
   * `arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com`.
   *
   * @attribute
   */
  readonly providerArn: string;

  /** The issuer whose tokens this provider lets STS accept. */
  readonly issuer: OidcIssuer;
}

/**
 * Properties of an `OidcIdentityProvider`.
 */
export interface OidcIdentityProviderProps {
  /**
   * The issuer to trust. Its `providerUrl` becomes the provider's URL and its `audiences` the
   * provider's client ID list (at most 100).
   */
  readonly issuer: OidcIssuer;

  /**
   * SHA-1 thumbprints (40 hex characters) of the certificate of the issuer's JWKS host, at most 5.
   *
   * Only needed when that certificate is not signed by a CA that IAM trusts; IAM otherwise verifies
   * the JWKS endpoint's TLS certificate against its own CA library.
   *
   * @default - none: IAM verifies the JWKS host's certificate with its trusted root CAs
   */
  readonly thumbprints?: string[];

  /**
   * What happens to the provider when it is removed from the stack.
   *
   * @default RemovalPolicy.DESTROY (the IAM provider is deleted, and every role trusting it stops
   * accepting tokens)
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The IAM OIDC identity provider (`AWS::IAM::OIDCProvider`, no custom resource) for an `OidcIssuer`.
 *
 * IAM allows one OIDC provider per issuer URL per account: creating a second one for the same
 * issuer fails at deploy time. Create a shared provider (e.g. GitHub Actions) once, in one stack,
 * and import it everywhere else with `OidcIdentityProvider.fromIssuer`:
 *
 * ```ts
 * const app = new App();
 * const env = { account: '123456789012', region: 'eu-west-1' };
 * const issuer = OidcIssuer.githubActions();
 *
 * // Once per account, in one stack:
 * const identity = new Stack(app, 'Identity', { env });
 * new OidcIdentityProvider(identity, 'GitHub', { issuer });
 *
 * // In every other stack of that account: import it, never create a second one.
 * const deploy = new Stack(app, 'Deploy', { env });
 * const github = OidcIdentityProvider.fromIssuer(deploy, 'GitHub', issuer);
 * ```
 *
 * @resource AWS::IAM::OIDCProvider
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html
 */
export class OidcIdentityProvider extends Resource implements IOidcIdentityProvider {
  /**
   * Imports an existing provider by its ARN.
   *
   * The ARN's resource name must be the issuer's `conditionKeyPrefix` (checked when both are known).
   *
   * @param providerArn e.g. `arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com`
   * @param issuer the issuer that provider was created for
   */
  public static fromProviderArn(scope: Construct, id: string, providerArn: string, issuer: OidcIssuer): IOidcIdentityProvider {
    const imported = new ImportedOidcIdentityProvider(scope, id, providerArn, issuer);
    if (!Token.isUnresolved(providerArn)) {
      const match = /^arn:[^:]+:iam::\d{12}:oidc-provider\/(.+)$/.exec(providerArn);
      if (!match) {
        throw validationError('OidcIdentityProvider.InvalidProviderArn', `${imported.node.path}: provider ARN '${providerArn}' is not an IAM OIDC provider ARN; pass one such as 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com'.`, imported);
      }
      if (!Token.isUnresolved(issuer.conditionKeyPrefix) && match[1] !== issuer.conditionKeyPrefix) {
        throw validationError('OidcIdentityProvider.ProviderArnOfOtherIssuer', `${imported.node.path}: provider ARN '${providerArn}' names the provider '${match[1]}', but the issuer's is '${issuer.conditionKeyPrefix}'; pass the ARN of the provider for ${issuer.issuerUrl} (or use OidcIdentityProvider.fromIssuer).`, imported);
      }
    }
    return imported;
  }

  /**
   * Imports the provider for an issuer that exists in this stack's account (created once elsewhere),
   * by building its ARN: `arn:{partition}:iam::{account}:oidc-provider/{issuer.conditionKeyPrefix}`.
   */
  public static fromIssuer(scope: Construct, id: string, issuer: OidcIssuer): IOidcIdentityProvider {
    const providerArn = Stack.of(scope).formatArn({
      service: 'iam',
      region: '',
      resource: 'oidc-provider',
      resourceName: issuer.conditionKeyPrefix,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    return new ImportedOidcIdentityProvider(scope, id, providerArn, issuer);
  }

  /**
   * The ARN of the IAM OIDC provider.
   *
   * @attribute
   */
  public readonly providerArn: string;
  /** The issuer this provider trusts. */
  public readonly issuer: OidcIssuer;
  /** The underlying `aws-cdk-lib` provider, for APIs that take an `iam.IOidcProvider`. */
  public readonly oidcProvider: iam.IOidcProvider;

  constructor(scope: Construct, id: string, props: OidcIdentityProviderProps) {
    super(scope, id);
    const { issuer } = props;
    const url = issuer.providerUrl;
    if (!Token.isUnresolved(url) && /^https:\/\/[^/]*:\d*(\/|$)/.test(url)) {
      throw validationError('OidcIdentityProvider.IssuerUrlWithPort', `${this.node.path}: issuer URL '${url}' has a port, which IAM OIDC providers cannot have; serve the issuer on the default HTTPS port 443.`, this);
    }
    if (!Token.isUnresolved(issuer.audiences) && issuer.audiences.length > 100) {
      throw validationError('OidcIdentityProvider.TooManyAudiences', `${this.node.path}: the issuer has ${issuer.audiences.length} audiences, but an IAM OIDC provider takes at most 100 client IDs; split them across issuers or trim the list.`, this);
    }

    const provider = new iam.OidcProviderNative(this, 'Resource', {
      url,
      clientIds: issuer.audiences,
      thumbprints: props.thumbprints,
      removalPolicy: props.removalPolicy,
    });
    this.oidcProvider = provider;
    this.providerArn = provider.oidcProviderArn;
    this.issuer = issuer;
  }
}

class ImportedOidcIdentityProvider extends Resource implements IOidcIdentityProvider {
  public readonly providerArn: string;
  public readonly issuer: OidcIssuer;

  constructor(scope: Construct, id: string, providerArn: string, issuer: OidcIssuer) {
    super(scope, id);
    this.providerArn = providerArn;
    this.issuer = issuer;
  }
}
