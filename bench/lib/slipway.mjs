// Slipway as a user runs it: the built CLI (bin/slipway.js), started guarded like every peer.
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { BENCH, ROOT } from './peers.mjs';
import { jsonReady, startGuarded } from './proc.mjs';

export const CLI = join(ROOT, 'bin/slipway.js');
export const NOOP = join(BENCH, 'fixtures/noop');

/** Copy a directory (a fixture or an example) to a fresh temporary directory; remembered in `tmp`. */
export function copyToTemp(source, tmp, prefix = 'slipway-bench-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  // Without .slipway: a copy carries no state (or lock) of a Slipway running in the source folder.
  cpSync(source, dir, { recursive: true, filter: (src) => !src.split(sep).includes('.slipway') });
  tmp.push(dir);
  return dir;
}

/**
 * `slipway dev --json` on ephemeral loopback ports in `cwd`, guarded. Resolves the guard; its
 * `info` is dev's ready line ({ endpoint, apiUrl, functions, … }).
 */
export function startDev(args, { cwd, label = 'slipway dev', timeoutMs, capMb } = {}) {
  return startGuarded({
    label,
    command: process.execPath,
    args: [CLI, 'dev', '--json', '--port', '0', '--api-port', '0', ...args],
    cwd,
    ready: jsonReady,
    timeoutMs,
    capMb,
  });
}
