/**
 * Reading a decoded request (JSON, or CBOR when that codec is used) with AWS's validation errors:
 * a constraint violation is `ValidationException` ("1 validation error detected: ..."), a value
 * of the wrong type is `SerializationException`. Blobs arrive base64 (JSON) or as bytes (CBOR);
 * timestamps as epoch seconds (number), an ISO string, or a Date (CBOR tag 1).
 */
import { AwsError } from '../types.ts';

const memberName = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

function validation(name: string, value: unknown, constraint: string): AwsError {
  const shown =
    typeof value === 'string' || typeof value === 'number' ? `Value '${String(value)}' at` : 'Value at';
  return new AwsError(
    'ValidationException',
    `1 validation error detected: ${shown} '${memberName(name)}' failed to satisfy constraint: ${constraint}`,
  );
}

function wrongType(name: string, expected: string): AwsError {
  return new AwsError('SerializationException', `Expected ${expected} for ${name}.`);
}

export interface StrOpts {
  min?: number;
  max?: number;
  pattern?: RegExp;
  patternText?: string;
  oneOf?: readonly string[];
}

export class Params {
  constructor(
    readonly raw: Record<string, unknown>,
    /** Path prefix for nested members in messages, e.g. `records.3.member.`. */
    private readonly path = '',
  ) {}

  has(name: string): boolean {
    return this.raw[name] !== undefined && this.raw[name] !== null;
  }

  str(name: string, opts: StrOpts & { required: true }): string;
  str(name: string, opts?: StrOpts & { required?: false }): string | undefined;
  str(name: string, opts: StrOpts & { required?: boolean } = {}): string | undefined {
    const v = this.raw[name];
    const at = this.path + name;
    if (v === undefined || v === null) {
      if (opts.required) throw validation(at, undefined, 'Member must not be null');
      return undefined;
    }
    if (typeof v !== 'string') throw wrongType(at, 'a string');
    const len = [...v].length;
    if (opts.min !== undefined && len < opts.min)
      throw validation(at, v, `Member must have length greater than or equal to ${opts.min}`);
    if (opts.max !== undefined && len > opts.max)
      throw validation(at, v, `Member must have length less than or equal to ${opts.max}`);
    if (opts.pattern && !opts.pattern.test(v))
      throw validation(
        at,
        v,
        `Member must satisfy regular expression pattern: ${opts.patternText ?? opts.pattern.source}`,
      );
    if (opts.oneOf && !opts.oneOf.includes(v))
      throw validation(at, v, `Member must satisfy enum value set: [${opts.oneOf.join(', ')}]`);
    return v;
  }

  int(name: string, opts: { required?: boolean; min?: number; max?: number } = {}): number | undefined {
    const v = this.raw[name];
    const at = this.path + name;
    if (v === undefined || v === null) {
      if (opts.required) throw validation(at, undefined, 'Member must not be null');
      return undefined;
    }
    if (typeof v !== 'number' || !Number.isInteger(v)) throw wrongType(at, 'an integer');
    if (opts.min !== undefined && v < opts.min)
      throw validation(at, v, `Member must have value greater than or equal to ${opts.min}`);
    if (opts.max !== undefined && v > opts.max)
      throw validation(at, v, `Member must have value less than or equal to ${opts.max}`);
    return v;
  }

  bool(name: string): boolean | undefined {
    const v = this.raw[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') throw wrongType(this.path + name, 'a boolean');
    return v;
  }

  blob(name: string, opts: { required: true; max: number }): Buffer {
    const v = this.raw[name];
    const at = this.path + name;
    let data: Buffer;
    if (v === undefined || v === null) throw validation(at, undefined, 'Member must not be null');
    else if (Buffer.isBuffer(v)) data = v;
    else if (v instanceof Uint8Array) data = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    else if (typeof v === 'string') {
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 === 1)
        throw new AwsError('SerializationException', `Value for ${at} is not valid base64.`);
      data = Buffer.from(v, 'base64');
    } else throw wrongType(at, 'a blob');
    if (data.length > opts.max)
      throw validation(at, undefined, `Member must have length less than or equal to ${opts.max}`);
    return data;
  }

  /** Epoch milliseconds. */
  time(name: string): number | undefined {
    const v = this.raw[name];
    if (v === undefined || v === null) return undefined;
    if (v instanceof Date) return v.getTime();
    if (typeof v === 'number' && Number.isFinite(v)) return Math.round(v * 1000);
    if (typeof v === 'string') {
      const n = /^\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : Date.parse(v);
      if (Number.isFinite(n)) return Math.round(n);
    }
    throw wrongType(this.path + name, 'a timestamp');
  }

  obj(name: string): Params | undefined {
    const v = this.raw[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v) || Buffer.isBuffer(v))
      throw wrongType(this.path + name, 'a structure');
    return new Params(v as Record<string, unknown>, `${this.path}${memberName(name)}.`);
  }

  list(name: string, opts: { required?: boolean; min?: number; max?: number } = {}): Params[] {
    const v = this.raw[name];
    const at = this.path + name;
    if (v === undefined || v === null) {
      if (opts.required) throw validation(at, undefined, 'Member must not be null');
      return [];
    }
    if (!Array.isArray(v)) throw wrongType(at, 'a list');
    if (opts.min !== undefined && v.length < opts.min)
      throw validation(at, undefined, `Member must have length greater than or equal to ${opts.min}`);
    if (opts.max !== undefined && v.length > opts.max)
      throw validation(at, undefined, `Member must have length less than or equal to ${opts.max}`);
    return v.map((item: unknown, i) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item))
        throw wrongType(`${at}.${i + 1}`, 'a structure');
      return new Params(item as Record<string, unknown>, `${this.path}${memberName(name)}.${i + 1}.member.`);
    });
  }

  strList(name: string): string[] {
    const v = this.raw[name];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string'))
      throw wrongType(this.path + name, 'a list of strings');
    return v;
  }

  strMap(name: string): Record<string, string> {
    const v = this.raw[name];
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v) || !Object.values(v).every((s) => typeof s === 'string'))
      throw wrongType(this.path + name, 'a map of strings');
    return v as Record<string, string>;
  }
}

/** Converts a response tree for JSON: Buffers → base64, Dates → epoch seconds. */
export function toJsonWire(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toJsonWire);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toJsonWire(v);
    return out;
  }
  return value;
}
