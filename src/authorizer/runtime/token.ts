import { BadSchemeError, MalformedTokenError, MissingTokenError, TokenTooLargeError } from './errors';

/** The fields of an API Gateway REST `REQUEST` authorizer event that the token lookup reads. */
export interface HeaderSource {
  readonly headers?: Record<string, string | undefined> | null;
  readonly multiValueHeaders?: Record<string, readonly string[] | undefined> | null;
}

/**
 * A compact JWS: three base64url segments. The signature segment may be empty here so that an
 * `alg: none` token reaches the header policy and is logged as `alg_not_allowed`, not as a parse error;
 * an empty signature never verifies. Padding, `+`, `/` and whitespace are refused: a token that
 * decodes differently under lenient decoders is not one we want to reason about.
 */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Returns the bearer token of the request's single `Authorization` header, or throws the typed
 * error for what is wrong with it. The size cap is applied before anything else reads the value.
 */
export function extractBearerToken(event: HeaderSource, maxTokenBytes: number): string {
  const token = bearerToken(event, maxTokenBytes);
  checkCompactJws(token);
  return token;
}

/**
 * extractBearerToken without the compact-JWS check, for a caller that looks the token up among
 * tokens that passed it before and calls checkCompactJws for any other.
 */
export function bearerToken(event: HeaderSource, maxTokenBytes: number): string {
  const value = authorizationHeader(event);
  if (value === undefined || value === '') {
    throw new MissingTokenError();
  }
  // String length bounds the UTF-8 size from below; any non-ASCII value fails the charset check anyway.
  if (value.length > maxTokenBytes) {
    throw new TokenTooLargeError();
  }
  const space = value.indexOf(' ');
  const scheme = space === -1 ? value : value.slice(0, space);
  if (scheme.toLowerCase() !== 'bearer') {
    throw new BadSchemeError();
  }
  const token = space === -1 ? '' : value.slice(space + 1);
  if (token === '') {
    throw new MissingTokenError();
  }
  return token;
}

export function checkCompactJws(token: string): void {
  if (!COMPACT_JWS.test(token)) {
    throw new MalformedTokenError();
  }
}

/** No Authorization value under any spelling (undefined and null are values an array item may hold). */
const NONE = Symbol('none');

/**
 * Looks `Authorization` up case-insensitively. More than one value (in `multiValueHeaders`, or
 * under two spellings in `headers`) is refused: which one a proxy forwarded is not ours to guess.
 */
function authorizationHeader(event: HeaderSource): string | undefined {
  const multi = onlyValue(event.multiValueHeaders);
  const single = onlyValue(event.headers);
  const value = (single === NONE ? undefined : single) ?? (multi === NONE ? undefined : multi);
  if (value !== undefined && typeof value !== 'string') {
    throw new MalformedTokenError();
  }
  if (single !== NONE && multi !== NONE && single !== multi) {
    throw new MalformedTokenError();
  }
  return value;
}

/**
 * The one Authorization value of a header map, or NONE. Every key is still looked at, so that a
 * second spelling cannot hide, but only 13-character names are lower-cased: allocating a lower-case
 * copy of every header name was most of the lookup's cost. No name of another length can match:
 * toLowerCase never shortens a string, and its one expansion (U+0130) yields a non-ASCII result.
 */
function onlyValue(headers: Record<string, unknown> | null | undefined): unknown {
  if (typeof headers !== 'object' || headers === null) {
    return NONE;
  }
  let found: unknown = NONE;
  let count = 0;
  for (const name of Object.keys(headers)) {
    if (name.length === 13 && name.toLowerCase() === 'authorization') {
      const v = headers[name];
      if (Array.isArray(v)) {
        for (const item of v) {
          found = item;
          count++;
        }
      } else if (v !== undefined && v !== null) {
        found = v;
        count++;
      }
    }
  }
  if (count > 1) {
    throw new MalformedTokenError();
  }
  return found;
}
