/**
 * Runs the reads of one API read-back together under one signal: the first to fail aborts the others
 * (none is left running, nor holding a socket, once the read-back has failed), and `signal` aborts
 * them all.
 */
export async function readTogether<T extends readonly unknown[]>(
  signal: AbortSignal, start: (options: { abortSignal: AbortSignal }) => { readonly [K in keyof T]: Promise<T[K]> },
): Promise<T> {
  const reads = new AbortController();
  const stop = () => reads.abort();
  signal.addEventListener('abort', stop, { once: true });
  if (signal.aborted) stop();
  try {
    const started = start({ abortSignal: reads.signal }) as unknown as ReadonlyArray<Promise<unknown>>;
    return await Promise.all(started.map((read) => Promise.resolve(read).catch((err: unknown) => {
      stop();
      throw err;
    }))) as unknown as T;
  } finally {
    signal.removeEventListener('abort', stop);
  }
}
