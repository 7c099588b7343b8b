// Store micro-benchmark (not a test): durable puts/s, sequential (await each) and concurrent (256
// in flight, which lmdb-js commits as one transaction per event turn), for lmdb vs memory, plus
// raw lmdb-js committing without waiting for the flush as a reference. About 5 s in all.
//   node bench/store.mjs
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register } from 'tsx/esm/api';

register();
const { createLmdbStore } = await import('../src/store/lmdb.ts');
const { createMemoryStore } = await import('../src/store/memory.ts');
const { open } = await import('lmdb');

const SECONDS = 0.8;
const IN_FLIGHT = 256;
const value = (i) => ({ id: i, body: 'x'.repeat(100), attrs: { a: 1, b: [1, 2, 3] } });

async function rate(label, step) {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < SECONDS * 1000) n += await step(n);
  const perSecond = n / ((performance.now() - start) / 1000);
  console.log(`${label.padEnd(46)} ${Math.round(perSecond).toLocaleString('en').padStart(10)} /s`);
  return perSecond;
}

async function measure(name, ns) {
  await rate(`${name}: put, sequential (await each)`, async (i) => (await ns.put(`seq/${i}`, value(i)), 1));
  await rate(`${name}: put, ${IN_FLIGHT} concurrent`, async (i) => {
    await Promise.all(Array.from({ length: IN_FLIGHT }, (_, j) => ns.put(`con/${i + j}`, value(i + j))));
    return IN_FLIGHT;
  });
  await rate(`${name}: get`, (i) => {
    for (let j = 0; j < 1000; j++) ns.get(`con/${(i + j) % 1000}`);
    return Promise.resolve(1000);
  });
}

const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-store-'));
try {
  const memory = createMemoryStore();
  await measure('memory', memory.namespace('bench'));
  await memory.close();

  const lmdb = await createLmdbStore(dir);
  await measure('lmdb (durable)', lmdb.namespace('bench'));
  await lmdb.close();

  // Reference: lmdb-js defaults, resolving at commit (not yet flushed to disk).
  const env = open({ path: join(dir, 'raw'), encoding: 'string' });
  const raw = env.openDB({ name: 'bench', encoding: 'string' });
  await rate(
    'raw lmdb-js, commit only: put, sequential',
    async (i) => (await raw.put(`seq/${i}`, JSON.stringify(value(i))), 1),
  );
  await env.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
