// The benchmark scenarios. Each returns rows { scenario, metric, unit, slipway, peer, peerValue, ratio }.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const CLI = join(root, 'bin/slipway.js');
const NOOP = join(here, 'fixtures/noop');
const dist = (p) => import(pathToFileURL(join(root, 'dist', p)).href);

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const sortNum = (xs) => [...xs].sort((a, b) => a - b);
const median = (xs) => percentile(sortNum(xs), 50);
const row = (scenario, metric, unit, slipway, peer = null, peerValue = null) => ({
  scenario,
  metric,
  unit,
  slipway,
  peer,
  peerValue,
  ratio: peer && peerValue ? slipway / peerValue : null,
});

async function loadNoop() {
  const { loadProject } = await dist('project/load.js');
  return loadProject({ template: join(NOOP, 'template.yaml') });
}

async function makeRuntime(project, transport = 'auto') {
  const { createRuntime } = await dist('runtime/index.js');
  const runtime = createRuntime({
    region: project.region,
    accountId: project.accountId,
    logSink: () => {},
    transport,
    stateDir: mkdtempSync(join(tmpdir(), 'slipway-bench-')),
    warn: () => {},
  });
  runtime.setFunctions([...project.functions.values()]);
  return runtime;
}

/** Warm invoke overhead: Invoker.invoke of a no-op handler vs calling the handler in-process. */
export async function invoke() {
  const project = await loadNoop();
  const payload = Buffer.from('{"hello":"world"}');
  const N = 5000;
  const out = [];
  const { handler } = await import(pathToFileURL(join(NOOP, 'src/noop.mjs')).href);
  const direct = [];
  for (let i = 0; i < N; i++) {
    const t = process.hrtime.bigint();
    await handler(JSON.parse(payload.toString()), {});
    direct.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const directP50 = median(direct);
  for (const transport of ['auto', 'http']) {
    const runtime = await makeRuntime(project, transport);
    try {
      for (let i = 0; i < 300; i++) await runtime.invoke('NodeNoop', { payload });
      const times = [];
      for (let i = 0; i < N; i++) {
        const t = process.hrtime.bigint();
        await runtime.invoke('NodeNoop', { payload });
        times.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      const s = sortNum(times);
      const label = transport === 'auto' ? 'fast channel' : 'HTTP Runtime API';
      out.push(
        row('invoke', `warm invoke p50 (${label})`, 'ms', percentile(s, 50), 'in-process call', directP50),
      );
      out.push(row('invoke', `warm invoke p99 (${label})`, 'ms', percentile(s, 99)));
      out.push(row('invoke', `warm invoke overhead p50 (${label})`, 'ms', percentile(s, 50) - directP50));
    } finally {
      await runtime.dispose();
    }
  }
  return out;
}

/** Cold start: a fresh environment's first result, per runtime, vs spawning a bare `node -e ''`. */
export async function cold() {
  const project = await loadNoop();
  const reps = 8;
  const bare = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    spawnSync(process.execPath, ['-e', '']);
    bare.push(performance.now() - t);
  }
  const out = [];
  for (const fn of ['NodeNoop', 'TsNoop', 'PyNoop']) {
    const walls = [];
    const inits = [];
    for (let i = 0; i < reps; i++) {
      const runtime = await makeRuntime(project);
      try {
        const t = performance.now();
        const r = await runtime.invoke(fn, { payload: Buffer.from('{}') });
        walls.push(performance.now() - t);
        if (r.initDurationMs !== undefined) inits.push(r.initDurationMs);
      } finally {
        await runtime.dispose();
      }
    }
    out.push(
      row(
        'cold',
        `${fn} cold start to first result (median)`,
        'ms',
        median(walls),
        "bare `node -e ''` spawn",
        median(bare),
      ),
    );
    if (inits.length) out.push(row('cold', `${fn} Init Duration (median)`, 'ms', median(inits)));
  }
  return out;
}

function startDevProcess(args, cwd = root) {
  const t = performance.now();
  const child = spawn(process.execPath, [CLI, 'dev', '--json', '--port', '0', '--api-port', '0', ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr.resume();
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(
      () => (child.kill('SIGKILL'), reject(new Error('dev not ready in 20 s'))),
      20000,
    );
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const obj = JSON.parse(line);
        if (obj.type === 'ready') {
          clearTimeout(timer);
          resolvePromise({ child, ready: obj, ms: performance.now() - t });
        }
      } catch {
        /* ignore */
      }
    });
    child.once('exit', (code) => reject(new Error(`dev exited ${code}`)));
  });
}

