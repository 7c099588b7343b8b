/**
 * The SQS API, protocol-neutral: each operation takes its input in the JSON protocol's shape and
 * returns its output in that shape. protocol-json.ts passes both through; protocol-query.ts
 * converts form parameters to this shape and the output to XML.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../shared/clock.ts';
import { AwsError, type Caller } from '../types.ts';
import { errors } from './errors.ts';
import {
  messageAttributes,
  messageAttributesOut,
  objectList,
  optInt,
  optString,
  reqString,
  stringList,
  stringMap,
  type Input,
} from './input.ts';
import { md5OfAttributes, messageSize } from './message.ts';
import type { MessageAttributeValue, ReceivedMessage, SendMessageOptions } from './model.ts';
import { MAX_MESSAGE_SIZE } from './queue-attributes.ts';
import type { Queue } from './queue.ts';
import type { SqsState } from './state.ts';

export const MAX_BATCH_ENTRIES = 10;
export const MAX_BATCH_BYTES = MAX_MESSAGE_SIZE;
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;

export interface OperationContext {
  caller?: Caller;
  /** Ends a long poll when the client goes away. */
  signal?: AbortSignal;
  /** The queue URL the request was sent to (query protocol requests may target the queue's URL). */
  pathQueueUrl?: string;
  region: string;
}

export type Output = Record<string, unknown>;
type Operation = (input: Input, octx: OperationContext) => Promise<Output> | Output;
export type Operations = Record<string, Operation>;

interface MoveTask {
  TaskHandle: string;
  Status: 'COMPLETED';
  SourceArn: string;
  DestinationArn?: string;
  ApproximateNumberOfMessagesMoved: number;
  ApproximateNumberOfMessagesToMove: number;
  StartedTimestamp: number;
}

function queueOf(state: SqsState, input: Input, octx: OperationContext): Queue {
  const url = optString(input, 'QueueUrl') ?? octx.pathQueueUrl;
  if (url === undefined || url === '') throw errors.missingParameter('QueueUrl');
  return state.require(url);
}

/** Pages through queue URLs: NextToken is the last name returned. */
function paginate(state: SqsState, queues: Queue[], input: Input, listName: string): Output {
  const max = optInt(input, 'MaxResults');
  if (max !== undefined && (max < 1 || max > 1000))
    throw errors.invalidParameter('MaxResults', max, 'MaxResults must be an integer between 1 and 1000.');
  const token = optString(input, 'NextToken');
  let start = 0;
  if (token) {
    const after = Buffer.from(token, 'base64url').toString('utf8');
    start = queues.findIndex((q) => q.name > after);
    if (start === -1) start = queues.length;
  }
  const page = queues.slice(start, max === undefined ? undefined : start + max);
  const out: Output = {};
  if (page.length > 0) out[listName] = page.map((q) => state.urlOf(q));
  const last = page.at(-1);
  if (max !== undefined && last && start + page.length < queues.length)
    out.NextToken = Buffer.from(last.name, 'utf8').toString('base64url');
  return out;
}

function sendOptions(entry: Input, caller: Caller | undefined): SendMessageOptions {
  const options: SendMessageOptions = {};
  const attrs = messageAttributes(entry, 'MessageAttributes');
  if (attrs) options.messageAttributes = attrs;
  const system = messageAttributes(entry, 'MessageSystemAttributes');
  if (system) options.messageSystemAttributes = system;
  const delay = optInt(entry, 'DelaySeconds');
  if (delay !== undefined) options.delaySeconds = delay;
  const group = optString(entry, 'MessageGroupId');
  if (group !== undefined) options.messageGroupId = group;
  const dedup = optString(entry, 'MessageDeduplicationId');
  if (dedup !== undefined) options.messageDeduplicationId = dedup;
  if (caller) options.caller = caller;
  return options;
}

/** Batch rules shared by the three batch actions: 1-10 entries, distinct well-formed ids. */
function batchEntries(input: Input): Input[] {
  const entries = objectList(input, 'Entries');
  if (entries.length === 0) throw errors.emptyBatchRequest();
  if (entries.length > MAX_BATCH_ENTRIES) throw errors.tooManyEntriesInBatchRequest(entries.length);
  const seen = new Set<string>();
  for (const e of entries) {
    const id = optString(e, 'Id') ?? '';
    if (seen.has(id)) throw errors.batchEntryIdsNotDistinct(id);
    seen.add(id);
  }
  for (const e of entries)
    if (!BATCH_ENTRY_ID.test(optString(e, 'Id') ?? '')) throw errors.invalidBatchEntryId();
  return entries;
}

