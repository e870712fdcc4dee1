/**
 * The scopes a token grants: `scope` (a space-delimited string, RFC 8693/9068) together with `scp`
 * (an array of strings as Entra ID and Okta send it, or a space-delimited string). Values of any
 * other shape grant nothing: a scope check then denies instead of failing. Splitting is on spaces
 * only, as RFC 6749 defines the list, so `a,b` or a tab-joined value is one (unknown) scope.
 */
export function grantedScopes(claims: Record<string, unknown>): ReadonlySet<string> {
  const granted = new Set<string>();
  addSpaceDelimited(granted, own(claims, 'scope'));
  const scp = own(claims, 'scp');
  if (Array.isArray(scp)) {
    for (const item of scp) {
      if (typeof item === 'string' && item !== '') {
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
    if (s !== '') {
      into.add(s);
    }
  }
}

function own(claims: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(claims, name) ? claims[name] : undefined;
}
