// Jest configuration for running the construct tests against another aws-cdk-lib (e.g. the newest),
// installed in the folder named by CDK_LIB_FROM: the project's own configuration (package.json),
// with aws-cdk-lib and constructs mapped to that folder for every module, ours and cdk-nag's alike
// (one copy of each, or their instanceof checks fail). Jest resolves modules itself, so the
// `node -r .ci/cdk-lib-from.js` hook does not reach it. Used by .ci/newest-aws-cdk-lib.
'use strict';
const path = require('node:path');

const from = process.env.CDK_LIB_FROM;
if (!from) {
  throw new Error('CDK_LIB_FROM must name a folder whose node_modules holds aws-cdk-lib and constructs');
}
const base = require('../package.json').jest;
module.exports = {
  ...base,
  rootDir: path.join(__dirname, '..'),
  collectCoverage: false,
  reporters: ['default'],
  moduleNameMapper: {
    ...base.moduleNameMapper,
    '^(aws-cdk-lib|constructs)(/.*)?$': `${path.resolve(from, 'node_modules')}/$1$2`,
  },
};
