import { App, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as fc from 'fast-check';
import { HttpMethod, OidcIssuer, TokenAuthorizer } from '../../src';
import { parseConfig } from '../../src/authorizer/runtime/config';
import { authorizerConfigJson } from '../support/cdk';

// Across the construct/runtime gap: every issuer profile the construct accepts (OidcIssuer's
// clientClaims/grantClaims options) is one the authorizer runtime accepts and reads back unchanged
// from config.json. A profile the construct let through and the runtime refused would make every
// request of the deployed API fail closed (internal_error).

const ENV = {
  SECURED_API_ISSUER: 'https://login.example.com',
  SECURED_API_AUDIENCES: '["api://orders"]',
  SECURED_API_JWKS_URI: 'https://login.example.com/.well-known/jwks.json',
};

let written: Record<string, unknown>;

beforeAll(() => {
  const app = new App();
  const stack = new Stack(app, 'Auth', { env: { account: '123456789012', region: 'eu-west-1' } });
  const authorizer = new TokenAuthorizer(stack, 'Authz', {
    issuer: OidcIssuer.fromUrl('https://login.example.com', { audiences: ['api://orders'] }),
    routes: [{ method: HttpMethod.GET, path: '/orders', scopes: ['orders:read'] }],
  });
  new apigateway.RestApi(stack, 'Api').root.addResource('orders').addMethod('GET', new apigateway.MockIntegration(), { authorizer: authorizer.authorizer });
  written = authorizerConfigJson(app, stack);
});

const claimName = fc.oneof(
  fc.constantFrom('client_id', 'cid', 'azp', 'appid', 'scope', 'scp', 'roles', 'permissions', 'sub', 'iss', 'AUD', 'Exp', 'nbf', 'jti', 'iat',
    '__proto__', 'constructor', 'toString', '', ' ', ' scope', 'scope ', 'a b', '-'),
  fc.string({ maxLength: 12 }),
);

test('should have the runtime accept, unchanged, every profile the construct accepts', () => {
  fc.assert(fc.property(fc.array(claimName, { maxLength: 4 }), fc.array(claimName, { maxLength: 4 }), (clientClaims, grantClaims) => {
    let issuer: OidcIssuer;
    try {
      issuer = OidcIssuer.fromUrl('https://login.example.com', { audiences: ['api://orders'], clientClaims, grantClaims });
    } catch {
      return; // refused at synth: nothing is deployed
    }
    const config = { ...written, profile: { clientClaims: issuer.profile.clientClaims, grantClaims: issuer.profile.grantClaims } };
    expect(parseConfig(JSON.parse(JSON.stringify(config)), ENV).profile).toEqual({ clientClaims, grantClaims });
  }), { numRuns: 500 });
});
