// 6. S3 throughput: PUT/s and GET/s of 1 KiB and 1 MiB objects for a fixed time each, against
// `slipway dev` (durable, the default, and --ephemeral) and its peers s3rver@3 and moto's server,
// each a guarded child process on loopback, driven by three clients:
//   - the AWS SDK v3 S3Client (path style), 16 requests in flight, with its default flexible
//     checksums (CRC32 computed in JS on both sides) — against Slipway, moto and the no-op server;
//   - the same client with checksums only when required (what s3rver needs: it stores aws-chunked
//     framing verbatim) — against Slipway, s3rver and the no-op server;
//   - a light client (bench/lib/s3-light.mjs: raw http.request, keep-alive, no SDK), 16 connections,
//     so a server's own capacity shows rather than the SDK's per-request CPU.
// The no-op server (bench/fixtures/s3-noop/server.mjs: 200 + ETag, stores nothing) is each client's
// ceiling on this machine: no server can be measured faster than it through that client.
// Then a streaming check on durable `slipway dev`: PUT a 1 GiB body generated on the fly (never a
// Buffer), GET it back streaming, sha256 on both sides, and dev's peak RSS (VmHWM).
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { BENCH, ROOT, startMoto, startS3rver } from '../lib/peers.mjs';
import { jsonReady, startGuarded } from '../lib/proc.mjs';
import { FAKE_SIGV4, lightClient } from '../lib/s3-light.mjs';
import { copyToTemp, NOOP, startDev } from '../lib/slipway.mjs';
import { row } from '../lib/stats.mjs';

const IN_FLIGHT = 16;
const KEYS_PER_WORKER = 4; // keys rotate per worker: bounded storage, no two writers on one key
const SIZES = [
  { label: '1 KiB', body: randomBytes(1024) },
  { label: '1 MiB', body: randomBytes(1024 * 1024) },
];
const CEILING = 'no-op server (client ceiling)';

// Client kinds: the metric's wording and how to drive a target with it.
const KINDS = {
  sdk: { metric: 'SDK', extra: {} },
  sdkRequired: {
    metric: 'SDK, checksums when required',
    extra: { requestChecksumCalculation: 'WHEN_REQUIRED' },
  },
  light: { metric: 'light client' },
};

const sdkClient = (endpoint, extra = {}) =>
  new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, // s3rver accepts only this key
    ...extra,
  });

const drain = async (body) => {
  let n = 0;
  for await (const chunk of body) n += chunk.length;
  return n;
};

/** Closed loop, IN_FLIGHT workers for `seconds`: { rate, failed, firstError }. */
async function closedLoop(seconds, op) {
  let ok = 0;
  let failed = 0;
  let firstError;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async (_, w) => {
      for (let i = 0; performance.now() < deadline; i++) {
        try {
          await op(`w${w}-k${i % KEYS_PER_WORKER}`);
          ok++;
        } catch (err) {
          failed++;
          firstError ??= err;
        }
      }
    }),
  );
  return { rate: ok / ((performance.now() - t0) / 1000), failed, firstError };
}

/** The same three calls through either client: { createBucket, put, get → bytes, close }. */
function driver(kind, endpoint, headers) {
  if (kind === 'light') return lightClient(endpoint, { connections: IN_FLIGHT, headers });
  const s3 = sdkClient(endpoint, KINDS[kind].extra);
  return {
    createBucket: (Bucket) => s3.send(new CreateBucketCommand({ Bucket })),
    put: (Bucket, Key, Body) => s3.send(new PutObjectCommand({ Bucket, Key, Body })),
    get: async (Bucket, Key) => drain((await s3.send(new GetObjectCommand({ Bucket, Key }))).Body),
    close: () => s3.destroy(),
  };
}

