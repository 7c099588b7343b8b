/**
 * EventBridge's event pattern language (also SNS filter policies and Lambda event filtering),
 * generic over any JSON value.
 *
 * A pattern is a JSON object whose keys follow the event's structure. A key's value is either a
 * nested pattern object or, at a leaf, an array of matchers of which any may match (OR); all keys
 * must match (AND). `$or` at any object level takes a list of patterns of which any may match.
 * Where the event holds an array, any of its elements may match ("arrays match any"); fields of
 * one pattern object are matched against one array element (never combined across elements).
 *
 * Matchers: exact literals (string, number (compared numerically), true, false, null), `prefix`,
 * `suffix` (both also with `{equals-ignore-case}`), `equals-ignore-case`, `wildcard`,
 * `anything-but` (a literal, a list of strings or of numbers, or `{prefix|suffix|
 * equals-ignore-case|wildcard}`), `numeric` (`=`, `<`, `<=`, `>`, `>=`, one comparison or a range
 * of two), `exists`, `cidr` (IPv4 and IPv6).
 *
 * `validatePattern` throws an Error naming the invalid part; EventBridge answers it as
 * InvalidEventPatternException.
 */
import { BlockList, isIP } from 'node:net';

export type EventMatcher = (event: unknown) => boolean;

/** Compiles a pattern (an object, or its JSON text) into a matcher. Throws like `validatePattern`. */
export function compilePattern(pattern: unknown): EventMatcher {
  const parsed = parsePattern(pattern);
  return compileObject(parsed, '');
}

/** Throws an Error naming the invalid part of the pattern (an object, or its JSON text). */
export function validatePattern(pattern: unknown): void {
  compilePattern(pattern);
}

