/**
 * For the Lambda API's tests: zips made with Python's zipfile (another implementation than ours),
 * and a small composition of the real edge, the service and the runtime, wired as app/ wires them
 * (what the API deploys is handed to the runtime on every change).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { startEdge, type EdgeHandle } from '../../edge/server.ts';
import type { FunctionModel } from '../../project/model.ts';
import { createRuntime, unpackCodeArchive, type Runtime } from '../../runtime/index.ts';
import { systemClock } from '../../shared/clock.ts';
import type { Store } from '../../store/types.ts';
import type { ServiceContext } from '../types.ts';
import { createLambdaService, type LambdaService, type S3ObjectRead } from './index.ts';

/** A zip of `[name, content, unix mode]` entries, written by Python's zipfile. */
export function makeZip(entries: Array<[string, string, number?]>): Buffer {
  const script = [
    'import json, sys, zipfile, io',
    'buf = io.BytesIO()',
    'with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:',
    '    for e in json.loads(sys.argv[1]):',
    '        info = zipfile.ZipInfo(e[0])',
    '        info.external_attr = (0o100000 | (e[2] if len(e) > 2 and e[2] else 0o644)) << 16',
    '        info.compress_type = zipfile.ZIP_DEFLATED',
    '        z.writestr(info, e[1])',
    'sys.stdout.buffer.write(buf.getvalue())',
  ].join('\n');
  return execFileSync('python3', ['-c', script, JSON.stringify(entries)], { maxBuffer: 512 * 1024 * 1024 });
}

/** A zip of files of `size` zero bytes each (small zipped, large unzipped). */
export function zerosZip(names: string[], size: number): Buffer {
  const script = [
    'import json, sys, zipfile, io',
    'buf = io.BytesIO()',
    'with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:',
    '    for name in json.loads(sys.argv[1]):',
    '        with z.open(name, "w", force_zip64=True) as f:',
    '            for _ in range(int(sys.argv[2]) // 1048576): f.write(bytes(1048576))',
    'sys.stdout.buffer.write(buf.getvalue())',
  ].join('\n');
  return execFileSync('python3', ['-c', script, JSON.stringify(names), String(size)], {
    maxBuffer: 64 * 1024 * 1024,
  });
}

/**
 * A zip whose central directory is sound (Lambda accepts the upload) but whose entry data is not
 * deflate data: it fails only when unpacked.
 */
export function corruptZip(): Buffer {
  const script = [
    'import sys, zipfile, io, zlib',
    'buf = io.BytesIO()',
    'with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:',
    '    z.writestr("index.mjs", "export const handler = async () => 1;" * 50)',
    'data = bytearray(buf.getvalue())',
    'start = 30 + len("index.mjs")',
    'for i in range(start, start + 16): data[i] = 0xFF',
    'sys.stdout.buffer.write(bytes(data))',
  ].join('\n');
  return execFileSync('python3', ['-c', script]);
}

/** A Node.js handler module answering `{ answer, env }` (env: the variables named in the event's `env`). */
export function nodeHandlerZip(answer: string, file = 'index.mjs'): Buffer {
  return makeZip([
    [
      file,
      `export const handler = async (event) => ({ answer: ${JSON.stringify(answer)}, ` +
        `env: Object.fromEntries((event.env ?? []).map((k) => [k, process.env[k] ?? null])) });`,
    ],
  ]);
}

export interface Harness {
  client: LambdaClient;
  edge: EdgeHandle;
  lambda: LambdaService;
  runtime: Runtime;
  /** What the runtime was last handed. */
  running(): FunctionModel[];
  logs: string[];
  close(): Promise<void>;
}

export async function startHarness(
  store: Store,
  template: FunctionModel[],
  readS3Object: (bucket: string, key: string) => Promise<S3ObjectRead> = () =>
    Promise.resolve({ errorCode: 'NoSuchBucket', errorMessage: 'The specified bucket does not exist' }),
): Promise<Harness> {
  const scratch = mkdtempSync(join(tmpdir(), 'slipway-lambda-cp-'));
  let edge: EdgeHandle | undefined = undefined;
  let running: FunctionModel[] = [];
  const logs: string[] = [];
  const ctx: ServiceContext = {
    region: 'us-east-1',
    accountId: '123456789012',
    clock: systemClock,
    store,
    endpointUrl: () => edge?.url ?? '',
    emit: () => undefined,
    log: (line) => logs.push(line),
  };
  const runtime = createRuntime({
    region: 'us-east-1',
    accountId: '123456789012',
    logSink: () => undefined,
    stateDir: join(scratch, 'state'),
    warn: () => undefined,
  });
  const lambda = createLambdaService(ctx, {
    functions: () => running,
    invoke: (name, request) => runtime.invoke(name, request),
    invokeAsync: () => Promise.resolve({ requestId: 'async' }),
    readS3Object,
    unpackCode: (zipPath, owner) => unpackCodeArchive(zipPath, store.blobDir('lambda-code'), owner),
  });
  const apply = (): void => {
    running = lambda.functionsFor(template);
    try {
      runtime.setFunctions(running);
    } catch {
      // A function that cannot start reports it when invoked.
    }
  };
  lambda.onFunctionsChanged(apply);
  await lambda.ready();
  apply();
  edge = await startEdge({
    host: '127.0.0.1',
    port: 0,
    health: () => ({}),
    services: [lambda],
    routes: [(req, res) => lambda.serveCode(req, res)],
  });
  const client = new LambdaClient({
    endpoint: edge.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  const handle = edge;
  return {
    client,
    edge: handle,
    lambda,
    runtime,
    running: () => running,
    logs,
    async close() {
      client.destroy();
      await runtime.dispose();
      await handle.close();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