/** { '1 KiB': { PUT, GET }, '1 MiB': { PUT, GET } } for one S3 endpoint and client kind. */
async function measureTarget(kind, endpoint, seconds, headers = FAKE_SIGV4) {
  const c = driver(kind, endpoint, headers);
  const bucket = `bench-${kind.toLowerCase()}`;
  try {
    await c.createBucket(bucket);
    const result = {};
    for (const { label, body } of SIZES) {
      const key = (k) => `${label.replace(' ', '')}/${k}`;
      const put = (k) => c.put(bucket, key(k), body);
      for (let w = 0; w < IN_FLIGHT; w++) for (let k = 0; k < KEYS_PER_WORKER; k++) await put(`w${w}-k${k}`); // warm + fill
      const PUT = await closedLoop(seconds, put);
      const GET = await closedLoop(seconds, async (k) => {
        const n = await c.get(bucket, key(k));
        if (n !== body.length) throw new Error(`GET ${k}: ${n} bytes, expected ${body.length}`);
      });
      for (const [op, r] of Object.entries({ PUT, GET }))
        if (r.rate === 0) throw r.firstError ?? new Error(`${op} ${label}: no request succeeded`);
      result[label] = { PUT, GET };
    }
    return result;
  } finally {
    c.close();
  }
}

function startNoopS3() {
  return startGuarded({
    label: 's3-noop',
    command: process.execPath,
    args: [join(BENCH, 'fixtures/s3-noop/server.mjs')],
    cwd: ROOT,
    ready: jsonReady,
  }).then((guard) => ({ guard, endpoint: `http://127.0.0.1:${guard.info.port}` }));
}

/** Peak resident set (VmHWM) of a process, in MB. */
function peakRssMb(pid) {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : null;
}

const fmtRate = (r) =>
  r === undefined ? '–' : r.rate >= 100 ? Math.round(r.rate).toLocaleString('en') : r.rate.toFixed(1);

export default async function s3(ctx) {
  const seconds = ctx.dur(5, 1.5);
  const tmp = [];
  const mk = (prefix) => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    tmp.push(d);
    return d;
  };
  const out = [];
  // peers[kind] = [{ name, result | error }]
  const peers = { sdk: [], sdkRequired: [], light: [] };
  const measured = []; // [{ target, kind, result }] for the summary tables
  try {
    const peerRuns = [
      // s3rver stores an aws-chunked body (the SDK's default flexible checksums) verbatim, framing
      // included, so its SDK client (only) sends checksums when the operation requires them. It
      // serves anonymous requests and verifies any signature it is given: the light client sends none.
      [CEILING, null, startNoopS3, ['sdk', 'sdkRequired', 'light'], FAKE_SIGV4],
      ['s3rver@3', 's3rver', () => startS3rver(mk('slipway-bench-s3rver-')), ['sdkRequired', 'light'], {}],
      ['moto_server', 'moto', () => startMoto(), ['sdk', 'light'], FAKE_SIGV4],
    ];
    for (const [name, key, start, kinds, headers] of peerRuns) {
      ctx.log(`  ${name}…`);
      const unavailable = key && ctx.unavailable(key);
      if (unavailable) {
        for (const kind of kinds) peers[kind].push({ name, error: unavailable });
        continue;
      }
      let peer;
      try {
        peer = await start();
        for (const kind of kinds) {
          const result = await measureTarget(kind, peer.endpoint, seconds, headers);
          peers[kind].push({ name, result });
          measured.push({ target: name, kind, result });
        }
      } catch (err) {
        for (const kind of kinds)
          if (!peers[kind].some((p) => p.name === name))
            peers[kind].push({ name, error: peer?.guard.killed ?? err.message.split('\n')[0] });
      } finally {
        await peer?.guard.stop();
      }
    }
    for (const mode of ['durable', 'ephemeral']) {
      ctx.log(`  slipway dev (${mode})…`);
      const dev = await startDev(['--no-watch', ...(mode === 'ephemeral' ? ['--ephemeral'] : [])], {
        cwd: copyToTemp(NOOP, tmp),
      });
      try {
        for (const kind of Object.keys(KINDS)) {
          const mine = await measureTarget(kind, dev.info.endpoint, seconds);
          measured.push({ target: `slipway dev (${mode})`, kind, result: mine });
          const how = kind === 'light' ? `${IN_FLIGHT} connections` : `${IN_FLIGHT} in flight`;
          for (const { label } of SIZES)
            for (const op of ['PUT', 'GET'])
              for (const p of peers[kind]) {
                const failed = [
                  mine[label][op].failed &&
                    `slipway: ${mine[label][op].failed} failed (${mine[label][op].firstError})`,
                  p.result?.[label][op].failed && `${p.name}: ${p.result[label][op].failed} failed`,
                ];
                out.push(
                  row(
                    's3',
                    `${op} ${label} objects, ${KINDS[kind].metric}, ${how} (${mode})`,
                    'ops/s',
                    mine[label][op].rate,
                    p.name,
                    p.result?.[label][op].rate,
                    [p.error, ...failed].filter(Boolean).join('; ') || undefined,
                  ),
                );
              }
        }
        out.push(row('s3', `peak RSS of slipway dev after the load (${mode})`, 'MB', peakRssMb(dev.pid)));
      } finally {
        await dev.stop();
      }
    }
    for (const kind of Object.keys(KINDS))
      ctx.table(`s3-${kind}`, {
        title: `S3 ops/s through the ${KINDS[kind].metric} (${kind === 'light' ? `${IN_FLIGHT} keep-alive connections` : `${IN_FLIGHT} in flight`}, ${seconds} s per figure)`,
        columns: ['server', ...SIZES.flatMap(({ label }) => [`PUT ${label}`, `GET ${label}`])],
        rows: measured
          .filter((m) => m.kind === kind)
          .map((m) => [
            m.target,
            ...SIZES.flatMap(({ label }) => [fmtRate(m.result[label].PUT), fmtRate(m.result[label].GET)]),
          ]),
      });
    out.push(...(await streaming(ctx, tmp)));
  } finally {
    for (const d of tmp) rmSync(d, { recursive: true, force: true });
  }
  return out;
}

