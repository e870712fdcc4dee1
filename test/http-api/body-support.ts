// Reads a SecuredHttpApi's routes, authorizers and integrations from its OpenAPI definition (the
// AWS::ApiGatewayV2::Api's Body), in the shapes the Route, Authorizer and Integration resources had
// (and GetRoutes / GetAuthorizers / GetIntegrations return): authorizers and integrations by their
// name in the definition.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import type { DeployedHttpApi } from '../../src/api/runtime/http-compare';
import { importedAuthorizer, importedIntegration, readBody } from '../../src/http-api/private/body';
import { OidcIssuer } from '../../src/identity/oidc-issuer';

/** The Body of the template's only AWS::ApiGatewayV2::Api. */
export function apiBody(template: Template | any): any {
  const json = template instanceof Template ? template.toJSON() : template;
  const apis = Object.values<any>(json.Resources ?? {}).filter((r) => r.Type === 'AWS::ApiGatewayV2::Api');
  if (apis.length !== 1) throw new Error(`${apis.length} AWS::ApiGatewayV2::Api in the template`);
  return apis[0].Properties.Body;
}

/** The routes by route key: `AuthorizationType`, `AuthorizerId` (the authorizer's name), `AuthorizationScopes` (JWT routes with scopes), `Target` (the integration's name). */
export function routesOf(template: Template | any): Record<string, any> {
  const read = readBody(apiBody(template));
  if (read.problems.length > 0) throw new Error(read.problems.join('; '));
  return Object.fromEntries(read.operations.map((op) => [op.routeKey, {
    RouteKey: op.routeKey,
    AuthorizationType: op.authorizationType ?? 'NONE',
    ...(op.authorizer !== undefined ? { AuthorizerId: op.authorizer } : {}),
    ...(op.authorizationType === 'JWT' && op.scopes.length > 0 ? { AuthorizationScopes: op.scopes } : {}),
    ...(op.integrationName !== undefined ? { Target: op.integrationName } : {}),
  }]));
}

/** The authorizers by name. */
export function authorizersOf(template: Template | any): Record<string, any> {
  return Object.fromEntries([...readBody(apiBody(template)).authorizers].map(([name, a]) => [name, importedAuthorizer(name, a)]));
}

/** The integrations by name. */
export function integrationsOf(template: Template | any): Record<string, any> {
  return Object.fromEntries([...readBody(apiBody(template)).integrations].map(([name, i]) => [name, importedIntegration(name, i)]));
}

/** The model.json of the deployment check's asset in a synthesized assembly. */
export function modelOf(directory: string): any {
  const files = fs.readdirSync(directory).filter((d) => d.startsWith('asset.')).map((d) => path.join(directory, d, 'model.json')).filter((f) => fs.existsSync(f));
  return files.map((f) => JSON.parse(fs.readFileSync(f, 'utf8'))).find((m) => Array.isArray(m.routes));
}

/**
 * A template value as CloudFormation would resolve it here: a `Ref` is the logical id (as API
 * Gateway's ids), a `GetAtt` an ARN naming it, an import `imported:<export name>`.
 */
export function resolved(v: any): any {
  if (v === undefined || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(resolved);
  if ('Ref' in v) return v.Ref;
  if ('Fn::GetAtt' in v) return `arn:aws:lambda:eu-west-1:123456789012:function:${v['Fn::GetAtt'][0]}`;
  if ('Fn::Join' in v) return v['Fn::Join'][1].map(resolved).join(v['Fn::Join'][0]);
  if ('Fn::ImportValue' in v) return `imported:${resolved(v['Fn::ImportValue'])}`;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolved(x)]));
}

/**
 * What GetRoutes/GetAuthorizers/GetIntegrations would return once API Gateway imported the
 * template's OpenAPI definition: the definition's names as API Gateway's ids.
 */
export function deployedFromTemplate(template: Template): DeployedHttpApi {
  return {
    routes: Object.values(routesOf(template)).map((r, i) => ({
      RouteId: `r${i}`,
      RouteKey: r.RouteKey,
      AuthorizationType: r.AuthorizationType,
      AuthorizerId: r.AuthorizerId,
      AuthorizationScopes: r.AuthorizationScopes,
      Target: r.Target === undefined ? undefined : `integrations/${r.Target}`,
    })),
    authorizers: Object.entries(authorizersOf(template)).map(([name, a]) => ({ AuthorizerId: name, ...resolved(a) })),
    integrations: Object.entries(integrationsOf(template)).map(([name, i]) => {
      const { Name: _name, ...rest } = resolved(i);
      return { IntegrationId: name, ...rest };
    }),
  };
}

/** The deployment check's `Values` as CloudFormation would resolve them (as `deployedFromTemplate` does). */
export function valuesOf(template: Template): string[] {
  const checks = Object.values<any>(template.findResources('Custom::SecuredHttpApiDeploymentCheck'));
  if (checks.length !== 1) throw new Error(`${checks.length} deployment checks in the template`);
  return (checks[0].Properties.Values ?? []).map(resolved);
}

/**
 * The backend tests' issuer, Auth0: routes with handlers and no claim rules go to the native JWT
 * authorizer, so a backend route's Lambda authorizer is the backend's doing.
 */
export const BACKEND_TEST_ISSUER = OidcIssuer.auth0('example.eu.auth0.com', { audiences: ['https://orders.example.com'] });

/** The caller-header mappings a guarded backend route's integration must carry, written out. */
export const GUARDED_CALLER_MAPPINGS: Readonly<Record<string, string>> = {
  'overwrite:header.X-Secured-Api-Principal': '$context.authorizer.principal',
  'overwrite:header.X-Secured-Api-Sub': '$context.authorizer.sub',
  'overwrite:header.X-Secured-Api-Client-Id': '$context.authorizer.clientId',
  'overwrite:header.X-Secured-Api-Scopes': '$context.authorizer.scopes',
  'overwrite:header.X-Secured-Api-Issuer': '$context.authorizer.issuer',
  'overwrite:header.X-Secured-Api-Exp': '$context.authorizer.exp',
};

/** The caller-header mappings a public backend route's integration must carry: fixed values. */
export const PUBLIC_CALLER_MAPPINGS: Readonly<Record<string, string>> = {
  'overwrite:header.X-Secured-Api-Principal': 'public',
  'overwrite:header.X-Secured-Api-Sub': '-',
  'overwrite:header.X-Secured-Api-Client-Id': '-',
  'overwrite:header.X-Secured-Api-Scopes': '-',
  'overwrite:header.X-Secured-Api-Issuer': '-',
  'overwrite:header.X-Secured-Api-Exp': '-',
};
