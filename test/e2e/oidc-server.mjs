// A real OpenID Connect provider (the certified `oidc-provider` package) for end-to-end tests.
// It listens on 127.0.0.1 over HTTPS with the certificate it is given, issues JWT access tokens by the
// client-credentials grant, and prints one JSON line ({ issuer, jwksUri, tokenEndpoint }) once it is ready.
// Usage: node test/e2e/oidc-server.mjs <cert.pem> <key.pem> <clients.json> <audience>
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import Provider, { errors } from 'oidc-provider';

const [certFile, keyFile, clientsFile, audience] = process.argv.slice(2);
const clients = JSON.parse(readFileSync(clientsFile, 'utf8'));
const allScopes = [...new Set(clients.flatMap((c) => (c.scope ?? '').split(' ').filter(Boolean)))];

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };

const server = createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) });
server.listen(0, '127.0.0.1', () => {
  const issuer = `https://127.0.0.1:${server.address().port}`;
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
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== audience) throw new errors.InvalidTarget();
          return {
            scope: allScopes.join(' '),
            audience,
            accessTokenTTL: 300,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
  });
  server.on('request', provider.callback());
  process.stdout.write(`${JSON.stringify({ issuer, jwksUri: `${issuer}/jwks`, tokenEndpoint: `${issuer}/token` })}\n`);
});

// The test owns this process: stop when its stdin closes (the test ended or crashed).
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
