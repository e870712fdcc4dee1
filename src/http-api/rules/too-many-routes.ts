import { SecuredHttpApiSubject } from './subject';
import { messageRule } from '../../rules/rule';

/** API Gateway's routes-per-API quota, 300 by default and raised per API on request. */
export const QUOTAS_DOC = 'https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html';
export const DEFAULT_ROUTES_PER_API = 300;

export const tooManyRoutes = messageRule<SecuredHttpApiSubject>('SecuredHttpApi.TooManyRoutes',
  'the HTTP API has no more routes than its routes-per-API quota (maxRoutes)',
  (api) => (api.routeCount <= api.maxRoutes ? [] : [
    `${api.path}: the API has ${api.routeCount} routes, more than its ${api.maxRoutes} routes per HTTP API (maxRoutes; API Gateway's default quota is ${DEFAULT_ROUTES_PER_API}, ${QUOTAS_DOC}); `
    + 'split the API, use ANY and {proxy+} routes, or have the quota raised and set maxRoutes to it.',
  ]));
