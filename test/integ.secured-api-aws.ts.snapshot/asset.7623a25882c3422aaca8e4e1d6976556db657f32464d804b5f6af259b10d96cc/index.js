"use strict";
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toCommonJS = (mod) => __copyProps(__defProp({}, "__esModule", { value: true }), mod);

// test/integ-aws/test-issuer.lambda.ts
var test_issuer_lambda_exports = {};
__export(test_issuer_lambda_exports, {
  DISCOVERY_PATH: () => DISCOVERY_PATH,
  JWKS_PATH: () => JWKS_PATH,
  TOKEN_LIFETIME_SECONDS: () => TOKEN_LIFETIME_SECONDS,
  checkClientRequest: () => checkClientRequest,
  clientHandler: () => clientHandler,
  createClientHandler: () => createClientHandler,
  createKeysHandler: () => createKeysHandler,
  keysHandler: () => keysHandler,
  mintToken: () => mintToken,
  publicJwk: () => publicJwk
});
module.exports = __toCommonJS(test_issuer_lambda_exports);
var import_node_crypto = require("node:crypto");
var DISCOVERY_PATH = "/.well-known/openid-configuration";
var JWKS_PATH = "/.well-known/jwks.json";
var TOKEN_LIFETIME_SECONDS = 300;
var METHODS = /* @__PURE__ */ new Set(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]);
var RETURNED_HEADERS = [
  "access-control-allow-origin",
  "access-control-allow-methods",
  "access-control-allow-headers",
  "access-control-allow-credentials",
  "access-control-max-age",
  "vary",
  "www-authenticate",
  "content-type"
];
var API_PATH = /^(?!.*(?:^|\/)\.\.?(?:\/|$))\/(?!\/)[A-Za-z0-9._~\-/]*$/;
function publicJwk(spki) {
  const jwk = (0, import_node_crypto.createPublicKey)({ key: Buffer.from(spki), format: "der", type: "spki" }).export({ format: "jwk" });
  if (jwk.kty !== "RSA" || typeof jwk.n !== "string" || typeof jwk.e !== "string") {
    throw new Error(`the signing key is ${String(jwk.kty)}, not RSA; create the KMS key with KeySpec RSA_2048`);
  }
  const kid = (0, import_node_crypto.createHash)("sha256").update(JSON.stringify({ e: jwk.e, kty: "RSA", n: jwk.n })).digest("base64url");
  return { kty: "RSA", n: jwk.n, e: jwk.e, kid, alg: "RS256", use: "sig" };
}
function cachedJwk(key) {
  let jwk;
  return () => {
    jwk ??= key.publicKey().then(publicJwk);
    return jwk.catch((err) => {
      jwk = void 0;
      throw err;
    });
  };
}
var base64url = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
async function mintToken(key, jwk, claims, nowSeconds) {
  const header = { alg: "RS256", typ: "JWT", kid: jwk.kid };
  const payload = {
    iss: claims.issuer,
    aud: claims.audience,
    sub: "integ-test",
    iat: nowSeconds,
    nbf: nowSeconds,
    exp: nowSeconds + TOKEN_LIFETIME_SECONDS,
    jti: (0, import_node_crypto.randomUUID)(),
    ...claims.scope === void 0 ? {} : { scope: claims.scope },
    ...claims.clientId === void 0 ? {} : { client_id: claims.clientId }
  };
  const signingInput = `${base64url(header)}.${base64url(payload)}`;
  const signature = await key.sign(Buffer.from(signingInput, "ascii"));
  return `${signingInput}.${Buffer.from(signature).toString("base64url")}`;
}
function json(statusCode, body, maxAge) {
  return {
    statusCode,
    headers: { "content-type": "application/json", ...maxAge === void 0 ? {} : { "cache-control": `max-age=${maxAge}` } },
    body: JSON.stringify(body)
  };
}
function createKeysHandler(key) {
  const jwk = cachedJwk(key);
  return async (event) => {
    if (event.requestContext.http.method !== "GET") {
      return json(405, { error: "method_not_allowed" });
    }
    const issuer = `https://${event.requestContext.domainName}`;
    if (event.rawPath === DISCOVERY_PATH) {
      return json(200, {
        issuer,
        jwks_uri: `${issuer}${JWKS_PATH}`,
        id_token_signing_alg_values_supported: ["RS256"],
        response_types_supported: ["token"],
        subject_types_supported: ["public"]
      }, 300);
    }
    if (event.rawPath === JWKS_PATH) {
      return json(200, { keys: [await jwk()] }, 300);
    }
    return json(404, { error: "not_found" });
  };
}
function checkClientRequest(request) {
  const r = request;
  if (typeof r !== "object" || r === null) {
    throw new Error("the request must be an object { method, path, headers?, token? }");
  }
  if (typeof r.method !== "string" || !METHODS.has(r.method)) {
    throw new Error(`method ${JSON.stringify(r.method)} is not one of ${[...METHODS].join(", ")}`);
  }
  if (typeof r.path !== "string" || !API_PATH.test(r.path)) {
    throw new Error(`path ${JSON.stringify(r.path)} is not a path of the API (one leading '/', letters, digits, '-._~/' only)`);
  }
  for (const [name, value] of Object.entries(r.headers ?? {})) {
    if (typeof value !== "string" || !/^[A-Za-z0-9-]+$/.test(name) || name.toLowerCase() === "authorization" || /[\r\n]/.test(value)) {
      throw new Error(`header ${JSON.stringify(name)} is not allowed (Authorization comes from 'token'; values are single-line strings)`);
    }
  }
  if (r.token !== void 0) {
    const { scope, clientId } = r.token ?? {};
    if (scope !== void 0 && (typeof scope !== "string" || scope.length > 256) || clientId !== void 0 && (typeof clientId !== "string" || clientId.length === 0 || clientId.length > 128)) {
      throw new Error("token must be { scope?: string (at most 256 characters), clientId?: non-empty string (at most 128) }");
    }
  }
  return r;
}
function createClientHandler(key, config) {
  const jwk = cachedJwk(key);
  if (!config.apiUrl.startsWith("https://") || !config.apiUrl.endsWith("/")) {
    throw new Error(`the API URL ${config.apiUrl} must be https:// and end with '/'`);
  }
  return async (input) => {
    const request = checkClientRequest(input);
    const headers = { ...request.headers };
    let token;
    if (request.token) {
      token = await mintToken(key, await jwk(), {
        issuer: config.issuer,
        audience: config.audience,
        scope: request.token.scope,
        clientId: request.token.clientId
      }, Math.floor(config.now() / 1e3));
      headers.Authorization = `Bearer ${token}`;
    }
    const response = await config.fetch(`${config.apiUrl}${request.path.slice(1)}`, {
      method: request.method,
      headers,
      redirect: "manual",
      signal: AbortSignal.timeout(1e4)
    });
    const body = (await response.text()).slice(0, 1e3);
    const returned = {};
    for (const name of RETURNED_HEADERS) {
      const value = response.headers.get(name);
      if (value !== null) {
        returned[name] = value;
      }
    }
    const leaks = (text) => token !== void 0 && token.split(".").some((part) => text.includes(part));
    return {
      status: response.status,
      headers: Object.fromEntries(Object.entries(returned).map(([n, v]) => [n, leaks(v) ? "(withheld: held part of the token)" : v])),
      body: leaks(body) ? "(withheld: held part of the token)" : body
    };
  };
}
function kmsKey(keyId) {
  const sdk = require("@aws-sdk/client-kms");
  const client = new sdk.KMSClient({});
  return {
    publicKey: async () => (await client.send(new sdk.GetPublicKeyCommand({ KeyId: keyId }))).PublicKey,
    sign: async (message) => (await client.send(new sdk.SignCommand({
      KeyId: keyId,
      Message: message,
      MessageType: "RAW",
      SigningAlgorithm: "RSASSA_PKCS1_V1_5_SHA_256"
    }))).Signature
  };
}
function env(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`environment variable ${name} is not set`);
  }
  return value;
}
function lazy(build) {
  let handler;
  return async (event) => (handler ??= build())(event);
}
var keysHandler = lazy(() => createKeysHandler(kmsKey(env("SIGNING_KEY_ID"))));
var clientHandler = lazy(() => createClientHandler(kmsKey(env("SIGNING_KEY_ID")), {
  apiUrl: env("API_URL"),
  issuer: env("ISSUER"),
  audience: env("AUDIENCE"),
  fetch,
  now: Date.now
}));
// Annotate the CommonJS export names for ESM import in node:
0 && (module.exports = {
  DISCOVERY_PATH,
  JWKS_PATH,
  TOKEN_LIFETIME_SECONDS,
  checkClientRequest,
  clientHandler,
  createClientHandler,
  createKeysHandler,
  keysHandler,
  mintToken,
  publicJwk
});
