// Lambda permissions of the functions that serve an API's routes.
import { Names, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/**
 * Lets a REST API invoke the functions serving its routes: one permission per function, for any
 * method and path of the API, rather than one per route (a function serving many routes would
 * otherwise outgrow Lambda's 20 KB resource policy, and the stack its 500 resources).
 */
export class InvokePermissions {
  private readonly allowed = new Set<lambda.IFunction>();

  /** @param api the construct the permissions are named after and made under (the SecuredApi) */
  constructor(private readonly api: Construct, private readonly restApi: apigateway.IRestApi) {}

  /**
   * Lets the API invoke `fn`, once per function. The permission of a function in another stack is
   * made in the API's stack, beside the definition that names the function: made in the function's
   * stack it would refer back to the API, a circular dependency between the two stacks.
   */
  public allow(fn: lambda.IFunction): void {
    if (this.allowed.has(fn)) return;
    this.allowed.add(fn);
    const sourceArn = this.restApi.arnForExecuteApi('*', '/*', '*');
    const principal = new iam.ServicePrincipal('apigateway.amazonaws.com');
    if (fn.node.defaultChild instanceof lambda.CfnFunction && Stack.of(fn) !== Stack.of(this.api)) {
      const scope = this.api.node.tryFindChild('BackendPermissions') ?? new Construct(this.api, 'BackendPermissions');
      new lambda.CfnPermission(scope, Names.uniqueId(fn), {
        action: 'lambda:InvokeFunction',
        functionName: fn.functionArn,
        principal: principal.service,
        sourceArn,
      });
    } else {
      fn.addPermission(`InvokedBy${Names.uniqueId(this.api)}`, { principal, sourceArn });
    }
  }
}
