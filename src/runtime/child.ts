/** Process-level helpers of an environment: peak memory (VmHWM) and killing the process group. */
import type { ChildProcess } from 'node:child_process';
import { open, type FileHandle } from 'node:fs/promises';

/** Between the polite signal and SIGKILL. */
export const KILL_GRACE_MS = 200;

/** Peak RSS of a child in MB, from /proc/<pid>/status (VmHWM) or as the child reports it. */
export class PeakMemory {
  private handle?: FileHandle;
  private readonly buf = Buffer.allocUnsafe(4096);
  private closed = false;
  mb = 0;

  async open(pid: number | undefined): Promise<void> {
    if (pid === undefined || process.platform !== 'linux') return;
    try {
      const handle = await open(`/proc/${pid}/status`, 'r');
      if (this.closed) await handle.close();
      else this.handle = handle;
    } catch {
      // No /proc: Max Memory Used stays at what the child reports (or 0).
    }
  }

  note(kb: number): number {
    this.mb = Math.max(this.mb, Math.ceil(kb / 1024));
    return this.mb;
  }

  /** One positional read of the already open status file. */
  async read(): Promise<number> {
    const handle = this.handle;
    if (!handle) return this.mb;
    const buf = this.buf;
    try {
      const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
      const at = buf.indexOf('VmHWM:');
      if (at !== -1 && at < bytesRead) {
        let i = at + 6;
        while (buf[i] === 32 || buf[i] === 9) i++;
        let kb = 0;
        while (i < bytesRead && (buf[i] as number) >= 48 && (buf[i] as number) <= 57)
          kb = kb * 10 + (buf[i++] as number) - 48;
        this.note(kb);
      }
    } catch {
      // The process is gone: keep the last value.
    }
    return this.mb;
  }

  close(): void {
    this.closed = true;
    void this.handle?.close().catch(() => undefined);
    this.handle = undefined;
  }
}

/** SIGTERM to the child's process group (it is spawned detached), SIGKILL after a grace period. */
export function killProcessGroup(child: ChildProcess | undefined): void {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  const pid = child.pid;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
    }
  };
  signalGroup('SIGTERM');
  // A runtime or a grandchild that ignores SIGTERM gets SIGKILL after the grace period; once the
  // child itself is gone, whatever is left of its group gets it at once, and no timer keeps a
  // one-shot `slipway invoke` waiting for the grace period to end.
  const timer = setTimeout(() => signalGroup('SIGKILL'), KILL_GRACE_MS);
  child.once('exit', () => {
    clearTimeout(timer);
    signalGroup('SIGKILL');
  });
}
