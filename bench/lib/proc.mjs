// Processes the benchmark starts: every one guarded by a memory cap (RSS of its whole process tree,
// sampled from /proc every 200 ms) and a time bound, and stopped by PID — only processes started
// here, never by name. A guarded process that crosses its cap is killed with its tree and says so
// ("killed at N MB"), so a runaway peer cannot take the machine down.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

export const SAMPLE_MS = 200;
export const DEFAULT_CAP_MB = 2048;

/** Start time of a process (field 22 of /proc/<pid>/stat), to tell a PID from a reused one. */
function startTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), start: fields[19] };
  } catch {
    return null;
  }
}

/** Every live descendant of `pid`, as { pid, start }. */
export function descendants(pid) {
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const info = startTicks(name);
    if (!info) continue;
    const list = children.get(info.ppid) ?? [];
    list.push({ pid: Number(name), start: info.start });
    children.set(info.ppid, list);
  }
  const out = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of children.get(queue.shift()) ?? []) {
      out.push(child);
      queue.push(child.pid);
    }
  }
  return out;
}

function rssKb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Resident set of a process and all its descendants, in MB. */
export function treeRssMb(pid) {
  return [pid, ...descendants(pid).map((d) => d.pid)].reduce((kb, p) => kb + rssKb(p), 0) / 1024;
}

/** Resident set of each direct and indirect child of `pid`, in MB, keyed by PID. */
export function childRss(pid) {
  return descendants(pid).map((d) => ({ pid: d.pid, mb: rssKb(d.pid) / 1024, cmd: cmdline(d.pid) }));
}

function cmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}

/** SIGKILL a list of { pid, start } recorded earlier, skipping PIDs that now belong to someone else. */
function killRecorded(list) {
  for (const { pid, start } of list) {
    if (startTicks(pid)?.start !== start) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

/** SIGKILL every descendant of `pid` (the runner's leftovers check). */
export function killDescendants(pid) {
  killRecorded(descendants(pid).reverse());
}

const live = new Set();
/** Kill whatever is still running (the runner calls this on exit and on Ctrl-C). */
export function killAll() {
  for (const g of live) g.killTree();
}

/** A free loopback port (for peers that cannot bind port 0 and report it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Spawn `command args` guarded. `ready(line)` is called with each stdout/stderr line until it returns
 * a value other than undefined; the promise resolves then with the guarded handle, or rejects when the
 * process exits, crosses its cap or is not ready within readyTimeoutMs.
 *   handle: { child, pid, info, readyMs, peakMb, killed, onLine(fn), quiet(), killTree(), stop() }
 */
export function startGuarded({
  label,
  command,
  args,
  cwd,
  env = process.env,
  ready,
  capMb = DEFAULT_CAP_MB,
  timeoutMs = 120_000,
  readyTimeoutMs = 30_000,
  onKill,
}) {
  const t0 = performance.now();
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const self = { pid: child.pid, start: startTicks(child.pid)?.start };
  const listeners = new Set();
  const tail = [];
  const handle = {
    label,
    child,
    pid: child.pid,
    info: undefined,
    readyMs: undefined,
    peakMb: 0,
    killed: null,
    onLine: (fn) => (listeners.add(fn), () => listeners.delete(fn)),
    tail: () => tail.join('\n'),
    killTree() {
      killRecorded([self, ...descendants(child.pid)].reverse());
    },
    async stop() {
      clearInterval(watchdog);
      live.delete(handle);
      const tree = descendants(child.pid);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGINT');
        const timer = setTimeout(() => handle.killTree(), 5000);
        await exited;
        clearTimeout(timer);
      }
      killRecorded(tree); // environments or workers that outlived their parent
    },
  };
  live.add(handle);
  const readers = [child.stdout, child.stderr].map((stream) =>
    createInterface({ input: stream }).on('line', (line) => {
      tail.push(line);
      if (tail.length > 20) tail.shift();
      for (const fn of listeners) fn(line);
    }),
  );
  // Under load, splitting every log line of the process measured costs the load generator's CPU:
  // once ready, a scenario that needs no more lines drains the output unread.
  handle.quiet = () => {
    for (const reader of readers) reader.close();
    child.stdout.resume();
    child.stderr.resume();
  };
  const kill = (reason) => {
    if (handle.killed) return;
    handle.killed = reason;
    clearInterval(watchdog);
    handle.killTree();
    onKill?.(reason);
  };
  const watchdog = setInterval(() => {
    const mb = treeRssMb(child.pid);
    handle.peakMb = Math.max(handle.peakMb, mb);
    if (mb > capMb) kill(`killed at ${Math.round(mb)} MB (memory cap ${capMb} MB)`);
    else if (performance.now() - t0 > timeoutMs)
      kill(`killed after ${Math.round(timeoutMs / 1000)} s (time bound)`);
  }, SAMPLE_MS);
  watchdog.unref();
  child.once('exit', () => {
    clearInterval(watchdog);
    live.delete(handle);
  });
  return new Promise((resolve, reject) => {
    const fail = (why) => {
      cleanup();
      handle.killTree();
      reject(
        new Error(`${label}: ${why}${handle.tail() ? `\n    last output:\n${indent(handle.tail())}` : ''}`),
      );
    };
    const timer = setTimeout(() => fail(`not ready within ${readyTimeoutMs / 1000} s`), readyTimeoutMs);
    const onExit = (code, signal) => fail(handle.killed ?? `exited (${signal ?? code}) before it was ready`);
    const off = handle.onLine((line) => {
      const info = ready(line);
      if (info === undefined) return;
      cleanup();
      handle.info = info;
      handle.readyMs = performance.now() - t0;
      resolve(handle);
    });
    const cleanup = () => {
      clearTimeout(timer);
      off();
      child.off('exit', onExit);
    };
    child.once('exit', onExit);
    child.once('error', (err) => fail(err.message));
  });
}

const indent = (text) =>
  text
    .split('\n')
    .map((l) => `      ${l}`)
    .join('\n');

/** Run a command to completion within timeoutMs; resolves { ms, code, stdout, stderr }. */
export function timeProcess(command, args, { cwd, env = process.env, timeoutMs = 30_000 } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => err.push(c));
    const timer = setTimeout(() => {
      killRecorded([{ pid: child.pid, start: startTicks(child.pid)?.start }, ...descendants(child.pid)]);
      reject(new Error(`${command} ${args.join(' ')}: not done within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.once('error', (e) => (clearTimeout(timer), reject(e)));
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({
        ms: performance.now() - t0,
        code,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      });
    });
  });
}

/** Wait for a JSON line with { type: 'ready' } (slipway dev --json, the s3rver wrapper). */
export const jsonReady = (line) => {
  if (!line.startsWith('{')) return undefined;
  try {
    const obj = JSON.parse(line);
    return obj.type === 'ready' ? obj : undefined;
  } catch {
    return undefined;
  }
};
