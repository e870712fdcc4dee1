// What the rules of a TokenAuthorizer read: plain data its validation builds from the construct tree.

/** A TokenAuthorizer as its rules read it (`TOKEN_AUTHORIZER_RULES`). */
export interface TokenAuthorizerSubject {
  /** The authorizer's construct path, which messages name. */
  readonly path: string;
  /** Its route table: each route's method (`GET`, `ANY`) and resource path (`/orders/{id}`). */
  readonly routes: ReadonlyArray<{ readonly method: string; readonly resource: string }>;
  /** The L2 methods (`apigateway.Method`) of any REST API of the app that use this authorizer. */
  readonly methods: ReadonlyArray<{ readonly httpMethod: string; readonly resourcePath: string; readonly path: string }>;
  /**
   * The longest `arn:<partition>:execute-api:<region>:<account>:<api id>/<stage>/` its policies can
   * start with, in characters (parts unknown at synth counted at their longest); undefined when no
   * REST API uses it yet.
   */
  readonly policyResourcePrefixLength?: number;
}
