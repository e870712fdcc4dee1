import type { ExpectedRoute, TemplateRoute } from '../private/route-guard';

/** A SecuredHttpApi as its rules (`SECURED_HTTP_API_RULES`) read it: plain data. */
export interface SecuredHttpApiSubject {
  /** The construct path, which messages name. */
  readonly path: string;
  /** The routes the construct made, by route key, with the authorization it wrote. */
  readonly expected: ReadonlyMap<string, ExpectedRoute>;
  /** Every route of the API in the template, as deployed (overrides included). */
  readonly templateRoutes: () => readonly TemplateRoute[];
  /** A line per route, integration or authorizer the construct made that the template holds otherwise. */
  readonly changedResources: () => readonly string[];
  /** How many routes the API has. */
  readonly routeCount: number;
  /** Its routes-per-API quota (`maxRoutes`). */
  readonly maxRoutes: number;
  /** How many integrations (one per handler, one per distinct backend) it has. */
  readonly integrationCount: number;
  /** What lets the stage serve an unchecked deployment, in the template (none when the check is skipped). */
  readonly deploymentCheck: () => readonly string[];
}
