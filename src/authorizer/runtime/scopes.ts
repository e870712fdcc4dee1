import { ClaimInvalidError } from './errors';
import { ABSENT } from '../contract';

/**
 * The scopes a token grants: the union of the issuer profile's grant claims (`grantClaims`) that
 * the token has as own properties, each a space-delimited string (RFC 6749 section 3.3, RFC 9068's
 * `scope`) or an array of strings (e.g. Entra ID's `roles`, Auth0's `permissions`). No other claim
 * grants anything. A grant claim of any other type, or an array with a member that is not a
 * string, refuses the token (`claim_invalid`): the issuer wrote something the profile cannot read,
 * and a partial reading would be a guess. Splitting is on spaces only, as RFC 6749 defines the
 * list, so `a,b` is one (unknown) scope; array members are never split. Never granted, since the
 * scopes are handed to backends space-joined (a header, for an HTTP backend): a scope holding
 * whitespace or a control character (an array member `"a b"` would read as two), and the contract's
 * ABSENT marker, which stands for "no scopes". No route can require any of them (checked at synth).
 */
export function grantedScopes(claims: Record<string, unknown>, grantClaims: readonly string[]): ReadonlySet<string> {
  return readScopes(claims, grantClaims, true);
}

/**
 * The scopes of a token refused after its signature verified, for its audit line: as grantedScopes,
 * but a grant claim of the wrong type is skipped (with its non-string members) instead of throwing.
 */
export function auditedScopes(claims: Record<string, unknown>, grantClaims: readonly string[]): ReadonlySet<string> {
  return readScopes(claims, grantClaims, false);
}

function readScopes(claims: Record<string, unknown>, grantClaims: readonly string[], strict: boolean): ReadonlySet<string> {
  const granted = new Set<string>();
  for (const name of grantClaims) {
    if (!Object.hasOwn(claims, name)) {
      continue;
    }
    const value = claims[name];
    if (typeof value === 'string') {
      for (const s of value.split(' ')) {
        if (grantable(s)) {
          granted.add(s);
        }
      }
    } else if (Array.isArray(value) && (!strict || value.every((item) => typeof item === 'string'))) {
      for (const item of value) {
        if (typeof item === 'string' && grantable(item)) {
          granted.add(item);
        }
      }
    } else if (strict) {
      throw new ClaimInvalidError(name, claims);
    }
  }
  return granted;
}

// eslint-disable-next-line no-control-regex
const UNGRANTABLE = /[\s\x00-\x1f\x7f]/;

function grantable(scope: string): boolean {
  return scope !== '' && scope !== ABSENT && !UNGRANTABLE.test(scope);
}
