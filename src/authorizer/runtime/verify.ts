import { decodeProtectedHeader, jwtVerify } from 'jose';
import type { CryptoKey, JWTPayload, JWTVerifyOptions, KeyObject } from 'jose';
// The classes one by one, not jose's `errors` namespace, which would bundle every error class.
import { JOSEAlgNotAllowed, JWSInvalid, JWSSignatureVerificationFailed, JWTClaimValidationFailed, JWTExpired, JWTInvalid } from 'jose/errors';
import {
  AlgNotAllowedError,
  AudienceMismatchError,
  BadSignatureError,
  ClaimInvalidError,
  ExpiredError,
  ForbiddenHeaderError,
  IatInFutureError,
  IssuerMismatchError,
  KidMissingError,
  MalformedTokenError,
  NotYetValidError,
  TokenRejectedError,
  TokenTooOldError,
  TypMismatchError,
  UnknownKidError,
} from './errors';
import { checkTokenKind, clientOf, isUsableId } from './profile';
import { grantedScopes } from './scopes';
import type { IssuerProfileConfig } from '../contract';

export type VerificationKey = CryptoKey | KeyObject;

/** One key, or the keys published under one kid in the order to try them; none: undefined or empty. */
export type VerificationKeys = VerificationKey | readonly VerificationKey[] | undefined;

/**
 * Finds the public keys for a `kid` and `alg`. It may throw a TokenRejectedError (e.g.
 * `jwks_unavailable`); anything else it throws is an internal error.
 */
export type KeyResolver = (kid: string, alg: string) => Promise<VerificationKeys>;

/**
 * The keys the resolver would resolve at once with no side effect (no fetch, no refresh), or
 * undefined, in which case the verifier asks the KeyResolver.
 */
export type KeyPeek = (kid: string, alg: string) => VerificationKeys;

/**
 * The keys for a `kid` and `alg` after a refetch of the key set (which the source may refuse, e.g.
 * during a cooldown), asked when none of the resolved keys verified the signature. Keys the verifier
 * has tried already are skipped, by identity.
 */
export type KeyRefetch = (kid: string, alg: string) => Promise<VerificationKeys>;

/**
 * At most this many keys are tried for one token from each of the resolver and the refetch: a JWKS
 * rarely publishes more than the previous, current and next key under one kid, and each try is a
 * signature check an unsigned token can demand.
 */
export const MAX_KEYS_PER_KID = 3;

export interface VerifierOptions {
  readonly issuer: string;
  readonly audiences: readonly string[];
  /** `aud`, or e.g. `client_id` for Cognito access tokens, which carry no `aud`. */
  readonly audienceClaim: string;
  readonly algorithms: readonly string[];
  readonly clockToleranceSeconds: number;
  readonly maxTokenAgeSeconds?: number;
  readonly requiredTyp?: string;
  /** Which claims name the client, grant scopes and tell the token kind; no other claim is read for these. */
  readonly profile: IssuerProfileConfig;
}

export interface VerifiedToken {
  readonly claims: JWTPayload;
  readonly kid: string;
  /** Epoch seconds after which these claims may no longer be trusted (exp, or iat + max age). */
  readonly trustUntil: number;
  /** The client, as the profile's client claims name it; undefined when the token has none of them. */
  readonly client: string | undefined;
  /** The scopes the profile's grant claims grant. */
  readonly scopes: ReadonlySet<string>;
}

/**
 * Header parameters that point the verifier at a key or change what gets verified. jose would never
 * use jwk/jku/x5u/x5c with a key function, but a token carrying them is a probe, and refusing
 * `crit` and `b64` keeps unencoded payloads and extensions we do not implement out entirely.
 */
const FORBIDDEN_HEADERS = ['jwk', 'jku', 'x5u', 'x5c', 'crit', 'b64'];
const KID_MAX_LENGTH = 256;
const KID_CHARS = /^[\x21-\x7e]+$/;

/**
 * Verifies compact JWS access tokens with jose. jose does the signature, `iss`, `aud`, `exp`, `nbf`,
 * max age and `typ` checks; written by hand here is only what jose does not do: the header policy
 * (checked before any key lookup so that a probing header never costs a JWKS refetch), a non-`aud`
 * audience claim, `iat` in the future without a max age, finite numeric dates, claim types, what
 * the issuer profile reads (token kind, client, grants), and the mapping of every failure to a typed
 * error with its reason code.
 */
export class TokenVerifier {
  private readonly algorithms: ReadonlySet<string>;
  private readonly joseOptions: JWTVerifyOptions;

