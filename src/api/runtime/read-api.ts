/**
 * Reads a REST API back from API Gateway: its resources with their methods (GetResources,
 * `embed=methods`), authorizers, the API itself and its gateway responses, every list paginated
 * (`limit` 500, the largest API Gateway takes, then `position`).
 * https://docs.aws.amazon.com/apigateway/latest/api/API_GetResources.html
 *
 * API Gateway's management API has low, fixed per-account rate limits (they cannot be raised) and
 * answers 429 TooManyRequestsException past them
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html): the client retries
 * throttling in the SDK's adaptive mode (a client-side rate limiter that slows down on throttling,
 * with backoff), with more attempts than its default 3.
 */
import {
  APIGatewayClient, Authorizer, GatewayResponse, GetAuthorizersCommand, GetGatewayResponsesCommand, GetResourcesCommand, GetRestApiCommand,
  GetRestApiCommandOutput, Resource,
} from '@aws-sdk/client-api-gateway';
import type { DeployedApi } from './compare';
import { readTogether } from './read-together';

/** API Gateway's largest page. */
const PAGE_SIZE = 500;
/** More pages than any REST API can have (300 resources by default, raised quotas included). */
const MAX_PAGES = 1000;
/** Attempts per request, the first included. */
export const MAX_ATTEMPTS = 10;

/**
 * The client, from the default configuration chain (region, credentials, and endpoint: e.g.
 * `AWS_ENDPOINT_URL_API_GATEWAY`), retrying throttling adaptively.
 */
export function createClient(): APIGatewayClient {
  return new APIGatewayClient({ retryMode: 'adaptive', maxAttempts: MAX_ATTEMPTS });
}

/** The API as read back; rejects on the first request that fails after its retries (aborting the others), or when `signal` aborts. */
export async function readDeployedApi(client: APIGatewayClient, restApiId: string, signal: AbortSignal): Promise<DeployedApi> {
  type Reads = [GetRestApiCommandOutput, Resource[], Authorizer[], GatewayResponse[]];
  const [restApi, resources, authorizers, gatewayResponses] = await readTogether<Reads>(signal, (options) => [
    client.send(new GetRestApiCommand({ restApiId }), options),
    pages('GetResources', (position) => client.send(new GetResourcesCommand({ restApiId, embed: ['methods'], limit: PAGE_SIZE, position }), options)),
    pages('GetAuthorizers', (position) => client.send(new GetAuthorizersCommand({ restApiId, limit: PAGE_SIZE, position }), options)),
    pages('GetGatewayResponses', (position) => client.send(new GetGatewayResponsesCommand({ restApiId, limit: PAGE_SIZE, position }), options)),
  ]);
  return {
    apiKeySource: restApi.apiKeySource,
    resources: resources as DeployedApi['resources'],
    authorizers,
    gatewayResponses: gatewayResponses as DeployedApi['gatewayResponses'],
  };
}

async function pages<T>(what: string, get: (position: string | undefined) => Promise<{ items?: T[]; position?: string }>): Promise<T[]> {
  const all: T[] = [];
  const seen = new Set<string>();
  let position: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await get(position);
    all.push(...(answer.items ?? []));
    position = answer.position;
    if (!position) {
      return all;
    }
    if (seen.has(position)) {
      throw new Error(`${what} returned the position ${JSON.stringify(position)} twice`);
    }
    seen.add(position);
  }
  throw new Error(`${what} returned more than ${MAX_PAGES} pages`);
}
