import { SecuredHttpApiSubject } from './subject';
import { messageRule } from '../../rules/rule';

/**
 * The API resource and its OpenAPI definition (`Body`: the routes, integrations and authorizers) are
 * in the template as the construct wrote them: no escape hatch points a route at another authorizer
 * or integration, or changes an authorizer's issuer, audiences, function, identity sources or cache TTL.
 */
export const resourceOverridden = messageRule<SecuredHttpApiSubject>('SecuredHttpApi.ResourceOverridden',
  'the routes, integrations and authorizers the construct made are in the template as it wrote them',
  (api) => [...api.changedResources()]);
