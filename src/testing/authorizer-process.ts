import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { AssemblyStack, TemplateResource } from './cloud-assembly';

/** An authorizer's answer to one event: its result or error message, and the stdout lines it wrote. */
export interface Reply {
  readonly result?: unknown;
  readonly error?: string;
  readonly lines: string[];
}

// Runs in the child: loads the asset the way Lambda does (a fresh process, index.js with its
// config.json beside it, only the function's environment) and answers events over IPC with the
// handler's result or error message, and the stdout lines (audit log) written while it ran.
const HARNESS = `
const lines = [];
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, ...rest) => { lines.push(String(chunk)); return write(chunk, ...rest); };
// The authorizer writes its lines with fs.writeSync to fd 1 (its runtime/audit.ts): what it wrote is kept.
const fs = require('node:fs');
const writeSync = fs.writeSync;
fs.writeSync = (fd, data, ...rest) => {
  const n = writeSync(fd, data, ...rest);
  if (fd === 1) lines.push(Buffer.from(data).subarray(0, n).toString());
  return n;
};
const { handler } = require(require('node:path').join(process.env.SECURED_API_TESTKIT_ASSET, 'index.js'));
process.on('message', async ({ id, event }) => {
  const start = lines.length;
  let reply;
  try {
    reply = { id, result: await handler(event) };
  } catch (err) {
    reply = { id, error: err instanceof Error ? err.message : String(err) };
  }
  process.send({ ...reply, lines: lines.slice(start).join('').split('\\n').filter(Boolean) });
});
process.send({ ready: true });
`;

/**
 * A synthesized authorizer function's asset run in its own Node.js process, as Lambda runs it: one
 * event at a time. Shared by SynthesizedAuthorizer (REST) and SynthesizedHttpApi (HTTP API).
 */
export class AuthorizerProcess {
  /** Starts the process and waits for the handler to load. */
  public static async start(
    assetDir: string, environment: Readonly<Record<string, string>>, logs: Array<Record<string, any>>, timeoutMs: number,
  ): Promise<AuthorizerProcess> {
    const p = new AuthorizerProcess(assetDir, environment, logs);
    await p.ready(timeoutMs);
    return p;
  }

  private readonly child: ChildProcess;
  private stderr = '';
  private nextId = 0;
  private readonly pending = new Map<number, (reply: Reply) => void>();
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly assetDir: string, environment: Readonly<Record<string, string>>, logs: Array<Record<string, any>>) {
    const child = spawn(process.execPath, ['-e', HARNESS], {
      env: { PATH: process.env.PATH ?? '', ...environment, SECURED_API_TESTKIT_ASSET: assetDir },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child = child;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const json = parseJson(line);
      if (json) {
        logs.push(json);
      }
    });
    child.stderr!.on('data', (chunk) => (this.stderr = (this.stderr + String(chunk)).slice(-4000)));
    child.on('message', (m: any) => {
      if (m?.id !== undefined) {
        this.pending.get(m.id)?.(m);
        this.pending.delete(m.id);
      }
    });
  }

  /** One invocation at a time, as one Lambda container runs them, so each reply's log lines are its own. */
  public invoke(event: unknown): Promise<Reply> {
    const run = this.queue.then(() => new Promise<Reply>((resolve) => {
      const child = this.child;
      if (!child.connected) {
        resolve({ error: `the authorizer process is not running ${this.stderr}`, lines: [] });
        return;
      }
      const id = this.nextId++;
      this.pending.set(id, resolve);
      child.send({ id, event });
    }));
    this.queue = run;
    return run;
  }

  /** Stops the process. */
  public async stop(): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill();
    });
  }

  private ready(timeoutMs: number): Promise<void> {
    const child = this.child;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill();
        reject(new Error(`the authorizer (${this.assetDir}) did not load within ${timeoutMs} ms`));
      }, timeoutMs);
      child.once('message', (m: any) => {
        clearTimeout(timer);
        if (m?.ready) {
          resolve();
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the authorizer process exited (${code ?? signal}) ${this.stderr}`));
        for (const settle of this.pending.values()) {
          settle({ error: `the authorizer process exited (${code ?? signal}) ${this.stderr}`, lines: [] });
        }
        this.pending.clear();
      });
    });
  }
}

/** The folder of a function's asset (index.js and config.json) in the cloud assembly. */
export function findAssetDir(stack: AssemblyStack, functionId: string, fn: TemplateResource): string {
  const key = fn.Properties?.Code?.S3Key;
  if (typeof key !== 'string') {
    throw new Error(`${stack.id}/${functionId}: its code is not a file asset (Code.S3Key ${JSON.stringify(key)})`);
  }
  const hash = key.replace(/\.zip$/, '');
  const dir = join(stack.directory, stack.fileAssets[hash]?.source.path ?? `asset.${hash}`);
  if (!existsSync(join(dir, 'index.js')) || !existsSync(join(dir, 'config.json'))) {
    throw new Error(`${stack.id}/${functionId}: ${dir} does not hold index.js and config.json (was the authorizer bundled before synthesis?)`);
  }
  return dir;
}

/** A JSON object line, or undefined. */
export function parseJson(line: string): Record<string, any> | undefined {
  try {
    const value = JSON.parse(line);
    return value && typeof value === 'object' ? value : undefined;
  } catch {
    return undefined;
  }
}
