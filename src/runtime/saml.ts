import type { AssumeRoleWithSAMLCommandOutput, STSClient } from '@aws-sdk/client-sts';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ExchangeAudit } from './audit';
import { loadSts } from './aws-sdk';
import { CallerCredentialsError } from './errors';
import { ARN_PARTITIONS, parseRoleArn, quoteForMessage } from './role-arn';

/** The SAML attribute whose values name the roles (and their SAML providers) the IdP offers. */
export const SAML_ROLE_ATTRIBUTE = 'https://aws.amazon.com/SAML/Attributes/Role';

/**
 * The longest base64 SAML response accepted, whitespace not counted: STS's own limit on
 * `SAMLAssertion` (100,000 characters).
 * @see https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html
 */
export const MAX_SAML_RESPONSE_CHARS = 100_000;

/** One role the SAML response offers, with the IAM SAML provider that vouches for it. */
export interface SamlRole {
  /** `arn:<partition>:iam::<account>:role/<path/name>` */
  readonly roleArn: string;
  /** `arn:<partition>:iam::<account>:saml-provider/<name>` */
  readonly principalArn: string;
}

/*
 * Limits on the unverified XML, far above what an IdP writes (a response nests about 8 deep, with a
 * handful of attributes per element) and checked on the parsed tree whatever the parser's own limits
 * are. Beyond any of them the response is refused as `saml_xml_refused`.
 */
/** The deepest nesting of elements read (the root is 1). */
export const MAX_SAML_XML_DEPTH = 32;
/** The most attributes one element may have. */
export const MAX_SAML_XML_ATTRIBUTES = 50;
/** The most elements a response may have. */
export const MAX_SAML_XML_ELEMENTS = 10_000;

/** `CreateSAMLProvider`'s `Name`: 1 to 128 of `[\w._-]` (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateSAMLProvider.html). */
const PROVIDER_ARN = /^arn:([a-z-]+):iam::(\d{12}):saml-provider\/([\w.-]{1,128})$/;
/**
 * Element and attribute names that are properties of every JavaScript object (`__proto__`,
 * `constructor`, `toString`...) or `prototype`: a parser that turns XML into objects must not be
 * handed them. No SAML schema has such a name, so they are refused, not worked around.
 */
const RESERVED_NAMES = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const DTD = /<!\s*(DOCTYPE|ENTITY)/i;

/**
 * The roles a base64 SAML response offers in its `https://aws.amazon.com/SAML/Attributes/Role`
 * attribute, in document order, without duplicates. Each value is `role,provider` or `provider,role`
 * (IdPs write either), in any partition (`aws`, `aws-cn`, `aws-us-gov`, ...).
 *
 * The XML is NOT verified here, and need not be: it only selects which role to ask for. STS checks
 * the signature, the audience and the provider, and refuses a role the signed assertion does not
 * offer. Parsing unverified XML is therefore kept small: whitespace and line-wrapped base64 are
 * tolerated, at most 100,000 characters (STS's own limit) are read, a document type declaration
 * or entity declaration is refused outright (no entity is ever expanded), and so is XML that nests
 * deeper than 32 elements, has more than 50 attributes on an element or 10,000 elements, or names an
 * element or attribute `__proto__`, `constructor`, `prototype` or another property every JavaScript
 * object has. Namespace prefixes (`saml2:`, `saml:`, none) are ignored. A value that is not a
 * role/provider pair of ARNs is skipped. Whatever the input, the only error is one of the 401s below:
 * hostile input is the caller's, never an outage.
 *
 * @throws CallerCredentialsError 401 `saml_too_large`, `saml_malformed`, `saml_dtd_refused`, `saml_xml_refused`, `saml_no_roles`
 */
export function parseSamlRoles(samlResponseBase64: string): SamlRole[] {
  try {
    return readRoles(samlResponseBase64);
  } catch (err) {
    if (err instanceof CallerCredentialsError) {
      throw err;
    }
    // Parsing untrusted input touches nothing but the input: whatever failed, the input made it fail.
    throw xmlRefused('the XML could not be read');
  }
}

