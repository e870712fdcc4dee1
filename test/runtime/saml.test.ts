import {
  AssumeRoleWithSAMLCommand, ExpiredTokenException, IDPRejectedClaimException, InvalidIdentityTokenException,
  MalformedPolicyDocumentException, PackedPolicyTooLargeException, RegionDisabledException, STSClient, STSServiceException,
} from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import * as fc from 'fast-check';
import { ExchangeAudit } from '../../src/runtime/audit';
import { CallerCredentialsError } from '../../src/runtime/errors';
import {
  MAX_SAML_RESPONSE_CHARS, MAX_SAML_XML_ATTRIBUTES, MAX_SAML_XML_DEPTH, MAX_SAML_XML_ELEMENTS, parseSamlRoles, SAML_ROLE_ATTRIBUTE,
  SamlCredentials,
} from '../../src/runtime/saml';

// SAML responses shaped like the ones Okta, Entra ID, ADFS and Shibboleth post: a samlp:Response
// holding a signed saml:Assertion (the signature is a placeholder: STS verifies, parsing only selects),
// the Role attribute with xsi:type'd values, RoleSessionName beside it, base64 wrapped at 76 columns.

const ROLE_A = 'arn:aws:iam::123456789012:role/Readers';
const ROLE_B = 'arn:aws:iam::123456789012:role/team/Writers';
const IDP = 'arn:aws:iam::123456789012:saml-provider/Okta';

interface ResponseShape {
  /** Role attribute values, verbatim. */
  values: string[];
  /** Protocol and assertion prefixes: ['samlp', 'saml'], ['saml2p', 'saml2'] or ['', ''] (default namespaces). */
  prefixes?: [string, string];
  prolog?: string;
}

function samlXml({ values, prefixes = ['samlp', 'saml'], prolog = '<?xml version="1.0" encoding="UTF-8"?>' }: ResponseShape): string {
  const [p, a] = prefixes.map((x) => (x ? `${x}:` : ''));
  const pNs = prefixes[0] ? `xmlns:${prefixes[0]}` : 'xmlns';
  const aNs = prefixes[1] ? `xmlns:${prefixes[1]}` : 'xmlns';
  const attrValues = values
    .map((v) => `<${a}AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">${v}</${a}AttributeValue>`)
    .join('\n        ');
  return `${prolog}
<${p}Response ${pNs}="urn:oasis:names:tc:SAML:2.0:protocol" Destination="https://signin.aws.amazon.com/saml" ID="_resp1" IssueInstant="2026-11-30T09:00:00Z" Version="2.0">
  <${a}Issuer ${aNs}="urn:oasis:names:tc:SAML:2.0:assertion">http://www.okta.com/exk1</${a}Issuer>
  <${p}Status><${p}StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></${p}Status>
  <${a}Assertion ${aNs}="urn:oasis:names:tc:SAML:2.0:assertion" ID="_assert1" IssueInstant="2026-11-30T09:00:00Z" Version="2.0">
    <${a}Issuer>http://www.okta.com/exk1</${a}Issuer>
    <ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:Reference URI="#_assert1"/></ds:SignedInfo><ds:SignatureValue>c2lnbmF0dXJl</ds:SignatureValue></ds:Signature>
    <${a}Subject>
      <${a}NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">alice@example.com</${a}NameID>
      <${a}SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
        <${a}SubjectConfirmationData NotOnOrAfter="2026-11-30T09:05:00Z" Recipient="https://signin.aws.amazon.com/saml"/>
      </${a}SubjectConfirmation>
    </${a}Subject>
    <${a}Conditions NotBefore="2026-11-30T08:55:00Z" NotOnOrAfter="2026-11-30T09:05:00Z">
      <${a}AudienceRestriction><${a}Audience>https://signin.aws.amazon.com/saml</${a}Audience></${a}AudienceRestriction>
    </${a}Conditions>
    <${a}AuthnStatement AuthnInstant="2026-11-30T09:00:00Z" SessionIndex="_assert1"/>
    <${a}AttributeStatement>
      <${a}Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName">
        <${a}AttributeValue>alice@example.com</${a}AttributeValue>
      </${a}Attribute>
      <${a}Attribute Name="${SAML_ROLE_ATTRIBUTE}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">
        ${attrValues}
      </${a}Attribute>
    </${a}AttributeStatement>
  </${a}Assertion>
</${p}Response>`;
}