async function stopProcess(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** `slipway dev` on the example: spawn → ready line, vs spawning a bare node process. */
export async function ready() {
  const times = [];
  for (let i = 0; i < 5; i++) {
    const { child, ms } = await startDevProcess([
      '--template',
      join(root, 'examples/hello-api/template.yaml'),
      '--no-watch',
    ]);
    times.push(ms);
    await stopProcess(child);
  }
  const bare = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    spawnSync(process.execPath, ['-e', '']);
    bare.push(performance.now() - t);
  }
  return [
    row(
      'ready',
      'slipway dev ready (examples/hello-api, median of 5)',
      'ms',
      median(times),
      "bare `node -e ''` spawn",
      median(bare),
    ),
  ];
}

/** Hot reload: file write → first response served by the new code. */
export async function reload() {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-reload-'));
  cpSync(join(root, 'examples/hello-api'), dir, { recursive: true });
  const { child, ready: info } = await startDevProcess([], dir);
  const file = join(dir, 'src/hello/app.ts');
  const original = readFileSync(file, 'utf8');
  const times = [];
  try {
    await fetch(`${info.apiUrl}/my-endpoint`).then((r) => r.text());
    for (let i = 0; i < 10; i++) {
      const marker = `Reload${i}`;
      const t = performance.now();
      writeFileSync(file, original.replace('${name}!`', `\${name}! ${marker}\``));
      for (;;) {
        const body = await fetch(`${info.apiUrl}/my-endpoint`).then((r) => r.text());
        if (body.includes(marker)) break;
        if (performance.now() - t > 10000) throw new Error('reload not served within 10 s');
      }
      times.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await stopProcess(child);
    rmSync(dir, { recursive: true, force: true });
  }
  const s = sortNum(times);
  return [
    row('reload', 'save → first response with new code p50', 'ms', percentile(s, 50)),
    row('reload', 'save → first response with new code max', 'ms', s[s.length - 1]),
  ];
}

/** Event source → handler start: S3 PutObject and SQS SendMessage, p50/p99 over bounded repetitions. */
export async function events() {
  const { S3Client, PutObjectCommand, ListBucketsCommand } = await import('@aws-sdk/client-s3');
  const { SQSClient, SendMessageCommand, ListQueuesCommand } = await import('@aws-sdk/client-sqs');
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-events-'));
  cpSync(join(here, 'fixtures/events'), dir, { recursive: true });
  const child = spawn(
    process.execPath,
    [CLI, 'dev', '--json', '--port', '0', '--api-port', '0', '--ephemeral', '--stack-name', 'bench'],
    {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const started = [];
  let wake;
  createInterface({ input: child.stderr }).on('line', (line) => {
    const m = /STARTED (\d+(?:\.\d+)?)/.exec(line);
    if (m) {
      started.push(Number(m[1]));
      wake?.();
    }
  });
  const ready = await new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error('dev not ready in 20 s')), 20000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const obj = JSON.parse(line);
        if (obj.type === 'ready') {
          clearTimeout(timer);
          resolvePromise(obj);
        }
      } catch {
        /* ignore */
      }
    });
  });
  const now = () => performance.timeOrigin + performance.now();
  const nextStart = (count) =>
    new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error('handler did not start within 10 s')), 10000);
      wake = () => {
        if (started.length >= count) {
          clearTimeout(timer);
          resolvePromise(started[count - 1]);
        }
      };
      wake();
    });
  const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };
  const s3 = new S3Client({
    endpoint: ready.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials,
  });
  const sqs = new SQSClient({ endpoint: ready.endpoint, region: 'us-east-1', credentials });
  const out = [];
  try {
    const bucket = (await s3.send(new ListBucketsCommand({}))).Buckets[0].Name;
    const queueUrl = (await sqs.send(new ListQueuesCommand({}))).QueueUrls[0];
    const measure = async (label, send) => {
      await send(-1); // warm: the environment and the SDK connection
      await nextStart(started.length + 1);
      const latencies = [];
      for (let i = 0; i < 60; i++) {
        const expected = started.length + 1;
        const t0 = now();
        await send(i);
        latencies.push((await nextStart(expected)) - t0);
        await new Promise((r) => setTimeout(r, 20));
      }
      const sorted = sortNum(latencies);
      out.push(row('events', `${label} → handler start p50`, 'ms', percentile(sorted, 50)));
      out.push(row('events', `${label} → handler start p99`, 'ms', percentile(sorted, 99)));
    };
    await measure('S3 PutObject', (i) =>
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: `drop-${i}.txt`, Body: 'x' })),
    );
    await measure('SQS SendMessage', (i) =>
      sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: `job ${i}` })),
    );
  } finally {
    await stopProcess(child);
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

function cannon(url, seconds = 10, connections = 50) {
  return new Promise((resolvePromise, reject) => {
    autocannon({ url, connections, duration: seconds }, (err, result) =>
      err ? reject(err) : resolvePromise(result),
    );
  });
}

function rssOfTree(pid) {
  const r = spawnSync('ps', ['-o', 'rss=', '--ppid', String(pid)]);
  const own = spawnSync('ps', ['-o', 'rss=', '-p', String(pid)]);
  const kb = [...String(r.stdout).split('\n'), ...String(own.stdout).split('\n')]
    .map(Number)
    .filter((n) => n > 0);
  return kb.reduce((a, b) => a + b, 0) / 1024;
}

/** API request → Node handler → response: slipway dev vs a bare node http server returning the same JSON. */
export async function api() {
  const body = JSON.stringify({ ok: true });
  const bare = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise((r) => bare.listen(0, '127.0.0.1', r));
  const bareResult = await cannon(`http://127.0.0.1:${bare.address().port}/noop`);
  bare.close();
  const out = [row('api', 'bare node http requests/s', 'req/s', bareResult.requests.average)];
  for (const transport of ['auto', 'http']) {
    const { child, ready: info } = await startDevProcess([
      '--template',
      join(NOOP, 'template.yaml'),
      '--runtime-api',
      transport,
    ]);
    try {
      await fetch(`${info.apiUrl}/noop`).then((r) => r.text());
      const result = await cannon(`${info.apiUrl}/noop`);
      const label = transport === 'auto' ? 'fast channel' : 'HTTP Runtime API';
      out.push(
        row(
          'api',
          `requests/s (${label})`,
          'req/s',
          result.requests.average,
          'bare-node',
          bareResult.requests.average,
        ),
      );
      out.push(
        row('api', `latency p50 (${label})`, 'ms', result.latency.p50, 'bare-node', bareResult.latency.p50),
      );
      out.push(
        row('api', `latency p99 (${label})`, 'ms', result.latency.p99, 'bare-node', bareResult.latency.p99),
      );
      out.push(row('api', `non-2xx responses (${label})`, 'count', result.non2xx + result.errors));
      out.push(row('api', `RSS after load, slipway + environments (${label})`, 'MB', rssOfTree(child.pid)));
    } finally {
      await stopProcess(child);
    }
  }
  return out;
}

/** Start s3rver@3 as a child process on 127.0.0.1:0 with a temp directory; resolves { child, endpoint }. */
function startS3rver(directory) {
  const code = `
    import S3rver from 's3rver';
    const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: ${JSON.stringify(directory)} });
    const { port } = await server.run();
    process.stdout.write(JSON.stringify({ type: 'ready', port }) + '\\n');
    process.on('SIGINT', () => server.close().then(() => process.exit(0)));
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr.resume();
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(
      () => (child.kill('SIGKILL'), reject(new Error('s3rver not ready in 20 s'))),
      20000,
    );
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const obj = JSON.parse(line);
        if (obj.type === 'ready') {
          clearTimeout(timer);
          resolvePromise({ child, endpoint: `http://127.0.0.1:${obj.port}` });
        }
      } catch {
        /* ignore */
      }
    });
    child.once('exit', (c) => reject(new Error(`s3rver exited ${c}`)));
  });
}

