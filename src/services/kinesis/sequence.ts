/**
 * Sequence numbers, shaped like AWS's: 56-digit decimal strings, strictly increasing per shard.
 * Ours encode where they belong, so a position can be found (and a foreign number rejected) without
 * a lookup: `4` · stream creation epoch ms (15 digits) · shard index (6) · per-shard counter (34).
 * Counter 0 is the shard's StartingSequenceNumber; records take 1, 2, 3, ...
 * Equal length makes string order numeric order.
 */

export const SEQUENCE_NUMBER_LENGTH = 56;

export interface SequenceParts {
  streamCreatedMs: number;
  shardIndex: number;
  counter: number;
}

export function formatSequenceNumber(p: SequenceParts): string {
  return (
    '4' +
    String(p.streamCreatedMs).padStart(15, '0') +
    String(p.shardIndex).padStart(6, '0') +
    String(p.counter).padStart(34, '0')
  );
}

/** Undefined for a string that is not one of ours. */
export function parseSequenceNumber(value: string): SequenceParts | undefined {
  if (value.length !== SEQUENCE_NUMBER_LENGTH || !/^4\d+$/.test(value)) return undefined;
  const counter = Number(value.slice(22));
  if (!Number.isSafeInteger(counter)) return undefined;
  return {
    streamCreatedMs: Number(value.slice(1, 16)),
    shardIndex: Number(value.slice(16, 22)),
    counter,
  };
}

export function shardIdOf(index: number): string {
  return `shardId-${String(index).padStart(12, '0')}`;
}

/** `shardId-000000000003` → 3; undefined otherwise. */
export function shardIndexOf(shardId: string): number | undefined {
  const m = /^shardId-(\d{12})$/.exec(shardId);
  return m ? Number(m[1]) : undefined;
}
