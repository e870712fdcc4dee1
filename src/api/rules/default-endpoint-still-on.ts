import { DomainSubject } from './subjects';
import { messageRule } from '../../rules/rule';
import { ENDPOINT_CONFIGURATION_EXTENSION } from '../definition';

/**
 * With `domain.disableDefaultEndpoint`, the REST API as it will be deployed (overrides included)
 * turns the default endpoint off in both places: `DisableExecuteApiEndpoint`, and its definition's
 * server objects. AWS does not say which of the two wins when a definition is imported, so both must
 * say disabled.
 */
export const defaultEndpointStillOn = messageRule<DomainSubject>('SecuredApi.DefaultEndpointStillOn',
  'with domain.disableDefaultEndpoint, DisableExecuteApiEndpoint and every server of the definition turn the default endpoint off', (api) => {
    const props = typeof api.properties === 'object' && api.properties !== null ? api.properties as Record<string, any> : {};
    const errors: string[] = [];
    if (props.DisableExecuteApiEndpoint !== true) {
      errors.push(`${api.path}: domain.disableDefaultEndpoint is true, but the REST API ${api.restApiPath} has DisableExecuteApiEndpoint ${JSON.stringify(props.DisableExecuteApiEndpoint ?? null)} (an override or escape hatch changed it): the default execute-api endpoint would stay open beside the domain; remove that override.`);
    }
    const servers = (props.Body as { servers?: Array<Record<string, any>> } | undefined)?.servers;
    const disabled = (server: Record<string, any>) => server?.[ENDPOINT_CONFIGURATION_EXTENSION]?.disableExecuteApiEndpoint === true;
    if (!Array.isArray(servers) || servers.length === 0 || !servers.every(disabled)) {
      errors.push(`${api.path}: domain.disableDefaultEndpoint is true, but the REST API's definition (${api.restApiPath}) has a server without ${ENDPOINT_CONFIGURATION_EXTENSION}.disableExecuteApiEndpoint: true (an override or escape hatch changed it): the import could turn the default endpoint back on; remove that override.`);
    }
    return errors;
  });
