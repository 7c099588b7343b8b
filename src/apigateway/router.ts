/**
 * API Gateway route matching, precompiled into a segment trie.
 *
 * Precedence (API Gateway's "most specific match"): at every segment a literal beats a `{param}`,
 * which beats a greedy `{proxy+}`; at the same resource a specific method beats `ANY`. The search
 * backtracks, so `POST /pets/dog/1` with only `GET /pets/dog/{id}` and `ANY /{proxy+}` reaches the
 * proxy (the HTTP API documentation's own example). A greedy variable needs at least one segment
 * (`/{proxy+}` does not match `/`). An HTTP API `$default` route is the catch-all of last resort.
 * One trailing slash is ignored (`/users/` is `/users`). Path parameters are URL-decoded.
 *
 * Two declarations of the same method on the same path shape (`/users/{id}` and `/users/{userId}`
 * are one shape) are a `RouteConflict`, whichever API they come from.
 */
import { SlipwayError } from '../shared/errors.ts';

export interface RouteMatch<T> {
  value: T;
  /** Decoded path parameters, or null when the route has none. */
  params: Record<string, string> | null;
}

interface Entry<T> {
  value: T;
  label: string;
  /** Names of the `{param}` / `{proxy+}` segments, in order. */
  names: string[];
  method: string;
  path: string;
}

class Node<T> {
  literal: Map<string, Node<T>> | undefined;
  param: Node<T> | undefined;
  /** Entries of a greedy `{x+}` child, by method. */
  greedy: Map<string, Entry<T>> | undefined;
  /** Entries ending at this node, by method. */
  methods: Map<string, Entry<T>> | undefined;
}

type Segment =
  { kind: 'literal'; text: string } | { kind: 'param'; name: string } | { kind: 'greedy'; name: string };

export function parseResourcePath(path: string): Segment[] {
  const out: Segment[] = [];
  const parts = path.split('/');
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i] as string;
    if (part === '' && i === parts.length - 1) break;
    if (part.startsWith('{') && part.endsWith('}')) {
      const inner = part.slice(1, -1);
      if (inner.endsWith('+')) {
        if (i !== parts.length - 1 && !(i === parts.length - 2 && parts[i + 1] === '')) {
          throw new SlipwayError(
            'RouteInvalid',
            `Greedy path variable {${inner}} must be the last segment of ${path}`,
          );
        }
        out.push({ kind: 'greedy', name: inner.slice(0, -1) });
      } else out.push({ kind: 'param', name: inner });
    } else out.push({ kind: 'literal', text: part });
  }
  return out;
}

function decode(segment: string): string {
  if (segment.indexOf('%') === -1) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export class Router<T> {
  private readonly root = new Node<T>();
  private fallback: Entry<T> | undefined;

  /** Adds `method path`; `label` names the owner (API and function) in conflict errors. */
  add(method: string, path: string, value: T, label: string): void {
    const m = method.toUpperCase();
    if (path === '$default') {
      if (this.fallback) throw conflict('$default', this.fallback, label);
      this.fallback = { value, label, names: [], method: m, path };
      return;
    }
    if (!path.startsWith('/'))
      throw new SlipwayError('RouteInvalid', `Route path must start with "/": ${path}`);
    let node = this.root;
    const names: string[] = [];
    for (const seg of parseResourcePath(path)) {
      if (seg.kind === 'literal') {
        node.literal ??= new Map();
        let next = node.literal.get(seg.text);
        if (!next) node.literal.set(seg.text, (next = new Node()));
        node = next;
      } else if (seg.kind === 'param') {
        names.push(seg.name);
        node = node.param ??= new Node();
      } else {
        names.push(seg.name);
        node.greedy ??= new Map();
        insert(node.greedy, { value, label, names, method: m, path });
        return;
      }
    }
    node.methods ??= new Map();
    insert(node.methods, { value, label, names, method: m, path });
  }

  /** The best route for `method` and the raw (still percent-encoded) request path, or undefined. */
  match(method: string, rawPath: string): RouteMatch<T> | undefined {
    let end = rawPath.length;
    if (end > 1 && rawPath.charCodeAt(end - 1) === 47 /* / */) end--;
    const segments = end <= 1 ? [] : rawPath.slice(1, end).split('/');
    for (let i = 0; i < segments.length; i++) segments[i] = decode(segments[i] as string);
    const values: string[] = [];
    const found = walk(this.root, segments, 0, values, method);
    if (found) return { value: found.value, params: bind(found.names, values) };
    if (this.fallback) return { value: this.fallback.value, params: null };
    return undefined;
  }
}

function insert<T>(table: Map<string, Entry<T>>, entry: Entry<T>): void {
  const existing = table.get(entry.method);
  if (existing) throw conflict(`${entry.method} ${entry.path}`, existing, entry.label);
  table.set(entry.method, entry);
}

function conflict<T>(route: string, existing: Entry<T>, label: string): SlipwayError {
  const first = existing.path === route.split(' ')[1] ? '' : ` (as ${existing.method} ${existing.path})`;
  return new SlipwayError(
    'RouteConflict',
    `Route ${route} is declared twice: by ${existing.label}${first} and by ${label}`,
    {
      hint: 'API Gateway routes share one local port; give one of them a different path or method.',
    },
  );
}

function pick<T>(table: Map<string, Entry<T>> | undefined, method: string): Entry<T> | undefined {
  if (!table) return undefined;
  return table.get(method) ?? table.get('ANY');
}

function walk<T>(
  node: Node<T>,
  segs: string[],
  i: number,
  values: string[],
  method: string,
): Entry<T> | undefined {
  if (i === segs.length) return pick(node.methods, method);
  const seg = segs[i] as string;
  const lit = node.literal?.get(seg);
  if (lit) {
    const found = walk(lit, segs, i + 1, values, method);
    if (found) return found;
  }
  if (node.param && seg !== '') {
    values.push(seg);
    const found = walk(node.param, segs, i + 1, values, method);
    if (found) return found;
    values.pop();
  }
  const greedy = pick(node.greedy, method);
  if (greedy) {
    values.push(i === segs.length - 1 ? seg : segs.slice(i).join('/'));
    return greedy;
  }
  return undefined;
}

function bind(names: string[], values: string[]): Record<string, string> | null {
  if (names.length === 0) return null;
  const params: Record<string, string> = {};
  // Every abandoned branch pops what it pushed, so `values` holds exactly this route's values.
  for (let i = 0; i < names.length; i++) params[names[i] as string] = values[i] as string;
  return params;
}