function parsePattern(pattern: unknown): Record<string, unknown> {
  let value = pattern;
  if (typeof pattern === 'string') {
    try {
      value = JSON.parse(pattern);
    } catch (err) {
      throw new Error(`pattern is not valid JSON: ${(err as Error).message}`);
    }
  }
  if (!isObject(value)) throw new Error('pattern must be a JSON object');
  return value;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(path: string): string {
  return path === '' ? 'the pattern' : `"${path}"`;
}

type ObjectMatcher = (value: unknown) => boolean;

function compileObject(pattern: Record<string, unknown>, path: string): ObjectMatcher {
  const keys = Object.keys(pattern);
  if (keys.length === 0) throw new Error(`${describe(path)}: empty objects are not allowed`);
  const fieldMatchers: ObjectMatcher[] = [];
  for (const key of keys) {
    const value = pattern[key];
    const at = path === '' ? key : `${path}.${key}`;
    if (key === '$or') fieldMatchers.push(compileOr(value, at));
    else if (Array.isArray(value)) fieldMatchers.push(compileLeafField(key, value, at));
    else if (isObject(value)) fieldMatchers.push(compileNestedField(key, value, at));
    else throw new Error(`"${at}": match value must be an array of matchers or a nested object`);
  }
  return (value) => fieldMatchers.every((m) => m(value));
}

function compileOr(value: unknown, at: string): ObjectMatcher {
  if (!Array.isArray(value) || value.length < 2)
    throw new Error(`"${at}": $or must be an array of at least two patterns`);
  const alternatives = value.map((alt, i) => {
    if (!isObject(alt)) throw new Error(`"${at}[${i}]": each $or alternative must be an object`);
    return compileObject(alt, at.replace(/\$or$/, '').replace(/\.$/, ''));
  });
  return (v) => alternatives.some((m) => m(v));
}

function childOf(value: unknown, key: string): unknown {
  return isObject(value) ? value[key] : undefined;
}

function compileNestedField(key: string, sub: Record<string, unknown>, at: string): ObjectMatcher {
  const inner = compileObject(sub, at);
  return (value) => {
    const child = childOf(value, key);
    if (!Array.isArray(child)) return inner(child);
    const elements = flatten(child).filter(isObject);
    if (elements.length === 0) return inner(undefined);
    return elements.some(inner);
  };
}

function flatten(values: unknown[]): unknown[] {
  return values.flatMap((v) => (Array.isArray(v) ? flatten(v) : [v]));
}

/** The leaf values at a field: none when absent, an object or an empty array. */
function leavesOf(child: unknown): unknown[] {
  if (child === undefined) return [];
  if (Array.isArray(child)) return flatten(child).filter((v) => !isObject(v));
  return isObject(child) ? [] : [child];
}

type LeafMatcher = (leaf: unknown) => boolean;

function compileLeafField(key: string, matchers: unknown[], at: string): ObjectMatcher {
  if (matchers.length === 0) throw new Error(`"${at}": empty arrays are not allowed`);
  const valueMatchers: LeafMatcher[] = [];
  let existsTrue = false;
  let existsFalse = false;
  matchers.forEach((m, i) => {
    const where = `${at}[${i}]`;
    if (isObject(m) && 'exists' in m) {
      checkSingleKey(m, where);
      if (typeof m.exists !== 'boolean') throw new Error(`"${where}": exists must be true or false`);
      if (m.exists) existsTrue = true;
      else existsFalse = true;
    } else valueMatchers.push(compileMatcher(m, where));
  });
  return (value) => {
    const leaves = leavesOf(childOf(value, key));
    if (leaves.length === 0) return existsFalse;
    if (existsTrue) return true;
    return leaves.some((leaf) => valueMatchers.some((m) => m(leaf)));
  };
}

function checkSingleKey(m: Record<string, unknown>, where: string): string {
  const keys = Object.keys(m);
  if (keys.length !== 1)
    throw new Error(`"${where}": a matcher object must have exactly one key, found ${keys.length}`);
  return keys[0] as string;
}

function compileMatcher(m: unknown, where: string): LeafMatcher {
  if (typeof m === 'string' || typeof m === 'boolean' || m === null) return (v) => v === m;
  if (typeof m === 'number') {
    if (!Number.isFinite(m)) throw new Error(`"${where}": numbers must be finite`);
    return (v) => v === m;
  }
  if (Array.isArray(m)) throw new Error(`"${where}": nested arrays are not allowed`);
  if (!isObject(m)) throw new Error(`"${where}": unsupported matcher`);
  const op = checkSingleKey(m, where);
  const arg = m[op];
  switch (op) {
    case 'prefix':
      return affixMatcher(arg, where, op, (v, s) => v.startsWith(s));
    case 'suffix':
      return affixMatcher(arg, where, op, (v, s) => v.endsWith(s));
    case 'equals-ignore-case': {
      const s = requireString(arg, where, op).toLowerCase();
      return (v) => typeof v === 'string' && v.toLowerCase() === s;
    }
    case 'wildcard': {
      const re = wildcardRegExp(requireString(arg, where, op), where);
      return (v) => typeof v === 'string' && re.test(v);
    }
    case 'anything-but':
      return anythingBut(arg, where);
    case 'numeric':
      return numericMatcher(arg, where);
    case 'cidr':
      return cidrMatcher(arg, where);
    default:
      throw new Error(`"${where}": unrecognised match type ${op}`);
  }
}

function requireString(arg: unknown, where: string, op: string): string {
  if (typeof arg !== 'string') throw new Error(`"${where}": ${op} match pattern must be a string`);
  return arg;
}

function affixMatcher(
  arg: unknown,
  where: string,
  op: string,
  test: (value: string, affix: string) => boolean,
): LeafMatcher {
  if (isObject(arg)) {
    const inner = checkSingleKey(arg, where);
    if (inner !== 'equals-ignore-case')
      throw new Error(`"${where}": ${op} accepts a string or {"equals-ignore-case": string}`);
    const s = requireString(arg[inner], where, `${op} equals-ignore-case`).toLowerCase();
    return (v) => typeof v === 'string' && test(v.toLowerCase(), s);
  }
  const s = requireString(arg, where, op);
  return (v) => typeof v === 'string' && test(v, s);
}

/** `*` matches any run of characters; `\*` a literal star, `\\` a literal backslash. */
function wildcardRegExp(pattern: string, where: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next !== '*' && next !== '\\')
        throw new Error(`"${where}": wildcard: backslash must escape "*" or "\\"`);
      re += `\\${next}`;
      i++;
    } else if (c === '*') {
      if (pattern[i + 1] === '*')
        throw new Error(`"${where}": wildcard: consecutive wildcard characters are not allowed`);
      re += '[\\s\\S]*';
    } else re += c.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function anythingBut(arg: unknown, where: string): LeafMatcher {
  const not =
    (m: LeafMatcher): LeafMatcher =>
    (v) =>
      !m(v);
  if (typeof arg === 'string' || typeof arg === 'number') return (v) => v !== arg;
  if (Array.isArray(arg)) {
    if (arg.length === 0) throw new Error(`"${where}": anything-but list must not be empty`);
    const allStrings = arg.every((a) => typeof a === 'string');
    const allNumbers = arg.every((a) => typeof a === 'number' && Number.isFinite(a));
    if (!allStrings && !allNumbers)
      throw new Error(`"${where}": anything-but list must contain only strings or only numbers`);
    const set = new Set<unknown>(arg);
    return (v) => !set.has(v);
  }
  if (!isObject(arg))
    throw new Error(`"${where}": anything-but accepts a string, a number, a list or an object`);
  const op = checkSingleKey(arg, where);
  const inner = arg[op];
  const strings = (name: string): string[] => {
    const list = Array.isArray(inner) ? inner : [inner];
    if (list.length === 0 || !list.every((s) => typeof s === 'string'))
      throw new Error(`"${where}": anything-but ${name} must be a string or a list of strings`);
    return list;
  };
  switch (op) {
    case 'prefix': {
      const s = requireString(inner, where, 'anything-but prefix');
      if (s === '') throw new Error(`"${where}": anything-but prefix must not be empty`);
      return (v) => typeof v !== 'string' || !v.startsWith(s);
    }
    case 'suffix': {
      const s = requireString(inner, where, 'anything-but suffix');
      if (s === '') throw new Error(`"${where}": anything-but suffix must not be empty`);
      return (v) => typeof v !== 'string' || !v.endsWith(s);
    }
    case 'equals-ignore-case': {
      const set = new Set(strings(op).map((s) => s.toLowerCase()));
      return (v) => typeof v !== 'string' || !set.has(v.toLowerCase());
    }
    case 'wildcard': {
      const res = strings(op).map((s) => wildcardRegExp(s, where));
      return not((v) => typeof v === 'string' && res.some((re) => re.test(v)));
    }
    default:
      throw new Error(`"${where}": unsupported anything-but operator ${op}`);
  }
}

