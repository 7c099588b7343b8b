/**
 * SQS state: queues and their messages, durable in the Store namespace 'sqs' (persist.ts), with
 * visibility, delays, retention, FIFO ordering and deduplication, redrive to dead-letter queues,
 * and push wake-ups (long polls and `onMessageAvailable` listeners) driven by ctx.clock: nothing
 * here polls on an interval. Plain TypeScript, no HTTP: protocols and the internal API call it.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Namespace } from '../../store/types.ts';
import { AwsError, type ServiceContext } from '../types.ts';
import { errors } from './errors.ts';
import { emitMessageSent } from './events.ts';
import {
  MAX_DELAY_SECONDS,
  fromStoredAttributes,
  hasInvalidCharacters,
  md5Hex,
  md5OfAttributes,
  messageSize,
  normalizeAttributes,
  toStoredAttributes,
  validateMessageAttributes,
  validateSystemAttributes,
} from './message.ts';
import {
  QUEUE_ATTRIBUTE_NAMES,
  type ReceivedMessage,
  type ReceiveMessagesOptions,
  type SendMessageOptions,
  type SendMessageResult,
} from './model.ts';
import {
  keys,
  loadAll,
  type DedupRecord,
  type QueueRecord,
  type ReceiveRecord,
  type Write,
} from './persist.ts';
import {
  checkFifoConsistency,
  isFifoName,
  normalizeQueueAttributes,
  validateQueueName,
} from './queue-attributes.ts';
import { DEDUPLICATION_WINDOW_MS, PURGE_INTERVAL_MS, Queue, type Message } from './queue.ts';

export const MAX_VISIBILITY_TIMEOUT = 43_200;
export const MAX_WAIT_TIME_SECONDS = 20;
export const MAX_RECEIVE_MESSAGES = 10;
export const MAX_TAGS = 50;
/** MessageGroupId and MessageDeduplicationId: 1-128 alphanumeric or punctuation characters. */
const FIFO_ID = /^[\x21-\x7e]{1,128}$/;

export interface SendEntry {
  body: string;
  options?: SendMessageOptions;
}

interface Prepared {
  result: SendMessageResult;
  message?: Message;
  writes: Write[];
}

export class SqsState {
  private readonly ns: Namespace;
  private readonly queues = new Map<string, Queue>();
  /** Keyed by `<account>/<name>`: listeners outlive a queue's deletion and re-creation. */
  private readonly listeners = new Map<string, Set<() => void>>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private closed = false;

  constructor(private readonly ctx: ServiceContext) {
    this.ns = ctx.store.namespace('sqs');
    this.load();
  }

  // ---- queues -------------------------------------------------------------------------------

  arnOf(accountId: string, name: string): string {
    return `arn:aws:sqs:${this.ctx.region}:${accountId}:${name}`;
  }
  urlOf(q: Queue): string {
    return `${this.ctx.endpointUrl()}/${q.accountId}/${q.name}`;
  }

  /** `<account>/<name>` for a queue name, URL (any host), path or ARN. */
  keyOf(ref: string): string | undefined {
    if (ref.startsWith('arn:')) {
      const parts = ref.split(':');
      return parts.length === 6 && parts[2] === 'sqs' ? `${parts[4]}/${parts[5]}` : undefined;
    }
    let path = ref;
    if (/^https?:\/\//i.test(ref)) {
      try {
        path = new URL(ref).pathname;
      } catch {
        return undefined;
      }
    } else if (!ref.startsWith('/')) return ref ? `${this.ctx.accountId}/${ref}` : undefined;
    const segments = path.split('/').filter(Boolean);
    if (segments.length < 2) return undefined;
    const [account, name] = segments.slice(-2) as [string, string];
    return `${account}/${decodeURIComponent(name)}`;
  }

  find(ref: string): Queue | undefined {
    const key = this.keyOf(ref);
    return key === undefined ? undefined : this.queues.get(key);
  }

  require(ref: string): Queue {
    const q = this.find(ref);
    if (!q) throw errors.queueDoesNotExist();
    return q;
  }

