// 6. S3 throughput: PUT/s and GET/s of 1 KiB and 1 MiB objects, 16 requests in flight for a fixed
// time each, through the AWS SDK v3 S3Client (path style), against `slipway dev` (durable, the
// default, and --ephemeral) and its peers s3rver@3 and moto's server, each a guarded child process
// on loopback. Then a streaming check on durable `slipway dev`: PUT a 1 GiB body generated on the
// fly (never a Buffer), GET it back streaming, sha256 on both sides, and dev's peak RSS (VmHWM).
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { startMoto, startS3rver } from '../lib/peers.mjs';
import { copyToTemp, NOOP, startDev } from '../lib/slipway.mjs';
import { row } from '../lib/stats.mjs';

const IN_FLIGHT = 16;
const KEYS_PER_WORKER = 4; // keys rotate per worker: bounded storage, no two writers on one key
const SIZES = [
  { label: '1 KiB', body: randomBytes(1024) },
  { label: '1 MiB', body: randomBytes(1024 * 1024) },
];

const client = (endpoint, extra = {}) =>
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

/** { '1 KiB': { PUT, GET }, '1 MiB': { PUT, GET } } for one S3 endpoint. */
async function measureTarget(s3, seconds) {
  const bucket = 'bench-s3';
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const result = {};
  for (const { label, body } of SIZES) {
    const put = (key) =>
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${label}/${key}`, Body: body }));
    for (let w = 0; w < IN_FLIGHT; w++) for (let k = 0; k < KEYS_PER_WORKER; k++) await put(`w${w}-k${k}`); // warm + fill
    const PUT = await closedLoop(seconds, put);
    const GET = await closedLoop(seconds, async (key) => {
      const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `${label}/${key}` }));
      const n = await drain(res.Body);
      if (n !== body.length) throw new Error(`GET ${key}: ${n} bytes, expected ${body.length}`);
    });
    for (const [op, r] of Object.entries({ PUT, GET }))
      if (r.rate === 0) throw r.firstError ?? new Error(`${op} ${label}: no request succeeded`);
    result[label] = { PUT, GET };
  }
  return result;
}

/** Peak resident set (VmHWM) of a process, in MB. */
function peakRssMb(pid) {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : null;
}

export default async function s3(ctx) {
  const seconds = ctx.dur(5, 1.5);
  const tmp = [];
  const mk = (prefix) => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    tmp.push(d);
    return d;
  };
  const out = [];
  const peers = [];
  try {
    // s3rver stores an aws-chunked body (the SDK's default flexible checksums) verbatim, framing
    // included, so its client (only) sends checksums when the operation requires them.
    const peerRuns = [
      [
        's3rver@3',
        's3rver',
        () => startS3rver(mk('slipway-bench-s3rver-')),
        { requestChecksumCalculation: 'WHEN_REQUIRED' },
      ],
      ['moto_server', 'moto', () => startMoto(), {}],
    ];
    for (const [name, key, start, extra] of peerRuns) {
      ctx.log(`  ${name}…`);
      const unavailable = ctx.unavailable(key);
      if (unavailable) {
        peers.push({ name, error: unavailable });
        continue;
      }
      let peer;
      try {
        peer = await start();
        peers.push({ name, result: await measureTarget(client(peer.endpoint, extra), seconds) });
      } catch (err) {
        peers.push({ name, error: peer?.guard.killed ?? err.message.split('\n')[0] });
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
        const mine = await measureTarget(client(dev.info.endpoint), seconds);
        for (const { label } of SIZES)
          for (const op of ['PUT', 'GET'])
            for (const p of peers) {
              const failed = [
                mine[label][op].failed &&
                  `slipway: ${mine[label][op].failed} failed (${mine[label][op].firstError})`,
                p.result?.[label][op].failed && `${p.name}: ${p.result[label][op].failed} failed`,
              ];
              out.push(
                row(
                  's3',
                  `${op} ${label} objects, ${IN_FLIGHT} in flight (${mode})`,
                  'ops/s',
                  mine[label][op].rate,
                  p.name,
                  p.result?.[label][op].rate,
                  [p.error, ...failed].filter(Boolean).join('; ') || undefined,
                ),
              );
            }
        out.push(row('s3', `peak RSS of slipway dev after the load (${mode})`, 'MB', peakRssMb(dev.pid)));
      } finally {
        await dev.stop();
      }
    }
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
    const s3 = client(dev.info.endpoint);
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