const LOWER_OPS = new Set(['>', '>=']);
const UPPER_OPS = new Set(['<', '<=']);

function numericMatcher(arg: unknown, where: string): LeafMatcher {
  if (!Array.isArray(arg) || (arg.length !== 2 && arg.length !== 4))
    throw new Error(`"${where}": numeric takes [op, number] or [lower-op, number, upper-op, number]`);
  const tests: Array<(n: number) => boolean> = [];
  for (let i = 0; i < arg.length; i += 2) {
    const op: unknown = arg[i];
    const bound: unknown = arg[i + 1];
    if (typeof bound !== 'number' || !Number.isFinite(bound))
      throw new Error(`"${where}": numeric value after ${String(op)} must be a number`);
    if (arg.length === 4) {
      const ok = i === 0 ? LOWER_OPS.has(op as string) : UPPER_OPS.has(op as string);
      if (!ok) throw new Error(`"${where}": a numeric range starts with > or >= and ends with < or <=`);
    }
    tests.push(comparison(op, bound, where));
  }
  if (arg.length === 4 && (arg[1] as number) >= (arg[3] as number))
    throw new Error(`"${where}": numeric range bottom must be less than its top`);
  return (v) => typeof v === 'number' && tests.every((t) => t(v));
}

function comparison(op: unknown, bound: number, where: string): (n: number) => boolean {
  switch (op) {
    case '=':
      return (n) => n === bound;
    case '<':
      return (n) => n < bound;
    case '<=':
      return (n) => n <= bound;
    case '>':
      return (n) => n > bound;
    case '>=':
      return (n) => n >= bound;
    default:
      throw new Error(`"${where}": unrecognised numeric operator ${JSON.stringify(op)}`);
  }
}

function cidrMatcher(arg: unknown, where: string): LeafMatcher {
  const text = requireString(arg, where, 'cidr');
  const [address = '', bitsText] = text.split('/');
  const family = isIP(address);
  const bits = Number(bitsText);
  const width = family === 6 ? 128 : 32;
  if (family === 0 || bitsText === undefined || !/^\d+$/.test(bitsText) || bits > width)
    throw new Error(`"${where}": nonstandard IP address: ${text}`);
  const list = new BlockList();
  const type = family === 6 ? 'ipv6' : 'ipv4';
  list.addSubnet(address, bits, type);
  return (v) => typeof v === 'string' && isIP(v) === family && list.check(v, type);
}
