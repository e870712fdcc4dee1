// The access review a SecuredApi writes beside its template: who may call which route, who may assume
// which role and what that role may do, which risks were accepted and which checks skipped, and the
// FederationGuard's findings for every federated role of the app. Read from the stacks' templates as
// they will be deployed (overrides included), so that it cannot say less than the template grants.
import { Aspects, CfnElement, CfnResource, Stack, Token, Validations } from 'aws-cdk-lib';
import { CfnRole } from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import type { SecuredApiQuotaOptions } from './quota-options';
import type { ClaimRuleConfig, RouteMethod } from '../authorizer/contract';
import type { OidcIssuer } from '../identity/oidc-issuer';
import { FederationGuard } from '../roles/federation-guard';
import { resolvedProperties } from '../roles/private/resolved-properties';
import { acceptedRisks, resolveCfnRole } from '../roles/trust/acceptance';
import { StackTrustReader } from '../roles/trust/stack-reader';
import { parseTrustPolicy } from '../roles/trust/statement';
import { analyzeTrustPolicy, KNOWN_PROVIDERS } from '../roles/trust-rules';

/** The version of the review's JSON shape; it changes only when a field changes meaning or goes away. */
export const ACCESS_REVIEW_FORMAT = 'cdk-secured-api/access-review@1';

const DEPLOYMENT_TYPES = ['AWS::ApiGateway::Deployment', 'AWS::ApiGatewayV2::Deployment'];

/** How the review names a route's authorizer on an HTTP API. */
export const HTTP_NATIVE_JWT = 'native JWT';
/** How the review names a route's authorizer on an HTTP API. */
export const HTTP_LAMBDA = 'Lambda';
/** How the review names a route's authorizer on an HTTP API. */
export const HTTP_NO_AUTHORIZER = 'none';

/** One route, as the API knows it. */
export interface AccessReviewRouteSource {
  readonly method: RouteMethod;
  readonly resource: string;
  readonly scopes: readonly string[];
  readonly claimRules: readonly ClaimRuleConfig[];
  readonly isPublic: boolean;
  readonly throttle?: { readonly rateLimit?: number; readonly burstLimit?: number };
  /** The construct serving it: the Lambda handler, or undefined for an HTTP backend. */
  readonly handler?: IConstruct;
  /** The HTTP backend's URL (possibly a token). */
  readonly backendUrl?: string;
  /** The environment variables of the caller roles handed to the handler. */
  readonly callerRoleEnvs: readonly string[];
  /**
   * HTTP APIs: which authorizer guards the route (`native JWT`, `Lambda`, or `none` when public),
   * and why. A REST API's guarded routes all use its Lambda authorizer, and leave these out.
   */
  readonly authorizer?: { readonly kind: string; readonly reason: string };
}

/** What an HTTP API's review says of its two authorizers, beyond the routes. */
export interface HttpAuthorizersReview {
  /** API Gateway's native JWT authorizer: what it is given and what it checks, and what it cannot. */
  readonly nativeJwt: {
    readonly issuer: string;
    readonly audiences: readonly string[];
    readonly identitySource: string;
    readonly checks: readonly string[];
    readonly cannot: readonly string[];
  };
  /** The Lambda authorizer (the same decision code as a REST API's). */
  readonly lambda: {
    readonly identitySources: readonly string[];
    readonly resultsCacheTtlSeconds: number;
    readonly payloadFormatVersion: string;
    readonly simpleResponses: boolean;
    readonly checks: readonly string[];
  };
  /** The options of a REST API that an HTTP API does not have, each with the reason. */
  readonly notApplicable: readonly { readonly feature: string; readonly reason: string }[];
}

