import { SecuredHttpApiSubject } from './subject';
import { QUOTAS_DOC } from './too-many-routes';
import { messageRule } from '../../rules/rule';

/** Integrations per HTTP API, a quota that cannot be raised. */
const INTEGRATIONS_PER_API = 300;

export const tooManyIntegrations = messageRule<SecuredHttpApiSubject>('SecuredHttpApi.TooManyIntegrations',
  'the HTTP API has at most 300 integrations (one per handler, one per distinct backend)',
  (api) => (api.integrationCount <= INTEGRATIONS_PER_API ? [] : [
    `${api.path}: the API's routes are served by ${api.integrationCount} integrations (one per handler, one per distinct backend), `
    + `more than the ${INTEGRATIONS_PER_API} integrations per HTTP API API Gateway allows (a quota that cannot be raised, ${QUOTAS_DOC}); serve more routes per handler or backend, or split the API.`,
  ]));
