/**
 * Watches the template (and the env.json file) and calls `reload` after a change, one reload at a
 * time: saves that land while a reload runs, or inside the file watcher's throttle window, are
 * caught by comparing the files' contents after each reload, so the last save always wins.
 */
import { watch } from 'chokidar';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const DEBOUNCE_MS = 50;

function fingerprint(paths: string[]): string {
  const hash = createHash('sha1');
  for (const p of paths) {
    try {
      hash.update(readFileSync(p));
    } catch {
      hash.update('\0missing\0');
    }
  }
  return hash.digest('hex');
}

export function watchTemplate(paths: string[], reload: () => Promise<void>): () => Promise<void> {
  let loaded = fingerprint(paths);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let closed = false;

  const run = async (): Promise<void> => {
    // Reload until what is on disk is what was loaded last.
    for (;;) {
      const current = fingerprint(paths);
      if (current === loaded || closed) return;
      loaded = current;
      await reload();
    }
  };
  const schedule = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (running) {
        void running.then(schedule);
        return;
      }
      running = run().finally(() => (running = undefined));
    }, DEBOUNCE_MS);
  };
  const watcher = watch(paths, { ignoreInitial: true });
  watcher.on('all', schedule);
  watcher.on('error', () => undefined);
  return async () => {
    closed = true;
    if (timer) clearTimeout(timer);
    await watcher.close();
    await running;
  };
}
