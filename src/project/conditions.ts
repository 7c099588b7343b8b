/** Named template `Conditions`, evaluated once each, which may refer to one another (cycles are errors). */
import { invalid, isRecord, type Scope } from './diagnostics.ts';
import type { Resolver } from './intrinsics.ts';
import type { SourceMap } from './yaml.ts';

export class Conditions {
  private readonly values = new Map<string, boolean>();
  private readonly evaluating: string[] = [];
  private readonly defs: Record<string, unknown>;

  constructor(
    section: unknown,
    private readonly map: SourceMap,
    private readonly file: string,
    private readonly resolver: () => Resolver,
  ) {
    this.defs = isRecord(section) ? section : {};
  }

  has(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.defs, name);
  }

  evaluate(name: string, from: Scope): boolean {
    const known = this.values.get(name);
    if (known !== undefined) return known;
    if (!this.has(name)) {
      throw invalid(
        `condition "${name}" is not declared under Conditions`,
        from,
        `declared conditions: ${Object.keys(this.defs).join(', ') || 'none'}`,
      );
    }
    if (this.evaluating.includes(name)) {
      throw invalid(
        `conditions refer to each other in a loop: ${[...this.evaluating, name].join(' -> ')}`,
        from,
      );
    }
    this.evaluating.push(name);
    try {
      const scope: Scope = {
        file: this.file,
        resource: `Conditions.${name}`,
        loc: this.map.child(this.defs, name),
      };
      const value = this.resolver().evaluateCondition(this.defs[name], scope);
      this.values.set(name, value);
      return value;
    } finally {
      this.evaluating.pop();
    }
  }

  /** Evaluates every condition (so errors in unused ones surface too). */
  all(): Record<string, boolean> {
    const out: Record<string, boolean> = {};
    for (const name of Object.keys(this.defs)) out[name] = this.evaluate(name, { file: this.file });
    return out;
  }
}
