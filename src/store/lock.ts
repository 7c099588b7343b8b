/**
 * One running Slipway per state directory: `<stateDir>/slipway.lock` holds the owner's PID (first
 * line) and, on Linux, the boot id and the process's start time (second line), so a lock left by a
 * dead process, or by a PID that was since reused (a container restart), is recognised as stale and
 * taken over. A third line holds the state directory's absolute path: a lock copied or moved along
 * with its folder (a project copied while its Slipway runs) names another directory and is stale.
 */
import { readFileSync } from 'node:fs';
import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export const LOCK_FILE = 'slipway.lock';

export type LockResult = { ok: true; release: () => Promise<void> } | { ok: false; pid: number };

/** `<boot id> <start time in clock ticks since boot>` on Linux, undefined elsewhere or when unreadable. */
function processIdentity(pid: number): string | undefined {
  try {
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime), counted after the ')' that closes the command name.
    const startTime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return startTime ? `${bootId} ${startTime}` : undefined;
  } catch {
    return undefined;
  }
}

function isRunning(pid: number, identity: string | undefined): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  // Alive (or not ours to signal): still stale if that PID is now another process.
  if (identity === undefined) return true;
  const now = processIdentity(pid);
  return now === undefined || now === identity;
}

interface Holder {
  pid: number;
  identity: string | undefined;
  /** Absent in locks written before the directory was recorded. */
  stateDir: string | undefined;
}

function parse(text: string): Holder | undefined {
  const [first, second, third] = text.split('\n');
  const pid = Number(first);
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  return { pid, identity: second?.trim() || undefined, stateDir: third?.trim() || undefined };
}

/** Takes the lock, or reports the live PID holding it. Other fs errors (EACCES, EROFS…) are thrown. */
export async function acquireLock(stateDir: string): Promise<LockResult> {
  const path = join(stateDir, LOCK_FILE);
  const here = resolve(stateDir);
  const mine = `${process.pid}\n${processIdentity(process.pid) ?? ''}\n${here}\n`;
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o644);
      try {
        await handle.writeFile(mine);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return { ok: true, release: () => releaseLock(path, mine) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 5) throw err;
    }
    const holder = parse(await readFile(path, 'utf8').catch(() => ''));
    const copied = holder?.stateDir !== undefined && holder.stateDir !== here;
    if (holder && !copied && isRunning(holder.pid, holder.identity)) return { ok: false, pid: holder.pid };
    if (!holder) {
      // Empty or garbled: either a crash mid-write (stale) or another process writing it right now.
      const age = await stat(path).then(
        (s) => Date.now() - s.mtimeMs,
        () => Infinity,
      );
      if (age < 2000) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
    }
    // Stale: move it aside atomically (only one taker wins the rename), then retry the create.
    const aside = `${path}.stale-${process.pid}`;
    if (
      await rename(path, aside).then(
        () => true,
        () => false,
      )
    )
      await unlink(aside).catch(() => undefined);
  }
}

async function releaseLock(path: string, mine: string): Promise<void> {
  const now = await readFile(path, 'utf8').catch(() => undefined);
  if (now === mine) await unlink(path).catch(() => undefined);
}