function readRoles(samlResponseBase64: string): SamlRole[] {
  const xml = decodeSamlResponse(samlResponseBase64).xml;
  const doc = parseXml(xml);
  const response = doc.Response;
  if (!isObject(response)) {
    throw new CallerCredentialsError('saml_malformed', 401, 'The SAML response has no Response element at its root.');
  }
  const roles: SamlRole[] = [];
  const seen = new Set<string>();
  for (const assertion of list(response.Assertion)) {
    for (const statement of list(assertion.AttributeStatement)) {
      for (const attribute of list(statement.Attribute)) {
        if (attribute['@_Name'] !== SAML_ROLE_ATTRIBUTE) {
          continue;
        }
        for (const value of list(attribute.AttributeValue)) {
          const role = rolePair(textOf(value));
          if (role && !seen.has(`${role.roleArn},${role.principalArn}`)) {
            seen.add(`${role.roleArn},${role.principalArn}`);
            roles.push(role);
          }
        }
      }
    }
  }
  if (roles.length === 0) {
    throw new CallerCredentialsError('saml_no_roles', 401,
      `The SAML response offers no role: no ${SAML_ROLE_ATTRIBUTE} attribute with a role,provider pair of ARNs (an encrypted assertion cannot be read here).`);
  }
  return roles;
}

/** Temporary credentials, in the shape AWS SDK v3 clients take as `credentials`. */
export interface SamlAwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

/** What `SamlCredentials.assume` returns. */
export interface SamlCredentialsResult {
  readonly credentials: SamlAwsCredentials;
  /** The role assumed. */
  readonly roleArn: string;
  /** The IAM SAML provider that vouched for the assertion. */
  readonly principalArn: string;
  /** The assumed-role session's ARN (`arn:aws:sts::<account>:assumed-role/<role>/<session>`). */
  readonly assumedRoleArn?: string;
  /** The assertion's subject (`NameID`) as STS read it from the verified assertion. */
  readonly subject?: string;
  readonly subjectType?: string;
  /** The SAML issuer, as STS read it. */
  readonly issuer?: string;
  readonly sourceIdentity?: string;
  /** STS's request id, for joining with CloudTrail. */
  readonly requestId?: string;
}

/** Construction options of `SamlCredentials`. */
export interface SamlCredentialsOptions {
  /**
   * The STS client. Inject one to share it, to set its retry policy, or to mock it in tests.
   * @default - an STSClient created on first use in `region`
   */
  readonly stsClient?: STSClient;
  /**
   * The region of the STS endpoint (regional endpoints, never the global one).
   * @default - `AWS_REGION` (set by Lambda); without either, construction fails
   */
  readonly region?: string;
  /**
   * Session length in seconds, 900 to 43,200 (and at most the role's maximum session duration; the
   * assertion's `SessionNotOnOrAfter` may shorten it further).
   * @default 3600
   */
  readonly durationSeconds?: number;
  /** @default - an `ExchangeAudit` writing to stdout */
  readonly audit?: ExchangeAudit;
  /** Clock in epoch milliseconds, for latency. @default Date.now */
  readonly now?: () => number;
}

/** Options of one `SamlCredentials.assume` call. */
export interface SamlAssumeOptions {
  /**
   * The role to assume. Required when the response offers several roles; when it offers one, that
   * one is assumed (and a different `roleArn` is refused).
   * @default - the only role offered
   */
  readonly roleArn?: string;
  /** @default - the constructor's `durationSeconds` */
  readonly durationSeconds?: number;
  /**
   * A session policy (JSON) that narrows the role's permissions for this session only. Remember that
   * whoever holds the assertion can call STS without it (see the README's threat model).
   * @default - none
   */
  readonly policy?: string;
}

/**
 * Exchanges a base64 SAML response (the `SAMLResponse` an IdP posts) for temporary credentials of one
 * of the roles it offers, with STS `AssumeRoleWithSAML`, and writes one audit line per exchange.
 *
 * Errors (`CallerCredentialsError`; the README has the table). STS's errors get web identity's codes:
 * - 401 `saml_too_large`, `saml_malformed`, `saml_dtd_refused`, `saml_xml_refused`, `saml_no_roles`
 *   (from `parseSamlRoles`; STS is not called), `expired_assertion` (ExpiredTokenException),
 *   `invalid_assertion` (InvalidIdentityTokenException).
 * - 403 `invalid_role_arn` (the chosen `roleArn` is not an IAM role ARN, so no response can offer
 *   it), `role_not_chosen` (several roles offered and none chosen: the assertion is acceptable, but the
 *   caller must pick one; `parseSamlRoles` lists the choices), `role_not_offered` (the chosen role is
 *   not in the response), `idp_rejected_claim` (IDPRejectedClaimException), `access_denied` (the
 *   role's trust policy does not admit this assertion).
 * - 500 `misconfigured` (options), `malformed_policy_document`, `packed_policy_too_large`,
 *   `region_disabled`, `sts_rejected_request` (any other 4xx, e.g. a duration above the role's maximum).
 * - 503 `sts_throttled`, `sts_unavailable` (5xx, network), `sts_invalid_response`; the SDK client has
 *   retried already (its default: 3 attempts).
 *
 * @see https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html
 */