function failure(id: string, err: AwsError): Output {
  return { Id: id, SenderFault: err.fault === 'Sender', Code: err.code, Message: err.message };
}

/** Runs one batch entry; AWS errors become Failed entries, anything else fails the request. */
async function perEntry(entries: Input[], run: (entry: Input) => Promise<Output>): Promise<Output> {
  const successful: Output[] = [];
  const failed: Output[] = [];
  for (const e of entries) {
    const id = optString(e, 'Id') as string;
    try {
      successful.push({ Id: id, ...(await run(e)) });
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
      failed.push(failure(id, err));
    }
  }
  return { Successful: successful, Failed: failed };
}

/** Which message attributes a ReceiveMessage asked for: 'All', '.*', exact names, or 'prefix.*'. */
function selectAttributes(
  attributes: Record<string, MessageAttributeValue>,
  names: string[],
): Record<string, MessageAttributeValue> {
  if (names.includes('All') || names.includes('.*')) return attributes;
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes))
    if (names.some((n) => (n.endsWith('.*') ? name.startsWith(n.slice(0, -1)) : n === name)))
      out[name] = value;
  return out;
}

function messageOut(m: ReceivedMessage, systemNames: string[], attributeNames: string[]): Output {
  const out: Output = {
    MessageId: m.messageId,
    ReceiptHandle: m.receiptHandle,
    MD5OfBody: m.md5OfBody,
    Body: m.body,
  };
  const all = systemNames.includes('All');
  const system: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.attributes)) if (all || systemNames.includes(k)) system[k] = v;
  if (Object.keys(system).length > 0) out.Attributes = system;
  const selected = selectAttributes(m.messageAttributes, attributeNames);
  if (Object.keys(selected).length > 0) {
    out.MessageAttributes = messageAttributesOut(selected);
    out.MD5OfMessageAttributes = md5OfAttributes(selected);
  }
  return out;
}

function policyOf(q: Queue): { Version: string; Id: string; Statement: Array<Record<string, unknown>> } {
  const text = q.record.attributes.Policy;
  if (text) {
    const parsed = JSON.parse(text) as { Statement?: unknown };
    if (Array.isArray(parsed.Statement))
      return parsed as { Version: string; Id: string; Statement: Array<Record<string, unknown>> };
  }
  return { Version: '2012-10-17', Id: `${q.arn}/SQSDefaultPolicy`, Statement: [] };
}

