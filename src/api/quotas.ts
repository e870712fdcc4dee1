import { createHash } from 'node:crypto';
import { Stack, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import { QuotaTierOptions, SecuredApiQuotaOptions } from './quota-options';
import type { UsageKeysConfig } from '../authorizer/contract';
import { validationError } from '../errors';
import type { OidcIssuer } from '../identity/oidc-issuer';

/** What a SecuredApi's definition and authorizer need of its quotas. */
export interface ApiQuotas {
  /** What the authorizer's config.json holds: each client's API key value, and the others'. */
  readonly usageKeys: UsageKeysConfig;
}

/**
 * API Gateway's quotas (per account and Region): 10,000 API keys, which cannot be raised; 300 usage
 * plans by default.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html
 */
export const MAX_API_KEYS = 10_000;
export const MAX_USAGE_PLANS = 300;

const TIER_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** Client ids go into config.json and key descriptions; real ones are far shorter. */
const MAX_CLIENT_ID_LENGTH = 256;

/**
 * Checks that the issuer's tokens name the client that quotas declare clients by (the issuer
 * profile's `clientClaims`).
 */
export function checkQuotaClients(where: string, issuer: OidcIssuer, quotas: SecuredApiQuotaOptions): void {
  const clients = Array.isArray(quotas.clients) ? quotas.clients.length : 0;
  if (issuer.profile.clientClaims.length === 0 && clients > 0) {
    throw validationError('SecuredApi.QuotaClientsWithoutClientClaim', `${where}: quotas declare ${clients} client(s), but ${issuer.name} tokens name no OAuth client (the issuer profile's clientClaims is empty), so every token would be an undeclared client; `
      + 'meter by tier alone (quotas with a defaultTier and no clients), or name the claim your tokens carry the client in with the issuer\'s clientClaims option.');
  }
}

/**
 * Creates the usage plans (bound to the API's stage), the API keys and usage plan keys of `quotas`
 * under `scope/Quotas`, sets the REST API's API key source to `AUTHORIZER`, and returns the keys the
 * authorizer returns. The definition must also require the API key on every guarded operation.
 *
 * Why key values in the template are not credentials: with the key source `AUTHORIZER`, API Gateway
 * takes a request's API key only from the Lambda authorizer's `usageIdentifierKey`, never from the
 * request (its `x-api-key` header is the `HEADER` source)
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-key-source.html), and
 * every metered operation requires the token authorizer as well as the key. Even under the worst
 * reading, where a request could supply a key itself, that key opens nothing the token does not:
 * the authorizer still decides every request. The key only names the usage plan a request is
 * counted against. So its value is derived, not secret: the SHA-256 (hex, 64 characters; API
 * Gateway takes 20 to 128 alphanumerics) of the stack name, the API's construct path, the tier and
 * the client. API key values must be unique in the account and Region
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html):
 * the stack name and path keep two APIs apart, and the tier gives a client moved to another tier a
 * new key, which can be created while the old one still exists.
 */
export function createQuotas(scope: Construct, restApi: apigateway.SpecRestApi, quotas: SecuredApiQuotaOptions): ApiQuotas {
  const where = `${scope.node.path}: quotas`;
  const { tiers, clients = [], defaultTier } = quotas;
  if (!Array.isArray(tiers) || tiers.length === 0 || tiers.length > MAX_USAGE_PLANS) {
    throw validationError('SecuredApi.QuotaTierCount', `${where} has ${Array.isArray(tiers) ? tiers.length : 'no'} tiers; declare 1 to ${MAX_USAGE_PLANS} tiers (each is a usage plan, and API Gateway allows ${MAX_USAGE_PLANS} per account and Region by default, shared with the account's other APIs).`, scope);
  }
  const tierNames = new Set<string>();
  for (const tier of tiers) {
    checkTier(where, tier, tierNames);
    tierNames.add(tier.name);
  }
  const knownTier = (name: unknown, what: string) => {
    if (typeof name !== 'string' || !tierNames.has(name)) {
      throw validationError('SecuredApi.UnknownQuotaTier', `${where}: ${what} names the tier ${JSON.stringify(name)}, which is not one of the tiers (${[...tierNames].join(', ')}); name a declared tier, or add it to tiers.`, scope);
    }
  };
  if (defaultTier !== undefined) {
    knownTier(defaultTier, 'defaultTier');
  }
  const seen = new Set<string>();
  for (const client of clients) {
    const id = client?.clientId;
    if (!literal(id) || id.length > MAX_CLIENT_ID_LENGTH) {
      throw validationError('SecuredApi.InvalidQuotaClientId', `${where}: a client has the clientId ${JSON.stringify(id)}, which is not a non-empty literal string of at most ${MAX_CLIENT_ID_LENGTH} characters; pass the client_id claim of its tokens.`, scope);
    }
    if (seen.has(id)) {
      throw validationError('SecuredApi.DuplicateQuotaClient', `${where}: the client "${id}" is declared twice; declare each client once, with one tier.`, scope);
    }
    seen.add(id);
    knownTier(client.tier, `the client "${id}"`);
  }
  if (clients.length === 0 && defaultTier === undefined) {
    throw validationError('SecuredApi.QuotasAdmitNoClient', `${where} declares no clients and no defaultTier, so every caller would be denied; declare clients, or set defaultTier to admit every client under one tier.`, scope);
  }
  const keyCount = clients.length + (defaultTier === undefined ? 0 : 1);
  if (keyCount > MAX_API_KEYS) {
    throw validationError('SecuredApi.TooManyApiKeys', `${where} needs ${keyCount} API keys (one per declared client${defaultTier === undefined ? '' : ', and one for the default tier'}), over API Gateway's hard limit of ${MAX_API_KEYS} per account and Region; declare fewer clients and admit the others under defaultTier.`, scope);
  }

  (restApi.node.defaultChild as apigateway.CfnRestApi).apiKeySourceType = 'AUTHORIZER';
  const root = new Construct(scope, 'Quotas');
  const stack = Stack.of(scope);
  const salt = [Token.isUnresolved(stack.stackName) ? '' : stack.stackName, scope.node.path];
  const plans = new Map<string, apigateway.CfnUsagePlan>();
  for (const tier of tiers) {
    const tierScope = new Construct(root, tier.name);
    plans.set(tier.name, new apigateway.CfnUsagePlan(tierScope, 'Plan', {
      description: `Quota tier "${tier.name}" of ${scope.node.path}`,
      // The stage's Ref, so that the plan is created after the stage it names.
      apiStages: [{ apiId: restApi.restApiId, stage: restApi.deploymentStage.stageName }],
      ...(tier.rateLimit === undefined && tier.burstLimit === undefined ? {}
        : { throttle: { rateLimit: tier.rateLimit, burstLimit: tier.burstLimit } }),
      ...(tier.quotaLimit === undefined ? {} : { quota: { limit: tier.quotaLimit, period: tier.quotaPeriod } }),
    }));
  }
  // Keyed by tier and client (never by position), so reordering clients changes nothing.
  const addKey = (tier: string, id: string, description: string, ...subject: string[]): string => {
    const value = createHash('sha256').update(JSON.stringify(['cdk-secured-api/usage-key/1', ...salt, tier, ...subject])).digest('hex');
    const keyScope = new Construct(root.node.findChild(tier), id);
    const key = new apigateway.CfnApiKey(keyScope, 'Key', { enabled: true, value, description });
    new apigateway.CfnUsagePlanKey(keyScope, 'PlanKey', { keyId: key.ref, keyType: 'API_KEY', usagePlanId: plans.get(tier)!.ref });
    return value;
  };
  const keys: Record<string, string> = {};
  for (const { clientId, tier } of clients) {
    // The client id, which may hold any character, as a construct id: its digest.
    const digest = createHash('sha256').update(clientId).digest('hex').slice(0, 16);
    Object.defineProperty(keys, clientId, {
      value: addKey(tier, `Client${digest}`, `Client ${JSON.stringify(clientId)} of quota tier "${tier}" of ${scope.node.path}`, 'client', clientId),
      enumerable: true,
    });
  }
  const others = defaultTier === undefined ? null
    : addKey(defaultTier, 'Undeclared', `Clients not declared, under the default quota tier "${defaultTier}" of ${scope.node.path}`, 'undeclared');
  return { usageKeys: { clients: keys, others } };
}

function checkTier(where: string, tier: QuotaTierOptions, seen: ReadonlySet<string>): void {
  const name = tier?.name;
  if (!literal(name) || !TIER_NAME.test(name)) {
    throw validationError('SecuredApi.InvalidQuotaTierName', `${where}: a tier has the name ${JSON.stringify(name)}; name it with 1 to 64 letters, digits, '-' or '_'.`);
  }
  if (seen.has(name)) {
    throw validationError('SecuredApi.DuplicateQuotaTier', `${where}: the tier "${name}" is declared twice; give each tier a name of its own.`);
  }
  const bad = (v: number | undefined, integer: boolean) =>
    v !== undefined && (Token.isUnresolved(v) || typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v) || (integer && !Number.isInteger(v)));
  if (bad(tier.rateLimit, false) || bad(tier.burstLimit, true) || bad(tier.quotaLimit, true)) {
    throw validationError('SecuredApi.InvalidQuotaTierLimits', `${where}: the tier "${name}" has rateLimit ${tier.rateLimit}, burstLimit ${tier.burstLimit} and quotaLimit ${tier.quotaLimit}; pass literal non-negative numbers, whole for burstLimit and quotaLimit.`);
  }
  const periods: unknown[] = Object.values(apigateway.Period);
  const quotaSet = tier.quotaLimit !== undefined;
  if (quotaSet !== (tier.quotaPeriod !== undefined) || (quotaSet && !periods.includes(tier.quotaPeriod))) {
    throw validationError('SecuredApi.QuotaPeriodMismatch', `${where}: the tier "${name}" has quotaLimit ${tier.quotaLimit} and quotaPeriod ${JSON.stringify(tier.quotaPeriod)}; set both (quotaPeriod one of apigateway.Period.DAY, WEEK or MONTH) or neither.`);
  }
}

function literal(value: unknown): value is string {
  return typeof value === 'string' && value !== '' && !Token.isUnresolved(value);
}
