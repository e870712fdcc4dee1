import { saml, statementOf, TIGHT_SAML } from './statements';
import { FederationRisk } from '../../../../src/roles/federation-risk';
import { samlForeignAudience } from '../../../../src/roles/trust/checks/saml-foreign-audience';

describe('samlForeignAudience', () => {
  test('should report under the code FederationGuard.SamlForeignAudience', () => {
    expect(samlForeignAudience.code).toBe('FederationGuard.SamlForeignAudience');
  });

  test('should pass the AWS sign-in endpoint as SAML:aud', () => {
    expect(samlForeignAudience.check(statementOf(saml(TIGHT_SAML)))).toEqual([]);
  });

  test('should find another service provider\'s endpoint as SAML:aud', () => {
    expect(samlForeignAudience.check(statementOf(saml({ StringEquals: { 'SAML:aud': 'https://sso.example.com/saml' } })))).toEqual([
      { risk: FederationRisk.SAML_FOREIGN_AUDIENCE, message: expect.stringMatching(/^tests 'SAML:aud' against 'https:\/\/sso\.example\.com\/saml', which is not an AWS sign-in endpoint/) },
    ]);
  });
});
