/** DynamoDB Streams records (INSERT / MODIFY / REMOVE) as the event source mapping delivers them. */
import { type EventEnv, hexId } from './env.ts';
import { SlipwayError } from '../shared/errors.ts';

export type AttributeValue =
  | { S: string }
  | { N: string }
  | { B: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { L: AttributeValue[] }
  | { M: Record<string, AttributeValue> }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] };

export type DynamoItem = Record<string, AttributeValue>;
export type StreamViewType = 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES';
export type DynamoEventName = 'INSERT' | 'MODIFY' | 'REMOVE';

const DESCRIPTORS = new Set(['S', 'N', 'B', 'BOOL', 'NULL', 'L', 'M', 'SS', 'NS', 'BS']);

/** Plain JSON value → DynamoDB JSON (strings S, numbers N as strings, booleans BOOL, null NULL, arrays L, objects M). */
export function marshallValue(value: unknown): AttributeValue {
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: String(value) };
  if (typeof value === 'boolean') return { BOOL: value };
  if (value === null) return { NULL: true };
  if (Array.isArray(value)) return { L: value.map(marshallValue) };
  if (typeof value === 'object') return { M: marshallItem(value as Record<string, unknown>) };
  throw new SlipwayError('InvalidOption', `cannot express ${typeof value} as a DynamoDB attribute`, {
    exitCode: 2,
  });
}

function isAttributeValue(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && DESCRIPTORS.has(keys[0]!);
}

/**
 * A plain JSON object → a DynamoDB item. An object that is already in DynamoDB JSON (every value
 * a one-key `{ "S": ... }`-style descriptor) is taken as is.
 */
export function marshallItem(item: Record<string, unknown>): DynamoItem {
  const values = Object.values(item);
  if (values.length > 0 && values.every(isAttributeValue)) return item as DynamoItem;
  const out: DynamoItem = {};
  for (const [name, value] of Object.entries(item)) out[name] = marshallValue(value);
  return out;
}

/** An approximation of DynamoDB's item size: names plus values, as UTF-8 bytes. */
export function approximateItemSize(item: DynamoItem): number {
  const size = (v: unknown): number => {
    if (typeof v === 'string') return Buffer.byteLength(v, 'utf8');
    if (typeof v === 'boolean') return 1;
    if (Array.isArray(v)) return 3 + v.reduce((n: number, x) => n + size(x) + 1, 0);
    if (v && typeof v === 'object')
      return Object.entries(v).reduce(
        (n, [k, x]) => n + (DESCRIPTORS.has(k) ? 0 : Buffer.byteLength(k, 'utf8')) + size(x),
        0,
      );
    return 1;
  };
  return size(item);
}

export interface DynamoDbEventOptions {
  table: { name: string; streamArn: string };
  eventName: DynamoEventName;
  keys: DynamoItem;
  newImage?: DynamoItem;
  oldImage?: DynamoItem;
  streamViewType: StreamViewType;
}

export function dynamodbEvent(opts: DynamoDbEventOptions, env: EventEnv): Record<string, unknown> {
  const view = opts.streamViewType;
  const withNew = opts.eventName !== 'REMOVE' && (view === 'NEW_IMAGE' || view === 'NEW_AND_OLD_IMAGES');
  const withOld = opts.eventName !== 'INSERT' && (view === 'OLD_IMAGE' || view === 'NEW_AND_OLD_IMAGES');
  const newImage = withNew ? { ...opts.keys, ...(opts.newImage ?? {}) } : undefined;
  const oldImage = withOld ? { ...opts.keys, ...(opts.oldImage ?? {}) } : undefined;
  const size =
    approximateItemSize(opts.keys) +
    (newImage ? approximateItemSize(newImage) : 0) +
    (oldImage ? approximateItemSize(oldImage) : 0);
  const sequence = (BigInt(`0x${hexId(env, 16)}`) % 10n ** 21n).toString().padStart(21, '1');
  return {
    Records: [
      {
        eventID: hexId(env, 32),
        eventName: opts.eventName,
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: env.region,
        dynamodb: {
          ApproximateCreationDateTime: Math.floor(env.now().getTime() / 1000),
          Keys: opts.keys,
          ...(newImage ? { NewImage: newImage } : {}),
          ...(oldImage ? { OldImage: oldImage } : {}),
          SequenceNumber: sequence,
          SizeBytes: size,
          StreamViewType: view,
        },
        eventSourceARN: opts.table.streamArn,
      },
    ],
  };
}

/** The table name in `arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>`. */
export function tableNameFromStreamArn(arn: string): string | undefined {
  return /:table\/([^/]+)/.exec(arn)?.[1];
}
