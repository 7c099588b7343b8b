/**
 * CloudFormation intrinsic functions: `Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`, `Fn::Select`,
 * `Fn::Split`, `Fn::If`, `Fn::FindInMap`, `Fn::Base64`, `Fn::GetAZs`, `Fn::ImportValue`, `Fn::Cidr`,
 * `Fn::Length`, `Fn::ToJsonString`, and the condition functions `Fn::Equals`/`And`/`Or`/`Not`.
 * `AWS::NoValue` removes the property or list item that holds it.
 */
import { cidrSubnets } from './cidr.ts';
import { describe, invalid, isRecord, type Scope } from './diagnostics.ts';
import type { SourceMap } from './yaml.ts';

/** What `Ref: AWS::NoValue` resolves to; removed from the enclosing mapping or list. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

/** What the resolver needs from the template around it. */
export interface IntrinsicEnv {
  readonly map: SourceMap;
  /** The value of a pseudo parameter (`AWS::Region`, ...), or undefined when `name` is not one. */
  pseudo(name: string): unknown;
  /** A parameter's value (lists for CommaDelimitedList / List<...>), or undefined when not declared. */
  parameter(name: string): string | string[] | undefined;
  readonly mappings: Record<string, unknown>;
  condition(name: string, scope: Scope): boolean;
  /** `Ref` of a resource, or undefined when no resource has this logical id. */
  ref(logicalId: string, scope: Scope): string | undefined;
  getAtt(logicalId: string, attribute: string, scope: Scope): string;
  warn(message: string): void;
}

const CONDITION_FUNCTIONS = new Set(['Fn::Equals', 'Fn::And', 'Fn::Or', 'Fn::Not']);

/** The single key of `value` when it is an intrinsic function call (`Ref`, `Fn::*`). */
export function intrinsicName(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const key = keys[0]!;
  return key === 'Ref' || key.startsWith('Fn::') ? key : undefined;
}

export class Resolver {
  constructor(private readonly env: IntrinsicEnv) {}

