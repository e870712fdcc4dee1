import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { ClientCredentialsSecret } from '../../src';
import { acknowledgements, nagFindings } from '../support/cdk';
import { ErrorCodes } from '../support/error-codes';

const codes = new ErrorCodes();

function makeStack(app = new App()): Stack {
  return new Stack(app, 'Service', { env: { account: '123456789012', region: 'eu-west-1' } });
}

function makeFunction(stack: Stack, id = 'Handler'): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
  });
}

describe('ClientCredentialsSecret', () => {
  test('should create a retained secret with a generated value that the template never holds', () => {
    // GIVEN
    const stack = makeStack();

    // WHEN
    new ClientCredentialsSecret(stack, 'InventoryClient', { clientId: 'orders-service', secretName: 'orders/inventory-client' });

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        Name: 'orders/inventory-client',
        Description: Match.stringLikeRegexp('client orders-service'),
        GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
        SecretString: Match.absent(),
      },
    });
  });

  test('should let a function read the secret, and only that secret', () => {
    // GIVEN
    const stack = makeStack();
    const handler = makeFunction(stack);
    const clientSecret = new ClientCredentialsSecret(stack, 'InventoryClient', { clientId: 'orders-service' });

    // WHEN
    clientSecret.grantRead(handler);

    // THEN
    const template = Template.fromStack(stack);
    const [secretId] = Object.keys(template.findResources('AWS::SecretsManager::Secret'));
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          Resource: { Ref: secretId },
        }],
      },
      Roles: [{ Ref: Match.stringLikeRegexp('^HandlerServiceRole') }],
    });
    expect(stack.resolve(clientSecret.secretArn)).toEqual({ Ref: secretId });
  });

  test('should grant decryption with the secret\'s own KMS key', () => {
    // GIVEN
    const stack = makeStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const clientSecret = new ClientCredentialsSecret(stack, 'InventoryClient', { clientId: 'orders-service', encryptionKey: key });

    // WHEN
    clientSecret.grantRead(makeFunction(stack));

    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } });
    // aws-cdk-lib grants the decryption in the key's policy, for Secrets Manager's use only.
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 'kms:Decrypt',
          Principal: { AWS: { 'Fn::GetAtt': [Match.stringLikeRegexp('^HandlerServiceRole'), 'Arn'] } },
          Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
        })]),
      },
    });
  });

  test('should leave no cdk-nag finding, acknowledging rotation with its reason when no rotation function is given', () => {
    // GIVEN
    const app = new App();
    const stack = makeStack(app);

    // WHEN
    new ClientCredentialsSecret(stack, 'InventoryClient', { clientId: 'orders-service' });

    // THEN
    expect(nagFindings(app)).toEqual([]);
    expect(acknowledgements(stack)).toEqual([{
      path: 'Service/InventoryClient/Resource/Resource',
      id: 'AwsSolutions-SMG4',
      reason: expect.stringMatching(/identity provider's admin API/),
    }]);
  });

  test('should rotate with the given function, and then acknowledge nothing', () => {
    // GIVEN
    const app = new App();
    const stack = makeStack(app);
    const rotator = makeFunction(stack, 'Rotator');

    // WHEN
    new ClientCredentialsSecret(stack, 'InventoryClient', { clientId: 'orders-service', rotationFunction: rotator, rotateAfter: Duration.days(7) });

    // THEN
    expect(nagFindings(app).filter((f) => f.startsWith('AwsSolutions-SMG4'))).toEqual([]);
    expect(acknowledgements(stack).filter((a) => a.id === 'AwsSolutions-SMG4')).toEqual([]);
    Template.fromStack(stack).hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationLambdaARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Rotator'), 'Arn'] },
      RotationRules: { ScheduleExpression: 'rate(7 days)' },
    });
  });

  test('should import an existing secret and grant read on it', () => {
    // GIVEN
    const stack = makeStack();
    const existing = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Existing', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/inventory-AbCdEf');

    // WHEN
    const clientSecret = ClientCredentialsSecret.fromSecret(stack, 'InventoryClient', existing, { clientId: 'orders-service' });
    clientSecret.grantRead(makeFunction(stack));

    // THEN
    expect(clientSecret.secretArn).toBe('arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/inventory-AbCdEf');
    expect(clientSecret.clientId).toBe('orders-service');
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Resource: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/inventory-AbCdEf' })] },
    });
  });

  test.each([
    ['an empty client id', 'ClientCredentialsSecret.InvalidClientId', { clientId: '' }, /clientId '' must be 1 to 256 printable ASCII/],
    ['a client id with a space', 'ClientCredentialsSecret.InvalidClientId', { clientId: 'orders service' }, /Service\/InventoryClient: clientId 'orders service'/],
    ['rotateAfter without a rotation function', 'ClientCredentialsSecret.RotateAfterWithoutFunction', { clientId: 'orders-service', rotateAfter: Duration.days(7) }, /rotateAfter needs a rotationFunction/],
  ])('should refuse %s at synth', (_name, code, props, message) => {
    const stack = makeStack();
    codes.expectThrows(() => new ClientCredentialsSecret(stack, 'InventoryClient', props), code, message);
  });
});

describe('ClientCredentialsSecret error codes', () => {
  test('should test every code ClientCredentialsSecret throws', () => {
    expect(codes.untested('src/identity/client-credentials-secret.ts')).toEqual([]);
  });
});
