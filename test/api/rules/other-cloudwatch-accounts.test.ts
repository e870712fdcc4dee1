import { cloudWatchAccount, place } from './subjects';
import { otherCloudWatchAccounts } from '../../../src/api/rules/other-cloudwatch-accounts';
import { messagesOf } from '../../../src/rules/rule';

describe('otherCloudWatchAccounts', () => {
  const euProd = place('Prod', '111111111111', 'eu-west-1');

  test('should pass the one Account of its account and region', () => {
    expect(messagesOf(otherCloudWatchAccounts, cloudWatchAccount(euProd))).toEqual([]);
  });

  test('should pass Accounts in another account or another region', () => {
    const others = [
      { path: 'Dev/Account', stack: place('Dev', '222222222222', 'eu-west-1'), ours: false, later: false },
      { path: 'Us/Account', stack: place('Us', '111111111111', 'us-east-1'), ours: false, later: false },
    ];
    expect(messagesOf(otherCloudWatchAccounts, cloudWatchAccount(euProd, others))).toEqual([]);
  });

  test('should leave a later SecuredApi\'s Account to report the clash itself', () => {
    const others = [{ path: 'Other/Api/Account', stack: place('Other', '111111111111', 'eu-west-1'), ours: true, later: true }];
    expect(messagesOf(otherCloudWatchAccounts, cloudWatchAccount(euProd, others))).toEqual([]);
  });

  test('should refuse another Account that is not a SecuredApi\'s in an environment-agnostic stack', () => {
    const others = [{ path: 'Legacy/Rest/Account', stack: place('Legacy'), ours: false, later: false }];
    expect(messagesOf(otherCloudWatchAccounts, cloudWatchAccount(euProd, others))).toEqual([
      'Prod/Api/Account sets API Gateway\'s account-level CloudWatch role (AWS::ApiGateway::Account, one per account and region) in stack Prod (111111111111/eu-west-1), '
      + 'and so does Legacy/Rest/Account in stack Legacy (any account/any region): the last one deployed wins, and deleting its stack leaves the region\'s access logs without a role. '
      + 'The other is not a SecuredApi\'s: remove it (a RestApi\'s: cloudWatchRole: false), or set cloudWatchRole: false on the SecuredApis of stack Prod and deploy the other first.',
    ]);
    expect(otherCloudWatchAccounts.code).toBe('SecuredApi.OtherCloudWatchAccount');
  });

  test('should tell how to share one between SecuredApis of one Stage, or of two', () => {
    const sameStage = [{ path: 'Other/Api/Account', stack: place('Other', '111111111111', 'eu-west-1'), ours: true, later: false }];
    expect(messagesOf(otherCloudWatchAccounts, cloudWatchAccount(euProd, sameStage))).toEqual([
      expect.stringMatching(/and so does Other\/Api\/Account in stack Other \(111111111111\/eu-west-1\).*make it depend on the other \(Prod\.node\.addDependency\(Other\)\)/),
    ]);
    const otherStage = [{ path: 'Beta/Other/Api/Account', stack: place('Beta/Other', '111111111111', 'eu-west-1', 'Beta'), ours: true, later: false }];
    expect(messagesOf(otherCloudWatchAccounts, cloudWatchAccount(euProd, otherStage))).toEqual([
      expect.stringMatching(/share one only inside one CDK Stage .*deploy Stage Beta first\.$/),
    ]);
  });

  test('should name the same stack as such', () => {
    const others = [{ path: 'Prod/Rest/Account', stack: euProd, ours: false, later: false }];
    expect(messagesOf(otherCloudWatchAccounts, cloudWatchAccount(euProd, others))).toEqual([
      expect.stringMatching(/and so does Prod\/Rest\/Account in the same stack:/),
    ]);
  });
});
