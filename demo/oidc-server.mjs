// The demo's OpenID provider: the certified `oidc-provider` package on 127.0.0.1 (plain HTTP: the
// authorizer accepts http: JWKS URIs for loopback hosts only), issuing JWT access tokens by the
// client-credentials grant for one audience, with each client's `tenant` as a claim. Prints one JSON
// line ({ issuer, jwksUri, tokenEndpoint }) once ready; stops when its stdin closes.
// Usage: node demo/oidc-server.mjs <clients.json> <audience>
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const [clientsFile, audience] = process.argv.slice(2);
const clients = JSON.parse(readFileSync(clientsFile, 'utf8'));
const allScopes = [...new Set(clients.flatMap((c) => (c.scope ?? '').split(' ').filter(Boolean)))];
const tenantOf = new Map(clients.map((c) => [c.client_id, c.tenant]));

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: clients.map((c) => ({
      client_id: c.client_id,
      client_secret: c.client_secret,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      scope: c.scope,
    })),
    jwks: { keys: [signingKey] },
    scopes: allScopes,
    extraTokenClaims: (_ctx, token) => (tenantOf.get(token.clientId) ? { tenant: tenantOf.get(token.clientId) } : undefined),
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== audience) throw new Provider.errors.InvalidTarget();
          return { scope: allScopes.join(' '), audience, accessTokenTTL: 300, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
        },
      },
    },
  });
  server.on('request', provider.callback());
  process.stdout.write(`${JSON.stringify({ issuer, jwksUri: `${issuer}/jwks`, tokenEndpoint: `${issuer}/token` })}\n`);
});

process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
