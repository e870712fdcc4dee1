/**
 * Reads an HTTP API back from API Gateway's v2 API: its routes, authorizers and integrations, every
 * list paginated (`NextToken`, `MaxResults` as a string, as the API reference types it):
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-routes.html
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-authorizers.html
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-integrations.html
 *
 * The client is the AWS SDK v3 `ApiGatewayV2Client` (`@aws-sdk/client-apigatewayv2`, which Lambda's
 * Node.js runtime includes: the bundle keeps `@aws-sdk/*` external, as the REST check's does);
 * throttling (429 TooManyRequestsException) is retried by the SDK in adaptive mode, as the REST
 * reader does (`read-api.ts`, `MAX_ATTEMPTS`).
 */
import { ApiGatewayV2Client, GetAuthorizersCommand, GetIntegrationsCommand, GetRoutesCommand } from '@aws-sdk/client-apigatewayv2';
import type { DeployedHttpApi, DeployedHttpAuthorizer, DeployedHttpIntegration, DeployedHttpRoute } from './http-compare';
import { MAX_ATTEMPTS } from './read-api';
import { readTogether } from './read-together';

/** Items per page asked for. */
export const HTTP_PAGE_SIZE = '500';
/** More pages than any HTTP API can have (300 routes by default, raised quotas included). */
const MAX_PAGES = 1000;

/**
 * The client, from the default configuration chain (region, credentials, and endpoint: e.g.
 * `AWS_ENDPOINT_URL_APIGATEWAYV2`), retrying throttling adaptively.
 */
export function createHttpClient(): ApiGatewayV2Client {
  return new ApiGatewayV2Client({ retryMode: 'adaptive', maxAttempts: MAX_ATTEMPTS });
}

/** The HTTP API as read back; rejects on the first request that fails after its retries (aborting the others), or when `signal` aborts. */
export async function readDeployedHttpApi(client: ApiGatewayV2Client, apiId: string, signal: AbortSignal): Promise<DeployedHttpApi> {
  type Reads = [DeployedHttpRoute[], DeployedHttpAuthorizer[], DeployedHttpIntegration[]];
  const [routes, authorizers, integrations] = await readTogether<Reads>(signal, (options) => [
    pages<DeployedHttpRoute>('GetRoutes', (NextToken) => client.send(new GetRoutesCommand({ ApiId: apiId, MaxResults: HTTP_PAGE_SIZE, NextToken }), options)),
    pages<DeployedHttpAuthorizer>('GetAuthorizers', (NextToken) => client.send(new GetAuthorizersCommand({ ApiId: apiId, MaxResults: HTTP_PAGE_SIZE, NextToken }), options)),
    pages<DeployedHttpIntegration>('GetIntegrations', (NextToken) => client.send(new GetIntegrationsCommand({ ApiId: apiId, MaxResults: HTTP_PAGE_SIZE, NextToken }), options)),
  ]);
  return { routes, authorizers, integrations };
}

async function pages<T>(what: string, get: (token: string | undefined) => Promise<{ Items?: readonly unknown[]; NextToken?: string }>): Promise<T[]> {
  const all: T[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await get(token);
    all.push(...((answer.Items ?? []) as T[]));
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