export class SamlCredentials {
  private readonly region: string;
  private readonly durationSeconds: number;
  private readonly audit: ExchangeAudit;
  private readonly now: () => number;
  private client?: STSClient;

  constructor(options: SamlCredentialsOptions = {}) {
    const region = options.region ?? process.env.AWS_REGION;
    if (!options.stsClient && !region) {
      throw new CallerCredentialsError('misconfigured', 500, 'SamlCredentials needs a region (or AWS_REGION) or an stsClient.');
    }
    this.region = region ?? '';
    this.client = options.stsClient;
    this.durationSeconds = checkDuration(options.durationSeconds ?? 3600);
    this.audit = options.audit ?? new ExchangeAudit();
    this.now = options.now ?? Date.now;
  }

  public async assume(samlResponseBase64: string, options: SamlAssumeOptions = {}): Promise<SamlCredentialsResult> {
    const started = this.now();
    let roleArn = options.roleArn;
    let attempts = 0;
    let requestId: string | undefined;
    try {
      const durationSeconds = checkDuration(options.durationSeconds ?? this.durationSeconds);
      if (options.roleArn !== undefined && !parseRoleArn(options.roleArn)) {
        // Not recorded as the audit line's role: a caller-chosen string is no role, nor a metric dimension.
        roleArn = undefined;
        throw new CallerCredentialsError('invalid_role_arn', 403,
          `The chosen roleArn ${quoteForMessage(options.roleArn)} is not an IAM role ARN (arn:<partition>:iam::<account>:role/<path/><name>).`);
      }
      const assertion = decodeSamlResponse(samlResponseBase64).base64;
      const chosen = chooseRole(parseSamlRoles(assertion), options.roleArn);
      roleArn = chosen.roleArn;
      let out: AssumeRoleWithSAMLCommandOutput;
      try {
        const { AssumeRoleWithSAMLCommand } = loadSts();
        out = await (await this.sts()).send(new AssumeRoleWithSAMLCommand({
          RoleArn: chosen.roleArn,
          PrincipalArn: chosen.principalArn,
          SAMLAssertion: assertion,
          DurationSeconds: durationSeconds,
          Policy: options.policy,
        }));
      } catch (err) {
        const meta = (err as { $metadata?: { attempts?: number; requestId?: string } }).$metadata;
        attempts = meta?.attempts ?? 1;
        requestId = meta?.requestId;
        throw stsError(err);
      }
      attempts = out.$metadata.attempts ?? 1;
      requestId = out.$metadata.requestId;
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
        throw new CallerCredentialsError('sts_invalid_response', 503, 'STS answered AssumeRoleWithSAML without complete credentials.');
      }
      const result: SamlCredentialsResult = {
        credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration },
        roleArn: chosen.roleArn,
        principalArn: chosen.principalArn,
        assumedRoleArn: out.AssumedRoleUser?.Arn,
        subject: out.Subject,
        subjectType: out.SubjectType,
        issuer: out.Issuer,
        sourceIdentity: out.SourceIdentity,
        requestId,
      };
      this.audit.record({
        kind: 'saml',
        outcome: 'issued',
        sub: out.Subject,
        roleArn: chosen.roleArn,
        sessionName: sessionNameOf(out.AssumedRoleUser?.Arn),
        requestId,
        latencyMs: this.now() - started,
        attempts,
      });
      return result;
    } catch (err) {
      const error = err instanceof CallerCredentialsError
        ? err
        : new CallerCredentialsError('sts_unavailable', 503, 'AssumeRoleWithSAML failed unexpectedly.', true, { cause: err });
      this.audit.record({
        kind: 'saml',
        outcome: 'failed',
        errorCode: error.code,
        roleArn,
        requestId,
        latencyMs: this.now() - started,
        attempts,
      });
      throw error;
    }
  }

  private async sts(): Promise<STSClient> {
    if (!this.client) {
      const { STSClient } = loadSts();
      this.client ??= new STSClient({ region: this.region });
    }
    return this.client;
  }
}

