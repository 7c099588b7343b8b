/** Opens the Store a running instance uses: memory for `--ephemeral`, else LMDB in the state dir. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { SlipwayError } from '../shared/errors.ts';
import { acquireLock, LOCK_FILE } from './lock.ts';
import { createLmdbStore } from './lmdb.ts';
import { createMemoryStore } from './memory.ts';
import type { Store } from './types.ts';

export type { JsonValue, Namespace, Store } from './types.ts';
export { createLmdbStore } from './lmdb.ts';
export { createMemoryStore } from './memory.ts';
export { removeBlob, writeBlobAtomically } from './blobs.ts';

const HINT = 'pass --state-dir <another directory>, or --ephemeral to keep state in memory';

function unavailable(stateDir: string, what: string, cause: unknown): SlipwayError {
  const reason =
    (cause as NodeJS.ErrnoException).code ?? (cause instanceof Error ? cause.message : String(cause));
  return new SlipwayError(
    'StateDirUnavailable',
    `cannot ${what} the state directory ${stateDir}: ${reason}`,
    {
      hint: HINT,
      cause,
    },
  );
}

export async function openStore(options: { stateDir: string; ephemeral: boolean }): Promise<Store> {
  if (options.ephemeral) return createMemoryStore();
  const { stateDir } = options;
  try {
    await mkdir(stateDir, { recursive: true });
  } catch (err) {
    throw unavailable(stateDir, 'create', err);
  }
  let lock;
  try {
    lock = await acquireLock(stateDir);
  } catch (err) {
    throw unavailable(stateDir, 'lock', err);
  }
  if (!lock.ok) {
    throw new SlipwayError(
      'StateDirLocked',
      `the state directory ${stateDir} is in use by another Slipway (pid ${lock.pid}, see ${join(stateDir, LOCK_FILE)})`,
      { hint: `stop that process, or ${HINT}` },
    );
  }
  let store: Store;
  try {
    store = await createLmdbStore(stateDir);
  } catch (err) {
    await lock.release();
    throw unavailable(stateDir, 'open the store in', err);
  }
  const { release } = lock;
  let closed: Promise<void> | undefined;
  return {
    kind: store.kind,
    namespace: (name) => store.namespace(name),
    blobDir: (name) => store.blobDir(name),
    close: () => (closed ??= store.close().finally(release)),
  };
}
