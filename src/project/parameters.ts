/**
 * Template `Parameters`: defaults, `--parameter-overrides`, type and constraint checks; and the
 * pseudo parameters (`AWS::Region`, `AWS::AccountId`, ...).
 */
import { SlipwayError } from '../shared/errors.ts';
import { describe, isRecord, templateError, text as textOf, type Scope } from './diagnostics.ts';
import type { SourceMap } from './yaml.ts';

export type ParameterValue = string | string[];

export interface ResolvedParameters {
  /** Values for `Ref` (lists for list types). */
  values: Map<string, ParameterValue>;
  /** Values as strings, for `Project.parameters`. */
  display: Record<string, string>;
}

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  return 'aws';
}

export function urlSuffixOf(region: string): string {
  return region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
}

export interface PseudoInput {
  region: string;
  accountId: string;
  stackName: string;
  stackId: string;
}

export function pseudoParameters(p: PseudoInput): Record<string, unknown> {
  return {
    'AWS::Region': p.region,
    'AWS::AccountId': p.accountId,
    'AWS::StackName': p.stackName,
    'AWS::StackId': p.stackId,
    'AWS::Partition': partitionOf(p.region),
    'AWS::URLSuffix': urlSuffixOf(p.region),
    'AWS::NotificationARNs': [],
  };
}

function isListType(type: string): boolean {
  return type === 'CommaDelimitedList' || type.startsWith('List<');
}

function toText(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return value.map(String).join(',');
  return textOf(value);
}

/** Applies defaults and overrides to the template's `Parameters` and validates each value. */
export function resolveParameters(
  section: unknown,
  overrides: Record<string, string>,
  map: SourceMap,
  file: string,
  warnings: string[],
): ResolvedParameters {
  const values = new Map<string, ParameterValue>();
  const display: Record<string, string> = {};
  const params = isRecord(section) ? section : {};
  for (const [name, decl] of Object.entries(params)) {
    const scope: Scope = { file, resource: `Parameters.${name}`, loc: map.child(params, name) };
    if (!isRecord(decl)) {
      throw templateError('TemplateInvalid', `parameter ${name} must be a mapping with a Type`, scope);
    }
    const type = typeof decl['Type'] === 'string' ? decl['Type'] : 'String';
    const overridden = Object.prototype.hasOwnProperty.call(overrides, name);
    let text = overridden ? overrides[name] : toText(decl['Default']);
    if (type.startsWith('AWS::SSM::Parameter::Value<') && !overridden && text !== undefined) {
      warnings.push(
        `parameter ${name} (${type}) is read from SSM in AWS; Slipway uses its Default "${text}" ` +
          `(pass --parameter-overrides ${name}=<value> to choose another)`,
      );
    }
    if (text === undefined) {
      throw templateError(
        'ParameterMissing',
        `parameter ${name} has no Default and no value was given`,
        scope,
        `pass it with --parameter-overrides ${name}=Value, or add a Default to the parameter`,
      );
    }
    text = String(text);
    validate(name, type, text, decl, { ...scope, loc: map.child(decl, 'Default') ?? scope.loc }, overridden);
    display[name] = text;
    values.set(name, isListType(type) ? (text === '' ? [] : text.split(',').map((s) => s.trim())) : text);
  }
  for (const name of Object.keys(overrides)) {
    if (!values.has(name))
      warnings.push(`--parameter-overrides ${name}: the template declares no such parameter`);
  }
  return { values, display };
}

