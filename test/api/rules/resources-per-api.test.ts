import { securedApi } from './subjects';
import { RESOURCES_PER_API, resourcesPerApi } from '../../../src/api/rules/resources-per-api';
import { messagesOf, RuleLevel } from '../../../src/rules/rule';

/** `paths` routes `/p<i>/{id}`: two resources each, and the root. */
const routes = (paths: number) => Array.from({ length: paths }, (_, i) => `/p${i}/{id}`);

describe('resourcesPerApi', () => {
  test('should be a warning with the annotation id users acknowledge', () => {
    expect(resourcesPerApi.level).toBe(RuleLevel.WARNING);
    expect(resourcesPerApi.warningId).toBe('cdk-secured-api:resourcesPerApi');
    expect(resourcesPerApi.code).toBe('SecuredApi.ResourcesPerApi');
  });

  test('should pass 299 resources, the root included', () => {
    expect(messagesOf(resourcesPerApi, securedApi({ routeResources: routes(149) }))).toEqual([]);
  });

  test('should count a shared prefix once', () => {
    expect(messagesOf(resourcesPerApi, securedApi({ routeResources: Array.from({ length: 400 }, () => '/orders') }))).toEqual([]);
  });

  test('should warn of 301 resources, over the quota', () => {
    expect(messagesOf(resourcesPerApi, securedApi({ routeResources: routes(150) }))).toEqual([
      expect.stringMatching(new RegExp(`^The REST API has 301 API Gateway resources .* over API Gateway's default quota "Resources per API" of ${RESOURCES_PER_API}: the deployment fails unless the quota is raised\\. Request an increase`)),
    ]);
  });
});
