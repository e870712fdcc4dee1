/** What a REST API's definition declares of a TokenAuthorizer (see `TokenAuthorizer._declareInDefinition`). */
export interface DeclaredAuthorizer {
  /** The identity sources; known once every route is added. */
  readonly identitySources: () => string[];
  readonly resultsCacheTtlSeconds: number;
  readonly functionArn: string;
}
