/**
 * The Store contract (types.ts), one list of cases run against every backend (STYLE.md habit 10).
 * A case that cannot apply to a backend names it in `skip` with the reason; none does today.
 * LMDB-only persistence across close/reopen follows; crash tests are in crash.test.ts.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { writeBlobAtomically } from './blobs.ts';
import { MAX_KEY_BYTES } from './codec.ts';
import { createLmdbStore } from './lmdb.ts';
import { createMemoryStore } from './memory.ts';
import type { JsonValue, Store } from './types.ts';

type Kind = Store['kind'];
interface Backend {
  kind: Kind;
  open: () => Promise<{ store: Store; cleanup: () => void }>;
}

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'slipway-store-test-'));

const backends: Backend[] = [
  { kind: 'memory', open: () => Promise.resolve({ store: createMemoryStore(), cleanup: () => undefined }) },
  {
    kind: 'lmdb',
    open: async () => {
      const dir = tempDir();
      return {
        store: await createLmdbStore(dir),
        cleanup: () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
];

interface Case {
  name: string;
  skip?: Partial<Record<Kind, string>>;
  run: (store: Store) => Promise<void>;
}

const keysOf = (entries: Array<{ key: string }>): string[] => entries.map((e) => e.key);

/** Keys in UTF-8 byte order, which differs from JS's UTF-16 order ('\uFFFD' < '😀' here). */
const ORDERED_KEYS = [
  '',
  'a',
  'a/',
  'a/b',
  'a/b/c',
  'a0',
  'ab',
  'b',
  'z',
  '~',
  'é',
  'éa',
  '\uFFFD',
  '😀',
  '😀/x',
];

