/**
 * Starts Slipway as a user would (the built CLI, `node bin/slipway.js …`) on ephemeral loopback
 * ports, and stops it by its PID. Integration tests use only these helpers and real clients.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = join(REPO_ROOT, 'bin', 'slipway.js');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion (bounded by `timeoutMs`). */
export function runCli(
  args: string[],
  opts: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: opts.cwd ?? REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `slipway ${args.join(' ')} did not finish in ${opts.timeoutMs ?? 30000} ms\nstdout: ${stdout}\nstderr: ${stderr}`,
        ),
      );
    }, opts.timeoutMs ?? 30000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

export interface DevProcess {
  child: ChildProcess;
  endpoint: string;
  apiUrl: string | null;
  ready: Record<string, unknown>;
  /** Every line printed on stderr so far (logs, reloads, warnings) as parsed JSON objects. */
  lines: Array<Record<string, unknown>>;
  waitForLine(
    predicate: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `slipway dev --json` on ephemeral ports and waits for its ready line. State is in memory
 * (`--ephemeral`) unless `durable` is set, so tests sharing a project folder never contend for its
 * `.slipway/` lock.
 */
export async function startDev(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; durable?: boolean } = {},
): Promise<DevProcess> {
  const state = opts.durable || args.includes('--ephemeral') ? [] : ['--ephemeral'];
  const child = spawn(
    process.execPath,
    [CLI, 'dev', '--json', '--port', '0', '--api-port', '0', ...state, ...args],
    {
      cwd: opts.cwd ?? REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: Array<Record<string, unknown>> = [];
  const waiters = new Set<{
    predicate: (l: Record<string, unknown>) => boolean;
    resolve: (l: Record<string, unknown>) => void;
  }>();
  let stderrText = '';
  createInterface({ input: child.stderr }).on('line', (text) => {
    stderrText += text + '\n';
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      parsed = { type: 'raw', line: text };
    }
    lines.push(parsed);
    for (const w of waiters) {
      if (!w.predicate(parsed)) continue;
      waiters.delete(w);
      w.resolve(parsed);
    }
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const ready = await new Promise<Record<string, unknown>>((resolveReady, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`slipway dev was not ready in time\nstderr:\n${stderrText}`));
    }, opts.timeoutMs ?? 20000);
    createInterface({ input: child.stdout }).on('line', (text) => {
      try {
        const obj = JSON.parse(text) as Record<string, unknown>;
        if (obj.type === 'ready') {
          clearTimeout(timer);
          resolveReady(obj);
        }
      } catch {
        /* not JSON: ignore */
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`slipway dev exited with ${code} before it was ready\nstderr:\n${stderrText}`));
    });
  });
  return {
    child,
    endpoint: ready.endpoint as string,
    apiUrl: (ready.apiUrl as string | null) ?? null,
    ready,
    lines,
    waitForLine: (predicate, timeoutMs = 10000) => {
      const found = lines.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolveLine, reject) => {
        const waiter = {
          predicate,
          resolve: (l: Record<string, unknown>) => (clearTimeout(timer), resolveLine(l)),
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no matching line in ${timeoutMs} ms; lines:\n${stderrText}`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    stop: async (signal = 'SIGINT') => {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Copies an example (or fixture) project into a fresh temp dir so tests can edit files. */
export function copyProject(from: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-test-'));
  cpSync(resolve(REPO_ROOT, from), dir, { recursive: true, filter: (src) => !src.includes('.slipway') });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** True when a process with this PID still exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** PIDs of the direct children of `pid` (Linux /proc). */
export async function childPids(pid: number): Promise<number[]> {
  const { readFile } = await import('node:fs/promises');
  try {
    const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
    return text.trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
