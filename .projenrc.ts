import { awscdk, javascript, JsonFile } from 'projen';

// Runtime code (the authorizer Lambda) imports jose 6, which is ESM-only. jsii compiles src/** as
// CommonJS, so runtime files are excluded from jsii and only ever bundled by esbuild (which inlines
// jose into one CJS file). They are type-checked by their own tsconfig (typecheck:runtime).
// jose 6 over jose 5: jose 6 is the maintained major, and bundling makes its module format moot.
const RUNTIME_GLOBS = ['src/authorizer/runtime/**/*.ts', 'src/api/runtime/**/*.ts', 'src/**/*.lambda.ts', 'src/runtime/**/*.ts', 'src/testing/**/*.ts'];

const project = new awscdk.AwsCdkConstructLibrary({
  author: 'cdk-secured-api maintainers',
  authorAddress: 'maintainers@cdk-secured-api.dev',
  name: 'cdk-secured-api',
  description:
    'API Gateway REST APIs guarded by OAuth 2.0 / OIDC access tokens, federated IAM roles whose trust policies cannot be written loosely, and the dashboards to watch them.',
  keywords: ['cdk', 'aws-cdk', 'oidc', 'oauth2', 'jwt', 'api-gateway', 'authorizer', 'iam', 'federation', 'saml'],
  license: 'Apache-2.0',
  repositoryUrl: 'https://github.com/cdk-secured-api/cdk-secured-api.git',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,

  // cdk-nag 3 needs aws-cdk-lib >= 2.257.0.
  cdkVersion: '2.257.0',
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',

  // The authorizer is bundled explicitly below, not through a generated *-function.ts: that class
  // hard-wires its asset folder, and TokenAuthorizer must write its configuration into the asset.
  lambdaAutoDiscover: false,
  excludeTypescript: RUNTIME_GLOBS,

  devDeps: [
    'jose@^6.2.0',
    'oidc-provider@^9.13.0',
    'cdk-nag@^3.0.2',
    'esbuild@^0.25.0',
    'fast-check@^4',
    // Caller-credentials helpers (src/runtime, the cdk-secured-api/runtime entry): the AWS SDK clients
    // are in Lambda's Node.js runtime and stay external; the rest is inlined by esbuild.
    '@aws-sdk/client-sts@^3',
    '@aws-sdk/client-secrets-manager@^3',
    // The deploy-time check reads the imported REST API back (src/api, its own bundle; the SDK stays external).
    '@aws-sdk/client-api-gateway@^3',
    // ... and the HTTP API's (API Gateway v2) for SecuredHttpApi's check (src/api/runtime/http-read.ts).
    '@aws-sdk/client-apigatewayv2@^3',
    'aws-sdk-client-mock@^4',
    'oauth4webapi@^3',
    'fast-xml-parser@^5',
    // Validates the generated OpenAPI document in the tests.
    '@readme/openapi-parser@^9',
    // integ-runner snapshot tests (test/integ.*.ts), diffed offline. integ-tests-alpha 2.257.0-alpha.0
    // is not in this registry; 2.245.0-alpha.0's peer range accepts aws-cdk-lib 2.257.0.
    '@aws-cdk/integ-runner@2.197.10',
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
  ],

  publishToPypi: {
    distName: 'cdk-secured-api',
    module: 'cdk_secured_api',
  },
  publishToMaven: {
    javaPackage: 'dev.cdksecuredapi',
    mavenGroupId: 'dev.cdksecuredapi',
    mavenArtifactId: 'cdk-secured-api',
  },
  publishToNuget: {
    dotNetNamespace: 'CdkSecuredApi',
    packageId: 'CdkSecuredApi',
  },
  publishToGo: {
    moduleName: 'github.com/cdk-secured-api/cdk-secured-api-go',
  },

  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      // No coverage in the test task (so in the build and CI): instrumenting took 2.4x the CPU of the same
      // jest run without it (farm-bench, 3 paired runs), and nothing reads the report. `npx jest --coverage`
      // collects it when wanted.
      collectCoverage: false,
      snapshotSerializers: ['<rootDir>/test/asset-hash-serializer.ts'],
      // Removes the cdk.out folders that test Apps leave in the OS temp folder (shared/TOOLCHAIN.md).
      setupFilesAfterEnv: ['<rootDir>/test/temp-folders.ts'],
      testTimeout: 60_000,
      // jose and oauth4webapi are ESM-only; let ts-jest transpile them to CommonJS for the runtime unit tests.
      transformIgnorePatterns: ['/node_modules/(?!(jose|oauth4webapi)/)'],
      transform: {
        '^.+/node_modules/(jose|oauth4webapi)/.+\\.js$': new javascript.Transform('ts-jest', {
          tsconfig: { allowJs: true, module: 'commonjs' },
          isolatedModules: true,
        }),
      },
    } as javascript.JestConfigOptions,
  },

  gitignore: ['cdk.out', '/example/cdk.out', '/assets/', '.bench/', '/.docs-check/'],
  npmignoreEnabled: true,
});

