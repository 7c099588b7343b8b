import { randomUUID } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';

// Created once per execution environment and reused while it is warm.
const s3 = new S3Client({});
const lambda = new LambdaClient({});

/** Hand the job off when less than this is left (and never start a batch that could not finish). */
const SAFETY_MARGIN_MS = Number(process.env.SAFETY_MARGIN_MS ?? 1000);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const json = (statusCode, body) => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** `s3://bucket/key`, or just a key in the Data bucket. */
function parseDataUrl(dataUrl) {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(dataUrl);
  if (match) return { bucket: match[1], key: match[2] };
  return { bucket: process.env.DATA_BUCKET, key: dataUrl.replace(/^\/+/, '') };
}

/** Checks a POST /runs body; returns the job or a message saying what is wrong. */
function validate(body) {
  if (!body || typeof body !== 'object') return 'the body must be a JSON object';
  const { data_url, destination, callback, batch_size = 50, rate_per_second = 20 } = body;
  if (typeof data_url !== 'string' || data_url === '') return 'data_url is required';
  for (const [name, value] of Object.entries({ destination, callback })) {
    try {
      if (!/^https?:$/.test(new URL(value).protocol)) throw new Error();
    } catch {
      return `${name} must be an http(s) URL`;
    }
  }
  if (!Number.isInteger(batch_size) || batch_size < 1) return 'batch_size must be a positive integer';
  if (typeof rate_per_second !== 'number' || !(rate_per_second > 0))
    return 'rate_per_second must be a positive number';
  return { data_url, destination, callback, batch_size, rate_per_second };
}

/** POST /runs: checks the request and the object, then hands the job to an async invocation. */
async function start(event) {
  let body;
  try {
    body = JSON.parse(event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString() : event.body);
  } catch {
    return json(400, { message: 'the body must be JSON' });
  }
  const job = validate(body);
  if (typeof job === 'string') return json(400, { message: job });
  const { bucket, key } = parseDataUrl(job.data_url);
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  } catch (err) {
    const status = err.$metadata?.httpStatusCode;
    if (status === 404 || status === 403)
      return json(404, { message: `s3://${bucket}/${key} does not exist` });
    throw err;
  }
  const runId = randomUUID();
  await handOff({ ...job, runId, offset: 0, invocation: 0, nextSendAt: 0 });
  console.log(`run ${runId}: started for s3://${bucket}/${key}`);
  return json(202, { runId });
}

/** Queues the rest of the job as an asynchronous invocation of this same function. */
async function handOff(job) {
  const next = { ...job, invocation: job.invocation + 1 };
  const out = await lambda.send(
    new InvokeCommand({
      FunctionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      InvocationType: 'Event',
      Payload: Buffer.from(JSON.stringify(next)),
    }),
  );
  if (out.StatusCode !== 202) throw new Error(`async self-invocation answered ${out.StatusCode}`);
}

/** Best effort: a callback that is down must not stop the job. */
async function report(job, status, sent, total, extra = {}) {
  try {
    const res = await fetch(job.callback, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status, sent, total, runId: job.runId, invocation: job.invocation, ...extra }),
      signal: AbortSignal.timeout(500),
    });
    await res.arrayBuffer();
  } catch (err) {
    console.log(`run ${job.runId}: callback ${status} report failed: ${err.message}`);
  }
}

async function readLines(dataUrl) {
  const { bucket, key } = parseDataUrl(dataUrl);
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const text = await object.Body.transformToString();
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line);
      } catch {
        throw new Error(`line ${i + 1} of s3://${bucket}/${key} is not JSON`);
      }
    });
}

/**
 * One invocation's share of a job: batches from `offset` on, at most `rate_per_second` batches a
 * second (`nextSendAt` carries the pacing across invocations), until done or time runs short.
 * Errors are reported, not thrown: a retried asynchronous invocation would send batches twice.
 */
async function work(job, context) {
  const interval = 1000 / job.rate_per_second;
  let { offset, nextSendAt } = job;
  let total = 0;
  try {
    const records = await readLines(job.data_url);
    total = records.length;
    let sentHere = 0;
    while (offset < total) {
      const wait = Math.max(0, nextSendAt - Date.now());
      // Always make progress (one batch) per invocation; after that, stop while there is time.
      if (sentHere > 0 && context.getRemainingTimeInMillis() - wait < SAFETY_MARGIN_MS) {
        console.log(`run ${job.runId}: handing off at ${offset}/${total}`);
        await handOff({ ...job, offset, nextSendAt });
        return { runId: job.runId, handedOffAt: offset };
      }
      await sleep(wait);
      const batch = records.slice(offset, offset + job.batch_size);
      nextSendAt = Date.now() + interval;
      const res = await fetch(job.destination, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(batch),
        signal: AbortSignal.timeout(Math.max(100, context.getRemainingTimeInMillis() - 200)),
      });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`destination answered ${res.status} for lines ${offset}..`);
      offset += batch.length;
      sentHere++;
      await report(job, offset < total ? 'running' : 'done', offset, total);
    }
    if (total === 0) await report(job, 'done', 0, 0);
    console.log(`run ${job.runId}: done, ${total} lines in ${job.invocation} invocation(s)`);
    return { runId: job.runId, sent: offset, total };
  } catch (err) {
    console.log(`run ${job.runId}: failed at ${offset}/${total}: ${err.message}`);
    await report(job, 'failed', offset, total, { error: err.message });
    return { runId: job.runId, failed: err.message };
  }
}

export const handler = async (event, context) => {
  if (event.httpMethod || event.requestContext) return start(event);
  return work(event, context);
};
