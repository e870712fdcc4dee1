// The synth-time rules of a SecuredHttpApi, in the order their messages are reported.
import { deploymentCheckBypassed } from './deployment-check-bypassed';
import { resourceBesideBody } from './resource-beside-body';
import { resourceOverridden } from './resource-overridden';
import { routeOpened } from './route-opened';
import { SecuredHttpApiSubject } from './subject';
import { tooManyIntegrations } from './too-many-integrations';
import { tooManyRoutes } from './too-many-routes';
import { Rule } from '../../rules/rule';

export type { SecuredHttpApiSubject } from './subject';
export { DEFAULT_ROUTES_PER_API } from './too-many-routes';

export const SECURED_HTTP_API_RULES: ReadonlyArray<Rule<SecuredHttpApiSubject>> = [
  tooManyRoutes, tooManyIntegrations, routeOpened, resourceBesideBody, resourceOverridden, deploymentCheckBypassed,
];