  list(accountId = this.ctx.accountId): Queue[] {
    return [...this.queues.values()]
      .filter((q) => q.accountId === accountId)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async createQueue(
    name: string,
    attributes: Record<string, string> = {},
    tags: Record<string, string> = {},
  ): Promise<Queue> {
    const fifo = attributes.FifoQueue?.toLowerCase() === 'true';
    if (typeof name !== 'string' || name === '') throw errors.missingParameter('QueueName');
    validateQueueName(name, fifo || isFifoName(name));
    if (isFifoName(name) && !fifo)
      throw errors.invalidParameterValue(
        'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
      );
    const normalized = normalizeQueueAttributes(attributes, fifo, 'create');
    for (const [k, v] of Object.entries(normalized)) if (v === '') delete normalized[k];
    const key = `${this.ctx.accountId}/${name}`;
    const existing = this.queues.get(key);
    if (existing) {
      const current = existing.settings();
      for (const [k, v] of Object.entries(normalized))
        if ((current[k] ?? '') !== v) throw errors.queueNameExists(k);
      return existing;
    }
    validateTags(tags);
    const now = this.ctx.clock.now();
    const record: QueueRecord = {
      accountId: this.ctx.accountId,
      name,
      attributes: normalized,
      tags: { ...tags },
      createdTimestamp: Math.floor(now / 1000),
      lastModifiedTimestamp: Math.floor(now / 1000),
      seq: 0,
    };
    const q = new Queue(record, this.arnOf(record.accountId, name));
    checkFifoConsistency(q.settings());
    this.checkRedriveTarget(q);
    this.queues.set(key, q);
    await this.ns.put(keys.queue(record.accountId, name), record as never);
    return q;
  }

  async deleteQueue(q: Queue): Promise<void> {
    const key = queueKey(q);
    if (this.queues.get(key) !== q) throw errors.queueDoesNotExist();
    this.queues.delete(key);
    q.timer?.cancel();
    q.timer = undefined;
    this.wake(key);
    const writes: Write[] = [{ key: keys.queue(q.accountId, q.name), value: undefined }];
    for (const m of q.messages.values()) writes.push(...messageDeletes(q, m));
    for (const dedupKey of q.dedup.keys())
      writes.push({ key: keys.dedup(q.accountId, q.name, dedupKey), value: undefined });
    await this.ns.batch(writes);
  }

  attributes(q: Queue, names: string[] = ['All']): Record<string, string> {
    for (const n of names)
      if (n !== 'All' && !(QUEUE_ATTRIBUTE_NAMES as readonly string[]).includes(n))
        throw errors.invalidAttributeName(n);
    const counts = q.counts(this.ctx.clock.now());
    const all: Record<string, string> = {
      QueueArn: q.arn,
      ApproximateNumberOfMessages: String(counts.visible),
      ApproximateNumberOfMessagesNotVisible: String(counts.inflight),
      ApproximateNumberOfMessagesDelayed: String(counts.delayed),
      CreatedTimestamp: String(q.record.createdTimestamp),
      LastModifiedTimestamp: String(q.record.lastModifiedTimestamp),
      ...q.settings(),
    };
    if (names.includes('All')) return all;
    const out: Record<string, string> = {};
    for (const n of names) if (all[n] !== undefined) out[n] = all[n];
    return out;
  }

  async setAttributes(q: Queue, attributes: Record<string, string>): Promise<void> {
    const normalized = normalizeQueueAttributes(attributes, q.fifo, 'set');
    const merged = { ...q.record.attributes };
    for (const [k, v] of Object.entries(normalized)) {
      if (v === '') delete merged[k];
      else merged[k] = v;
    }
    const next = new Queue({ ...q.record, attributes: merged }, q.arn);
    checkFifoConsistency(next.settings());
    this.checkRedriveTarget(next);
    q.record.attributes = merged;
    q.record.lastModifiedTimestamp = Math.floor(this.ctx.clock.now() / 1000);
    await this.saveQueue(q);
  }

  async tag(q: Queue, tags: Record<string, string>): Promise<void> {
    const merged = { ...q.record.tags, ...tags };
    validateTags(merged);
    q.record.tags = merged;
    await this.saveQueue(q);
  }

  async untag(q: Queue, tagKeys: string[]): Promise<void> {
    for (const k of tagKeys) delete q.record.tags[k];
    await this.saveQueue(q);
  }

  deadLetterSources(q: Queue): Queue[] {
    return this.list(q.accountId).filter((s) => s.redrivePolicy()?.deadLetterTargetArn === q.arn);
  }

  async purge(q: Queue): Promise<void> {
    const now = this.ctx.clock.now();
    if (q.record.lastPurgeAt !== undefined && now - q.record.lastPurgeAt < PURGE_INTERVAL_MS)
      throw errors.purgeQueueInProgress(q.arn);
    q.record.lastPurgeAt = now;
    const writes: Write[] = [{ key: keys.queue(q.accountId, q.name), value: q.record as never }];
    for (const m of [...q.messages.values()]) {
      if (!m.durable) continue;
      q.remove(m);
      writes.push(...messageDeletes(q, m));
    }
    await this.ns.batch(writes);
  }

  private checkRedriveTarget(q: Queue): void {
    const policy = q.redrivePolicy();
    if (!policy) return;
    const dlq = this.find(policy.deadLetterTargetArn);
    if (dlq && dlq.fifo !== q.fifo)
      throw errors.invalidParameter(
        'RedrivePolicy',
        q.record.attributes.RedrivePolicy,
        'Dead-letter queue must be same type of queue as the source.',
      );
  }

  private async saveQueue(q: Queue): Promise<void> {
    if (this.queues.get(queueKey(q)) !== q) throw errors.queueDoesNotExist();
    await this.ns.put(keys.queue(q.accountId, q.name), q.record as never);
  }

  // ---- sending ------------------------------------------------------------------------------

  /** Sends several messages with one durable write; each entry gets its result or its error. */
  async send(q: Queue, entries: SendEntry[]): Promise<Array<SendMessageResult | AwsError>> {
    const now = this.ctx.clock.now();
    const prepared: Array<Prepared | AwsError> = entries.map((e) => {
      try {
        return this.prepare(q, e.body, e.options ?? {}, now);
      } catch (err) {
        if (err instanceof AwsError) return err;
        throw err;
      }
    });
    const ok = prepared.filter((p): p is Prepared => !(p instanceof AwsError));
    const fresh = ok.flatMap((p) => (p.message ? [p.message] : []));
    for (const m of fresh) q.add(m);
    const writes = ok.flatMap((p) => p.writes);
    if (q.fifo && fresh.length > 0)
      writes.push({ key: keys.queue(q.accountId, q.name), value: q.record as never });
    try {
      if (writes.length > 0) await this.ns.batch(writes);
    } catch (err) {
      for (const m of fresh) q.remove(m);
      throw err;
    }
    for (const m of fresh) m.durable = true;
    if (this.queues.get(queueKey(q)) !== q) {
      // Deleted while the write was in flight: do not leave its messages behind.
      await this.ns.batch(fresh.flatMap((m) => messageDeletes(q, m)));
      throw errors.queueDoesNotExist();
    }
    if (fresh.length > 0) this.scheduleAfterChange(q);
    const url = this.urlOf(q);
    entries.forEach((e, i) => {
      const p = prepared[i];
      if (p && !(p instanceof AwsError) && p.message)
        emitMessageSent(
          this.ctx,
          q.arn,
          { messageId: p.message.messageId, queueUrl: url },
          e.options?.caller,
        );
    });
    return prepared.map((p) => (p instanceof AwsError ? p : p.result));
  }

  private prepare(q: Queue, body: string, options: SendMessageOptions, now: number): Prepared {
    if (typeof body !== 'string' || body === '') throw errors.missingParameter('MessageBody');
    if (hasInvalidCharacters(body)) throw errors.invalidMessageContents();
    const attributes = normalizeAttributes(options.messageAttributes);
    const system = normalizeAttributes(options.messageSystemAttributes);
    validateMessageAttributes(attributes);
    validateSystemAttributes(system);
    const max = q.setting('MaximumMessageSize');
    if (messageSize(body, attributes) > max)
      throw errors.invalidParameterValue(
        `One or more parameters are invalid. Reason: Message must be shorter than ${max} bytes.`,
      );
    const delay = options.delaySeconds;
    if (delay !== undefined && (!Number.isInteger(delay) || delay < 0 || delay > MAX_DELAY_SECONDS))
      throw errors.invalidParameter(
        'DelaySeconds',
        delay,
        `DelaySeconds must be >= 0 and <= ${MAX_DELAY_SECONDS}.`,
      );
    const result: SendMessageResult = {
      messageId: randomUUID(),
      md5OfMessageBody: md5Hex(body),
      md5OfMessageAttributes: md5OfAttributes(attributes),
      md5OfMessageSystemAttributes: md5OfAttributes(system),
    };
    const writes: Write[] = [];
    let dedupId: string | undefined;
    const groupId = options.messageGroupId;
    if (groupId !== undefined && !FIFO_ID.test(groupId))
      throw errors.invalidParameter(
        'MessageGroupId',
        groupId,
        'MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.',
      );
    if (q.fifo) {
      if (delay !== undefined && delay !== 0)
        throw errors.invalidParameter(
          'DelaySeconds',
          delay,
          'The request include parameter that is not valid for this queue type.',
        );
      if (groupId === undefined) throw errors.missingParameter('MessageGroupId');
      dedupId = options.messageDeduplicationId;
      if (dedupId === undefined) {
        if (q.settings().ContentBasedDeduplication !== 'true')
          throw errors.invalidParameterValue(
            'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
          );
        dedupId = createHash('sha256').update(body).digest('hex');
      } else if (!FIFO_ID.test(dedupId))
        throw errors.invalidParameter(
          'MessageDeduplicationId',
          dedupId,
          'MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.',
        );
      for (const gone of q.pruneDedup(now))
        writes.push({ key: keys.dedup(q.accountId, q.name, gone), value: undefined });
      const dedupKey =
        q.settings().DeduplicationScope === 'messageGroup' ? `${groupId}\u0000${dedupId}` : dedupId;
      const original = q.dedup.get(dedupKey);
      if (original)
        return {
          result: { ...result, messageId: original.messageId, sequenceNumber: original.sequenceNumber },
          writes,
        };
      const seq = q.nextSeq();
      result.sequenceNumber = sequenceNumberOf(seq);
      const entry: DedupRecord = {
        messageId: result.messageId,
        sequenceNumber: result.sequenceNumber,
        expiresAt: now + DEDUPLICATION_WINDOW_MS,
      };
      q.dedup.set(dedupKey, entry);
      writes.push({ key: keys.dedup(q.accountId, q.name, dedupKey), value: entry as never });
      return this.withMessage(q, seq, body, options, result, writes, now, dedupId);
    }
    if (options.messageDeduplicationId !== undefined)
      throw errors.invalidParameterValue(
        'The request include parameter MessageDeduplicationId which is not valid for this queue type',
      );
    return this.withMessage(q, q.nextSeq(), body, options, result, writes, now, undefined);
  }

  private withMessage(
    q: Queue,
    seq: number,
    body: string,
    options: SendMessageOptions,
    result: SendMessageResult,
    writes: Write[],
    now: number,
    dedupId: string | undefined,
  ): Prepared {
    const availableAt = now + (options.delaySeconds ?? q.setting('DelaySeconds')) * 1000;
    const attributes = normalizeAttributes(options.messageAttributes);
    const system = normalizeAttributes(options.messageSystemAttributes);
    const message: Message = {
      seq,
      messageId: result.messageId,
      body,
      md5OfBody: result.md5OfMessageBody,
      sentTimestamp: now,
      senderId: options.caller?.accessKeyId ?? q.accountId,
      availableAt,
      receiveCount: 0,
      visibleAt: availableAt,
      inflight: false,
      durable: false,
    };
    if (Object.keys(attributes).length > 0) {
      message.messageAttributes = toStoredAttributes(attributes);
      message.md5OfMessageAttributes = result.md5OfMessageAttributes;
    }
    if (Object.keys(system).length > 0) {
      message.systemAttributes = toStoredAttributes(system);
      message.md5OfMessageSystemAttributes = result.md5OfMessageSystemAttributes;
    }
    if (options.caller) message.caller = { ...options.caller };
    if (options.messageGroupId !== undefined) message.messageGroupId = options.messageGroupId;
    if (dedupId !== undefined) message.messageDeduplicationId = dedupId;
    if (result.sequenceNumber !== undefined) message.sequenceNumber = result.sequenceNumber;
    writes.push({ key: keys.message(q.accountId, q.name, seq), value: messageRecordOf(message) as never });
    return { result, message, writes };
  }

  // ---- receiving ----------------------------------------------------------------------------

  /** ReceiveMessage: returns as soon as at least one message is available, or when the wait ends. */
  async receive(q: Queue, options: ReceiveMessagesOptions): Promise<ReceivedMessage[]> {
    const max = options.maxNumberOfMessages;
    if (!Number.isInteger(max) || max < 1 || max > MAX_RECEIVE_MESSAGES)
      throw errors.invalidParameter('MaxNumberOfMessages', max, 'Must be between 1 and 10, if provided.');
    const vt = options.visibilityTimeout ?? q.setting('VisibilityTimeout');
    if (!Number.isInteger(vt) || vt < 0 || vt > MAX_VISIBILITY_TIMEOUT)
      throw errors.invalidParameter(
        'VisibilityTimeout',
        vt,
        `Must be between 0 and ${MAX_VISIBILITY_TIMEOUT}, if provided.`,
      );
    const wait = options.waitTimeSeconds ?? q.setting('ReceiveMessageWaitTimeSeconds');
    if (!Number.isInteger(wait) || wait < 0 || wait > MAX_WAIT_TIME_SECONDS)
      throw errors.invalidParameter(
        'WaitTimeSeconds',
        wait,
        `Must be >= 0 and <= ${MAX_WAIT_TIME_SECONDS}, if provided.`,
      );
    const key = queueKey(q);
    const deadline = this.ctx.clock.now() + wait * 1000;
    for (;;) {
      const current = this.queues.get(key);
      if (!current) throw errors.queueDoesNotExist();
      const got = await this.receiveNow(current, max, vt);
      if (got.length > 0 || this.closed || options.signal?.aborted) return got;
      const remaining = deadline - this.ctx.clock.now();
      if (remaining <= 0) return got;
      await this.waitForWake(key, remaining, options.signal);
    }
  }

  private async receiveNow(q: Queue, max: number, vt: number): Promise<ReceivedMessage[]> {
    const now = this.ctx.clock.now();
    const expired: Message[] = [];
    const taken: Message[] = [];
    const moved: Array<{ dlq: Queue; message: Message }> = [];
    const writes: Write[] = [];
    const policy = q.redrivePolicy();
    const dlq = policy ? this.find(policy.deadLetterTargetArn) : undefined;
    for (const m of q.candidates(now, expired)) {
      if (policy && dlq && dlq !== q && m.receiveCount >= policy.maxReceiveCount) {
        const message = this.transfer(q, m, dlq, now, writes, true);
        moved.push({ dlq, message });
        continue;
      }
      m.receiveCount++;
      m.firstReceiveTimestamp ??= now;
      m.visibleAt = now + vt * 1000;
      m.inflight = true;
      m.receipt = randomBytes(12).toString('hex');
      writes.push({ key: keys.receive(q.accountId, q.name, m.seq), value: receiveRecordOf(m) as never });
      taken.push(m);
      if (taken.length >= max) break;
    }
    for (const m of expired) {
      q.remove(m);
      writes.push(...messageDeletes(q, m));
    }
    const received = taken.map((m) => this.toReceived(q, m));
    if (taken.length > 0 && vt > 0) this.ensureTimer(q, now + vt * 1000);
    if (writes.length > 0) await this.ns.batch(writes);
    for (const { message } of moved) message.durable = true;
    for (const target of new Set(moved.map((m) => m.dlq))) this.scheduleAfterChange(target);
    return received;
  }

  /**
   * Moves a message to another queue within one batch of writes: to the dead-letter queue when it
   * exceeded maxReceiveCount (keeping id, body, attributes and receive count, adding
   * DeadLetterQueueSourceArn), or back out of it in a message move task (receive count reset).
   */
  private transfer(
    q: Queue,
    m: Message,
    target: Queue,
    now: number,
    writes: Write[],
    toDeadLetter: boolean,
  ): Message {
    q.remove(m);
    writes.push(...messageDeletes(q, m));
    const seq = target.nextSeq();
    const moved: Message = {
      ...m,
      seq,
      availableAt: now,
      visibleAt: now,
      inflight: false,
      receipt: undefined,
      durable: false,
    };
    if (toDeadLetter) moved.deadLetterQueueSourceArn = q.arn;
    else {
      delete moved.deadLetterQueueSourceArn;
      moved.receiveCount = 0;
      delete moved.firstReceiveTimestamp;
    }
    if (target.fifo) {
      moved.sequenceNumber = sequenceNumberOf(seq);
      writes.push({ key: keys.queue(target.accountId, target.name), value: target.record as never });
    }
    target.add(moved);
    writes.push({
      key: keys.message(target.accountId, target.name, seq),
      value: messageRecordOf(moved) as never,
    });
    writes.push({
      key: keys.receive(target.accountId, target.name, seq),
      value: receiveRecordOf(moved) as never,
    });
    return moved;
  }

  /**
   * A message move task (StartMessageMoveTask), done at once: every message of `source` not in
   * flight goes to `destination`, or back to the queue it was dead-lettered from. Returns the count.
   */
  async moveMessages(source: Queue, destination: Queue | undefined): Promise<number> {
    const now = this.ctx.clock.now();
    const writes: Write[] = [];
    const moved: Array<{ target: Queue; message: Message }> = [];
    for (const m of [...source.messages.values()]) {
      if (!m.durable || source.isInflight(m, now) || source.isExpired(m, now)) continue;
      const target =
        destination ?? (m.deadLetterQueueSourceArn ? this.find(m.deadLetterQueueSourceArn) : undefined);
      if (!target || target === source) continue;
      moved.push({ target, message: this.transfer(source, m, target, now, writes, false) });
    }
    if (writes.length > 0) await this.ns.batch(writes);
    for (const { message } of moved) message.durable = true;
    for (const target of new Set(moved.map((m) => m.target))) this.scheduleAfterChange(target);
    return moved.length;
  }

  private toReceived(q: Queue, m: Message): ReceivedMessage {
    const attributes: Record<string, string> = {
      SenderId: m.senderId,
      SentTimestamp: String(m.sentTimestamp),
      ApproximateReceiveCount: String(m.receiveCount),
      ApproximateFirstReceiveTimestamp: String(m.firstReceiveTimestamp ?? m.sentTimestamp),
    };
    if (m.messageGroupId !== undefined) attributes.MessageGroupId = m.messageGroupId;
    if (m.messageDeduplicationId !== undefined) attributes.MessageDeduplicationId = m.messageDeduplicationId;
    if (m.sequenceNumber !== undefined) attributes.SequenceNumber = m.sequenceNumber;
    const trace = m.systemAttributes?.AWSTraceHeader?.stringValue;
    if (trace !== undefined) attributes.AWSTraceHeader = trace;
    if (m.deadLetterQueueSourceArn !== undefined)
      attributes.DeadLetterQueueSourceArn = m.deadLetterQueueSourceArn;
    const received: ReceivedMessage = {
      messageId: m.messageId,
      receiptHandle: encodeReceiptHandle(q, m),
      body: m.body,
      md5OfBody: m.md5OfBody,
      attributes,
      messageAttributes: fromStoredAttributes(m.messageAttributes),
    };
    if (m.md5OfMessageAttributes !== undefined) received.md5OfMessageAttributes = m.md5OfMessageAttributes;
    if (m.caller) received.caller = { ...m.caller };
    return received;
  }

  // ---- acknowledging ------------------------------------------------------------------------

  async deleteMessage(q: Queue, receiptHandle: string): Promise<void> {
    const { messageId, nonce } = decodeReceiptHandle(q, receiptHandle);
    const m = q.byId.get(messageId);
    if (!m || !m.durable) return; // already deleted: DeleteMessage succeeds
    const now = this.ctx.clock.now();
    const inflight = q.isInflight(m, now);
    if (m.receipt !== nonce && inflight) return; // an older receipt while someone else holds the message
    q.remove(m);
    await this.ns.batch(messageDeletes(q, m));
    if (q.fifo && inflight && q.hasAvailable(this.ctx.clock.now())) this.notify(q);
  }

  async changeVisibility(q: Queue, receiptHandle: string, seconds: number): Promise<void> {
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_VISIBILITY_TIMEOUT)
      throw errors.invalidParameter(
        'VisibilityTimeout',
        seconds,
        `Must be between 0 and ${MAX_VISIBILITY_TIMEOUT}, if provided.`,
      );
    const { messageId, nonce } = decodeReceiptHandle(q, receiptHandle);
    const m = q.byId.get(messageId);
    if (!m || m.receipt !== nonce)
      throw errors.invalidParameter(
        'ReceiptHandle',
        receiptHandle,
        'Message does not exist or is not available for visibility timeout change.',
      );
    const now = this.ctx.clock.now();
    if (!q.isInflight(m, now)) throw errors.messageNotInflight();
    m.visibleAt = now + seconds * 1000;
    if (seconds === 0) m.inflight = false;
    await this.ns.put(keys.receive(q.accountId, q.name, m.seq), receiveRecordOf(m) as never);
    this.scheduleAfterChange(q);
  }

