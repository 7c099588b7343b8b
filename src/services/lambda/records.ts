/**
 * What the Lambda API changed, as stored in the `lambda-functions` namespace: functions created
 * through CreateFunction, and template functions whose code or configuration was replaced
 * (UpdateFunctionCode / UpdateFunctionConfiguration) or that have published versions. Plain data,
 * in AWS's field names where AWS has one.
 */
import type { FunctionModel } from '../../project/model.ts';
import type { JsonValue, Namespace } from '../../store/types.ts';
import type { CodeRef } from './code-package.ts';

export const RECORDS_NAMESPACE = 'lambda-functions';

/** The configuration fields the API sets. Complete for a created function; for a template function only what was changed. */
export interface DeployedConfig {
  Runtime?: string;
  Handler?: string;
  Role?: string;
  Timeout?: number;
  MemorySize?: number;
  Description?: string;
  /** Environment.Variables (replaces the template's whole map). */
  Environment?: Record<string, string>;
  Architectures?: Array<'x86_64' | 'arm64'>;
  /** Layer version ARNs (recorded; their content is not fetched). */
  Layers?: string[];
  /** EphemeralStorage.Size, MB. */
  EphemeralStorage?: number;
  TracingMode?: 'Active' | 'PassThrough';
}

export type FunctionState = 'Pending' | 'Active' | 'Failed';
export type LastUpdateStatus = 'Successful' | 'InProgress' | 'Failed';

export interface Status {
  State: FunctionState;
  StateReason?: string;
  StateReasonCode?: string;
  /** Absent until the function was first created (as CreateFunction's answer shows). */
  LastUpdateStatus?: LastUpdateStatus;
  LastUpdateStatusReason?: string;
  LastUpdateStatusReasonCode?: string;
}

export interface VersionRecord {
  version: string;
  revisionId: string;
  /** Epoch ms. */
  lastModified: number;
  status: Status;
  /** The configuration published, as the runtime runs it (no code directory when `code` is set). */
  model: FunctionModel;
  role: string;
  /** The deployed package it runs; absent for a template function running its source folder. */
  code?: CodeRef;
  /** CodeSha256 and CodeSize as reported. */
  codeSha256: string;
  codeSize: number;
  /** Digest of $LATEST's configuration and code when published (an unchanged $LATEST publishes nothing new). */
  fingerprint: string;
}

/** The configuration and package the runtime runs (the last update that succeeded). */
export interface Running {
  config: DeployedConfig;
  code?: CodeRef;
}

export interface FunctionRecord {
  kind: 'created' | 'template';
  /** The FunctionName of a created function; the logical id of a template function. */
  name: string;
  /** $LATEST as reported, including an update still in progress or one that failed. */
  config: DeployedConfig;
  code?: CodeRef;
  /** Absent until the first package was unpacked (a Pending or Failed created function). */
  running?: Running;
  revisionId: string;
  /** Epoch ms. */
  lastModified: number;
  status: Status;
  versions: VersionRecord[];
  nextVersion: number;
}

export function recordKey(kind: FunctionRecord['kind'], name: string): string {
  return `${kind === 'created' ? 'function' : 'template'}/${name}`;
}

export function keyOf(record: FunctionRecord): string {
  return recordKey(record.kind, record.name);
}

/** Whether the record replaces anything of its template function (code or configuration). */
export function overridesTemplate(record: FunctionRecord): boolean {
  return record.kind === 'template' && (record.code !== undefined || Object.keys(record.config).length > 0);
}

export class RecordStore {
  constructor(private readonly ns: Namespace) {}

  loadAll(): FunctionRecord[] {
    return [...this.ns.list<FunctionRecord>('function/'), ...this.ns.list<FunctionRecord>('template/')].map(
      (e) => e.value,
    );
  }

  save(record: FunctionRecord): Promise<void> {
    return this.ns.put(keyOf(record), JSON.parse(JSON.stringify(record)) as JsonValue);
  }

  remove(record: FunctionRecord): Promise<void> {
    return this.ns.delete(keyOf(record));
  }
}
