/** A manual Clock for the kinesis tests: time moves only when a test says so. */
import type { Clock } from '../../shared/clock.ts';

export interface ManualClock extends Clock {
  advance(ms: number): void;
}

export function manualClock(start = 1_700_000_000_000): ManualClock {
  let now = start;
  return {
    now: () => now,
    setTimeout: () => ({ cancel: () => undefined }),
    advance(ms) {
      now += ms;
    },
  };
}