/** Base64 wrapped at 76 columns with CRLF, as MIME encoders (and several IdPs) write it. */
function wrap76(base64: string): string {
  return base64.match(/.{1,76}/g)!.join('\r\n');
}

const b64 = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');

function refusal(fn: () => unknown): CallerCredentialsError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CallerCredentialsError);
    return err as CallerCredentialsError;
  }
  throw new Error('expected a CallerCredentialsError');
}

describe('parseSamlRoles', () => {
  test('should read role,provider and provider,role values alike', () => {
    // GIVEN
    const response = b64(samlXml({ values: [`${ROLE_A},${IDP}`, `${IDP},${ROLE_B}`] }));

    // THEN
    expect(parseSamlRoles(response)).toEqual([
      { roleArn: ROLE_A, principalArn: IDP },
      { roleArn: ROLE_B, principalArn: IDP },
    ]);
  });

  test.each([
    ['samlp/saml', ['samlp', 'saml']],
    ['saml2p/saml2', ['saml2p', 'saml2']],
    ['default namespaces', ['', '']],
  ] as Array<[string, [string, string]]>)('should read the roles whatever the namespace prefixes (%s)', (_name, prefixes) => {
    expect(parseSamlRoles(b64(samlXml({ values: [`${ROLE_A},${IDP}`], prefixes })))).toEqual([{ roleArn: ROLE_A, principalArn: IDP }]);
  });

  test.each([
    ['aws-cn', 'arn:aws-cn:iam::123456789012:role/R', 'arn:aws-cn:iam::123456789012:saml-provider/Adfs'],
    ['aws-us-gov', 'arn:aws-us-gov:iam::123456789012:role/R', 'arn:aws-us-gov:iam::123456789012:saml-provider/Adfs'],
    ['aws-iso-b', 'arn:aws-iso-b:iam::123456789012:role/R', 'arn:aws-iso-b:iam::123456789012:saml-provider/Adfs'],
  ])('should read roles in the %s partition', (_partition, roleArn, principalArn) => {
    expect(parseSamlRoles(b64(samlXml({ values: [`${principalArn},${roleArn}`] })))).toEqual([{ roleArn, principalArn }]);
  });

  test('should tolerate base64 wrapped at 76 columns, spaces and whitespace around values', () => {
    // GIVEN
    const response = `\n  ${wrap76(b64(samlXml({ values: [` ${ROLE_A} , ${IDP} `] })))}\n`;

    // THEN
    expect(response).toMatch(/\r\n/);
    expect(parseSamlRoles(response)).toEqual([{ roleArn: ROLE_A, principalArn: IDP }]);
  });

  test('should skip values that are not a role/provider pair, and duplicates', () => {
    // GIVEN
    const values = [
      `${ROLE_A},${IDP}`,
      `${ROLE_A},${IDP}`,
      ROLE_B,
      `${ROLE_B},${ROLE_A}`,
      `${ROLE_B},arn:aws-cn:iam::123456789012:saml-provider/Okta`,
      `${ROLE_B},${IDP},extra`,
      `arn:aws:iam::12345:role/Short,${IDP}`,
    ];

    // THEN
    expect(parseSamlRoles(b64(samlXml({ values })))).toEqual([{ roleArn: ROLE_A, principalArn: IDP }]);
  });

  test('should refuse a response that offers no role', () => {
    const err = refusal(() => parseSamlRoles(b64(samlXml({ values: [] }))));
    expect([err.code, err.httpStatus]).toEqual(['saml_no_roles', 401]);
  });

  test('should refuse an entity expansion (billion laughs) before parsing', () => {
    // GIVEN
    const lol = `<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>`;
    const xml = samlXml({ values: [`&lol3;,${IDP}`], prolog: `<?xml version="1.0"?>\n${lol}` });

    // THEN
    const err = refusal(() => parseSamlRoles(b64(xml)));
    expect([err.code, err.httpStatus]).toEqual(['saml_dtd_refused', 401]);
  });

  test('should refuse an external entity (XXE), whatever the case of DOCTYPE', () => {
    // GIVEN
    const xxe = '<!doctype Response [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>';
    const xml = samlXml({ values: [`${ROLE_A},${IDP}`, '&xxe;'], prolog: `<?xml version="1.0"?>\n${xxe}` });

    // THEN
    expect(refusal(() => parseSamlRoles(b64(xml))).code).toBe('saml_dtd_refused');
  });

  test('should leave an entity reference unexpanded when no DTD declares it', () => {
    // GIVEN: a predefined entity in a value; nothing is expanded, so the value is no ARN pair
    const xml = samlXml({ values: [`${ROLE_A}&#44;${IDP}`, `${ROLE_B},${IDP}`] });

    // THEN
    expect(parseSamlRoles(b64(xml))).toEqual([{ roleArn: ROLE_B, principalArn: IDP }]);
  });

  test('should refuse more than 100,000 base64 characters', () => {
    // GIVEN: whitespace does not count; 100,004 characters of base64 do
    const padded = samlXml({ values: [`${ROLE_A},${IDP}`] }).replace('<samlp:Status>', `<!--${'x'.repeat(80_000)}--><samlp:Status>`);
    const response = b64(padded);
    expect(response.length).toBeGreaterThan(MAX_SAML_RESPONSE_CHARS);

    // THEN
    const err = refusal(() => parseSamlRoles(response));
    expect([err.code, err.httpStatus]).toEqual(['saml_too_large', 401]);
  });

  test('should accept a response just under the limit however it is wrapped', () => {
    // GIVEN
    const base = b64(samlXml({ values: [`${ROLE_A},${IDP}`] }));
    const fill = Math.floor((MAX_SAML_RESPONSE_CHARS - base.length) * 3 / 4) - 40;
    const response = wrap76(b64(samlXml({ values: [`${ROLE_A},${IDP}`] }).replace('<samlp:Status>', `<!--${'x'.repeat(fill)}--><samlp:Status>`)));
    expect(response.replace(/\s/g, '').length).toBeLessThanOrEqual(MAX_SAML_RESPONSE_CHARS);
    expect(response.length).toBeGreaterThan(MAX_SAML_RESPONSE_CHARS);

    // THEN
    expect(parseSamlRoles(response)).toHaveLength(1);
  });

  test.each([
    ['empty', ''],
    ['not base64', 'PHNhbWxwOlJlc3BvbnNlPg=!'],
    ['base64url', b64(samlXml({ values: [`${ROLE_A},${IDP}`] })).replace(/\+/g, '-').replace(/\//g, '_') + '-_'],
    ['truncated base64', b64(samlXml({ values: [`${ROLE_A},${IDP}`] })).slice(0, -3)],
    ['not XML', b64('role=arn:aws:iam::123456789012:role/Readers')],
    ['unclosed XML', b64(samlXml({ values: [`${ROLE_A},${IDP}`] }).replace(/<\/samlp:Response>$/, ''))],
    ['not UTF-8', Buffer.from([0xff, 0xfe, 0x3c, 0x00, 0x61, 0x00]).toString('base64')],
    ['not a Response', b64(`<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"><saml:AttributeStatement><saml:Attribute Name="${SAML_ROLE_ATTRIBUTE}"><saml:AttributeValue>${ROLE_A},${IDP}</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion>`)],
  ])('should refuse a malformed response (%s)', (_name, response) => {
    const err = refusal(() => parseSamlRoles(response));
    expect([err.code, err.httpStatus, err.retryable]).toEqual(['saml_malformed', 401, false]);
  });
});

/** The document with `fragment` inserted right after its `n`th tag (counted modulo the number of tags). */
function insertAfterTag(xml: string, n: number, fragment: string): string {
  const ends = [...xml.matchAll(/>/g)].map((m) => m.index! + 1);
  const at = ends[n % ends.length];
  return xml.slice(0, at) + fragment + xml.slice(at);
}

const VALID = samlXml({ values: [`${ROLE_A},${IDP}`] });
const RESERVED = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf'];
const nested = (depth: number) => '<a>'.repeat(depth) + 'x' + '</a>'.repeat(depth);
const attributes = (count: number) => `<x ${Array.from({ length: count }, (_, i) => `a${i}="1"`).join(' ')}/>`;

/**
 * XML a caller may post to break the parser rather than to be read: names that are properties of
 * every object, nesting, attributes and elements beyond the limits, DTDs in their spellings, and
 * truncation. Each is refused whatever else the document holds.
 */
const hostileXml: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.nat(), fc.constantFrom(...RESERVED), fc.constantFrom('', 'saml:', 'x:'), fc.constantFrom('element', 'attribute', 'empty'))
    .map(([at, name, prefix, kind]) => insertAfterTag(VALID, at, kind === 'element'
      ? `<${prefix}${name} xmlns:x="urn:x">v</${prefix}${name}>`
      : kind === 'empty' ? `<${prefix}${name} xmlns:x="urn:x"/>` : `<y xmlns:x="urn:x" ${prefix}${name}="v"/>`)),
  fc.tuple(fc.nat(), fc.integer({ min: MAX_SAML_XML_DEPTH + 1, max: 400 })).map(([at, depth]) => insertAfterTag(VALID, at, nested(depth))),
  fc.tuple(fc.nat(), fc.integer({ min: MAX_SAML_XML_ATTRIBUTES + 1, max: 3000 })).map(([at, count]) => insertAfterTag(VALID, at, attributes(count))),
  fc.tuple(fc.nat(), fc.integer({ min: MAX_SAML_XML_ELEMENTS + 1, max: 14_000 })).map(([at, count]) => insertAfterTag(VALID, at, '<e/>'.repeat(count))),
  fc.tuple(fc.constantFrom('<!DOCTYPE r [<!ENTITY a "aaaa">]>', '<!doctype r>', '<! DOCTYPE r>', '<!ENTITY x SYSTEM "file:///etc/passwd">',
    '<!DOCTYPE r [<!ENTITY % p SYSTEM "http://169.254.169.254/">%p;]>'), fc.nat())
    .map(([dtd, at]) => insertAfterTag(VALID, at, dtd)),
  fc.integer({ min: 1, max: VALID.length - 1 }).map((length) => VALID.slice(0, length)),
);

