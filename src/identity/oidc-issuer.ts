import { Token } from 'aws-cdk-lib';

/**
 * A JWS signature algorithm the authorizer accepts.
 *
 * `none` and the HMAC family (HS256/384/512) are deliberately absent: a JWKS publishes public keys,
 * and accepting HS* against one lets anyone who has the public key forge tokens.
 */
export enum JwtAlgorithm {
  /** RSASSA-PKCS1-v1_5 with SHA-256 (the OIDC default). */
  RS256 = 'RS256',
  /** RSASSA-PKCS1-v1_5 with SHA-384. */
  RS384 = 'RS384',
  /** RSASSA-PKCS1-v1_5 with SHA-512. */
  RS512 = 'RS512',
  /** RSASSA-PSS with SHA-256. */
  PS256 = 'PS256',
  /** RSASSA-PSS with SHA-384. */
  PS384 = 'PS384',
  /** RSASSA-PSS with SHA-512. */
  PS512 = 'PS512',
  /** ECDSA on P-256 with SHA-256. */
  ES256 = 'ES256',
  /** ECDSA on P-384 with SHA-384. */
  ES384 = 'ES384',
  /** ECDSA on P-521 with SHA-512. */
  ES512 = 'ES512',
  /** EdDSA (Ed25519). */
  EDDSA = 'EdDSA',
}

/**
 * Options common to every issuer.
 */
export interface OidcIssuerOptions {
  /**
   * The audiences (`aud` values) a token must carry one of, e.g. `api://orders` or an app client ID.
   *
   * Must be non-empty, and no audience may contain a wildcard.
   */
  readonly audiences: string[];

  /**
   * The issuer's JWKS URI, where its public signing keys are published.
   *
   * @default - presets know theirs; `fromUrl` uses `<issuer>/.well-known/jwks.json`
   */
  readonly jwksUri?: string;

  /**
   * The signature algorithms accepted.
   *
   * @default [JwtAlgorithm.RS256] (presets may know better, e.g. GitLab)
   */
  readonly algorithms?: JwtAlgorithm[];
}

/**
 * Everything needed to construct an OidcIssuer; used by the presets.
 * @internal
 */
export interface OidcIssuerSpec {
  readonly issuerUrl: string;
  readonly audiences: string[];
  readonly jwksUri: string;
  readonly algorithms: JwtAlgorithm[];
  readonly subjectPrefix?: string;
  readonly name: string;
}

/**
 * An OpenID Connect issuer: who signs the tokens, for which audiences, with which keys and algorithms.
 *
 * An `OidcIssuer` is plain data (not a construct). Use it for a `SecuredApi`'s authorizer, an
 * `OidcIdentityProvider` and `FederatedRole`s alike.
 */
export class OidcIssuer {
  /**
   * Any OIDC issuer, by its exact issuer URL (the `iss` its tokens carry).
   *
   * @param url the exact issuer string, `https://...`; it must match the tokens' `iss` character for character
   */
  public static fromUrl(url: string, options: OidcIssuerOptions): OidcIssuer {
    return new OidcIssuer({
      name: 'OIDC issuer',
      issuerUrl: url,
      audiences: options.audiences,
      jwksUri: options.jwksUri ?? (Token.isUnresolved(url) ? `${url}/.well-known/jwks.json` : `${url.replace(/\/$/, '')}/.well-known/jwks.json`),
      algorithms: options.algorithms ?? [JwtAlgorithm.RS256],
    });
  }

  /** The exact issuer string, as found in the tokens' `iss` claim. */
  public readonly issuerUrl: string;
  /** The audiences a token must carry one of. */
  public readonly audiences: string[];
  /** Where the issuer publishes its signing keys. */
  public readonly jwksUri: string;
  /** The accepted signature algorithms. */
  public readonly algorithms: JwtAlgorithm[];
  /**
   * The fixed prefix every `sub` of this issuer starts with (e.g. `repo:` for GitHub Actions), if any.
   *
   * A `sub` pattern may not put a wildcard before it.
   * @default - no fixed prefix
   */
  public readonly subjectPrefix?: string;
  /**
   * The URL of the IAM OIDC provider for this issuer (the issuer URL without a trailing slash).
   */
  public readonly providerUrl: string;
  /**
   * The prefix of this issuer's IAM condition keys (`<host/path>` of the provider URL), e.g.
   * `token.actions.githubusercontent.com` for `token.actions.githubusercontent.com:sub`.
   */
  public readonly conditionKeyPrefix: string;
  /** A human-readable name of the issuer kind, used in error messages. */
  public readonly name: string;

  private constructor(spec: OidcIssuerSpec) {
    this.name = spec.name;
    this.issuerUrl = spec.issuerUrl;
    this.audiences = spec.audiences;
    this.jwksUri = spec.jwksUri;
    this.algorithms = spec.algorithms;
    this.subjectPrefix = spec.subjectPrefix;
    this.providerUrl = Token.isUnresolved(spec.issuerUrl) ? spec.issuerUrl : spec.issuerUrl.replace(/\/$/, '');
    this.conditionKeyPrefix = Token.isUnresolved(this.providerUrl) ? this.providerUrl : this.providerUrl.replace(/^https:\/\//, '');
  }
}
