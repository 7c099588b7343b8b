/**
 * What a rule's target receives ("Input transformation"): the whole event, a constant `Input`, the
 * part `InputPath` selects, or an `InputTransformer` template filled from `InputPathsMap`.
 *
 * JSONPath subset (as AWS documents it): `$`, dot notation (names with dashes, underscores,
 * alphanumerics, slashes), array indices `[0]`, bracketed names `['a.b']` and wildcards `*`.
 *
 * Template placeholders `<name>`: inside a JSON string (between quotes) the value goes in as text,
 * JSON-escaped; outside quotes in a JSON template (`{...}` / `[...]`) it goes in as JSON (strings
 * quoted, a missing value as `null`); in a plain-text template it goes in as text.
 */
import type { EventBridgeEvent } from './events.ts';

export interface InputTransformer {
  InputPathsMap?: Record<string, string>;
  InputTemplate: string;
}

export interface TargetInputConfig {
  Input?: string;
  InputPath?: string;
  InputTransformer?: InputTransformer;
}

export const MAX_INPUT_PATHS = 100;
const PREDEFINED = new Set([
  'aws.events.rule-arn',
  'aws.events.rule-name',
  'aws.events.event.ingestion-time',
  'aws.events.event',
  'aws.events.event.json',
]);

type Segment = { name: string } | { index: number } | { wildcard: true };

/** Parses a JSONPath of the supported subset; throws on anything else. */
export function parseJsonPath(path: string): Segment[] {
  if (!path.startsWith('$')) throw new Error(`JSONPath must start with $: ${path}`);
  const segments: Segment[] = [];
  let i = 1;
  while (i < path.length) {
    const rest = path.slice(i);
    let m: RegExpExecArray | null;
    if ((m = /^\.\*/.exec(rest)) || (m = /^\[\*\]/.exec(rest))) segments.push({ wildcard: true });
    else if ((m = /^\.([^.[\]]+)/.exec(rest))) segments.push({ name: m[1] as string });
    else if ((m = /^\[(\d+)\]/.exec(rest))) segments.push({ index: Number(m[1]) });
    else if ((m = /^\['([^']*)'\]/.exec(rest)) || (m = /^\["([^"]*)"\]/.exec(rest)))
      segments.push({ name: m[1] as string });
    else throw new Error(`unsupported JSONPath syntax at "${rest}" in ${path}`);
    i += m[0].length;
  }
  return segments;
}

/** The value at `path`, or undefined when absent. Wildcards give the list of what they reach. */
export function evaluateJsonPath(doc: unknown, path: string): unknown {
  const segments = parseJsonPath(path);
  let current: unknown[] = [doc];
  let multi = false;
  for (const seg of segments) {
    const next: unknown[] = [];
    for (const v of current) {
      if ('wildcard' in seg) {
        if (Array.isArray(v)) for (const item of v as unknown[]) next.push(item);
        else if (typeof v === 'object' && v !== null)
          next.push(...Object.values(v as Record<string, unknown>));
      } else if ('index' in seg) {
        if (Array.isArray(v) && seg.index < v.length) next.push(v[seg.index]);
      } else if (typeof v === 'object' && v !== null && !Array.isArray(v) && seg.name in v) {
        next.push((v as Record<string, unknown>)[seg.name]);
      }
    }
    if ('wildcard' in seg) multi = true;
    current = next;
  }
  return multi ? current : current[0];
}

/** Throws a message naming the problem when the target's input settings are not valid. */
export function validateTargetInput(target: TargetInputConfig): void {
  const set = [target.Input, target.InputPath, target.InputTransformer].filter((v) => v !== undefined);
  if (set.length > 1) throw new Error('Only one of Input, InputPath, or InputTransformer must be provided.');
  if (target.Input !== undefined) {
    try {
      JSON.parse(target.Input);
    } catch {
      throw new Error('Input is not valid JSON text.');
    }
  }
  if (target.InputPath !== undefined) parseJsonPath(target.InputPath);
  const t = target.InputTransformer;
  if (t) {
    if (typeof t.InputTemplate !== 'string' || t.InputTemplate.length === 0)
      throw new Error('InputTransformer.InputTemplate must be a non-empty string.');
    const entries = Object.entries(t.InputPathsMap ?? {});
    if (entries.length > MAX_INPUT_PATHS)
      throw new Error(`InputPathsMap has more than ${MAX_INPUT_PATHS} entries.`);
    for (const [key, path] of entries) {
      if (!/^[A-Za-z0-9_-]+$/.test(key) || PREDEFINED.has(key) || /^aws\./i.test(key))
        throw new Error(`InputPathsMap key ${key} is not valid.`);
      parseJsonPath(path);
    }
  }
}

export interface InputContext {
  ruleArn: string;
  ruleName: string;
  /** Epoch ms when EventBridge received the event. */
  ingestionTime: number;
}

/** The string the target receives for this event. */
export function targetInput(target: TargetInputConfig, event: EventBridgeEvent, ctx: InputContext): string {
  if (target.Input !== undefined) return target.Input;
  if (target.InputPath !== undefined)
    return JSON.stringify(evaluateJsonPath(event, target.InputPath) ?? null);
  if (target.InputTransformer) return transform(target.InputTransformer, event, ctx);
  return JSON.stringify(event);
}

function variableValue(
  name: string,
  t: InputTransformer,
  event: EventBridgeEvent,
  ctx: InputContext,
): unknown {
  switch (name) {
    case 'aws.events.rule-arn':
      return ctx.ruleArn;
    case 'aws.events.rule-name':
      return ctx.ruleName;
    case 'aws.events.event.ingestion-time':
      return new Date(ctx.ingestionTime).toISOString();
    case 'aws.events.event': {
      const { detail: _detail, ...rest } = event;
      return rest;
    }
    case 'aws.events.event.json':
      return event;
    default: {
      const path = t.InputPathsMap?.[name];
      return path === undefined ? undefined : evaluateJsonPath(event, path);
    }
  }
}

function transform(t: InputTransformer, event: EventBridgeEvent, ctx: InputContext): string {
  const template = t.InputTemplate;
  const jsonTemplate = /^\s*[[{]/.test(template);
  const known = (name: string): boolean => PREDEFINED.has(name) || t.InputPathsMap?.[name] !== undefined;
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i] as string;
    if (c === '\\' && inString) {
      out += c + (template[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') inString = !inString;
    if (c === '<') {
      const close = template.indexOf('>', i + 1);
      const name = close === -1 ? '' : template.slice(i + 1, close);
      if (close !== -1 && known(name)) {
        out += render(variableValue(name, t, event, ctx), inString, jsonTemplate);
        i = close;
        continue;
      }
    }
    out += c;
  }
  return out;
}

function render(value: unknown, inString: boolean, jsonTemplate: boolean): string {
  if (inString) {
    if (value === undefined) return '';
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return JSON.stringify(text).slice(1, -1);
  }
  if (jsonTemplate) return JSON.stringify(value ?? null);
  if (value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
