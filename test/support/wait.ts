/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `condition` every 10 ms; rejects when it is still false after at least `timeoutMs`. It counts
 * its polls instead of reading a clock, so that it works while a test has frozen Date or hrtime, and
 * a busy machine only makes it wait longer, never give up sooner.
 */
export async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited >= timeoutMs) {
      throw new Error('waitFor: condition not met in time');
    }
    await sleep(10);
  }
}
