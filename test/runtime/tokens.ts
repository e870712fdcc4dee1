import { SignJWT } from 'jose';
import { generateSigningKey } from '../support/signing-key';

const key = generateSigningKey('ES256');

/** Options of {@link signToken}. */
export interface TokenOptions {
  /** Epoch milliseconds the token is issued at. */
  readonly nowMs: number;
  /** Seconds from `nowMs` to `exp`. @default 3600 */
  readonly lifetimeSeconds?: number;
  /** Claims besides iss, aud, iat and exp. @default { sub: 'user-1', client_id: 'client-1' } */
  readonly claims?: Record<string, unknown>;
}

/** A token signed with a key made for this test run; STS is mocked, so nobody verifies it, but it is a real JWS. */
export async function signToken(options: TokenOptions): Promise<string> {
  const iat = Math.floor(options.nowMs / 1000);
  return new SignJWT({ sub: 'user-1', client_id: 'client-1', ...options.claims })
    .setProtectedHeader({ alg: 'ES256', kid: key.publicJwk.kid, typ: 'JWT' })
    .setIssuer('https://issuer.example.com')
    .setAudience('sts.amazonaws.com')
    .setIssuedAt(iat)
    .setExpirationTime(iat + (options.lifetimeSeconds ?? 3600))
    .sign(key.privateKey);
}
