/** A dotted-quad 127.0.0.0/8 address as WHATWG URL canonicalises it (no leading zeros, no short forms). */
const LOOPBACK_V4 = /^127(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * Whether a WHATWG URL hostname is a loopback host (127.0.0.0/8, [::1], localhost), where the
 * JWKS URI may use http:. A regular expression rather than node:net's isIPv4, whose module costs
 * ~2 ms of cold start; URL has already turned 127.1, 0x7f.0.0.1 and [0::1] into canonical form.
 */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || LOOPBACK_V4.test(hostname);
}