  constructor(
    private readonly options: VerifierOptions,
    private readonly resolveKey: KeyResolver,
    /** A clock for tests, in epoch milliseconds. Without one, jose reads the wall clock itself. */
    private readonly now: (() => number) | undefined = undefined,
    private readonly peekKey: KeyPeek = () => undefined,
    private readonly refetchKeys: KeyRefetch = async () => undefined,
  ) {
    this.algorithms = new Set(options.algorithms);
    this.joseOptions = {
      algorithms: [...options.algorithms],
      issuer: options.issuer,
      audience: options.audienceClaim === 'aud' ? [...options.audiences] : undefined,
      clockTolerance: options.clockToleranceSeconds,
      maxTokenAge: options.maxTokenAgeSeconds,
      typ: options.requiredTyp,
      requiredClaims: ['exp'],
    };
  }

  /** Verifies the token or throws the TokenRejectedError for the first check it fails. */
  public async verify(token: string): Promise<VerifiedToken> {
    const { alg, kid } = this.checkHeader(token);
    try {
      return await this.verifyWithKey(token, alg, kid);
    } catch (err) {
      if (err instanceof TokenRejectedError) {
        err.kid = kid;
      }
      throw err;
    }
  }

  private checkHeader(token: string): { alg: string; kid: string } {
    let header: Record<string, unknown>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw new MalformedTokenError();
    }
    const { alg, kid } = header;
    if (typeof alg !== 'string' || !this.algorithms.has(alg)) {
      throw new AlgNotAllowedError();
    }
    for (const name of FORBIDDEN_HEADERS) {
      if (Object.hasOwn(header, name)) {
        throw new ForbiddenHeaderError(name);
      }
    }
    if (typeof kid !== 'string' || kid === '') {
      throw new KidMissingError();
    }
    if (kid.length > KID_MAX_LENGTH || !KID_CHARS.test(kid)) {
      const err = new MalformedTokenError('kid');
      err.kid = kid;
      throw err;
    }
    return { alg, kid };
  }

  private async verifyWithKey(token: string, alg: string, kid: string): Promise<VerifiedToken> {
    const nowMs = this.now ? this.now() : Date.now();
    // A fresh options object with a currentDate for every token cost ~5 us per decision in the bench;
    // jose's own clock read is the same wall clock, a few microseconds later.
    const options = this.now ? { ...this.joseOptions, currentDate: new Date(nowMs) } : this.joseOptions;
    // A key at hand goes to jose as a key: a key function costs jose an await on every token.
    // The function, not keys resolved up front, for any other token: jose then refuses a token
    // that is not a well-formed JWS before any key lookup (and so before any refetch).
    let keys = keyList(this.peekKey(kid, alg));
    let payload: JWTPayload;
    try {
      ({ payload } = keys.length > 0 ? await jwtVerify(token, keys[0], options) : await jwtVerify(token, async () => {
        keys = keyList(await this.resolveKey(kid, alg));
        if (keys.length === 0) {
          throw new UnknownKidError();
        }
        return keys[0];
      }, options));
    } catch (err) {
      const failure = fromJose(err, keys.length > 0);
      if (keys.length === 0 || !isKeyMiss(failure)) {
        throw failure;
      }
      // jose tries the one key it is given; trying the others of the kid is ours (see MAX_KEYS_PER_KID).
      payload = await this.verifyWithOthers(token, kid, alg, keys, failure, options);
    }
    return { claims: payload, kid, ...this.checkClaims(payload, Math.floor(nowMs / 1000)) };
  }

  /**
   * Tries the other keys of the kid, then those a refetch brings (only after a signature failed:
   * a key that merely does not fit the alg is no sign of a new key), or throws the failure to report:
   * bad_signature if any key was tried and failed, else unknown_kid.
   */
  private async verifyWithOthers(
    token: string, kid: string, alg: string, tried: readonly VerificationKey[], failure: TokenRejectedError, options: JWTVerifyOptions,
  ): Promise<JWTPayload> {
    let miss = failure;
    const tryEach = async (keys: readonly VerificationKey[]): Promise<JWTPayload | undefined> => {
      for (const key of keys) {
        try {
          return (await jwtVerify(token, key, options)).payload;
        } catch (err) {
          const next = fromJose(err, true);
          if (!isKeyMiss(next)) {
            throw next;
          }
          miss = miss instanceof BadSignatureError ? miss : next;
        }
      }
      return undefined;
    };
    const payload = await tryEach(tried.slice(1)) ?? (miss instanceof BadSignatureError
      ? await tryEach(keyList(await this.refetchKeys(kid, alg)).filter((key) => !tried.includes(key)))
      : undefined);
    if (payload === undefined) {
      throw miss;
    }
    return payload;
  }

  /**
   * The claim checks jose leaves to the caller; returns until when the claims may be trusted and
   * what the issuer profile reads from them. The token kind comes first of these: a token of
   * another kind (e.g. a Cognito ID token, which has no `client_id` audience claim) is reported as
   * that, not as the claim it lacks.
   */
  private checkClaims(claims: JWTPayload, nowSec: number): Pick<VerifiedToken, 'trustUntil' | 'client' | 'scopes'> {
    const { profile } = this.options;
    checkTokenKind(claims, profile.tokenKind);
    for (const name of ['exp', 'nbf', 'iat'] as const) {
      // JSON.parse turns 1e999 into Infinity, which jose accepts as a number.
      if (claims[name] !== undefined && !Number.isFinite(claims[name])) {
        throw new ClaimInvalidError(name, claims);
      }
    }
    const { iat, exp } = claims as { iat?: number; exp: number };
    if (iat !== undefined && iat > nowSec + this.options.clockToleranceSeconds) {
      throw new IatInFutureError('iat', claims);
    }
    // sub: a non-empty string without control characters, and not ABSENT (the context's "none").
    if (claims.sub !== undefined && !isUsableId(claims.sub)) {
      throw new ClaimInvalidError('sub', claims);
    }
    const client = clientOf(claims, profile.clientClaims);
    if (claims.aud !== undefined && !isStringOrStrings(claims.aud)) {
      throw new ClaimInvalidError('aud', claims);
    }
    if (this.options.audienceClaim !== 'aud') {
      const value = Object.hasOwn(claims, this.options.audienceClaim) ? claims[this.options.audienceClaim] : undefined;
      if (!isStringOrStrings(value)) {
        throw new ClaimInvalidError(this.options.audienceClaim, claims);
      }
      const values: readonly string[] = typeof value === 'string' ? [value] : value;
      if (!values.some((v) => this.options.audiences.includes(v))) {
        throw new AudienceMismatchError(this.options.audienceClaim, claims);
      }
    }
    const scopes = grantedScopes(claims, profile.grantClaims);
    const maxAge = this.options.maxTokenAgeSeconds;
    return { trustUntil: maxAge !== undefined && iat !== undefined ? Math.min(exp, iat + maxAge) : exp, client, scopes };
  }
}