/** What a SecuredApi (or SecuredHttpApi) hands the review. */
export interface AccessReviewSource {
  /** The SecuredApi. */
  readonly api: IConstruct;
  /** `REST` (a SecuredApi) or `HTTP` (a SecuredHttpApi). */
  readonly kind: 'REST' | 'HTTP';
  readonly apiName: string;
  readonly issuer: OidcIssuer;
  readonly routes: readonly AccessReviewRouteSource[];
  /** The caller roles, by their handlers' environment variable. */
  readonly callerRoles: ReadonlyMap<string, IConstruct>;
  readonly quotas?: SecuredApiQuotaOptions;
  readonly deploymentCheckSkipped?: string;
  /** Where each handler with caller roles writes its logs (the exchange audit lines). */
  readonly handlerLogGroups?: ReadonlyMap<IConstruct, string>;
  /** HTTP APIs: the native JWT and Lambda authorizers, and what does not apply. */
  readonly httpAuthorizers?: HttpAuthorizersReview;
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** The review, as its JSON file holds it. Deterministic: the same app gives the same bytes. */
export function accessReview(source: AccessReviewSource): JsonObject {
  const stack = Stack.of(source.api);
  const names = new ReferenceNames();
  const show = (value: unknown) => names.show(stack, value);
  const routes = [...source.routes]
    .sort((a, b) => compare(a.resource, b.resource) || compare(a.method, b.method))
    .map((r): JsonObject => ({
      method: r.method,
      path: r.resource,
      access: r.isPublic ? 'public' : r.scopes.length === 0 ? 'any valid token' : 'scopes',
      ...(r.authorizer ? { authorizer: r.authorizer.kind, authorizerReason: r.authorizer.reason } : {}),
      scopesAnyOf: [...r.scopes].sort(compare),
      claimRulesAllOf: r.claimRules.map(describeClaimRule),
      servedBy: r.handler ? r.handler.node.path : `HTTP backend ${show(r.backendUrl)}`,
      callerRoles: [...r.callerRoleEnvs].sort(compare).map((env) => source.callerRoles.get(env)!.node.path),
      ...(r.throttle ? { throttle: throttleOf(r.throttle) } : {}),
    }));
  const callerRoles = [...source.callerRoles]
    .sort(([a], [b]) => compare(a, b))
    .map(([env, role]) => callerRole(role, env, source, names));
  return {
    format: ACCESS_REVIEW_FORMAT,
    api: { path: source.api.node.path, stack: stack.artifactId, name: show(source.apiName), kind: source.kind },
    issuer: {
      url: show(source.issuer.issuerUrl),
      audiences: source.issuer.audiences.map(show).sort(compare),
      audienceClaim: source.issuer.audienceClaim,
      algorithms: [...source.issuer.algorithms].map(String).sort(compare),
      // The issuer profile, in its own order (the first client claim a token has names its client).
      clientClaims: [...source.issuer.profile.clientClaims],
      grantClaims: [...source.issuer.profile.grantClaims],
      tokenKind: source.issuer.profile.tokenKind ? `${source.issuer.profile.tokenKind.claim} in ${JSON.stringify(source.issuer.profile.tokenKind.values)}` : null,
      callerChoosesAudience: source.issuer.profile.callerChosenAudience !== undefined,
    },
    ...(source.httpAuthorizers ? { authorizers: httpAuthorizers(source.httpAuthorizers, routes, names, stack) } : {}),
    routes,
    callerRoles,
    quotas: source.quotas ? quotas(source.quotas) : null,
    ...(source.httpAuthorizers ? { notApplicable: source.httpAuthorizers.notApplicable.map((n) => ({ feature: n.feature, reason: n.reason })) } : {}),
    acceptedRisksAndSkippedChecks: acceptances(source),
    federatedRolesInApp: federatedRoles(source.api, names),
  };
}

/** An HTTP API's authorizers: what each is given, checks and cannot, and the routes it guards. */
function httpAuthorizers(review: HttpAuthorizersReview, routes: readonly JsonObject[], names: ReferenceNames, stack: Stack): JsonObject {
  const guardedBy = (kind: string) => routes.filter((r) => r.authorizer === kind).map((r) => `${r.method} ${r.path}`);
  const { nativeJwt, lambda } = review;
  return {
    nativeJwt: {
      routes: guardedBy(HTTP_NATIVE_JWT),
      issuer: names.show(stack, nativeJwt.issuer),
      audiences: nativeJwt.audiences.map((a) => names.show(stack, a)).sort(compare),
      identitySource: nativeJwt.identitySource,
      checks: [...nativeJwt.checks],
      cannot: [...nativeJwt.cannot],
    },
    lambda: {
      routes: guardedBy(HTTP_LAMBDA),
      identitySources: [...lambda.identitySources],
      resultsCacheTtlSeconds: lambda.resultsCacheTtlSeconds,
      payloadFormatVersion: lambda.payloadFormatVersion,
      simpleResponses: lambda.simpleResponses,
      checks: [...lambda.checks],
    },
  };
}

function throttleOf(throttle: { readonly rateLimit?: number; readonly burstLimit?: number }): JsonObject {
  return {
    ...(throttle.rateLimit === undefined ? {} : { rateLimit: throttle.rateLimit }),
    ...(throttle.burstLimit === undefined ? {} : { burstLimit: throttle.burstLimit }),
  };
}

function callerRole(role: IConstruct, env: string, source: AccessReviewSource, names: ReferenceNames): JsonObject {
  const cfn = resolveCfnRole(role)!;
  const stack = Stack.of(cfn);
  const show = (value: unknown) => names.show(stack, value);
  const props = resolvedProperties(cfn) ?? {};
  const statements = list((props.AssumeRolePolicyDocument as any)?.Statement);
  const federating = statements.filter((s) => list(s.Action).some((a) => typeof a === 'string' && /^sts:AssumeRoleWith/.test(a)));
  const actions = new Set<string>(statements.flatMap((s) => list(s.Action).filter((a): a is string => typeof a === 'string')));
  const conditionValues = (suffix: string) => federating.flatMap((s) => Object.values<Record<string, unknown>>(s.Condition ?? {})
    .flatMap((keys) => Object.entries(keys).filter(([key]) => key.toLowerCase().endsWith(suffix)).flatMap(([, values]) => list(values).map(show))));
  const subjects = [...new Set(conditionValues(':sub'))].sort(compare);
  const accepted = acceptedRisks(cfn);
  const handlers = source.routes.filter((r) => r.callerRoleEnvs.includes(env) && r.handler).map((r) => r.handler!);
  const uniqueHandlers = [...new Set(handlers)].sort((a, b) => compare(a.node.path, b.node.path));
  return {
    path: role.node.path,
    handlerEnvironmentVariable: env,
    trustedBy: [...new Set(federating.flatMap((s) => list(s.Principal?.Federated).map(show)))].sort(compare),
    actions: [...actions].sort(compare),
    audiences: [...new Set(conditionValues(':aud'))].sort(compare),
    subjects: subjects.length > 0 ? subjects : 'any subject of the audiences',
    sessionTags: actions.has('sts:TagSession'),
    sourceIdentity: actions.has('sts:SetSourceIdentity'),
    maxSessionDurationSeconds: typeof props.MaxSessionDuration === 'number' ? props.MaxSessionDuration : 3600,
    permissionsBoundary: props.PermissionsBoundary === undefined ? null : show(props.PermissionsBoundary),
    permissions: permissionsOf(cfn, props, names),
    acceptedRisks: [...accepted].sort(([a], [b]) => compare(a, b)).map(([risk, reason]) => ({ risk, reason })),
    handlers: uniqueHandlers.map((h) => {
      const logGroup = source.handlerLogGroups?.get(h);
      return { path: h.node.path, logGroup: logGroup === undefined ? null : show(logGroup) };
    }),
  };
}

/**
 * What the role may do: its inline policies, the `AWS::IAM::Policy` and `AWS::IAM::ManagedPolicy`
 * resources of its stack attached to it, and the managed policies it names (by ARN; their
 * statements are not in the template).
 */
function permissionsOf(role: CfnResource, props: Record<string, any>, names: ReferenceNames): JsonObject {
  const stack = Stack.of(role);
  const show = (value: unknown) => names.show(stack, value);
  const logicalId = stack.resolve(role.logicalId);
  const statements: Json[] = [];
  const add = (document: any) => {
    for (const s of list(document?.Statement)) {
      statements.push({
        effect: String(s.Effect),
        actions: s.Action === undefined ? list(s.NotAction).map((a) => `NOT ${show(a)}`).sort(compare) : list(s.Action).map(show).sort(compare),
        resources: s.Resource === undefined ? list(s.NotResource).map((r) => `NOT ${show(r)}`).sort(compare) : list(s.Resource).map(show).sort(compare),
        ...(s.Condition === undefined ? {} : { conditions: show(s.Condition) }),
      });
    }
  };
  for (const policy of list(props.Policies)) add(policy.PolicyDocument);
  const managed: string[] = list(props.ManagedPolicyArns).map(show);
  for (const node of stack.node.findAll()) {
    if (!CfnResource.isCfnResource(node) || Stack.of(node) !== stack) continue;
    if (node.cfnResourceType !== 'AWS::IAM::Policy' && node.cfnResourceType !== 'AWS::IAM::ManagedPolicy') continue;
    const p = resolvedProperties(node);
    if (!list(p?.Roles).some((r) => r?.Ref === logicalId)) continue;
    if (node.cfnResourceType === 'AWS::IAM::ManagedPolicy') managed.push(names.pathOf(stack, stack.resolve(node.logicalId)));
    add(p?.PolicyDocument);
  }
  const key = (s: Json) => JSON.stringify(s);
  return {
    statements: statements.sort((a, b) => compare(key(a), key(b))),
    managedPolicies: [...new Set(managed)].sort(compare),
  };
}

function quotas(options: SecuredApiQuotaOptions): JsonObject {
  return {
    tiers: [...options.tiers].sort((a, b) => compare(a.name, b.name)).map((t) => ({
      name: t.name,
      rateLimit: t.rateLimit ?? null,
      burstLimit: t.burstLimit ?? null,
      quotaLimit: t.quotaLimit ?? null,
      quotaPeriod: t.quotaPeriod ?? null,
    })),
    clients: [...(options.clients ?? [])].sort((a, b) => compare(a.clientId, b.clientId)).map((c) => ({ clientId: c.clientId, tier: c.tier })),
    undeclaredClients: options.defaultTier === undefined ? 'denied (403 client_undeclared)' : `tier ${options.defaultTier}, one shared key`,
  };
}

/**
 * Every reason written down for not holding to a check: the deployment check skipped, FederationGuard
 * acceptances on the caller roles, and the acknowledged validation rules (cdk-nag's among them) on the
 * API's constructs and its handlers.
 */
function acceptances(source: AccessReviewSource): Json[] {
  const rows: JsonObject[] = [];
  if (source.deploymentCheckSkipped !== undefined) {
    rows.push({ path: source.api.node.path, kind: 'skipped check', id: 'deploymentCheck', reason: source.deploymentCheckSkipped });
  }
  for (const role of source.callerRoles.values()) {
    for (const [risk, reason] of acceptedRisks(resolveCfnRole(role)!)) {
      rows.push({ path: role.node.path, kind: 'accepted federation risk', id: risk, reason });
    }
  }
  const scopes = new Set<IConstruct>([source.api, ...source.routes.map((r) => r.handler).filter((h): h is IConstruct => h !== undefined)]);
  const seen = new Set<IConstruct>();
  for (const scope of scopes) {
    for (const node of scope.node.findAll()) {
      if (seen.has(node)) continue;
      seen.add(node);
      const entries = node.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY);
      const last = entries[entries.length - 1]?.data as Record<string, string> | undefined;
      for (const [id, reason] of Object.entries(last ?? {})) {
        // Validations.acknowledge prefixes an id without '::': 'annotation::' in aws-cdk-lib 2.257,
        // 'Annotation::' in later releases. The review names the rule the same on every version.
        rows.push({ path: node.node.path, kind: 'acknowledged validation rule', id: id.replace(/^annotation::/i, ''), reason: String(reason) });
      }
    }
  }
  return rows.sort((a, b) => compare(`${a.path}\n${a.id}`, `${b.path}\n${b.id}`));
}

