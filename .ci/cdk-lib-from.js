// Preloaded with `node -r`: resolves aws-cdk-lib and constructs (and their subpaths) from the
// folder named by CDK_LIB_FROM (one with a node_modules that holds them), for every module of the process, so that this
// repository's code and tests run against another aws-cdk-lib (e.g. the newest) without touching
// its own node_modules. One copy of each for the whole process: two aws-cdk-libs side by side
// would fail their instanceof and Symbol checks.
'use strict';
const Module = require('node:module');
const path = require('node:path');

const from = process.env.CDK_LIB_FROM;
if (!from) {
  throw new Error('CDK_LIB_FROM must name a folder whose node_modules holds aws-cdk-lib and constructs');
}
const PACKAGES = /^(aws-cdk-lib|constructs)(\/.*)?$/;
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, isMain, options) {
  if (PACKAGES.test(request)) {
    return resolve.call(this, request, parent, isMain, { paths: [path.resolve(from)] });
  }
  return resolve.call(this, request, parent, isMain, options);
};
