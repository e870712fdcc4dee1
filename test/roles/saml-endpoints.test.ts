import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  FederatedRole,
  FederatedTrust,
  FederationGuard,
  ISamlIdentityProvider,
  SamlIdentityProvider,
  SamlSignInEndpoint,
} from '../../src';
import { ErrorCodes } from '../support/error-codes';

const codes = new ErrorCodes();

// Endpoints from https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html,
// https://docs.aws.amazon.com/general/latest/gr/signin-service.html and
// https://docs.amazonaws.cn/en_us/IAM/latest/UserGuide/id_roles_providers_create_saml_relying-party.html
const IDP_ID = 'AB12CD34EF56GH78IJ90KL';
const SAML_ARN = 'arn:aws:iam::123456789012:saml-provider/Corp';

function stackIn(region?: string): Stack {
  const app = new App();
  Aspects.of(app).add(new FederationGuard());
  return new Stack(app, 'Stack', region ? { env: { account: '123456789012', region } } : {});
}

function saml(stack: Stack): ISamlIdentityProvider {
  return SamlIdentityProvider.fromSamlProviderArn(stack, 'Corp', SAML_ARN);
}

function audienceOf(stack: Stack): unknown {
  const roles = Template.fromStack(stack).findResources('AWS::IAM::Role');
  type TrustStatement = { Condition: { StringEquals: Record<string, unknown> } };
  const [role] = Object.values(roles) as Array<{ Properties: { AssumeRolePolicyDocument: { Statement: TrustStatement[] } } }>;
  return role.Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals['SAML:aud'];
}

function errors(stack: Stack): string[] {
  return Annotations.fromStack(stack).findError('*', Match.anyValue()).map(e => String(e.entry.data));
}

