// The AWS sign-in endpoints a SAML assertion may be addressed to, per partition: the values `SAML:aud`
// can hold. IAM fills `SAML:aud` from the assertion's `Recipient`, which must be one of these URLs.
//
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html
//   (`https://region-code.signin.aws.amazon.com/saml`, the global `https://signin.aws.amazon.com/saml`, and
//   `https://region-code.signin.aws.amazon.com/saml/acs/IdP-ID` when SAML encryption is required)
// https://docs.aws.amazon.com/general/latest/gr/signin-service.html
//   (the region codes; us-east-1 is `signin.aws.amazon.com`, AWS GovCloud (US-West) is
//   `signin.amazonaws-us-gov.com`, AWS GovCloud (US-East) is `us-gov-east-1.signin.amazonaws-us-gov.com`)
// https://docs.amazonaws.cn/en_us/IAM/latest/UserGuide/id_roles_providers_create_saml_relying-party.html
//   (China: `https://signin.amazonaws.cn/saml` and `https://region-code.signin.amazonaws.cn/saml`)
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetSAMLProvider.html
//   (the IdP ID is the provider's SAMLProviderUUID: `[A-Z0-9]+`, 22 to 64 characters)

/** The partitions AWS documents SAML sign-in endpoints for, with their sign-in domain. */
const SIGN_IN_DOMAINS: Record<string, string> = {
  'aws': 'aws.amazon.com',
  'aws-cn': 'amazonaws.cn',
  'aws-us-gov': 'amazonaws-us-gov.com',
};

/** Regions whose sign-in endpoint is the partition's endpoint without a region code. */
const UNPREFIXED_REGIONS: Record<string, string> = {
  'aws': 'us-east-1',
  'aws-us-gov': 'us-gov-west-1',
};

/** How a region code of each partition looks (new regions of the partition included). */
const REGION_SHAPES: Record<string, RegExp> = {
  'aws': /^(?!cn-|us-gov-|us-iso|eu-iso)[a-z]{2}(-[a-z]+)+-\d{1,2}$/,
  'aws-cn': /^cn-[a-z]+-\d{1,2}$/,
  'aws-us-gov': /^us-gov-[a-z]+-\d{1,2}$/,
};

const PROVIDER_ID = /^[A-Z0-9]{22,64}$/;
const ENDPOINT = /^https:\/\/(?:([a-z0-9-]+)\.)?signin\.(aws\.amazon\.com|amazonaws\.cn|amazonaws-us-gov\.com)\/saml(?:\/acs\/([^/]+))?$/;

/** The partitions with documented SAML sign-in endpoints. */
export const SAML_PARTITIONS: readonly string[] = Object.keys(SIGN_IN_DOMAINS);

/** The partition of a region code, by its prefix (so regions newer than this code are known too). */
export function partitionOfRegion(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (REGION_SHAPES.aws.test(region)) return 'aws';
  return 'unknown';
}

/** Whether `region` is a region code of `partition`. */
export function isRegionOf(region: string, partition: string): boolean {
  return REGION_SHAPES[partition]?.test(region) ?? false;
}

/** Whether `id` has the shape of an IAM SAML provider's IdP ID (its SAMLProviderUUID). */
export function isProviderId(id: string): boolean {
  return PROVIDER_ID.test(id);
}

/**
 * The sign-in endpoint URL of a partition: its non-regional endpoint, or that of `region`, with
 * `/acs/<providerId>` when the assertions are encrypted. The caller checks the region and the ID.
 */
export function samlEndpointUrl(partition: string, region?: string, providerId?: string): string {
  const domain = SIGN_IN_DOMAINS[partition];
  const prefix = region === undefined || UNPREFIXED_REGIONS[partition] === region ? '' : `${region}.`;
  return `https://${prefix}signin.${domain}/saml${providerId === undefined ? '' : `/acs/${providerId}`}`;
}

/**
 * The partition whose documented sign-in endpoint `url` is, or undefined when it is none: exact
 * strings only, compared as IAM's `StringEquals` compares them (case-sensitively).
 */
export function partitionOfSamlEndpoint(url: string): string | undefined {
  const match = ENDPOINT.exec(url);
  if (!match) return undefined;
  const [, region, domain, providerId] = match;
  const partition = Object.keys(SIGN_IN_DOMAINS).find(p => SIGN_IN_DOMAINS[p] === domain)!;
  if (region !== undefined && (!isRegionOf(region, partition) || UNPREFIXED_REGIONS[partition] === region)) return undefined;
  if (providerId !== undefined && !isProviderId(providerId)) return undefined;
  return partition;
}

/** The documented endpoint forms, for messages. */
export function describeSamlEndpoints(): string {
  return "'https://signin.aws.amazon.com/saml' or 'https://<region>.signin.aws.amazon.com/saml' (aws), "
    + "'https://signin.amazonaws.cn/saml' or 'https://<region>.signin.amazonaws.cn/saml' (aws-cn), "
    + "'https://signin.amazonaws-us-gov.com/saml' or 'https://us-gov-east-1.signin.amazonaws-us-gov.com/saml' (aws-us-gov), "
    + "each optionally followed by '/acs/<IdP ID>' for encrypted assertions";
}
