// The documents a SecuredApi (or SecuredHttpApi) writes next to its stack's template in the cloud
// assembly: the readers' OpenAPI document and the access review (JSON and Markdown).
import * as fs from 'fs';
import * as path from 'path';
import { attachCustomSynthesis, Stack, Token } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { accessReview, accessReviewMarkdown, HTTP_LAMBDA, HTTP_NATIVE_JWT, HTTP_NO_AUTHORIZER, HttpAuthorizersReview } from './access-review';
import { openApiDocument } from './openapi';
import type { SecuredApiQuotaOptions } from './quota-options';
import type { RouteRecord } from './route-set';
import type { RouteThrottle } from './throttle';
import { compileRouteTable } from '../authorizer/route-table';
import type { OidcIssuer } from '../identity/oidc-issuer';

/** What the documents are made from; read when they are rendered. */
export interface ApiDocumentsSource {
  /** The API's name (a token unless given). */
  readonly apiName: string;
  readonly description?: string;
  readonly issuer: OidcIssuer;
  /** The stage's name (a token unless given). */
  readonly stageName?: string;
  readonly resultsCacheTtlSeconds: number;
  /** The API's throttle. */
  readonly throttle?: RouteThrottle;
  readonly routes: () => readonly RouteRecord[];
  /** The caller roles, by their handlers' environment variable. */
  readonly callerRoles: () => ReadonlyMap<string, IConstruct>;
  /** Where each handler with caller roles writes its logs. */
  readonly handlerLogGroups: () => ReadonlyMap<IConstruct, string>;
  readonly quotas?: SecuredApiQuotaOptions;
  /** Why the deployment check is skipped; undefined when it runs. */
  readonly deploymentCheckSkipped?: string;
  /**
   * An HTTP API's two authorizers and each route's; the API is a REST API without it.
   * @default - a REST API
   */
  readonly http?: HttpApiDocumentsSource;
}

/** What only an HTTP API's documents say: which authorizer guards each route, and what each checks. */
export interface HttpApiDocumentsSource {
  /** Which authorizer guards a route, and why (read when the documents are rendered). */
  readonly routeAuthorizer: (route: RouteRecord) => { readonly type: 'public' | 'jwt' | 'lambda'; readonly reason: string };
  /** The authorizers as the access review shows them (their configuration is read from it by the OpenAPI document too). */
  readonly authorizers: () => HttpAuthorizersReview;
}

/** Renders an API's OpenAPI document and access review, and writes them at synthesis. */
export class ApiDocuments {
  /** @param api the construct the documents are of (their file names follow its path) */
  constructor(private readonly api: Construct, private readonly source: ApiDocumentsSource) {}

  /** `<stack artifact id>.<construct path below the stack, '/' as '.'>.openapi.json` */
  public get openApiFileName(): string {
    return `${this.assemblyFilePrefix()}.openapi.json`;
  }

  /** `<stack artifact id>.<construct path below the stack, '/' as '.'>.access-review.json` (and `.md` beside it) */
  public get accessReviewFileName(): string {
    return `${this.assemblyFilePrefix()}.access-review.json`;
  }

  /** Writes the documents into the assembly (nested, in a Stage) being written, next to the template. */
  public writeOnSynthesis(): void {
    attachCustomSynthesis(this.api, {
      onSynthesize: (session) => {
        fs.writeFileSync(path.join(session.outdir, this.openApiFileName), this.renderOpenApi());
        const review = this.renderAccessReview();
        fs.writeFileSync(path.join(session.outdir, this.accessReviewFileName), review);
        fs.writeFileSync(path.join(session.outdir, this.accessReviewFileName.replace(/\.json$/, '.md')), accessReviewMarkdown(JSON.parse(review)));
      },
    });
  }

