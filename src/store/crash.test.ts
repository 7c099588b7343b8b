/**
 * Crash safety, for real: a child process writes and prints what was acknowledged, is killed with
 * SIGKILL mid-stream, and the store must then open cleanly (its stale lock taken over) with every
 * acknowledged write present, no batch half applied, and no partial blob under a final name.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TEMP_SUFFIX } from './blobs.ts';
import { openStore } from './index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');
const FIXTURE = join(here, 'fixtures', 'crash-writer.ts');
const BLOB_SIZE = 16 * 64 * 1024; // fixtures/crash-writer.ts: BLOB_CHUNKS * BLOB_CHUNK

/**
 * Runs the writer until `shouldKill(line)` says so, kills it with SIGKILL, and returns the last
 * acknowledged round (-1 if none).
 */
function runAndKill(
  mode: 'puts' | 'blobs',
  stateDir: string,
  shouldKill: (line: string) => boolean,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, mode, stateDir], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let lastAcked = -1;
    let killed = false;
    let buffered = '';
    let stderr = '';
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`writer never reached the kill point; stderr: ${stderr}`));
    }, 60_000);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (killed) return; // anything after the kill signal may or may not have landed
        const acked = /^acked (\d+)$/.exec(line);
        if (acked) lastAcked = Number(acked[1]);
        if (shouldKill(line)) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      if (signal === 'SIGKILL' && killed) resolve(lastAcked);
      else reject(new Error(`writer exited by itself (code ${code}, signal ${signal}); stderr: ${stderr}`));
    });
  });
}

test('kill -9 while putting: every acknowledged write survives, batches are all or nothing', async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'slipway-crash-'));
  try {
    const killAt = 30 + Math.floor(Math.random() * 50);
    const lastAcked = await runAndKill('puts', stateDir, (line) => line === `acked ${killAt}`);
    assert.ok(lastAcked >= killAt);

    const store = await openStore({ stateDir, ephemeral: false }); // the dead writer's lock is stale
    try {
      const ns = store.namespace('crash');
      for (let i = 0; i <= lastAcked; i++) {
        assert.deepEqual(
          ns.get(`s/${i}`),
          { i, pad: 'x'.repeat(i % 200), nested: [i, { é: '😀' }] },
          `s/${i}`,
        );
        assert.equal(ns.get(`b/${i}/a`), i);
        assert.equal(ns.get(`b/${i}/b`), 0 - i); // -0 is stored as JSON 0
      }
      // Rounds after the last ack may have landed, but a batch never by halves.
      const batchKeys = ns.list('b/').map((e) => e.key);
      for (const key of batchKeys) {
        const round = key.split('/')[1]!;
        assert.ok(
          batchKeys.includes(`b/${round}/a`) && batchKeys.includes(`b/${round}/b`),
          `batch ${round} whole`,
        );
      }
      await ns.put('after-crash', true); // and it takes writes again
      assert.equal(ns.get('after-crash'), true);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
});

test('kill -9 while writing blobs: final names hold whole bodies only, temp files are swept', async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'slipway-crash-'));
  try {
    const killAt = 3 + Math.floor(Math.random() * 4);
    const lastAcked = await runAndKill('blobs', stateDir, (line) => line === `progress ${killAt}`);
    assert.ok(lastAcked >= killAt - 1);
    const blobDir = join(stateDir, 'blobs', 's3');

    for (const name of readdirSync(blobDir)) {
      if (name.endsWith(TEMP_SUFFIX)) continue; // a body in flight: invisible under any final name
      const i = Number(/^blob(\d+)$/.exec(name)?.[1]);
      const body = readFileSync(join(blobDir, name));
      assert.equal(body.length, BLOB_SIZE, `${name} is whole`);
      assert.ok(
        body.every((b) => b === i % 251),
        `${name} holds its own bytes`,
      );
    }
    for (let i = 0; i <= lastAcked; i++)
      assert.ok(readdirSync(blobDir).includes(`blob${i}`), `acked blob${i}`);

    const store = await openStore({ stateDir, ephemeral: false });
    try {
      assert.equal(store.blobDir('s3'), blobDir);
      assert.deepEqual(
        readdirSync(blobDir).filter((n) => n.endsWith(TEMP_SUFFIX)),
        [],
        'opening sweeps a dead writer’s temp files',
      );
    } finally {
      await store.close();
    }
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
});
