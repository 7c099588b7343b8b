/** Test helpers for the SQS tests: a controllable clock and a service context over a given store. */
import type { Clock } from '../../shared/clock.ts';
import type { Store } from '../../store/types.ts';
import type { ServiceContext, ServiceEvent } from '../types.ts';

/** A clock whose time moves only when told; due timers fire in order as it advances. */
export class FakeClock implements Clock {
  private timers: Array<{ at: number; fn: () => void; live: boolean }> = [];
  constructor(private t = 1_700_000_000_000) {}
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): { cancel(): void } {
    const timer = { at: this.t + Math.max(0, ms), fn, live: true };
    this.timers.push(timer);
    return { cancel: () => void (timer.live = false) };
  }
  /** Moves time forward by `ms`, firing due timers; lets promise callbacks run between them. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      const next = this.timers.filter((x) => x.live && x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.t = next.at;
      next.live = false;
      next.fn();
      await settle();
    }
    this.t = end;
    this.timers = this.timers.filter((x) => x.live);
    await settle();
  }
}

/** Lets pending promise continuations and microtasks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((r) => setImmediate(r));
}

export function testContext(store: Store, clock: Clock, events: ServiceEvent[] = []): ServiceContext {
  return {
    region: 'us-east-1',
    accountId: '123456789012',
    clock,
    store,
    endpointUrl: () => 'http://127.0.0.1:4566',
    emit: (e) => events.push(e),
    log: () => undefined,
  };
}
