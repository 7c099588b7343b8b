/**
 * Parses a CloudFormation / SAM template (YAML or JSON) into plain JavaScript values, turning the
 * YAML short-form tags (`!Ref`, `!Sub`, `!GetAtt`, ...) into their long JSON forms, and keeping the
 * source position (line:column) of every node in a `SourceMap`.
 */
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node as YamlNode,
  type Tags,
} from 'yaml';
import { SlipwayError } from '../shared/errors.ts';
import type { SourceLocation } from './model.ts';

/** Short-form tag → long-form key. `!Ref`/`!Condition` keep their names; the rest are `Fn::X`. */
const SHORT_TAGS: Record<string, string> = {
  '!Ref': 'Ref',
  '!Condition': 'Condition',
  '!Sub': 'Fn::Sub',
  '!GetAtt': 'Fn::GetAtt',
  '!Join': 'Fn::Join',
  '!Select': 'Fn::Select',
  '!Split': 'Fn::Split',
  '!If': 'Fn::If',
  '!Equals': 'Fn::Equals',
  '!Not': 'Fn::Not',
  '!And': 'Fn::And',
  '!Or': 'Fn::Or',
  '!FindInMap': 'Fn::FindInMap',
  '!Base64': 'Fn::Base64',
  '!GetAZs': 'Fn::GetAZs',
  '!ImportValue': 'Fn::ImportValue',
  '!Cidr': 'Fn::Cidr',
  '!Transform': 'Fn::Transform',
  '!Length': 'Fn::Length',
  '!ToJsonString': 'Fn::ToJsonString',
};

/** Custom tags for every short form in scalar, sequence and mapping position: the conversion happens in `toValue`. */
const CUSTOM_TAGS: Tags = Object.keys(SHORT_TAGS).flatMap((tag) => [
  { tag, resolve: (s: string) => s },
  { tag, collection: 'seq' as const },
  { tag, collection: 'map' as const },
]);

interface Located {
  self: SourceLocation;
  /** Locations of the values held at each key / index. */
  children: Map<string | number, SourceLocation>;
}

/** Source positions of the objects and arrays of a parsed template, and of the values they hold. */
export class SourceMap {
  private readonly nodes = new WeakMap<object, Located>();

  constructor(readonly file: string) {}

  set(node: object, self: SourceLocation): void {
    const existing = this.nodes.get(node);
    if (existing) existing.self = self;
    else this.nodes.set(node, { self, children: new Map() });
  }

  setChild(node: object, key: string | number, loc: SourceLocation): void {
    let entry = this.nodes.get(node);
    if (!entry) {
      entry = { self: { file: this.file, line: 1, column: 1 }, children: new Map() };
      this.nodes.set(node, entry);
    }
    entry.children.set(key, loc);
  }

  /** Where `node` (an object or array of the template) starts. */
  of(node: unknown): SourceLocation | undefined {
    return typeof node === 'object' && node !== null ? this.nodes.get(node)?.self : undefined;
  }

  /** Where the value at `node[key]` is written; falls back to `node` itself. */
  child(node: unknown, key: string | number): SourceLocation | undefined {
    if (typeof node !== 'object' || node === null) return undefined;
    const entry = this.nodes.get(node);
    return entry?.children.get(key) ?? this.of((node as Record<string, unknown>)[key]) ?? entry?.self;
  }

  /** Copies the recorded location of `from[key]` onto `to[key]` (used when merging Globals). */
  copyChild(from: object, key: string | number, to: object, toKey: string | number = key): void {
    const loc = this.nodes.get(from)?.children.get(key);
    if (loc) this.setChild(to, toKey, loc);
  }
}

export interface ParsedTemplate {
  file: string;
  value: unknown;
  map: SourceMap;
}

/** Parses YAML (1.2 core schema, so `2010-09-09` stays a string) or JSON text with CloudFormation tags. */
export function parseTemplate(text: string, file: string): ParsedTemplate {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    customTags: CUSTOM_TAGS,
    prettyErrors: true,
    merge: true,
    uniqueKeys: true,
  });
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0];
    throw new SlipwayError(
      'TemplateParseError',
      `the template is not valid YAML/JSON: ${firstLine(first.message)}`,
      {
        where: { file, line: pos?.line, column: pos?.col },
        hint: 'fix the syntax at the position shown (indentation, an unclosed bracket or quote, a tab character...)',
        cause: first,
      },
    );
  }
  const map = new SourceMap(file);
  const loc = (offset: number): SourceLocation => {
    const p = lineCounter.linePos(offset);
    return { file, line: p.line, column: p.col };
  };
  const value = toValue(doc.contents, { doc, map, loc, text });
  return { file, value, map };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

interface Walk {
  doc: Document;
  map: SourceMap;
  loc: (offset: number) => SourceLocation;
  text: string;
}

/** Where a node starts; for a tagged node, where its tag (`!Ref`) starts. */
function nodeLoc(node: YamlNode | null | undefined, w: Walk): SourceLocation | undefined {
  if (!node?.range) return undefined;
  let start = node.range[0];
  if (node.tag) {
    const at = w.text.lastIndexOf(node.tag, start);
    if (at >= 0 && w.text.slice(at + node.tag.length, start).trim() === '') start = at;
  }
  return w.loc(start);
}

function toValue(node: unknown, w: Walk, depth = 0): unknown {
  const { doc, map } = w;
  if (depth > 500) throw new Error('template nesting too deep');
  if (node === null || node === undefined) return null;
  if (isAlias(node)) return toValue(node.resolve(doc), w, depth + 1);
  let value: unknown;
  if (isScalar(node)) {
    value = node.value instanceof Date ? node.value.toISOString().slice(0, 10) : node.value;
  } else if (isSeq(node)) {
    const arr: unknown[] = [];
    const self = nodeLoc(node, w);
    if (self) map.set(arr, self);
    node.items.forEach((item, i) => {
      arr.push(toValue(item, w, depth + 1));
      const l = nodeLoc(item as YamlNode, w);
      if (l) map.setChild(arr, i, l);
    });
    value = arr;
  } else if (isMap(node)) {
    const obj: Record<string, unknown> = {};
    const self = nodeLoc(node, w);
    if (self) map.set(obj, self);
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as YamlNode | null;
      const key = String(isScalar(keyNode) ? keyNode.value : toValue(keyNode, w, depth + 1));
      obj[key] = toValue(pair.value, w, depth + 1);
      const l = nodeLoc(pair.value as YamlNode, w) ?? nodeLoc(keyNode, w);
      if (l) map.setChild(obj, key, l);
    }
    value = obj;
  } else {
    return null;
  }
  const tag = (node as YamlNode).tag;
  const long = tag ? SHORT_TAGS[tag] : undefined;
  if (!long) return value;
  const wrapped: Record<string, unknown> = { [long]: shortFormArgument(long, value) };
  const self = nodeLoc(node, w);
  if (self) {
    map.set(wrapped, self);
    map.setChild(wrapped, long, self);
  }
  return wrapped;
}

/** `!GetAtt A.B` is the string form of `Fn::GetAtt: [A, B]` (split at the first dot). */
function shortFormArgument(long: string, value: unknown): unknown {
  if (long === 'Fn::GetAtt' && typeof value === 'string') {
    const dot = value.indexOf('.');
    return dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)];
  }
  if (value === null && long === 'Fn::GetAZs') return '';
  return value;
}