/** At most MAX_KEYS_PER_KID of the keys, as a list. */
function keyList(keys: VerificationKeys): readonly VerificationKey[] {
  return keys === undefined ? [] : Array.isArray(keys) ? keys.slice(0, MAX_KEYS_PER_KID) : [keys as VerificationKey];
}

/** The key tried was not the signer's: another key of the kid may be. */
function isKeyMiss(err: unknown): err is BadSignatureError | UnknownKidError {
  return err instanceof BadSignatureError || err instanceof UnknownKidError;
}

function isStringOrStrings(v: unknown): v is string | string[] {
  return typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
}

/** Maps jose's error classes to our typed errors; anything unmapped stays an internal error. */
function fromJose(err: unknown, keyResolved: boolean): unknown {
  if (err instanceof TokenRejectedError) {
    return err;
  }
  if (err instanceof JWTExpired) {
    // jose raises JWTExpired both for exp and for a token older than maxTokenAge (claim "iat").
    return err.claim === 'iat' ? new TokenTooOldError('iat', err.payload) : new ExpiredError('exp', err.payload);
  }
  if (err instanceof JWTClaimValidationFailed) {
    if (err.reason !== 'check_failed') {
      return new ClaimInvalidError(err.claim, err.payload);
    }
    switch (err.claim) {
      case 'iss': return new IssuerMismatchError('iss', err.payload);
      case 'aud': return new AudienceMismatchError('aud', err.payload);
      case 'nbf': return new NotYetValidError('nbf', err.payload);
      case 'iat': return new IatInFutureError('iat', err.payload);
      case 'typ': return new TypMismatchError('typ', err.payload);
      default: return new ClaimInvalidError(err.claim, err.payload);
    }
  }
  if (err instanceof JWSSignatureVerificationFailed) {
    return new BadSignatureError();
  }
  if (err instanceof JOSEAlgNotAllowed) {
    return new AlgNotAllowedError();
  }
  if (err instanceof JWSInvalid || err instanceof JWTInvalid) {
    return new MalformedTokenError();
  }
  if (keyResolved && err instanceof TypeError) {
    // jose refuses a key that does not fit the header's alg (e.g. an RSA key for ES256, or an RSA
    // modulus under 2048 bits) with a TypeError: for this token there is no usable key.
    return new UnknownKidError();
  }
  return err;
}