/** Every role of the app whose trust federates (or may: a part the guard cannot read), with the guard's findings. */
function federatedRoles(api: IConstruct, names: ReferenceNames): Json[] {
  const rows: JsonObject[] = [];
  for (const node of api.node.root.node.findAll()) {
    if (!CfnResource.isCfnResource(node) || node.cfnResourceType !== CfnRole.CFN_RESOURCE_TYPE_NAME) continue;
    const stack = Stack.of(node);
    const reader = new StackTrustReader(stack, KNOWN_PROVIDERS.get(node));
    const trust = reader.inlineCfnJson(resolvedProperties(node)?.AssumeRolePolicyDocument);
    const parsed = parseTrustPolicy(trust, reader);
    if (parsed.statements.length === 0 && parsed.opaqueParts.length === 0) continue;
    const findings = analyzeTrustPolicy(trust, reader);
    const accepted = acceptedRisks(node);
    const statements = list((trust as any)?.Statement);
    rows.push({
      path: outermostRoleConstruct(node).node.path,
      stack: stack.artifactId,
      actions: [...new Set(statements.flatMap((s) => list(s.Action)).filter((a): a is string => typeof a === 'string' && /^sts:/.test(a)))].sort(compare),
      trustedBy: [...new Set(statements.flatMap((s) => list(s.Principal?.Federated).map((p) => names.show(stack, p))))].sort(compare),
      checkedByFederationGuard: guarded(node),
      openFindings: findings.filter((f) => !accepted.has(f.risk)).map((f) => ({ risk: f.risk, finding: `the trust policy ${f.message}` })),
      acceptedFindings: findings.filter((f) => accepted.has(f.risk)).map((f) => ({ risk: f.risk, finding: `the trust policy ${f.message}`, reason: accepted.get(f.risk)! })),
    });
  }
  return rows.sort((a, b) => compare(a.path as string, b.path as string));
}

