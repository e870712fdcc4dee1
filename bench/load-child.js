'use strict';
// One cold start in a fresh process: require() of a bundle, then its first decision (which fetches the
// JWKS from the parent's loopback server). Loads nothing itself before the clock starts, so every
// module the bundle pulls in (http, crypto, undici, ...) counts against it.
// Usage: node bench/load-child.js <index.js> <event.json>; writes one JSON line to fd 3.
const fs = require('node:fs');

const [bundle, eventFile] = process.argv.slice(2);
const event = JSON.parse(fs.readFileSync(eventFile, 'utf8'));

function report(obj) {
  fs.writeSync(3, JSON.stringify(obj));
  process.exit(0);
}

const t0 = process.hrtime.bigint();
const { handler } = require(bundle);
const t1 = process.hrtime.bigint();
handler(event).then(
  (result) => {
    const t2 = process.hrtime.bigint();
    report({ loadNs: Number(t1 - t0), firstNs: Number(t2 - t0), result });
  },
  (err) => report({ loadNs: Number(t1 - t0), error: String(err && err.message) }),
);