const cases: Case[] = [
  {
    name: 'get, put, delete',
    async run(store) {
      const ns = store.namespace('t');
      assert.equal(ns.get('k'), undefined);
      await ns.put('k', { a: 1 });
      assert.deepEqual(ns.get('k'), { a: 1 });
      await ns.delete('k');
      assert.equal(ns.get('k'), undefined);
      await ns.delete('never-there');
      assert.deepEqual(ns.list(''), []);
    },
  },
  {
    name: 'a put overwrites',
    async run(store) {
      const ns = store.namespace('t');
      await ns.put('k', 'one');
      await ns.put('k', ['two']);
      assert.deepEqual(ns.get('k'), ['two']);
      assert.deepEqual(ns.list(''), [{ key: 'k', value: ['two'] }]);
    },
  },
  {
    name: 'values round trip',
    async run(store) {
      const ns = store.namespace('t');
      const values: JsonValue[] = [
        null,
        true,
        false,
        0,
        -1.5,
        1e300,
        Number.MAX_SAFE_INTEGER,
        -Number.MAX_SAFE_INTEGER,
        '',
        'plain',
        'unicode: é ü 日本 😀 \u0000 inside \n\t "quoted"',
        [],
        {},
        [1, 'two', null, [3, [4]], { five: 5 }],
        { nested: { deeper: { list: [true, false, null], n: 0.1, s: 'x' } }, 'key with space/and é': 1 },
      ];
      await ns.batch(values.map((value, i) => ({ key: `v${i}`, value })));
      values.forEach((value, i) => assert.deepEqual(ns.get(`v${i}`), value, `value ${i}`));
      assert.deepEqual(
        ns.list('v').map((e) => e.value),
        ns.list('v').map((e) => values[Number(e.key.slice(1))]),
      );
    },
  },
  {
    name: 'values are stored as JSON.stringify would send them',
    async run(store) {
      const ns = store.namespace('t');
      const date = new Date(0);
      await ns.put('obj', { a: undefined, b: 1, f: () => 1, n: NaN, i: -Infinity, d: date } as never);
      assert.deepEqual(ns.get('obj'), { b: 1, n: null, i: null, d: date.toISOString() });
      await ns.put('arr', [undefined, () => 1, NaN] as never);
      assert.deepEqual(ns.get('arr'), [null, null, null]);
      await ns.put('negzero', -0);
      assert.ok(Object.is(ns.get('negzero'), 0));
      await assert.rejects(ns.put('top', undefined as never), TypeError);
      await assert.rejects(ns.put('fn', (() => 1) as never), TypeError);
      await assert.rejects(ns.put('big', 1n as never), TypeError);
      assert.equal(ns.get('top'), undefined);
      assert.equal(ns.get('fn'), undefined);
      assert.equal(ns.get('big'), undefined);
    },
  },
  {
    name: 'values are copies, in and out',
    async run(store) {
      const ns = store.namespace('t');
      const input = { list: [1] };
      await ns.put('k', input);
      input.list.push(2);
      const out = ns.get<{ list: number[] }>('k')!;
      out.list.push(3);
      assert.deepEqual(ns.get('k'), { list: [1] });
      ns.list<{ list: number[] }>('')[0]!.value.list.push(4);
      assert.deepEqual(ns.get('k'), { list: [1] });
    },
  },
  {
    name: 'a batch applies puts and deletes together',
    async run(store) {
      const ns = store.namespace('t');
      await ns.batch([
        { key: 'a', value: 1 },
        { key: 'b', value: 2 },
        { key: 'c', value: 3 },
      ]);
      await ns.batch([
        { key: 'a', value: undefined },
        { key: 'b', value: 'two' },
        { key: 'd', value: 4 },
        { key: 'd', value: 'four' },
      ]);
      assert.deepEqual(ns.list(''), [
        { key: 'b', value: 'two' },
        { key: 'c', value: 3 },
        { key: 'd', value: 'four' },
      ]);
      await ns.batch([]);
    },
  },
  {
    name: 'a batch with an invalid op applies nothing',
    async run(store) {
      const ns = store.namespace('t');
      await ns.put('keep', 1);
      await assert.rejects(
        ns.batch([
          { key: 'keep', value: undefined },
          { key: 'new', value: 1 },
          { key: 'bad', value: 1n as never },
        ]),
        TypeError,
      );
      await assert.rejects(
        ns.batch([
          { key: 'new', value: 1 },
          { key: 'x'.repeat(MAX_KEY_BYTES + 1), value: 1 },
        ]),
      );
      assert.deepEqual(ns.list(''), [{ key: 'keep', value: 1 }]);
    },
  },
  {
    name: 'list is in UTF-8 byte order, by prefix',
    async run(store) {
      const ns = store.namespace('t');
      const shuffled = [...ORDERED_KEYS].sort(() => Math.random() - 0.5);
      await Promise.all(shuffled.map((key, i) => ns.put(key, i)));
      assert.deepEqual(keysOf(ns.list('')), ORDERED_KEYS);
      assert.deepEqual(keysOf(ns.list('a')), ['a', 'a/', 'a/b', 'a/b/c', 'a0', 'ab']);
      assert.deepEqual(keysOf(ns.list('a/')), ['a/', 'a/b', 'a/b/c']);
      assert.deepEqual(keysOf(ns.list('é')), ['é', 'éa']);
      assert.deepEqual(keysOf(ns.list('😀')), ['😀', '😀/x']);
      assert.deepEqual(keysOf(ns.list('nope')), []);
      assert.deepEqual(keysOf(ns.list('a/b/c/')), []);
      const first = ns.list('b')[0];
      assert.equal(first?.value, shuffled.indexOf('b'));
    },
  },
  {
    name: 'list from start (inclusive) with limit',
    async run(store) {
      const ns = store.namespace('t');
      await ns.batch(ORDERED_KEYS.map((key) => ({ key, value: key })));
      assert.deepEqual(keysOf(ns.list('a', { start: 'a/b' })), ['a/b', 'a/b/c', 'a0', 'ab']);
      assert.deepEqual(keysOf(ns.list('a', { start: 'a/b!' })), ['a/b/c', 'a0', 'ab'], 'start between keys');
      assert.deepEqual(keysOf(ns.list('a', { start: '' })), keysOf(ns.list('a')), 'start before the prefix');
      assert.deepEqual(keysOf(ns.list('a', { start: 'b' })), [], 'start after the prefix');
      assert.deepEqual(keysOf(ns.list('', { limit: 3 })), ['', 'a', 'a/']);
      assert.deepEqual(keysOf(ns.list('', { start: 'é', limit: 2 })), ['é', 'éa']);
      assert.deepEqual(keysOf(ns.list('', { start: '\uFFFD' })), ['\uFFFD', '😀', '😀/x']);
      assert.deepEqual(ns.list('', { limit: 0 }), []);
      assert.deepEqual(keysOf(ns.list('a', { limit: 100 })), ['a', 'a/', 'a/b', 'a/b/c', 'a0', 'ab']);
      // Paging by `start` = next key after the last one seen.
      const paged: string[] = [];
      for (let start: string | undefined; ;) {
        const page = ns.list('', { start, limit: 4 });
        paged.push(...keysOf(page));
        if (page.length < 4) break;
        start = page[3]!.key + '\u0000';
      }
      assert.deepEqual(paged, ORDERED_KEYS);
    },
  },
  {
    name: 'a write is visible to get and list as soon as it is issued',
    async run(store) {
      const ns = store.namespace('t');
      await ns.batch([
        { key: 'a', value: 1 },
        { key: 'c', value: 3 },
        { key: 'e', value: 5 },
      ]);
      const writes = [ns.put('b', 2), ns.delete('c'), ns.put('e', 'five'), ns.put('f', 6)];
      assert.equal(ns.get('b'), 2);
      assert.equal(ns.get('c'), undefined);
      assert.deepEqual(ns.list(''), [
        { key: 'a', value: 1 },
        { key: 'b', value: 2 },
        { key: 'e', value: 'five' },
        { key: 'f', value: 6 },
      ]);
      assert.deepEqual(keysOf(ns.list('', { start: 'b', limit: 2 })), ['b', 'e']);
      await Promise.all(writes);
      assert.deepEqual(keysOf(ns.list('')), ['a', 'b', 'e', 'f']);
      // Same key, several writes in flight: the last one issued wins, during and after.
      const again = [ns.put('k', 1), ns.put('k', 2), ns.delete('k'), ns.put('k', 3)];
      assert.equal(ns.get('k'), 3);
      await Promise.all(again);
      assert.equal(ns.get('k'), 3);
    },
  },
  {
    name: 'many concurrent writes all resolve and land',
    async run(store) {
      const ns = store.namespace('t');
      await Promise.all(Array.from({ length: 500 }, (_, i) => ns.put(`k${String(i).padStart(3, '0')}`, i)));
      const all = ns.list('k');
      assert.equal(all.length, 500);
      all.forEach((e, i) => assert.equal(e.value, i));
    },
  },
  {
    name: 'keys: empty, long, and invalid',
    async run(store) {
      const ns = store.namespace('t');
      await ns.put('', 'empty key');
      assert.equal(ns.get(''), 'empty key');
      const longest = 'é'.repeat(MAX_KEY_BYTES / 2);
      await ns.put(longest, 1);
      assert.equal(ns.get(longest), 1);
      assert.deepEqual(keysOf(ns.list('é')), [longest]);
      await assert.rejects(ns.put(longest + 'x', 1), RangeError);
      assert.equal(ns.get(longest + 'x'), undefined);
      await assert.rejects(ns.put('lone \uD800 surrogate', 1), TypeError);
      await assert.rejects(ns.delete('lone \uDC00'), TypeError);
    },
  },
  {
    name: 'namespaces are isolated',
    async run(store) {
      const s3 = store.namespace('s3');
      const sqs = store.namespace('sqs');
      await Promise.all([s3.put('k', 's3'), sqs.put('k', 'sqs'), sqs.put('k2', 'sqs only')]);
      assert.equal(s3.get('k'), 's3');
      assert.equal(sqs.get('k'), 'sqs');
      assert.equal(s3.get('k2'), undefined);
      assert.deepEqual(keysOf(s3.list('')), ['k']);
      await s3.delete('k');
      assert.equal(sqs.get('k'), 'sqs');
      assert.equal(store.namespace('sqs').get('k2'), 'sqs only', 'asking again gives the same namespace');
      assert.throws(() => store.namespace('../up'), TypeError);
      assert.throws(() => store.namespace(''), TypeError);
    },
  },
  {
    name: 'blobDir: one directory per namespace, created on demand',
    async run(store) {
      const a = store.blobDir('s3');
      const b = store.blobDir('other');
      assert.notEqual(a, b);
      assert.ok(statSync(a).isDirectory());
      assert.equal(store.blobDir('s3'), a);
      const { path, size } = await writeBlobAtomically(a, 'body', Buffer.from('hello'));
      assert.equal(size, 5);
      assert.ok(existsSync(path));
      assert.ok(!existsSync(join(b, 'body')));
      assert.throws(() => store.blobDir('..'), TypeError);
      assert.throws(() => store.blobDir('a/b'), TypeError);
    },
  },
];

