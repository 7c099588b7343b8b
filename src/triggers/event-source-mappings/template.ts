/**
 * The event source mappings a SAM template declares: a function's `SQS` and `Kinesis` events,
 * with AWS's documented defaults (CreateEventSourceMapping): SQS BatchSize 10, Kinesis BatchSize
 * 100, MaximumBatchingWindowInSeconds 0, Kinesis MaximumRetryAttempts and
 * MaximumRecordAgeInSeconds -1 (infinite), ParallelizationFactor 1, BisectBatchOnFunctionError false.
 * UUIDs are derived from the function and event ids, so they (and Kinesis checkpoints kept under
 * them) are stable across runs.
 */
import { createHash } from 'node:crypto';
import type { FunctionModel } from '../../project/model.ts';
import type { EventSourceMappingConfig } from './ports.ts';

export const SQS_DEFAULT_BATCH_SIZE = 10;
export const KINESIS_DEFAULT_BATCH_SIZE = 100;

/** A UUID-shaped id derived from `name` (the version nibble says 5: name-based, SHA-1). */
export function stableUuid(name: string): string {
  const h = createHash('sha1').update(name).digest();
  h[6] = ((h[6] as number) & 0x0f) | 0x50;
  h[8] = ((h[8] as number) & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

function bool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  return undefined;
}

function strings(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
}

function filterCriteria(v: unknown): EventSourceMappingConfig['FilterCriteria'] {
  const filters = (v as { Filters?: unknown } | undefined)?.Filters;
  if (!Array.isArray(filters)) return undefined;
  return {
    Filters: filters.map((f: unknown) => {
      const p = (f as { Pattern?: unknown } | null)?.Pattern;
      return { Pattern: typeof p === 'string' ? p : JSON.stringify(p) };
    }),
  };
}

function defined<T extends object>(o: T): T {
  for (const k of Object.keys(o))
    if ((o as Record<string, unknown>)[k] === undefined) delete (o as Record<string, unknown>)[k];
  return o;
}

export function mappingsFromTemplate(
  functions: FunctionModel[],
  resolveArn: (ref: unknown) => string | undefined,
): EventSourceMappingConfig[] {
  const arnOf = (v: unknown): string | undefined =>
    typeof v === 'string' && v.startsWith('arn:') ? v : v === undefined ? undefined : resolveArn(v);
  const out: EventSourceMappingConfig[] = [];
  for (const fn of functions) {
    for (const event of fn.events) {
      const p = event.properties;
      const common = {
        UUID: stableUuid(`${fn.logicalId}/${event.id}`),
        FunctionName: fn.functionName,
        Enabled: bool(p.Enabled) ?? true,
        MaximumBatchingWindowInSeconds: num(p.MaximumBatchingWindowInSeconds) ?? 0,
        FilterCriteria: filterCriteria(p.FilterCriteria),
        FunctionResponseTypes: strings(p.FunctionResponseTypes),
      };
      if (event.type === 'SQS') {
        const queue = arnOf(p.Queue);
        if (!queue) continue;
        const max = num(
          (p.ScalingConfig as { MaximumConcurrency?: unknown } | undefined)?.MaximumConcurrency,
        );
        out.push(
          defined({
            ...common,
            EventSourceArn: queue,
            BatchSize: num(p.BatchSize) ?? SQS_DEFAULT_BATCH_SIZE,
            ScalingConfig: max === undefined ? undefined : { MaximumConcurrency: max },
          }),
        );
      } else if (event.type === 'Kinesis') {
        const stream = arnOf(p.Stream);
        if (!stream) continue;
        const onFailure = (p.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)
          ?.OnFailure;
        const destination = arnOf(onFailure?.Destination);
        const start = p.StartingPosition;
        out.push(
          defined({
            ...common,
            EventSourceArn: stream,
            BatchSize: num(p.BatchSize) ?? KINESIS_DEFAULT_BATCH_SIZE,
            StartingPosition:
              start === 'TRIM_HORIZON' || start === 'AT_TIMESTAMP' || start === 'LATEST' ? start : 'LATEST',
            StartingPositionTimestamp: num(p.StartingPositionTimestamp),
            MaximumRetryAttempts: num(p.MaximumRetryAttempts) ?? -1,
            MaximumRecordAgeInSeconds: num(p.MaximumRecordAgeInSeconds) ?? -1,
            BisectBatchOnFunctionError: bool(p.BisectBatchOnFunctionError) ?? false,
            ParallelizationFactor: num(p.ParallelizationFactor) ?? 1,
            TumblingWindowInSeconds: num(p.TumblingWindowInSeconds),
            DestinationConfig: destination ? { OnFailure: { Destination: destination } } : undefined,
          }),
        );
      }
    }
  }
  return out;
}
