/**
 * Event source mappings: validation and defaults as AWS documents them per source type, stored in
 * the `lambda` namespace under `esm/<UUID>`. Plain TypeScript (no HTTP): the protocol layer and
 * the app both call it; the triggers layer reads it and is told when it changes.
 */
import { randomUUID } from 'node:crypto';
import type { FunctionModel } from '../../project/model.ts';
import type { Clock } from '../../shared/clock.ts';
import { validatePattern } from '../../shared/event-pattern.ts';
import type { JsonValue, Namespace } from '../../store/types.ts';
import { AwsError } from '../types.ts';
import { findFunction, functionNotFound } from './functions.ts';
import type {
  CreateEventSourceMappingInput,
  EventSourceMappingConfig,
  UpdateEventSourceMappingInput,
} from './types.ts';

const KEY_PREFIX = 'esm/';
export const MAX_BATCH_SIZE = 10_000;
export const SQS_DEFAULT_BATCH_SIZE = 10;
export const STREAM_DEFAULT_BATCH_SIZE = 100;
export const MAX_BATCHING_WINDOW_SECONDS = 300;
export const MAX_RETRY_ATTEMPTS = 10_000;
export const MAX_RECORD_AGE_SECONDS = 604_800;
export const MIN_RECORD_AGE_SECONDS = 60;
export const MAX_PARALLELIZATION_FACTOR = 10;
export const MAX_TUMBLING_WINDOW_SECONDS = 900;
export const MAX_LIST_ITEMS = 100;

type SourceKind = 'sqs' | 'kinesis' | 'dynamodb' | 'other';

function sourceKind(arn: string): SourceKind {
  const service = arn.split(':')[2];
  if (service === 'sqs') return 'sqs';
  if (service === 'kinesis') return 'kinesis';
  if (service === 'dynamodb') return 'dynamodb';
  return 'other';
}

const invalid = (message: string): AwsError => new AwsError('InvalidParameterValueException', message, 400);

function checkInt(name: string, value: unknown, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw invalid(`${name} must be an integer between ${min} and ${max}; got ${JSON.stringify(value)}.`);
  return value;
}

function toEpochSeconds(
  value: CreateEventSourceMappingInput['StartingPositionTimestamp'],
): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return value;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  if (Number.isNaN(ms))
    throw invalid(`StartingPositionTimestamp is not a valid timestamp: ${String(value)}.`);
  return ms / 1000;
}

function checkFilters(criteria: CreateEventSourceMappingInput['FilterCriteria']): void {
  if (criteria === undefined || criteria === null) return;
  if (!Array.isArray(criteria.Filters)) throw invalid('FilterCriteria.Filters must be a list.');
  if (criteria.Filters.length > 5) throw invalid('FilterCriteria allows at most 5 filters.');
  for (const filter of criteria.Filters) {
    try {
      validatePattern(filter.Pattern);
    } catch (err) {
      throw invalid(`Invalid filter pattern definition: ${(err as Error).message}`);
    }
  }
}

function checkResponseTypes(types: unknown): void {
  if (types === undefined || types === null) return;
  if (!Array.isArray(types) || types.some((t) => t !== 'ReportBatchItemFailures'))
    throw invalid("FunctionResponseTypes accepts only 'ReportBatchItemFailures'.");
}