  // ---- wake-ups -----------------------------------------------------------------------------

  /** Calls `listener` whenever messages may have become receivable (and once now if some are). */
  onMessageAvailable(ref: string, listener: () => void): () => void {
    const key = this.keyOf(ref);
    if (key === undefined) return () => undefined;
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(listener);
    const q = this.queues.get(key);
    if (q?.hasAvailable(this.ctx.clock.now())) queueMicrotask(() => this.callListener(listener));
    return () => {
      set.delete(listener);
    };
  }

  /** After a change: wake receivers if something is receivable now, arm the timer for what becomes so later. */
  private scheduleAfterChange(q: Queue): void {
    const now = this.ctx.clock.now();
    if (q.hasAvailable(now)) this.notify(q);
    const next = q.nextVisibleAt(now);
    if (next !== undefined) this.ensureTimer(q, next);
  }

  private ensureTimer(q: Queue, at: number): void {
    if (this.closed || (q.timer && q.timer.at <= at)) return;
    q.timer?.cancel();
    const handle = this.ctx.clock.setTimeout(() => this.onTimer(q), Math.max(0, at - this.ctx.clock.now()));
    q.timer = { at, cancel: () => handle.cancel() };
  }

  private onTimer(q: Queue): void {
    q.timer = undefined;
    if (this.closed || this.queues.get(queueKey(q)) !== q) return;
    this.scheduleAfterChange(q);
  }

