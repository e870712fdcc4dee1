/**
 * The one error type the caller-credentials helpers throw. `httpStatus` is what a handler should
 * answer its own caller: 401 the caller's token or assertion is not acceptable, 403 it is but may not
 * have this role, 503 a dependency (STS, the identity provider, Secrets Manager, the token endpoint)
 * failed and a retry later may work, 500 the helper was misconfigured (a bug on our side of the call).
 * `code` is stable and safe to log; `message` never holds a token, assertion, secret or credential.
 */
export class CallerCredentialsError extends Error {
  public override readonly name = 'CallerCredentialsError';

  constructor(
    /** A stable, loggable code, one of `EXCHANGE_ERROR_CODES` (e.g. `expired_token`, `saml_xml_refused`, `sts_unavailable`). */
    public readonly code: string,
    /** The status a handler should answer: 401, 403, 500 or 503. */
    public readonly httpStatus: 401 | 403 | 500 | 503,
    message: string,
    /** Whether the same call may succeed if retried later (transient). */
    public readonly retryable: boolean = httpStatus === 503,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