describe('FederatedRole SAML sign-in endpoints by partition', () => {
  test.each([
    ['cn-north-1', 'https://signin.amazonaws.cn/saml'],
    ['cn-northwest-1', 'https://signin.amazonaws.cn/saml'],
    ['us-gov-west-1', 'https://signin.amazonaws-us-gov.com/saml'],
    ['us-gov-east-1', 'https://signin.amazonaws-us-gov.com/saml'],
  ])('should write the default endpoint of the partition of %s', (region, expected) => {
    // GIVEN
    const stack = stackIn(region);

    // WHEN
    new FederatedRole(stack, 'Console', { trust: FederatedTrust.saml({ provider: saml(stack) }) });

    // THEN
    expect(audienceOf(stack)).toEqual(expected);
    expect(errors(stack)).toEqual([]);
  });

  test.each([
    ['cn-north-1', undefined, 'https://cn-north-1.signin.amazonaws.cn/saml'],
    ['us-gov-east-1', undefined, 'https://us-gov-east-1.signin.amazonaws-us-gov.com/saml'],
    ['us-gov-east-1', 'us-gov-west-1', 'https://signin.amazonaws-us-gov.com/saml'],
    ['eu-west-1', 'us-east-1', 'https://signin.aws.amazon.com/saml'],
  ])('should write the regional endpoint of %s (region %s) as AWS documents it', (stackRegion, region, expected) => {
    // GIVEN
    const stack = stackIn(stackRegion);

    // WHEN
    new FederatedRole(stack, 'Console', { trust: FederatedTrust.saml({ provider: saml(stack), signInEndpoints: [SamlSignInEndpoint.regional(region)] }) });

    // THEN
    expect(audienceOf(stack)).toEqual(expected);
  });

  test('should write the /saml/acs/<IdP ID> endpoint for encrypted assertions', () => {
    // GIVEN
    const stack = stackIn('cn-northwest-1');

    // WHEN
    new FederatedRole(stack, 'Console', { trust: FederatedTrust.saml({ provider: saml(stack), signInEndpoints: [SamlSignInEndpoint.encryptedAssertions(IDP_ID)] }) });

    // THEN
    expect(audienceOf(stack)).toEqual(`https://cn-northwest-1.signin.amazonaws.cn/saml/acs/${IDP_ID}`);
    expect(errors(stack)).toEqual([]);
  });

  test('should look the default endpoint up from AWS::Partition in an environment-agnostic stack', () => {
    // GIVEN
    const stack = stackIn();

    // WHEN
    new FederatedRole(stack, 'Console', { trust: FederatedTrust.saml({ provider: saml(stack) }) });

    // THEN
    const template = Template.fromStack(stack);
    expect(audienceOf(stack)).toEqual({ 'Fn::FindInMap': ['SamlSignInEndpoints', { Ref: 'AWS::Partition' }, 'global'] });
    template.templateMatches({
      Mappings: {
        SamlSignInEndpoints: {
          'aws': { global: 'https://signin.aws.amazon.com/saml' },
          'aws-cn': { global: 'https://signin.amazonaws.cn/saml' },
          'aws-us-gov': { global: 'https://signin.amazonaws-us-gov.com/saml' },
        },
      },
    });
    expect(errors(stack)).toEqual([]);
  });

  test('should look the regional endpoint up from AWS::Region in an environment-agnostic stack', () => {
    // GIVEN
    const stack = stackIn();

    // WHEN
    new FederatedRole(stack, 'Console', { trust: FederatedTrust.saml({ provider: saml(stack), signInEndpoints: [SamlSignInEndpoint.regional()] }) });

    // THEN
    expect(audienceOf(stack)).toEqual({ 'Fn::FindInMap': ['SamlSignInRegionalEndpoints', { Ref: 'AWS::Region' }, 'regional'] });
    Template.fromStack(stack).templateMatches({
      Mappings: {
        SamlSignInRegionalEndpoints: Match.objectLike({
          'us-east-1': { regional: 'https://signin.aws.amazon.com/saml' },
          'eu-west-1': { regional: 'https://eu-west-1.signin.aws.amazon.com/saml' },
          'cn-north-1': { regional: 'https://cn-north-1.signin.amazonaws.cn/saml' },
          'us-gov-west-1': { regional: 'https://signin.amazonaws-us-gov.com/saml' },
          'us-gov-east-1': { regional: 'https://us-gov-east-1.signin.amazonaws-us-gov.com/saml' },
        }),
      },
    });
    expect(errors(stack)).toEqual([]);
  });

  test('should accept the documented endpoints passed explicitly and refuse an undocumented one', () => {
    // GIVEN
    const stack = stackIn('eu-west-1');
    const provider = saml(stack);
    const documented = ['https://eu-west-1.signin.aws.amazon.com/saml', `https://signin.aws.amazon.com/saml/acs/${IDP_ID}`, `https://eu-central-2.signin.aws.amazon.com/saml/acs/${IDP_ID}`];

    // WHEN
    new FederatedRole(stack, 'Console', { trust: FederatedTrust.saml({ provider, signInEndpoints: documented.map(url => SamlSignInEndpoint.url(url)) }) });
    const undocumented = () => new FederatedRole(stack, 'Undocumented', { trust: FederatedTrust.saml({ provider, signInEndpoints: [SamlSignInEndpoint.url('https://eu-west-1.signin.aws.amazon.com/saml/acs/lower-case-id')] }) });

    // THEN
    expect(audienceOf(stack)).toEqual(documented);
    codes.expectThrows(undocumented, 'FederatedRole.UndocumentedSignInEndpoint', "FederatedRole 'Stack/Undocumented' has the sign-in endpoint 'https://eu-west-1.signin.aws.amazon.com/saml/acs/lower-case-id', which is not one AWS documents for SAML");
  });

  test('should refuse an endpoint AWS does not document, one of another partition, and a malformed IdP ID', () => {
    // GIVEN
    const stack = stackIn('eu-west-1');
    const provider = saml(stack);
    const role = (id: string, endpoint: SamlSignInEndpoint) => () => new FederatedRole(stack, id, {
      trust: FederatedTrust.saml({ provider, signInEndpoints: [endpoint] }),
    });

    // THEN
    codes.expectThrows(role('Foreign', SamlSignInEndpoint.url('https://sso.example.com/saml')), 'FederatedRole.UndocumentedSignInEndpoint', "FederatedRole 'Stack/Foreign' has the sign-in endpoint 'https://sso.example.com/saml', which is not one AWS documents for SAML, so assertions addressed to another service provider would be accepted (or none would); use one of 'https://signin.aws.amazon.com/saml' or 'https://<region>.signin.aws.amazon.com/saml' (aws)");
    codes.expectThrows(role('China', SamlSignInEndpoint.url('https://signin.amazonaws.cn/saml')), 'FederatedRole.CrossPartitionSignInEndpoint', "FederatedRole 'Stack/China' has the sign-in endpoint 'https://signin.amazonaws.cn/saml', which is in the aws-cn partition, but its stack is in eu-west-1 (aws), so no assertion could ever match; use an endpoint of aws, e.g. SamlSignInEndpoint.GLOBAL.");
    codes.expectThrows(role('GovRegion', SamlSignInEndpoint.regional('us-gov-east-1')), 'FederatedRole.CrossPartitionSignInEndpoint', "FederatedRole 'Stack/GovRegion' has the sign-in endpoint of the region 'us-gov-east-1', which is in the aws-us-gov partition, but its stack is in eu-west-1 (aws)");
    codes.expectThrows(role('Id', SamlSignInEndpoint.encryptedAssertions('idp-1234')), 'FederatedRole.InvalidIdpId', "FederatedRole 'Stack/Id' has the IdP ID 'idp-1234', which is not the ID IAM assigns to a SAML provider (upper-case letters and digits, 22 to 64 characters)");
  });
});

