/** The in-memory Store (`--ephemeral`, unit tests): same contract, nothing survives the process. */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonValue, Namespace, Store } from './types.ts';

const compareKeys = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

class MemoryNamespace implements Namespace {
  private readonly map = new Map<string, JsonValue>();
  private sorted: string[] | undefined;

  get<T = JsonValue>(key: string): T | undefined {
    const v = this.map.get(key);
    return v === undefined ? undefined : (structuredClone(v) as T);
  }
  put(key: string, value: JsonValue): Promise<void> {
    if (!this.map.has(key)) this.sorted = undefined;
    this.map.set(key, structuredClone(value));
    return Promise.resolve();
  }
  delete(key: string): Promise<void> {
    if (this.map.delete(key)) this.sorted = undefined;
    return Promise.resolve();
  }
  async batch(ops: Array<{ key: string; value: JsonValue | undefined }>): Promise<void> {
    for (const op of ops) await (op.value === undefined ? this.delete(op.key) : this.put(op.key, op.value));
  }
  list<T = JsonValue>(
    prefix: string,
    options: { start?: string; limit?: number } = {},
  ): Array<{ key: string; value: T }> {
    this.sorted ??= [...this.map.keys()].sort(compareKeys);
    const out: Array<{ key: string; value: T }> = [];
    const from =
      options.start !== undefined && compareKeys(options.start, prefix) > 0 ? options.start : prefix;
    for (const key of this.sorted) {
      if (compareKeys(key, from) < 0 || !key.startsWith(prefix)) continue;
      out.push({ key, value: structuredClone(this.map.get(key)) as T });
      if (options.limit !== undefined && out.length >= options.limit) break;
    }
    return out;
  }
}

export function createMemoryStore(): Store {
  const namespaces = new Map<string, MemoryNamespace>();
  let blobRoot: string | undefined;
  return {
    kind: 'memory',
    namespace(name) {
      let ns = namespaces.get(name);
      if (!ns) namespaces.set(name, (ns = new MemoryNamespace()));
      return ns;
    },
    blobDir(name) {
      blobRoot ??= mkdtempSync(join(tmpdir(), 'slipway-ephemeral-'));
      const dir = join(blobRoot, name);
      mkdirSync(dir, { recursive: true });
      return dir;
    },
    close() {
      if (blobRoot) rmSync(blobRoot, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}
