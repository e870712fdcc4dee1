import { Template } from 'aws-cdk-lib/assertions';

/**
 * The keys of a path item that are operations, by method (`ANY` is API Gateway's any-method). Written
 * out here rather than imported from src/api/definition.ts, so that tests read definitions
 * independently of the code that writes and checks them.
 */
const OPERATION_KEYS: Readonly<Record<string, string>> = {
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
