import { bodyLocation } from '../../../src/api/guards/body-location';
import { messagesOf } from '../../../src/rules/rule';
import { deployedApi, ordersRestApi, writtenProperties } from '../../support/api-guard';

describe('bodyLocation', () => {
  test('should pass a REST API without a BodyS3Location', () => {
    expect(messagesOf(bodyLocation, deployedApi())).toEqual([]);
  });

  test('should refuse a BodyS3Location beside or instead of the Body', () => {
    const expected = [expect.stringMatching(/^the REST API Orders\/Api\/Api\/Resource has a BodyS3Location .*; remove it, and add routes with addRoute\(\)\.$/)];
    expect(messagesOf(bodyLocation, deployedApi({ ...writtenProperties(), BodyS3Location: { Bucket: 'b', Key: 'k' } }))).toEqual(expected);
    expect(messagesOf(bodyLocation, deployedApi({ ...writtenProperties(), Body: undefined, BodyS3Location: { Bucket: 'b', Key: 'k' } }))).toEqual(expected);
  });

  test('should fail synth when an override points the REST API at a definition in S3', () => {
    // GIVEN
    const { app, cfnApi } = ordersRestApi();

    // WHEN
    cfnApi.addPropertyOverride('BodyS3Location', { Bucket: 'b', Key: 'k' });

    // THEN
    expect(() => app.synth()).toThrow(/the REST API Orders\/Api\/Api\/Resource has a BodyS3Location[^\n]* \[SecuredApi\.BodyS3Location\]/);
  });
});
