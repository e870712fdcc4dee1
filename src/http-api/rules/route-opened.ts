import { SecuredHttpApiSubject } from './subject';
import { messageRule } from '../../rules/rule';
import { routeGuardErrors } from '../private/route-guard';

/**
 * `public: true` is the only way to open a route: every operation of the API's OpenAPI definition
 * (`Body`) in the template is a public route, or carries the authorizer and scopes the construct
 * wrote, escape hatches and operations added by hand included.
 */
export const routeOpened = messageRule<SecuredHttpApiSubject>('SecuredHttpApi.RouteOpened',
  'every route of the HTTP API\'s OpenAPI definition in the template is public: true or has the authorizer and scopes the construct wrote',
  (api) => routeGuardErrors(api.path, api.expected, api.templateBody()));
