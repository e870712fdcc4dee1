import { Template } from 'aws-cdk-lib/assertions';

/**
 * The keys of a path item that are operations, by method (`ANY` is API Gateway's any-method). Written
 * out here rather than imported from src/api/definition.ts, so that tests read definitions
 * independently of the code that writes and checks them.
 */
export const OPERATION_KEYS: Readonly<Record<string, string>> = {
  'get': 'GET',
  'post': 'POST',
  'put': 'PUT',
  'patch': 'PATCH',
  'delete': 'DELETE',
  'head': 'HEAD',
  'options': 'OPTIONS',
  'x-amazon-apigateway-any-method': 'ANY',
};

/** The OpenAPI definition (`Body`) of the template's one REST API. */
export function definitionOf(template: Template): any {
  const apis = Object.values<any>(template.findResources('AWS::ApiGateway::RestApi'));
  expect(apis).toHaveLength(1);
  return apis[0].Properties.Body;
}

/** Every operation of an OpenAPI document (a REST API's definition, or the readers' document), by `METHOD /path`. */
export function operationsOf(document: any): Map<string, any> {
  const ops = new Map<string, any>();
  for (const [resource, item] of Object.entries<Record<string, any>>(document.paths ?? {})) {
    for (const [key, op] of Object.entries(item ?? {})) {
      if (Object.hasOwn(OPERATION_KEYS, key)) {
        ops.set(`${OPERATION_KEYS[key]} ${resource}`, op);
      }
    }
  }
  return ops;
}

/** A method's authorization as API Gateway sets it up from an operation (see `authorizationOf`). */
export interface ReadAuthorization {
  /** The authorizer's security scheme, or undefined for a method open to anyone (`NONE`). */
  readonly authorizer?: string;
  readonly apiKeyRequired: boolean;
}

/**
 * How API Gateway reads an operation's `security` (the definitions here have no top-level one):
 * every scheme named in any requirement object applies to the one method, `api_key` as "an API key
 * is required" and any other scheme as the method's authorizer; `[]` or none is `NONE`. That is how
 * API Gateway's own export writes a method with both a custom authorizer and a required API key:
 * `[{ authorizer: [] }, { api_key: [] }]`. A security naming more than one authorizer has no
 * single reading and fails the test.
 */
export function authorizationOf(operation: any): ReadAuthorization {
  const security: Array<Record<string, unknown>> = operation.security ?? [];
  const schemes = new Set(security.flatMap((req) => Object.keys(req)));
  const authorizers = [...schemes].filter((s) => s !== 'api_key');
  expect(authorizers.length).toBeLessThanOrEqual(1);
  return { ...(authorizers.length ? { authorizer: authorizers[0] } : {}), apiKeyRequired: schemes.has('api_key') };
}
