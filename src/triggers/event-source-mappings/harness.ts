/**
 * Test support: a real runtime running the recording fixture handler (./fixtures/handlers/app.mjs),
 * the in-memory ports of ./testing.ts and a manual clock, wired through createEventSourceMappings.
 */
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FunctionModel } from '../../project/model.ts';
import { createRuntime, type Runtime } from '../../runtime/index.ts';
import {
  createEventSourceMappings,
  type EventSourceMappings,
  type EventSourceMappingsDeps,
} from './index.ts';
import type { EventSourceMappingConfig } from './ports.ts';
import { ManualClock, MemoryDestinations, MemoryKinesis, MemorySqs } from './testing.ts';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
const HANDLERS = fileURLToPath(new URL('./fixtures/handlers/', import.meta.url));

export interface Invocation {
  requestId: string;
  event: { Records: Array<Record<string, unknown>> };
}

export interface Harness {
  clock: ManualClock;
  sqs: MemorySqs;
  kinesis: MemoryKinesis;
  destinations: MemoryDestinations;
  runtime: Runtime;
  esm: EventSourceMappings;
  logs: string[];
  mappings: EventSourceMappingConfig[];
  fn: FunctionModel;
  invocations(): Invocation[];
  close(): Promise<void>;
}

let scratch: string | undefined;

export function harness(
  mappings: EventSourceMappingConfig[],
  options: { fn?: Partial<FunctionModel>; deps?: Partial<EventSourceMappingsDeps>; clock?: ManualClock } = {},
): Harness {
  scratch ??= mkdtempSync(join(tmpdir(), 'slipway-esm-'));
  const dir = mkdtempSync(join(scratch, 't-'));
  mkdirSync(join(dir, 'counts'));
  const recordFile = join(dir, 'records.jsonl');
  const clock = options.clock ?? new ManualClock();
  const sqs = new MemorySqs(clock);
  const kinesis = new MemoryKinesis(clock);
  const destinations = new MemoryDestinations();
  const fn: FunctionModel = {
    logicalId: 'Consumer',
    resourceType: 'AWS::Serverless::Function',
    functionName: 'consumer',
    arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:consumer`,
    runtime: 'nodejs20.x',
    runtimeFamily: 'nodejs',
    handler: 'app.handler',
    codeDir: HANDLERS,
    packageType: 'Zip',
    timeout: 10,
    memorySize: 128,
    ephemeralStorageMB: 512,
    architectures: ['x86_64'],
    environment: { RECORD_FILE: recordFile, COUNT_DIR: join(dir, 'counts') },
    layers: [],
    events: [],
    loggingConfig: { logFormat: 'Text' },
    location: { file: 'template.yaml', line: 1, column: 1 },
    ...options.fn,
  };
  const runtime = createRuntime({
    region: REGION,
    accountId: ACCOUNT,
    logSink: () => {},
    stateDir: join(dir, 'state'),
    warn: () => {},
    defaultConcurrency: 4,
  });
  runtime.setFunctions([fn]);
  const logs: string[] = [];
  const esm = createEventSourceMappings({
    invoker: runtime,
    sqs,
    kinesis,
    destinations,
    clock,
    region: REGION,
    log: (line) => logs.push(line),
    mappings: () => mappings,
    backoff: { baseMs: 10, maxMs: 10 },
    ...options.deps,
  });
  return {
    clock,
    sqs,
    kinesis,
    destinations,
    runtime,
    esm,
    logs,
    mappings,
    fn,
    invocations() {
      let text = '';
      try {
        text = readFileSync(recordFile, 'utf8');
      } catch {
        return [];
      }
      return text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Invocation);
    },
    async close() {
      await esm.close();
      await runtime.dispose();
    },
  };
}

/** Shape of a JSON value: same keys (in order) and the same JSON types, recursively. */
export function shapeOf(v: unknown): unknown {
  if (Array.isArray(v)) return v.length > 0 ? [shapeOf(v[0])] : [];
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, shapeOf(x)]));
  return v === null ? 'null' : typeof v;
}

export function fixture(name: string): { Records: Array<Record<string, unknown>> } {
  // Read at run time (not imported), so the build never reaches outside src/.
  const path = fileURLToPath(new URL(`../../../test/fixtures/aws-events/${name}`, import.meta.url));
  return JSON.parse(readFileSync(path, 'utf8')) as { Records: Array<Record<string, unknown>> };
}

/** Real-time pause for "nothing happens" checks (bounded, small). */
export const settle = (ms = 300): Promise<void> => new Promise((r) => setTimeout(r, ms));
