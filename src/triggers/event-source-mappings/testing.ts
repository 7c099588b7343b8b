/**
 * Test support for the event source mapping tests: a clock that moves only when told, and small
 * faithful in-memory implementations of the SQS and Kinesis ports (visibility timeouts, receive
 * counts, redrive, FIFO message groups; shards, sequence numbers, push notifications). The real
 * services are tested by their own suites; the lead's end-to-end tests run both together.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Clock } from '../../shared/clock.ts';
import type { Caller } from '../../services/types.ts';
import type {
  DestinationsPort,
  KinesisPort,
  KinesisPosition,
  KinesisStreamRecord,
  SqsMessageAttributeValue,
  SqsPort,
  SqsReceivedMessage,
  SqsReceiveOptions,
} from './ports.ts';

// ---- clock ------------------------------------------------------------------------------------

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** Time that moves only through `advance`; timers fire in order as it passes them. */
export class ManualClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start = Date.UTC(2024, 0, 1)) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): { cancel(): void } {
    const timer: Timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }

  /** Timers not yet fired or cancelled. */
  pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  advance(ms: number): void {
    const target = this.t + ms;
    for (;;) {
      this.timers = this.timers.filter((t) => !t.cancelled);
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers.splice(this.timers.indexOf(due), 1);
      this.t = Math.max(this.t, due.at);
      due.fn();
    }
    this.t = target;
  }
}

// ---- SQS --------------------------------------------------------------------------------------

interface StoredMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  messageAttributes: Record<string, SqsMessageAttributeValue>;
  sentAt: number;
  receiveCount: number;
  firstReceiveAt?: number;
  visibleAt: number;
  receiptHandle?: string;
  groupId?: string;
  sequenceNumber?: string;
  caller?: Caller;
}

interface MemoryQueue {
  arn: string;
  visibilityTimeout: number;
  fifo: boolean;
  redrive?: { deadLetterTargetArn: string; maxReceiveCount: number };
  messages: StoredMessage[];
  listeners: Set<() => void>;
}

export interface QueueOptions {
  visibilityTimeout?: number;
  redrive?: { deadLetterTargetArn: string; maxReceiveCount: number };
}

export class MemorySqs implements SqsPort {
  private readonly queues = new Map<string, MemoryQueue>();
  private seq = 0;
  receiveCalls = 0;

  constructor(private readonly clock: Clock) {}

  createQueue(arn: string, options: QueueOptions = {}): void {
    this.queues.set(arn, {
      arn,
      visibilityTimeout: options.visibilityTimeout ?? 30,
      fifo: arn.endsWith('.fifo'),
      ...(options.redrive ? { redrive: options.redrive } : {}),
      messages: [],
      listeners: new Set(),
    });
  }

  private queue(arn: string): MemoryQueue {
    const q = this.queues.get(arn);
    if (!q)
      throw Object.assign(new Error(`The specified queue does not exist: ${arn}`), {
        code: 'QueueDoesNotExist',
      });
    return q;
  }

  private notify(q: MemoryQueue): void {
    for (const l of q.listeners) l();
  }

  send(
    arn: string,
    body: string,
    options: {
      groupId?: string;
      attributes?: Record<string, SqsMessageAttributeValue>;
      caller?: Caller;
    } = {},
  ): string {
    const q = this.queue(arn);
    const messageId = randomUUID();
    q.messages.push({
      messageId,
      body,
      md5OfBody: createHash('md5').update(body).digest('hex'),
      messageAttributes: options.attributes ?? {},
      sentAt: this.clock.now(),
      receiveCount: 0,
      visibleAt: this.clock.now(),
      ...(options.groupId
        ? { groupId: options.groupId, sequenceNumber: String(++this.seq).padStart(20, '0') }
        : {}),
      ...(options.caller ? { caller: options.caller } : {}),
    });
    this.notify(q);
    return messageId;
  }

  /** Every message still in the queue (visible or in flight). */
  bodies(arn: string): string[] {
    return this.queue(arn).messages.map((m) => m.body);
  }

