import { ApiGuard, DeployedApi, isJson } from './deployed-api';
import { messageRule } from '../../rules/rule';

/**
 * The definition is imported in `overwrite` mode, so that a route removed is removed: `merge` (API
 * Gateway's default when `Mode` is absent) keeps every operation a former deployment had, a removed
 * public route open (https://docs.aws.amazon.com/apigateway/latest/api/API_PutRestApi.html).
 */
export const importMode: ApiGuard = messageRule<DeployedApi>('SecuredApi.ImportModeChanged', 'the definition is imported in the mode the construct wrote (overwrite)', (api) => {
  const mode = isJson(api.properties) ? api.properties.Mode : undefined;
  if (mode === api.written.mode) return [];
  return [`the REST API ${api.restApiPath} is imported with Mode ${JSON.stringify(mode ?? null)} instead of "${api.written.mode}" (an override changed it); `
    + `in any other mode a route removed from ${api.path} stays deployed, open if it was public; remove that override.`];
});