/** Whether a FederationGuard added to the role or any scope above it (to the app) checks it. */
function guarded(role: IConstruct): boolean {
  for (let scope: IConstruct | undefined = role; scope; scope = scope.node.scope) {
    if (Aspects.of(scope).all.some((aspect) => aspect instanceof FederationGuard)) return true;
  }
  return false;
}

/** The construct people know the role by: the outermost one that stands for it (a FederatedRole, an iam.Role). */
function outermostRoleConstruct(role: CfnResource): IConstruct {
  let outermost: IConstruct = role;
  for (let scope = role.node.scope; scope && !Stack.isStack(scope); scope = scope.node.scope) {
    if (resolveCfnRole(scope) === role) outermost = scope;
  }
  return outermost;
}

function describeClaimRule(rule: ClaimRuleConfig): string {
  switch (rule.op) {
    case 'equals': return `${rule.claim} equals ${JSON.stringify(rule.value)}`;
    case 'contains': return `${rule.claim} contains ${JSON.stringify(rule.value)}`;
    default: return `${rule.claim} is one of ${JSON.stringify(rule.values ?? [])}`;
  }
}

/**
 * Template values as readable, stable text: a literal as it is; `Ref`/`Fn::GetAtt` as
 * `${<construct path>}` / `${<construct path>.<attribute>}` (logical ids hold hashes; paths are what a
 * reviewer knows); pseudo parameters as `${AWS::Region}`; `Fn::Join`/`Fn::Sub` joined; anything else
 * as compact JSON.
 */
