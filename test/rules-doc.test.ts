import * as fs from 'fs';
import * as path from 'path';
import { API_GUARDS } from '../src/api/guards';
import { ACCOUNT_RULES, DOMAIN_RULES, SECURED_API_RULES } from '../src/api/rules';
import { TOKEN_AUTHORIZER_RULES } from '../src/authorizer/rules';
import { SECURED_HTTP_API_RULES } from '../src/http-api/rules';
import { TRUST_RULES } from '../src/roles/trust/checks';

/** Every registered list of rules, by the name docs/rules.md gives it. */
const LISTS: Record<string, ReadonlyArray<{ readonly code: string; readonly checks: string }>> = {
  API_GUARDS, SECURED_API_RULES, DOMAIN_RULES, ACCOUNT_RULES, TOKEN_AUTHORIZER_RULES, TRUST_RULES, SECURED_HTTP_API_RULES,
};

/** The rows of docs/rules.md's table: code, what it checks (markdown escapes undone), where it runs. */
function tableRows(): Array<{ code: string; checks: string; where: string }> {
  const text = fs.readFileSync(path.join(__dirname, '..', 'docs', 'rules.md'), 'utf8');
  return text.split('\n')
    .filter((line) => /^\| `[A-Za-z0-9]+\.[A-Za-z0-9]+` \|/.test(line))
    .map((line) => {
      const cells = line.slice(1, -1).split(/(?<!\\)\|/).map((cell) => cell.trim());
      return { code: cells[0].replace(/`/g, ''), checks: cells[1].replace(/\\([\\`*_<>|])/g, '$1'), where: cells[2] };
    });
}

describe('docs/rules.md', () => {
  const rows = tableRows();
  const registered = Object.entries(LISTS).flatMap(([list, rules]) => rules.map((rule) => ({ list, ...rule })));

  test('should list every registered rule once, and no other', () => {
    expect(rows.map((r) => r.code).sort()).toEqual(registered.map((r) => r.code).sort());
    expect(new Set(rows.map((r) => r.code)).size).toBe(rows.length);
  });

  test('should give no code to two rules', () => {
    expect(new Set(registered.map((r) => r.code)).size).toBe(registered.length);
  });

  test('should say what each rule checks as the rule does, and in which list it runs', () => {
    for (const rule of registered) {
      const row = rows.find((r) => r.code === rule.code);
      expect({ code: rule.code, checks: row?.checks, listed: row?.where.includes(`\`${rule.list}\``) })
        .toEqual({ code: rule.code, checks: rule.checks, listed: true });
    }
  });
});
