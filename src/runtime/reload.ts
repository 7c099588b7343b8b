/**
 * Hot reload: watch each function's code (and local layers) and invalidate the functions a change
 * touches; in-flight invocations finish on the old code, the next one runs the new.
 */
import { watch, type FSWatcher } from 'chokidar';
import { resolve, sep } from 'node:path';
import type { FunctionModel } from '../project/model.ts';

const IGNORED_DIRS = ['node_modules', '.slipway', '__pycache__', '.git', '.aws-sam'];
const DEBOUNCE_MS = 50;

export interface Invalidatable {
  invalidate(logicalId: string): void;
}

function isIgnored(path: string): boolean {
  const parts = path.split(sep);
  return parts.some((p) => IGNORED_DIRS.includes(p)) || path.endsWith('.pyc');
}

/** Directories whose changes concern each function. */
function watchedDirs(fn: FunctionModel): string[] {
  const dirs = fn.codeDir ? [fn.codeDir] : [];
  for (const layer of fn.layers) if (layer.contentDir) dirs.push(layer.contentDir);
  return dirs.map((d) => resolve(d));
}

export function watchFunctionCode(
  runtime: Invalidatable,
  functions: FunctionModel[],
  onChange?: (logicalIds: string[], paths: string[]) => void,
): () => Promise<void> {
  const owners = functions.map((fn) => ({ id: fn.logicalId, dirs: watchedDirs(fn) }));
  const roots = [...new Set(owners.flatMap((o) => o.dirs))];
  if (roots.length === 0) return () => Promise.resolve();
  const watcher: FSWatcher = watch(roots, {
    ignoreInitial: true,
    ignored: (path: string) => isIgnored(path),
    persistent: true,
  });
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    const paths = [...pending];
    pending = new Set();
    const affected = owners
      .filter((o) => paths.some((p) => o.dirs.some((d) => p === d || p.startsWith(d + sep))))
      .map((o) => o.id);
    for (const id of affected) runtime.invalidate(id);
    if (affected.length > 0) onChange?.(affected, paths);
  };
  watcher.on('all', (_event: string, path: string) => {
    pending.add(resolve(path));
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, DEBOUNCE_MS);
  });
  watcher.on('error', () => undefined);
  return async () => {
    if (timer) clearTimeout(timer);
    await watcher.close();
  };
}
