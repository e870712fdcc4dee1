import { bodyForm } from '../../../src/api/guards/body-form';
import { messagesOf } from '../../../src/rules/rule';
import { deployedApi, ordersRestApi, writtenProperties } from '../../support/api-guard';

describe('bodyForm', () => {
  test('should pass the definition as written, intrinsics the construct wrote included', () => {
    expect(messagesOf(bodyForm, deployedApi())).toEqual([]);
  });

  test('should pass a definition in S3, which bodyLocation refuses', () => {
    expect(messagesOf(bodyForm, deployedApi({ ...writtenProperties(), Body: undefined, BodyS3Location: { Bucket: 'b', Key: 'k' } }))).toEqual([]);
  });

  test.each([
    ['a string of JSON', '{"openapi":"3.0.1","paths":{}}', /Body is a string \("\{"openapi":"3\.0\.1","paths":\{\}\}"\) instead of the definition written from the routes/],
    ['an array', [], /Body is an array instead of/],
    ['an Fn::If', { 'Fn::If': ['C', {}, {}] }, /Body \(Fn::If\) is an intrinsic the construct did not write/],
    ['an Fn::Transform of AWS::Include', { 'Fn::Transform': { Name: 'AWS::Include', Parameters: { Location: 's3://b/api.yaml' } } }, /Body \(Fn::Transform\) is an intrinsic/],
    ['removed', undefined, /has no Body \(an override removed it\)/],
  ])('should refuse a Body replaced by %s', (_, body, message) => {
    expect(messagesOf(bodyForm, deployedApi({ ...writtenProperties(), Body: body }))).toEqual([expect.stringMatching(message)]);
  });

  test('should refuse an intrinsic inside the definition where the construct wrote none, or another one', () => {
    const properties = writtenProperties();
    properties.Body.paths['/x'] = { 'Fn::Transform': { Name: 'AWS::Include', Parameters: { Location: 's3://b/x.yaml' } } };
    properties.Body.paths['/orders'].get['x-amazon-apigateway-integration'].uri = { 'Fn::Sub': 'arn:${Other.Arn}' };
    properties.Body.paths['/health'] = { 'Fn::If': ['Open', { get: { security: [] } }, {}] };
    expect(messagesOf(bodyForm, deployedApi(properties))).toEqual([
      expect.stringMatching(/^the REST API Orders\/Api\/Api\/Resource's Body\.paths\.\/orders\.get\.x-amazon-apigateway-integration\.uri \(Fn::Sub\) is an intrinsic the construct did not write/),
      expect.stringMatching(/Body\.paths\.\/health \(Fn::If\) is an intrinsic/),
      expect.stringMatching(/Body\.paths\.\/x \(Fn::Transform\) is an intrinsic/),
    ]);
  });

  test('should refuse Properties replaced by an intrinsic, or missing', () => {
    expect(messagesOf(bodyForm, deployedApi({ 'Fn::If': ['C', writtenProperties(), {}] }))).toEqual([
      expect.stringMatching(/^the REST API Orders\/Api\/Api\/Resource's Properties are an Fn::If \(an override replaced them\)/),
    ]);
    expect(messagesOf(bodyForm, { ...deployedApi(), properties: undefined })).toEqual([expect.stringMatching(/has no Properties as deployed/)]);
  });

  test.each([
    ['a string', (cfn: any) => cfn.addPropertyOverride('Body', '{"openapi":"3.0.1","paths":{"/orders":{"get":{"security":[]}}}}'), /Body is a string/],
    ['an Fn::Transform of AWS::Include', (cfn: any) => cfn.addPropertyOverride('Body', { 'Fn::Transform': { Name: 'AWS::Include', Parameters: { Location: 's3://b/k' } } }), /Body \(Fn::Transform\) is an intrinsic/],
    ['an Fn::If', (cfn: any) => cfn.addPropertyOverride('Body.paths', { 'Fn::If': ['C', {}, {}] }), /Body\.paths \(Fn::If\) is an intrinsic/],
  ])('should fail synth when an override replaces the definition by %s', (_, override, message) => {
    // GIVEN
    const { app, cfnApi } = ordersRestApi();

    // WHEN
    override(cfnApi);

    // THEN
    expect(() => app.synth()).toThrow(message);
  });

  test('should fail synth when an override replaces Properties wholesale', () => {
    // GIVEN
    const { app, cfnApi } = ordersRestApi();

    // WHEN: CDK merges an object into the rendered Properties, so what counts is the result
    cfnApi.addOverride('Properties', { Name: 'orders', Body: { openapi: '3.0.1', paths: { '/orders': { get: { security: [] } } } } });

    // THEN
    expect(() => app.synth()).toThrow(/operation GET \/orders is a guarded route, but as deployed its security is \[\]/);
  });

  test('should fail synth when an override replaces Properties by an Fn::If', () => {
    // GIVEN
    const { app, cfnApi } = ordersRestApi();

    // WHEN
    cfnApi.addOverride('Properties', { 'Fn::If': ['Open', { Name: 'orders' }, { Name: 'orders' }] });

    // THEN
    expect(() => app.synth()).toThrow(/the REST API Orders\/Api\/Api\/Resource's Properties are an Fn::If \(an override replaced them\)[^\n]* \[SecuredApi\.BodyNotAsWritten\]/);
  });
});
