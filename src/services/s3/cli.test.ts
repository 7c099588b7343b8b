import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveService, type ServedService } from '../../../test/helpers/service-server.ts';
import { createS3Service, type S3Service } from './index.ts';

let served: ServedService<S3Service>;
let work: string;

before(async () => {
  served = await serveService(createS3Service);
  work = mkdtempSync(join(tmpdir(), 'slipway-s3-cli-'));
});
after(async () => {
  await served.close();
  rmSync(work, { recursive: true, force: true });
});

/** Runs `aws --endpoint-url <endpoint> ...args`, bounded in time. */
function aws(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('aws', ['--endpoint-url', served.endpoint, ...args], {
      cwd: work,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: work,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_CONFIG_FILE: join(work, 'no-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-credentials'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

async function ok(...args: string[]): Promise<string> {
  const r = await aws(...args);
  assert.equal(r.code, 0, `aws ${args.join(' ')} failed:\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

test(
  'aws s3 mb, cp (10 MB multipart) both ways, ls, sync, rm --recursive',
  { timeout: 240_000 },
  async () => {
    await ok('s3', 'mb', 's3://cli-bucket');
    const big = Buffer.alloc(10 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i);
    writeFileSync(join(work, 'big.bin'), big);
    await ok('s3', 'cp', join(work, 'big.bin'), 's3://cli-bucket/dir/big file.bin');
    const stored = await served.service.getObject('cli-bucket', 'dir/big file.bin');
    assert.equal(sha(stored!), sha(big));
    await ok('s3', 'cp', 's3://cli-bucket/dir/big file.bin', join(work, 'down.bin'));
    assert.equal(sha(readFileSync(join(work, 'down.bin'))), sha(big));

    const src = join(work, 'tree');
    mkdirSync(join(src, 'sub dir'), { recursive: true });
    writeFileSync(join(src, 'a.txt'), 'a');
    writeFileSync(join(src, 'plus+file.txt'), 'plus');
    writeFileSync(join(src, 'sub dir', 'ünï.txt'), 'unicode');
    await ok('s3', 'sync', src, 's3://cli-bucket/tree');
    const ls = await ok('s3', 'ls', '--recursive', 's3://cli-bucket/');
    for (const k of ['dir/big file.bin', 'tree/a.txt', 'tree/plus+file.txt', 'tree/sub dir/ünï.txt'])
      assert.ok(ls.includes(k), `${k} in:\n${ls}`);
    const top = await ok('s3', 'ls', 's3://cli-bucket/');
    assert.match(top, /PRE dir\//);
    assert.match(top, /PRE tree\//);
    // A second sync uploads nothing.
    const again = await ok('s3', 'sync', src, 's3://cli-bucket/tree');
    assert.equal(again.trim(), '');
    // Sync down into a fresh directory.
    await ok('s3', 'sync', 's3://cli-bucket/tree', join(work, 'back'));
    assert.equal(readFileSync(join(work, 'back', 'sub dir', 'ünï.txt'), 'utf8'), 'unicode');
    assert.equal(readFileSync(join(work, 'back', 'plus+file.txt'), 'utf8'), 'plus');

    await ok('s3', 'rm', '--recursive', 's3://cli-bucket/');
    const empty = await aws('s3', 'ls', '--recursive', 's3://cli-bucket/');
    assert.equal(empty.stdout.trim(), '');
    await ok('s3', 'rb', 's3://cli-bucket');
  },
);

test('aws s3api errors and head-object', { timeout: 60_000 }, async () => {
  await ok('s3api', 'create-bucket', '--bucket', 'cli-api');
  await ok('s3api', 'put-object', '--bucket', 'cli-api', '--key', 'k', '--content-type', 'text/plain');
  const head = JSON.parse(await ok('s3api', 'head-object', '--bucket', 'cli-api', '--key', 'k')) as {
    ContentType: string;
    ContentLength: number;
  };
  assert.equal(head.ContentType, 'text/plain');
  assert.equal(head.ContentLength, 0);
  const missing = await aws(
    's3api',
    'get-object',
    '--bucket',
    'cli-api',
    '--key',
    'missing',
    join(work, 'x'),
  );
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /NoSuchKey/);
});
