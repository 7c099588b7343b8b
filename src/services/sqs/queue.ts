/**
 * One queue in memory: its record, its messages in send order, its FIFO deduplication window, and
 * the rules that decide which messages a receive may take (visibility, delays, retention, FIFO
 * message-group blocking). No I/O here: state.ts persists and notifies.
 */
import { FIFO_DEFAULTS, STANDARD_DEFAULTS, redrivePolicyOf, type RedrivePolicy } from './queue-attributes.ts';
import type { DedupRecord, MessageRecord, QueueRecord, ReceiveRecord } from './persist.ts';

export const DEDUPLICATION_WINDOW_MS = 5 * 60 * 1000;
export const PURGE_INTERVAL_MS = 60 * 1000;

export interface Message extends MessageRecord, ReceiveRecord {
  /** False until the send that created it is durable: not receivable before (and blocks its FIFO group). */
  durable: boolean;
}

export class Queue {
  /** By sequence, in send order (Map keeps insertion order; sequences only grow). */
  readonly messages = new Map<number, Message>();
  readonly byId = new Map<string, Message>();
  /** FIFO deduplication: key (dedup id, or group + dedup id) → original message; insertion order = expiry order. */
  readonly dedup = new Map<string, DedupRecord>();
  /** The pending wake-up for the earliest future visibility. */
  timer: { at: number; cancel(): void } | undefined;

  constructor(
    public record: QueueRecord,
    readonly arn: string,
  ) {}

  get name(): string {
    return this.record.name;
  }
  get accountId(): string {
    return this.record.accountId;
  }
  get fifo(): boolean {
    return this.record.attributes.FifoQueue === 'true';
  }

  /** Configurable attributes with defaults filled in. */
  settings(): Record<string, string> {
    return { ...STANDARD_DEFAULTS, ...(this.fifo ? FIFO_DEFAULTS : {}), ...this.record.attributes };
  }
  setting(
    name:
      | 'VisibilityTimeout'
      | 'DelaySeconds'
      | 'MessageRetentionPeriod'
      | 'ReceiveMessageWaitTimeSeconds'
      | 'MaximumMessageSize',
  ): number {
    return Number(this.record.attributes[name] ?? STANDARD_DEFAULTS[name]);
  }
  redrivePolicy(): RedrivePolicy | undefined {
    return redrivePolicyOf(this.record.attributes);
  }

  add(message: Message): void {
    this.messages.set(message.seq, message);
    this.byId.set(message.messageId, message);
  }
  remove(message: Message): void {
    this.messages.delete(message.seq);
    if (this.byId.get(message.messageId) === message) this.byId.delete(message.messageId);
  }
  nextSeq(): number {
    return ++this.record.seq;
  }

  isExpired(m: Message, now: number): boolean {
    return m.sentTimestamp + this.setting('MessageRetentionPeriod') * 1000 <= now;
  }
  isInflight(m: Message, now: number): boolean {
    return m.inflight && m.visibleAt > now;
  }
  isAvailable(m: Message, now: number): boolean {
    return m.durable && m.visibleAt <= now && !this.isExpired(m, now);
  }

  counts(now: number): { visible: number; inflight: number; delayed: number } {
    const c = { visible: 0, inflight: 0, delayed: 0 };
    for (const m of this.messages.values()) {
      if (!m.durable || this.isExpired(m, now)) continue;
      if (m.visibleAt <= now) c.visible++;
      else if (m.inflight) c.inflight++;
      else c.delayed++;
    }
    return c;
  }

  /**
   * Messages a receive may take now, in order. Standard queues: every visible message. FIFO: a
   * message group with a message in flight (or not yet durable, or still delayed) yields nothing
   * after that point, so each group is consumed strictly in order. Expired messages are collected
   * into `expired` instead. The caller takes or moves each yielded message before pulling the next.
   */
  *candidates(now: number, expired: Message[]): Generator<Message> {
    const blocked = new Set<string>();
    if (this.fifo)
      for (const m of this.messages.values())
        if (m.messageGroupId !== undefined && (this.isInflight(m, now) || !m.durable))
          blocked.add(m.messageGroupId);
    for (const m of [...this.messages.values()]) {
      if (this.isExpired(m, now)) {
        expired.push(m);
        continue;
      }
      const group = this.fifo ? m.messageGroupId : undefined;
      if (group !== undefined && blocked.has(group)) continue;
      if (!this.isAvailable(m, now)) {
        if (group !== undefined) blocked.add(group);
        continue;
      }
      yield m;
    }
  }

  /** Whether a receive now would find something (for wake-ups). */
  hasAvailable(now: number): boolean {
    for (const _ of this.candidates(now, [])) return true;
    return false;
  }

  /** Earliest future moment a message becomes visible, if any. */
  nextVisibleAt(now: number): number | undefined {
    let at: number | undefined;
    for (const m of this.messages.values())
      if (m.durable && m.visibleAt > now && (at === undefined || m.visibleAt < at)) at = m.visibleAt;
    return at;
  }

  /** Drops deduplication entries past their window (insertion order is expiry order); returns their keys. */
  pruneDedup(now: number): string[] {
    const gone: string[] = [];
    for (const [key, entry] of this.dedup) {
      if (entry.expiresAt > now) break;
      this.dedup.delete(key);
      gone.push(key);
    }
    return gone;
  }
}
