/** Helpers shared by the API Gateway events: query strings, headers, path templates, times. */
import { SlipwayError } from '../shared/errors.ts';

export interface Pair {
  name: string;
  value: string;
}

/** `a=1&b=2` or repeated `a=1` options → ordered pairs (values URL-decoded). */
export function parseQuery(items: string[]): Pair[] {
  const pairs: Pair[] = [];
  for (const item of items) {
    for (const part of item.replace(/^\?/, '').split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      const rawName = eq === -1 ? part : part.slice(0, eq);
      const rawValue = eq === -1 ? '' : part.slice(eq + 1);
      pairs.push({ name: decodeComponent(rawName), value: decodeComponent(rawValue) });
    }
  }
  return pairs;
}

function decodeComponent(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** Pairs → `a=1&b=2`, encoded as a browser or curl would send them. */
export function formatQuery(pairs: Pair[]): string {
  return pairs.map((p) => `${encodeURIComponent(p.name)}=${encodeURIComponent(p.value)}`).join('&');
}

/** `Name: value` (or `Name=value`) options → pairs. */
export function parseHeaders(items: string[]): Pair[] {
  return items.map((item) => {
    const m = /^([^:=]+)[:=]\s*(.*)$/.exec(item);
    if (!m)
      throw new SlipwayError('InvalidOption', `--header must look like 'Name: value', got '${item}'`, {
        exitCode: 2,
      });
    return { name: m[1]!.trim(), value: m[2]! };
  });
}

/** REST API single-value map: the last value wins (as API Gateway does); null when empty. */
export function singleValueMap(pairs: Pair[]): Record<string, string> | null {
  if (pairs.length === 0) return null;
  const out: Record<string, string> = {};
  for (const p of pairs) out[p.name] = p.value;
  return out;
}

export function multiValueMap(pairs: Pair[]): Record<string, string[]> | null {
  if (pairs.length === 0) return null;
  const out: Record<string, string[]> = {};
  for (const p of pairs) (out[p.name] ??= []).push(p.value);
  return out;
}

/** Sets or replaces a header, case-insensitively, keeping the caller's spelling. */
export function setHeader(pairs: Pair[], name: string, value: string): Pair[] {
  const lower = name.toLowerCase();
  return [...pairs.filter((p) => p.name.toLowerCase() !== lower), { name, value }];
}

/** Path parameter names of a resource template: `/users/{id}/{proxy+}` → ['id', 'proxy']. */
export function templateParameters(template: string): string[] {
  return [...template.matchAll(/\{([^}+]+)\+?\}/g)].map((m) => m[1]!);
}

/**
 * Matches a concrete path against an API Gateway resource template. `{name}` matches one segment,
 * `{name+}` the rest of the path. Returns the parameters (URL-decoded as API Gateway hands them),
 * or undefined when the path does not match.
 */
export function matchTemplate(template: string, path: string): Record<string, string> | undefined {
  const names: string[] = [];
  const pattern = template
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const m = /^\{([^}+]+)(\+?)\}$/.exec(part);
      if (!m) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(m[1]!);
      return m[2] ? '(.+)' : '([^/]+)';
    })
    .join('');
  const match = new RegExp(`^${pattern}/?$`).exec(path);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  names.forEach((name, i) => (params[name] = decodeComponent(match[i + 1]!)));
  return params;
}

/** A concrete path for a template, with sample values: `/users/{id}` → `/users/id1`, `{proxy+}` → `path/to/resource`. */
export function samplePath(template: string): string {
  return template.replace(/\{([^}+]+)(\+?)\}/g, (_m, name: string, greedy: string) =>
    greedy ? 'path/to/resource' : `${name}1`,
  );
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's CLF-style time: `15/May/2020:06:01:09 +0000`. */
export function clfTime(date: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return (
    `${p(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())} +0000`
  );
}
