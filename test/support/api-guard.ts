import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { ordersApi } from './orders-api';
import { DeployedApi } from '../../src/api/guards';

/** The definition a guard compares with: GET /orders guarded, GET /health public. */
export const WRITTEN_BODY = {
  openapi: '3.0.1',
  paths: {
    '/orders': { get: { 'security': [{ tokenAuthorizer: [] }], 'x-amazon-apigateway-integration': { uri: { 'Fn::Sub': 'arn:${List.Arn}' } } } },
    '/health': { get: { security: [] } },
  },
  components: { securitySchemes: { tokenAuthorizer: { type: 'apiKey' } } },
};

/** The REST API's properties as the construct writes them. */
export function writtenProperties(): Record<string, any> {
  return {
    Body: JSON.parse(JSON.stringify(WRITTEN_BODY)),
    Mode: 'overwrite',
    FailOnWarnings: true,
    Parameters: { endpointConfigurationTypes: 'REGIONAL' },
  };
}

/** A deployed REST API of `properties` (by default as written), read without the rest of the app. */
export function deployedApi(properties: unknown = writtenProperties()): DeployedApi {
  return {
    path: 'Orders/Api',
    restApiPath: 'Orders/Api/Api/Resource',
    properties,
    written: { body: WRITTEN_BODY, mode: 'overwrite', parameters: { endpointConfigurationTypes: 'REGIONAL' } },
  };
}

/** The README's Orders API (GET /orders) in its stack, with its REST API's L1 for escape hatches. */
export function ordersRestApi() {
  const made = ordersApi({ dashboard: false, alarms: false, auditQueries: false });
  return { ...made, cfnApi: made.api.restApi.node.defaultChild as apigateway.CfnRestApi };
}