  receiveMessages(arn: string, options: SqsReceiveOptions): Promise<SqsReceivedMessage[]> {
    this.receiveCalls++;
    const q = this.queue(arn);
    const now = this.clock.now();
    const blocked = new Set<string>();
    if (q.fifo) for (const m of q.messages) if (m.groupId && m.visibleAt > now) blocked.add(m.groupId);
    const out: SqsReceivedMessage[] = [];
    for (const m of [...q.messages]) {
      if (out.length >= options.maxNumberOfMessages) break;
      if (m.visibleAt > now || (m.groupId && blocked.has(m.groupId))) continue;
      if (q.redrive && m.receiveCount >= q.redrive.maxReceiveCount) {
        q.messages.splice(q.messages.indexOf(m), 1);
        const dlq = this.queue(q.redrive.deadLetterTargetArn);
        dlq.messages.push({ ...m, receiveCount: 0, visibleAt: now });
        delete dlq.messages[dlq.messages.length - 1]?.receiptHandle;
        this.notify(dlq);
        continue;
      }
      m.receiveCount++;
      m.firstReceiveAt ??= now;
      const vt = options.visibilityTimeout ?? q.visibilityTimeout;
      m.visibleAt = now + vt * 1000;
      m.receiptHandle = randomUUID();
      this.clock.setTimeout(() => this.notify(q), vt * 1000);
      out.push({
        messageId: m.messageId,
        receiptHandle: m.receiptHandle,
        body: m.body,
        md5OfBody: m.md5OfBody,
        attributes: {
          ApproximateReceiveCount: String(m.receiveCount),
          SentTimestamp: String(m.sentAt),
          SenderId: 'AROAEXAMPLE:sender',
          ApproximateFirstReceiveTimestamp: String(m.firstReceiveAt),
          ...(m.groupId
            ? {
                MessageGroupId: m.groupId,
                MessageDeduplicationId: m.messageId,
                SequenceNumber: m.sequenceNumber ?? '',
              }
            : {}),
        },
        messageAttributes: m.messageAttributes,
        ...(Object.keys(m.messageAttributes).length > 0
          ? { md5OfMessageAttributes: 'd41d8cd98f00b204e9800998ecf8427e' }
          : {}),
        ...(m.caller ? { caller: m.caller } : {}),
      });
    }
    return Promise.resolve(out);
  }

  deleteMessage(arn: string, receiptHandle: string): void {
    const q = this.queue(arn);
    const i = q.messages.findIndex((m) => m.receiptHandle === receiptHandle);
    if (i < 0)
      throw Object.assign(new Error('The receipt handle is not valid.'), { code: 'ReceiptHandleIsInvalid' });
    q.messages.splice(i, 1);
    if (q.fifo) this.notify(q); // the group is free again
  }

  changeMessageVisibility(arn: string, receiptHandle: string, seconds: number): void {
    const q = this.queue(arn);
    const m = q.messages.find((x) => x.receiptHandle === receiptHandle);
    if (!m)
      throw Object.assign(new Error('The receipt handle is not valid.'), { code: 'ReceiptHandleIsInvalid' });
    m.visibleAt = this.clock.now() + seconds * 1000;
    if (seconds === 0) this.notify(q);
    else this.clock.setTimeout(() => this.notify(q), seconds * 1000);
  }

  getQueueAttributes(arn: string): Record<string, string> {
    const q = this.queue(arn);
    return {
      VisibilityTimeout: String(q.visibilityTimeout),
      ...(q.fifo ? { FifoQueue: 'true' } : {}),
      ...(q.redrive ? { RedrivePolicy: JSON.stringify(q.redrive) } : {}),
    };
  }

  onMessageAvailable(arn: string, listener: () => void): () => void {
    const q = this.queue(arn);
    q.listeners.add(listener);
    return () => void q.listeners.delete(listener);
  }
}

// ---- Kinesis ----------------------------------------------------------------------------------

