import type { Reason } from '../contract';

/** Reason codes of the authorizer contract: every decision logs exactly one. */
export type { Reason };

/** Claims whose signature verified; set on rejections that happen after verification, for the audit line. */
export type VerifiedClaims = Record<string, unknown>;

/**
 * A token the authorizer refuses (HTTP 401). One subclass per failure, each carrying its reason code,
 * so that callers and tests can tell failures apart without parsing messages. The message is only
 * the name of the claim or header parameter at fault where the reason alone does not say which
 * (e.g. `exp` for claim_invalid), else empty: no sentence per failure site, which cost the asset
 * about a kilobyte and was never logged (the audit line carries the reason). It never holds token
 * material beyond such a name.
 */
export abstract class TokenRejectedError extends Error {
  public abstract readonly reason: Reason;
  /** The token's `kid` header, once the header has been read: for the audit line only, never trusted. */
  public kid?: string;

  constructor(message?: string, public readonly verifiedClaims?: VerifiedClaims) {
    super(message);
    this.name = new.target.name;
  }
}

export class MissingTokenError extends TokenRejectedError {
  public readonly reason = 'missing_token';
}
export class BadSchemeError extends TokenRejectedError {
  public readonly reason = 'bad_scheme';
}
export class TokenTooLargeError extends TokenRejectedError {
  public readonly reason = 'token_too_large';
}
export class MalformedTokenError extends TokenRejectedError {
  public readonly reason = 'malformed_token';
}
export class AlgNotAllowedError extends TokenRejectedError {
  public readonly reason = 'alg_not_allowed';
}
export class KidMissingError extends TokenRejectedError {
  public readonly reason = 'kid_missing';
}
export class ForbiddenHeaderError extends TokenRejectedError {
  public readonly reason = 'forbidden_header';
}
export class UnknownKidError extends TokenRejectedError {
  public readonly reason = 'unknown_kid';
}
export class BadSignatureError extends TokenRejectedError {
  public readonly reason = 'bad_signature';
}
export class IssuerMismatchError extends TokenRejectedError {
  public readonly reason = 'issuer_mismatch';
}
export class AudienceMismatchError extends TokenRejectedError {
  public readonly reason = 'audience_mismatch';
}
export class ExpiredError extends TokenRejectedError {
  public readonly reason = 'expired';
}
export class NotYetValidError extends TokenRejectedError {
  public readonly reason = 'not_yet_valid';
}
export class IatInFutureError extends TokenRejectedError {
  public readonly reason = 'iat_in_future';
}
export class TokenTooOldError extends TokenRejectedError {
  public readonly reason = 'token_too_old';
}
export class TypMismatchError extends TokenRejectedError {
  public readonly reason = 'typ_mismatch';
}
/** The token is not of the kind the issuer profile accepts (e.g. an ID token presented as an access token). */
export class TokenKindMismatchError extends TokenRejectedError {
  public readonly reason = 'token_kind_mismatch';
}
export class ClaimInvalidError extends TokenRejectedError {
  public readonly reason = 'claim_invalid';
}
export class KeysUnavailableError extends TokenRejectedError {
  public readonly reason = 'jwks_unavailable';
}

/** The configuration is missing or invalid: the authorizer fails closed (reason `internal_error`). */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
