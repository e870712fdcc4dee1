import type { ClaimRule, RouteConfig } from './config';

export type Permission = 'allowed' | 'insufficient_scope' | 'claim_rule_failed';

/** The guarded routes of one API, looked up by API Gateway's (httpMethod, resource template). */
export class RouteTable {
  private readonly index = new Map<string, number>();

  constructor(public readonly routes: readonly RouteConfig[]) {
    routes.forEach((route, i) => this.index.set(`${route.method} ${route.resource}`, i));
  }

  /** The index of the route serving this request: the exact method first, then `ANY`. */
  public lookup(httpMethod: string, resource: string): number | undefined {
    return this.index.get(`${httpMethod} ${resource}`) ?? this.index.get(`ANY ${resource}`);
  }

  /** Whether the token's scopes (any-of) and claims (every rule) permit route `i`. */
  public permission(i: number, claims: Record<string, unknown>, scopes: ReadonlySet<string>): Permission {
    return permission(this.routes[i], claims, scopes);
  }
}

export function permission(route: RouteConfig, claims: Record<string, unknown>, scopes: ReadonlySet<string>): Permission {
  if (route.scopes.length > 0 && !grantsAny(scopes, route.scopes)) {
    return 'insufficient_scope';
  }
  for (const rule of route.claimRules) {
    if (!holds(rule, claims)) {
      return 'claim_rule_failed';
    }
  }
  return 'allowed';
}

/** A plain loop rather than some(): this runs for every route of every new token. */
function grantsAny(granted: ReadonlySet<string>, wanted: readonly string[]): boolean {
  for (const scope of wanted) {
    if (granted.has(scope)) {
      return true;
    }
  }
  return false;
}

function holds(rule: ClaimRule, claims: Record<string, unknown>): boolean {
  // hasOwn: a rule on e.g. "constructor" must not read Object.prototype.
  const value = Object.hasOwn(claims, rule.claim) ? claims[rule.claim] : undefined;
  switch (rule.op) {
    case 'equals':
      // Numbers and booleans compare by their JSON text, since the rule's value is a string.
      return (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') && String(value) === rule.value;
    case 'contains':
      if (Array.isArray(value)) {
        return value.some((v) => v === rule.value);
      }
      return typeof value === 'string' && value.split(' ').includes(rule.value as string);
    case 'oneOf':
      return typeof value === 'string' && (rule.values as readonly string[]).includes(value);
  }
}