function validate(
  name: string,
  type: string,
  text: string,
  decl: Record<string, unknown>,
  scope: Scope,
  overridden: boolean,
): void {
  const fail = (why: string): never => {
    throw templateError(
      'ParameterInvalid',
      `parameter ${name}: ${overridden ? 'the value given' : 'the Default'} "${text}" ${why}`,
      scope,
      `pass a valid value with --parameter-overrides ${name}=Value`,
    );
  };
  const items = isListType(type) ? text.split(',').map((s) => s.trim()) : [text];
  if (type === 'Number' || type === 'List<Number>') {
    for (const item of items) if (item === '' || !Number.isFinite(Number(item))) fail('is not a number');
  }
  const allowed = decl['AllowedValues'];
  if (Array.isArray(allowed)) {
    const set = allowed.map((v) => toText(v));
    for (const item of items)
      if (!set.includes(item)) fail(`is not one of the AllowedValues [${set.join(', ')}]`);
  } else if (allowed !== undefined) {
    fail(`cannot be checked: AllowedValues must be a list, found ${describe(allowed)}`);
  }
  const pattern = decl['AllowedPattern'];
  if (typeof pattern === 'string') {
    const re = new RegExp(`^(?:${pattern})$`);
    for (const item of items) if (!re.test(item)) fail(`does not match the AllowedPattern ${pattern}`);
  }
  const minLen = Number(decl['MinLength']);
  const maxLen = Number(decl['MaxLength']);
  if (Number.isFinite(minLen) && text.length < minLen) fail(`is shorter than MinLength ${minLen}`);
  if (Number.isFinite(maxLen) && text.length > maxLen) fail(`is longer than MaxLength ${maxLen}`);
  if (type === 'Number') {
    const n = Number(text);
    const min = Number(decl['MinValue']);
    const max = Number(decl['MaxValue']);
    if (Number.isFinite(min) && n < min) fail(`is below MinValue ${min}`);
    if (Number.isFinite(max) && n > max) fail(`is above MaxValue ${max}`);
  }
}

/**
 * Parses SAM's `--parameter-overrides` forms: `Key=Value Key2="a b"` and
 * `ParameterKey=K,ParameterValue=V`. An array holds one or more such strings (e.g. CLI tokens).
 */
export function parseParameterOverrides(text: string | string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const chunk of Array.isArray(text) ? text : [text]) {
    try {
      Object.assign(out, scanOverrides(chunk));
    } catch (err) {
      // A CLI token whose quotes the shell already removed: `Key=a value with spaces`.
      const single = /^([A-Za-z0-9]+)=([\s\S]*)$/.exec(chunk);
      if (!single || single[1] === 'ParameterKey') throw err;
      out[single[1]!] = single[2]!;
    }
  }
  return out;
}

function scanOverrides(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  const fail = (why: string): never => {
    throw new SlipwayError('ParameterOverridesInvalid', `--parameter-overrides: ${why} in "${text}"`, {
      hint: 'use Key=Value pairs separated by spaces (quote values with spaces: Key="a b"), or ParameterKey=K,ParameterValue=V',
    });
  };
  const readValue = (stopAtComma: boolean): string => {
    const quote = text[i];
    let value = '';
    if (quote === '"' || quote === "'") {
      i++;
      while (i < text.length && text[i] !== quote) {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        value += text[i++];
      }
      if (text[i] !== quote) fail('unterminated quote');
      i++;
      return value;
    }
    while (i < text.length && !/\s/.test(text[i]!) && !(stopAtComma && text[i] === ',')) {
      if (text[i] === '\\' && i + 1 < text.length) i++;
      value += text[i++];
    }
    return value;
  };
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) break;
    if (text.startsWith('ParameterKey=', i)) {
      i += 'ParameterKey='.length;
      const key = readValue(true);
      if (!text.startsWith(',ParameterValue=', i))
        fail(`expected ",ParameterValue=" after ParameterKey=${key}`);
      i += ',ParameterValue='.length;
      out[key] = readValue(false);
      continue;
    }
    const m = /^[A-Za-z0-9]+=/.exec(text.slice(i));
    if (!m) fail(`expected Key=Value at "${text.slice(i, i + 20)}"`);
    const key = m![0].slice(0, -1);
    i += m![0].length;
    out[key] = readValue(false);
  }
  return out;
}
