import { generateKeyPairSync, KeyObject, randomUUID } from 'node:crypto';

/** A public JWK as an issuer publishes it (RSA: n, e; EC: crv, x, y; OKP: crv, x). */
export interface PublicJwk {
  kty: string;
  kid: string;
  alg: string;
  use: 'sig';
  n?: string;
  e?: string;
  crv?: string;
  x?: string;
  y?: string;
}

/** A fresh signing key pair: the private key to sign tokens with (jose's `SignJWT` accepts it) and its public JWK. */
export interface SigningKey {
  readonly privateKey: KeyObject;
  readonly publicJwk: PublicJwk;
}

/** Options for {@link generateSigningKey}. */
export interface SigningKeyOptions {
  /** @default - a random UUID */
  readonly kid?: string;
  /** RSA modulus length in bits (RS and PS algorithms only). @default 2048 */
  readonly modulusLength?: number;
}

const EC_CURVES: Record<string, string> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' };

/** Generates a key pair for a JWS algorithm (RS*, PS*, ES256/384/512, EdDSA or Ed25519) with node:crypto. */
export function generateSigningKey(alg: string, options: SigningKeyOptions = {}): SigningKey {
  let pair: { publicKey: KeyObject; privateKey: KeyObject };
  if (/^(RS|PS)(256|384|512)$/.test(alg)) {
    pair = generateKeyPairSync('rsa', { modulusLength: options.modulusLength ?? 2048 });
  } else if (EC_CURVES[alg]) {
    pair = generateKeyPairSync('ec', { namedCurve: EC_CURVES[alg] });
  } else if (alg === 'EdDSA' || alg === 'Ed25519') {
    pair = generateKeyPairSync('ed25519');
  } else {
    throw new Error(`generateSigningKey: unsupported alg ${alg}`);
  }
  const publicJwk: PublicJwk = {
    ...(pair.publicKey.export({ format: 'jwk' }) as Omit<PublicJwk, 'kid' | 'alg' | 'use'>),
    kid: options.kid ?? randomUUID(),
    alg,
    use: 'sig',
  };
  return { privateKey: pair.privateKey, publicJwk };
}
