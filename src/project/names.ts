/**
 * CloudFormation-style generated names and ids, deterministic so that they are stable across
 * restarts: `<stack>-<LogicalId>-<SUFFIX>` with a suffix derived from a hash of stack + logical id.
 */
import { createHash } from 'node:crypto';

const SUFFIX_LENGTH = 13;
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const STACK_NAME_MAX = 128;

function hashChars(input: string, length: number, alphabet: string): string {
  const digest = createHash('sha256').update(input).digest();
  let out = '';
  for (let i = 0; out.length < length; i++) out += alphabet[digest[i % digest.length]! % alphabet.length];
  return out;
}

export interface GeneratedNameOptions {
  /** The service's length limit for the name (functions 64, queues 80, buckets 63, ...). */
  maxLength?: number;
  /** S3 bucket names are lower-case. */
  lowercase?: boolean;
  /** A suffix the name must end with, e.g. `.fifo` for FIFO queues and topics. */
  ending?: string;
}

/** `<stack>-<LogicalId>-<SUFFIX>`, truncating stack and logical id (never the suffix) to fit `maxLength`. */
export function generatedName(
  stackName: string,
  logicalId: string,
  options: GeneratedNameOptions = {},
): string {
  const suffix = hashChars(`${stackName}/${logicalId}`, SUFFIX_LENGTH, ALPHANUMERIC);
  const ending = options.ending ?? '';
  const max = options.maxLength ?? 255;
  const budget = Math.max(2, max - SUFFIX_LENGTH - 2 - ending.length);
  let stack = stackName;
  let id = logicalId;
  if (stack.length + id.length > budget) {
    const half = Math.ceil(budget / 2);
    const stackLen = Math.min(stack.length, Math.max(half, budget - id.length));
    stack = stack.slice(0, stackLen);
    id = id.slice(0, budget - stackLen);
  }
  let name = `${stack}-${id}-${suffix}${ending}`;
  if (options.lowercase) name = name.toLowerCase();
  return name;
}

/** A stable lower-case alphanumeric id, e.g. a REST API id (10 chars, like `a1b2c3d4e5`). */
export function generatedId(seed: string, length = 10): string {
  return hashChars(seed, length, 'abcdefghijklmnopqrstuvwxyz0123456789');
}

/** A stable UUID-shaped id (event source mappings, subscriptions). */
export function generatedUuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * A valid CloudFormation stack name from a directory name: letters, digits and hyphens, starting
 * with a letter, at most 128 characters.
 */
export function sanitizeStackName(raw: string): string {
  let name = raw.replace(/[^A-Za-z0-9-]+/g, '-').replace(/-+/g, '-');
  name = name.replace(/^[^A-Za-z]+/, '').replace(/-+$/, '');
  if (!name) name = 'slipway-app';
  return name.slice(0, STACK_NAME_MAX).replace(/-+$/, '');
}
