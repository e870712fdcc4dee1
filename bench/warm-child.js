'use strict';
// Warm decisions in one process: ours, the jose sample and the floor, interleaved token by token
// (rotating which goes first) so that drift, GC and noise from other processes hit all three alike.
// Usage: node --expose-gc bench/warm-child.js <input.json> <output.json>
// stdout is /dev/null (ours writes one audit line per decision; that write is part of its cost).
const crypto = require('node:crypto');
const fs = require('node:fs');
const { makeEvent, allowsMethodArn, METHOD_ARN } = require('./fixtures');

const [inputFile, outputFile] = process.argv.slice(2);
const input = JSON.parse(fs.readFileSync(inputFile, 'utf8'));
const now = process.hrtime.bigint;

const floorKey = crypto.createPublicKey({ key: input.publicJwk, format: 'jwk' });

// Decode (base64url + JSON.parse of header and payload) and RS256-verify: what any verifier must do.
function floor(event) {
  const token = event.headers.Authorization.slice(7);
  const d1 = token.indexOf('.');
  const d2 = token.indexOf('.', d1 + 1);
  const header = JSON.parse(Buffer.from(token.slice(0, d1), 'base64url').toString());
  const payload = JSON.parse(Buffer.from(token.slice(d1 + 1, d2), 'base64url').toString());
  const ok = crypto.verify('RSA-SHA256', Buffer.from(token.slice(0, d2)), floorKey, Buffer.from(token.slice(d2 + 1), 'base64url'));
  return ok && header.alg === 'RS256' && typeof payload.exp === 'number';
}

async function main() {
  const contenders = [
    { name: 'ours', handler: require(input.ours).handler },
    { name: 'sample', handler: require(input.sample).handler },
  ];

  // The first decision of each fetches the JWKS; it must be an Allow, or nothing else is worth timing.
  // Ours' first decision line is kept (stdout.write and fs.writeSync wrapped for that one call only) for the write floor below.
  const firstToken = input.warmup[0];
  let auditLine = '';
  for (const c of contenders) {
    try {
      const write = process.stdout.write;
      const writeSync = fs.writeSync;
      const keep = (chunk) => {
        const text = Buffer.isBuffer(chunk) ? chunk.toString() : String(chunk);
        if (text.includes('"authz_decision"')) auditLine = text;
      };
      process.stdout.write = function capture(chunk, ...rest) {
        keep(chunk);
        return write.call(this, chunk, ...rest);
      };
      fs.writeSync = function captureSync(fd, chunk, ...rest) {
        if (fd === 1) keep(chunk);
        return writeSync.call(this, fd, chunk, ...rest);
      };
      let result;
      try {
        result = await c.handler(makeEvent(firstToken));
      } finally {
        process.stdout.write = write;
        fs.writeSync = writeSync;
      }
      if (!allowsMethodArn(result, METHOD_ARN)) {
        throw new Error(`did not allow ${METHOD_ARN}: ${JSON.stringify(result).slice(0, 300)}`);
      }
    } catch (err) {
      fs.writeFileSync(outputFile, JSON.stringify({ error: `${c.name}: first decision failed: ${err && err.message}` }));
      process.exit(0);
    }
  }

  // Runs one decision and returns its duration in ns; failures are counted, not thrown.
  const failures = { ours: 0, sample: 0, floor: 0 };
  const run = {
    ours: async (ev) => {
      const t0 = now();
      let r;
      try { r = await contenders[0].handler(ev); } catch { r = undefined; }
      const t = now() - t0;
      if (!allowsMethodArn(r, METHOD_ARN)) failures.ours++;
      return t;
    },
    sample: async (ev) => {
      const t0 = now();
      let r;
      try { r = await contenders[1].handler(ev); } catch { r = undefined; }
      const t = now() - t0;
      if (!allowsMethodArn(r, METHOD_ARN)) failures.sample++;
      return t;
    },
    // The write floor: one write of ours' decision line as ours makes it per decision (runtime/audit.ts:
    // one fs.writeSync of the string to fd 1; the contract: an audit line and EMF metric for every
    // decision); the sample writes nothing.
    write: async () => {
      const t0 = now();
      fs.writeSync(1, auditLine);
      return now() - t0;
    },
    floor: async (ev) => {
      const t0 = now();
      const ok = floor(ev);
      const t = now() - t0;
      if (!ok) failures.floor++;
      return t;
    },
  };
  const orders = [['ours', 'sample', 'floor', 'write'], ['sample', 'write', 'floor', 'ours'], ['floor', 'ours', 'write', 'sample'], ['write', 'floor', 'sample', 'ours']];

  async function phase(tokens, names) {
    // Each contender gets its own event object, as every invocation deserializes a fresh one: parsed
    // from JSON as Lambda's runtime does, so that its strings are flat (a template literal's result is
    // a rope, which the first comparison or search of it flattens: a copy no Lambda event costs).
    const events = tokens.map((t) => Object.fromEntries(names.map((n) => [n, JSON.parse(JSON.stringify(makeEvent(t)))])));
    const times = Object.fromEntries(names.map((n) => [n, new Array(tokens.length)]));
    if (global.gc) global.gc();
    for (let i = 0; i < events.length; i++) {
      for (const n of orders[i % orders.length]) {
        if (names.includes(n)) times[n][i] = Number(await run[n](events[i][n]));
      }
    }
    return times;
  }

  const all = ['ours', 'sample', 'floor'];
  await phase(input.warmup.slice(1), all);
  Object.keys(failures).forEach((k) => { failures[k] = 0; });
  const distinct = await phase(input.distinct, all);
  const distinctFailures = { ...failures };

  const repeatedToken = new Array(input.repeatedCount).fill(input.repeated);
  await phase(repeatedToken.slice(0, input.repeatedWarmup), ['ours', 'sample']);
  failures.ours = 0;
  failures.sample = 0;
  const repeated = await phase(repeatedToken, ['ours', 'sample', 'write']);

  if (!auditLine) {
    fs.writeFileSync(outputFile, JSON.stringify({ error: 'ours wrote no decision line on its first decision' }));
    process.exit(0);
  }
  fs.writeFileSync(outputFile, JSON.stringify({
    auditLineBytes: Buffer.byteLength(auditLine),
    distinct,
    repeated,
    failures: { distinct: distinctFailures, repeated: { ours: failures.ours, sample: failures.sample } },
  }));
  process.exit(0);
}

main().catch((err) => {
  fs.writeFileSync(outputFile, JSON.stringify({ error: String(err && err.stack) }));
  process.exit(0);
});
