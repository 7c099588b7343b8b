// Runs the Python bootstrap's own test suite (test_bootstrap.py, which plays Slipway's side of the
// fd-3 channel and of the HTTP Runtime API) so `npm test` covers it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const python = process.env.SLIPWAY_PYTHON ?? 'python3';

function missing(args: string[]): string | undefined {
  const r = spawnSync(python, args, { encoding: 'utf8' });
  if (r.error) return `${python} is not available (${r.error.message})`;
  if (r.status !== 0) return (r.stderr || r.stdout).trim();
  return undefined;
}

const noPython = missing(['--version']);

test(
  'python bootstrap: pytest suite passes',
  {
    skip: noPython ? `python3 is not installed: ${noPython}` : false,
    timeout: 300_000,
  },
  () => {
    const r = spawnSync(python, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', here], {
      cwd: here,
      encoding: 'utf8',
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.equal(r.status, 0, `pytest failed:\n${r.stdout}\n${r.stderr}`);
  },
);
