import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, crc32Fallback, dosDateTime } from './zip-format.ts';
import { readCentralDirectory } from './zip-read.ts';
import { writeZip, type PreviousZip, type ZipInput } from './zip.ts';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function fileInput(name: string, content: Buffer, mode = 0o100644): ZipInput {
  return { name, mode, size: content.length, hash: sha(content), read: () => Promise.resolve(content) };
}

const dir = (name: string): ZipInput => ({ name, mode: 0o040755, size: 0 });

/** Python's zipfile: names, modes, CRC check (testzip) and contents. */
function pythonRead(path: string): Array<{ name: string; mode: number; content: string; method: number }> {
  const script = [
    'import json, sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'assert z.testzip() is None',
    'print(json.dumps([{"name": i.filename, "mode": i.external_attr >> 16, "method": i.compress_type,',
    '  "content": "" if i.is_dir() else z.read(i).hex()} for i in z.infolist()]))',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', script, path], { encoding: 'utf8' })) as Array<{
    name: string;
    mode: number;
    content: string;
    method: number;
  }>;
}

test('the CRC-32 fallback agrees with zlib', () => {
  for (const b of [Buffer.alloc(0), Buffer.from('hello'), randomBytes(10_000)])
    assert.equal(crc32Fallback(b), crc32(b));
});

test('DOS time is read in UTC and clamped to 1980', () => {
  assert.deepEqual(dosDateTime(0), { date: 33, time: 0 });
  // 2024-02-29 13:45:58 UTC
  const t = dosDateTime(Date.UTC(2024, 1, 29, 13, 45, 58) / 1000);
  assert.equal(t.date, (44 << 9) | (2 << 5) | 29);
  assert.equal(t.time, (13 << 11) | (45 << 5) | 29);
});

test('entries are sorted, modes kept, and unzip and python read the zip', async () => {
  const d = mkdtempSync(join(tmpdir(), 'slipway-zip-'));
  try {
    const path = join(d, 'a.zip');
    const big = Buffer.from('x'.repeat(100_000));
    const random = randomBytes(50_000);
    await writeZip(
      path,
      [
        fileInput('src/b.js', Buffer.from('b')),
        fileInput('bootstrap', Buffer.from('#!/bin/sh\n'), 0o100755),
        dir('src/'),
        fileInput('src/big.txt', big),
        fileInput('random.bin', random),
        fileInput('empty', Buffer.alloc(0)),
        fileInput('ünï.txt', Buffer.from('utf8 name')),
      ],
      { epochSeconds: 0 },
    );
    execFileSync('unzip', ['-tq', path]);
    const entries = pythonRead(path);
    assert.deepEqual(
      entries.map((e) => e.name),
      ['bootstrap', 'empty', 'random.bin', 'src/', 'src/b.js', 'src/big.txt', 'ünï.txt'],
    );
    const byName = new Map(entries.map((e) => [e.name, e]));
    assert.equal(byName.get('bootstrap')?.mode, 0o100755);
    assert.equal(byName.get('src/')?.mode, 0o040755);
    assert.equal(byName.get('src/b.js')?.mode, 0o100644);
    assert.equal(byName.get('src/big.txt')?.content, big.toString('hex'));
    assert.equal(byName.get('src/big.txt')?.method, 8, 'compressible: deflated');
    assert.equal(byName.get('random.bin')?.method, 0, 'incompressible: stored');
    assert.equal(byName.get('empty')?.method, 0);
    const cd = await readCentralDirectory(path);
    assert.equal(cd.length, 7);
    assert.ok(cd.every((e) => e.madeBy === 3));
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('same entries in any order give the same bytes; a patched zip equals a full rebuild', async () => {
  const d = mkdtempSync(join(tmpdir(), 'slipway-zip-'));
  try {
    const files = Array.from({ length: 40 }, (_, i) =>
      fileInput(`f/${String(i).padStart(2, '0')}.txt`, Buffer.from(`file ${i} `.repeat(500 + i))),
    );
    const a = join(d, 'a.zip');
    const b = join(d, 'b.zip');
    const first = await writeZip(a, files, { epochSeconds: 1_700_000_000 });
    await writeZip(b, [...files].reverse(), { epochSeconds: 1_700_000_000 });
    assert.deepEqual(readFileSync(a), readFileSync(b));

    const changed = [...files];
    changed[7] = fileInput('f/07.txt', Buffer.from('changed '.repeat(300)));
    const cd = new Map((await readCentralDirectory(a)).map((e) => [e.name, e]));
    const previous: PreviousZip = {
      path: a,
      byHash: new Map(first.entries.filter((e) => e.hash).map((e) => [e.hash!, cd.get(e.name)!])),
    };
    assert.ok(
      [...cd.values()].every((e) => e.contiguous),
      'records are copied byte for byte',
    );
    const patched = await writeZip(a, changed, { epochSeconds: 1_700_000_000, previous });
    assert.equal(patched.reused, 39);
    assert.equal(patched.compressed, 1);
    const full = await writeZip(b, changed, { epochSeconds: 1_700_000_000 });
    assert.equal(full.reused, 0);
    assert.deepEqual(readFileSync(a), readFileSync(b));
    assert.equal(patched.codeSha256, full.codeSha256);
    assert.equal(patched.codeSha256, createHash('sha256').update(readFileSync(a)).digest('base64'));
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('more than 65,535 entries are written with a ZIP64 end record', async () => {
  const d = mkdtempSync(join(tmpdir(), 'slipway-zip-'));
  try {
    const path = join(d, 'many.zip');
    const content = Buffer.from('x');
    const inputs = Array.from({ length: 70_000 }, (_, i) => fileInput(`n/${i}`, content));
    await writeZip(path, inputs, { epochSeconds: 0 });
    const count = execFileSync(
      'python3',
      ['-c', 'import sys,zipfile;print(len(zipfile.ZipFile(sys.argv[1]).infolist()))', path],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(Number(count), 70_000);
    assert.equal((await readCentralDirectory(path)).length, 70_000);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
