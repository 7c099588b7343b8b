/**
 * The Lambda control plane (CreateFunction, UpdateFunctionCode/Configuration, DeleteFunction,
 * PublishVersion, ListVersionsByFunction, GetFunction's code) through the real edge with the AWS
 * SDK v3, functions running in the real runtime.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  ListFunctionsCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { functionModel } from '../../../test/conformance/function-model.ts';
import { createLmdbStore } from '../../store/lmdb.ts';
import { createMemoryStore } from '../../store/memory.ts';
import { corruptZip, makeZip, nodeHandlerZip, startHarness, zerosZip, type Harness } from './test-support.ts';

const NODE_FIXTURE = fileURLToPath(new URL('../../../test/conformance/fixtures/node/', import.meta.url));
const ROLE = 'arn:aws:iam::123456789012:role/lambda-role';
const WAIT = { maxWaitTime: 20, minDelay: 1 } as const;

const templateHello = functionModel({
  logicalId: 'Hello',
  runtime: 'nodejs20.x',
  handler: 'app.handler',
  codeDir: NODE_FIXTURE,
});

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('base64');
const json = (v: unknown): Uint8Array => Buffer.from(JSON.stringify(v));
const parse = (bytes: Uint8Array | undefined): Record<string, unknown> =>
  JSON.parse(Buffer.from(bytes ?? []).toString()) as Record<string, unknown>;

async function rejectsWith(promise: Promise<unknown>, name: string, status: number): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    const e = err as Error & { $metadata?: { httpStatusCode?: number } };
    assert.equal(e.name, name, e.message);
    assert.equal(e.$metadata?.httpStatusCode, status, e.message);
    return e;
  }
  assert.fail(`expected ${name}`);
}

async function createZipFunction(client: LambdaClient, name: string, zip: Buffer, extra: object = {}) {
  const created = await client.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Role: ROLE,
      Code: { ZipFile: zip },
      ...extra,
    }),
  );
  await waitUntilFunctionActiveV2({ client, ...WAIT }, { FunctionName: name });
  return created;
}

async function invoke(client: LambdaClient, name: string, event: unknown = {}, qualifier?: string) {
  const out = await client.send(
    new InvokeCommand({ FunctionName: name, Payload: json(event), Qualifier: qualifier }),
  );
  assert.equal(out.FunctionError, undefined, Buffer.from(out.Payload ?? []).toString());
  return { payload: parse(out.Payload), version: out.ExecutedVersion };
}

describe('Lambda control plane', () => {
  let h: Harness;
  const store = createMemoryStore();
  before(async () => {
    h = await startHarness(store, [templateHello]);
  });
  after(async () => {
    await h.close();
    await store.close();
  });

  test('CreateFunction (ZipFile): Pending then Active, invocable, real CodeSha256, Code.Location serves the zip', async () => {
    const zip = nodeHandlerZip('v1');
    const created = await h.client.send(
      new CreateFunctionCommand({
        FunctionName: 'fresh',
        Runtime: 'nodejs20.x',
        Handler: 'index.handler',
        Role: ROLE,
        Code: { ZipFile: zip },
        Environment: { Variables: { GREETING: 'hi' } },
        Timeout: 7,
        MemorySize: 256,
        Description: 'made by a test',
      }),
    );
    assert.equal(created.$metadata.httpStatusCode, 201);
    assert.equal(created.State, 'Pending');
    assert.equal(created.StateReasonCode, 'Creating');
    assert.equal(created.CodeSha256, sha256(zip));
    assert.equal(created.CodeSize, zip.length);
    assert.equal(created.Role, ROLE);
    assert.equal(created.FunctionArn, 'arn:aws:lambda:us-east-1:123456789012:function:fresh');
    await waitUntilFunctionActiveV2({ client: h.client, ...WAIT }, { FunctionName: 'fresh' });

    const { payload } = await invoke(h.client, 'fresh', { env: ['GREETING', 'AWS_LAMBDA_FUNCTION_NAME'] });
    assert.deepEqual(payload, { answer: 'v1', env: { GREETING: 'hi', AWS_LAMBDA_FUNCTION_NAME: 'fresh' } });

    const got = await h.client.send(new GetFunctionCommand({ FunctionName: 'fresh' }));
    const config = got.Configuration ?? {};
    assert.equal(config.State, 'Active');
    assert.equal(config.LastUpdateStatus, 'Successful');
    assert.equal(config.CodeSha256, sha256(zip));
    assert.equal(config.Timeout, 7);
    assert.equal(config.MemorySize, 256);
    assert.equal(config.Description, 'made by a test');
    assert.equal(config.Runtime, 'nodejs20.x');
    assert.ok(config.RevisionId);
    assert.notEqual(config.RevisionId, created.RevisionId);
    assert.equal(got.Code?.RepositoryType, 'S3');
    const download = await fetch(got.Code?.Location ?? '');
    assert.equal(download.status, 200);
    assert.ok(Buffer.from(await download.arrayBuffer()).equals(zip));

    const listed = await h.client.send(new ListFunctionsCommand({}));
    assert.deepEqual(
      listed.Functions?.map((f) => f.FunctionName).sort(),
      ['fresh', templateHello.functionName].sort(),
    );
  });

  test('UpdateFunctionCode: InProgress, then Successful; the next invoke runs the new code (no stale environment)', async () => {
    const first = nodeHandlerZip('one');
    await createZipFunction(h.client, 'updated', first);
    assert.equal((await invoke(h.client, 'updated')).payload.answer, 'one'); // a warm environment now exists
    const before = await h.client.send(new GetFunctionConfigurationCommand({ FunctionName: 'updated' }));
    const second = nodeHandlerZip('two');
    const answer = await h.client.send(
      new UpdateFunctionCodeCommand({ FunctionName: 'updated', ZipFile: second }),
    );
    assert.equal(answer.LastUpdateStatus, 'InProgress');
    assert.equal(answer.LastUpdateStatusReasonCode, 'Creating');
    assert.equal(answer.CodeSha256, sha256(second));
    assert.notEqual(answer.RevisionId, before.RevisionId);
    await waitUntilFunctionUpdatedV2({ client: h.client, ...WAIT }, { FunctionName: 'updated' });
    assert.equal((await invoke(h.client, 'updated')).payload.answer, 'two');
    const after = await h.client.send(new GetFunctionCommand({ FunctionName: 'updated' }));
    assert.equal(after.Configuration?.CodeSha256, sha256(second));
    assert.equal(after.Configuration?.LastUpdateStatus, 'Successful');
    const download = await fetch(after.Code?.Location ?? '');
    assert.ok(Buffer.from(await download.arrayBuffer()).equals(second));
  });

  test('UpdateFunctionConfiguration: new environments get the new handler, environment and timeout', async () => {
    await createZipFunction(
      h.client,
      'configured',
      makeZip([
        ['index.mjs', 'export const handler = async () => ({ handler: "index", v: process.env.V ?? null });'],
        ['other.mjs', 'export const run = async () => ({ handler: "other", v: process.env.V ?? null });'],
      ]),
    );
    assert.deepEqual((await invoke(h.client, 'configured')).payload, { handler: 'index', v: null });
    const answer = await h.client.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'configured',
        Handler: 'other.run',
        Environment: { Variables: { V: '42' } },
        Timeout: 30,
      }),
    );
    assert.equal(answer.LastUpdateStatus, 'InProgress');
    assert.equal(answer.Handler, 'other.run');
    await waitUntilFunctionUpdatedV2({ client: h.client, ...WAIT }, { FunctionName: 'configured' });
    assert.deepEqual((await invoke(h.client, 'configured')).payload, { handler: 'other', v: '42' });
    const config = await h.client.send(new GetFunctionConfigurationCommand({ FunctionName: 'configured' }));
    assert.equal(config.Timeout, 30);
    assert.deepEqual(config.Environment?.Variables, { V: '42' });
  });

  test('PublishVersion: invoking name:1 runs version 1 after a later update; ListVersionsByFunction; Qualifier', async () => {
    const v1 = nodeHandlerZip('first');
    await createZipFunction(h.client, 'versioned', v1);
    const published = await h.client.send(
      new PublishVersionCommand({ FunctionName: 'versioned', Description: 'v1' }),
    );
    assert.equal(published.$metadata.httpStatusCode, 201);
    assert.equal(published.Version, '1');
    assert.equal(published.FunctionArn, 'arn:aws:lambda:us-east-1:123456789012:function:versioned:1');
    assert.equal(published.CodeSha256, sha256(v1));
    assert.equal(published.Description, 'v1');
    // Nothing changed: the same version again.
    assert.equal(
      (await h.client.send(new PublishVersionCommand({ FunctionName: 'versioned' }))).Version,
      '1',
    );

    const v2 = nodeHandlerZip('second');
    await h.client.send(new UpdateFunctionCodeCommand({ FunctionName: 'versioned', ZipFile: v2 }));
    await waitUntilFunctionUpdatedV2({ client: h.client, ...WAIT }, { FunctionName: 'versioned' });
    assert.deepEqual(await invoke(h.client, 'versioned'), {
      payload: { answer: 'second', env: {} },
      version: '$LATEST',
    });
    assert.deepEqual(
      await invoke(h.client, 'versioned:1', {
        env: ['AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_FUNCTION_NAME'],
      }),
      {
        payload: {
          answer: 'first',
          env: { AWS_LAMBDA_FUNCTION_VERSION: '1', AWS_LAMBDA_FUNCTION_NAME: 'versioned' },
        },
        version: '1',
      },
    );
    assert.equal((await invoke(h.client, 'versioned', {}, '1')).payload.answer, 'first');

    const versions = await h.client.send(new ListVersionsByFunctionCommand({ FunctionName: 'versioned' }));
    assert.deepEqual(
      versions.Versions?.map((v) => [v.Version, v.CodeSha256]),
      [
        ['$LATEST', sha256(v2)],
        ['1', sha256(v1)],
      ],
    );
    assert.equal(
      versions.Versions?.[0]?.FunctionArn,
      'arn:aws:lambda:us-east-1:123456789012:function:versioned:$LATEST',
    );
    const got = await h.client.send(new GetFunctionCommand({ FunctionName: 'versioned', Qualifier: '1' }));
    assert.equal(got.Configuration?.Version, '1');
    assert.equal(got.Configuration?.CodeSha256, sha256(v1));
    assert.ok(Buffer.from(await (await fetch(got.Code?.Location ?? '')).arrayBuffer()).equals(v1));

    // UpdateFunctionCode with Publish answers with the new version.
    const v3 = nodeHandlerZip('third');
    const withPublish = await h.client.send(
      new UpdateFunctionCodeCommand({ FunctionName: 'versioned', ZipFile: v3, Publish: true }),
    );
    assert.equal(withPublish.Version, '2');
    await waitUntilFunctionUpdatedV2({ client: h.client, ...WAIT }, { FunctionName: 'versioned' });
    assert.equal((await invoke(h.client, 'versioned:2')).payload.answer, 'third');
    assert.equal((await invoke(h.client, 'versioned:1')).payload.answer, 'first');

    await h.client.send(new DeleteFunctionCommand({ FunctionName: 'versioned', Qualifier: '1' }));
    await rejectsWith(invoke(h.client, 'versioned:1'), 'ResourceNotFoundException', 404);
    await rejectsWith(
      h.client.send(new GetFunctionCommand({ FunctionName: 'versioned', Qualifier: '7' })),
      'ResourceNotFoundException',
      404,
    );
    await rejectsWith(
      h.client.send(new DeleteFunctionCommand({ FunctionName: 'versioned', Qualifier: '$LATEST' })),
      'InvalidParameterValueException',
      400,
    );
  });

  test('PublishVersion and UpdateFunctionCode preconditions: RevisionId (412) and CodeSha256 (400)', async () => {
    await createZipFunction(h.client, 'guarded', nodeHandlerZip('g'));
    await rejectsWith(
      h.client.send(new PublishVersionCommand({ FunctionName: 'guarded', RevisionId: 'not-it' })),
      'PreconditionFailedException',
      412,
    );
    await rejectsWith(
      h.client.send(new PublishVersionCommand({ FunctionName: 'guarded', CodeSha256: 'bm9wZQ==' })),
      'InvalidParameterValueException',
      400,
    );
    await rejectsWith(
      h.client.send(
        new UpdateFunctionCodeCommand({
          FunctionName: 'guarded',
          ZipFile: nodeHandlerZip('h'),
          RevisionId: 'not-it',
        }),
      ),
      'PreconditionFailedException',
      412,
    );
    const config = await h.client.send(new GetFunctionConfigurationCommand({ FunctionName: 'guarded' }));
    const ok = await h.client.send(
      new PublishVersionCommand({
        FunctionName: 'guarded',
        RevisionId: config.RevisionId,
        CodeSha256: config.CodeSha256,
      }),
    );
    assert.equal(ok.Version, '1');
    // DryRun validates and changes nothing.
    const dry = await h.client.send(
      new UpdateFunctionCodeCommand({
        FunctionName: 'guarded',
        ZipFile: nodeHandlerZip('dry'),
        DryRun: true,
      }),
    );
    assert.equal(dry.CodeSha256, config.CodeSha256);
    assert.equal((await invoke(h.client, 'guarded')).payload.answer, 'g');
  });

  test('a template function: UpdateFunctionCode runs the zip instead of its CodeUri; DeleteFunction reverts it', async () => {
    const name = templateHello.functionName;
    const before = await invoke(h.client, name, { op: 'echo', n: 1 });
    assert.deepEqual(before.payload, { op: 'echo', n: 1 });
    await h.client.send(
      new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: nodeHandlerZip('deployed', 'app.mjs') }),
    );
    await waitUntilFunctionUpdatedV2({ client: h.client, ...WAIT }, { FunctionName: name });
    assert.equal((await invoke(h.client, 'Hello')).payload.answer, 'deployed');
    assert.deepEqual(h.lambda.overriddenFunctions(), ['Hello']);
    assert.ok(h.logs.some((l) => l.startsWith('⇪ Hello runs the code deployed through the Lambda API')));
    await h.client.send(new DeleteFunctionCommand({ FunctionName: name }));
    assert.deepEqual((await invoke(h.client, name, { op: 'echo', n: 2 })).payload, { op: 'echo', n: 2 });
    assert.deepEqual(h.lambda.overriddenFunctions(), []);
    const refused = await rejectsWith(
      h.client.send(new DeleteFunctionCommand({ FunctionName: name })),
      'ResourceConflictException',
      409,
    );
    assert.match(refused.message, /declared by the template/);
  });

  test('DeleteFunction: a created function is gone (404 after), its package no longer served', async () => {
    await createZipFunction(h.client, 'doomed', nodeHandlerZip('bye-unique'));
    const got = await h.client.send(new GetFunctionCommand({ FunctionName: 'doomed' }));
    const deleted = await h.client.send(new DeleteFunctionCommand({ FunctionName: 'doomed' }));
    assert.equal(deleted.$metadata.httpStatusCode, 204);
    await rejectsWith(
      h.client.send(new GetFunctionCommand({ FunctionName: 'doomed' })),
      'ResourceNotFoundException',
      404,
    );
    await rejectsWith(invoke(h.client, 'doomed'), 'ResourceNotFoundException', 404);
    await rejectsWith(
      h.client.send(new DeleteFunctionCommand({ FunctionName: 'doomed' })),
      'ResourceNotFoundException',
      404,
    );
    assert.equal((await fetch(got.Code?.Location ?? '')).status, 404);
  });

  test('bad input: AWS codes, statuses and messages', async () => {
    const zip = nodeHandlerZip('x');
    const base = {
      FunctionName: 'bad',
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Role: ROLE,
      Code: { ZipFile: zip },
    } as const;
    const create = (over: Record<string, unknown>) =>
      h.client.send(new CreateFunctionCommand({ ...base, ...over }));
    let e = await rejectsWith(
      create({ Code: { ZipFile: Buffer.from('not a zip at all') } }),
      'InvalidParameterValueException',
      400,
    );
    assert.equal(
      e.message,
      'Could not unzip uploaded file. Please check your file, then try to upload again.',
    );
    e = await rejectsWith(create({ Runtime: undefined }), 'InvalidParameterValueException', 400);
    assert.equal(
      e.message,
      'Runtime and Handler are mandatory parameters for functions created with deployment packages.',
    );
    await rejectsWith(create({ Handler: undefined }), 'InvalidParameterValueException', 400);
    e = await rejectsWith(create({ Role: undefined }), 'ValidationException', 400);
    assert.match(e.message, /Value null at 'role' failed to satisfy constraint: Member must not be null/);
    e = await rejectsWith(create({ Role: 'r1' }), 'ValidationException', 400);
    assert.match(
      e.message,
      /Value 'r1' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern/,
    );
    e = await rejectsWith(create({ Runtime: 'cobol85' }), 'InvalidParameterValueException', 400);
    assert.match(
      e.message,
      /^Value cobol85 at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: \[/,
    );
    await rejectsWith(create({ Architectures: ['x86_64', 'arm64'] }), 'ValidationException', 400);
    e = await rejectsWith(
      create({ Environment: { Variables: { BIG: 'x'.repeat(4100) } } }),
      'InvalidParameterValueException',
      400,
    );
    assert.match(
      e.message,
      /^Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit\. String measured: \{"BIG":"x+"\}$/,
    );
    e = await rejectsWith(
      create({ PackageType: 'Image', Code: { ImageUri: 'x.dkr.ecr/x:1' } }),
      'InvalidParameterValueException',
      400,
    );
    assert.match(e.message, /container image/);
    e = await rejectsWith(
      create({ Code: { S3Bucket: 'nope', S3Key: 'k.zip' } }),
      'InvalidParameterValueException',
      400,
    );
    assert.equal(
      e.message,
      'Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist',
    );
    e = await rejectsWith(
      create({ FunctionName: templateHello.functionName }),
      'ResourceConflictException',
      409,
    );
    assert.equal(e.message, `Function already exist: ${templateHello.functionName}`);
    await createZipFunction(h.client, 'exists', zip);
    await rejectsWith(create({ FunctionName: 'exists' }), 'ResourceConflictException', 409);
    await rejectsWith(
      h.client.send(new UpdateFunctionCodeCommand({ FunctionName: 'missing', ZipFile: zip })),
      'ResourceNotFoundException',
      404,
    );
    await rejectsWith(
      h.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'exists', Timeout: 901 })),
      'ValidationException',
      400,
    );
    await rejectsWith(
      h.client.send(
        new UpdateFunctionCodeCommand({ FunctionName: 'exists', ZipFile: Buffer.from('PK nope') }),
      ),
      'InvalidParameterValueException',
      400,
    );
    // Nothing was stored for the refused requests.
    await rejectsWith(
      h.client.send(new GetFunctionCommand({ FunctionName: 'bad' })),
      'ResourceNotFoundException',
      404,
    );
  });

  test('a package that cannot be unpacked: CreateFunction ends Failed, an update ends Failed and the old code keeps running', async () => {
    const corrupt = corruptZip();
    const created = await h.client.send(
      new CreateFunctionCommand({
        FunctionName: 'broken',
        Runtime: 'nodejs20.x',
        Handler: 'index.handler',
        Role: ROLE,
        Code: { ZipFile: corrupt },
      }),
    );
    assert.equal(created.State, 'Pending');
    await assert.rejects(
      waitUntilFunctionActiveV2({ client: h.client, ...WAIT }, { FunctionName: 'broken' }),
    );
    const failed = await h.client.send(new GetFunctionConfigurationCommand({ FunctionName: 'broken' }));
    assert.equal(failed.State, 'Failed');
    assert.equal(failed.StateReasonCode, 'InvalidZipFileException');
    await rejectsWith(invoke(h.client, 'broken'), 'ResourceConflictException', 409);

    await createZipFunction(h.client, 'sturdy', nodeHandlerZip('still here'));
    await h.client.send(new UpdateFunctionCodeCommand({ FunctionName: 'sturdy', ZipFile: corrupt }));
    await assert.rejects(
      waitUntilFunctionUpdatedV2({ client: h.client, ...WAIT }, { FunctionName: 'sturdy' }),
    );
    const config = await h.client.send(new GetFunctionConfigurationCommand({ FunctionName: 'sturdy' }));
    assert.equal(config.State, 'Active');
    assert.equal(config.LastUpdateStatus, 'Failed');
    assert.equal(config.LastUpdateStatusReasonCode, 'InvalidZipFileException');
    assert.match(config.LastUpdateStatusReason ?? '', /could not unpack/);
    assert.equal((await invoke(h.client, 'sturdy')).payload.answer, 'still here');
  });

  test('limits: a ZipFile over 50 MB is 413 (zipped size); a request over 70167211 bytes is 413 (request size)', async () => {
    const create = (bytes: number) =>
      h.client.send(
        new CreateFunctionCommand({
          FunctionName: 'huge',
          Runtime: 'nodejs20.x',
          Handler: 'index.handler',
          Role: ROLE,
          Code: { ZipFile: Buffer.alloc(bytes) },
        }),
      );
    let e = await rejectsWith(create(50 * 1024 * 1024 + 1), 'RequestEntityTooLargeException', 413);
    assert.equal(e.message, 'Zipped size must be smaller than 52428800 bytes');
    e = await rejectsWith(create(53 * 1024 * 1024), 'RequestEntityTooLargeException', 413);
    assert.equal(e.message, 'Request must be smaller than 70167211 bytes for the CreateFunction operation');
  });

  test('a package unpacking to 250 MB or more is refused (InvalidParameterValueException)', async () => {
    // Highly compressible: 2 × 130 MB of zeros in a small zip.
    const big = zerosZip(['a.bin', 'b.bin'], 130 * 1024 * 1024);
    const e = await rejectsWith(
      h.client.send(
        new CreateFunctionCommand({
          FunctionName: 'bomb',
          Runtime: 'nodejs20.x',
          Handler: 'a.handler',
          Role: ROLE,
          Code: { ZipFile: big },
        }),
      ),
      'InvalidParameterValueException',
      400,
    );
    assert.equal(e.message, 'Unzipped size must be smaller than 262144000 bytes');
  });
});

describe('Lambda control plane: durable state', () => {
  test('created functions, template overrides and versions come back after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-lambda-durable-'));
    try {
      let store = await createLmdbStore(dir);
      let h = await startHarness(store, [templateHello]);
      await createZipFunction(h.client, 'kept', nodeHandlerZip('kept-1'));
      await h.client.send(new PublishVersionCommand({ FunctionName: 'kept' }));
      await h.client.send(
        new UpdateFunctionCodeCommand({ FunctionName: 'kept', ZipFile: nodeHandlerZip('kept-2') }),
      );
      await waitUntilFunctionUpdatedV2({ client: h.client, ...WAIT }, { FunctionName: 'kept' });
      await h.client.send(
        new UpdateFunctionCodeCommand({
          FunctionName: 'Hello',
          ZipFile: nodeHandlerZip('override', 'app.mjs'),
        }),
      );
      await waitUntilFunctionUpdatedV2({ client: h.client, ...WAIT }, { FunctionName: 'Hello' });
      await h.close();
      await store.close();

      store = await createLmdbStore(dir);
      h = await startHarness(store, [templateHello]);
      try {
        assert.equal((await invoke(h.client, 'kept')).payload.answer, 'kept-2');
        assert.equal((await invoke(h.client, 'kept:1')).payload.answer, 'kept-1');
        assert.equal((await invoke(h.client, 'Hello')).payload.answer, 'override');
        assert.ok(
          h.logs.some((l) => l.includes('kept')),
          h.logs.join('\n'),
        );
        assert.ok(
          h.logs.some((l) => l.startsWith('⇪ Hello')),
          h.logs.join('\n'),
        );
      } finally {
        await h.close();
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