/** Durable slipway dev: STREAM_MIB streamed up from a generator and back down, sha256 both ways. */
async function streaming(ctx, tmp) {
  const STREAM_MIB = ctx.dur(1024, 128);
  const dev = await startDev(['--no-watch'], { cwd: copyToTemp(NOOP, tmp) });
  try {
    const s3 = sdkClient(dev.info.endpoint);
    await s3.send(new CreateBucketCommand({ Bucket: 'bench-stream' }));
    const baseline = peakRssMb(dev.pid);
    const chunk = randomBytes(1024 * 1024);
    const sent = createHash('sha256');
    async function* generate() {
      for (let i = 0; i < STREAM_MIB; i++) {
        chunk.writeUInt32BE(i, 0); // every MiB differs
        const piece = Buffer.from(chunk); // the SDK may hold a chunk while writing it
        sent.update(piece);
        yield piece;
      }
    }
    const bytes = STREAM_MIB * 1024 * 1024;
    let t = performance.now();
    await s3.send(
      new PutObjectCommand({
        Bucket: 'bench-stream',
        Key: 'big.bin',
        Body: Readable.from(generate()),
        ContentLength: bytes,
      }),
    );
    const putS = (performance.now() - t) / 1000;
    const afterPut = peakRssMb(dev.pid);
    t = performance.now();
    const res = await s3.send(new GetObjectCommand({ Bucket: 'bench-stream', Key: 'big.bin' }));
    const got = createHash('sha256');
    let n = 0;
    for await (const piece of res.Body) {
      got.update(piece);
      n += piece.length;
    }
    const getS = (performance.now() - t) / 1000;
    const afterGet = peakRssMb(dev.pid);
    const [sentHex, gotHex] = [sent.digest('hex'), got.digest('hex')];
    if (n !== bytes || sentHex !== gotHex)
      throw new Error(`streamed object differs: ${n} bytes, sha256 ${gotHex} vs ${sentHex}`);
    const size = STREAM_MIB >= 1024 ? `${STREAM_MIB / 1024} GiB` : `${STREAM_MIB} MiB`;
    return [
      row('s3', `${size} streaming PUT (durable, sha256 verified)`, 'MB/s', bytes / 1e6 / putS),
      row('s3', `${size} streaming GET (durable, sha256 verified)`, 'MB/s', bytes / 1e6 / getS),
      row('s3', `${size} streaming: slipway dev peak RSS before`, 'MB', baseline),
      row('s3', `${size} streaming: slipway dev peak RSS after PUT`, 'MB', afterPut),
      row('s3', `${size} streaming: slipway dev peak RSS after GET`, 'MB', afterGet),
    ];
  } finally {
    await dev.stop();
  }
}