describe('hostile XML', () => {
  test.each([
    ['an element named __proto__', insertAfterTag(VALID, 3, '<__proto__><Assertion/></__proto__>')],
    ['a prefixed element named __proto__', insertAfterTag(VALID, 3, '<saml:__proto__>x</saml:__proto__>')],
    ['an element named constructor', insertAfterTag(VALID, 5, '<constructor>x</constructor>')],
    ['an element named prototype', insertAfterTag(VALID, 5, '<prototype/>')],
    ['an element named toString', insertAfterTag(VALID, 5, '<toString>x</toString>')],
    ['an attribute named __proto__', insertAfterTag(VALID, 5, '<x __proto__="y"/>')],
    ['an attribute named constructor', insertAfterTag(VALID, 5, '<x constructor="y"/>')],
    ['a root named __proto__', '<__proto__><Response/></__proto__>'],
    [`nesting deeper than ${MAX_SAML_XML_DEPTH}`, insertAfterTag(VALID, 2, nested(MAX_SAML_XML_DEPTH))],
    ['nesting 5,000 deep', insertAfterTag(VALID, 2, nested(5000))],
    [`${MAX_SAML_XML_ATTRIBUTES + 1} attributes on an element`, insertAfterTag(VALID, 2, attributes(MAX_SAML_XML_ATTRIBUTES + 1))],
    ['6,000 attributes on an element', insertAfterTag(VALID, 2, attributes(6000))],
    [`${MAX_SAML_XML_ELEMENTS + 1} elements`, insertAfterTag(VALID, 2, '<e/>'.repeat(MAX_SAML_XML_ELEMENTS + 1))],
  ])('should refuse %s as 401 saml_xml_refused', (_name, xml) => {
    const err = refusal(() => parseSamlRoles(b64(xml)));
    expect([err.code, err.httpStatus, err.retryable]).toEqual(['saml_xml_refused', 401, false]);
    expect(err.message).not.toContain(ROLE_A);
  });

  test('should read a response at the limits', () => {
    // GIVEN: the Role attribute value sits 5 deep, so 26 more levels keep the document at 31
    const xml = insertAfterTag(insertAfterTag(VALID, 2, nested(MAX_SAML_XML_DEPTH - 6)), 2, attributes(MAX_SAML_XML_ATTRIBUTES));

    // THEN
    expect(parseSamlRoles(b64(xml))).toEqual([{ roleArn: ROLE_A, principalArn: IDP }]);
  });

  test('should leave Object.prototype as it was', () => {
    refusal(() => parseSamlRoles(b64(insertAfterTag(VALID, 3, '<__proto__><polluted>yes</polluted></__proto__>'))));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('should answer every hostile or truncated document with a 401 saml_* code (property)', () => {
    fc.assert(fc.property(hostileXml, (xml) => {
      const err = refusal(() => parseSamlRoles(b64(xml)));
      expect(err.httpStatus).toBe(401);
      expect(['saml_xml_refused', 'saml_malformed', 'saml_dtd_refused', 'saml_too_large']).toContain(err.code);
    }), { numRuns: 300 });
  });
});

describe('SamlCredentials', () => {
  const sts = mockClient(STSClient);
  const lines: string[] = [];
  const audit = new ExchangeAudit({ service: 'orders', write: (line) => lines.push(line) });
  const expiration = new Date('2026-11-30T10:00:00Z');
  let clock = 0;
  const now = () => (clock += 5);
  const ASSERTION = b64(samlXml({ values: [`${ROLE_A},${IDP}`, `${IDP},${ROLE_B}`] }));
  const ONE_ROLE = wrap76(b64(samlXml({ values: [`${IDP},${ROLE_A}`] })));

  const issued = {
    Credentials: { AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: 'secret-access-key-value', SessionToken: 'session-token-value', Expiration: expiration },
    AssumedRoleUser: { Arn: 'arn:aws:sts::123456789012:assumed-role/Writers/alice@example.com', AssumedRoleId: 'AROA:alice@example.com' },
    Subject: 'alice@example.com',
    SubjectType: 'persistent',
    Issuer: 'http://www.okta.com/exk1',
    $metadata: { requestId: 'req-1', attempts: 1 },
  };

  beforeEach(() => {
    sts.reset();
    lines.length = 0;
  });

  const credentials = () => new SamlCredentials({ stsClient: new STSClient({ region: 'eu-west-1' }), audit, now });

  test('should assume the chosen role with its provider and the whitespace-free assertion', async () => {
    // GIVEN
    sts.on(AssumeRoleWithSAMLCommand).resolves(issued);

    // WHEN
    const result = await credentials().assume(wrap76(ASSERTION), { roleArn: ROLE_B, durationSeconds: 900 });

    // THEN
    expect(sts.commandCalls(AssumeRoleWithSAMLCommand)[0].args[0].input).toEqual({
      RoleArn: ROLE_B, PrincipalArn: IDP, SAMLAssertion: ASSERTION, DurationSeconds: 900,
    });
    expect(result).toMatchObject({
      credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret-access-key-value', sessionToken: 'session-token-value', expiration },
      roleArn: ROLE_B,
      principalArn: IDP,
      subject: 'alice@example.com',
      assumedRoleArn: 'arn:aws:sts::123456789012:assumed-role/Writers/alice@example.com',
      requestId: 'req-1',
    });
  });

  test('should assume the only role offered without a choice, for 3600 s by default', async () => {
    sts.on(AssumeRoleWithSAMLCommand).resolves(issued);
    await credentials().assume(ONE_ROLE);
    expect(sts.commandCalls(AssumeRoleWithSAMLCommand)[0].args[0].input).toMatchObject({ RoleArn: ROLE_A, PrincipalArn: IDP, DurationSeconds: 3600 });
  });

  test('should write one audit line per exchange with the verified subject and never a secret', async () => {
    // GIVEN
    sts.on(AssumeRoleWithSAMLCommand).resolves(issued);

    // WHEN
    await credentials().assume(ASSERTION, { roleArn: ROLE_B });

    // THEN
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]);
    expect(line).toMatchObject({ type: 'credentials_exchange', kind: 'saml', outcome: 'issued', error: null, sub: 'alice@example.com' });
    expect(line).toMatchObject({ role: ROLE_B, session_name: 'alice@example.com', request_id: 'req-1', attempts: 1, Role: 'Writers', Service: 'orders' });
    for (const secret of ['secret-access-key-value', 'session-token-value', 'ASIAEXAMPLE', ASSERTION.slice(0, 40)]) {
      expect(lines[0]).not.toContain(secret);
    }
  });

  test('should refuse to pick when several roles are offered and none chosen (403 role_not_chosen)', async () => {
    const err = await credentials().assume(ASSERTION).catch((e) => e);
    expect([err.code, err.httpStatus, err.retryable]).toEqual(['role_not_chosen', 403, false]);
    expect(sts.commandCalls(AssumeRoleWithSAMLCommand)).toHaveLength(0);
    expect(JSON.parse(lines[0])).toMatchObject({ outcome: 'failed', error: 'role_not_chosen', attempts: 0 });
  });

  test('should refuse a chosen role the response does not offer (403 role_not_offered)', async () => {
    const err = await credentials().assume(ONE_ROLE, { roleArn: ROLE_B }).catch((e) => e);
    expect([err.code, err.httpStatus]).toEqual(['role_not_offered', 403]);
    expect(sts.commandCalls(AssumeRoleWithSAMLCommand)).toHaveLength(0);
    expect(JSON.parse(lines[0])).toMatchObject({ outcome: 'failed', error: 'role_not_offered', role: ROLE_B });
  });

  test('should refuse an entity payload without calling STS, and audit it', async () => {
    const xml = samlXml({ values: [`${ROLE_A},${IDP}`], prolog: '<!DOCTYPE r [<!ENTITY x SYSTEM "http://169.254.169.254/">]>' });
    const err = await credentials().assume(b64(xml)).catch((e) => e);
    expect(err.code).toBe('saml_dtd_refused');
    expect(sts.commandCalls(AssumeRoleWithSAMLCommand)).toHaveLength(0);
    expect(JSON.parse(lines[0])).toMatchObject({ kind: 'saml', outcome: 'failed', error: 'saml_dtd_refused' });
  });

  const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode, requestId: 'req-err', attempts: httpStatusCode >= 500 ? 3 : 1 } });
  test.each([
    ['ExpiredTokenException', new ExpiredTokenException({ message: 'expired', ...meta(400) }), 'expired_assertion', 401],
    ['IDPRejectedClaimException', new IDPRejectedClaimException({ message: 'rejected', ...meta(403) }), 'idp_rejected_claim', 403],
    ['InvalidIdentityTokenException', new InvalidIdentityTokenException({ message: 'invalid', ...meta(400) }), 'invalid_assertion', 401],
    ['AccessDenied', new STSServiceException({ name: 'AccessDenied', $fault: 'client', message: 'Not authorized', ...meta(403) }), 'access_denied', 403],
    ['MalformedPolicyDocumentException', new MalformedPolicyDocumentException({ message: 'bad', ...meta(400) }), 'malformed_policy_document', 500],
    ['PackedPolicyTooLargeException', new PackedPolicyTooLargeException({ message: 'big', ...meta(400) }), 'packed_policy_too_large', 500],
    ['RegionDisabledException', new RegionDisabledException({ message: 'off', ...meta(403) }), 'region_disabled', 500],
    ['ValidationError', new STSServiceException({ name: 'ValidationError', $fault: 'client', message: 'DurationSeconds exceeds', ...meta(400) }), 'sts_rejected_request', 500],
    ['Throttling', new STSServiceException({ name: 'Throttling', $fault: 'client', message: 'Rate exceeded', ...meta(400) }), 'sts_throttled', 503],
    ['InternalFailure', new STSServiceException({ name: 'InternalFailure', $fault: 'server', message: 'oops', ...meta(500) }), 'sts_unavailable', 503],
    ['a network error', Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }), 'sts_unavailable', 503],
  ])('should map %s', async (_name, stsErr, code, httpStatus) => {
    // GIVEN
    sts.on(AssumeRoleWithSAMLCommand).rejects(stsErr);

    // WHEN
    const err = await credentials().assume(ONE_ROLE).catch((e) => e);

    // THEN
    expect(err).toBeInstanceOf(CallerCredentialsError);
    expect([err.code, err.httpStatus, err.retryable]).toEqual([code, httpStatus, httpStatus === 503]);
    expect(err.cause).toBe(stsErr);
    expect(JSON.parse(lines[0])).toMatchObject({ kind: 'saml', outcome: 'failed', error: code, role: ROLE_A });
  });

  test('should refuse hostile XML as the caller\'s input (401 saml_xml_refused), without calling STS', async () => {
    // GIVEN: an STS that would fail as an outage if it were called
    sts.on(AssumeRoleWithSAMLCommand).rejects(new STSServiceException({ name: 'InternalFailure', $fault: 'server', message: 'oops', $metadata: { httpStatusCode: 500 } }));

    // WHEN
    const err = await credentials().assume(b64(insertAfterTag(VALID, 3, '<constructor>x</constructor>'))).catch((e) => e);

    // THEN
    expect([err.code, err.httpStatus, err.retryable]).toEqual(['saml_xml_refused', 401, false]);
    expect(sts.commandCalls(AssumeRoleWithSAMLCommand)).toHaveLength(0);
    expect(JSON.parse(lines[0])).toMatchObject({ kind: 'saml', outcome: 'failed', error: 'saml_xml_refused', attempts: 0 });
  });

  test.each([
    ['a name', 'Readers'],
    ['an unknown partition', 'arn:aws-mars:iam::123456789012:role/Readers'],
    ['a user ARN', 'arn:aws:iam::123456789012:user/Readers'],
    ['a space in the path', 'arn:aws:iam::123456789012:role/my team/Readers'],
    ['a 70-character name', `arn:aws:iam::123456789012:role/${'r'.repeat(70)}`],
  ])('should refuse a chosen roleArn that is %s (403 invalid_role_arn), without calling STS', async (_name, roleArn) => {
    const err = await credentials().assume(ASSERTION, { roleArn }).catch((e) => e);
    expect([err.code, err.httpStatus, err.retryable]).toEqual(['invalid_role_arn', 403, false]);
    expect(sts.commandCalls(AssumeRoleWithSAMLCommand)).toHaveLength(0);
    // A string that is no role is neither the audit line's role nor a Role dimension.
    expect(JSON.parse(lines[0])).toMatchObject({ outcome: 'failed', error: 'invalid_role_arn', role: null, Role: '-' });
  });

  test('should never call STS nor answer an outage for hostile or malformed input (property)', async () => {
    // GIVEN: an STS that answers every call as an outage, so that reaching it would show
    sts.on(AssumeRoleWithSAMLCommand).rejects(new STSServiceException({ name: 'InternalFailure', $fault: 'server', message: 'oops', $metadata: { httpStatusCode: 500 } }));
    const input = fc.oneof(
      hostileXml.map(b64),
      hostileXml.map((xml) => wrap76(b64(xml))),
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.string({ unit: 'binary', maxLength: 300 }).map(b64),
      fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('base64')),
    );
    const roleArn = fc.constantFrom(undefined, ROLE_A, ROLE_B, 'Readers', `${ROLE_A} `);

    // THEN
    await fc.assert(fc.asyncProperty(input, roleArn, async (response, chosen) => {
      lines.length = 0;
      const err = await credentials().assume(response, { roleArn: chosen }).then(() => undefined, (e) => e);
      expect(err).toBeInstanceOf(CallerCredentialsError);
      expect([401, 403]).toContain(err.httpStatus);
      expect(err.retryable).toBe(false);
      expect(err.code).not.toMatch(/^sts_/);
      expect(JSON.parse(lines[0])).toMatchObject({ outcome: 'failed', error: err.code, attempts: 0 });
      expect(sts.commandCalls(AssumeRoleWithSAMLCommand)).toHaveLength(0);
    }), { numRuns: 300 });
  });

  test('should answer sts_invalid_response when STS returns no complete credentials', async () => {
    sts.on(AssumeRoleWithSAMLCommand).resolves({ ...issued, Credentials: undefined });
    const err = await credentials().assume(ONE_ROLE).catch((e) => e);
    expect([err.code, err.httpStatus, err.retryable]).toEqual(['sts_invalid_response', 503, true]);
  });

  test('should refuse a duration outside 900..43200 s, and a missing region', () => {
    for (const durationSeconds of [899, 43_201, 1000.5]) {
      expect(refusal(() => new SamlCredentials({ stsClient: new STSClient({}), durationSeconds })).code).toBe('misconfigured');
    }
    const region = process.env.AWS_REGION;
    delete process.env.AWS_REGION;
    try {
      expect(refusal(() => new SamlCredentials()).httpStatus).toBe(500);
    } finally {
      if (region !== undefined) process.env.AWS_REGION = region;
    }
    expect(() => new SamlCredentials({ region: 'us-gov-west-1', durationSeconds: 43_200 })).not.toThrow();
  });
});