interface MemoryShard {
  shardId: string;
  records: KinesisStreamRecord[];
}

interface MemoryStream {
  shards: MemoryShard[];
  listeners: Set<(shardId: string) => void>;
}

export class MemoryKinesis implements KinesisPort {
  private readonly streams = new Map<string, MemoryStream>();
  private counter = 0;
  reads = 0;

  constructor(private readonly clock: Clock) {}

  createStream(arn: string, shardCount = 1): void {
    const shards = Array.from({ length: shardCount }, (_, i) => ({
      shardId: `shardId-${String(i).padStart(12, '0')}`,
      records: [],
    }));
    this.streams.set(arn, { shards, listeners: new Set() });
  }

  private stream(arn: string): MemoryStream {
    const s = this.streams.get(arn);
    if (!s) throw Object.assign(new Error(`Stream ${arn} not found`), { code: 'ResourceNotFoundException' });
    return s;
  }

  put(
    arn: string,
    partitionKey: string,
    data: string,
    options: { shard?: number; caller?: Caller } = {},
  ): string {
    const s = this.stream(arn);
    const index =
      options.shard ?? createHash('md5').update(partitionKey).digest().readUInt32BE(0) % s.shards.length;
    const shard = s.shards[index] as MemoryShard;
    const sequenceNumber = `4959${String(index).padStart(4, '0')}${String(++this.counter).padStart(48, '0')}`;
    shard.records.push({
      sequenceNumber,
      partitionKey,
      data: Buffer.from(data),
      approximateArrivalTimestamp: this.clock.now() / 1000,
      ...(options.caller ? { caller: options.caller } : {}),
    });
    for (const l of s.listeners) l(shard.shardId);
    return sequenceNumber;
  }

  listShards(arn: string): Array<{ shardId: string; startingSequenceNumber: string }> {
    return this.stream(arn).shards.map((s) => ({ shardId: s.shardId, startingSequenceNumber: '0' }));
  }

  readRecords(
    arn: string,
    shardId: string,
    position: KinesisPosition,
    limit: number,
  ): { records: KinesisStreamRecord[]; millisBehindLatest: number } {
    this.reads++;
    const shard = this.stream(arn).shards.find((s) => s.shardId === shardId);
    if (!shard) throw new Error(`no shard ${shardId}`);
    const recs = shard.records;
    let from: number;
    switch (position.type) {
      case 'TRIM_HORIZON':
        from = 0;
        break;
      case 'LATEST':
        from = recs.length;
        break;
      case 'AT_TIMESTAMP':
        from = recs.findIndex((r) => r.approximateArrivalTimestamp * 1000 >= (position.timestamp ?? 0));
        if (from < 0) from = recs.length;
        break;
      case 'AT_SEQUENCE_NUMBER':
      case 'AFTER_SEQUENCE_NUMBER': {
        const i = recs.findIndex((r) => r.sequenceNumber === position.sequenceNumber);
        if (i < 0) throw new Error(`unknown sequence number ${position.sequenceNumber}`);
        from = position.type === 'AT_SEQUENCE_NUMBER' ? i : i + 1;
      }
    }
    const records = recs.slice(from, from + limit);
    return { records, millisBehindLatest: 0 };
  }

  latestSequenceNumber(arn: string, shardId: string): string | undefined {
    const shard = this.stream(arn).shards.find((s) => s.shardId === shardId);
    return shard?.records[shard.records.length - 1]?.sequenceNumber;
  }

  onRecords(arn: string, listener: (shardId: string) => void): () => void {
    const s = this.stream(arn);
    s.listeners.add(listener);
    return () => void s.listeners.delete(listener);
  }
}

export class MemoryDestinations implements DestinationsPort {
  readonly sent: Array<{ arn: string; record: object }> = [];
  sendToDestination(arn: string, record: object): void {
    this.sent.push({ arn, record });
  }
}

/** Waits (real time, bounded) until `check` returns a value other than undefined/false. */
export async function eventually<T>(
  check: () => T | undefined | false,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