  /** Resolves every intrinsic inside `value`; the result may be `NO_VALUE`. */
  resolve(value: unknown, scope: Scope): unknown {
    if (Array.isArray(value)) {
      const inner = this.enter(value, scope);
      const out: unknown[] = [];
      value.forEach((item, i) => {
        const r = this.resolve(item, this.at(value, i, inner));
        if (r !== NO_VALUE) out.push(r);
      });
      return out;
    }
    if (!isRecord(value)) return value;
    const inner = this.enter(value, scope);
    const fn = intrinsicName(value);
    if (fn) return this.call(fn, value[fn], inner);
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const r = this.resolve(item, this.at(value, key, inner));
      if (r !== NO_VALUE) out[key] = r;
    }
    return out;
  }

  /** Resolves a mapping of properties (NoValue at the top gives an empty mapping). */
  resolveObject(value: unknown, scope: Scope): Record<string, unknown> {
    const r = this.resolve(value, scope);
    if (r === NO_VALUE || r === null || r === undefined) return {};
    if (!isRecord(r)) throw invalid(`expected a mapping, found ${describe(r)}`, scope);
    return r;
  }

  /** Resolves to a string (numbers and booleans are stringified). */
  resolveString(value: unknown, scope: Scope, what = 'this value'): string {
    const r = this.resolve(value, scope);
    if (typeof r === 'string') return r;
    if (typeof r === 'number' || typeof r === 'boolean') return String(r);
    throw invalid(`${what} must be a string, found ${describe(r)}`, scope);
  }

  /** Evaluates a condition expression (`Fn::Equals`, `Fn::And`, ..., `Condition: Name`). */
  evaluateCondition(expr: unknown, scope: Scope): boolean {
    const inner = this.enter(expr, scope);
    if (isRecord(expr) && Object.keys(expr).length === 1 && 'Condition' in expr) {
      const name = expr['Condition'];
      if (typeof name !== 'string') throw invalid('Condition must name a condition', inner);
      return this.env.condition(name, inner);
    }
    if (typeof expr === 'boolean') return expr;
    if (expr === 'true' || expr === 'false') return expr === 'true';
    const fn = intrinsicName(expr);
    if (!fn || !isRecord(expr) || !CONDITION_FUNCTIONS.has(fn)) {
      throw invalid(
        `a condition must be Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition, found ${fn ?? describe(expr)}`,
        inner,
      );
    }
    const r = this.call(fn, expr[fn], inner);
    return r === true;
  }

  private enter(node: unknown, scope: Scope): Scope {
    const loc = this.env.map.of(node);
    return loc ? { ...scope, loc } : scope;
  }

  private at(parent: object, key: string | number, scope: Scope): Scope {
    const loc = this.env.map.child(parent, key);
    return loc ? { ...scope, loc } : scope;
  }

  private args(fn: string, arg: unknown, min: number, max: number, scope: Scope): unknown[] {
    if (!Array.isArray(arg) || arg.length < min || arg.length > max) {
      const n = min === max ? `${min}` : `${min} to ${max}`;
      throw invalid(`${fn} takes a list of ${n} arguments, found ${describe(arg)}`, scope);
    }
    return arg;
  }

  private list(value: unknown, scope: Scope, fn: string): unknown[] {
    const r = this.resolve(value, scope);
    if (!Array.isArray(r)) throw invalid(`${fn} expects a list, found ${describe(r)}`, scope);
    return r;
  }

  private call(fn: string, arg: unknown, scope: Scope): unknown {
    switch (fn) {
      case 'Ref':
        return this.ref(this.resolveString(arg, scope, 'Ref'), scope);
      case 'Fn::GetAtt':
        return this.getAtt(arg, scope);
      case 'Fn::Sub':
        return this.sub(arg, scope);
      case 'Fn::Join': {
        const [delim, items] = this.args(fn, arg, 2, 2, scope);
        const d = this.resolveString(delim, scope, 'the Fn::Join delimiter');
        return this.list(items, scope, fn)
          .map((item) => this.scalar(item, scope, fn))
          .join(d);
      }
      case 'Fn::Select': {
        const [index, items] = this.args(fn, arg, 2, 2, scope);
        const i = Number(this.resolve(index, scope));
        const list = this.list(items, scope, fn);
        if (!Number.isInteger(i) || i < 0 || i >= list.length) {
          throw invalid(`Fn::Select index ${String(i)} is out of range for a list of ${list.length}`, scope);
        }
        return list[i];
      }
      case 'Fn::Split': {
        const [delim, source] = this.args(fn, arg, 2, 2, scope);
        const d = this.resolveString(delim, scope, 'the Fn::Split delimiter');
        return this.resolveString(source, scope, 'the Fn::Split source').split(d);
      }
      case 'Fn::If': {
        const [name, whenTrue, whenFalse] = this.args(fn, arg, 3, 3, scope);
        if (typeof name !== 'string') throw invalid('Fn::If must start with a condition name', scope);
        return this.resolve(this.env.condition(name, scope) ? whenTrue : whenFalse, scope);
      }
      case 'Fn::Equals': {
        const [a, b] = this.args(fn, arg, 2, 2, scope).map((v) => this.resolve(v, scope));
        return comparable(a) === comparable(b);
      }
      case 'Fn::Not': {
        const [c] = this.args(fn, arg, 1, 1, scope);
        return !this.evaluateCondition(c, scope);
      }
      case 'Fn::And':
        return this.args(fn, arg, 2, 10, scope).every((c) => this.evaluateCondition(c, scope));
      case 'Fn::Or':
        return this.args(fn, arg, 2, 10, scope).some((c) => this.evaluateCondition(c, scope));
      case 'Fn::FindInMap':
        return this.findInMap(arg, scope);
      case 'Fn::Base64':
        return Buffer.from(this.resolveString(arg, scope, 'Fn::Base64'), 'utf8').toString('base64');
      case 'Fn::GetAZs': {
        const r = this.resolve(arg, scope);
        const region = typeof r === 'string' && r !== '' ? r : String(this.env.pseudo('AWS::Region'));
        return ['a', 'b', 'c'].map((z) => region + z);
      }
      case 'Fn::ImportValue': {
        const name = this.resolveString(arg, scope, 'Fn::ImportValue');
        this.env.warn(
          `${scope.resource ?? 'template'}: Fn::ImportValue "${name}" refers to another stack's export; ` +
            `Slipway uses the placeholder "imported-${name}"`,
        );
        return `imported-${name}`;
      }
      case 'Fn::Cidr': {
        const [block, count, bits] = this.args(fn, arg, 3, 3, scope);
        try {
          return cidrSubnets(
            this.resolveString(block, scope),
            Number(this.resolve(count, scope)),
            Number(this.resolve(bits, scope)),
          );
        } catch (err) {
          throw invalid(`Fn::Cidr: ${(err as Error).message}`, scope);
        }
      }
      case 'Fn::Length':
        return this.list(arg, scope, fn).length;
      case 'Fn::ToJsonString':
        return JSON.stringify(this.resolve(arg, scope));
      default:
        throw invalid(
          `unknown intrinsic function ${fn}`,
          scope,
          'supported: Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select, Fn::Split, Fn::If, Fn::Equals, Fn::Not, ' +
            'Fn::And, Fn::Or, Fn::FindInMap, Fn::Base64, Fn::GetAZs, Fn::ImportValue, Fn::Cidr, Fn::Length, Fn::ToJsonString',
        );
    }
  }

  private scalar(item: unknown, scope: Scope, fn: string): string {
    if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean')
      return String(item);
    throw invalid(`${fn}: list items must be strings, found ${describe(item)}`, scope);
  }

  private ref(name: string, scope: Scope): unknown {
    if (name === 'AWS::NoValue') return NO_VALUE;
    const pseudo = this.env.pseudo(name);
    if (pseudo !== undefined) return pseudo;
    const param = this.env.parameter(name);
    if (param !== undefined) return param;
    const ref = this.env.ref(name, scope);
    if (ref !== undefined) return ref;
    throw invalid(
      `Ref to "${name}", which is not a parameter, a resource or a pseudo parameter of this template`,
      scope,
      `declare "${name}" under Parameters or Resources, or fix the spelling`,
    );
  }

  private getAtt(arg: unknown, scope: Scope): string {
    let parts: unknown[];
    if (typeof arg === 'string') {
      const dot = arg.indexOf('.');
      parts = dot < 0 ? [arg] : [arg.slice(0, dot), arg.slice(dot + 1)];
    } else {
      parts = this.args('Fn::GetAtt', arg, 2, 2, scope);
    }
    const [id, attr] = parts;
    if (typeof id !== 'string' || attr === undefined) {
      throw invalid('Fn::GetAtt takes [LogicalId, Attribute] or "LogicalId.Attribute"', scope);
    }
    return this.env.getAtt(id, this.resolveString(attr, scope, 'the Fn::GetAtt attribute'), scope);
  }

  private sub(arg: unknown, scope: Scope): string {
    let text: unknown = arg;
    let vars: Record<string, unknown> = {};
    if (Array.isArray(arg)) {
      const [t, v] = this.args('Fn::Sub', arg, 1, 2, scope);
      text = t;
      if (v !== undefined) vars = this.resolveObject(v, scope);
    }
    if (typeof text !== 'string') {
      throw invalid(`Fn::Sub takes a string or [string, {variables}], found ${describe(text)}`, scope);
    }
    return text.replace(/\$\{([^}]*)\}/g, (_m, inner: string) => {
      if (inner.startsWith('!')) return '${' + inner.slice(1) + '}';
      const name = inner.trim();
      if (Object.prototype.hasOwnProperty.call(vars, name)) return this.scalar(vars[name], scope, 'Fn::Sub');
      const dot = name.indexOf('.');
      if (dot > 0 && !name.startsWith('AWS::')) {
        return this.env.getAtt(name.slice(0, dot), name.slice(dot + 1), scope);
      }
      const value = this.ref(name, scope);
      if (value === NO_VALUE || Array.isArray(value)) {
        throw invalid(`Fn::Sub: \${${name}} is not a string value`, scope);
      }
      return this.scalar(value, scope, 'Fn::Sub');
    });
  }

  private findInMap(arg: unknown, scope: Scope): unknown {
    const [mapName, top, second, options] = this.args('Fn::FindInMap', arg, 3, 4, scope);
    const keys = [mapName, top, second].map((k) => this.resolveString(k, scope, 'a Fn::FindInMap key'));
    let node: unknown = this.env.mappings;
    for (const key of keys) {
      node = isRecord(node) && Object.prototype.hasOwnProperty.call(node, key) ? node[key] : undefined;
      if (node === undefined) break;
    }
    if (node !== undefined) return this.resolve(node, scope);
    if (isRecord(options) && 'DefaultValue' in options) return this.resolve(options['DefaultValue'], scope);
    throw invalid(
      `Fn::FindInMap: Mappings has no ${keys.join(' > ')}`,
      scope,
      'add the key to Mappings, or give a default: [Map, Key, Key, {DefaultValue: ...}]',
    );
  }
}

function comparable(value: unknown): string {
  if (Array.isArray(value)) return JSON.stringify(value.map(String));
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}
