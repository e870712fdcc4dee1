import type * as SecretsManager from '@aws-sdk/client-secrets-manager';
import type * as Sts from '@aws-sdk/client-sts';

/*
 * The AWS SDK clients are loaded on first use, not when cdk-secured-api/runtime is imported: each
 * takes tens of milliseconds to load (cold start), and a function that only fetches
 * client-credentials tokens never needs STS, nor one that only exchanges tokens Secrets Manager.
 * Both are in Lambda's Node.js runtime and stay outside the bundle. `require`, not `import()`:
 * the CommonJS build and jest load them as CommonJS, and the ESM build defines `require` with
 * `createRequire` (see .projenrc.ts), so every caller gets the same module instance as its own
 * `require('@aws-sdk/client-sts')` (one class for `instanceof` and for aws-sdk-client-mock).
 */
let sts: typeof Sts | undefined;
let secretsManager: typeof SecretsManager | undefined;

export function loadSts(): typeof Sts {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (sts ??= require('@aws-sdk/client-sts') as typeof Sts);
}

export function loadSecretsManager(): typeof SecretsManager {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (secretsManager ??= require('@aws-sdk/client-secrets-manager') as typeof SecretsManager);
}
