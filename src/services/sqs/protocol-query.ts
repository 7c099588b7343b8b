/**
 * SQS over the AWS query protocol (older SDKs and CLIs): form-encoded `Action=SendMessage&...`
 * POSTed to `/` or to the queue's URL, answered in XML in the 2012-11-05 namespace, errors with
 * the legacy codes (`AWS.SimpleQueueService.NonExistentQueue`).
 */
import type { ServerResponse } from 'node:http';
import { queryParams, sendQueryError } from '../../protocols/query.ts';
import { buildXml, sendXml } from '../../protocols/xml.ts';
import type { AwsRequest } from '../types.ts';
import { errors } from './errors.ts';
import type { Input } from './input.ts';
import type { OperationContext, Operations, Output } from './operations.ts';
import { MAX_REQUEST_BYTES } from './protocol-json.ts';

export const SQS_XMLNS = 'http://queue.amazonaws.com/doc/2012-11-05/';

/** Flattened lists: `AttributeName.1=All` → `AttributeNames: ['All']`. */
const LISTS: Record<string, string> = {
  AttributeName: 'AttributeNames',
  MessageAttributeName: 'MessageAttributeNames',
  MessageSystemAttributeName: 'MessageSystemAttributeNames',
  TagKey: 'TagKeys',
  AWSAccountId: 'AWSAccountIds',
  ActionName: 'Actions',
};
/** Flattened maps: `Attribute.1.Name=a&Attribute.1.Value=b` → `Attributes: {a: 'b'}`. */
const MAPS: Record<string, [string, string, string]> = {
  Attribute: ['Attributes', 'Name', 'Value'],
  Tag: ['Tags', 'Key', 'Value'],
};
const MESSAGE_ATTRIBUTES: Record<string, string> = {
  MessageAttribute: 'MessageAttributes',
  MessageSystemAttribute: 'MessageSystemAttributes',
};
const ENTRIES = new Set([
  'SendMessageBatchRequestEntry',
  'DeleteMessageBatchRequestEntry',
  'ChangeMessageVisibilityBatchRequestEntry',
]);
const MEMBER = /^([A-Za-z]+)\.(\d+)(?:\.(.+))?$/;

/** Form parameters → the operation input in its JSON shape. */
export function queryInput(flat: Iterable<[string, string]>): Input {
  const input: Input = {};
  const groups = new Map<string, Map<number, Map<string, string>>>();
  for (const [key, value] of flat) {
    const m = MEMBER.exec(key);
    if (!m) {
      if (!key.includes('.')) input[key] = value;
      continue;
    }
    const [, prefix, index, rest = ''] = m as unknown as [string, string, string, string | undefined];
    let byIndex = groups.get(prefix);
    if (!byIndex) groups.set(prefix, (byIndex = new Map<number, Map<string, string>>()));
    let member = byIndex.get(Number(index));
    if (!member) byIndex.set(Number(index), (member = new Map<string, string>()));
    member.set(rest, value);
  }
  for (const [prefix, byIndex] of groups) {
    const members = [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, m]) => m);
    if (LISTS[prefix]) input[LISTS[prefix]] = members.map((m) => m.get('') ?? '');
    else if (MAPS[prefix]) {
      const [target, k, v] = MAPS[prefix];
      input[target] = Object.fromEntries(members.map((m) => [m.get(k) ?? '', m.get(v) ?? '']));
    } else if (MESSAGE_ATTRIBUTES[prefix]) {
      const out: Record<string, Record<string, string>> = {};
      for (const m of members) {
        const value: Record<string, string> = {};
        for (const field of ['DataType', 'StringValue', 'BinaryValue']) {
          const v = m.get(`Value.${field}`);
          if (v !== undefined) value[field] = v;
        }
        out[m.get('Name') ?? ''] = value;
      }
      input[MESSAGE_ATTRIBUTES[prefix]] = out;
    } else if (ENTRIES.has(prefix)) input.Entries = members.map((m) => queryInput(m));
  }
  return input;
}