// The Node.js users' apps need: aws-cdk-lib's own engines (>= 20.0.0 from 2.257.0 on), and the
// cdk-secured-api/runtime and /testing entries are built for node20 (the authorizer asset runs on
// Lambda's nodejs22.x). Set as an engine only: minNodeVersion would also pin CI to exactly that Node
// and @types/node to ^20. The Node >= 22 warnings of `npm install` in this repository come from
// devDependencies only (commit-and-tag-version 13's tree, for projen's bump/release), not from users' installs.
project.package.addEngine('node', '>= 20.0.0');

project.npmignore?.exclude('/example/', '/bench/', '/.ci/', '/scripts/', '/demo/', '/tsconfig.entries.json', '/tsconfig.dev.json');
project.npmignore?.include('/assets/');

// The Lambda handlers: one CommonJS file each for Lambda's Node.js 22; the AWS SDK is in Lambda's runtime.
const LAMBDA_BUNDLE: javascript.AddBundleOptions = {
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  sourcemap: false,
  externals: ['@aws-sdk/*'],
};
const authorizerBundle = project.bundler.addBundle('src/authorizer/token-authorizer.lambda.ts', LAMBDA_BUNDLE);
// The same decision core answering an HTTP API (payload 2.0, simple responses): its own asset, so the REST one does not grow.
project.bundler.addBundle('src/authorizer/http-authorizer.lambda.ts', LAMBDA_BUNDLE);
// The deploy-time check of a SecuredApi (a custom resource handler).
const deploymentCheckBundle = project.bundler.addBundle('src/api/deployment-check.lambda.ts', LAMBDA_BUNDLE);
// The deploy-time check of a SecuredHttpApi (the same runtime pieces, its v2 reader and comparer).
project.bundler.addBundle('src/api/http-deployment-check.lambda.ts', LAMBDA_BUNDLE);

/**
 * A tsconfig.json that type-checks runtime files jsii does not compile, as the bundler sees them (ESM
 * + bundler resolution). Named tsconfig.json so that eslint's project service finds it for those files;
 * it does not inherit the root tsconfig's exclusion of these very files from jsii.
 */
function runtimeTsconfig(dir: string, include: string[]): void {
  const up = dir.split('/').map(() => '..').join('/');
  new JsonFile(project, `${dir}/tsconfig.json`, {
    obj: {
      extends: `${up}/tsconfig.json`,
      compilerOptions: {
        module: 'preserve',
        moduleResolution: 'bundler',
        noEmit: true,
      },
      include,
      exclude: [`${up}/node_modules`],
    },
  });
}
runtimeTsconfig('src/authorizer/runtime', ['./**/*.ts', '../*.lambda.ts']);
runtimeTsconfig('src/api/runtime', ['./**/*.ts', '../*.lambda.ts']);
// The helpers of users' own code (cdk-secured-api/runtime and cdk-secured-api/testing).
runtimeTsconfig('src/runtime', ['./**/*.ts', '../testing/**/*.ts']);
const typecheckRuntime = project.addTask('typecheck:runtime', {
  description: 'Type-check the runtime code that jsii does not compile (the authorizer and deployment check Lambdas, cdk-secured-api/runtime and /testing)',
  steps: [
    { exec: 'tsc -p src/authorizer/runtime/tsconfig.json' },
    { exec: 'tsc -p src/api/runtime/tsconfig.json' },
    { exec: 'tsc -p src/runtime/tsconfig.json' },
  ],
});
project.preCompileTask.spawn(typecheckRuntime);

