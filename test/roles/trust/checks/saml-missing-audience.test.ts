import { saml, statementOf, TIGHT_SAML } from './statements';
import { FederationRisk } from '../../../../src/roles/federation-risk';
import { samlMissingAudience } from '../../../../src/roles/trust/checks/saml-missing-audience';

describe('samlMissingAudience', () => {
  test('should report under the code FederationGuard.SamlMissingAudience', () => {
    expect(samlMissingAudience.code).toBe('FederationGuard.SamlMissingAudience');
  });

  test('should pass a SAML trust with SAML:aud', () => {
    expect(samlMissingAudience.check(statementOf(saml(TIGHT_SAML)))).toEqual([]);
  });

  test('should find a SAML trust without SAML:aud', () => {
    expect(samlMissingAudience.check(statementOf(saml({ StringEquals: { 'SAML:sub': 'alice' } })))).toEqual([
      { risk: FederationRisk.SAML_MISSING_AUDIENCE, message: expect.stringMatching(/^trusts a SAML provider without a 'SAML:aud' condition/) },
    ]);
  });
});
