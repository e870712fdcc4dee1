import { ApiGuard, DeployedApi } from './deployed-api';
import { messageRule } from '../../rules/rule';

/**
 * The one template-level transform allowed in the REST API's stack: AWS SAM's, which rewrites
 * `AWS::Serverless::*` resources only (aws-cdk-lib's `aws-sam` L1s add it)
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/transform-aws-serverless.html).
 * Any other macro, `AWS::LanguageExtensions` included (`Fn::ForEach` makes resources), processes
 * the whole template at deployment, so the REST API deployed could be other than the one checked
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/transform-section-structure.html).
 */
const ALLOWED_TRANSFORMS = ['AWS::Serverless-2016-10-31'];

export const templateTransform: ApiGuard = messageRule<DeployedApi>('SecuredApi.TemplateTransform', 'no template transform (macro) but AWS SAM\'s in the REST API\'s stack', (api) => (api.transforms ?? [])
  .filter((transform) => !ALLOWED_TRANSFORMS.includes(transform))
  .map((transform) => `the stack of ${api.path} declares the template transform ${JSON.stringify(transform)}, a macro that processes the whole template at deployment, `
    + `so the REST API ${api.restApiPath} deployed could be other than the one the synth checked; remove the transform from that stack (stack.templateOptions.transforms), `
    + 'or put the SecuredApi in a stack without it.'));
