export * from './identity/oidc-issuer';
