import * as fc from 'fast-check';
import { ARN_PARTITIONS, isRoleArn, parseRoleArn } from '../../src/runtime/role-arn';

// IAM's rules for a role ARN (CreateRole's Path and RoleName patterns, the IAM ARN format): generated
// ARNs that follow them are read back part by part; each single break of a rule is refused.

const NAME_CHARS = [...'abcXYZ019_+=,.@-'];
const PATH_CHARS = [...'!"#$%&\'()*+,-.0123456789:;<=>?@AZ[\\]^_`az{|}~/'];

const parts = fc.record({
  partition: fc.constantFrom(...ARN_PARTITIONS),
  account: fc.stringMatching(/^\d{12}$/),
  path: fc.oneof(
    fc.constant('/'),
    fc.string({ unit: fc.constantFrom(...PATH_CHARS), minLength: 1, maxLength: 60 }).map((p) => `/${p}/`),
  ),
  name: fc.string({ unit: fc.constantFrom(...NAME_CHARS), minLength: 1, maxLength: 64 }),
});
const arnOf = (p: { partition: string; account: string; path: string; name: string }) => `arn:${p.partition}:iam::${p.account}:role${p.path}${p.name}`;

describe('parseRoleArn', () => {
  test('should read back every ARN that follows IAM\'s rules', () => {
    fc.assert(fc.property(parts, (p) => {
      expect(parseRoleArn(arnOf(p))).toEqual(p);
    }), { numRuns: 1000 });
  });

  const breaks: Array<[string, fc.Arbitrary<string>]> = [
    ['an unknown partition', parts.chain((p) => fc.string({ unit: fc.constantFrom(...'abcosw-'), minLength: 1, maxLength: 12 })
      .filter((x) => !ARN_PARTITIONS.includes(x)).map((partition) => arnOf({ ...p, partition })))],
    ['an account that is not 12 digits', parts.chain((p) => fc.oneof(fc.stringMatching(/^\d{0,11}$/), fc.stringMatching(/^\d{13,14}$/), fc.constant('12345678901a'))
      .map((account) => arnOf({ ...p, account })))],
    ['a region', parts.map((p) => arnOf(p).replace(':iam::', ':iam:us-east-1:'))],
    ['another service', parts.map((p) => arnOf(p).replace(':iam::', ':sts::'))],
    ['another resource type', parts.chain((p) => fc.constantFrom('user', 'group', 'policy', 'roles', 'Role').map((t) => arnOf(p).replace(':role/', `:${t}/`)))],
    ['an empty name', parts.map((p) => arnOf({ ...p, name: '' }))],
    ['a name longer than 64', parts.map((p) => arnOf({ ...p, name: p.name.padEnd(65, 'x') }))],
    ['a character IAM refuses in the name', fc.tuple(parts, fc.constantFrom(' ', '*', '?', ':', '\\', '!', '#', 'é', '\n', '\t', '\u0000'), fc.nat())
      .map(([p, c, at]) => arnOf({ ...p, name: p.name.slice(0, at % (p.name.length + 1)) + c + p.name.slice(at % (p.name.length + 1)) }))],
    ['a character IAM refuses in the path', fc.tuple(parts, fc.constantFrom(' ', 'é', '\n', '\t', '\u007F', '\u0000'), fc.nat())
      .map(([p, c, at]) => arnOf({ ...p, path: `/${p.path.slice(1, -1).slice(0, at % p.path.length)}${c}${p.path.slice(1, -1).slice(at % p.path.length)}/` }))],
    ['a path longer than 512', parts.map((p) => arnOf({ ...p, path: `/${'p'.repeat(511)}/` }))],
    ['text around it', fc.tuple(parts, fc.constantFrom(' ', '\n', '\r\n', '\t', 'x')).chain(([p, c]) => fc.constantFrom(`${c}${arnOf(p)}`, `${arnOf(p)}${c.trim() ? ' ' : c}`))],
  ];

  test.each(breaks)('should refuse %s', (_name, arn) => {
    fc.assert(fc.property(arn, (value) => {
      expect(isRoleArn(value)).toBe(false);
    }), { numRuns: 300 });
  });

  test.each([undefined, null, 42, {}, ['arn:aws:iam::123456789012:role/r']])('should refuse %p', (value) => {
    expect(isRoleArn(value)).toBe(false);
  });
});
