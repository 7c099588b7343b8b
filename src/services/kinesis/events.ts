/**
 * What Kinesis emits for the triggers layer.
 *
 * `RecordsPut` — after PutRecord/PutRecords, once the records are durable.
 *   resourceArn: the stream ARN; detail: { shardIds: string[] (shards that received records),
 *   count: number (records written) }; caller: who put them.
 * Pollers should prefer `KinesisService.onRecords` (a direct wake-up per shard); the event is for
 * traces and chains.
 */
import type { Caller, ServiceEvent } from '../types.ts';

export const RECORDS_PUT = 'RecordsPut';

export interface RecordsPutDetail {
  shardIds: string[];
  count: number;
}

export function recordsPutEvent(
  streamArn: string,
  detail: RecordsPutDetail,
  time: number,
  caller?: Caller,
): ServiceEvent {
  const event: ServiceEvent = {
    source: 'kinesis',
    type: RECORDS_PUT,
    resourceArn: streamArn,
    detail: { ...detail },
    time,
  };
  if (caller) event.caller = caller;
  return event;
}