export class EventSourceMappings {
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly ns: Namespace,
    private readonly clock: Clock,
    private readonly region: string,
    private readonly accountId: string,
    private readonly functions: () => FunctionModel[],
  ) {}

  list(): EventSourceMappingConfig[] {
    return this.ns.list<EventSourceMappingConfig>(KEY_PREFIX).map((e) => e.value);
  }

  get(uuid: string): EventSourceMappingConfig {
    const found = this.ns.get<EventSourceMappingConfig>(KEY_PREFIX + uuid);
    if (!found)
      throw new AwsError(
        'ResourceNotFoundException',
        `The resource you requested does not exist. (Service: Lambda, Status Code: 404, Request ID: ${uuid})`,
        404,
      );
    return found;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private resolve(functionName: string): FunctionModel {
    const found = findFunction(this.functions(), functionName);
    if (!found) throw functionNotFound(functionName, this.region, this.accountId);
    return found.fn;
  }

  async create(input: CreateEventSourceMappingInput): Promise<EventSourceMappingConfig> {
    if (typeof input.EventSourceArn !== 'string' || !input.EventSourceArn.startsWith('arn:'))
      throw invalid('EventSourceArn must be an ARN.');
    if (typeof input.FunctionName !== 'string' || !input.FunctionName)
      throw invalid('FunctionName is required.');
    const fn = this.resolve(input.FunctionName);
    const uuid = input.UUID ?? randomUUID();
    const existing = this.list().find(
      (m) => m.EventSourceArn === input.EventSourceArn && m.FunctionArn === fn.arn && m.UUID !== uuid,
    );
    if (existing)
      throw new AwsError(
        'ResourceConflictException',
        `The event source arn (" ${input.EventSourceArn} ") and function (" ${fn.functionName} ") provided mapping already exists. Please update or delete the existing mapping with UUID ${existing.UUID}`,
        409,
      );
    const mapping = this.build(uuid, fn, input);
    await this.save(mapping);
    return mapping;
  }

  private build(
    uuid: string,
    fn: FunctionModel,
    input: CreateEventSourceMappingInput,
  ): EventSourceMappingConfig {
    const kind = sourceKind(input.EventSourceArn);
    const isStream = kind === 'kinesis' || kind === 'dynamodb';
    const mapping: EventSourceMappingConfig = {
      UUID: uuid,
      EventSourceMappingArn: `arn:aws:lambda:${this.region}:${this.accountId}:event-source-mapping:${uuid}`,
      EventSourceArn: input.EventSourceArn,
      FunctionArn: fn.arn,
      FunctionLogicalId: fn.logicalId,
      State: input.Enabled === false ? 'Disabled' : 'Enabled',
      StateTransitionReason: 'USER_INITIATED',
      LastModified: this.clock.now() / 1000,
      BatchSize: isStream ? STREAM_DEFAULT_BATCH_SIZE : SQS_DEFAULT_BATCH_SIZE,
      MaximumBatchingWindowInSeconds: 0,
      FunctionResponseTypes: [],
    };
    if (isStream) {
      if (!input.StartingPosition)
        throw invalid('StartingPosition is required for Kinesis and DynamoDB Streams event sources.');
      if (!['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'].includes(input.StartingPosition))
        throw invalid(`StartingPosition must be TRIM_HORIZON, LATEST or AT_TIMESTAMP.`);
      if (input.StartingPosition === 'AT_TIMESTAMP' && kind === 'dynamodb')
        throw invalid('StartingPosition AT_TIMESTAMP is not supported for DynamoDB Streams.');
      mapping.StartingPosition = input.StartingPosition;
      if (input.StartingPosition === 'AT_TIMESTAMP') {
        const ts = toEpochSeconds(input.StartingPositionTimestamp);
        if (ts === undefined) throw invalid('StartingPositionTimestamp is required with AT_TIMESTAMP.');
        mapping.StartingPositionTimestamp = ts;
      }
      Object.assign(mapping, {
        LastProcessingResult: 'No records processed',
        StateTransitionReason: 'User action',
        ParallelizationFactor: 1,
        MaximumRecordAgeInSeconds: -1,
        BisectBatchOnFunctionError: false,
        MaximumRetryAttempts: -1,
        TumblingWindowInSeconds: 0,
        DestinationConfig: { OnFailure: {} },
      });
    } else if (input.StartingPosition !== undefined) {
      throw invalid('StartingPosition is not valid for SQS event sources.');
    }
    return this.apply(mapping, input, kind);
  }

  /** Validates and applies the settable fields (create and update share the rules). */
  private apply(
    mapping: EventSourceMappingConfig,
    input: UpdateEventSourceMappingInput,
    kind: SourceKind,
  ): EventSourceMappingConfig {
    const isStream = kind === 'kinesis' || kind === 'dynamodb';
    const batch = checkInt('BatchSize', input.BatchSize, 1, MAX_BATCH_SIZE);
    if (batch !== undefined) mapping.BatchSize = batch;
    const window = checkInt(
      'MaximumBatchingWindowInSeconds',
      input.MaximumBatchingWindowInSeconds,
      0,
      MAX_BATCHING_WINDOW_SECONDS,
    );
    if (window !== undefined) mapping.MaximumBatchingWindowInSeconds = window;
    if (kind === 'sqs' && mapping.BatchSize > 10 && mapping.MaximumBatchingWindowInSeconds < 1)
      throw invalid(
        'Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10',
      );
    checkFilters(input.FilterCriteria);
    if (input.FilterCriteria) mapping.FilterCriteria = input.FilterCriteria;
    checkResponseTypes(input.FunctionResponseTypes);
    if (input.FunctionResponseTypes) mapping.FunctionResponseTypes = [...input.FunctionResponseTypes];
    if (input.Enabled !== undefined && input.Enabled !== null)
      mapping.State = input.Enabled ? 'Enabled' : 'Disabled';
    const streamOnly = [
      'MaximumRetryAttempts',
      'MaximumRecordAgeInSeconds',
      'BisectBatchOnFunctionError',
      'ParallelizationFactor',
      'TumblingWindowInSeconds',
      'DestinationConfig',
    ] as const;
    if (!isStream) {
      for (const name of streamOnly)
        if (input[name] !== undefined && input[name] !== null)
          throw invalid(
            `${name} is not supported for this event source (only Kinesis and DynamoDB Streams).`,
          );
      if (input.ScalingConfig) {
        checkInt('ScalingConfig.MaximumConcurrency', input.ScalingConfig.MaximumConcurrency, 2, 1000);
        mapping.ScalingConfig = { ...input.ScalingConfig };
      }
      return mapping;
    }
    if (input.ScalingConfig) throw invalid('ScalingConfig is supported only for Amazon SQS event sources.');
    const retries = checkInt('MaximumRetryAttempts', input.MaximumRetryAttempts, -1, MAX_RETRY_ATTEMPTS);
    if (retries !== undefined) mapping.MaximumRetryAttempts = retries;
    const age = checkInt(
      'MaximumRecordAgeInSeconds',
      input.MaximumRecordAgeInSeconds,
      -1,
      MAX_RECORD_AGE_SECONDS,
    );
    if (age !== undefined) {
      if (age !== -1 && age < MIN_RECORD_AGE_SECONDS)
        throw invalid(
          `MaximumRecordAgeInSeconds must be -1 or between ${MIN_RECORD_AGE_SECONDS} and ${MAX_RECORD_AGE_SECONDS}.`,
        );
      mapping.MaximumRecordAgeInSeconds = age;
    }
    if (typeof input.BisectBatchOnFunctionError === 'boolean')
      mapping.BisectBatchOnFunctionError = input.BisectBatchOnFunctionError;
    const factor = checkInt(
      'ParallelizationFactor',
      input.ParallelizationFactor,
      1,
      MAX_PARALLELIZATION_FACTOR,
    );
    if (factor !== undefined) mapping.ParallelizationFactor = factor;
    const tumbling = checkInt(
      'TumblingWindowInSeconds',
      input.TumblingWindowInSeconds,
      0,
      MAX_TUMBLING_WINDOW_SECONDS,
    );
    if (tumbling !== undefined) mapping.TumblingWindowInSeconds = tumbling;
    if (input.DestinationConfig) mapping.DestinationConfig = { OnFailure: {}, ...input.DestinationConfig };
    return mapping;
  }

  async update(uuid: string, input: UpdateEventSourceMappingInput): Promise<EventSourceMappingConfig> {
    const mapping = this.get(uuid);
    if (input.FunctionName) {
      const fn = this.resolve(input.FunctionName);
      mapping.FunctionArn = fn.arn;
      mapping.FunctionLogicalId = fn.logicalId;
    }
    this.apply(mapping, input, sourceKind(mapping.EventSourceArn));
    mapping.LastModified = this.clock.now() / 1000;
    await this.save(mapping);
    return mapping;
  }

  async delete(uuid: string): Promise<EventSourceMappingConfig> {
    const mapping = this.get(uuid);
    await this.ns.delete(KEY_PREFIX + uuid);
    this.changed();
    return mapping;
  }

  private async save(mapping: EventSourceMappingConfig): Promise<void> {
    await this.ns.put(KEY_PREFIX + mapping.UUID, mapping as unknown as JsonValue);
    this.changed();
  }

  private changed(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch {
        // A listener's fault is its own; the mapping is stored.
      }
    }
  }
}

/** The wire shape: AWS's fields only (Slipway's FunctionLogicalId stays inside). */
export function mappingResponse(
  mapping: EventSourceMappingConfig,
  state?: EventSourceMappingConfig['State'],
): Record<string, unknown> {
  const { FunctionLogicalId: _omit, ...wire } = mapping;
  return state ? { ...wire, State: state } : wire;
}