describe('FederationGuard and SAML:aud', () => {
  /** A role trusting the SAML provider for assertions addressed to `audience`. */
  function samlRole(stack: Stack, id: string, audience: string, operator = 'StringEquals'): iam.Role {
    return new iam.Role(stack, id, { assumedBy: new iam.FederatedPrincipal(SAML_ARN, { [operator]: { 'SAML:aud': audience } }, 'sts:AssumeRoleWithSAML') });
  }

  test.each([
    ['https://signin.aws.amazon.com/saml'],
    ['https://us-east-2.signin.aws.amazon.com/saml'],
    ['https://ap-southeast-7.signin.aws.amazon.com/saml'],
    [`https://signin.aws.amazon.com/saml/acs/${IDP_ID}`],
    [`https://eu-west-1.signin.aws.amazon.com/saml/acs/${IDP_ID}`],
    ['https://signin.amazonaws.cn/saml'],
    ['https://cn-north-1.signin.amazonaws.cn/saml'],
    ['https://cn-northwest-1.signin.amazonaws.cn/saml'],
    [`https://cn-north-1.signin.amazonaws.cn/saml/acs/${IDP_ID}`],
    ['https://signin.amazonaws-us-gov.com/saml'],
    ['https://us-gov-east-1.signin.amazonaws-us-gov.com/saml'],
    [`https://us-gov-east-1.signin.amazonaws-us-gov.com/saml/acs/${IDP_ID}`],
  ])('should accept the documented endpoint %s and refuse a foreign one beside it', (endpoint) => {
    // GIVEN
    const stack = stackIn();

    // WHEN
    samlRole(stack, 'Documented', endpoint);
    samlRole(stack, 'Foreign', 'https://sso.example.com/saml');

    // THEN
    const found = errors(stack);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain("role 'Stack/Foreign'");
  });

  test.each([
    ['https://sso.example.com/saml'],
    ['https://signin.aws.amazon.com.evil.example/saml'],
    ['https://signin.aws.amazon.com/saml/'],
    ['http://signin.aws.amazon.com/saml'],
    ['https://SIGNIN.AWS.AMAZON.COM/saml'],
    ['https://us-east-1.signin.aws.amazon.com/saml'],
    ['https://us-gov-west-1.signin.amazonaws-us-gov.com/saml'],
    ['https://cn-north-1.signin.aws.amazon.com/saml'],
    ['https://eu-west-1.signin.amazonaws.cn/saml'],
    ['https://signin.aws.amazon.com/saml/acs/idp-1234'],
    ['https://*.signin.aws.amazon.com/saml'],
  ])('should refuse %s with SAML_FOREIGN_AUDIENCE', (audience) => {
    // GIVEN
    const stack = stackIn();

    // WHEN
    samlRole(stack, 'Role', audience);

    // THEN
    const found = errors(stack);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(`[SAML_FOREIGN_AUDIENCE] the trust policy tests 'SAML:aud' against '${audience}', which is not an AWS sign-in endpoint, so assertions addressed to another service provider are accepted (or, if it is a mistyped endpoint, none are); list the endpoints your IdP posts to, exactly as AWS documents them: 'https://signin.aws.amazon.com/saml' or 'https://<region>.signin.aws.amazon.com/saml' (aws), 'https://signin.amazonaws.cn/saml' or 'https://<region>.signin.amazonaws.cn/saml' (aws-cn), 'https://signin.amazonaws-us-gov.com/saml' or 'https://us-gov-east-1.signin.amazonaws-us-gov.com/saml' (aws-us-gov), each optionally followed by '/acs/<IdP ID>' for encrypted assertions.`);
  });

  test('should leave a wildcard pattern to WILDCARD_AUDIENCE and check the exact value beside it', () => {
    // GIVEN
    const stack = stackIn();

    // WHEN
    new iam.Role(stack, 'Role', {
      assumedBy: new iam.FederatedPrincipal(SAML_ARN, {
        StringLike: { 'SAML:aud': ['https://*.signin.aws.amazon.com/saml', 'https://signin.example.com/saml'] },
      }, 'sts:AssumeRoleWithSAML'),
    });

    // THEN
    const found = errors(stack);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain("[WILDCARD_AUDIENCE] the trust policy matches 'SAML:aud' against 'https://*.signin.aws.amazon.com/saml'");
    expect(found[0]).toContain("[SAML_FOREIGN_AUDIENCE] the trust policy tests 'SAML:aud' against 'https://signin.example.com/saml'");
    expect(found[0]).not.toContain("[SAML_FOREIGN_AUDIENCE] the trust policy tests 'SAML:aud' against 'https://*.");
  });
});
