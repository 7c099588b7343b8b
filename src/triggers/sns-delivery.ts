/**
 * SNS deliveries (https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html):
 * the SNS service decides which subscriptions get a message (filter policies included) and emits
 * one `Notification` event per subscription; this module hands each one over:
 *  - lambda: asynchronous invoke with `{"Records":[lambdaRecord]}`
 *  - sqs: the JSON notification document, or the message itself with raw message delivery (the
 *    message attributes then become SQS message attributes)
 *  - http/https: POST of the document (or the raw message) to a loopback URL, retried a few times;
 *    a new http/https subscription's `SubscriptionConfirmation` document is POSTed the same way
 *  - email/email-json/sms: one log line (nothing leaves the machine)
 */
import type { Caller, ServiceEvent } from '../services/types.ts';
import type { Clock } from '../shared/clock.ts';
import type { TraceLog } from '../trace/index.ts';
import type { AsyncInvoker } from './async-queue.ts';
import { arnResourceName } from './destinations.ts';
import type { DestinationSinks, Log, MessageAttributeValue } from './ports.ts';

/** SNS's default HTTP delivery policy retries 3 times, 20 s apart (scaled like the async queue). */
export const HTTP_RETRIES = 3;
export const HTTP_RETRY_DELAY_MS = 20_000;
export const HTTP_TIMEOUT_MS = 15_000;

export interface SnsDeliveryDeps {
  sinks: DestinationSinks;
  asyncInvoker: AsyncInvoker;
  clock: Clock;
  log: Log;
  trace?: TraceLog;
  /** Multiplies the HTTP retry delay (default 0.001, as the async queue). */
  retryDelayScale?: number;
  /** HTTP POST, injectable; default `fetch`. Resolves with the status code. */
  post?: (url: string, body: string, headers: Record<string, string>) => Promise<number>;
}

export interface SnsDelivery {
  /**
   * Delivers one `Notification` or `SubscriptionConfirmation` event; resolves when delivered or
   * given up (errors are logged).
   */
  onEvent(e: ServiceEvent): Promise<void>;
  /** Ends waiting retries at once (their messages are dropped, with a log line). */
  close(): void;
}

interface Notification {
  topicArn: string;
  subscriptionArn: string;
  protocol: string;
  endpoint: string;
  raw: boolean;
  message: string;
  messageId: string;
  envelope: Record<string, unknown>;
  lambdaRecord: unknown;
  messageGroupId?: string;
  messageDeduplicationId?: string;
  caller?: Caller;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function notification(e: ServiceEvent): Notification | undefined {
  const d = e.detail;
  const envelope = (d.envelope && typeof d.envelope === 'object' ? d.envelope : {}) as Record<
    string,
    unknown
  >;
  const protocol = str(d.protocol);
  if (!protocol) return undefined;
  return {
    topicArn: e.resourceArn,
    subscriptionArn: str(d.subscriptionArn),
    protocol,
    endpoint: str(d.endpoint),
    raw: d.rawMessageDelivery === true || d.rawMessageDelivery === 'true',
    message: str(d.message),
    messageId: str(d.messageId) || str(envelope.MessageId),
    envelope,
    lambdaRecord: d.lambdaRecord,
    ...(str(d.messageGroupId) ? { messageGroupId: str(d.messageGroupId) } : {}),
    ...(str(d.messageDeduplicationId) ? { messageDeduplicationId: str(d.messageDeduplicationId) } : {}),
    ...(e.caller ? { caller: e.caller } : {}),
  };
}

/**
 * SNS message attributes (`{Type, Value}` in the JSON document) as SQS message attributes, the way
 * raw message delivery passes them on (Binary values are base64 in the document).
 */
export function sqsAttributesFromSns(attributes: unknown): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  if (!attributes || typeof attributes !== 'object') return out;
  for (const [name, value] of Object.entries(attributes as Record<string, unknown>)) {
    if (!value || typeof value !== 'object') continue;
    const v = value as Record<string, unknown>;
    // Either the document's {Type, Value} or an API-style {DataType, StringValue, BinaryValue}.
    const type = str(v.Type) || str(v.DataType);
    if (!type) continue;
    if (type.startsWith('Binary')) {
      const bin = v.BinaryValue;
      out[name] = {
        DataType: type,
        BinaryValue: Buffer.isBuffer(bin) ? bin : Buffer.from(str(v.Value) || str(bin), 'base64'),
      };
    } else {
      out[name] = { DataType: type, StringValue: str(v.Value) || str(v.StringValue) };
    }
  }
  return out;
}

function isLoopbackUrl(url: string): boolean {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
    const host = u.hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}

