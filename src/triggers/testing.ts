/** Test helpers for the triggers layer: a real runtime, a function lookup and recording sinks. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FunctionModel } from '../project/model.ts';
import { createRuntime, type Runtime } from '../runtime/index.ts';
import type { Caller } from '../services/types.ts';
import type { Clock } from '../shared/clock.ts';
import type { AsyncInvoker, AsyncInvokeOptions } from './async-queue.ts';
import type {
  DestinationSinks,
  FunctionLookup,
  MessageAttributeValue,
  PutEventsEntry,
  SnsPublishOptions,
  SqsSendOptions,
} from './ports.ts';

export const REGION = 'us-east-1';
export const ACCOUNT_ID = '123456789012';
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

export function nodeFunction(logicalId: string, fields: Partial<FunctionModel> = {}): FunctionModel {
  const functionName = fields.functionName ?? `app-${logicalId}`;
  return {
    logicalId,
    resourceType: 'AWS::Serverless::Function',
    functionName,
    arn: `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${functionName}`,
    runtime: 'nodejs20.x',
    runtimeFamily: 'nodejs',
    handler: 'app.handler',
    codeDir: FIXTURES,
    packageType: 'Zip',
    timeout: 3,
    memorySize: 128,
    ephemeralStorageMB: 512,
    architectures: ['x86_64'],
    environment: {},
    layers: [],
    events: [],
    loggingConfig: { logFormat: 'Text' },
    location: { file: 'template.yaml', line: 1, column: 1 },
    ...fields,
  };
}

/** Finds functions as the app's lookup does: logical id, name, ARN (with or without qualifier). */
export function lookup(functions: FunctionModel[]): FunctionLookup & { set(fns: FunctionModel[]): void } {
  let list = functions;
  return {
    set(fns) {
      list = fns;
    },
    functionByArnOrName(x) {
      const unqualified = x.replace(/^(arn:[^:]+:lambda:[^:]*:[^:]*:function:[^:]+):[^:]+$/, '$1');
      return list.find((f) => f.logicalId === x || f.functionName === x || f.arn === unqualified);
    },
  };
}

export interface TestRuntime {
  runtime: Runtime;
  scratch: string;
  dispose(): Promise<void>;
}

export function startRuntime(functions: FunctionModel[]): TestRuntime {
  const scratch = mkdtempSync(join(tmpdir(), 'slipway-triggers-'));
  const runtime = createRuntime({
    region: REGION,
    accountId: ACCOUNT_ID,
    logSink: () => {},
    stateDir: join(scratch, 'state'),
    warn: () => {},
    idleTimeoutMs: 60_000,
    defaultConcurrency: 2,
  });
  runtime.setFunctions(functions);
  return {
    runtime,
    scratch,
    async dispose() {
      await runtime.dispose();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

export interface SqsSent {
  queueArn: string;
  body: string;
  options?: SqsSendOptions;
}
export interface SnsPublished {
  topicArn: string;
  message: string;
  options?: SnsPublishOptions;
  caller?: Caller;
}
export interface EventsPut {
  entries: PutEventsEntry[];
  caller?: Caller;
}

/** In-test SQS/SNS/EventBridge that record what they receive; `fail` makes the next calls throw. */
export function recordingSinks(): DestinationSinks & {
  sqsSent: SqsSent[];
  snsPublished: SnsPublished[];
  eventsPut: EventsPut[];
  failing: Set<string>;
  attributes(i: number): Record<string, string | undefined> | undefined;
} {
  const sqsSent: SqsSent[] = [];
  const snsPublished: SnsPublished[] = [];
  const eventsPut: EventsPut[] = [];
  const failing = new Set<string>();
  let n = 0;
  const check = (arn: string) => {
    if (failing.has(arn)) throw new Error(`NonExistentQueue: ${arn}`);
  };
  const flat = (a?: Record<string, MessageAttributeValue>) =>
    a && Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v.StringValue]));
  return {
    sqsSent,
    snsPublished,
    eventsPut,
    failing,
    attributes: (i) => flat(sqsSent[i]?.options?.messageAttributes),
    sqs: {
      sendMessage(queueArn, body, options) {
        check(queueArn);
        sqsSent.push({ queueArn, body, options });
        return Promise.resolve({ messageId: `m-${++n}` });
      },
    },
    sns: {
      publish(topicArn, message, options, caller) {
        check(topicArn);
        snsPublished.push({ topicArn, message, options, caller });
        return Promise.resolve({ messageId: `m-${++n}` });
      },
    },
    eventbridge: {
      putEvents(entries, caller) {
        for (const e of entries) check(e.EventBusName ?? 'default');
        eventsPut.push({ entries, caller });
        return Promise.resolve({ FailedEntryCount: 0 });
      },
    },
  };
}

export const queueArn = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:${name}`;
export const topicArn = (name: string) => `arn:aws:sns:${REGION}:${ACCOUNT_ID}:${name}`;
export const busArn = (name: string) => `arn:aws:events:${REGION}:${ACCOUNT_ID}:event-bus/${name}`;

export interface Enqueued {
  fn: string;
  payload: unknown;
  options?: AsyncInvokeOptions;
}

/** An AsyncInvoker that records what it is asked to run (JSON payloads parsed). */
export function recordingAsyncInvoker(): AsyncInvoker & { calls: Enqueued[] } {
  const calls: Enqueued[] = [];
  return {
    calls,
    enqueue(fn, payload, options) {
      calls.push({ fn, payload: JSON.parse(payload.toString()) as unknown, options });
      return { requestId: `r${calls.length}` };
    },
    stats: () => ({
      queued: 0,
      inFlight: 0,
      succeeded: 0,
      failed: 0,
      dropped: 0,
      retries: 0,
      throttles: 0,
      functions: {},
    }),
    idle: () => Promise.resolve(),
    close: () => {},
  };
}

/** The system clock with timers that keep the process alive (the test has nothing else pending). */
export const testClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  },
};
