/**
 * The Lambda API through the real edge, with the real AWS SDK v3 client, the `aws` CLI v1 and a
 * real Runtime running fixture handlers. The async-invoke queue (triggers layer) is a recording stub.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ListFunctionsCommand,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { functionModel } from '../../../test/conformance/function-model.ts';
import { startEdge, type EdgeHandle } from '../../edge/server.ts';
import { createRuntime, unpackCodeArchive, type Runtime } from '../../runtime/index.ts';
import { systemClock } from '../../shared/clock.ts';
import { createMemoryStore } from '../../store/memory.ts';
import type { Caller, ServiceContext } from '../types.ts';
import { createLambdaService, type LambdaService } from './index.ts';

const run = promisify(execFile);
const NODE_FIXTURE = fileURLToPath(new URL('../../../test/conformance/fixtures/node/', import.meta.url));
const CHAIN_FIXTURE = fileURLToPath(new URL('./fixtures/chain/', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'slipway-lambda-api-'));

const hello = functionModel({
  logicalId: 'Hello',
  runtime: 'nodejs20.x',
  handler: 'app.handler',
  codeDir: NODE_FIXTURE,
  environment: { CUSTOM_VAR: 'x' },
});
const chain = functionModel({
  logicalId: 'Chain',
  runtime: 'nodejs20.x',
  handler: 'app.handler',
  codeDir: CHAIN_FIXTURE,
  timeout: 10,
});
const throttled = functionModel({
  logicalId: 'Throttled',
  runtime: 'nodejs20.x',
  handler: 'app.handler',
  codeDir: NODE_FIXTURE,
  reservedConcurrentExecutions: 0,
  resourceType: 'AWS::Lambda::Function',
});
const recurse = functionModel({
  logicalId: 'Recurse',
  runtime: 'nodejs20.x',
  handler: 'recurse.handler',
  codeDir: CHAIN_FIXTURE,
  timeout: 20,
});
const functions = [hello, chain, throttled, recurse];
let running: typeof functions = functions;

const asyncCalls: Array<{ name: string; payload: string; caller?: Caller }> = [];
let runtime: Runtime;
let edge: EdgeHandle;
let lambda: LambdaService;
let client: LambdaClient;
const store = createMemoryStore();

before(async () => {
  const ctx: ServiceContext = {
    region: 'us-east-1',
    accountId: '123456789012',
    clock: systemClock,
    store,
    endpointUrl: () => edge.url,
    emit: () => undefined,
    log: () => undefined,
  };
  lambda = createLambdaService(ctx, {
    functions: () => running,
    invoke: (name, request) => runtime.invoke(name, request),
    invokeAsync: (name, payload, caller) => {
      asyncCalls.push({ name, payload: payload.toString(), caller });
      return Promise.resolve({ requestId: `async-${asyncCalls.length}` });
    },
    readS3Object: () => Promise.resolve({ errorCode: 'NoSuchBucket', errorMessage: 'The specified bucket does not exist' }), // prettier-ignore
    unpackCode: (zipPath, owner) => unpackCodeArchive(zipPath, join(scratch, 'code'), owner),
  });
  running = lambda.functionsFor(functions);
  edge = await startEdge({
    host: '127.0.0.1',
    port: 0,
    health: () => ({}),
    services: [lambda],
    resolveCaller: (accessKeyId) => {
      const env = runtime.environmentByAccessKey(accessKeyId);
      return env
        ? {
            accessKeyId,
            functionLogicalId: env.functionLogicalId,
            environmentId: env.environmentId,
            invocationRequestId: env.currentRequestId,
          }
        : { accessKeyId };
    },
  });
  runtime = createRuntime({
    region: 'us-east-1',
    accountId: '123456789012',
    logSink: () => undefined,
    stateDir: join(scratch, 'state'),
    extraEnv: { AWS_ENDPOINT_URL: edge.url },
    // One environment per function at once before invocations queue: nested invokes of a busy
    // function must still be served (the pool starts more when nothing finishes).
    eagerConcurrency: 1,
    warn: () => undefined,
  });
  runtime.setFunctions(running);
  client = new LambdaClient({
    endpoint: edge.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});

after(async () => {
  client.destroy();
  await runtime.dispose();
  await edge.close();
  await store.close();
  rmSync(scratch, { recursive: true, force: true });
});

const json = (v: unknown): Uint8Array => Buffer.from(JSON.stringify(v));
const parse = (bytes: Uint8Array | undefined): unknown => JSON.parse(Buffer.from(bytes ?? []).toString());

async function rejectsWith(
  promise: Promise<unknown>,
  name: string,
  status: number,
): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (err) {
    const e = err as Error & { $metadata?: { httpStatusCode?: number } } & Record<string, unknown>;
    assert.equal(e.name, name, e.message);
    assert.equal(e.$metadata?.httpStatusCode, status);
    return e;
  }
  assert.fail(`expected ${name}`);
}

test('Invoke RequestResponse: payload, status, executed version; by name, logical id, ARN, with Qualifier', async () => {
  for (const FunctionName of [
    hello.functionName,
    'Hello',
    hello.arn,
    `123456789012:function:${hello.functionName}`,
  ]) {
    const r = await client.send(
      new InvokeCommand({ FunctionName, Payload: json({ op: 'echo', n: 1 }), Qualifier: '$LATEST' }),
    );
    assert.equal(r.StatusCode, 200);
    assert.equal(r.ExecutedVersion, '$LATEST');
    assert.equal(r.FunctionError, undefined);
    assert.deepEqual(parse(r.Payload), { op: 'echo', n: 1 });
  }
});

test('Invoke with LogType Tail: the last 4 KB of the log, base64', async () => {
  const r = await client.send(
    new InvokeCommand({ FunctionName: 'Hello', Payload: json({ op: 'log' }), LogType: 'Tail' }),
  );
  const log = Buffer.from(r.LogResult ?? '', 'base64').toString();
  assert.match(log, /hello from the handler/);
  assert.match(log, /REPORT RequestId: [0-9a-f-]+\tDuration:/);
  assert.ok(Buffer.from(r.LogResult ?? '', 'base64').length <= 4096);
  const quiet = await client.send(
    new InvokeCommand({ FunctionName: 'Hello', Payload: json({ op: 'echo' }) }),
  );
  assert.equal(quiet.LogResult, undefined);
});

test('a function error: X-Amz-Function-Error Unhandled, the error payload, status 200', async () => {
  const r = await client.send(new InvokeCommand({ FunctionName: 'Hello', Payload: json({ op: 'throw' }) }));
  assert.equal(r.StatusCode, 200);
  assert.equal(r.FunctionError, 'Unhandled');
  const body = parse(r.Payload) as { errorType: string; errorMessage: string };
  assert.equal(body.errorType, 'Error');
  assert.equal(body.errorMessage, 'boom');
});

test('DryRun answers 204; Event goes to the async queue and answers 202 with its request id', async () => {
  const dry = await client.send(new InvokeCommand({ FunctionName: 'Hello', InvocationType: 'DryRun' }));
  assert.equal(dry.StatusCode, 204);
  const before = asyncCalls.length;
  const ev = await client.send(
    new InvokeCommand({ FunctionName: hello.arn, InvocationType: 'Event', Payload: json({ a: 1 }) }),
  );
  assert.equal(ev.StatusCode, 202);
  assert.equal(ev.$metadata.requestId, `async-${before + 1}`);
  assert.deepEqual(asyncCalls[before], {
    name: 'Hello',
    payload: '{"a":1}',
    caller: { accessKeyId: 'test' },
  });
});

test('Invoke errors: unknown function 404, throttled 429 with Reason, bad JSON 400, payload limits 413', async () => {
  const missing = await rejectsWith(
    client.send(new InvokeCommand({ FunctionName: 'Nope' })),
    'ResourceNotFoundException',
    404,
  );
  assert.equal(missing.message, 'Function not found: arn:aws:lambda:us-east-1:123456789012:function:Nope');
  assert.equal(missing.Type, 'User');
  const throttle = await rejectsWith(
    client.send(new InvokeCommand({ FunctionName: 'Throttled', Payload: json({}) })),
    'TooManyRequestsException',
    429,
  );
  assert.equal(throttle.Reason, 'ReservedFunctionConcurrentInvocationLimitExceeded');
  await rejectsWith(
    client.send(new InvokeCommand({ FunctionName: 'Hello', Payload: Buffer.from('{not json') })),
    'InvalidRequestContentException',
    400,
  );
  const big = Buffer.from(JSON.stringify('x'.repeat(6 * 1024 * 1024)));
  await rejectsWith(
    client.send(new InvokeCommand({ FunctionName: 'Hello', Payload: big })),
    'RequestEntityTooLargeException',
    413,
  );
  const asyncBig = Buffer.from(JSON.stringify('x'.repeat(1024 * 1024)));
  await rejectsWith(
    client.send(new InvokeCommand({ FunctionName: 'Hello', InvocationType: 'Event', Payload: asyncBig })),
    'RequestEntityTooLargeException',
    413,
  );
  // Under the async limit is accepted.
  const ok = await client.send(
    new InvokeCommand({
      FunctionName: 'Hello',
      InvocationType: 'Event',
      Payload: Buffer.from(JSON.stringify('x'.repeat(1000 * 1000))),
    }),
  );
  assert.equal(ok.StatusCode, 202);
});

test('error bodies are Lambda-shaped: x-amzn-ErrorType and {"Type":"User","message"}', async () => {
  const res = await fetch(`${edge.url}/2015-03-31/functions/Nope/invocations`, {
    method: 'POST',
    body: '{}',
  });
  assert.equal(res.status, 404);
  assert.equal(res.headers.get('x-amzn-errortype'), 'ResourceNotFoundException');
  assert.ok(res.headers.get('x-amzn-requestid'));
  assert.deepEqual(await res.json(), {
    Type: 'User',
    message: 'Function not found: arn:aws:lambda:us-east-1:123456789012:function:Nope',
  });
});

test('ListFunctions: FunctionConfiguration shape and Marker/MaxItems pagination', async () => {
  const all = await client.send(new ListFunctionsCommand({}));
  assert.deepEqual(
    all.Functions?.map((f) => f.FunctionName),
    functions.map((f) => f.functionName).sort(),
  );
  assert.equal(all.NextMarker, undefined);
  const h = all.Functions?.find((f) => f.FunctionName === hello.functionName);
  assert.ok(h);
  assert.equal(h.FunctionArn, hello.arn);
  assert.equal(h.Runtime, 'nodejs20.x');
  assert.equal(h.Handler, 'app.handler');
  assert.equal(h.Role, 'arn:aws:iam::123456789012:role/HelloRole');
  assert.equal(h.Timeout, 3);
  assert.equal(h.MemorySize, 128);
  assert.equal(h.Version, '$LATEST');
  assert.equal(h.PackageType, 'Zip');
  assert.equal(h.State, 'Active');
  assert.equal(h.LastUpdateStatus, 'Successful');
  assert.deepEqual(h.Environment, { Variables: { CUSTOM_VAR: 'x' } });
  assert.deepEqual(h.TracingConfig, { Mode: 'PassThrough' });
  assert.deepEqual(h.Architectures, ['x86_64']);
  assert.deepEqual(h.EphemeralStorage, { Size: 512 });
  assert.deepEqual(h.LoggingConfig, { LogFormat: 'Text', LogGroup: `/aws/lambda/${hello.functionName}` });
  assert.ok((h.CodeSize ?? 0) > 0);
  assert.match(h.CodeSha256 ?? '', /^[A-Za-z0-9+/]{43}=$/);
  assert.match(h.LastModified ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);

  const names: string[] = [];
  let Marker: string | undefined;
  do {
    const page = await client.send(new ListFunctionsCommand({ MaxItems: 2, Marker }));
    assert.ok((page.Functions?.length ?? 0) <= 2);
    names.push(...(page.Functions ?? []).map((f) => f.FunctionName ?? ''));
    Marker = page.NextMarker;
  } while (Marker);
  assert.deepEqual(names, functions.map((f) => f.functionName).sort());
});

test('GetFunction and GetFunctionConfiguration', async () => {
  const r = await client.send(new GetFunctionCommand({ FunctionName: hello.arn }));
  assert.equal(r.Configuration?.FunctionName, hello.functionName);
  assert.equal(r.Code?.RepositoryType, 'S3');
  assert.match(r.Code?.Location ?? '', /^file:\/\//);
  assert.deepEqual(r.Tags, { 'lambda:createdBy': 'SAM' });
  const t = await client.send(new GetFunctionCommand({ FunctionName: 'Throttled' }));
  assert.deepEqual(t.Concurrency, { ReservedConcurrentExecutions: 0 });
  assert.deepEqual(t.Tags, {});
  const c = await client.send(new GetFunctionConfigurationCommand({ FunctionName: 'Hello' }));
  assert.deepEqual(c, { ...r.Configuration, $metadata: c.$metadata });
  await rejectsWith(
    client.send(new GetFunctionCommand({ FunctionName: 'Nope' })),
    'ResourceNotFoundException',
    404,
  );
});

test('event source mappings: create with per-source defaults, get, list with filters, update, delete', async () => {
  let changes = 0;
  const stop = lambda.onEventSourceMappingsChanged(() => changes++);
  const queueArn = 'arn:aws:sqs:us-east-1:123456789012:jobs';
  const streamArn = 'arn:aws:kinesis:us-east-1:123456789012:stream/clicks';
  const sqs = await client.send(
    new CreateEventSourceMappingCommand({ EventSourceArn: queueArn, FunctionName: 'Hello' }),
  );
  assert.equal(sqs.$metadata.httpStatusCode, 202);
  assert.equal(sqs.State, 'Creating');
  assert.equal(sqs.BatchSize, 10);
  assert.equal(sqs.MaximumBatchingWindowInSeconds, 0);
  assert.equal(sqs.FunctionArn, hello.arn);
  assert.equal(sqs.StartingPosition, undefined);
  assert.match(sqs.UUID ?? '', /^[0-9a-f-]{36}$/);
  assert.ok(sqs.LastModified instanceof Date);

  const kin = await client.send(
    new CreateEventSourceMappingCommand({
      EventSourceArn: streamArn,
      FunctionName: hello.arn,
      StartingPosition: 'TRIM_HORIZON',
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ data: { kind: ['click'] } }) }] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    }),
  );
  assert.equal(kin.BatchSize, 100);
  assert.equal(kin.StartingPosition, 'TRIM_HORIZON');
  assert.equal(kin.MaximumRetryAttempts, -1);
  assert.equal(kin.MaximumRecordAgeInSeconds, -1);
  assert.equal(kin.BisectBatchOnFunctionError, false);
  assert.equal(kin.ParallelizationFactor, 1);
  assert.deepEqual(kin.DestinationConfig, { OnFailure: {} });
  assert.deepEqual(kin.FunctionResponseTypes, ['ReportBatchItemFailures']);

  const got = await client.send(new GetEventSourceMappingCommand({ UUID: sqs.UUID }));
  assert.equal(got.State, 'Enabled');
  assert.equal(got.$metadata.httpStatusCode, 200);

  const bySource = await client.send(new ListEventSourceMappingsCommand({ EventSourceArn: streamArn }));
  assert.deepEqual(
    bySource.EventSourceMappings?.map((m) => m.UUID),
    [kin.UUID],
  );
  const byFunction = await client.send(new ListEventSourceMappingsCommand({ FunctionName: 'Hello' }));
  assert.equal(byFunction.EventSourceMappings?.length, 2);
  const paged = await client.send(new ListEventSourceMappingsCommand({ MaxItems: 1 }));
  assert.equal(paged.EventSourceMappings?.length, 1);
  assert.ok(paged.NextMarker);

  const updated = await client.send(
    new UpdateEventSourceMappingCommand({ UUID: sqs.UUID, BatchSize: 5, Enabled: false }),
  );
  assert.equal(updated.State, 'Updating');
  assert.equal(updated.BatchSize, 5);
  const internal = lambda.eventSourceMappings().find((m) => m.UUID === sqs.UUID);
  assert.equal(internal?.State, 'Disabled');
  assert.equal(internal?.FunctionLogicalId, 'Hello');

  const deleted = await client.send(new DeleteEventSourceMappingCommand({ UUID: sqs.UUID }));
  assert.equal(deleted.State, 'Deleting');
  await rejectsWith(
    client.send(new GetEventSourceMappingCommand({ UUID: sqs.UUID })),
    'ResourceNotFoundException',
    404,
  );
  await client.send(new DeleteEventSourceMappingCommand({ UUID: kin.UUID }));
  assert.equal(changes, 5);
  stop();
  assert.deepEqual(lambda.eventSourceMappings(), []);
});

test('event source mapping validation: AWS codes for bad input, conflicts and unknown functions', async () => {
  const streamArn = 'arn:aws:kinesis:us-east-1:123456789012:stream/s';
  const queueArn = 'arn:aws:sqs:us-east-1:123456789012:q';
  const bad = (input: Record<string, unknown>) =>
    rejectsWith(
      client.send(new CreateEventSourceMappingCommand({ FunctionName: 'Hello', ...input })),
      'InvalidParameterValueException',
      400,
    );
  await bad({ EventSourceArn: streamArn });
  await bad({ EventSourceArn: queueArn, StartingPosition: 'LATEST' });
  await bad({ EventSourceArn: queueArn, BatchSize: 10001 });
  await bad({ EventSourceArn: queueArn, BatchSize: 100 });
  await bad({ EventSourceArn: queueArn, MaximumRetryAttempts: 3 });
  await bad({ EventSourceArn: streamArn, StartingPosition: 'LATEST', ParallelizationFactor: 11 });
  await bad({ EventSourceArn: streamArn, StartingPosition: 'LATEST', MaximumRecordAgeInSeconds: 10 });
  await bad({ EventSourceArn: streamArn, StartingPosition: 'AT_TIMESTAMP' });
  await bad({ EventSourceArn: queueArn, FilterCriteria: { Filters: [{ Pattern: '{not json' }] } });
  await rejectsWith(
    client.send(new CreateEventSourceMappingCommand({ EventSourceArn: queueArn, FunctionName: 'Nope' })),
    'ResourceNotFoundException',
    404,
  );
  const m = await client.send(
    new CreateEventSourceMappingCommand({
      EventSourceArn: queueArn,
      FunctionName: 'Hello',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 1,
    }),
  );
  await rejectsWith(
    client.send(
      new CreateEventSourceMappingCommand({ EventSourceArn: queueArn, FunctionName: hello.functionName }),
    ),
    'ResourceConflictException',
    409,
  );
  const ts = await client.send(
    new CreateEventSourceMappingCommand({
      EventSourceArn: streamArn,
      FunctionName: 'Hello',
      StartingPosition: 'AT_TIMESTAMP',
      StartingPositionTimestamp: new Date(1_700_000_000_000),
    }),
  );
  assert.equal(ts.StartingPositionTimestamp?.getTime(), 1_700_000_000_000);
  // The app's idempotent path: the same UUID replaces, it does not conflict.
  const again = await lambda.createEventSourceMapping({
    UUID: m.UUID,
    EventSourceArn: queueArn,
    FunctionName: 'Hello',
    BatchSize: 7,
  });
  assert.equal(again.BatchSize, 7);
  assert.equal(lambda.eventSourceMappings().length, 2);
  for (const x of lambda.eventSourceMappings()) await lambda.deleteEventSourceMapping(x.UUID);
});

test('a function that synchronously invokes itself while its environments are busy does not deadlock', async () => {
  const r = await client.send(new InvokeCommand({ FunctionName: 'Recurse', Payload: json({ depth: 3 }) }));
  assert.equal(r.FunctionError, undefined, Buffer.from(r.Payload ?? []).toString());
  const { pids } = parse(r.Payload) as { pids: number[] };
  assert.equal(pids.length, 4);
  assert.equal(new Set(pids).size, 4, 'each level ran in its own environment');
});

test('a function invokes another through the SDK; the edge attributes the call to its environment', async () => {
  const r = await client.send(
    new InvokeCommand({ FunctionName: 'Chain', Payload: json({ target: 'Hello' }) }),
  );
  assert.equal(r.FunctionError, undefined, Buffer.from(r.Payload ?? []).toString());
  assert.deepEqual(parse(r.Payload), { status: 200, payload: { op: 'echo', from: 'chain' } });
  const calls = edge.recentCalls().filter((c) => c.caller.functionLogicalId === 'Chain');
  assert.equal(calls.length, 1);
  assert.equal(calls[0]?.service, 'lambda');
  assert.equal(calls[0]?.status, 200);
  assert.ok(calls[0]?.caller.invocationRequestId);
  // Asynchronously (e.g. itself, before its timeout): the async queue sees the caller.
  const before = asyncCalls.length;
  const a = await client.send(
    new InvokeCommand({ FunctionName: 'Chain', Payload: json({ target: 'Chain', invocationType: 'Event' }) }),
  );
  assert.deepEqual(parse(a.Payload), { status: 202, payload: null });
  assert.equal(asyncCalls[before]?.name, 'Chain');
  assert.equal(asyncCalls[before]?.caller?.functionLogicalId, 'Chain');
});

test('aws CLI v1: lambda invoke and lambda list-functions', async () => {
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };
  const out = join(scratch, 'out.json');
  const invoked = await run(
    'aws',
    [
      '--endpoint-url',
      edge.url,
      'lambda',
      'invoke',
      '--function-name',
      'Hello',
      '--payload',
      '{"op":"echo","cli":true}',
      out,
    ],
    { env, timeout: 30_000 },
  );
  assert.deepEqual(JSON.parse(invoked.stdout), { StatusCode: 200, ExecutedVersion: '$LATEST' });
  assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), { op: 'echo', cli: true });
  const listed = await run('aws', ['--endpoint-url', edge.url, 'lambda', 'list-functions'], {
    env,
    timeout: 30_000,
  });
  const names = (JSON.parse(listed.stdout) as { Functions: Array<{ FunctionName: string }> }).Functions.map(
    (f) => f.FunctionName,
  );
  assert.deepEqual(names, functions.map((f) => f.functionName).sort());
  await assert.rejects(
    run('aws', ['--endpoint-url', edge.url, 'lambda', 'invoke', '--function-name', 'Nope', out], {
      env,
      timeout: 30_000,
    }),
    (err: Error & { stderr?: string }) => /ResourceNotFoundException/.test(err.stderr ?? ''),
  );
});
