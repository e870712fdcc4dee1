import { randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, JWTHeaderParameters, SignJWT } from 'jose';

/** The algorithms a LocalIssuer signs with. */
export type LocalIssuerAlgorithm = 'RS256' | 'ES256';

/**
 * A public key as published in a JWKS (RFC 7517). Its own type, so that the published types need no
 * jose (which the bundle inlines).
 */
export interface PublicJwk {
  readonly kty: string;
  readonly kid: string;
  readonly alg: string;
  readonly use: string;
  readonly [parameter: string]: unknown;
}

/** Options of {@link LocalIssuer.start}. */
export interface LocalIssuerOptions {
  /**
   * The signing algorithm.
   * @default 'RS256'
   */
  readonly algorithm?: LocalIssuerAlgorithm;
  /**
   * The `iss` its tokens carry and its discovery document names. Give your app's real issuer
   * (e.g. `https://acme.okta.com/oauth2/default`) to test the app as it is synthesized for production:
   * then only the JWKS URI needs overriding (see `SynthesizedAuthorizer.fromCloudAssembly`).
   * @default - its own URL, `http://127.0.0.1:<port>`
   */
  readonly issuer?: string;
  /**
   * The clock tokens are issued by (`iat`, `nbf`, `exp`), in milliseconds since the epoch.
   * The authorizer checks them against the real clock, so a clock far from it makes tokens
   * expired or not yet valid: use it to make such tokens, not to speed time up.
   * @default Date.now
   */
  readonly clock?: () => number;
}

/** Options of {@link LocalIssuer.token}. */
export interface TokenOptions {
  /**
   * The `sub` claim.
   * @default 'test-subject'
   */
  readonly sub?: string;
  /** The `aud` claim: one audience or several. */
  readonly aud: string | readonly string[];
  /**
   * The `scope` claim: space-delimited, or a list that is joined with spaces.
   * @default - no scope claim
   */
  readonly scope?: string | readonly string[];
  /**
   * Any further claims; they override the ones above (e.g. `{ iss: 'https://elsewhere' }`, `{ exp: 1 }`).
   * @default - none
   */
  readonly claims?: Record<string, unknown>;
  /**
   * Seconds from now until `exp`; negative for an expired token.
   * @default 900
   */
  readonly expiresIn?: number;
  /**
   * The `kid` header.
   * @default - the current key's kid
   */
  readonly kid?: string;
  /**
   * Further protected header parameters (e.g. `{ typ: 'at+jwt' }`); they override `alg`/`kid`.
   * @default - `alg` and `kid` only
   */
  readonly header?: Record<string, unknown>;
}

interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: PublicJwk;
}

/**
 * An OpenID issuer on 127.0.0.1 for tests: it holds signing keys, publishes them at `/jwks.json`
 * with a discovery document at `/.well-known/openid-configuration` over plain HTTP on a random port
 * (the authorizer accepts `http:` JWKS URIs for loopback hosts only), and signs tokens with any
 * claims.
 *
 * ```ts
 * const issuer = await LocalIssuer.start({ issuer: 'https://acme.okta.com/oauth2/default' });
 * const token = await issuer.token({ aud: 'api://orders', scope: 'orders:read' });
 * await issuer.stop();
 * ```
 */
export class LocalIssuer {
  /** Starts the issuer's HTTP server on 127.0.0.1 (random port) with one fresh signing key. */
  public static async start(options: LocalIssuerOptions = {}): Promise<LocalIssuer> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const issuer = new LocalIssuer(server, url, options);
    await issuer.rotate({ keepPrevious: false });
    return issuer;
  }

  /** The server's base URL, `http://127.0.0.1:<port>`. */
  public readonly url: string;
  /** The `iss` of its tokens (the `issuer` option, else `url`). */
  public readonly issuer: string;
  /** Where its keys are published, `<url>/jwks.json`. */
  public readonly jwksUri: string;
  /** The signing algorithm. */
  public readonly algorithm: LocalIssuerAlgorithm;

  private keys: SigningKey[] = [];
  private readonly clock: () => number;
  private jwksRequests = 0;

  private constructor(private readonly server: Server, url: string, options: LocalIssuerOptions) {
    this.url = url;
    this.issuer = options.issuer ?? url;
    this.jwksUri = `${url}/jwks.json`;
    this.algorithm = options.algorithm ?? 'RS256';
    this.clock = options.clock ?? Date.now;
    server.on('request', (req, res) => {
      const path = (req.url ?? '').split('?')[0];
      let body: unknown;
      if (req.method === 'GET' && path === '/jwks.json') {
        this.jwksRequests++;
        body = this.jwks();
      } else if (req.method === 'GET' && path === '/.well-known/openid-configuration') {
        body = {
          issuer: this.issuer,
          jwks_uri: this.jwksUri,
          id_token_signing_alg_values_supported: [this.algorithm],
          response_types_supported: ['token'],
          subject_types_supported: ['public'],
        };
      }
      res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json', 'connection': 'close' });
      res.end(JSON.stringify(body ?? { error: 'not_found' }));
    });
  }

  /** The current signing key's `kid`. */
  public get kid(): string {
    return this.keys[0].kid;
  }

  /** How many times `/jwks.json` has been fetched. */
  public get jwksFetches(): number {
    return this.jwksRequests;
  }

  /** The published key set (public keys only), newest first. */
  public jwks(): { keys: PublicJwk[] } {
    return { keys: this.keys.map((k) => ({ ...k.publicJwk })) };
  }

  /**
   * Makes a new signing key current and publishes it. The previous key stays published (tokens it
   * signed still verify) unless `keepPrevious` is false; older keys are dropped.
   * @returns the new key's kid
   */
  public async rotate(options: { readonly keepPrevious?: boolean } = {}): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair(this.algorithm, { extractable: true });
    const kid = randomUUID();
    const publicJwk: PublicJwk = { ...(await exportJWK(publicKey)), kty: this.algorithm === 'ES256' ? 'EC' : 'RSA', kid, alg: this.algorithm, use: 'sig' };
    const previous = options.keepPrevious === false ? [] : this.keys.slice(0, 1);
    this.keys = [{ kid, privateKey, publicJwk }, ...previous];
    return kid;
  }

  /** Signs an access token with the current key. */
  public async token(options: TokenOptions): Promise<string> {
    const now = Math.floor(this.clock() / 1000);
    const scope = options.scope === undefined || typeof options.scope === 'string' ? options.scope : options.scope.join(' ');
    const payload: Record<string, unknown> = {
      iss: this.issuer,
      sub: options.sub ?? 'test-subject',
      aud: typeof options.aud === 'string' ? options.aud : [...options.aud],
      iat: now,
      exp: now + (options.expiresIn ?? 900),
      jti: randomUUID(),
      ...(scope === undefined ? {} : { scope }),
      ...options.claims,
    };
    const header = { alg: this.algorithm, kid: options.kid ?? this.kid, ...options.header } as JWTHeaderParameters;
    return new SignJWT(payload).setProtectedHeader(header).sign(this.keys[0].privateKey);
  }

  /** Stops the HTTP server. */
  public async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
