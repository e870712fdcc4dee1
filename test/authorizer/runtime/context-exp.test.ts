import { capturedAudit, config, makeKey, requestEvent, resolverOf, sign, validClaims } from './fixtures';
import type { TestKey } from './fixtures';
import { createAuthorizer } from '../../../src/authorizer/runtime/authorizer';

// The token's exp in the authorizer context: API Gateway may reuse a cached Allow for up to its TTL
// after exp, so a backend that must not serve an expired token needs exp to compare with its own
// clock. The clock is injected; tokens are dated from it.

const NOW_MS = Date.UTC(2030, 0, 1, 12);
const NOW = NOW_MS / 1000;

let rsa: TestKey;

beforeAll(async () => {
  rsa = await makeKey('RS256', 'rsa-1');
});

const dated = (extra: Record<string, unknown> = {}) => validClaims({ iat: NOW - 60, exp: NOW + 240, ...extra });

describe('exp in the authorizer context', () => {
  test.each(['token', 'route'] as const)('should give the token exp, as epoch seconds, with every Allow in %s cache mode', async (cacheMode) => {
    // GIVEN
    const { audit, records } = capturedAudit();
    const authorize = createAuthorizer({ config: config({ cacheMode }), audit, resolveKey: resolverOf(rsa), now: () => NOW_MS });
    const token = await sign(rsa, dated());
    // WHEN: a fresh verification, then two answers from the decision cache
    const results = [
      await authorize(requestEvent(`Bearer ${token}`, 'GET', '/orders')),
      await authorize(requestEvent(`Bearer ${token}`, 'POST', '/orders')),
      await authorize(requestEvent(`Bearer ${token}`, 'GET', '/orders/{id}')),
    ];
    // THEN
    expect(records().map((r) => [r.decision, r.cached])).toEqual([['allow', false], ['allow', true], ['allow', true]]);
    for (const result of results) {
      expect(result.context.exp).toBe(NOW + 240);
    }
  });

  test('should give the exp claim even when maxTokenAgeSeconds ends trust sooner', async () => {
    // GIVEN: trusted until iat + 120 = NOW + 60, but exp is NOW + 240
    const { audit } = capturedAudit();
    const authorize = createAuthorizer({ config: config({ maxTokenAgeSeconds: 120 }), audit, resolveKey: resolverOf(rsa), now: () => NOW_MS });
    // WHEN
    const result = await authorize(requestEvent(`Bearer ${await sign(rsa, dated())}`));
    // THEN
    expect(result.context.exp).toBe(NOW + 240);
  });

  test('should keep exp a number, beside a configured context claim', async () => {
    // GIVEN: a context claim named exp is refused (config.test, token-authorizer.test)
    const { audit } = capturedAudit();
    const authorize = createAuthorizer({ config: config({ contextClaims: ['tenant'] }), audit, resolveKey: resolverOf(rsa), now: () => NOW_MS });
    // WHEN
    const result = await authorize(requestEvent(`Bearer ${await sign(rsa, dated({ tenant: 'acme' }))}`));
    // THEN
    expect(result.context).toEqual(expect.objectContaining({ exp: NOW + 240, tenant: 'acme' }));
    expect(Object.values(result.context).every((v) => ['string', 'number', 'boolean'].includes(typeof v))).toBe(true);
  });

  test('should give exp with a Deny too, as the whole context', async () => {
    // GIVEN
    const { audit, records } = capturedAudit();
    const authorize = createAuthorizer({ config: config(), audit, resolveKey: resolverOf(rsa), now: () => NOW_MS });
    // WHEN
    const result = await authorize(requestEvent(`Bearer ${await sign(rsa, dated({ scope: 'orders:read' }))}`, 'DELETE', '/orders/{id}'));
    // THEN
    expect(records()[0]).toMatchObject({ decision: 'deny', reason: 'insufficient_scope' });
    expect(result.context.exp).toBe(NOW + 240);
  });
});
