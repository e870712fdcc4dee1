// The baseline: the REQUEST authorizer most tutorials and samples show, on jose alone. It verifies
// the signature, iss, aud and exp, and allows the method ARN; no routes, scopes, cache or audit log.
import { createRemoteJWKSet, jwtVerify } from 'jose';

const issuer = process.env.ISSUER!;
const audience = process.env.AUDIENCE!;
const jwks = createRemoteJWKSet(new URL(process.env.JWKS_URI!));

interface RequestAuthorizerEvent {
  readonly methodArn: string;
  readonly headers?: Record<string, string | undefined> | null;
}

export const handler = async (event: RequestAuthorizerEvent) => {
  const header = event.headers?.Authorization ?? event.headers?.authorization;
  if (!header?.startsWith('Bearer ')) throw new Error('Unauthorized');
  try {
    const { payload } = await jwtVerify(header.slice(7), jwks, { issuer, audience, algorithms: ['RS256'] });
    return {
      principalId: payload.sub ?? 'anonymous',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }],
      },
      context: { sub: payload.sub, scope: typeof payload.scope === 'string' ? payload.scope : '' },
    };
  } catch {
    throw new Error('Unauthorized');
  }
};
