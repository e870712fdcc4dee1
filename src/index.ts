export * from './identity/oidc-issuer';
export * from './identity/oidc-identity-provider';
export * from './identity/saml-identity-provider';
