'use strict';
// Shared inputs of the benchmark: one signing key pair, RS256 tokens signed with node:crypto, a
// 20-route config.json as the construct would write it, API Gateway REQUEST authorizer events and a
// loopback JWKS server. Ours and the sample see exactly the same keys, tokens and events.
const crypto = require('node:crypto');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const path = require('node:path');

const ISSUER = 'https://login.example.com/oauth2/default';
const AUDIENCE = 'api://orders';
const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/orders';

// A realistic e-commerce API: plain and templated paths, any-of scopes, routes that need only a valid
// token, claim rules, an ANY proxy route.
const ROUTES = [
  { method: 'GET', resource: '/orders', scopes: ['orders:read'] },
  { method: 'POST', resource: '/orders', scopes: ['orders:write'] },
  { method: 'GET', resource: '/orders/{id}', scopes: ['orders:read'] },
  { method: 'PUT', resource: '/orders/{id}', scopes: ['orders:write'] },
  { method: 'DELETE', resource: '/orders/{id}', scopes: ['orders:admin'] },
  { method: 'GET', resource: '/orders/{id}/items', scopes: ['orders:read'] },
  { method: 'POST', resource: '/orders/{id}/items', scopes: ['orders:write'] },
  { method: 'GET', resource: '/customers', scopes: ['customers:read'] },
  { method: 'POST', resource: '/customers', scopes: ['customers:write'] },
  { method: 'GET', resource: '/customers/{id}', scopes: ['customers:read'] },
  { method: 'PATCH', resource: '/customers/{id}', scopes: ['customers:write'] },
  { method: 'GET', resource: '/customers/{id}/orders', scopes: ['customers:read', 'orders:read'] },
  { method: 'GET', resource: '/products', scopes: [] },
  { method: 'GET', resource: '/products/{sku}', scopes: [] },
  { method: 'PUT', resource: '/products/{sku}', scopes: ['catalog:write'] },
  {
    method: 'GET', resource: '/invoices/{id}', scopes: ['billing:read'],
    claimRules: [{ claim: 'tenant_tier', op: 'oneOf', values: ['gold', 'platinum'] }],
  },
  {
    method: 'POST', resource: '/payments', scopes: ['billing:write'],
    claimRules: [{ claim: 'amr', op: 'contains', value: 'mfa' }],
  },
  {
    method: 'ANY', resource: '/admin/{proxy+}', scopes: ['admin'],
    claimRules: [{ claim: 'groups', op: 'contains', value: 'admins' }],
  },
  { method: 'GET', resource: '/reports/{name}', scopes: ['reports:read'] },
  { method: 'POST', resource: '/webhooks/{provider}', scopes: ['webhooks:write'] },
];

