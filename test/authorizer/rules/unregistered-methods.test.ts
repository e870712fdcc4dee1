import { unregisteredMethods } from '../../../src/authorizer/rules/unregistered-methods';
import { messagesOf } from '../../../src/rules/rule';

const authorizer = (methods: Array<{ httpMethod: string; resourcePath: string; path: string }>) => ({
  path: 'Stack/Authorizer',
  routes: [{ method: 'GET', resource: '/orders' }, { method: 'ANY', resource: '/admin/{proxy+}' }],
  methods,
});

describe('unregisteredMethods', () => {
  test('should pass methods that are in the route table', () => {
    expect(messagesOf(unregisteredMethods, authorizer([
      { httpMethod: 'GET', resourcePath: '/orders', path: 'Stack/Api/Default/orders/GET' },
      { httpMethod: 'ANY', resourcePath: '/admin/{proxy+}', path: 'Stack/Api/Default/admin/{proxy+}/ANY' },
    ]))).toEqual([]);
  });

  test('should refuse a method the route table does not have, naming it and the addRoute call', () => {
    expect(messagesOf(unregisteredMethods, authorizer([{ httpMethod: 'POST', resourcePath: '/orders', path: 'Stack/Api/Default/orders/POST' }]))).toEqual([
      'method POST /orders (Stack/Api/Default/orders/POST) uses this authorizer but is not in its route table, so the authorizer would deny it and a cached policy could not account for it; '
      + 'call addRoute({ method: \'POST\', path: \'/orders\', ... }) on Stack/Authorizer.',
    ]);
    expect(unregisteredMethods.code).toBe('TokenAuthorizer.UnregisteredMethod');
  });
});
