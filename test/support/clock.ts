// Clocks a test controls, through jest's fake timers with only one API faked at a time: real
// timers, sockets and the JWKS fetch time box keep running, while the clock the code under test
// reads stands still until the test moves it. Call restoreClocks() (jest.useRealTimers) afterwards.

/** Everything jest's modern fake timers can replace. */
const FAKEABLE = [
  'Date', 'hrtime', 'nextTick', 'performance', 'queueMicrotask', 'requestAnimationFrame', 'cancelAnimationFrame',
  'requestIdleCallback', 'cancelIdleCallback', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval',
  'setTimeout', 'clearTimeout',
] as const;
type Fakeable = (typeof FAKEABLE)[number];

const fakeOnly = (api: Fakeable, now?: number) =>
  jest.useFakeTimers({ doNotFake: FAKEABLE.filter((a) => a !== api), ...(now === undefined ? {} : { now }) });

/** A monotonic clock that moves only when the test says so. */
export interface ManualClock {
  /** Moves the clock forward by `ms`. */
  advance(ms: number): void;
}

/**
 * Stops the runtime's monotonic clock (src/authorizer/runtime/clock.ts reads process.hrtime), which
 * the JWKS cache times its cooldowns and key-set age with. Nothing else is faked: fetches, their
 * time box and the test servers run on real timers. A cache made now sees time pass only by advance().
 */
export function freezeMonotonicClock(): ManualClock {
  fakeOnly('hrtime');
  return { advance: (ms) => jest.advanceTimersByTime(ms) };
}

/**
 * Stops the wall clock (Date, which jose and the Lambda entry point read when no clock is injected)
 * at `epochMs`. Timers, hrtime and I/O stay real.
 */
export function freezeWallClock(epochMs: number): void {
  fakeOnly('Date', epochMs);
}

/** Puts every faked clock back. Harmless when none is faked. */
export function restoreClocks(): void {
  jest.useRealTimers();
}
