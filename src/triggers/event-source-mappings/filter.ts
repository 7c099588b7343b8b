/**
 * FilterCriteria, as Lambda event filtering applies them
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html): up to five
 * patterns, a record passes when any matches. The pattern sees the record as the function would,
 * except that an SQS `body` holding a JSON object is matched as that object (otherwise as its plain
 * string), and a Kinesis pattern sees only `{ data }`, the record's data decoded as JSON.
 */
import { SlipwayError } from '../../shared/errors.ts';
import type { EventSourceMappingConfig, PatternCompiler } from './ports.ts';

export type RecordPredicate = (view: unknown) => boolean;

/** A predicate for the mapping's FilterCriteria, or undefined when it has none. Throws on a bad pattern. */
export function compileFilterCriteria(
  config: EventSourceMappingConfig,
  compile: PatternCompiler,
): RecordPredicate | undefined {
  const filters = (config.FilterCriteria?.Filters ?? []).filter((f) => typeof f.Pattern === 'string');
  if (filters.length === 0) return undefined;
  const predicates = filters.map((f, i) => {
    let pattern: unknown;
    try {
      pattern = JSON.parse(f.Pattern as string);
    } catch (err) {
      throw new SlipwayError(
        'InvalidFilterCriteria',
        `Event source mapping ${config.UUID}: FilterCriteria.Filters[${i}].Pattern is not valid JSON: ${(err as Error).message}`,
        { hint: 'Write the pattern as a JSON object, e.g. {"body": {"type": ["order"]}}.' },
      );
    }
    try {
      return compile(pattern);
    } catch (err) {
      throw new SlipwayError(
        'InvalidFilterCriteria',
        `Event source mapping ${config.UUID}: FilterCriteria.Filters[${i}].Pattern is not a valid pattern: ${(err as Error).message}`,
        { cause: err },
      );
    }
  });
  return (view) => predicates.some((p) => p(view));
}

/** A JSON object (or array) parsed from text, else undefined. */
function jsonObject(text: string): unknown {
  const t = text.trimStart();
  if (!t.startsWith('{') && !t.startsWith('[')) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** What a filter pattern sees of an SQS record. */
export function sqsFilterView<R extends { body: string }>(record: R): unknown {
  const parsed = jsonObject(record.body);
  return parsed === undefined ? record : { ...record, body: parsed };
}

/**
 * What a filter pattern sees of a Kinesis record: Kinesis mappings filter on the `data` key only,
 * decoded from base64, and only when it holds JSON (otherwise no pattern on `data` can match).
 */
export function kinesisFilterView<R extends { kinesis: { data: string } }>(record: R): unknown {
  const parsed = jsonObject(Buffer.from(record.kinesis.data, 'base64').toString('utf8'));
  return parsed === undefined ? {} : { data: parsed };
}
