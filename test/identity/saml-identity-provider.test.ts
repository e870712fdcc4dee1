import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SamlIdentityProvider, SamlMetadata } from '../../src';
import { ErrorCodes } from '../support/error-codes';

const codes = new ErrorCodes();

const FIXTURE = path.join(__dirname, 'fixtures', 'idp-metadata.xml');
const XML = fs.readFileSync(FIXTURE, 'utf-8');

function makeStack(): Stack {
  return new Stack(new App(), 'Identity', { env: { account: '123456789012', region: 'eu-west-1' } });
}

describe('SamlIdentityProvider', () => {
  test('should create an AWS::IAM::SAMLProvider from a metadata file', () => {
    // GIVEN
    const stack = makeStack();

    // WHEN
    const provider = new SamlIdentityProvider(stack, 'Corp', { metadata: SamlMetadata.fromFile(FIXTURE), name: 'Corp' });

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::SAMLProvider', 1);
    template.hasResourceProperties('AWS::IAM::SAMLProvider', {
      Name: 'Corp',
      SamlMetadataDocument: XML,
    });
    const [logicalId] = Object.keys(template.findResources('AWS::IAM::SAMLProvider'));
    expect(stack.resolve(provider.samlProviderArn)).toEqual({ Ref: logicalId });
  });

  test('should create a provider from an XML string and let CloudFormation name it', () => {
    // GIVEN
    const stack = makeStack();

    // WHEN
    new SamlIdentityProvider(stack, 'Corp', { metadata: SamlMetadata.fromXml(XML) });

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::SAMLProvider', {
      Name: Match.absent(),
      SamlMetadataDocument: XML,
    });
  });

  test('should accept metadata with a byte-order mark and no namespace prefix', () => {
    // GIVEN
    const stack = makeStack();
    const xml = '\uFEFF' + XML.replace(/md:/g, '').replace('xmlns:md=', 'xmlns=');

    // WHEN / THEN
    expect(() => new SamlIdentityProvider(stack, 'Corp', { metadata: SamlMetadata.fromXml(xml) })).not.toThrow();
  });

  test('should skip checks on token metadata', () => {
    // GIVEN
    const stack = makeStack();

    // WHEN
    new SamlIdentityProvider(stack, 'Corp', { metadata: SamlMetadata.fromXml(Token.asString({ Ref: 'Metadata' })) });

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::SAMLProvider', {
      SamlMetadataDocument: { Ref: 'Metadata' },
    });
  });

  test.each<[string, string, string, RegExp]>([
    ['empty metadata', 'SamlIdentityProvider.EmptyMetadata', '', /^Identity\/Corp: the metadata XML is empty; /],
    ['blank metadata', 'SamlIdentityProvider.EmptyMetadata', ' \n\t', /the metadata XML is empty/],
    ['a URL instead of XML', 'SamlIdentityProvider.MetadataNotXml', 'https://idp.example.com/saml/metadata', /the metadata XML is not XML \(it starts with 'https:\/\/idp\.example\.'\)/],
    ['XML without an EntityDescriptor', 'SamlIdentityProvider.NotSamlMetadata', '<html><body>Sign in</body></html>', /has no <EntityDescriptor> element, so it is not SAML 2\.0 metadata/],
    ['service-provider metadata', 'SamlIdentityProvider.NotIdpMetadata', XML.replace(/IDPSSODescriptor/g, 'SPSSODescriptor'), /has no <IDPSSODescriptor> element, so it does not describe an identity provider/],
    ['metadata shorter than IAM accepts', 'SamlIdentityProvider.MetadataLength',
      '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"><md:IDPSSODescriptor/></md:EntityDescriptor>',
      /is 113 characters long, but IAM accepts 1000 to 10000000; /],
  ])('should refuse %s', (_name, code, xml, message) => {
    // GIVEN
    const stack = makeStack();

    // WHEN / THEN
    codes.expectThrows(() => new SamlIdentityProvider(stack, 'Corp', { metadata: SamlMetadata.fromXml(xml) }), code, message);
  });

  test('should name the file in errors about a metadata file', () => {
    // GIVEN
    const stack = makeStack();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'saml-'));
    const file = path.join(dir, 'empty.xml');
    fs.writeFileSync(file, '');

    // WHEN / THEN
    codes.expectThrows(() => new SamlIdentityProvider(stack, 'Corp', { metadata: SamlMetadata.fromFile(file) }), 'SamlIdentityProvider.EmptyMetadata',
      `Identity/Corp: the metadata file '${file}' is empty; `,
    );
    fs.rmSync(dir, { recursive: true });
  });

  test('should refuse a metadata file that does not exist', () => {
    // WHEN / THEN
    codes.expectThrows(() => SamlMetadata.fromFile('/nonexistent/metadata.xml'), 'SamlMetadata.UnreadableFile',
      /^SamlMetadata\.fromFile: cannot read '\/nonexistent\/metadata\.xml' \(.*ENOENT.*\); pass the path of the metadata XML file your IdP exported\.$/,
    );
  });

  test('should refuse an invalid provider name', () => {
    // GIVEN
    const stack = makeStack();

    // WHEN / THEN
    expect(() => new SamlIdentityProvider(stack, 'Corp', { metadata: SamlMetadata.fromXml(XML), name: 'Corp IdP' })).toThrow(/Invalid SAML provider name/);
  });
});

describe('SamlIdentityProvider imports', () => {
  test('should import a SAML provider ARN', () => {
    // GIVEN
    const stack = makeStack();
    const arn = 'arn:aws:iam::123456789012:saml-provider/Corp';

    // WHEN
    const imported = SamlIdentityProvider.fromSamlProviderArn(stack, 'Corp', arn);

    // THEN
    expect(imported.samlProviderArn).toBe(arn);
    Template.fromStack(stack).resourceCountIs('AWS::IAM::SAMLProvider', 0);
  });

  test('should accept a token ARN', () => {
    // GIVEN
    const stack = makeStack();

    // WHEN
    const imported = SamlIdentityProvider.fromSamlProviderArn(stack, 'Corp', Token.asString({ Ref: 'SamlArn' }));

    // THEN
    expect(stack.resolve(imported.samlProviderArn)).toEqual({ Ref: 'SamlArn' });
  });

  test('should refuse an ARN that is not a SAML provider ARN', () => {
    // GIVEN
    const stack = makeStack();

    // WHEN / THEN
    codes.expectThrows(() => SamlIdentityProvider.fromSamlProviderArn(stack, 'Corp', 'arn:aws:iam::123456789012:oidc-provider/gitlab.com'), 'SamlIdentityProvider.InvalidProviderArn',
      /^Identity\/Corp: SAML provider ARN 'arn:aws:iam::123456789012:oidc-provider\/gitlab\.com' is not an IAM SAML provider ARN; /,
    );
  });
});

describe('SamlIdentityProvider error codes', () => {
  test('should test every code SamlIdentityProvider throws', () => {
    expect(codes.untested('src/identity/saml-identity-provider.ts')).toEqual([]);
  });
});
