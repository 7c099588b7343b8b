// SQS throughput through the AWS SDK v3 SQSClient, 16 requests in flight for a fixed time each:
// SendMessage (small body), then ReceiveMessage (10 at a time, no wait) + DeleteMessageBatch until
// the time is up or the queue is empty; `slipway dev` (durable and --ephemeral) vs moto's server.
import { rmSync } from 'node:fs';
import {
  SQSClient,
  CreateQueueCommand,
  SendMessageCommand,
  ReceiveMessageCommand,
  DeleteMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { startMoto } from '../lib/peers.mjs';
import { copyToTemp, NOOP, startDev } from '../lib/slipway.mjs';
import { row } from '../lib/stats.mjs';

const IN_FLIGHT = 16;

async function measureTarget(endpoint, seconds) {
  const sqs = new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'bench-sqs' }));
  const loop = async (op) => {
    let count = 0;
    let failed = 0;
    let firstError;
    let empty = false;
    const t0 = performance.now();
    const deadline = t0 + seconds * 1000;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (!empty && performance.now() < deadline)
          try {
            const n = await op();
            if (n === 0) empty = true;
            count += n;
          } catch (err) {
            failed++;
            firstError ??= err;
          }
      }),
    );
    if (count === 0) throw firstError ?? new Error('no message went through');
    return { rate: count / ((performance.now() - t0) / 1000), failed };
  };
  for (let i = 0; i < 50; i++) await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'warm' }));
  const send = await loop(
    async () => (await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: '{"job":1}' })), 1),
  );
  const receive = await loop(async () => {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (Messages.length)
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    return Messages.length;
  });
  return { send, receive };
}

export default async function sqs(ctx) {
  const seconds = ctx.dur(5, 1.5);
  const tmp = [];
  const out = [];
  let peer;
  const unavailable = ctx.unavailable('moto');
  if (unavailable) peer = { error: unavailable };
  else {
    ctx.log('  moto_server…');
    let moto;
    try {
      moto = await startMoto();
      peer = { result: await measureTarget(moto.endpoint, seconds) };
    } catch (err) {
      peer = { error: moto?.guard.killed ?? err.message.split('\n')[0] };
    } finally {
      await moto?.guard.stop();
    }
  }
  try {
    for (const mode of ['durable', 'ephemeral']) {
      ctx.log(`  slipway dev (${mode})…`);
      const dev = await startDev(['--no-watch', ...(mode === 'ephemeral' ? ['--ephemeral'] : [])], {
        cwd: copyToTemp(NOOP, tmp),
      });
      try {
        const mine = await measureTarget(dev.info.endpoint, seconds);
        out.push(
          row(
            'sqs',
            `SendMessage, ${IN_FLIGHT} in flight (${mode})`,
            'msg/s',
            mine.send.rate,
            'moto_server',
            peer.result?.send.rate,
            peer.error,
          ),
        );
        out.push(
          row(
            'sqs',
            `ReceiveMessage ×10 + DeleteMessageBatch, ${IN_FLIGHT} in flight (${mode})`,
            'msg/s',
            mine.receive.rate,
            'moto_server',
            peer.result?.receive.rate,
            peer.error,
          ),
        );
      } finally {
        await dev.stop();
      }
    }
  } finally {
    for (const d of tmp) rmSync(d, { recursive: true, force: true });
  }
  return out;
}