for (const backend of backends) {
  describe(`Store conformance: ${backend.kind}`, () => {
    for (const c of cases) {
      const skip = c.skip?.[backend.kind];
      test(c.name, { skip }, async () => {
        const { store, cleanup } = await backend.open();
        try {
          assert.equal(store.kind, backend.kind);
          await c.run(store);
        } finally {
          await store.close();
          cleanup();
        }
      });
    }
  });
}

describe('lmdb persistence', () => {
  test('close and reopen: data, order, deletes and blob dirs are there', async () => {
    const dir = tempDir();
    try {
      let store = await createLmdbStore(dir);
      const ns = store.namespace('s3');
      await ns.batch(ORDERED_KEYS.map((key) => ({ key, value: { key, n: [1, 2] } })));
      await ns.delete('a/b');
      void store.namespace('sqs').put('q', 'issued, not awaited: close must still land it');
      const blobs = store.blobDir('s3');
      await writeBlobAtomically(blobs, 'obj', Buffer.from('body'));
      await store.close();

      store = await createLmdbStore(dir);
      const expected = ORDERED_KEYS.filter((k) => k !== 'a/b');
      assert.deepEqual(keysOf(store.namespace('s3').list('')), expected);
      assert.deepEqual(store.namespace('s3').get('é'), { key: 'é', n: [1, 2] });
      assert.equal(store.namespace('sqs').get('q'), 'issued, not awaited: close must still land it');
      assert.equal(store.blobDir('s3'), blobs);
      assert.ok(existsSync(join(blobs, 'obj')));
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the layout: <dir>/db and <dir>/blobs/<namespace>', async () => {
    const dir = tempDir();
    try {
      const store = await createLmdbStore(dir);
      assert.equal(store.blobDir('s3'), join(dir, 'blobs', 's3'));
      assert.ok(statSync(join(dir, 'db')).isDirectory());
      await store.close();
      await store.close(); // closing twice is harmless
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