const pairs = (map: unknown, k: string, v: string): Array<Record<string, string>> =>
  Object.entries((map ?? {}) as Record<string, string>).map(([key, value]) => ({ [k]: key, [v]: value }));

function messageXml(m: Output): Output {
  const attributes = (m.MessageAttributes ?? {}) as Record<string, Record<string, string>>;
  return {
    MessageId: m.MessageId,
    ReceiptHandle: m.ReceiptHandle,
    MD5OfBody: m.MD5OfBody,
    Body: m.Body,
    Attribute: pairs(m.Attributes, 'Name', 'Value'),
    MD5OfMessageAttributes: m.MD5OfMessageAttributes,
    MessageAttribute: Object.entries(attributes).map(([Name, value]) => ({
      Name,
      Value: { StringValue: value.StringValue, BinaryValue: value.BinaryValue, DataType: value.DataType },
    })),
  };
}

const batch = (name: string) => (o: Output) => ({
  [name]: o.Successful,
  BatchResultErrorEntry: o.Failed,
});

/** The operation output as the `<Action>Result` element; undefined for actions without one. */
const RESULTS: Record<string, (o: Output) => Output> = {
  CreateQueue: (o) => ({ QueueUrl: o.QueueUrl }),
  GetQueueUrl: (o) => ({ QueueUrl: o.QueueUrl }),
  ListQueues: (o) => ({ QueueUrl: o.QueueUrls ?? [], NextToken: o.NextToken }),
  ListDeadLetterSourceQueues: (o) => ({ QueueUrl: o.queueUrls ?? [], NextToken: o.NextToken }),
  GetQueueAttributes: (o) => ({ Attribute: pairs(o.Attributes, 'Name', 'Value') }),
  ListQueueTags: (o) => ({ Tag: pairs(o.Tags, 'Key', 'Value') }),
  SendMessage: (o) => o,
  SendMessageBatch: batch('SendMessageBatchResultEntry'),
  DeleteMessageBatch: batch('DeleteMessageBatchResultEntry'),
  ChangeMessageVisibilityBatch: batch('ChangeMessageVisibilityBatchResultEntry'),
  ReceiveMessage: (o) => ({ Message: ((o.Messages ?? []) as Output[]).map(messageXml) }),
  StartMessageMoveTask: (o) => o,
  ListMessageMoveTasks: (o) => ({ ListMessageMoveTasksResultEntry: o.Results }),
  CancelMessageMoveTask: (o) => o,
};

/** Drops undefined members (the XML builder would print them) recursively. */
function prune(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(prune);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = prune(v);
    return out;
  }
  return value;
}

export async function handleQuery(
  ops: Operations,
  req: AwsRequest,
  res: ServerResponse,
  octx: OperationContext,
): Promise<void> {
  try {
    const params = queryParams(req.query, await req.body(MAX_REQUEST_BYTES));
    const action = params.get('Action') ?? '';
    const op = Object.hasOwn(ops, action) ? ops[action] : undefined;
    if (!op) throw errors.invalidAction(action);
    const input = queryInput(params);
    if (action === 'CreateQueue' && input.Tags !== undefined) {
      input.tags = input.Tags;
      delete input.Tags;
    }
    const output = await op(input, octx);
    const toResult = RESULTS[action];
    const body: Record<string, unknown> = { '@_xmlns': SQS_XMLNS };
    if (toResult) body[`${action}Result`] = prune(toResult(output));
    body.ResponseMetadata = { RequestId: req.requestId };
    // XML parsers turn CR into LF; AWS escapes it so bodies (and their MD5s) survive.
    const xml = buildXml({ [`${action}Response`]: body }).replace(/\r/g, '&#xD;');
    sendXml(res, 200, xml, { 'x-amzn-requestid': req.requestId });
  } catch (err) {
    if (!res.headersSent && !res.destroyed) sendQueryError(res, err, req.requestId, SQS_XMLNS);
  }
}
