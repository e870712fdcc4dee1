// The README's token-for-a-role handler ("A Lambda that trades the caller's token for a role"), as a
// user writes it, but importing the runtime entry from the sources: in a user's app it is
// 'cdk-secured-api/runtime'. Bundled by test/handler-bundling.test.ts.
import { CallerCredentialsError, WebIdentityCredentials } from '../../src/runtime';

const callers = new WebIdentityCredentials({ roleArn: process.env.SECURED_API_CALLER_ROLE_ARN!, region: process.env.AWS_REGION! });

export async function handler(event: { headers: Record<string, string | undefined> }) {
  try {
    const credentials = callers.forEvent(event); // the caller's "Authorization: Bearer <token>"
    const { accessKeyId } = await credentials(); // hand `credentials` to any AWS SDK v3 client
    return { statusCode: 200, body: JSON.stringify({ exchanged: accessKeyId.length > 0 }) };
  } catch (error) {
    if (error instanceof CallerCredentialsError) {
      return { statusCode: error.httpStatus, body: JSON.stringify({ error: error.code }) };
    }
    throw error;
  }
}
