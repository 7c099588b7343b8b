/**
 * Message-level rules: allowed characters, attribute names and types, sizes, and the MD5 digests
 * SQS returns (MD5OfMessageBody, MD5OfMessageAttributes, MD5OfMessageSystemAttributes), computed
 * as AWS does so that SDKs that verify them (Java v1/v2, .NET, v3 for bodies) accept ours.
 */
import { createHash } from 'node:crypto';
import { errors } from './errors.ts';
import type { MessageAttributeInput, MessageAttributeValue } from './model.ts';

export const MAX_MESSAGE_ATTRIBUTES = 10;
export const MAX_ATTRIBUTE_NAME_LENGTH = 256;
export const MAX_DELAY_SECONDS = 900;

/** XML 1.0's characters: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF. */
const INVALID_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_\-.]+$/;

export function md5Hex(data: string | Uint8Array): string {
  return createHash('md5').update(data).digest('hex');
}

export function hasInvalidCharacters(text: string): boolean {
  return INVALID_CHARACTER.test(text);
}

/**
 * MD5 over the attributes sorted by name, each encoded as: name (4-byte big-endian length + UTF-8),
 * data type (length + UTF-8), transport type (1 byte: 1 String/Number, 2 Binary), value (length + bytes).
 */
export function md5OfAttributes(attributes: Record<string, MessageAttributeValue>): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const parts: Buffer[] = [];
  const lengthPrefixed = (bytes: Buffer): void => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(bytes.length);
    parts.push(len, bytes);
  };
  for (const name of names) {
    const value = attributes[name] as MessageAttributeValue;
    lengthPrefixed(Buffer.from(name, 'utf8'));
    lengthPrefixed(Buffer.from(value.dataType, 'utf8'));
    if (value.binaryValue !== undefined) {
      parts.push(Buffer.from([2]));
      lengthPrefixed(Buffer.from(value.binaryValue));
    } else {
      parts.push(Buffer.from([1]));
      lengthPrefixed(Buffer.from(value.stringValue ?? '', 'utf8'));
    }
  }
  return md5Hex(Buffer.concat(parts));
}

/** Bytes a message counts against MaximumMessageSize: body + each attribute's name, type and value. */
export function messageSize(body: string, attributes: Record<string, MessageAttributeValue> = {}): number {
  let size = Buffer.byteLength(body, 'utf8');
  for (const [name, value] of Object.entries(attributes)) {
    size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value.dataType, 'utf8');
    size +=
      value.binaryValue !== undefined
        ? value.binaryValue.length
        : Buffer.byteLength(value.stringValue ?? '', 'utf8');
  }
  return size;
}

function validAttributeName(name: string): boolean {
  const lower = name.toLowerCase();
  return (
    name.length <= MAX_ATTRIBUTE_NAME_LENGTH &&
    ATTRIBUTE_NAME.test(name) &&
    !name.startsWith('.') &&
    !name.endsWith('.') &&
    !name.includes('..') &&
    !lower.startsWith('aws.') &&
    !lower.startsWith('amazon.')
  );
}

/** Validates user message attributes as SendMessage does (InvalidParameterValue / InvalidMessageContents). */
export function validateMessageAttributes(attributes: Record<string, MessageAttributeValue>): void {
  const names = Object.keys(attributes);
  if (names.length > MAX_MESSAGE_ATTRIBUTES)
    throw errors.invalidParameterValue(
      `Number of message attributes [${names.length}] exceeds the allowed maximum [${MAX_MESSAGE_ATTRIBUTES}].`,
    );
  for (const name of names) {
    const value = attributes[name] as MessageAttributeValue;
    if (!validAttributeName(name))
      throw errors.invalidParameterValue(`Message (user) attribute name '${name}' is invalid.`);
    validateAttributeValue(name, value, 'user');
  }
}

function validateAttributeValue(name: string, value: MessageAttributeValue, kind: 'user' | 'system'): void {
  if (!value.dataType)
    throw errors.invalidParameterValue(
      `The message attribute '${name}' must contain non-empty message attribute type.`,
    );
  const base = value.dataType.split('.', 1)[0];
  if (base !== 'String' && base !== 'Number' && base !== 'Binary')
    throw errors.invalidParameterValue(
      `The type of message (${kind}) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
    );
  if (value.dataType.length > MAX_ATTRIBUTE_NAME_LENGTH || hasInvalidCharacters(value.dataType))
    throw errors.invalidParameterValue(`Message (${kind}) attribute '${name}' type is invalid.`);
  if (base === 'Binary') {
    if (value.binaryValue === undefined || value.binaryValue.length === 0)
      throw errors.invalidParameterValue(
        `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${base}'.`,
      );
    if (value.stringValue !== undefined)
      throw errors.invalidParameterValue(
        `Message (${kind}) attribute '${name}' with type '${base}' must use field 'Binary'.`,
      );
    return;
  }
  if (value.stringValue === undefined || value.stringValue === '')
    throw errors.invalidParameterValue(
      `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${base}'.`,
    );
  if (value.binaryValue !== undefined)
    throw errors.invalidParameterValue(
      `Message (${kind}) attribute '${name}' with type '${base}' must use field 'String'.`,
    );
  if (hasInvalidCharacters(value.stringValue)) throw errors.invalidMessageContents();
  if (base === 'Number' && !NUMBER.test(value.stringValue.trim()))
    throw errors.invalidParameterValue(
      `Can't cast the value of message (${kind}) attribute '${name}' to a number.`,
    );
}

/** SQS's only message system attribute is AWSTraceHeader, a String. */
export function validateSystemAttributes(attributes: Record<string, MessageAttributeValue>): void {
  for (const [name, value] of Object.entries(attributes)) {
    if (name !== 'AWSTraceHeader')
      throw errors.invalidParameterValue(`Message system attribute name '${name}' is invalid.`);
    validateAttributeValue(name, value, 'system');
    if (value.dataType !== 'String')
      throw errors.invalidParameterValue(
        `Message system attribute '${name}' must have the data type String.`,
      );
  }
}

/** Either accepted attribute shape → the camelCase one. */
export function normalizeAttributes(
  attributes: Record<string, MessageAttributeInput> | undefined,
): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, v] of Object.entries(attributes ?? {})) {
    if ('dataType' in v) {
      out[name] = v;
      continue;
    }
    const value: MessageAttributeValue = { dataType: v.DataType };
    if (v.StringValue !== undefined) value.stringValue = v.StringValue;
    if (v.BinaryValue !== undefined) value.binaryValue = v.BinaryValue;
    out[name] = value;
  }
  return out;
}

/** Attributes as stored (binary as base64) and back. */
export type StoredAttributes = Record<
  string,
  { dataType: string; stringValue?: string; binaryValue?: string }
>;

export function toStoredAttributes(attributes: Record<string, MessageAttributeValue>): StoredAttributes {
  const out: StoredAttributes = {};
  for (const [name, v] of Object.entries(attributes))
    out[name] =
      v.binaryValue !== undefined
        ? { dataType: v.dataType, binaryValue: Buffer.from(v.binaryValue).toString('base64') }
        : { dataType: v.dataType, stringValue: v.stringValue ?? '' };
  return out;
}

export function fromStoredAttributes(
  stored: StoredAttributes | undefined,
): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, v] of Object.entries(stored ?? {}))
    out[name] =
      v.binaryValue !== undefined
        ? { dataType: v.dataType, binaryValue: new Uint8Array(Buffer.from(v.binaryValue, 'base64')) }
        : { dataType: v.dataType, stringValue: v.stringValue ?? '' };
  return out;
}
