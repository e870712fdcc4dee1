// Runs the synthesized authorizer asset the way Lambda does: a fresh Node process that loads
// index.js (its config.json beside it) with the function's synthesized environment, then answers
// events sent over IPC with the handler's result or the exact error message it threw.
const path = require('node:path');

const { handler } = require(path.join(process.argv[2], 'index.js'));

process.on('message', async ({ id, event }) => {
  try {
    process.send({ id, result: await handler(event) });
  } catch (err) {
    process.send({ id, error: err instanceof Error ? err.message : String(err), isError: err instanceof Error });
  }
});
process.send({ ready: true });
