/**
 * `cdk-secured-api/testing`: test a SecuredApi's route and scope rules in jest, without AWS.
 * A LocalIssuer signs tokens and serves its keys on 127.0.0.1; a SynthesizedAuthorizer runs the
 * authorizer synthesized into the app's cloud assembly and answers requests as API Gateway would; a
 * SynthesizedHttpApi answers as a SecuredHttpApi would (route keys, native JWT, the Lambda authorizer).
 * `withConstructTree` registers a cdk-nag 3 rule pack on aws-cdk-lib 2.257.x.
 * Not jsii: plain TypeScript for Node.js; it reads cdk.out and never imports aws-cdk-lib.
 */
export { LocalIssuer } from './local-issuer';
export type { LocalIssuerAlgorithm, LocalIssuerOptions, PublicJwk, TokenOptions } from './local-issuer';
export { SynthesizedAuthorizer } from './synthesized-authorizer';
export type { ApiRequest, AuthorizerResponse, EmptyMappedValue, IssuerOverride, SynthesizedAuthorizerOptions } from './synthesized-authorizer';
export { evaluatePolicy, globMatches } from './iam-policy';
export type { PolicyDocument } from './iam-policy';
export { matchResource } from './resource-match';
export { withConstructTree } from './construct-tree';
export type { ConstructTreePlugin, ConstructTreeValidator } from './construct-tree';
export { TrustSimulator } from './trust-simulator';
export type { AssemblyRole, SamlCaller, TrustCaller, TrustDecision, WebIdentityCaller } from './trust-simulator';
export { SynthesizedHttpApi } from './synthesized-http-api';
export type { HttpApiResponse, HttpApiRoute, SynthesizedHttpApiOptions } from './synthesized-http-api';
export { matchRouteKey } from './http-route-match';
