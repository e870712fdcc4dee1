import { Arn, ArnFormat, CfnResource, Stack, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import { SecuredApiDomainOptions } from './domain-options';
import { DOMAIN_RULES, ruleMessages } from './rules';
import { validationError } from '../errors';
import { resolvedProperties } from '../roles/private/resolved-properties';

/**
 * Creates the regional custom domain name of a SecuredApi, maps `basePath` on it to the API's one
 * stage, and, when the default endpoint is disabled, checks at synth that it stays disabled.
 *
 * - A regional custom domain name needs an ACM certificate in the API's region, and a DNS record
 *   pointing at its regional domain name
 *   (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-regional-api-custom-domain-create.html).
 * - Base path mappings of more than one level (`v1/orders`) need a regional domain and TLS 1.2 or
 *   higher (https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-mappings.html).
 *
 * @returns the domain and the URL of the API under it
 */
export function createCustomDomain(
  scope: Construct, where: string, api: apigateway.SpecRestApi, options: SecuredApiDomainOptions,
): { domain: apigateway.DomainName; url: string } {
  const { domainName, certificate, basePath, disableDefaultEndpoint } = options;
  const securityPolicy = options.securityPolicy ?? apigateway.SecurityPolicy.TLS_1_2;
  if (typeof domainName !== 'string' || (!Token.isUnresolved(domainName)
    && !/^(?=.{1,253}$)(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/.test(domainName))) {
    throw validationError('SecuredApi.InvalidDomainName', `${where}: domain.domainName ${JSON.stringify(domainName)} is not a domain name; pass a fully qualified name in lower case, e.g. 'orders.example.com', without a scheme, port or path.`, scope);
  }
  if (!certificate) {
    throw validationError('SecuredApi.MissingCertificate', `${where}: domain.certificate is missing; pass the ACM certificate of ${domainName}, in the stack's region.`, scope);
  }
  const certificateArn = certificate.certificateArn;
  const stackRegion = Stack.of(scope).region;
  if (!Token.isUnresolved(certificateArn) && !Token.isUnresolved(stackRegion)) {
    const region = Arn.split(certificateArn, ArnFormat.SLASH_RESOURCE_NAME).region;
    if (region && region !== stackRegion) {
      throw validationError('SecuredApi.CertificateInOtherRegion', `${where}: domain.certificate ${certificateArn} is in ${region}, but the API is in ${stackRegion}; a regional custom domain name takes a certificate of its own region: request or import one in ${stackRegion}.`, scope);
    }
  }
  if (basePath !== undefined && (typeof basePath !== 'string' || (!Token.isUnresolved(basePath)
    && !/^[A-Za-z0-9$_.+!*'()-]+(\/[A-Za-z0-9$_.+!*'()-]+)*$/.test(basePath)))) {
    throw validationError('SecuredApi.InvalidBasePath', `${where}: domain.basePath ${JSON.stringify(basePath)} is not a base path; pass path segments without leading or trailing '/', e.g. 'orders' or 'v1/orders', or leave it out to map the domain's root.`, scope);
  }
  if (disableDefaultEndpoint !== undefined && typeof disableDefaultEndpoint !== 'boolean') {
    throw validationError('SecuredApi.DisableDefaultEndpointNotBoolean', `${where}: domain.disableDefaultEndpoint ${JSON.stringify(disableDefaultEndpoint)} is not a boolean; pass true or false.`, scope);
  }
  if (securityPolicy === apigateway.SecurityPolicy.TLS_1_0) {
    throw validationError('SecuredApi.InsecureTlsPolicy', `${where}: domain.securityPolicy TLS_1_0 lets clients connect with TLS 1.0 and 1.1; pass apigateway.SecurityPolicy.TLS_1_2 (the default) or a TLS 1.3 policy.`, scope);
  }

  const domain = new apigateway.DomainName(scope, 'Domain', {
    domainName,
    certificate,
    endpointType: apigateway.EndpointType.REGIONAL,
    securityPolicy,
  });
  const stage = api.deploymentStage;
  if (basePath !== undefined && basePath.includes('/')) {
    domain.addApiMapping(stage, { basePath });
  } else {
    domain.addBasePathMapping(api, { basePath, stage });
  }

  if (disableDefaultEndpoint) {
    const cfn = api.node.defaultChild as CfnResource;
    const subject = () => ({ path: where, restApiPath: cfn.node.path, properties: resolvedProperties(cfn) });
    scope.node.addValidation({ validate: () => ruleMessages(DOMAIN_RULES, subject()) });
  }
  return { domain, url: `https://${domainName}/${basePath === undefined ? '' : `${basePath}/`}` };
}
