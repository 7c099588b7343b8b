/**
 * Amazon SQS: registration with the edge (JSON 1.0 by X-Amz-Target `AmazonSQS.*`, the query
 * protocol by Action) and the internal API the app and the triggers layer use (create queues from
 * the template, send, receive, delete, and be told when messages become receivable).
 */
import type { ServerResponse } from 'node:http';
import type { AwsRequest, AwsService, ServiceContext } from '../types.ts';
import type {
  MessageAttributeValue,
  ReceivedMessage,
  ReceiveMessagesOptions,
  SendMessageOptions,
  SendMessageResult,
} from './model.ts';
import { createOperations, type OperationContext } from './operations.ts';
import { SQS_TARGET_PREFIX, handleJson } from './protocol-json.ts';
import { handleQuery } from './protocol-query.ts';
import { SqsState } from './state.ts';

export type {
  MessageAttributeValue,
  ReceivedMessage,
  ReceiveMessagesOptions,
  SendMessageOptions,
  SendMessageResult,
};
export type { MessageAttributeInput } from './model.ts';
export type { MessageSentDetail } from './events.ts';
export { SQS_EVENT_SOURCE } from './events.ts';

export interface SqsService extends AwsService {
  /** Creates a queue, or returns the existing one when its attributes match (QueueAlreadyExists otherwise). */
  createQueue(
    name: string,
    attributes?: Record<string, string>,
    tags?: Record<string, string>,
  ): Promise<{ queueUrl: string; queueArn: string }>;
  /** The ARN of an existing queue given its name, URL (any host) or ARN. */
  queueArn(nameUrlOrArn: string): string | undefined;
  /** The URL (on this endpoint) of an existing queue. */
  queueUrl(arn: string): string | undefined;
  /** Durable once resolved; throws AwsError (QueueDoesNotExist, InvalidParameterValue...). */
  sendMessage(queueArn: string, body: string, options?: SendMessageOptions): Promise<SendMessageResult>;
  /** Returns every system attribute and message attribute; long-polls when waitTimeSeconds > 0. */
  receiveMessages(queueArn: string, options: ReceiveMessagesOptions): Promise<ReceivedMessage[]>;
  deleteMessage(queueArn: string, receiptHandle: string): Promise<void>;
  changeMessageVisibility(queueArn: string, receiptHandle: string, seconds: number): Promise<void>;
  getQueueAttributes(queueArn: string): Record<string, string>;
  /**
   * Push notification that messages may be receivable: after a send, when a delay or a visibility
   * timeout ends, when a FIFO group unblocks, when messages are moved in; also once right away if
   * messages are waiting. Survives the queue's deletion and re-creation. Returns the unsubscribe.
   */
  onMessageAvailable(queueArn: string, listener: () => void): () => void;
}

/** `/<account>/<name>`: query-protocol requests may be POSTed to the queue's URL. */
function pathQueueUrl(rawPath: string): string | undefined {
  const segments = rawPath.split('/').filter(Boolean);
  return segments.length === 2 && /^\d{12}$/.test(segments[0] as string)
    ? `/${segments.join('/')}`
    : undefined;
}

export function createSqsService(ctx: ServiceContext): SqsService {
  const state = new SqsState(ctx);
  const ops = createOperations(state, ctx.clock);

  return {
    signingName: 'sqs',
    targetPrefixes: [SQS_TARGET_PREFIX],
    queryActions: new Set(Object.keys(ops)),

    async handle(req: AwsRequest, res: ServerResponse): Promise<void> {
      const abort = new AbortController();
      res.once('close', () => abort.abort());
      const octx: OperationContext = { region: req.region, signal: abort.signal };
      if (req.caller) octx.caller = req.caller;
      const path = pathQueueUrl(req.rawPath);
      if (path) octx.pathQueueUrl = path;
      const target = req.headers['x-amz-target'];
      if (typeof target === 'string' && target.startsWith(SQS_TARGET_PREFIX))
        await handleJson(ops, req, res, octx);
      else await handleQuery(ops, req, res, octx);
    },

    async createQueue(name, attributes = {}, tags = {}) {
      const q = await state.createQueue(name, attributes, tags);
      return { queueUrl: state.urlOf(q), queueArn: q.arn };
    },
    queueArn(ref) {
      return state.find(ref)?.arn;
    },
    queueUrl(arn) {
      const q = state.find(arn);
      return q ? state.urlOf(q) : undefined;
    },
    async sendMessage(queueArn, body, options = {}) {
      const [result] = await state.send(state.require(queueArn), [{ body, options }]);
      if (result === undefined || result instanceof Error) throw result ?? new Error('sqs: no send result');
      return result;
    },
    receiveMessages(queueArn, options) {
      return state.receive(state.require(queueArn), options);
    },
    deleteMessage(queueArn, receiptHandle) {
      return state.deleteMessage(state.require(queueArn), receiptHandle);
    },
    changeMessageVisibility(queueArn, receiptHandle, seconds) {
      return state.changeVisibility(state.require(queueArn), receiptHandle, seconds);
    },
    getQueueAttributes(queueArn) {
      return state.attributes(state.require(queueArn));
    },
    onMessageAvailable(queueArn, listener) {
      return state.onMessageAvailable(queueArn, listener);
    },
    close() {
      state.close();
      return Promise.resolve();
    },
  };
}
