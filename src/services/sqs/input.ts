/**
 * Reading operation inputs in their JSON-protocol shape (the query protocol is converted to the
 * same shape first): typed accessors that answer a wrong type with AWS's InvalidParameterValue.
 */
import { errors } from './errors.ts';
import type { MessageAttributeValue } from './model.ts';

export type Input = Record<string, unknown>;

export function optString(input: Input, name: string): string | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw errors.invalidParameter(name, v, 'Must be a string.');
  return v;
}

export function reqString(input: Input, name: string): string {
  const v = optString(input, name);
  if (v === undefined) throw errors.missingParameter(name);
  return v;
}

/** Integers arrive as JSON numbers, or as decimal strings from the query protocol. */
export function optInt(input: Input, name: string): number | undefined {
  const v = input[name];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isInteger(n)) throw errors.invalidParameter(name, v, 'Must be an integer.');
  return n;
}

export function stringMap(input: Input, name: string): Record<string, string> {
  const v = input[name];
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw errors.invalidParameter(name, v, 'Must be a map.');
  const out: Record<string, string> = {};
  for (const [k, value] of Object.entries(v as Record<string, unknown>)) {
    if (typeof value !== 'string') throw errors.invalidParameter(`${name}.${k}`, value, 'Must be a string.');
    out[k] = value;
  }
  return out;
}

export function stringList(input: Input, name: string): string[] {
  const v = input[name];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw errors.invalidParameter(name, v, 'Must be a list of strings.');
  return v as string[];
}

export function objectList(input: Input, name: string): Input[] {
  const v = input[name];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'object' || x === null || Array.isArray(x)))
    throw errors.invalidParameter(name, v, 'Must be a list of structures.');
  return v as Input[];
}

/** `{Name: {DataType, StringValue?, BinaryValue? (base64)}}` → MessageAttributeValue map. */
export function messageAttributes(
  input: Input,
  name: string,
): Record<string, MessageAttributeValue> | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw errors.invalidParameter(name, v, 'Must be a map.');
  const out: Record<string, MessageAttributeValue> = {};
  for (const [attr, raw] of Object.entries(v as Record<string, unknown>)) {
    if (typeof raw !== 'object' || raw === null)
      throw errors.invalidParameter(`${name}.${attr}`, raw, 'Must be a structure.');
    const value = raw as Input;
    if (
      (value.StringListValues as unknown[] | undefined)?.length ||
      (value.BinaryListValues as unknown[] | undefined)?.length
    )
      throw errors.invalidParameterValue(
        `Message attribute list values in SendMessage operation are not supported.`,
      );
    const entry: MessageAttributeValue = { dataType: optString(value, 'DataType') ?? '' };
    const s = optString(value, 'StringValue');
    if (s !== undefined) entry.stringValue = s;
    const b = optString(value, 'BinaryValue');
    if (b !== undefined) entry.binaryValue = new Uint8Array(Buffer.from(b, 'base64'));
    out[attr] = entry;
  }
  return out;
}

/** MessageAttributeValue map → the wire shape (binary as base64). */
export function messageAttributesOut(
  attributes: Record<string, MessageAttributeValue>,
): Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }> {
  const out: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }> = {};
  for (const [name, v] of Object.entries(attributes))
    out[name] =
      v.binaryValue !== undefined
        ? { DataType: v.dataType, BinaryValue: Buffer.from(v.binaryValue).toString('base64') }
        : { DataType: v.dataType, StringValue: v.stringValue ?? '' };
  return out;
}
