/**
 * Deploying into a running `slipway dev` through the Lambda API, as `slipway deploy --quick` and
 * users' scripts do: the `aws` CLI and the AWS SDK v3 against the real CLI, then a restart with the
 * same --state-dir.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { copyProject, isAlive, startDev, type DevProcess } from '../helpers/slipway.ts';
import { makeZip, nodeHandlerZip } from '../../src/services/lambda/test-support.ts';

const run = promisify(execFile);
const ROLE = 'arn:aws:iam::123456789012:role/lambda-role';
const WAIT = { maxWaitTime: 30, minDelay: 1 } as const;
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
const CLI_ENV = {
  ...process.env,
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
};

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('base64');

/** An API Gateway proxy handler answering `{ deployed }` (stands in for examples/hello-api's HelloFunction). */
function apiHandlerZip(deployed: string): Buffer {
  return makeZip([
    [
      'app.mjs',
      `export const handler = async () => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ deployed: ${JSON.stringify(deployed)} }) });`,
    ],
  ]);
}

describe('deploying into slipway dev through the Lambda API', () => {
  const project = copyProject('examples/hello-api');
  const stateDir = join(project.dir, 'state');
  const files = join(project.dir, 'zips');
  let dev: DevProcess;
  let lambda: LambdaClient;
  const aws = (args: string[]) =>
    run('aws', ['--endpoint-url', dev.endpoint, ...args], { env: CLI_ENV, timeout: 60_000 });

  const start = async (): Promise<void> => {
    dev = await startDev(['--state-dir', stateDir, '--no-watch'], { cwd: project.dir, durable: true });
    lambda?.destroy();
    lambda = new LambdaClient({
      endpoint: dev.endpoint,
      region: 'us-east-1',
      credentials: CREDENTIALS,
      maxAttempts: 1,
    });
  };

  before(async () => {
    mkdirSync(files, { recursive: true });
    await start();
  });
  after(async () => {
    lambda?.destroy();
    await dev?.stop('SIGKILL');
    project.remove();
  });

  test('aws lambda create-function --zip-file fileb://fn.zip, then aws lambda invoke returns its answer', async () => {
    const zip = nodeHandlerZip('from the aws CLI');
    const zipPath = join(files, 'fn.zip');
    writeFileSync(zipPath, zip);
    const created = await aws([
      'lambda',
      'create-function',
      '--function-name',
      'cli-fn',
      '--runtime',
      'nodejs20.x',
      '--handler',
      'index.handler',
      '--role',
      ROLE,
      '--zip-file',
      `fileb://${zipPath}`,
    ]);
    const config = JSON.parse(created.stdout) as Record<string, unknown>;
    assert.equal(config.FunctionName, 'cli-fn');
    assert.equal(config.CodeSha256, sha256(zip));
    const out = join(files, 'out.json');
    const invoked = await aws(['lambda', 'invoke', '--function-name', 'cli-fn', '--payload', '{}', out]);
    assert.equal((JSON.parse(invoked.stdout) as { StatusCode: number }).StatusCode, 200);
    assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), { answer: 'from the aws CLI', env: {} });
  });

  test('the aws CLI reports bad input with AWS error codes (and nothing is created)', async () => {
    const zipPath = join(files, 'fn.zip');
    const create = (name: string, runtime: string) =>
      aws([
        'lambda', 'create-function', '--function-name', name, '--runtime', runtime,
        '--handler', 'index.handler', '--role', ROLE, '--zip-file', `fileb://${zipPath}`,
      ]); // prettier-ignore
    const failsWith = (pattern: RegExp) => (err: { code: number; stderr: string }) => {
      assert.notEqual(err.code, 0);
      assert.match(err.stderr, pattern);
      return true;
    };
    await assert.rejects(
      create('cli-fn', 'nodejs20.x'),
      failsWith(/ResourceConflictException.*Function already exist: cli-fn/),
    );
    await assert.rejects(
      create('cobol-fn', 'cobol85'),
      failsWith(/InvalidParameterValueException.*Value cobol85 at 'runtime'/),
    );
    await assert.rejects(
      aws(['lambda', 'get-function', '--function-name', 'cobol-fn']),
      failsWith(/ResourceNotFoundException/),
    );
    await assert.rejects(
      aws(['lambda', 'invoke', '--function-name', 'nope', join(files, 'x.json')]),
      failsWith(/ResourceNotFoundException/),
    );
  });

  test('SDK: CreateFunction from S3; UpdateFunctionCode then the new code; CodeSha256 and Code.Location', async () => {
    const s3 = new S3Client({
      endpoint: dev.endpoint,
      region: 'us-east-1',
      credentials: CREDENTIALS,
      forcePathStyle: true,
    });
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'deploys' }));
      const first = nodeHandlerZip('from S3');
      await s3.send(new PutObjectCommand({ Bucket: 'deploys', Key: 'fn/first.zip', Body: first }));
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: 'sdk-fn',
          Runtime: 'nodejs20.x',
          Handler: 'index.handler',
          Role: ROLE,
          Code: { S3Bucket: 'deploys', S3Key: 'fn/first.zip' },
        }),
      );
      await waitUntilFunctionActiveV2({ client: lambda, ...WAIT }, { FunctionName: 'sdk-fn' });
      const one = await lambda.send(
        new InvokeCommand({ FunctionName: 'sdk-fn', Payload: Buffer.from('{}') }),
      );
      assert.equal(
        (JSON.parse(Buffer.from(one.Payload ?? []).toString()) as { answer: string }).answer,
        'from S3',
      );

      const second = nodeHandlerZip('updated');
      const updated = await lambda.send(
        new UpdateFunctionCodeCommand({ FunctionName: 'sdk-fn', ZipFile: second }),
      );
      assert.equal(updated.LastUpdateStatus, 'InProgress');
      await waitUntilFunctionUpdatedV2({ client: lambda, ...WAIT }, { FunctionName: 'sdk-fn' });
      const two = await lambda.send(
        new InvokeCommand({ FunctionName: 'sdk-fn', Payload: Buffer.from('{}') }),
      );
      assert.equal(
        (JSON.parse(Buffer.from(two.Payload ?? []).toString()) as { answer: string }).answer,
        'updated',
      );

      const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'sdk-fn' }));
      assert.equal(got.Configuration?.CodeSha256, sha256(second));
      assert.equal(got.Configuration?.CodeSize, second.length);
      const download = await fetch(got.Code?.Location ?? '');
      assert.equal(download.status, 200);
      assert.ok(Buffer.from(await download.arrayBuffer()).equals(second));
    } finally {
      s3.destroy();
    }
  });

  test('UpdateFunctionCode on a template function: its API route serves the deployed code', async () => {
    const before = (await (await fetch(`${dev.apiUrl}/my-endpoint?name=Ada`)).json()) as { message: string };
    assert.equal(before.message, 'Hello, Ada!');
    await lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: 'HelloFunction', ZipFile: apiHandlerZip('v2') }),
    );
    await waitUntilFunctionUpdatedV2({ client: lambda, ...WAIT }, { FunctionName: 'HelloFunction' });
    const after = (await (await fetch(`${dev.apiUrl}/my-endpoint`)).json()) as { deployed: string };
    assert.deepEqual(after, { deployed: 'v2' });
    await dev.waitForLine(
      (l) => l.type === 'info' && String(l.message).startsWith('⇪ HelloFunction runs the code deployed'),
    );
  });

  test('PublishVersion: name:1 keeps running version 1 after a later update', async () => {
    await lambda.send(new PublishVersionCommand({ FunctionName: 'sdk-fn' }));
    await lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: 'sdk-fn', ZipFile: nodeHandlerZip('third') }),
    );
    await waitUntilFunctionUpdatedV2({ client: lambda, ...WAIT }, { FunctionName: 'sdk-fn' });
    const answer = async (name: string): Promise<string> => {
      const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{}') }));
      return (JSON.parse(Buffer.from(out.Payload ?? []).toString()) as { answer: string }).answer;
    };
    assert.equal(await answer('sdk-fn'), 'third');
    assert.equal(await answer('sdk-fn:1'), 'updated');
    const queued = await lambda.send(
      new InvokeCommand({ FunctionName: 'sdk-fn:1', InvocationType: 'Event', Payload: Buffer.from('{}') }),
    );
    assert.equal(queued.StatusCode, 202);
  });

  test('after a restart with the same --state-dir: created functions, versions and overrides are back', async () => {
    const pid = dev.child.pid as number;
    assert.equal(await dev.stop('SIGINT'), 0);
    assert.equal(isAlive(pid), false);
    await start();
    await dev.waitForLine(
      (l) =>
        l.type === 'info' &&
        /λ 2 function\(s\) created through the Lambda API are back: cli-fn, sdk-fn/.test(String(l.message)),
    );
    await dev.waitForLine((l) => l.type === 'info' && String(l.message).startsWith('⇪ HelloFunction'));
    const answer = async (name: string): Promise<string> => {
      const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{}') }));
      return (JSON.parse(Buffer.from(out.Payload ?? []).toString()) as { answer: string }).answer;
    };
    assert.equal(await answer('cli-fn'), 'from the aws CLI');
    assert.equal(await answer('sdk-fn'), 'third');
    assert.equal(await answer('sdk-fn:1'), 'updated');
    assert.deepEqual(await (await fetch(`${dev.apiUrl}/my-endpoint`)).json(), { deployed: 'v2' });
    // DeleteFunction on the template function reverts it to its CodeUri.
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'HelloFunction' }));
    const reverted = (await (await fetch(`${dev.apiUrl}/my-endpoint?name=Bo`)).json()) as { message: string };
    assert.equal(reverted.message, 'Hello, Bo!');
  });
});
