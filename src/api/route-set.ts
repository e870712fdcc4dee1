// The routes of one API, each checked once into one record and stored once. What an API is made
// of (its definition's operations, the readers' OpenAPI document, the stage's method settings, the
// authorizer's route table, the access review) are projections of the records, computed when read.
// Nothing here knows of REST: a kind of API supplies its own backend check and projections.
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import type { RouteBackend } from './backend';
import { checkRouteBesidePreflight } from './cors-options';
import { checkThrottle, RouteThrottle } from './throttle';
import { withIssuerRequirements } from '../authorizer/caller-identity';
import { RouteAuthorization } from '../authorizer/route';
import { CheckedRoute, checkRoute, checkRouteSet } from '../authorizer/route-table';
import { validationError } from '../errors';
import type { OidcIssuer } from '../identity/oidc-issuer';
import type { FederatedRole } from '../roles/federated-role';

/** A route as a user writes it (a `SecuredApiRoute`). */
export interface RouteSpec extends RouteAuthorization {
  readonly handler?: lambda.IFunction;
  readonly public?: boolean;
  readonly throttle?: RouteThrottle;
  readonly callerRoles?: FederatedRole[];
  readonly backend?: RouteBackend;
}

/** A caller role handed to a route's handler, under its environment variable. */
export interface HandedCallerRole {
  readonly envName: string;
  readonly role: FederatedRole;
}

/** One checked route: what it requires of a token (in the authorizer's terms) and what serves it. */
export interface RouteRecord extends CheckedRoute {
  readonly isPublic: boolean;
  /** The route's own throttle, as given (checked). */
  readonly throttle?: RouteThrottle;
  /** Exactly one of `handler` and `backend`. */
  readonly handler?: lambda.IFunction;
  readonly backend?: RouteBackend;
  /** Empty for a public route or a `backend`. */
  readonly callerRoles: readonly HandedCallerRole[];
}

/** What the checks of a route need to know of its API. */
export interface RouteSetOptions {
  /** The API, which errors name. */
  readonly scope: IConstruct;
  /** The API's construct path, for messages. */
  readonly where: string;
  /** The API's issuer: a guarded route must be one its tokens can open. */
  readonly issuer: OidcIssuer;
  /** The authorizer's construct path, which names the issuer's requirements in messages. */
  readonly authorizerWhere: string;
  /** Whether the API answers CORS preflights on every path (then no route may be `OPTIONS`). */
  readonly preflightOnEveryPath: boolean;
  /** The environment variable of a caller role the API made, or undefined for any other role. */
  readonly callerRoleEnv: (role: FederatedRole) => string | undefined;
  /** The kind of API's own check of a route's non-Lambda backend (`what`: `<path>: route <method> <resource>`). */
  readonly checkBackend: (route: RouteRecord, what: string) => void;
  /** Fails when a guarded route can no longer be added (the authorizer's route table is written). */
  readonly checkGuardedRouteCanBeAdded: (route: RouteAuthorization) => void;
}

/** The routes of one API, checked and stored once. */
export class RouteSet {
  private readonly records: RouteRecord[] = [];

  constructor(private readonly options: RouteSetOptions) {}

  /** The routes added so far, in the order they were added. */
  public get routes(): readonly RouteRecord[] {
    return this.records;
  }

  /** The guarded routes in the authorizer's terms (its route table is compiled from them). */
  public guardedRoutes(): CheckedRoute[] {
    return this.records.filter((r) => !r.isPublic).map(({ method, resource, scopes, claimRules }) => ({ method, resource, scopes, claimRules }));
  }

  /** Checks a route against the routes so far and stores it; returns its record. */
  public add(route: RouteSpec): RouteRecord {
    const { where } = this.options;
    const isPublic = route.public ?? false;
    if (typeof isPublic !== 'boolean') {
      throw validationError('SecuredApi.PublicNotBoolean', `${where}: route ${route.method} ${route.path} has public ${JSON.stringify(isPublic)}; pass true or false.`, this.options.scope);
    }
    if (isPublic && ((route.scopes ?? []).length > 0 || (route.claimRules ?? []).length > 0)) {
      throw validationError('SecuredApi.PublicRouteWithScopes', `${where}: route ${route.method} ${route.path} is public but has scopes or claim rules, which a public route never checks; remove public: true to guard it, or remove its scopes and claim rules.`, this.options.scope);
    }
    const checked = checkRoute(where, route);
    const what = `${where}: route ${checked.method} ${checked.resource}`;
    if (!route.handler === !route.backend) {
      const fix = 'pass exactly one: the Lambda function that serves it (handler), or RouteBackend.http(...) / RouteBackend.vpcLink(...) (SecuredApi) / RouteBackend.privateIntegration(...) (SecuredHttpApi) (backend).';
      if (route.handler) throw validationError('SecuredApi.HandlerAndBackend', `${what} has both a handler and a backend; ${fix}`, this.options.scope);
      throw validationError('SecuredApi.NoHandlerOrBackend', `${what} has neither a handler nor a backend; ${fix}`, this.options.scope);
    }
    if (route.backend && (route.callerRoles ?? []).length > 0) {
      throw validationError('SecuredApi.CallerRolesOnBackend', `${what} has callerRoles but is served by a backend that is not a Lambda function; caller roles are handed to a Lambda handler's environment: serve the route with a handler, or remove its callerRoles.`, this.options.scope);
    }
    if (this.options.preflightOnEveryPath) {
      checkRouteBesidePreflight(where, checked.method, checked.resource);
    }
    checkRouteSet(where, [...this.records, checked]);
    const record: RouteRecord = {
      ...checked,
      isPublic,
      ...(route.throttle === undefined ? {} : { throttle: route.throttle }),
      ...(route.handler ? { handler: route.handler } : {}),
      ...(route.backend ? { backend: route.backend } : {}),
      callerRoles: this.checkCallerRoles(what, isPublic, route.callerRoles ?? []),
    };
    if (record.backend) this.options.checkBackend(record, what);
    if (route.throttle !== undefined) {
      checkThrottle(where, `route ${checked.method} ${checked.resource} throttle`, route.throttle);
    }
    if (!isPublic) {
      this.options.checkGuardedRouteCanBeAdded(route);
      withIssuerRequirements(this.options.authorizerWhere, this.options.issuer, route);
    }
    this.records.push(record);
    return record;
  }

  /** The route's caller roles, each one made by the API's addCallerRole. */
  private checkCallerRoles(what: string, isPublic: boolean, roles: readonly FederatedRole[]): HandedCallerRole[] {
    if (roles.length > 0 && isPublic) {
      throw validationError('SecuredApi.PublicRouteWithCallerRoles', `${what} is public but has callerRoles: a public route receives no verified token to exchange; guard the route, or remove its callerRoles.`, this.options.scope);
    }
    return roles.map((role) => {
      const envName = this.options.callerRoleEnv(role);
      if (!envName) {
        throw validationError('SecuredApi.ForeignCallerRole', `${what} has the caller role '${role?.node?.path}', which this API's addCallerRole did not make; create it with addCallerRole on ${this.options.where} (its trust is pinned to this API's issuer and audiences), then add the route with addRoute.`, this.options.scope);
      }
      return { envName, role };
    });
  }
}
