import * as fs from 'node:fs';
import * as path from 'node:path';

// Monitoring reads an API through IMonitoredApi and IDecisionMetrics; SecuredApi creates the
// monitors, so an import of it from here (a type-only one too) would be an import circle.
const MONITORING = path.join(__dirname, '..', '..', 'src', 'monitoring');

describe('src/monitoring', () => {
  test.each(fs.readdirSync(MONITORING, { recursive: true }).map(String).filter((f) => f.endsWith('.ts')))(
    'should not import SecuredApi or TokenAuthorizer in %s', (file) => {
      // GIVEN
      const source = fs.readFileSync(path.join(MONITORING, file), 'utf8');

      // THEN
      expect(source).not.toMatch(/from '(\.\.\/)+secured-api'/);
      expect(source).not.toMatch(/from '(\.\.\/)+authorizer\/token-authorizer'/);
    });
});