  private notify(q: Queue): void {
    const key = queueKey(q);
    this.wake(key);
    for (const listener of this.listeners.get(key) ?? []) queueMicrotask(() => this.callListener(listener));
  }

  private callListener(listener: () => void): void {
    try {
      listener();
    } catch (err) {
      this.ctx.log(`sqs: onMessageAvailable listener failed: ${String(err)}`);
    }
  }

  private wake(key: string): void {
    const set = this.waiters.get(key);
    if (!set) return;
    this.waiters.delete(key);
    for (const w of set) w();
  }

  private waitForWake(key: string, ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      let set = this.waiters.get(key);
      if (!set) this.waiters.set(key, (set = new Set()));
      const waiters = set;
      const finish = (): void => {
        timer.cancel();
        waiters.delete(finish);
        signal?.removeEventListener('abort', finish);
        resolve();
      };
      waiters.add(finish);
      const timer = this.ctx.clock.setTimeout(finish, ms);
      signal?.addEventListener('abort', finish, { once: true });
    });
  }

  close(): void {
    this.closed = true;
    for (const q of this.queues.values()) {
      q.timer?.cancel();
      q.timer = undefined;
    }
    for (const key of [...this.waiters.keys()]) this.wake(key);
  }

  // ---- loading ------------------------------------------------------------------------------

  private load(): void {
    const now = this.ctx.clock.now();
    const stale: Write[] = [];
    for (const loaded of loadAll(this.ns)) {
      const record = loaded.record;
      const q = new Queue(record, this.arnOf(record.accountId, record.name));
      for (const { message, receive } of loaded.messages) {
        const m: Message = {
          ...message,
          receiveCount: receive?.receiveCount ?? 0,
          visibleAt: receive?.visibleAt ?? message.availableAt,
          inflight: false,
          durable: true,
        };
        if (receive?.firstReceiveTimestamp !== undefined)
          m.firstReceiveTimestamp = receive.firstReceiveTimestamp;
        if (receive?.receipt !== undefined) m.receipt = receive.receipt;
        // Messages in flight when the process stopped are visible again.
        if (receive?.inflight) m.visibleAt = Math.min(m.visibleAt, now);
        q.add(m);
        record.seq = Math.max(record.seq, m.seq);
      }
      for (const { key, record: entry } of [...loaded.dedup].sort(
        (a, b) => a.record.expiresAt - b.record.expiresAt,
      )) {
        if (entry.expiresAt > now) q.dedup.set(key, entry);
        else stale.push({ key: keys.dedup(record.accountId, record.name, key), value: undefined });
      }
      this.queues.set(queueKey(q), q);
      const next = q.nextVisibleAt(now);
      if (next !== undefined) this.ensureTimer(q, next);
    }
    if (stale.length > 0)
      this.ns
        .batch(stale)
        .catch((err: unknown) =>
          this.ctx.log(`sqs: dropping expired deduplication entries failed: ${String(err)}`),
        );
  }
}

