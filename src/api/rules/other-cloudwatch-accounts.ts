import { CloudWatchAccountSubject, StackPlace } from './subjects';
import { messageRule } from '../../rules/rule';

/**
 * One `AWS::ApiGateway::Account` (API Gateway's account-level CloudWatch role) per account and
 * region: every other one of the app that may land in the same account and region as this one is
 * reported. Stacks without an account or region (environment-agnostic) are taken to be anywhere, so
 * possibly the same. Another Account made by a SecuredApi reports the clash itself when it comes
 * later in the app, so each clash is reported once.
 */
export const otherCloudWatchAccounts = messageRule<CloudWatchAccountSubject>('SecuredApi.OtherCloudWatchAccount',
  'no other AWS::ApiGateway::Account of the app may deploy to the same account and region', (account) => account.others
    .filter((other) => !(other.ours && other.later) && maySharePlace(account.stack, other.stack))
    .map((other) => {
      const stack = account.stack;
      const where = other.stack.path === stack.path ? 'the same stack' : `stack ${other.stack.path} (${place(other.stack)})`;
      return `${account.path} sets API Gateway's account-level CloudWatch role (AWS::ApiGateway::Account, one per account and region) `
        + `in stack ${stack.path} (${place(stack)}), and so does ${other.path} in ${where}: the last one deployed wins, and deleting its stack `
        + `leaves the region's access logs without a role. ${fixFor(stack, other.stack, other.ours)}`;
    }));

/** How to keep one Account, for the reason two could not be shared. */
function fixFor(stack: StackPlace, other: StackPlace, otherIsOurs: boolean): string {
  if (!otherIsOurs) {
    return 'The other is not a SecuredApi\'s: remove it (a RestApi\'s: cloudWatchRole: false), or set cloudWatchRole: false on the SecuredApis '
      + `of stack ${stack.path} and deploy the other first.`;
  }
  if (stack.assembly !== other.assembly) {
    return 'The SecuredApis of one account and region share one only inside one CDK Stage (a cloud assembly; stacks of two Stages cannot be ordered): '
      + `set cloudWatchRole: false on the SecuredApis of stack ${stack.path}, and deploy Stage ${other.assembly} first.`;
  }
  return 'The SecuredApis of one account and region share one when their stacks state the same env: give both stacks an explicit env '
    + `(account and region), or set cloudWatchRole: false on the SecuredApis of stack ${stack.path} and make it depend on the other `
    + `(${stack.id}.node.addDependency(${other.id})). Stacks without an explicit env count as possibly the same account and region.`;
}

/** Whether two stacks may deploy to the same account and region: unless their accounts or their regions are known to differ. */
function maySharePlace(a: StackPlace, b: StackPlace): boolean {
  const differ = (x?: string, y?: string) => x !== undefined && y !== undefined && x !== y;
  return !differ(a.account, b.account) && !differ(a.region, b.region);
}

function place(stack: StackPlace): string {
  return `${stack.account ?? 'any account'}/${stack.region ?? 'any region'}`;
}
