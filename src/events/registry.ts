/** The registry's types and the small helpers its entries use to read raw (CLI-shaped) options. */
import type { Project } from '../project/model.ts';
import type { EventEnv } from './env.ts';
import { SlipwayError } from '../shared/errors.ts';

/** Options as a CLI hands them over: by option name (kebab-case), strings, lists for repeatable ones. */
export type RawOptions = Record<string, string | string[] | undefined>;

export interface EventOption {
  /** Kebab-case, the CLI flag without `--`. */
  name: string;
  description: string;
  /** Shown in help; used when the option is absent (and the template offers nothing better). */
  default?: string;
  /** Repeatable: the values arrive as a list. */
  multiple?: boolean;
}

export interface GenerateContext {
  env: EventEnv;
  project?: Project;
}

export interface EventType {
  description: string;
  options: EventOption[];
  generate(options: OptionReader, ctx: GenerateContext): unknown;
}

export interface EventSource {
  description: string;
  types: Record<string, EventType>;
}

/** Reads options with their registry defaults applied and checks value formats. */
export class OptionReader {
  constructor(
    private readonly raw: RawOptions,
    private readonly specs: EventOption[],
  ) {}

  /** True when the caller gave the option (defaults do not count). */
  has(name: string): boolean {
    return this.raw[name] !== undefined;
  }

  /** The given value, or undefined: for options whose fallback comes from the template. */
  given(name: string): string | undefined {
    const v = this.raw[name];
    return Array.isArray(v) ? v[v.length - 1] : v;
  }

  string(name: string): string {
    return this.given(name) ?? this.spec(name).default ?? '';
  }

  optional(name: string): string | undefined {
    return this.given(name) ?? this.spec(name).default;
  }

  list(name: string): string[] {
    const v = this.raw[name];
    if (v === undefined) {
      const d = this.spec(name).default;
      return d === undefined ? [] : [d];
    }
    return Array.isArray(v) ? v : [v];
  }

  integer(name: string): number {
    const s = this.string(name);
    const n = Number(s);
    if (!Number.isSafeInteger(n) || n < 0)
      throw new SlipwayError('InvalidOption', `--${name} must be a whole number, got '${s}'`, {
        exitCode: 2,
      });
    return n;
  }

  json(name: string): unknown {
    const s = this.string(name);
    try {
      return JSON.parse(s) as unknown;
    } catch (err) {
      throw new SlipwayError('InvalidOption', `--${name} must be JSON: ${(err as Error).message}`, {
        hint: `e.g. --${name} '{"id": 1}'`,
        exitCode: 2,
        cause: err,
      });
    }
  }

  jsonObject(name: string): Record<string, unknown> {
    const v = this.json(name);
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      throw new SlipwayError('InvalidOption', `--${name} must be a JSON object`, { exitCode: 2 });
    return v as Record<string, unknown>;
  }

  /** `Name=Value` items → a map. */
  pairs(name: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const item of this.list(name)) {
      const eq = item.indexOf('=');
      if (eq <= 0)
        throw new SlipwayError('InvalidOption', `--${name} must look like Name=Value, got '${item}'`, {
          exitCode: 2,
        });
      out[item.slice(0, eq)] = item.slice(eq + 1);
    }
    return out;
  }

  private spec(name: string): EventOption {
    const spec = this.specs.find((s) => s.name === name);
    if (!spec) throw new Error(`event option '${name}' is not declared`);
    return spec;
  }
}