// The tests, bench, demo and example are type-checked here, once, in one tsc run before jest: ts-jest
// only transpiles them (test/tsconfig.json's isolatedModules makes it transpile-only, which keeps jest
// fast), and jsii and typecheck:runtime never see these folders. Modules as jest runs them: CommonJS
// files that require their packages (the `require` condition of their exports). nodenext, not jsii's
// node16: it accepts require() of an ESM-only package (jose, oauth4webapi), which jest hands to the
// tests as CommonJS (transformIgnorePatterns above). isolatedModules stays off here only because it
// also flags src/'s plain re-exports of interfaces (jsii's code), which transpile to harmless getters;
// the tests themselves pass it.
new JsonFile(project, 'tsconfig.dev.json', {
  obj: {
    extends: './tsconfig.json',
    compilerOptions: {
      rootDir: '.',
      noEmit: true,
      module: 'nodenext',
      moduleResolution: 'nodenext',
      isolatedModules: false,
    },
    include: ['test/**/*.ts', 'bench/**/*.ts', 'demo/**/*.ts', 'example/**/*.ts'],
    exclude: ['node_modules'],
  },
});
const typecheckTests = project.addTask('typecheck:tests', {
  description: 'Type-check the tests, bench, demo and example (ts-jest only transpiles them)',
  steps: [{ exec: 'tsc -p tsconfig.dev.json' }],
});
project.testTask.prependSpawn(typecheckTests);

// cdk-secured-api/runtime and cdk-secured-api/testing: helpers for users' own Lambda code and tests,
// outside the jsii API. esbuild bundles each into CommonJS and ESM under lib/ (their libraries
// inlined; the AWS SDK, present in Lambda's Node.js runtime, stays external), tsc writes their types.
const ENTRIES = ['runtime', 'testing'];
new JsonFile(project, 'tsconfig.entries.json', {
  obj: {
    extends: './tsconfig.json',
    compilerOptions: {
      module: 'preserve',
      moduleResolution: 'bundler',
      declaration: true,
      emitDeclarationOnly: true,
      rootDir: 'src',
      outDir: 'lib',
    },
    include: ENTRIES.map((e) => `src/${e}/**/*.ts`),
    exclude: ['node_modules'],
  },
});
const bundleEntries = project.addTask('bundle:entries', {
  description: 'Build the cdk-secured-api/runtime and /testing entries (CommonJS, ESM and types) into lib/',
  steps: [
    ...ENTRIES.flatMap((e) => [
      { exec: `esbuild src/${e}/index.ts --bundle --platform=node --target=node20 --format=cjs --external:@aws-sdk/* --outfile=lib/${e}/index.js` },
      // The AWS SDK is required on first use (src/runtime/aws-sdk.ts); give the ESM build a real require.
      { exec: `esbuild src/${e}/index.ts --bundle --platform=node --target=node20 --format=esm --external:@aws-sdk/* --outfile=lib/${e}/index.mjs "--banner:js=import { createRequire as __cdkSecuredApiCreateRequire } from 'node:module'; const require = __cdkSecuredApiCreateRequire(import.meta.url);"` },
    ]),
    { exec: 'tsc -p tsconfig.entries.json' },
  ],
});
project.postCompileTask.spawn(bundleEntries);
// Docs that cannot rot: every TypeScript block of README.md and docs/ is type-checked against the
// built package (its public entries, through package.json's exports), after the entries are built.
const docsCheck = project.addTask('docs:check', {
  description: 'Type-check every TypeScript example of README.md and docs/*.md against the built package (needs lib/: run after compile)',
  steps: [{ exec: 'node scripts/check-docs.js' }],
});
project.postCompileTask.spawn(docsCheck);
// An exports map closes every path it does not list: keep the jsii entry loadable with require
// (jsii's kernel), and package.json and .jsii reachable (see shared/TOOLCHAIN.md).
project.package.addField('exports', {
  '.': { types: './lib/index.d.ts', require: './lib/index.js', default: './lib/index.js' },
  ...Object.fromEntries(ENTRIES.map((e) => [`./${e}`, {
    types: `./lib/${e}/index.d.ts`,
    import: `./lib/${e}/index.mjs`,
    require: `./lib/${e}/index.js`,
    default: `./lib/${e}/index.js`,
  }])),
  './package.json': './package.json',
  './.jsii': './.jsii',
});

