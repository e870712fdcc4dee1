import { ApiGuard, DeployedApi, isJson } from './deployed-api';
import { messageRule } from '../../rules/rule';

/**
 * A `BodyS3Location` would replace the definition written from the routes with a file the synth
 * cannot read.
 */
export const bodyLocation: ApiGuard = messageRule<DeployedApi>('SecuredApi.BodyS3Location', 'no BodyS3Location replaces the definition written from the routes', (api) => {
  if (!isJson(api.properties) || api.properties.BodyS3Location === undefined) return [];
  return [`the REST API ${api.restApiPath} has a BodyS3Location (an override or escape hatch set it), `
    + `which would replace the definition written from the routes of ${api.path}; remove it, and add routes with addRoute().`];
});
