import type { ReadBody } from '../private/body';
import type { ExpectedRoute } from '../private/route-guard';

/** A SecuredHttpApi as its rules (`SECURED_HTTP_API_RULES`) read it: plain data. */
export interface SecuredHttpApiSubject {
  /** The construct path, which messages name. */
  readonly path: string;
  /** The routes the construct made, by route key, with the authorization it wrote. */
  readonly expected: ReadonlyMap<string, ExpectedRoute>;
  /** The API's OpenAPI definition (`Body`) as deployed (overrides included), read as routes. */
  readonly templateBody: () => ReadBody;
  /** Every Route, Integration or Authorizer resource of the API in the template (none may exist beside the definition). */
  readonly resourcesBesideBody: () => readonly string[];
  /** A line per part of the API the construct made (its Api resource, its definition) that the template holds otherwise. */
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
