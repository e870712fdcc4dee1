import { SecuredApiSubject } from './subjects';
import { Rule, RuleLevel } from '../../rules/rule';

/** API Gateway's default quota of resources per REST API (adjustable). */
export const RESOURCES_PER_API = 300;

/**
 * API Gateway allows 300 resources (path segments, the root included) per REST API by default;
 * more fail the deployment unless the quota was raised for the account, so this is a warning.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html
 */
export const resourcesPerApi: Rule<SecuredApiSubject> = {
  code: 'SecuredApi.ResourcesPerApi',
  checks: 'the routes make at most 300 API Gateway resources, the default quota (a warning)',
  level: RuleLevel.WARNING,
  warningId: 'cdk-secured-api:resourcesPerApi',
  check: (api) => {
    const resources = new Set<string>(['/']);
    for (const resource of api.routeResources) {
      const segments = resource.split('/').filter(Boolean);
      segments.forEach((_, i) => resources.add('/' + segments.slice(0, i + 1).join('/')));
    }
    return resources.size <= RESOURCES_PER_API ? [] : [{
      message: `The REST API has ${resources.size} API Gateway resources (distinct paths and their prefixes, the root included), over API Gateway's default quota "Resources per API" of ${RESOURCES_PER_API}: the deployment fails unless the quota is raised. Request an increase in the Service Quotas console (Amazon API Gateway, "Resources per API") before deploying, or spread the routes over fewer paths or more than one SecuredApi.`,
    }];
  },
};
