/**
 * Milliseconds on a monotonic clock with an arbitrary origin, for latencies and JWKS timing.
 * process.hrtime rather than the `performance` global, whose first use loads perf_hooks (~0.5 ms
 * of cold start).
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
