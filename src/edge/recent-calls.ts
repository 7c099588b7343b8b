/** A bounded ring of the AWS calls attributed to a caller, newest last, for the trace layer. */
import type { Caller } from '../services/types.ts';

export interface RecentCall {
  /** Epoch ms when the request arrived. */
  time: number;
  requestId: string;
  /** The service's signing name, e.g. `s3`, `sqs`. */
  service: string;
  /** The operation when the protocol names it cheaply (X-Amz-Target, query Action). */
  operation?: string;
  caller: Caller;
  /** HTTP status of the answer. */
  status: number;
}

export class RecentCalls {
  private readonly ring: Array<RecentCall | undefined>;
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.ring = new Array<RecentCall | undefined>(Math.max(1, capacity));
  }

  push(call: RecentCall): void {
    this.ring[this.next] = call;
    this.next = (this.next + 1) % this.ring.length;
    if (this.count < this.ring.length) this.count++;
  }

  /** Oldest first. */
  list(): RecentCall[] {
    const out: RecentCall[] = [];
    const start = (this.next - this.count + this.ring.length) % this.ring.length;
    for (let i = 0; i < this.count; i++) {
      const call = this.ring[(start + i) % this.ring.length];
      if (call) out.push(call);
    }
    return out;
  }
}