function chooseRole(offered: SamlRole[], roleArn: string | undefined): SamlRole {
  if (roleArn === undefined) {
    if (offered.length > 1) {
      throw new CallerCredentialsError('role_not_chosen', 403,
        `The SAML response offers ${offered.length} roles; pass the one to assume as roleArn (parseSamlRoles lists them).`);
    }
    return offered[0];
  }
  const match = offered.find((r) => r.roleArn === roleArn);
  if (!match) {
    throw new CallerCredentialsError('role_not_offered', 403, `The SAML response does not offer the role ${roleArn}.`);
  }
  return match;
}

function checkDuration(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < 900 || seconds > 43_200) {
    throw new CallerCredentialsError('misconfigured', 500, `durationSeconds must be an integer from 900 to 43200, got ${seconds}.`);
  }
  return seconds;
}

/**
 * STS's documented AssumeRoleWithSAML errors, and the SDK's transient failures, as
 * CallerCredentialsErrors. The codes are web identity's wherever the STS error is the same, so one
 * audit query covers both; only the assertion's own failures are named for it.
 */
function stsError(err: unknown): CallerCredentialsError {
  const e = (err ?? {}) as { name?: string; $metadata?: { httpStatusCode?: number }; $fault?: string };
  const name = e.name ?? '';
  const status = e.$metadata?.httpStatusCode;
  const as = (code: string, httpStatus: 401 | 403 | 500 | 503, message: string) =>
    new CallerCredentialsError(code, httpStatus, `${message} (STS ${name || 'error'})`, httpStatus === 503, { cause: err });
  switch (name.replace(/Exception$/, '')) {
    case 'ExpiredToken':
      return as('expired_assertion', 401, 'The SAML assertion has expired.');
    case 'InvalidIdentityToken':
      return as('invalid_assertion', 401, 'STS could not validate the SAML assertion.');
    case 'IDPRejectedClaim':
      return as('idp_rejected_claim', 403, 'STS rejected a claim of the assertion for this role.');
    case 'AccessDenied':
      return as('access_denied', 403, 'The role\'s trust policy does not admit this assertion.');
    case 'MalformedPolicyDocument':
      return as('malformed_policy_document', 500, 'The session policy is malformed.');
    case 'PackedPolicyTooLarge':
      return as('packed_policy_too_large', 500, 'The session policy and the assertion\'s session tags are too large.');
    case 'RegionDisabled':
      return as('region_disabled', 500, 'STS is not activated in this region for the role\'s account.');
  }
  if (/^Throttl/.test(name) || name === 'RequestLimitExceeded' || status === 429) {
    return as('sts_throttled', 503, 'STS throttled the request.');
  }
  if (e.$fault === 'server' || status === undefined || status >= 500) {
    return as('sts_unavailable', 503, 'STS failed or could not be reached.');
  }
  return as('sts_rejected_request', 500, 'STS rejected the request.');
}

/** The whitespace-free base64 and the XML it decodes to. */
function decodeSamlResponse(input: string): { base64: string; xml: string } {
  if (typeof input !== 'string' || input.length > 2 * MAX_SAML_RESPONSE_CHARS) {
    throw tooLarge();
  }
  const base64 = input.replace(/\s+/g, '');
  if (base64.length > MAX_SAML_RESPONSE_CHARS) {
    throw tooLarge();
  }
  if (base64.length === 0 || base64.length % 4 !== 0 || !BASE64.test(base64)) {
    throw new CallerCredentialsError('saml_malformed', 401, 'The SAML response is not base64.');
  }
  let xml: string;
  try {
    xml = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(Buffer.from(base64, 'base64'));
  } catch (err) {
    throw new CallerCredentialsError('saml_malformed', 401, 'The SAML response is not UTF-8.', false, { cause: err });
  }
  return { base64, xml };
}

function tooLarge(): CallerCredentialsError {
  return new CallerCredentialsError('saml_too_large', 401, `The SAML response is longer than ${MAX_SAML_RESPONSE_CHARS} base64 characters.`);
}

type XmlNode = Record<string, any>;

