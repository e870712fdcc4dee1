// Hand-written subjects for the tests of one SecuredApi rule each.
import { CloudWatchAccountSubject, SecuredApiSubject, StackPlace } from '../../../src/api/rules';

/** The Orders API with GET /orders and GET /orders/{id}, a small definition, no caller-role handlers. */
export function securedApi(overrides: Partial<SecuredApiSubject> = {}): SecuredApiSubject {
  return {
    path: 'Orders/Api',
    routeResources: ['/orders', '/orders/{id}'],
    definitionChars: () => 2_000,
    templateFit: () => { throw new Error('the template is rendered only for a large definition'); },
    retentionDays: 365,
    handlerLogs: () => [],
    ...overrides,
  };
}

/** A stack in one account and region of the App. */
export function place(path: string, account?: string, region?: string, assembly = ''): StackPlace {
  return { path, id: path.split('/').pop()!, account, region, assembly };
}

/** The Account of Orders/Api in `stack`, beside `others`. */
export function cloudWatchAccount(stack: StackPlace, others: CloudWatchAccountSubject['others'] = []): CloudWatchAccountSubject {
  return { path: `${stack.path}/Api/Account`, stack, others };
}