async function fetchPost(url: string, body: string, headers: Record<string, string>): Promise<number> {
  const res = await fetch(url, {
    method: 'POST',
    body,
    headers,
    signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
  });
  await res.arrayBuffer();
  return res.status;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function createSnsDelivery(deps: SnsDeliveryDeps): SnsDelivery {
  const scale = deps.retryDelayScale ?? 0.001;
  const post = deps.post ?? fetchPost;
  const waits = new Set<() => void>();
  let closed = false;
  /** Waits `ms`; false when closed meanwhile. */
  const sleep = (ms: number) =>
    new Promise<boolean>((resolve) => {
      const done = () => {
        waits.delete(done);
        timer.cancel();
        resolve(!closed);
      };
      const timer = deps.clock.setTimeout(done, ms);
      waits.add(done);
    });

  function toLambda(n: Notification, eventId: string): void {
    const cause = deps.trace?.causeFor(n.caller, eventId);
    deps.asyncInvoker.enqueue(n.endpoint, Buffer.from(JSON.stringify({ Records: [n.lambdaRecord] })), {
      ...(n.caller ? { caller: n.caller } : {}),
      ...(cause ? { cause } : {}),
      source: `SNS ${arnResourceName(n.topicArn)}`,
    });
  }

  async function toSqs(n: Notification): Promise<void> {
    const attributes = n.raw ? sqsAttributesFromSns(n.envelope.MessageAttributes) : {};
    await deps.sinks.sqs.sendMessage(n.endpoint, n.raw ? n.message : JSON.stringify(n.envelope), {
      ...(Object.keys(attributes).length > 0 ? { messageAttributes: attributes } : {}),
      ...(n.messageGroupId ? { messageGroupId: n.messageGroupId } : {}),
      ...(n.messageDeduplicationId ? { messageDeduplicationId: n.messageDeduplicationId } : {}),
      ...(n.caller ? { caller: n.caller } : {}),
    });
  }

  /** POSTs to a loopback URL with SNS's HTTP retry policy; a final failure is logged. */
  async function postWithRetries(
    topicArn: string,
    endpoint: string,
    body: string,
    headers: Record<string, string>,
    what: string,
  ): Promise<void> {
    if (!isLoopbackUrl(endpoint)) {
      deps.log(
        `SNS ${arnResourceName(topicArn)}: not delivered to ${endpoint}: Slipway delivers HTTP(S) subscriptions to loopback URLs only.`,
      );
      return;
    }
    let last = '';
    let attempts = 0;
    for (; attempts <= HTTP_RETRIES; attempts++) {
      if (attempts > 0 && !(await sleep(HTTP_RETRY_DELAY_MS * scale))) break;
      try {
        const status = await post(endpoint, body, headers);
        if (status >= 200 && status < 300) return;
        last = `HTTP ${status}`;
      } catch (err) {
        last = errorText(err);
      }
    }
    deps.log(
      `SNS ${arnResourceName(topicArn)}: delivery to ${endpoint} failed after ${attempts} attempt(s) (${last}); ${what} dropped.`,
    );
  }

  function toHttp(n: Notification): Promise<void> {
    const headers: Record<string, string> = {
      'content-type': 'text/plain; charset=UTF-8',
      'x-amz-sns-message-type': 'Notification',
      'x-amz-sns-message-id': n.messageId,
      'x-amz-sns-topic-arn': n.topicArn,
      'x-amz-sns-subscription-arn': n.subscriptionArn,
      ...(n.raw ? { 'x-amz-sns-rawdelivery': 'true' } : {}),
    };
    const body = n.raw ? n.message : JSON.stringify(n.envelope);
    return postWithRetries(n.topicArn, n.endpoint, body, headers, `message ${n.messageId}`);
  }

  /**
   * The SubscriptionConfirmation document of a new http/https subscription, POSTed as AWS does;
   * the endpoint's owner confirms by GETting its SubscribeURL (ConfirmSubscription at the edge).
   */
  function toHttpConfirmation(e: ServiceEvent): Promise<void> {
    const d = e.detail;
    const envelope = (d.envelope && typeof d.envelope === 'object' ? d.envelope : {}) as Record<
      string,
      unknown
    >;
    const protocol = str(d.protocol);
    if (protocol !== 'http' && protocol !== 'https') return Promise.resolve();
    const messageId = str(envelope.MessageId);
    const headers: Record<string, string> = {
      'content-type': 'text/plain; charset=UTF-8',
      'x-amz-sns-message-type': 'SubscriptionConfirmation',
      'x-amz-sns-message-id': messageId,
      'x-amz-sns-topic-arn': e.resourceArn,
    };
    return postWithRetries(
      e.resourceArn,
      str(d.endpoint),
      JSON.stringify(envelope),
      headers,
      `subscription confirmation ${messageId}`,
    );
  }

  function toLog(n: Notification): void {
    const subject = str(n.envelope.Subject);
    const text = n.message.length > 200 ? `${n.message.slice(0, 200)}…` : n.message;
    deps.log(
      `SNS ${arnResourceName(n.topicArn)} → ${n.protocol} ${n.endpoint}: ${subject ? `[${subject}] ` : ''}${text}`,
    );
  }

  return {
    close() {
      closed = true;
      for (const done of [...waits]) done();
    },
    async onEvent(e) {
      if (e.source !== 'sns') return;
      if (e.type === 'SubscriptionConfirmation') {
        try {
          await toHttpConfirmation(e);
        } catch (err) {
          deps.log(
            `SNS ${arnResourceName(e.resourceArn)}: subscription confirmation to ${str(e.detail.endpoint)} failed: ${errorText(err)}`,
          );
        }
        return;
      }
      if (e.type !== 'Notification') return;
      const n = notification(e);
      if (!n) return;
      try {
        switch (n.protocol) {
          case 'lambda':
            return toLambda(n, n.messageId);
          case 'sqs':
            return await toSqs(n);
          case 'http':
          case 'https':
            return await toHttp(n);
          default:
            return toLog(n);
        }
      } catch (err) {
        deps.log(
          `SNS ${arnResourceName(n.topicArn)}: delivery to ${n.protocol} ${n.endpoint} failed: ${errorText(err)}; message ${n.messageId} dropped.`,
        );
      }
    },
  };
}