class ReferenceNames {
  private readonly byStack = new Map<Stack, Map<string, string>>();

  public show(stack: Stack, value: unknown): string {
    const resolved: unknown = Token.isUnresolved(value) || (typeof value === 'object' && value !== null) ? stack.resolve(value) : value;
    return this.text(stack, resolved);
  }

  public pathOf(stack: Stack, logicalId: string): string {
    let paths = this.byStack.get(stack);
    if (!paths) {
      paths = new Map();
      for (const node of stack.node.findAll()) {
        // A deployment's logical id hashes the whole API (a REST API's definition, an HTTP API's
        // routes and authorizers): nothing a reviewer reads refers to it.
        const deployment = CfnResource.isCfnResource(node) && DEPLOYMENT_TYPES.includes(node.cfnResourceType);
        if (CfnElement.isCfnElement(node) && Stack.of(node) === stack && !deployment) {
          paths.set(stack.resolve(node.logicalId), readablePath(node));
        }
      }
      this.byStack.set(stack, paths);
    }
    return paths.get(logicalId) ?? logicalId;
  }

  private text(stack: Stack, value: unknown): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (Array.isArray(value)) return value.map((v) => this.text(stack, v)).join(', ');
    if (value && typeof value === 'object') {
      const v = value as Record<string, any>;
      const keys = Object.keys(v);
      if (keys.length === 1 && typeof v.Ref === 'string') {
        return v.Ref.startsWith('AWS::') ? `\${${v.Ref}}` : `\${${this.pathOf(stack, v.Ref)}}`;
      }
      if (keys.length === 1 && Array.isArray(v['Fn::GetAtt'])) {
        const [id, attribute] = v['Fn::GetAtt'];
        return `\${${this.pathOf(stack, String(id))}.${String(attribute)}}`;
      }
      if (keys.length === 1 && Array.isArray(v['Fn::Join']) && Array.isArray(v['Fn::Join'][1])) {
        return v['Fn::Join'][1].map((part: unknown) => this.text(stack, part)).join(String(v['Fn::Join'][0]));
      }
      if (keys.length === 1 && v['Fn::Sub'] !== undefined && typeof list(v['Fn::Sub'])[0] === 'string') {
        return (list(v['Fn::Sub'])[0] as string).replace(/\$\{([^}!.]+)(\.[^}]+)?\}/g, (whole, id: string, attribute: string | undefined) =>
          id.startsWith('AWS::') ? whole : `\${${this.pathOf(stack, id)}${attribute ?? ''}}`);
      }
      if (keys.length === 1 && v['Fn::ImportValue'] !== undefined) return `\${import ${this.text(stack, v['Fn::ImportValue'])}}`;
      return JSON.stringify(sortKeys(value));
    }
    return String(value);
  }
}

