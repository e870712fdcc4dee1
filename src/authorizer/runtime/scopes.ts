import { ABSENT } from '../contract';

/**
 * The scopes a token grants: `scope` (a space-delimited string, RFC 8693/9068) together with `scp`
 * (an array of strings as Entra ID and Okta send it, or a space-delimited string). Values of any
 * other shape grant nothing: a scope check then denies instead of failing. Splitting is on spaces
 * only, as RFC 6749 defines the list, so `a,b` is one (unknown) scope. Never granted, since the
 * scopes are handed to backends space-joined (a header, for an HTTP backend): a scope holding
 * whitespace or a control character (an `scp` item `"a b"` would read as two), and the contract's
 * ABSENT marker, which stands for "no scopes". No route can require any of them (checked at synth).
 */
export function grantedScopes(claims: Record<string, unknown>): ReadonlySet<string> {
  const granted = new Set<string>();
  addSpaceDelimited(granted, own(claims, 'scope'));
  const scp = own(claims, 'scp');
  if (Array.isArray(scp)) {
    for (const item of scp) {
      if (typeof item === 'string' && grantable(item)) {
        granted.add(item);
      }
    }
  } else {
    addSpaceDelimited(granted, scp);
  }
  return granted;
}

function addSpaceDelimited(into: Set<string>, value: unknown): void {
  if (typeof value !== 'string') {
    return;
  }
  for (const s of value.split(' ')) {
    if (grantable(s)) {
      into.add(s);
    }
  }
}

// eslint-disable-next-line no-control-regex
const UNGRANTABLE = /[\s\x00-\x1f\x7f]/;

function grantable(scope: string): boolean {
  return scope !== '' && scope !== ABSENT && !UNGRANTABLE.test(scope);
}

function own(claims: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(claims, name) ? claims[name] : undefined;
}