/** Peak resident set (VmHWM) of a process, in MB. */
function peakRssMb(pid) {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : null;
}

/**
 * S3 throughput: PUT/s and GET/s of 1 KiB and 1 MiB objects, S3_IN_FLIGHT requests in flight for
 * S3_SECONDS each, through the AWS SDK v3 S3Client (path style), against `slipway dev` (ephemeral
 * and durable) and s3rver@3, each a child process on loopback. Then a streaming check on durable
 * `slipway dev`: PUT a STREAM_MIB body generated on the fly (never a Buffer), GET it back
 * streaming, sha256 on both sides, and the dev process's peak RSS (VmHWM).
 */
export async function s3() {
  const { S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand } =
    await import('@aws-sdk/client-s3');
  const { createHash, randomBytes } = await import('node:crypto');
  const { Readable } = await import('node:stream');
  const S3_SECONDS = 5;
  const S3_IN_FLIGHT = 16;
  const KEYS_PER_WORKER = 4; // keys rotate per worker: bounded storage, no two writers on one key
  const STREAM_MIB = 1024;
  const sizes = [
    { label: '1 KiB', body: randomBytes(1024) },
    { label: '1 MiB', body: randomBytes(1024 * 1024) },
  ];
  const client = (endpoint, extra = {}) =>
    new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      ...extra,
    });
  const drain = async (body) => {
    let n = 0;
    for await (const chunk of body) n += chunk.length;
    return n;
  };
  // Bounded-concurrency closed loop for a fixed duration: ops/s and failures.
  const load = async (op) => {
    let ok = 0;
    let failed = 0;
    let firstError;
    const deadline = performance.now() + S3_SECONDS * 1000;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: S3_IN_FLIGHT }, async (_, w) => {
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
  };
  const measureTarget = async (s3client) => {
    const bucket = 'bench-s3';
    await s3client.send(new CreateBucketCommand({ Bucket: bucket }));
    const result = {};
    for (const { label, body } of sizes) {
      const put = (key) =>
        s3client.send(new PutObjectCommand({ Bucket: bucket, Key: `${label}/${key}`, Body: body }));
      for (let w = 0; w < S3_IN_FLIGHT; w++)
        for (let k = 0; k < KEYS_PER_WORKER; k++) await put(`w${w}-k${k}`); // warm + fill for GETs
      const puts = await load(put);
      const gets = await load(async (key) => {
        const res = await s3client.send(new GetObjectCommand({ Bucket: bucket, Key: `${label}/${key}` }));
        const n = await drain(res.Body);
        if (n !== body.length) throw new Error(`GET ${key}: ${n} bytes, expected ${body.length}`);
      });
      for (const [op, r] of [
        ['PUT', puts],
        ['GET', gets],
      ]) {
        if (r.failed) process.stderr.write(`  ${op} ${label}: ${r.failed} failed, first: ${r.firstError}\n`);
        if (r.rate === 0) throw r.firstError ?? new Error(`${op} ${label}: no request succeeded`);
      }
      result[label] = { puts, gets };
    }
    return result;
  };

  const tmp = [];
  const mk = (prefix) => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    tmp.push(d);
    return d;
  };
  const out = [];
  try {
    // Peer: s3rver@3. It does not understand the SDK's default flexible checksums: a streamed body
    // sent aws-chunked with a CRC32 trailer is stored verbatim, framing included. So its client
    // (only) sends checksums when the operation requires them; Slipway's client keeps the defaults.
    const peer = await startS3rver(mk('slipway-bench-s3rver-'));
    let peerResult;
    try {
      peerResult = await measureTarget(
        client(peer.endpoint, {
          requestChecksumCalculation: 'WHEN_REQUIRED',
        }),
      );
    } finally {
      await stopProcess(peer.child);
    }
    for (const mode of ['ephemeral', 'durable']) {
      const dir = mk(`slipway-bench-s3-${mode}-`);
      cpSync(NOOP, dir, { recursive: true });
      const { child, ready: info } = await startDevProcess(
        ['--no-watch', ...(mode === 'ephemeral' ? ['--ephemeral'] : [])],
        dir,
      );
      try {
        const r = await measureTarget(client(info.endpoint));
        for (const { label } of sizes)
          for (const [op, key] of [
            ['PUT', 'puts'],
            ['GET', 'gets'],
          ]) {
            const mine = r[label][key];
            const theirs = peerResult[label][key];
            out.push(
              row(
                's3',
                `${op} ${label} objects, ${S3_IN_FLIGHT} in flight (${mode})`,
                'ops/s',
                mine.rate,
                's3rver@3',
                theirs.rate,
              ),
            );
            if (mine.failed || theirs.failed)
              out.push(
                row(
                  's3',
                  `${op} ${label} failed requests (${mode}; s3rver: ${theirs.failed})`,
                  'count',
                  mine.failed,
                ),
              );
          }
        out.push(row('s3', `peak RSS of slipway dev after load (${mode})`, 'MB', peakRssMb(child.pid)));
      } finally {
        await stopProcess(child);
      }
    }

    // Streaming: durable slipway dev, STREAM_MIB streamed up from a generator and back down.
    const dir = mk('slipway-bench-s3-stream-');
    cpSync(NOOP, dir, { recursive: true });
    const { child, ready: info } = await startDevProcess(['--no-watch'], dir);
    try {
      const s3client = client(info.endpoint);
      await s3client.send(new CreateBucketCommand({ Bucket: 'bench-stream' }));
      const baseline = peakRssMb(child.pid);
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
      await s3client.send(
        new PutObjectCommand({
          Bucket: 'bench-stream',
          Key: 'big.bin',
          Body: Readable.from(generate()),
          ContentLength: bytes,
        }),
      );
      const putS = (performance.now() - t) / 1000;
      const afterPut = peakRssMb(child.pid);
      t = performance.now();
      const res = await s3client.send(new GetObjectCommand({ Bucket: 'bench-stream', Key: 'big.bin' }));
      const got = createHash('sha256');
      let n = 0;
      for await (const piece of res.Body) {
        got.update(piece);
        n += piece.length;
      }
      const getS = (performance.now() - t) / 1000;
      const afterGet = peakRssMb(child.pid);
      const sentHex = sent.digest('hex');
      const gotHex = got.digest('hex');
      if (n !== bytes || sentHex !== gotHex)
        throw new Error(`streamed object differs: ${n} bytes, sha256 ${gotHex} vs ${sentHex}`);
      const size = STREAM_MIB >= 1024 ? `${STREAM_MIB / 1024} GiB` : `${STREAM_MIB} MiB`;
      out.push(row('s3', `${size} streaming PUT (durable, sha256 verified)`, 'MB/s', bytes / 1e6 / putS));
      out.push(row('s3', `${size} streaming GET (durable, sha256 verified)`, 'MB/s', bytes / 1e6 / getS));
      out.push(row('s3', `${size} streaming: slipway dev peak RSS before`, 'MB', baseline));
      out.push(row('s3', `${size} streaming: slipway dev peak RSS after PUT`, 'MB', afterPut));
      out.push(row('s3', `${size} streaming: slipway dev peak RSS after GET`, 'MB', afterGet));
    } finally {
      await stopProcess(child);
    }
  } finally {
    for (const d of tmp) rmSync(d, { recursive: true, force: true });
  }
  return out;
}
