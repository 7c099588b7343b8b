// 5. Event chain latency in `slipway dev --ephemeral`, p50/p99 over bounded repetitions:
//   - S3 PutObject → handler start and SQS SendMessage → handler start (bench/fixtures/events: the
//     handler prints the absolute time it started, read from dev's output); the S3 figure twice:
//     from the SDK call (whose own ~1–2 ms of CPU per request is part of it) and from a raw HTTP
//     PUT (bench/lib/s3-light.mjs), which is closer to the server's own share;
//   - examples/chain end to end: PutObject incoming/<n> → Ingest → Kinesis → Transform → SQS →
//     Publish's "published results/<n>" line (its PutObject of the result has completed then).
// No peer here: none of the peers delivers S3, SQS or Kinesis events to a function locally.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { S3Client, PutObjectCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import { SQSClient, SendMessageCommand, ListQueuesCommand } from '@aws-sdk/client-sqs';
import { BENCH, ROOT } from '../lib/peers.mjs';
import { FAKE_SIGV4, lightClient } from '../lib/s3-light.mjs';
import { copyToTemp, startDev } from '../lib/slipway.mjs';
import { percentile, row, sleep, sortNum } from '../lib/stats.mjs';

const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const clients = (endpoint) => ({
  s3: new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials }),
  sqs: new SQSClient({ endpoint, region: 'us-east-1', credentials }),
});
const now = () => performance.timeOrigin + performance.now();

/** Resolves with the value `match(line)` returns for the first matching line after the call. */
function nextLine(guard, match, timeoutMs = 10_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => (off(), reject(new Error(`no matching output within ${timeoutMs / 1000} s`))),
      timeoutMs,
    );
    const off = guard.onLine((line) => {
      const value = match(line);
      if (value === undefined) return;
      clearTimeout(timer);
      off();
      resolve(value);
    });
  });
}

async function repeat(reps, once) {
  await once(-1); // warm: the environment, the SDK connection
  const latencies = [];
  for (let i = 0; i < reps; i++) {
    latencies.push(await once(i));
    await sleep(20);
  }
  return sortNum(latencies);
}

export default async function events(ctx) {
  const reps = ctx.dur(60, 15);
  const tmp = [];
  const out = [];
  const series = [];
  const report = (label, sorted) => {
    out.push(
      row('events', `${label} p50`, 'ms', percentile(sorted, 50), null, null, `${sorted.length} repetitions`),
    );
    out.push(row('events', `${label} p99`, 'ms', percentile(sorted, 99)));
    series.push({ name: label, samples: sorted });
  };
  try {
    const dev = await startDev(['--ephemeral', '--stack-name', 'bench'], {
      cwd: copyToTemp(join(BENCH, 'fixtures/events'), tmp),
    });
    try {
      const { s3, sqs } = clients(dev.info.endpoint);
      const bucket = (await s3.send(new ListBucketsCommand({}))).Buckets[0].Name;
      const queueUrl = (await sqs.send(new ListQueuesCommand({}))).QueueUrls[0];
      const started = (line) => {
        const m = /STARTED (\d+(?:\.\d+)?)/.exec(line);
        return m ? Number(m[1]) : undefined;
      };
      const viaHandlerStart = (send) => async (i) => {
        const seen = nextLine(dev, started);
        const t0 = now();
        await send(i);
        return (await seen) - t0;
      };
      report(
        'S3 PutObject → handler start',
        await repeat(
          reps,
          viaHandlerStart((i) =>
            s3.send(new PutObjectCommand({ Bucket: bucket, Key: `drop-${i}.txt`, Body: 'x' })),
          ),
        ),
      );
      const raw = lightClient(dev.info.endpoint, { connections: 1, headers: FAKE_SIGV4 });
      try {
        report(
          'S3 raw HTTP PUT → handler start',
          await repeat(
            reps,
            viaHandlerStart((i) => raw.put(bucket, `raw-${i}.txt`, Buffer.from('x'))),
          ),
        );
      } finally {
        raw.close();
      }
      report(
        'SQS SendMessage → handler start',
        await repeat(
          reps,
          viaHandlerStart((i) =>
            sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: `job ${i}` })),
          ),
        ),
      );
    } finally {
      await dev.stop();
    }

    const chain = await startDev(['--ephemeral', '--stack-name', 'chain'], {
      cwd: copyToTemp(join(ROOT, 'examples/chain'), tmp),
    });
    try {
      const { s3 } = clients(chain.info.endpoint);
      const bucket = (await s3.send(new ListBucketsCommand({}))).Buckets[0].Name;
      const e2e = await repeat(ctx.dur(30, 8), async (i) => {
        const name = `n${i + 1}.txt`;
        const published = nextLine(chain, (line) =>
          line.includes(`published results/${name}`) ? now() : undefined,
        );
        const t0 = now();
        await s3.send(
          new PutObjectCommand({ Bucket: bucket, Key: `incoming/${name}`, Body: 'the quick brown fox' }),
        );
        return (await published) - t0;
      });
      report('examples/chain end to end (S3 → Ingest → Kinesis → Transform → SQS → Publish)', e2e);
    } finally {
      await chain.stop();
    }
  } finally {
    for (const d of tmp) rmSync(d, { recursive: true, force: true });
  }
  ctx.chart('events-latency', { title: 'Event chain latency (histograms, ms)', kind: 'histogram', series });
  return out;
}