  /** The access review as JSON (see `SecuredApi.renderAccessReview`, `SecuredHttpApi.renderAccessReview`). */
  public renderAccessReview(): string {
    const s = this.source;
    const reviewed = { jwt: HTTP_NATIVE_JWT, lambda: HTTP_LAMBDA, public: HTTP_NO_AUTHORIZER };
    return JSON.stringify(accessReview({
      api: this.api,
      kind: s.http ? 'HTTP' : 'REST',
      apiName: s.apiName,
      issuer: s.issuer,
      routes: s.routes().map((r) => ({
        method: r.method,
        resource: r.resource,
        scopes: r.scopes,
        claimRules: r.claimRules,
        isPublic: r.isPublic,
        throttle: r.throttle,
        handler: r.handler,
        backendUrl: r.backend?._reviewedTarget,
        callerRoleEnvs: r.callerRoles.map((c) => c.envName),
        ...(s.http ? { authorizer: ((a) => ({ kind: reviewed[a.type], reason: a.reason }))(s.http.routeAuthorizer(r)) } : {}),
      })),
      callerRoles: s.callerRoles(),
      quotas: s.quotas,
      deploymentCheckSkipped: s.deploymentCheckSkipped,
      handlerLogGroups: s.handlerLogGroups(),
      ...(s.http ? { httpAuthorizers: s.http.authorizers() } : {}),
    }), undefined, 2) + '\n';
  }

  /** The OpenAPI 3.0.3 document as JSON (see `SecuredApi.renderOpenApi`, `SecuredHttpApi.renderOpenApi`). */
  public renderOpenApi(): string {
    const s = this.source;
    const stack = Stack.of(this.api);
    const literal = (value: string | undefined, otherwise: string) =>
      value === undefined || Token.isUnresolved(value) ? otherwise : value;
    const routes = s.routes();
    const http = s.http ? { source: s.http, authorizers: s.http.authorizers() } : undefined;
    let identitySources: string[];
    if (http) {
      identitySources = [...http.authorizers.lambda.identitySources];
    } else {
      const guarded = routes.filter((r) => !r.isPublic).map(({ method, resource, scopes, claimRules }) => ({ method, resource, scopes, claimRules }));
      // The authorizer's own table compiles once, freezing its routes; compile a copy, so that this may run before the last route.
      identitySources = ['method.request.header.Authorization'];
      if (compileRouteTable(guarded).cacheMode === 'route') {
        identitySources.push('context.httpMethod', 'context.resourcePath');
      }
    }
    const description: unknown = stack.resolve(s.description);
    const document = openApiDocument({
      title: literal(s.apiName, this.api.node.path),
      description: typeof description === 'string' ? description : undefined,
      issuerUrl: literal(s.issuer.issuerUrl, 'https://issuer-known-at-deployment.invalid'),
      audiences: s.issuer.audiences.filter((a) => !Token.isUnresolved(a)),
      identitySources,
      resultsCacheTtlSeconds: s.resultsCacheTtlSeconds,
      stageName: literal(s.stageName, 'prod'),
      region: Token.isUnresolved(stack.region) ? undefined : stack.region,
      throttle: s.throttle,
      routes: routes.map((r) => {
        const { method, resource, scopes, claimRules, isPublic, throttle } = r;
        const a = http?.source.routeAuthorizer(r);
        return {
          ...{ method, resource, scopes, claimRules, isPublic, throttle },
          ...(a && a.type !== 'public' ? { authorizer: { type: a.type, reason: a.type === 'lambda' ? a.reason : '' } } : {}),
        };
      }),
      deploymentCheckSkipped: s.deploymentCheckSkipped,
      ...(http ? {
        kind: 'HTTP' as const,
        jwtAuthorizer: {
          issuer: literal(http.authorizers.nativeJwt.issuer, 'https://issuer-known-at-deployment.invalid'),
          audiences: http.authorizers.nativeJwt.audiences.filter((a) => !Token.isUnresolved(a)),
          identitySource: http.authorizers.nativeJwt.identitySource,
        },
      } : {}),
    });
    return JSON.stringify(document, undefined, 2) + '\n';
  }

  /** `<stack artifact id>.<construct path below the stack, '/' as '.'>`, for the files written beside the template. */
  private assemblyFilePrefix(): string {
    const stack = Stack.of(this.api);
    const below = this.api.node.scopes.slice(stack.node.scopes.length).map((c) => c.node.id.replace(/[^A-Za-z0-9_-]/g, '_'));
    return `${stack.artifactId}.${below.join('.')}`;
  }
}
