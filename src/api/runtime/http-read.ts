/**
 * Reads an HTTP API back from API Gateway's v2 API: its routes, authorizers and integrations, every
 * list paginated (`NextToken`, `MaxResults` as a string, as the API reference types it):
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-routes.html
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-authorizers.html
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-integrations.html
 *
 * The client is the AWS SDK v3 aggregated `ApiGatewayV2` client (`@aws-sdk/client-apigatewayv2`,
 * which Lambda's Node.js runtime includes), seen through the three methods read here; throttling
 * (429 TooManyRequestsException) is retried by the SDK in adaptive mode, as the REST reader does
 * (`read-api.ts`, `MAX_ATTEMPTS`).
 */
import type { DeployedHttpApi, DeployedHttpAuthorizer, DeployedHttpIntegration, DeployedHttpRoute } from './http-compare';

/** One page of a v2 list call. */
export interface V2Page<T> {
  readonly Items?: T[];
  readonly NextToken?: string;
}

/** A v2 list call's input. */
export interface V2ListInput {
  readonly ApiId: string;
  readonly MaxResults?: string;
  readonly NextToken?: string;
}

/** The parts of the SDK's `ApiGatewayV2` client the reader calls. */
export interface ApiGatewayV2Reader {
  getRoutes(input: V2ListInput, options: { abortSignal: AbortSignal }): Promise<V2Page<DeployedHttpRoute>>;
  getAuthorizers(input: V2ListInput, options: { abortSignal: AbortSignal }): Promise<V2Page<DeployedHttpAuthorizer>>;
  getIntegrations(input: V2ListInput, options: { abortSignal: AbortSignal }): Promise<V2Page<DeployedHttpIntegration>>;
}

/** Items per page asked for. */
export const HTTP_PAGE_SIZE = '500';
/** More pages than any HTTP API can have (300 routes by default, raised quotas included). */
const MAX_PAGES = 1000;

/** The HTTP API as read back; rejects on the first request that fails after its retries, or when `signal` aborts. */
export async function readDeployedHttpApi(client: ApiGatewayV2Reader, apiId: string, signal: AbortSignal): Promise<DeployedHttpApi> {
  const options = { abortSignal: signal };
  const [routes, authorizers, integrations] = await Promise.all([
    pages('GetRoutes', (NextToken) => client.getRoutes({ ApiId: apiId, MaxResults: HTTP_PAGE_SIZE, NextToken }, options)),
    pages('GetAuthorizers', (NextToken) => client.getAuthorizers({ ApiId: apiId, MaxResults: HTTP_PAGE_SIZE, NextToken }, options)),
    pages('GetIntegrations', (NextToken) => client.getIntegrations({ ApiId: apiId, MaxResults: HTTP_PAGE_SIZE, NextToken }, options)),
  ]);
  return { routes, authorizers, integrations };
}

async function pages<T>(what: string, get: (token: string | undefined) => Promise<V2Page<T>>): Promise<T[]> {
  const all: T[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await get(token);
    all.push(...(answer.Items ?? []));
    token = answer.NextToken;
    if (!token) {
      return all;
    }
    if (seen.has(token)) {
      throw new Error(`${what} returned the NextToken ${JSON.stringify(token)} twice`);
    }
    seen.add(token);
  }
  throw new Error(`${what} returned more than ${MAX_PAGES} pages`);
}
