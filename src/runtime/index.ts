/**
 * cdk-secured-api/runtime: helpers for your own Lambda functions behind a SecuredApi. Not part of the
 * construct library's jsii API; it imports no aws-cdk-lib, and the AWS SDK clients it uses are the
 * ones Lambda's Node.js runtime provides (`@aws-sdk/client-sts`, `@aws-sdk/client-secrets-manager`).
 */
export * from './errors';
export * from './audit';
export * from './contract';
export * from './web-identity';
export * from './saml';
export * from './client-credentials';
export { ARN_PARTITIONS, isRoleArn, parseRoleArn, RoleArnParts } from './role-arn';
