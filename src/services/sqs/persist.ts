/**
 * How SQS state lies in its Store namespace ('sqs'). Keys sort by queue, then by send order:
 *
 *   queue/<account>/<name>                  QueueRecord
 *   msg/<account>/<name>/<seq, 16 digits>   MessageRecord  (written once, at send)
 *   rcv/<account>/<name>/<seq>              ReceiveRecord  (receive count, visibility; rewritten per receive)
 *   dedup/<account>/<name>/<dedup key>      DedupRecord    (FIFO deduplication window)
 *
 * A message's body is written once; only its small receive record changes as it is received, so
 * a 1 MiB body is not rewritten on every receive.
 */
import type { JsonValue, Namespace } from '../../store/types.ts';
import type { Caller } from '../types.ts';
import type { StoredAttributes } from './message.ts';

export interface QueueRecord {
  accountId: string;
  name: string;
  /** Attributes set explicitly (normalised); defaults are added when read. */
  attributes: Record<string, string>;
  tags: Record<string, string>;
  /** Epoch seconds, as GetQueueAttributes reports them. */
  createdTimestamp: number;
  lastModifiedTimestamp: number;
  /** Last message sequence used (FIFO SequenceNumbers must keep growing across restarts). */
  seq: number;
  /** Epoch ms of the last PurgeQueue. */
  lastPurgeAt?: number;
}

export interface MessageRecord {
  seq: number;
  messageId: string;
  body: string;
  md5OfBody: string;
  messageAttributes?: StoredAttributes;
  md5OfMessageAttributes?: string;
  systemAttributes?: StoredAttributes;
  md5OfMessageSystemAttributes?: string;
  /** Epoch ms. */
  sentTimestamp: number;
  senderId: string;
  /** The invocation that sent it, for traces (chains SQS → function). */
  caller?: Caller;
  messageGroupId?: string;
  messageDeduplicationId?: string;
  sequenceNumber?: string;
  deadLetterQueueSourceArn?: string;
  /** When the message first becomes visible (send time + delay), epoch ms. */
  availableAt: number;
}

export interface ReceiveRecord {
  receiveCount: number;
  firstReceiveTimestamp?: number;
  /** Epoch ms when the message is (again) visible. */
  visibleAt: number;
  /** Nonce of the latest receipt handle. */
  receipt?: string;
  inflight: boolean;
}

export interface DedupRecord {
  messageId: string;
  sequenceNumber?: string;
  /** Epoch ms. */
  expiresAt: number;
}

export type Write = { key: string; value: JsonValue | undefined };

const pad = (seq: number): string => String(seq).padStart(16, '0');
const queuePath = (accountId: string, name: string): string => `${accountId}/${name}`;

export const keys = {
  queue: (accountId: string, name: string) => `queue/${queuePath(accountId, name)}`,
  message: (accountId: string, name: string, seq: number) => `msg/${queuePath(accountId, name)}/${pad(seq)}`,
  receive: (accountId: string, name: string, seq: number) => `rcv/${queuePath(accountId, name)}/${pad(seq)}`,
  dedup: (accountId: string, name: string, dedupKey: string) =>
    `dedup/${queuePath(accountId, name)}/${encodeURIComponent(dedupKey)}`,
};

export interface LoadedQueue {
  record: QueueRecord;
  messages: Array<{ message: MessageRecord; receive?: ReceiveRecord }>;
  dedup: Array<{ key: string; record: DedupRecord }>;
}

/** Everything in the namespace, queue by queue (reads are synchronous in both Store backends). */
export function loadAll(ns: Namespace): LoadedQueue[] {
  return ns.list<QueueRecord>('queue/').map(({ value: record }) => {
    const path = queuePath(record.accountId, record.name);
    const receives = new Map<string, ReceiveRecord>();
    for (const { key, value } of ns.list<ReceiveRecord>(`rcv/${path}/`))
      receives.set(key.slice(key.lastIndexOf('/') + 1), value);
    const messages = ns.list<MessageRecord>(`msg/${path}/`).map(({ key, value }) => ({
      message: value,
      receive: receives.get(key.slice(key.lastIndexOf('/') + 1)),
    }));
    const dedup = ns.list<DedupRecord>(`dedup/${path}/`).map(({ key, value }) => ({
      key: decodeURIComponent(key.slice(key.lastIndexOf('/') + 1)),
      record: value,
    }));
    return { record, messages, dedup };
  });
}
