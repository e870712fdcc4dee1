import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';

/** A custom domain name for a `SecuredApi`'s stage. */
export interface SecuredApiDomainOptions {
  /**
   * The domain name callers use, e.g. `orders.example.com`. Point it at the domain's
   * `domainNameAliasDomainName` (a Route 53 alias record, or a CNAME); that record is not created here.
   */
  readonly domainName: string;

  /**
   * The ACM certificate for `domainName`, in the stack's region (a regional custom domain name takes
   * a certificate of its own region).
   */
  readonly certificate: acm.ICertificate;

  /**
   * The path under the domain that leads to the API, e.g. `orders` for
   * `https://api.example.com/orders/...`; `v1/orders` (more than one level) is allowed.
   *
   * @default - the API is at the domain's root, and the domain can map no other API
   */
  readonly basePath?: string;

  /**
   * Whether to turn off the REST API's default endpoint
   * (`https://{id}.execute-api.{region}.amazonaws.com`), so that the custom domain is the only way
   * in: whatever the domain has in front of it (a web ACL, mutual TLS, a CDN) cannot be walked around.
   *
   * @default false
   */
  readonly disableDefaultEndpoint?: boolean;

  /**
   * The TLS security policy of the domain. TLS 1.0 is refused.
   *
   * @default apigateway.SecurityPolicy.TLS_1_2
   */
  readonly securityPolicy?: apigateway.SecurityPolicy;
}
