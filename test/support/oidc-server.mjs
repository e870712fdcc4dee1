// A real OpenID Connect provider (the certified `oidc-provider` package) on 127.0.0.1, for the e2e
// test, the client-credentials token source's tests and `npx projen demo`. It issues JWT access
// tokens by the client-credentials grant for one audience (a resource indicator), prints one JSON
// line ({ issuer, jwksUri, tokenEndpoint }) once it is ready, and stops when its stdin closes (its
// parent owns it).
// Usage: node test/support/oidc-server.mjs <options.json>, the options being
//   clients: [{ client_id, client_secret, scope, token_endpoint_auth_method?, claims? }]
//            (claims: extra claims of that client's access tokens, e.g. { "tenant": "acme" })
//   audience: the one resource (aud) tokens are issued for
//   defaultResource: false to require the client to ask for it (default true: tokens are for audience)
//   tls: { cert, key } PEM files for HTTPS (default: plain HTTP, which our code accepts on loopback only)
//   clientCredentialsTtl: seconds (default oidc-provider's)
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import Provider, { errors } from 'oidc-provider';

const options = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const { clients, audience, defaultResource = true, tls, clientCredentialsTtl } = options;
const allScopes = [...new Set(clients.flatMap((c) => (c.scope ?? '').split(' ').filter(Boolean)))];
const claimsOf = new Map(clients.map((c) => [c.client_id, c.claims]));

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };

const server = tls ? https.createServer({ cert: readFileSync(tls.cert), key: readFileSync(tls.key) }) : http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `${tls ? 'https' : 'http'}://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: clients.map((c) => ({
      client_id: c.client_id,
      client_secret: c.client_secret,
      ...(c.token_endpoint_auth_method ? { token_endpoint_auth_method: c.token_endpoint_auth_method } : {}),
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      scope: c.scope,
    })),
    jwks: { keys: [signingKey] },
    scopes: allScopes,
    extraTokenClaims: (_ctx, token) => claimsOf.get(token.clientId),
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => (defaultResource ? audience : undefined),
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== audience) throw new errors.InvalidTarget();
          return { scope: allScopes.join(' '), audience, accessTokenTTL: 300, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
        },
      },
    },
    ...(clientCredentialsTtl ? { ttl: { ClientCredentials: clientCredentialsTtl } } : {}),
  });
  server.on('request', provider.callback());
  process.stdout.write(`${JSON.stringify({ issuer, jwksUri: `${issuer}/jwks`, tokenEndpoint: `${issuer}/token` })}\n`);
});

process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
