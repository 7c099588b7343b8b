/**
 * The Lambda API service's contracts: what it needs (LambdaDeps, wired by app/) and what it offers
 * the triggers layer (event source mappings, in AWS's own field names).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FunctionModel } from '../../project/model.ts';
import type { InvokeRequest, InvokeResult } from '../../runtime/types.ts';
import type { AwsService, Caller } from '../types.ts';

export interface LambdaDeps {
  /** The project's functions as the runtime runs them now. */
  functions(): FunctionModel[];
  /** Synchronous invoke (the runtime). Service errors are thrown as AwsServiceError. */
  invoke(name: string, request: InvokeRequest): Promise<InvokeResult>;
  /** Queues an asynchronous invoke (the triggers layer's async-invoke queue). */
  invokeAsync(name: string, payload: Buffer, caller?: Caller): Promise<{ requestId: string }>;
  /** Reads an object of the emulated S3 (`Code.S3Bucket` / `S3Key` / `S3ObjectVersion`). */
  readS3Object(bucket: string, key: string, versionId?: string): Promise<S3ObjectRead>;
  /**
   * Unpacks a stored deployment package (a zip file) and returns the directory it runs from;
   * throws, with the reason, when it cannot be unpacked.
   */
  unpackCode(zipPath: string, owner: string): Promise<string>;
}

/** An S3 object's bytes, or S3's error code and message (NoSuchBucket, NoSuchKey, ...). */
export type S3ObjectRead = { body: Buffer } | { errorCode: string; errorMessage: string };

export type EventSourceMappingState =
  'Creating' | 'Enabling' | 'Enabled' | 'Disabling' | 'Disabled' | 'Updating' | 'Deleting';

export type StartingPosition = 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';

export interface FilterCriteria {
  /** Each `Pattern` is the JSON text of an event pattern (shared/event-pattern.ts). */
  Filters: Array<{ Pattern: string }>;
}

export interface DestinationConfig {
  OnSuccess?: { Destination?: string };
  OnFailure?: { Destination?: string };
}

/** A stored event source mapping, as GetEventSourceMapping returns it. */
export interface EventSourceMappingConfig {
  UUID: string;
  EventSourceMappingArn: string;
  EventSourceArn: string;
  FunctionArn: string;
  /** Slipway: the logical id of the mapped function (what pollers pass to the invoker). */
  FunctionLogicalId: string;
  State: EventSourceMappingState;
  StateTransitionReason: string;
  /** Epoch seconds. */
  LastModified: number;
  LastProcessingResult?: string;
  BatchSize: number;
  MaximumBatchingWindowInSeconds: number;
  FunctionResponseTypes: Array<'ReportBatchItemFailures'>;
  FilterCriteria?: FilterCriteria;
  /** Streams (Kinesis, DynamoDB) only. */
  StartingPosition?: StartingPosition;
  /** Epoch seconds, with StartingPosition AT_TIMESTAMP. */
  StartingPositionTimestamp?: number;
  MaximumRetryAttempts?: number;
  MaximumRecordAgeInSeconds?: number;
  BisectBatchOnFunctionError?: boolean;
  ParallelizationFactor?: number;
  TumblingWindowInSeconds?: number;
  DestinationConfig?: DestinationConfig;
  /** SQS only. */
  ScalingConfig?: { MaximumConcurrency?: number };
}

/** CreateEventSourceMapping's input (AWS names). `UUID` lets the app create idempotently (template mappings). */
export interface CreateEventSourceMappingInput {
  EventSourceArn: string;
  FunctionName: string;
  Enabled?: boolean;
  BatchSize?: number;
  MaximumBatchingWindowInSeconds?: number;
  StartingPosition?: StartingPosition;
  /** Epoch seconds (a Date or ISO string from SDK JSON is accepted too). */
  StartingPositionTimestamp?: number | string | Date;
  FilterCriteria?: FilterCriteria;
  FunctionResponseTypes?: Array<'ReportBatchItemFailures'>;
  MaximumRetryAttempts?: number;
  MaximumRecordAgeInSeconds?: number;
  BisectBatchOnFunctionError?: boolean;
  ParallelizationFactor?: number;
  TumblingWindowInSeconds?: number;
  DestinationConfig?: DestinationConfig;
  ScalingConfig?: { MaximumConcurrency?: number };
  /** Slipway only: create-or-replace under this id (e.g. derived from a template logical id). */
  UUID?: string;
}

export type UpdateEventSourceMappingInput = Partial<
  Omit<
    CreateEventSourceMappingInput,
    'EventSourceArn' | 'StartingPosition' | 'StartingPositionTimestamp' | 'UUID'
  >
>;

export interface LambdaService extends AwsService {
  /** Every mapping (all states; pollers run those whose State is `Enabled`). */
  eventSourceMappings(): EventSourceMappingConfig[];
  /** Called after any mapping is created, updated or deleted. Returns the unsubscribe function. */
  onEventSourceMappingsChanged(listener: () => void): () => void;
  /** Validates and stores a mapping, as the CreateEventSourceMapping API does (defaults per source type). */
  createEventSourceMapping(input: CreateEventSourceMappingInput): Promise<EventSourceMappingConfig>;
  deleteEventSourceMapping(uuid: string): Promise<void>;
  /**
   * The functions to run: the template's (with code and configuration the API deployed to them),
   * then the functions created through the API, then published versions (logical id `Name:N`,
   * `version` set). The app hands these to the runtime.
   */
  functionsFor(template: FunctionModel[]): FunctionModel[];
  /** Logical ids of template functions running code or configuration deployed through the API. */
  overriddenFunctions(): string[];
  /** Called (and awaited) when `functionsFor` would answer differently. Returns the unsubscribe function. */
  onFunctionsChanged(listener: () => void | Promise<void>): () => void;
  /** Resolves once stored deployments are unpacked and runnable (start-up). */
  ready(): Promise<void>;
  /** Serves `Code.Location` (`GET /_slipway/lambda/code/<sha256>.zip`); false when the request is not one. */
  serveCode(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}
