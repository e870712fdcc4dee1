import { ApiGuard, DeployedApi, isJson } from './deployed-api';
import { messageRule } from '../../rules/rule';

/**
 * `FailOnWarnings` stays on: without it an import that drops or misreads part of the definition
 * deploys a different API than the one written (API Gateway's default is false;
 * https://docs.aws.amazon.com/apigateway/latest/api/API_PutRestApi.html).
 */
export const failOnWarnings: ApiGuard = messageRule<DeployedApi>('SecuredApi.FailOnWarningsOff', 'FailOnWarnings stays true', (api) => {
  const value = isJson(api.properties) ? api.properties.FailOnWarnings : undefined;
  // CloudFormation takes a Boolean as true or "true".
  if (value === true || value === 'true') return [];
  return [`the REST API ${api.restApiPath} has FailOnWarnings ${JSON.stringify(value ?? null)} instead of true (an override turned it off or removed it); `
    + `without it API Gateway deploys what it could import of the definition of ${api.path} and drops the rest with a warning; remove that override.`];
});