/** A CfnElement's path without the `/Resource` levels an L2 puts its L1 in. */
function readablePath(node: IConstruct): string {
  return node.node.path.replace(/(\/Resource)+$/, '');
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort(compare).map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
  }
  return value;
}

function list(value: unknown): any[] {
  return value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
}

/** Code-point order, not locale order: the same on every machine. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The review as Markdown: the same facts as the JSON, as tables a pull request diffs line by line. */
export function accessReviewMarkdown(review: JsonObject): string {
  const r = review as any;
  const out: string[] = [];
  const cell = (value: unknown) => (Array.isArray(value) ? value.join(', ') : String(value ?? '')).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ') || '-';
  const table = (headers: string[], rows: unknown[][]) => {
    out.push(`| ${headers.join(' | ')} |`, `|${headers.map(() => ' --- ').join('|')}|`);
    for (const row of rows) out.push(`| ${row.map(cell).join(' | ')} |`);
    out.push('');
  };
  out.push(`# Access review: ${r.api.path}`, '',
    `Written at synth by cdk-secured-api (${r.format}) from the templates as they will be deployed. Stack \`${r.api.stack}\`, ${r.api.kind ?? 'REST'} API \`${r.api.name}\`.`,
    'Review changes to this file like code: every access change shows here.', '');

  out.push('## Issuer', '');
  table(['Issuer', 'Audiences', 'Audience claim', 'Algorithms'], [[r.issuer.url, r.issuer.audiences, r.issuer.audienceClaim, r.issuer.algorithms]]);
  table(['Client claims (first present)', 'Grant claims', 'Token kind', 'Caller chooses the audience'],
    [[r.issuer.clientClaims, r.issuer.grantClaims, r.issuer.tokenKind ?? '-', r.issuer.callerChoosesAudience ? 'yes: every route pins its caller with a claim rule' : 'no']]);

  out.push(`## Routes (${r.routes.length})`, '');
  if (r.authorizers) {
    table(['Method', 'Path', 'Access', 'Authorizer (why)', 'Scopes (any of)', 'Claim rules (all of)', 'Served by', 'Caller roles'],
      r.routes.map((x: any) => [x.method, x.path, x.access, x.authorizerReason ? `${x.authorizer} (${x.authorizerReason})` : x.authorizer,
        x.scopesAnyOf, x.claimRulesAllOf, x.servedBy, x.callerRoles]));
    const jwt = r.authorizers.nativeJwt;
    const lambda = r.authorizers.lambda;
    out.push('## Authorizers', '');
    table(['Authorizer', 'Routes', 'Configuration', 'Checks', 'Cannot check or show'], [
      ['native JWT (API Gateway)', jwt.routes.length ? jwt.routes : 'none',
        [`issuer ${jwt.issuer}`, `audiences ${jwt.audiences.join(', ')}`, `identity source ${jwt.identitySource}`], jwt.checks.join('; '), jwt.cannot.join('; ')],
      ['Lambda', lambda.routes.length ? lambda.routes : 'none',
        [`identity sources ${lambda.identitySources.join(', ')}`, `result cache ${lambda.resultsCacheTtlSeconds} s`, `payload ${lambda.payloadFormatVersion}`, lambda.simpleResponses ? 'simple responses' : 'IAM policy responses'],
        lambda.checks.join('; '), '-'],
    ]);
  } else {
    table(['Method', 'Path', 'Access', 'Scopes (any of)', 'Claim rules (all of)', 'Served by', 'Caller roles'],
      r.routes.map((x: any) => [x.method, x.path, x.access, x.scopesAnyOf, x.claimRulesAllOf, x.servedBy, x.callerRoles]));
  }

  out.push(`## Caller roles (${r.callerRoles.length})`, '');
  if (r.callerRoles.length === 0) out.push('None: no handler of this API exchanges the caller\'s token for AWS credentials.', '');
  for (const role of r.callerRoles) {
    out.push(`### ${role.path}`, '');
    table(['Property', 'Value'], [
      ['Handler environment variable', role.handlerEnvironmentVariable],
      ['Trusted identity provider', role.trustedBy],
      ['Trust actions', role.actions],
      ['Audiences (aud)', role.audiences],
      ['Subjects (sub)', role.subjects],
      ['Session tags from the token', role.sessionTags ? 'allowed (sts:TagSession)' : 'not allowed'],
      ['Source identity from the token', role.sourceIdentity ? 'allowed (sts:SetSourceIdentity)' : 'not allowed'],
      ['Longest session (s)', role.maxSessionDurationSeconds],
      ['Permissions boundary', role.permissionsBoundary ?? 'none'],
      ['Managed policies', role.permissions.managedPolicies.length ? role.permissions.managedPolicies : 'none'],
      ['Handlers (log group)', role.handlers.map((h: any) => `${h.path} (${h.logGroup ?? 'unknown'})`)],
      ...role.acceptedRisks.map((a: any) => [`Accepted risk ${a.risk}`, a.reason]),
    ]);
    if (role.permissions.statements.length === 0) {
      out.push('Permissions: none in the template.', '');
    } else {
      table(['Effect', 'Actions', 'Resources', 'Conditions'], role.permissions.statements.map((s: any) => [s.effect, s.actions, s.resources, s.conditions ?? '']));
    }
  }

  if (r.notApplicable) {
    out.push('## Not applicable to an HTTP API', '', 'None of these is configured, and none can be:', '', ...r.notApplicable.map((n: any) => `- ${n.feature}: ${n.reason}`), '');
  } else if (!r.quotas) {
    out.push('## Quotas', '');
    out.push('None: no usage plans or API keys.', '');
  } else {
    out.push('## Quotas', '');
    table(['Tier', 'Rate (req/s)', 'Burst', 'Quota', 'Period'], r.quotas.tiers.map((t: any) => [t.name, t.rateLimit ?? '-', t.burstLimit ?? '-', t.quotaLimit ?? '-', t.quotaPeriod ?? '-']));
    table(['Client (client_id)', 'Tier'], [...r.quotas.clients.map((c: any) => [c.clientId, c.tier]), ['(undeclared clients)', r.quotas.undeclaredClients]]);
  }

  out.push(`## Accepted risks and skipped checks (${r.acceptedRisksAndSkippedChecks.length})`, '');
  table(['Construct', 'Kind', 'Rule or check', 'Reason'], r.acceptedRisksAndSkippedChecks.map((a: any) => [a.path, a.kind, a.id, a.reason]));

  out.push(`## Federated roles in the app: FederationGuard (${r.federatedRolesInApp.length})`, '');
  table(['Role', 'Stack', 'Trusted identity provider', 'Actions', 'Checked by FederationGuard', 'Open findings', 'Accepted findings (reason)'],
    r.federatedRolesInApp.map((x: any) => [x.path, x.stack, x.trustedBy, x.actions, x.checkedByFederationGuard ? 'yes' : 'NO',
      x.openFindings.map((f: any) => `${f.risk}: ${f.finding}`).join('; ') || 'none',
      x.acceptedFindings.map((f: any) => `${f.risk} (${f.reason})`).join('; ') || 'none']));
  return out.join('\n').replace(/\n+$/, '') + '\n';
}
