// The REST API a SecuredApi imports from its definition.
import { CfnResource, Lazy, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import { sharedCloudWatchAccount } from './private/account-role';

/**
 * How the definition is imported: `overwrite`, so that an update removes what the definition no
 * longer has (a removed public route must not stay open).
 */
export const IMPORT_MODE = apigateway.RestApiMode.OVERWRITE;

/**
 * The import parameters, the only ones the guards allow. API Gateway reads the endpoint type of an
 * imported definition from `endpointConfigurationTypes`.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/import-export-api-endpoints.html
 */
export const IMPORT_PARAMETERS: Readonly<Record<string, string>> = { endpointConfigurationTypes: 'REGIONAL' };

/** What the REST API is made of. */
export interface ImportedRestApiProps {
  readonly restApiName: string;
  /** The definition, read at synthesis (once every route is added). */
  readonly definition: () => { [key: string]: unknown };
  readonly deployOptions: apigateway.StageOptions;
  readonly disableExecuteApiEndpoint: boolean;
  /** Whether to share the account's API Gateway CloudWatch role (`cloudWatchRole`). */
  readonly cloudWatchRole: boolean;
}

/**
 * A regional `SpecRestApi` (id `Api`) imported from the definition with `FailOnWarnings` in
 * `overwrite` mode, redeployed whenever the definition changes.
 */
export function createImportedRestApi(scope: Construct, props: ImportedRestApiProps): apigateway.SpecRestApi {
  const definition = Lazy.any({ produce: props.definition });
  const restApi = new apigateway.SpecRestApi(scope, 'Api', {
    restApiName: props.restApiName,
    apiDefinition: apigateway.ApiDefinition.fromInline(definition),
    // The definition is the whole API: an update removes what it no longer has (a removed public
    // route must not stay open).
    mode: IMPORT_MODE,
    // An import that drops or misreads part of the definition (API Gateway reports it as a warning
    // and goes on) fails the deployment, and CloudFormation rolls back, instead of deploying
    // another API than the routes describe (API Gateway's default is false).
    // @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigateway-restapi.html#cfn-apigateway-restapi-failonwarnings
    // @see https://docs.aws.amazon.com/apigateway/latest/api/API_PutRestApi.html
    failOnWarnings: true,
    endpointTypes: [apigateway.EndpointType.REGIONAL],
    parameters: { ...IMPORT_PARAMETERS },
    // One role and Account per account and region, shared by its SecuredApis (sharedCloudWatchAccount, below).
    cloudWatchRole: false,
    ...(props.disableExecuteApiEndpoint ? { disableExecuteApiEndpoint: true } : {}),
    deployOptions: props.deployOptions,
  });
  // SpecRestApi does not redeploy when its definition changes; the deployment's logical id does
  // change with it here, so every change of the routes reaches the stage.
  restApi.latestDeployment!.addToLogicalId({ definition });
  Validations.of(restApi.node.defaultChild!).acknowledge({
    id: 'AwsSolutions-APIG2',
    reason: 'Request validation is on: the OpenAPI definition this REST API is imported from declares the request validator "params-and-body" (request parameters and bodies) and makes it the default of every operation (x-amazon-apigateway-request-validator); cdk-nag looks for an AWS::ApiGateway::RequestValidator resource, which an imported definition has no need of.',
  });
  if (props.cloudWatchRole) {
    sharedCloudWatchAccount(restApi, restApi.node.defaultChild as CfnResource);
  }
  return restApi;
}
