/** The in-memory Store (`--ephemeral`, unit tests): same contract, nothing survives the process. */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkKey, checkNamespaceName, compareKeys, decodeValue, encodeOps, encodeValue } from './codec.ts';
import type { JsonValue, Namespace, Store } from './types.ts';

/** Applies a write now (visible at once, as the contract allows); a validation error rejects. */
function settle(apply: () => void): Promise<void> {
  try {
    apply();
    return Promise.resolve();
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

class MemoryNamespace implements Namespace {
  /** Values as their JSON text, so they round-trip exactly as through the LMDB backend. */
  private readonly map = new Map<string, string>();
  private sorted: string[] | undefined;

  get<T = JsonValue>(key: string): T | undefined {
    const text = this.map.get(key);
    return text === undefined ? undefined : decodeValue<T>(text);
  }
  put(key: string, value: JsonValue): Promise<void> {
    return settle(() => {
      checkKey(key);
      this.set(key, encodeValue(key, value));
    });
  }
  delete(key: string): Promise<void> {
    return settle(() => {
      checkKey(key);
      this.remove(key);
    });
  }
  batch(ops: Array<{ key: string; value: JsonValue | undefined }>): Promise<void> {
    return settle(() => {
      // All validated before any is applied: a bad op leaves the namespace untouched.
      for (const { key, text } of encodeOps(ops)) {
        if (text === undefined) this.remove(key);
        else this.set(key, text);
      }
    });
  }
  list<T = JsonValue>(
    prefix: string,
    options: { start?: string; limit?: number } = {},
  ): Array<{ key: string; value: T }> {
    const out: Array<{ key: string; value: T }> = [];
    if (options.limit !== undefined && options.limit <= 0) return out;
    this.sorted ??= [...this.map.keys()].sort(compareKeys);
    const from =
      options.start !== undefined && compareKeys(options.start, prefix) > 0 ? options.start : prefix;
    for (const key of this.sorted) {
      if (compareKeys(key, from) < 0 || !key.startsWith(prefix)) continue;
      out.push({ key, value: decodeValue<T>(this.map.get(key)!) });
      if (options.limit !== undefined && out.length >= options.limit) break;
    }
    return out;
  }

  private set(key: string, text: string): void {
    if (!this.map.has(key)) this.sorted = undefined;
    this.map.set(key, text);
  }
  private remove(key: string): void {
    if (this.map.delete(key)) this.sorted = undefined;
  }
}

export function createMemoryStore(): Store {
  const namespaces = new Map<string, MemoryNamespace>();
  let blobRoot: string | undefined;
  return {
    kind: 'memory',
    namespace(name) {
      checkNamespaceName(name);
      let ns = namespaces.get(name);
      if (!ns) namespaces.set(name, (ns = new MemoryNamespace()));
      return ns;
    },
    blobDir(name) {
      checkNamespaceName(name);
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