function parseXml(xml: string): XmlNode {
  // Refused before parsing: a DTD is where entity expansion (billion laughs) and external entities
  // (XXE) live, and a SAML response never needs one.
  if (DTD.test(xml)) {
    throw new CallerCredentialsError('saml_dtd_refused', 401, 'The SAML response declares a DOCTYPE or ENTITY; refused.');
  }
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new CallerCredentialsError('saml_malformed', 401, `The SAML response is not well-formed XML (line ${valid.err.line}).`);
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    removeNSPrefix: true,
    processEntities: false,
    htmlEntities: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    // fast-xml-parser 5 refuses deeper nesting and reserved names itself; checkTree() does not rely on it.
    maxNestedTags: MAX_SAML_XML_DEPTH,
  });
  let doc: unknown;
  try {
    doc = parser.parse(xml);
  } catch {
    throw xmlRefused(`the parser refused it (nesting beyond ${MAX_SAML_XML_DEPTH}, a reserved name, or a limit of its own)`);
  }
  checkTree(doc);
  return doc as XmlNode;
}

/**
 * Walks the parsed document without recursion and refuses it when it breaks a limit or names an
 * element or attribute after a property of every object (a prototype pollution attempt).
 */
function checkTree(doc: unknown): void {
  if (!isPlainNode(doc)) {
    throw xmlRefused('the parser did not answer a plain object');
  }
  const stack: Array<{ node: XmlNode; depth: number }> = [{ node: doc, depth: 0 }];
  let elements = 0;
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    let attributes = 0;
    for (const key of Object.keys(node)) {
      const isAttribute = key.startsWith('@_');
      const name = isAttribute ? key.slice(2) : key;
      if (isReservedName(name)) {
        throw xmlRefused(`an element or attribute is named ${quoteForMessage(name)}`);
      }
      if (isAttribute) {
        if (++attributes > MAX_SAML_XML_ATTRIBUTES) {
          throw xmlRefused(`an element has more than ${MAX_SAML_XML_ATTRIBUTES} attributes`);
        }
        continue;
      }
      if (key === '#text') {
        continue;
      }
      for (const child of Array.isArray(node[key]) ? node[key] : [node[key]]) {
        if (++elements > MAX_SAML_XML_ELEMENTS) {
          throw xmlRefused(`it has more than ${MAX_SAML_XML_ELEMENTS} elements`);
        }
        if (depth + 1 > MAX_SAML_XML_DEPTH) {
          throw xmlRefused(`it nests deeper than ${MAX_SAML_XML_DEPTH} elements`);
        }
        if (typeof child === 'object' && child !== null) {
          if (!isPlainNode(child)) {
            throw xmlRefused('the parser did not answer a plain object');
          }
          stack.push({ node: child, depth: depth + 1 });
        }
      }
    }
  }
}

/** A parsed node whose prototype nobody replaced (an `__proto__` key would have). */
function isPlainNode(value: unknown): value is XmlNode {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return false;
  }
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isReservedName(name: string): boolean {
  // fast-xml-parser renames some reserved names with a `__` prefix (`toString` -> `__toString`,
  // `__defineGetter__` -> `____defineGetter__`): refuse those as well.
  return RESERVED_NAMES.has(name) || (name.startsWith('__') && RESERVED_NAMES.has(name.slice(2)));
}

function xmlRefused(why: string): CallerCredentialsError {
  return new CallerCredentialsError('saml_xml_refused', 401, `The SAML response's XML is refused: ${why}.`);
}

function list(value: unknown): XmlNode[] {
  const items = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return items.map((item) => (isObject(item) ? item : { '#text': item }));
}

function isObject(value: unknown): value is XmlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function textOf(node: XmlNode): string {
  const text = node['#text'];
  return typeof text === 'string' ? text : typeof text === 'number' ? String(text) : '';
}

function rolePair(value: string): SamlRole | undefined {
  const parts = value.split(',').map((p) => p.trim());
  if (parts.length !== 2) {
    return undefined;
  }
  const roleArn = parts.find((p) => parseRoleArn(p));
  const principalArn = parts.find((p) => providerPartition(p));
  if (!roleArn || !principalArn) {
    return undefined;
  }
  // Same partition: a role cannot trust a SAML provider of another partition.
  if (parseRoleArn(roleArn)!.partition !== providerPartition(principalArn)) {
    return undefined;
  }
  return { roleArn, principalArn };
}

function providerPartition(arn: string): string | undefined {
  const partition = PROVIDER_ARN.exec(arn)?.[1];
  return partition !== undefined && ARN_PARTITIONS.includes(partition) ? partition : undefined;
}

function sessionNameOf(assumedRoleArn: string | undefined): string | undefined {
  return assumedRoleArn?.split('/').pop();
}