project.eslint?.allowDefaultProjectFiles('src/authorizer/*.lambda.ts');
project.eslint?.allowDefaultProjectFiles('src/api/*.lambda.ts');
// Lambda runtime code imports jose, a devDependency on purpose: esbuild inlines it into the asset.
project.eslint?.addOverride({
  files: RUNTIME_GLOBS,
  rules: { 'import/no-extraneous-dependencies': ['error', { devDependencies: true, optionalDependencies: false, peerDependencies: false }] },
});

project.addTask('example', {
  description: 'Synthesize the example app into example/cdk.out and summarize what it produced',
  steps: [
    { spawn: authorizerBundle.bundleTask.name },
    { spawn: deploymentCheckBundle.bundleTask.name },
    { exec: 'node example/synth-and-show.js' },
  ],
});

project.addTask('dashboard-picture', {
  description: 'Draw docs/dashboard.svg from the example app\'s synthesized SecuredApiDashboard (no AWS account)',
  steps: [
    { spawn: 'example' },
    { exec: 'node scripts/dashboard-picture.js' },
  ],
});

project.addTask('demo', {
  description: 'Synthesize the example app and answer each route x client through its authorizer, against a local oidc-provider and STS stand-in (no AWS account)',
  steps: [
    { spawn: authorizerBundle.bundleTask.name },
    { spawn: deploymentCheckBundle.bundleTask.name },
    { exec: 'node --no-warnings node_modules/ts-node/dist/bin.js --transpile-only demo/run.ts' },
  ],
});

// integ-runner finds only test/integ.*.ts. Without an AWS account it can only synthesize and diff the
// snapshots (no deploy, no assertions): `integ` verifies them, `integ:update` rewrites them. The
// snapshot hashes the authorizer's asset (diffAssets), so a change to the bundle or a route table
// needs `npx projen integ:update`.
const integEnv = { CDK_DISABLE_CLI_TELEMETRY: 'true', CDK_DISABLE_VERSION_CHECK: '1', AWS_EC2_METADATA_DISABLED: 'true', TS_NODE_TRANSPILE_ONLY: 'true' };
project.addTask('integ', {
  description: 'Verify the integ-runner snapshots (no AWS account: synthesize and diff only)',
  env: integEnv,
  steps: [
    { spawn: authorizerBundle.bundleTask.name },
    { spawn: deploymentCheckBundle.bundleTask.name },
    { exec: 'integ-runner --directory test --language typescript', receiveArgs: true },
  ],
});
project.addTask('integ:update', {
  description: 'Rewrite the integ-runner snapshots without deploying',
  env: integEnv,
  steps: [
    { spawn: authorizerBundle.bundleTask.name },
    { spawn: deploymentCheckBundle.bundleTask.name },
    { exec: 'integ-runner --directory test --language typescript --update-on-failed --dry-run', receiveArgs: true },
  ],
});
// The one command for someone with an AWS account (never run in CI): deploys test/integ.secured-api-aws.ts
// with the caller's credentials to AWS_REGION (else AWS_DEFAULT_REGION, else us-east-1), runs its
// assertions, destroys its stacks. --force: integ-runner otherwise skips a test whose snapshot is
// unchanged; --no-update-workflow: deploy this version only, not the committed snapshot first.
// No AWS_EC2_METADATA_DISABLED here: credentials may come from an instance or container role.
project.addTask('integ:deploy', {
  description: 'Deploy the AWS integ test (test/integ.secured-api-aws.ts) with your AWS credentials, run its assertions and destroy it; needs an AWS account, never run in CI (README: "Run it on AWS")',
  env: { CDK_DISABLE_CLI_TELEMETRY: 'true', TS_NODE_TRANSPILE_ONLY: 'true' },
  steps: [
    { spawn: authorizerBundle.bundleTask.name },
    {
      // The test first: --language and --parallel-regions take lists, and would swallow it.
      exec: 'integ-runner integ.secured-api-aws.ts --directory test --language typescript --force --no-update-workflow --parallel-regions "${AWS_REGION:-${AWS_DEFAULT_REGION:-us-east-1}}"',
      receiveArgs: true,
    },
  ],
});

project.addTask('bench', {
  description: 'Measure the authorizer against a bare jose sample authorizer and the verification floor, and the deployment check against a local API Gateway stand-in',
  steps: [
    { spawn: authorizerBundle.bundleTask.name },
    { spawn: deploymentCheckBundle.bundleTask.name },
    { exec: 'node bench/run.js' },
  ],
});

project.synth();