function arnPathOf(resource) {
  return resource.replace(/^\//, '').replace(/\{[^}]+\}/g, '*');
}

// One real request path of a route, to test other routes' ARN globs against.
function samplePathOf(resource) {
  return resource.replace(/^\//, '').replace(/\{[^}]+\+\}/g, 'x/y').replace(/\{[^}]+\}/g, 'x');
}

function globToRegExp(glob) {
  return new RegExp(`^${glob.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

function overlapsOf(routes, self) {
  const a = routes[self];
  const glob = globToRegExp(`${a.method === 'ANY' ? '*' : a.method}/${arnPathOf(a.resource)}`);
  const out = [];
  routes.forEach((d, i) => {
    if (i === self) return;
    const methods = d.method === 'ANY' ? ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] : [d.method];
    if (methods.some((m) => glob.test(`${m}/${samplePathOf(d.resource)}`))) out.push(i);
  });
  return out;
}

/** config.json per docs/authorizer-contract.md, with the construct's defaults and route order. */
function makeConfig() {
  const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  const routes = [...ROUTES].sort((a, b) => cmp(a.resource, b.resource) || cmp(a.method, b.method));
  return {
    version: 1,
    algorithms: ['RS256'],
    audienceClaim: 'aud',
    // RFC 9068's claims, as an issuer from OidcIssuer.fromUrl: the tokens below name their client in client_id.
    profile: { clientClaims: ['client_id'], grantClaims: ['scope'] },
    clockToleranceSeconds: 30,
    maxTokenBytes: 8192,
    contextClaims: ['tenant_tier'],
    jwks: { timeoutMs: 3000, cooldownMs: 30000, maxBytes: 65536, maxKeys: 50, maxAgeMs: 3600000 },
    decisionCache: { maxEntries: 10000 },
    // token mode is the heavier policy (every route is evaluated); this route table is safe for it.
    cacheMode: 'token',
    metricsNamespace: 'SecuredApi',
    serviceName: 'Orders',
    routes: routes.map((r, i) => ({
      method: r.method,
      resource: r.resource,
      arnPath: arnPathOf(r.resource),
      scopes: r.scopes,
      claimRules: r.claimRules ?? [],
      overlaps: overlapsOf(routes, i),
    })),
  };
}

function makeKeys() {
  // Two published keys, as during a rotation; tokens are signed with the first.
  const kids = ['bench-key-1', 'bench-key-2'];
  const pairs = kids.map(() => crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }));
  const jwks = {
    keys: pairs.map((p, i) => ({ ...p.publicKey.export({ format: 'jwk' }), kid: kids[i], alg: 'RS256', use: 'sig' })),
  };
  return { kid: kids[0], privateKey: pairs[0].privateKey, publicJwk: jwks.keys[0], jwks };
}

const b64url = (obj) => Buffer.from(JSON.stringify(obj)).toString('base64url');

/** Signs `count` distinct access tokens (distinct jti and sub) shaped like a typical IdP's. */
function makeTokens(keys, count, prefix) {
  const now = Math.floor(Date.now() / 1000);
  const header = b64url({ alg: 'RS256', kid: keys.kid, typ: 'at+jwt' });
  const tokens = new Array(count);
  for (let i = 0; i < count; i++) {
    const payload = b64url({
      ver: 1,
      jti: `${prefix}-${i}-${crypto.randomUUID()}`,
      iss: ISSUER,
      aud: AUDIENCE,
      iat: now - 5,
      exp: now + 3600,
      client_id: 'orders-web',
      sub: `user-${prefix}-${i}@example.com`,
      scope: 'openid orders:read orders:write customers:read',
      tenant_tier: 'gold',
      amr: ['pwd', 'mfa'],
      groups: ['staff'],
    });
    const input = `${header}.${payload}`;
    tokens[i] = `${input}.${crypto.sign('RSA-SHA256', Buffer.from(input), keys.privateKey).toString('base64url')}`;
  }
  return tokens;
}

/** A REST API REQUEST authorizer event for GET /orders, as API Gateway sends it. */
function makeEvent(token) {
  return {
    type: 'REQUEST',
    methodArn: METHOD_ARN,
    resource: '/orders',
    path: '/orders',
    httpMethod: 'GET',
    headers: {
      Accept: 'application/json',
      Authorization: `Bearer ${token}`,
      Host: 'abc123.execute-api.us-east-1.amazonaws.com',
      'User-Agent': 'bench/1.0',
      'X-Forwarded-For': '203.0.113.7',
    },
    multiValueHeaders: {
      Accept: ['application/json'],
      Authorization: [`Bearer ${token}`],
      Host: ['abc123.execute-api.us-east-1.amazonaws.com'],
      'User-Agent': ['bench/1.0'],
      'X-Forwarded-For': ['203.0.113.7'],
    },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: {},
    stageVariables: null,
    requestContext: {
      resourcePath: '/orders',
      httpMethod: 'GET',
      path: '/prod/orders',
      accountId: '123456789012',
      apiId: 'abc123',
      stage: 'prod',
      requestId: crypto.randomUUID(),
    },
  };
}

// The warm loop checks every result between timed decisions; compiling a RegExp each time would
// add garbage that the timed decisions then pay for.
const compiledGlobs = new Map();
function compiledGlob(glob) {
  let re = compiledGlobs.get(glob);
  if (re === undefined) {
    re = globToRegExp(glob);
    compiledGlobs.set(glob, re);
  }
  return re;
}

/** True when the policy allows the event's methodArn and denies nothing that matches it. */
function allowsMethodArn(result, methodArn) {
  const statements = result?.policyDocument?.Statement;
  if (!Array.isArray(statements)) return false;
  const matches = (s) => [].concat(s.Resource).some((r) => compiledGlob(r).test(methodArn));
  return statements.some((s) => s.Effect === 'Allow' && matches(s)) && !statements.some((s) => s.Effect === 'Deny' && matches(s));
}

/**
 * A self-signed certificate for 127.0.0.1 (openssl, RSA-2048, SAN IP:127.0.0.1), made once into
 * `dir`; the authorizers trust it through NODE_EXTRA_CA_CERTS, as Node adds that file to its roots.
 */
function loopbackCertificate(dir) {
  const key = path.join(dir, 'loopback-key.pem');
  const cert = path.join(dir, 'loopback-cert.pem');
  if (!fs.existsSync(key) || !fs.existsSync(cert)) {
    fs.mkdirSync(dir, { recursive: true });
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '30',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  }
  return { key: fs.readFileSync(key), cert: fs.readFileSync(cert), certFile: cert };
}

/**
 * Serves the JWKS on 127.0.0.1 and counts the fetches: over TLS with `tlsDir` (a certificate made
 * there, whose file `caFile` names for NODE_EXTRA_CA_CERTS), else over plain http.
 */
function startJwksServer(jwks, tlsDir) {
  const body = JSON.stringify(jwks);
  let fetches = 0;
  const tls = tlsDir ? loopbackCertificate(tlsDir) : undefined;
  const listener = (req, res) => {
    fetches++;
    if (req.url !== '/v1/keys') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'max-age=3600' });
    res.end(body);
  };
  const server = tls ? https.createServer({ key: tls.key, cert: tls.cert }, listener) : http.createServer(listener);
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        uri: `${tls ? 'https' : 'http'}://127.0.0.1:${server.address().port}/v1/keys`,
        caFile: tls?.certFile,
        fetches: () => fetches,
        close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
      });
    });
  });
}

/** Environment for both authorizers: ours reads SECURED_API_*, the sample the usual ISSUER/AUDIENCE/JWKS_URI. */
function authorizerEnv(jwksUri, configFile) {
  return {
    SECURED_API_ISSUER: ISSUER,
    SECURED_API_AUDIENCES: JSON.stringify([AUDIENCE]),
    SECURED_API_JWKS_URI: jwksUri,
    SECURED_API_CONFIG_FILE: configFile,
    ISSUER,
    AUDIENCE,
    JWKS_URI: jwksUri,
  };
}

module.exports = {
  ISSUER, AUDIENCE, METHOD_ARN, ROUTES,
  makeConfig, makeKeys, makeTokens, makeEvent, allowsMethodArn, loopbackCertificate, startJwksServer, authorizerEnv,
};
