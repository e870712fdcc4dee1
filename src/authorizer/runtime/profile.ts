import { ClaimInvalidError, TokenKindMismatchError } from './errors';
import { ABSENT } from '../contract';
import type { IssuerProfileConfig } from '../contract';

export type { IssuerProfileConfig };

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;

/**
 * Whether a claim value may name a subject or a client: they become the principal and caller
 * headers, so a non-empty string, not the contract's ABSENT marker, without control characters
 * (which a header value cannot carry).
 */
export function isUsableId(value: unknown): value is string {
  return typeof value === 'string' && value !== '' && value !== ABSENT && !CONTROL.test(value);
}

/**
 * The token's OAuth client: the value of the first of the profile's client claims (`clientClaims`)
 * that the token has as an own property (never one inherited through the prototype), or undefined
 * when it has none of them. No other claim is read. The client becomes the context's `clientId`, the
 * principal, a caller header and the key of per-client quotas, so the claim that names it must be a
 * usable id (isUsableId); else the token is refused (`claim_invalid`), never read as having no
 * client or as the next claim's client.
 */
export function clientOf(claims: Record<string, unknown>, clientClaims: readonly string[]): string | undefined {
  const name = clientClaims.find((claim) => Object.hasOwn(claims, claim));
  if (name === undefined) {
    return undefined;
  }
  const value = claims[name];
  if (!isUsableId(value)) {
    throw new ClaimInvalidError(name, claims);
  }
  return value;
}

/**
 * The client of a token refused after its signature verified, for its audit line: the first client
 * claim the token has when it is a string (the audit line escapes and truncates it), else undefined.
 */
export function auditedClientOf(claims: Record<string, unknown>, clientClaims: readonly string[]): string | undefined {
  const name = clientClaims.find((claim) => Object.hasOwn(claims, claim));
  const value = name === undefined ? undefined : claims[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Refuses (`token_kind_mismatch`) a token whose kind claim (`tokenKind.claim`) is not an own string
 * property among `tokenKind.values`, absent included: a profile with a kind claim admits only the
 * tokens that say they are of an accepted kind. Without `tokenKind`, every token passes.
 */
export function checkTokenKind(claims: Record<string, unknown>, tokenKind: IssuerProfileConfig['tokenKind']): void {
  if (tokenKind === undefined) {
    return;
  }
  const value = Object.hasOwn(claims, tokenKind.claim) ? claims[tokenKind.claim] : undefined;
  if (typeof value !== 'string' || !tokenKind.values.includes(value)) {
    throw new TokenKindMismatchError(tokenKind.claim, claims);
  }
}
