/** openStore: backend choice, and one running Slipway per state directory (the PID lock). */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { SlipwayError } from '../shared/errors.ts';
import { openStore } from './index.ts';
import { LOCK_FILE } from './lock.ts';

const withDir = async (fn: (dir: string) => Promise<void>): Promise<void> => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-open-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

/** A PID that certainly names no process now: a child that has already exited. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid;

describe('openStore', () => {
  test('--ephemeral gives the memory store, otherwise lmdb in the state dir', () =>
    withDir(async (dir) => {
      const memory = await openStore({ stateDir: join(dir, 'unused'), ephemeral: true });
      assert.equal(memory.kind, 'memory');
      assert.ok(!existsSync(join(dir, 'unused')));
      await memory.close();

      const stateDir = join(dir, 'nested', '.slipway');
      const store = await openStore({ stateDir, ephemeral: false });
      assert.equal(store.kind, 'lmdb');
      assert.equal(readFileSync(join(stateDir, LOCK_FILE), 'utf8').split('\n')[0], String(process.pid));
      await store.namespace('s3').put('k', 1);
      await store.close();
      assert.ok(!existsSync(join(stateDir, LOCK_FILE)), 'close releases the lock');
      const again = await openStore({ stateDir, ephemeral: false });
      assert.equal(again.namespace('s3').get('k'), 1);
      await again.close();
    }));

  test('a state dir in use is refused, naming the dir and what to do', () =>
    withDir(async (dir) => {
      const first = await openStore({ stateDir: dir, ephemeral: false });
      try {
        await assert.rejects(openStore({ stateDir: dir, ephemeral: false }), (err: unknown) => {
          assert.ok(err instanceof SlipwayError);
          assert.equal(err.code, 'StateDirLocked');
          assert.match(err.message, new RegExp(`${dir}.*pid ${process.pid}`));
          assert.match(err.hint ?? '', /--state-dir/);
          assert.match(err.hint ?? '', /--ephemeral/);
          return true;
        });
      } finally {
        await first.close();
      }
    }));

  test('a lock held by another live process is refused', () =>
    withDir(async (dir) => {
      const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
      try {
        writeFileSync(join(dir, LOCK_FILE), `${other.pid}\n`);
        await assert.rejects(openStore({ stateDir: dir, ephemeral: false }), { code: 'StateDirLocked' });
      } finally {
        other.kill('SIGKILL');
      }
    }));

  test('a lock copied along with its folder (a live PID, another directory) is taken over', () =>
    withDir(async (dir) => {
      const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
      try {
        // What a running Slipway leaves in the project it serves, copied elsewhere with the project.
        writeFileSync(join(dir, LOCK_FILE), `${other.pid}\n\n/somewhere/else/.slipway\n`);
        const store = await openStore({ stateDir: dir, ephemeral: false });
        assert.equal(readFileSync(join(dir, LOCK_FILE), 'utf8').split('\n')[0], String(process.pid));
        await store.close();
      } finally {
        other.kill('SIGKILL');
      }
    }));

  test('a stale lock (dead PID, reused PID, garbled file) is taken over', () =>
    withDir(async (dir) => {
      const lock = join(dir, LOCK_FILE);
      const stale = [
        `${deadPid()}\n`,
        // Our own parent is alive, but the identity line says the lock was taken by another process.
        `${process.ppid}\n00000000-0000-0000-0000-000000000000 1\n`,
        'not a pid',
      ];
      for (const content of stale) {
        writeFileSync(lock, content);
        utimesSync(lock, new Date(0), new Date(0));
        const store = await openStore({ stateDir: dir, ephemeral: false });
        assert.equal(readFileSync(lock, 'utf8').split('\n')[0], String(process.pid), JSON.stringify(content));
        await store.close();
      }
    }));

  test('a state dir that cannot be created says so', () =>
    withDir(async (dir) => {
      const file = join(dir, 'a-file');
      writeFileSync(file, '');
      await assert.rejects(
        openStore({ stateDir: join(file, '.slipway'), ephemeral: false }),
        (err: unknown) => {
          assert.ok(err instanceof SlipwayError);
          assert.equal(err.code, 'StateDirUnavailable');
          assert.match(err.message, /a-file\/\.slipway.*ENOTDIR/);
          assert.match(err.hint ?? '', /--state-dir.*--ephemeral/);
          return true;
        },
      );
      if (process.getuid?.() !== 0) {
        const readOnly = join(dir, 'ro');
        mkdirSync(readOnly);
        chmodSync(readOnly, 0o500);
        await assert.rejects(openStore({ stateDir: readOnly, ephemeral: false }), {
          code: 'StateDirUnavailable',
        });
        chmodSync(readOnly, 0o700);
      }
    }));
});