export function createOperations(state: SqsState, clock: Clock): Operations {
  const moveTasks: MoveTask[] = [];
  return {
    async CreateQueue(input) {
      const q = await state.createQueue(
        reqString(input, 'QueueName'),
        stringMap(input, 'Attributes'),
        stringMap(input, 'tags'),
      );
      return { QueueUrl: state.urlOf(q) };
    },
    GetQueueUrl(input) {
      const name = reqString(input, 'QueueName');
      const owner = optString(input, 'QueueOwnerAWSAccountId');
      const q = state.require(owner ? `/${owner}/${name}` : name);
      return { QueueUrl: state.urlOf(q) };
    },
    ListQueues(input) {
      const prefix = optString(input, 'QueueNamePrefix') ?? '';
      return paginate(
        state,
        state.list().filter((q) => q.name.startsWith(prefix)),
        input,
        'QueueUrls',
      );
    },
    async DeleteQueue(input, octx) {
      await state.deleteQueue(queueOf(state, input, octx));
      return {};
    },
    GetQueueAttributes(input, octx) {
      const q = queueOf(state, input, octx);
      const names = stringList(input, 'AttributeNames');
      const attributes = names.length === 0 ? {} : state.attributes(q, names);
      return Object.keys(attributes).length > 0 ? { Attributes: attributes } : {};
    },
    async SetQueueAttributes(input, octx) {
      await state.setAttributes(queueOf(state, input, octx), stringMap(input, 'Attributes'));
      return {};
    },
    async SendMessage(input, octx) {
      const q = queueOf(state, input, octx);
      const [result] = await state.send(q, [
        { body: reqString(input, 'MessageBody'), options: sendOptions(input, octx.caller) },
      ]);
      if (!result || result instanceof AwsError)
        throw result ?? new AwsError('InternalFailure', 'no result', 500);
      const out: Output = { MD5OfMessageBody: result.md5OfMessageBody, MessageId: result.messageId };
      if (result.md5OfMessageAttributes) out.MD5OfMessageAttributes = result.md5OfMessageAttributes;
      if (result.md5OfMessageSystemAttributes)
        out.MD5OfMessageSystemAttributes = result.md5OfMessageSystemAttributes;
      if (result.sequenceNumber) out.SequenceNumber = result.sequenceNumber;
      return out;
    },
    async SendMessageBatch(input, octx) {
      const q = queueOf(state, input, octx);
      const entries = batchEntries(input);
      const total = entries.reduce(
        (sum, e) =>
          sum +
          messageSize(
            typeof e.MessageBody === 'string' ? e.MessageBody : '',
            messageAttributes(e, 'MessageAttributes'),
          ),
        0,
      );
      if (total > MAX_BATCH_BYTES) throw errors.batchRequestTooLong(total, MAX_BATCH_BYTES);
      const successful: Output[] = [];
      const failed: Output[] = [];
      const valid: Array<{ id: string; body: string; options: SendMessageOptions }> = [];
      for (const e of entries) {
        const id = e.Id as string;
        try {
          valid.push({ id, body: reqString(e, 'MessageBody'), options: sendOptions(e, octx.caller) });
        } catch (err) {
          if (!(err instanceof AwsError)) throw err;
          failed.push(failure(id, err));
        }
      }
      const results = await state.send(q, valid);
      results.forEach((r, i) => {
        const id = (valid[i] as { id: string }).id;
        if (r instanceof AwsError) return void failed.push(failure(id, r));
        const out: Output = { Id: id, MessageId: r.messageId, MD5OfMessageBody: r.md5OfMessageBody };
        if (r.md5OfMessageAttributes) out.MD5OfMessageAttributes = r.md5OfMessageAttributes;
        if (r.md5OfMessageSystemAttributes) out.MD5OfMessageSystemAttributes = r.md5OfMessageSystemAttributes;
        if (r.sequenceNumber) out.SequenceNumber = r.sequenceNumber;
        successful.push(out);
      });
      return { Successful: successful, Failed: failed };
    },
    async ReceiveMessage(input, octx) {
      const q = queueOf(state, input, octx);
      const options: Parameters<SqsState['receive']>[1] = {
        maxNumberOfMessages: optInt(input, 'MaxNumberOfMessages') ?? 1,
      };
      const vt = optInt(input, 'VisibilityTimeout');
      if (vt !== undefined) options.visibilityTimeout = vt;
      const wait = optInt(input, 'WaitTimeSeconds');
      if (wait !== undefined) options.waitTimeSeconds = wait;
      if (octx.signal) options.signal = octx.signal;
      const systemNames = [
        ...stringList(input, 'AttributeNames'),
        ...stringList(input, 'MessageSystemAttributeNames'),
      ];
      const attributeNames = stringList(input, 'MessageAttributeNames');
      const messages = await state.receive(q, options);
      return messages.length > 0
        ? { Messages: messages.map((m) => messageOut(m, systemNames, attributeNames)) }
        : {};
    },
    async DeleteMessage(input, octx) {
      await state.deleteMessage(queueOf(state, input, octx), reqString(input, 'ReceiptHandle'));
      return {};
    },
    async DeleteMessageBatch(input, octx) {
      const q = queueOf(state, input, octx);
      return perEntry(batchEntries(input), async (e) => {
        await state.deleteMessage(q, reqString(e, 'ReceiptHandle'));
        return {};
      });
    },
    async ChangeMessageVisibility(input, octx) {
      const seconds = optInt(input, 'VisibilityTimeout');
      if (seconds === undefined) throw errors.missingParameter('VisibilityTimeout');
      await state.changeVisibility(queueOf(state, input, octx), reqString(input, 'ReceiptHandle'), seconds);
      return {};
    },
    async ChangeMessageVisibilityBatch(input, octx) {
      const q = queueOf(state, input, octx);
      return perEntry(batchEntries(input), async (e) => {
        const seconds = optInt(e, 'VisibilityTimeout');
        if (seconds === undefined) throw errors.missingParameter('VisibilityTimeout');
        await state.changeVisibility(q, reqString(e, 'ReceiptHandle'), seconds);
        return {};
      });
    },
    async PurgeQueue(input, octx) {
      await state.purge(queueOf(state, input, octx));
      return {};
    },
    async TagQueue(input, octx) {
      await state.tag(queueOf(state, input, octx), stringMap(input, 'Tags'));
      return {};
    },
    async UntagQueue(input, octx) {
      await state.untag(queueOf(state, input, octx), stringList(input, 'TagKeys'));
      return {};
    },
    ListQueueTags(input, octx) {
      const tags = queueOf(state, input, octx).record.tags;
      return Object.keys(tags).length > 0 ? { Tags: { ...tags } } : {};
    },
    ListDeadLetterSourceQueues(input, octx) {
      const q = queueOf(state, input, octx);
      return { queueUrls: [], ...paginate(state, state.deadLetterSources(q), input, 'queueUrls') };
    },
    async AddPermission(input, octx) {
      const q = queueOf(state, input, octx);
      const label = reqString(input, 'Label');
      const accounts = stringList(input, 'AWSAccountIds');
      const actions = stringList(input, 'Actions');
      if (accounts.length === 0) throw errors.missingParameter('AWSAccountIds');
      if (actions.length === 0) throw errors.missingParameter('Actions');
      const policy = policyOf(q);
      if (policy.Statement.some((s) => s.Sid === label))
        throw errors.invalidParameter('Label', label, 'Already exists.');
      policy.Statement.push({
        Sid: label,
        Effect: 'Allow',
        Principal: { AWS: accounts.map((a) => `arn:aws:iam::${a}:root`) },
        Action: actions.map((a) => `SQS:${a}`),
        Resource: q.arn,
      });
      await state.setAttributes(q, { Policy: JSON.stringify(policy) });
      return {};
    },
    async RemovePermission(input, octx) {
      const q = queueOf(state, input, octx);
      const label = reqString(input, 'Label');
      const policy = policyOf(q);
      const kept = policy.Statement.filter((s) => s.Sid !== label);
      if (kept.length === policy.Statement.length)
        throw errors.invalidParameter('Label', label, "can't find label.");
      await state.setAttributes(q, {
        Policy: kept.length > 0 ? JSON.stringify({ ...policy, Statement: kept }) : '',
      });
      return {};
    },
    async StartMessageMoveTask(input) {
      const sourceArn = reqString(input, 'SourceArn');
      const source = state.find(sourceArn);
      if (!source)
        throw errors.resourceNotFound(
          "The resource that you specified for the SourceArn parameter doesn't exist.",
        );
      if (state.deadLetterSources(source).length === 0)
        throw errors.invalidParameterValue('Source queue must be configured as a Dead Letter Queue.');
      const destinationArn = optString(input, 'DestinationArn');
      const destination = destinationArn === undefined ? undefined : state.find(destinationArn);
      if (destinationArn !== undefined && !destination)
        throw errors.resourceNotFound(
          "The resource that you specified for the DestinationArn parameter doesn't exist.",
        );
      const startedTimestamp = clock.now();
      const moved = await state.moveMessages(source, destination);
      const task: MoveTask = {
        TaskHandle: Buffer.from(JSON.stringify({ taskId: randomUUID(), sourceArn }), 'utf8').toString(
          'base64',
        ),
        Status: 'COMPLETED',
        SourceArn: sourceArn,
        ApproximateNumberOfMessagesMoved: moved,
        ApproximateNumberOfMessagesToMove: moved,
        StartedTimestamp: startedTimestamp,
      };
      if (destinationArn !== undefined) task.DestinationArn = destinationArn;
      moveTasks.unshift(task);
      return { TaskHandle: task.TaskHandle };
    },
    ListMessageMoveTasks(input) {
      const sourceArn = reqString(input, 'SourceArn');
      if (!state.find(sourceArn))
        throw errors.resourceNotFound(
          "The resource that you specified for the SourceArn parameter doesn't exist.",
        );
      const max = optInt(input, 'MaxResults') ?? 1;
      if (max < 1 || max > 10) throw errors.invalidParameter('MaxResults', max, 'Must be between 1 and 10.');
      return { Results: moveTasks.filter((t) => t.SourceArn === sourceArn).slice(0, max) };
    },
    CancelMessageMoveTask(input) {
      const handle = reqString(input, 'TaskHandle');
      if (!moveTasks.some((t) => t.TaskHandle === handle))
        throw errors.resourceNotFound('Task does not exist.');
      throw errors.unsupportedOperation('Only a RUNNING task can be cancelled; this task has COMPLETED.');
    },
  };
}
