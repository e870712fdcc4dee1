/** Collects the unhandled promise rejections of the test process. */
export interface UnhandledRejections {
  /** Returns the reasons seen since the last call and forgets them. */
  take(): unknown[];
  /** Stops listening. */
  stop(): void;
}

/**
 * Listens for `unhandledRejection` on the real Node process. Jest gives each test file a copy of
 * `process` whose listeners never fire (jest-circus installs its own on the parent process), so
 * the real one is reached through a function from the outer realm (the timer globals jest passes in).
 */
export function trackUnhandledRejections(): UnhandledRejections {
  const realProcess = (setTimeout.constructor as FunctionConstructor)('return process')() as NodeJS.Process;
  let seen: unknown[] = [];
  const listener = (reason: unknown) => {
    seen.push(reason);
  };
  realProcess.on('unhandledRejection', listener);
  return {
    take: () => {
      const out = seen;
      seen = [];
      return out;
    },
    stop: () => {
      realProcess.off('unhandledRejection', listener);
    },
  };
}
