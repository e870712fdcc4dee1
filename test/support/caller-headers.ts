// The caller headers' oracle, shared by the REST and HTTP API caller-header properties
// (test/api/ and test/http-api/caller-headers.property.test.ts): the issuer the tests' tokens claim,
// the headers a backend must receive, written from the contract and not from the runtime's code, and
// a reader that fails on a caller header present twice in any letter case.
import type { EmptyMappedValue } from '../../src/testing';

export const ISSUER = 'https://issuer.example.com';
export const AUDIENCE = 'api://headers';
export const CALLER_HEADERS = ['X-Secured-Api-Principal', 'X-Secured-Api-Sub', 'X-Secured-Api-Client-Id', 'X-Secured-Api-Scopes', 'X-Secured-Api-Issuer', 'X-Secured-Api-Exp'];
export const READINGS: EmptyMappedValue[] = ['dropped', 'sent'];

/** What the caller headers must say: the oracle, written from the contract, not from the runtime's code. */
export function expectedHeaders(claims: { sub?: string; client_id?: string; scope?: string; exp: number }): Record<string, string> {
  const scopes = [...new Set((claims.scope ?? '').split(' ').filter((s) => s !== '' && s !== '-'))];
  const principal = claims.sub !== undefined ? `sub:${claims.sub}` : claims.client_id !== undefined ? `client:${claims.client_id}` : 'anonymous';
  return {
    'X-Secured-Api-Principal': principal,
    'X-Secured-Api-Sub': claims.sub ?? '-',
    'X-Secured-Api-Client-Id': claims.client_id ?? '-',
    'X-Secured-Api-Scopes': scopes.length > 0 ? scopes.join(' ') : '-',
    'X-Secured-Api-Issuer': ISSUER,
    'X-Secured-Api-Exp': String(claims.exp),
  };
}

export const PUBLIC_HEADERS = {
  'X-Secured-Api-Principal': 'public',
  'X-Secured-Api-Sub': '-',
  'X-Secured-Api-Client-Id': '-',
  'X-Secured-Api-Scopes': '-',
  'X-Secured-Api-Issuer': '-',
  'X-Secured-Api-Exp': '-',
};

/** The backend's caller headers, by their canonical name; fails on a caller header present twice in any letter case. */
export function callerHeadersOf(backendHeaders: Record<string, string> | undefined): Record<string, string> {
  expect(backendHeaders).toBeDefined();
  const found: Record<string, string> = {};
  for (const [name, value] of Object.entries(backendHeaders!)) {
    const canonical = CALLER_HEADERS.find((h) => h.toLowerCase() === name.toLowerCase());
    if (canonical !== undefined) {
      expect(found).not.toHaveProperty(canonical);
      found[canonical] = value;
    }
  }
  return found;
}
