/**
 * Queue attributes as CreateQueue and SetQueueAttributes accept them: names, ranges and defaults
 * from the Amazon SQS API Reference, normalised to the strings GetQueueAttributes returns.
 */
import { errors } from './errors.ts';

export const MAX_MESSAGE_SIZE = 1_048_576;
export const MAX_QUEUE_NAME_LENGTH = 80;
export const FIFO_SUFFIX = '.fifo';
export const MAX_RECEIVE_COUNT_LIMIT = 1000;

/** Defaults every queue reports. */
export const STANDARD_DEFAULTS: Readonly<Record<string, string>> = {
  VisibilityTimeout: '30',
  MaximumMessageSize: String(MAX_MESSAGE_SIZE),
  MessageRetentionPeriod: '345600',
  DelaySeconds: '0',
  ReceiveMessageWaitTimeSeconds: '0',
  SqsManagedSseEnabled: 'true',
};

export const FIFO_DEFAULTS: Readonly<Record<string, string>> = {
  FifoQueue: 'true',
  ContentBasedDeduplication: 'false',
  DeduplicationScope: 'queue',
  FifoThroughputLimit: 'perQueue',
};

const INTEGER_RANGES: Record<string, [number, number]> = {
  DelaySeconds: [0, 900],
  MaximumMessageSize: [1024, MAX_MESSAGE_SIZE],
  MessageRetentionPeriod: [60, 1_209_600],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  VisibilityTimeout: [0, 43_200],
  KmsDataKeyReusePeriodSeconds: [60, 86_400],
};

const READ_ONLY = new Set([
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
]);
const FIFO_ONLY = new Set(['ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit']);
const FREE_TEXT = new Set(['Policy', 'KmsMasterKeyId']);
const BOOLEANS = new Set(['ContentBasedDeduplication', 'SqsManagedSseEnabled', 'FifoQueue']);
const ENUMS: Record<string, string[]> = {
  DeduplicationScope: ['messageGroup', 'queue'],
  FifoThroughputLimit: ['perQueue', 'perMessageGroupId'],
};

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

export function isFifoName(name: string): boolean {
  return name.endsWith(FIFO_SUFFIX);
}

/** Validates a queue name against the queue type (InvalidParameterValue as AWS). */
export function validateQueueName(name: string, fifo: boolean): void {
  const base = fifo && isFifoName(name) ? name.slice(0, -FIFO_SUFFIX.length) : name;
  if (fifo && !isFifoName(name))
    throw errors.invalidParameterValue(
      'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.',
    );
  if (!QUEUE_NAME.test(base) || name.length > MAX_QUEUE_NAME_LENGTH)
    throw errors.invalidParameterValue(
      'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
    );
}

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

/** Parses a stored (already validated) RedrivePolicy; undefined when absent. */
export function redrivePolicyOf(attributes: Record<string, string>): RedrivePolicy | undefined {
  const text = attributes.RedrivePolicy;
  if (!text) return undefined;
  return JSON.parse(text) as RedrivePolicy;
}

function invalidValue(name: string, reason?: string): Error {
  return errors.invalidAttributeValue(
    `Invalid value for the parameter ${name}.${reason ? ` Reason: ${reason}` : ''}`,
  );
}

function parseJsonObject(name: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidValue(name, `${name} must be a valid JSON object.`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalidValue(name, `${name} must be a valid JSON object.`);
  return value as Record<string, unknown>;
}

const SQS_ARN = /^arn:aws[\w-]*:sqs:[\w-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$/;

function normalizeRedrivePolicy(text: string): string {
  const policy = parseJsonObject('RedrivePolicy', text);
  const target = policy.deadLetterTargetArn;
  const count = Number(policy.maxReceiveCount);
  if (typeof target !== 'string' || !SQS_ARN.test(target))
    throw errors.invalidAttributeValue(
      `Value ${text} for parameter RedrivePolicy is invalid. Reason: Invalid value for deadLetterTargetArn.`,
    );
  if (!Number.isInteger(count) || count < 1 || count > MAX_RECEIVE_COUNT_LIMIT)
    throw errors.invalidAttributeValue(
      `Value ${text} for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: ${String(policy.maxReceiveCount)}, valid values are from 1 to ${MAX_RECEIVE_COUNT_LIMIT} both inclusive.`,
    );
  return JSON.stringify({ deadLetterTargetArn: target, maxReceiveCount: count });
}

function normalizeRedriveAllowPolicy(text: string): string {
  const policy = parseJsonObject('RedriveAllowPolicy', text);
  const permission = policy.redrivePermission;
  if (permission !== 'allowAll' && permission !== 'denyAll' && permission !== 'byQueue')
    throw invalidValue('RedriveAllowPolicy', 'Invalid value for redrivePermission.');
  const sources = policy.sourceQueueArns;
  if (permission === 'byQueue') {
    if (!Array.isArray(sources) || sources.length === 0 || sources.length > 10)
      throw invalidValue('RedriveAllowPolicy', 'sourceQueueArns must list 1 to 10 queue ARNs for byQueue.');
  } else if (sources !== undefined)
    throw invalidValue('RedriveAllowPolicy', 'sourceQueueArns is only allowed with byQueue.');
  return JSON.stringify(policy);
}

/**
 * Validates and normalises attributes for CreateQueue (`mode: 'create'`) or SetQueueAttributes.
 * An empty RedrivePolicy/RedriveAllowPolicy/Policy on SetQueueAttributes removes it (value '').
 */
export function normalizeQueueAttributes(
  input: Record<string, string>,
  fifo: boolean,
  mode: 'create' | 'set',
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(input)) {
    if (typeof raw !== 'string') throw invalidValue(name);
    if (READ_ONLY.has(name)) throw errors.invalidAttributeName(name);
    if (FIFO_ONLY.has(name) && !fifo) throw errors.invalidAttributeName(name);
    const range = INTEGER_RANGES[name];
    if (range) {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isInteger(n) || n < range[0] || n > range[1]) throw invalidValue(name);
      out[name] = String(n);
    } else if (BOOLEANS.has(name)) {
      const v = raw.toLowerCase();
      if (v !== 'true' && v !== 'false') throw invalidValue(name);
      if (name === 'FifoQueue') {
        if (mode === 'set') throw invalidValue(name, 'Modifying queue type is not supported.');
        if ((v === 'true') !== fifo) throw invalidValue(name);
        if (!fifo) continue; // FifoQueue=false on a standard queue is accepted and not reported
      }
      out[name] = v;
    } else if (ENUMS[name]) {
      if (!ENUMS[name].includes(raw)) throw invalidValue(name);
      out[name] = raw;
    } else if (name === 'RedrivePolicy') {
      out[name] = raw === '' ? '' : normalizeRedrivePolicy(raw);
    } else if (name === 'RedriveAllowPolicy') {
      out[name] = raw === '' ? '' : normalizeRedriveAllowPolicy(raw);
    } else if (FREE_TEXT.has(name)) {
      if (name === 'Policy' && raw !== '') parseJsonObject('Policy', raw);
      out[name] = raw;
    } else throw errors.invalidAttributeName(name);
  }
  return out;
}

/** DeduplicationScope/FifoThroughputLimit consistency, checked on the merged attributes. */
export function checkFifoConsistency(attributes: Record<string, string>): void {
  if (attributes.FifoThroughputLimit === 'perMessageGroupId' && attributes.DeduplicationScope === 'queue')
    throw errors.invalidAttributeValue(
      'Invalid value for the parameter FifoThroughputLimit. Reason: The perMessageGroupId value is allowed only when the value for DeduplicationScope is messageGroup.',
    );
}