function queueKey(q: Queue): string {
  return `${q.accountId}/${q.name}`;
}

function validateTags(tags: Record<string, string>): void {
  const n = Object.keys(tags).length;
  if (n > MAX_TAGS)
    throw errors.invalidParameterValue(`Too many tags: ${n}. A queue can have at most ${MAX_TAGS} tags.`);
  for (const [k, v] of Object.entries(tags))
    if (k.length < 1 || k.length > 128 || typeof v !== 'string' || v.length > 256)
      throw errors.invalidParameterValue(
        `Tag ${k} is invalid: keys are 1-128 characters, values at most 256.`,
      );
}

/** FIFO sequence numbers: large, strictly increasing per queue, as decimal strings (AWS returns 20 digits). */
function sequenceNumberOf(seq: number): string {
  return (10n ** 19n + BigInt(seq)).toString();
}

function messageRecordOf(m: Message): Record<string, unknown> {
  const {
    receiveCount: _rc,
    firstReceiveTimestamp: _fr,
    visibleAt: _va,
    receipt: _r,
    inflight: _i,
    durable: _d,
    ...record
  } = m;
  return JSON.parse(JSON.stringify(record)) as Record<string, unknown>;
}

function receiveRecordOf(m: Message): ReceiveRecord {
  const r: ReceiveRecord = { receiveCount: m.receiveCount, visibleAt: m.visibleAt, inflight: m.inflight };
  if (m.firstReceiveTimestamp !== undefined) r.firstReceiveTimestamp = m.firstReceiveTimestamp;
  if (m.receipt !== undefined) r.receipt = m.receipt;
  return r;
}

function messageDeletes(q: Queue, m: Message): Write[] {
  return [
    { key: keys.message(q.accountId, q.name, m.seq), value: undefined },
    { key: keys.receive(q.accountId, q.name, m.seq), value: undefined },
  ];
}

/** Receipt handles name the queue, the message and the receive (opaque to clients, as AWS's). */
function encodeReceiptHandle(q: Queue, m: Message): string {
  return Buffer.from(`${q.accountId}/${q.name}/${m.messageId}/${m.receipt ?? ''}`, 'utf8').toString(
    'base64url',
  );
}

function decodeReceiptHandle(q: Queue, handle: string): { messageId: string; nonce: string } {
  if (typeof handle !== 'string' || handle === '') throw errors.missingParameter('ReceiptHandle');
  const parts = /^[A-Za-z0-9_-]+$/.test(handle)
    ? Buffer.from(handle, 'base64url').toString('utf8').split('/')
    : [];
  if (parts.length !== 4 || parts[0] !== q.accountId || parts[1] !== q.name)
    throw errors.receiptHandleIsInvalid(handle);
  return { messageId: parts[2] as string, nonce: parts[3] as string };
}
