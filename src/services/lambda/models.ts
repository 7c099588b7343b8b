/**
 * Records as the runtime runs them: a FunctionModel for a created function, a template function
 * with its deployed code and configuration applied, and published versions (`Name:1`).
 */
import type { FunctionModel } from '../../project/model.ts';
import { runtimeFamily } from '../../project/runtimes.ts';
import type { CodeRef } from './code-package.ts';
import type { DeployedConfig } from './records.ts';

const DEFAULT_TIMEOUT = 3;
const DEFAULT_MEMORY_MB = 128;
const DEFAULT_EPHEMERAL_MB = 512;

export function functionArn(region: string, accountId: string, name: string): string {
  return `arn:aws:lambda:${region}:${accountId}:function:${name}`;
}

/** Applies API-set configuration over a model (each field present replaces the model's). */
export function applyConfig(base: FunctionModel, config: DeployedConfig): FunctionModel {
  const fn: FunctionModel = { ...base };
  if (config.Runtime !== undefined) {
    fn.runtime = config.Runtime;
    fn.runtimeFamily = runtimeFamily(config.Runtime) ?? fn.runtimeFamily;
  }
  if (config.Handler !== undefined) fn.handler = config.Handler;
  if (config.Timeout !== undefined) fn.timeout = config.Timeout;
  if (config.MemorySize !== undefined) fn.memorySize = config.MemorySize;
  if (config.Description !== undefined) fn.description = config.Description;
  if (config.Environment !== undefined) fn.environment = { ...config.Environment };
  if (config.Architectures !== undefined) fn.architectures = [...config.Architectures];
  if (config.Layers !== undefined) fn.layers = config.Layers.map((arn) => ({ arn }));
  if (config.EphemeralStorage !== undefined) fn.ephemeralStorageMB = config.EphemeralStorage;
  if (config.TracingMode !== undefined) fn.tracing = config.TracingMode;
  return fn;
}

/** A function created through CreateFunction (its logical id is its name). */
export function createdModel(
  name: string,
  config: DeployedConfig,
  region: string,
  accountId: string,
): FunctionModel {
  const base: FunctionModel = {
    logicalId: name,
    resourceType: 'AWS::Lambda::Function',
    functionName: name,
    arn: functionArn(region, accountId, name),
    runtime: '',
    runtimeFamily: 'provided',
    handler: '',
    packageType: 'Zip',
    timeout: DEFAULT_TIMEOUT,
    memorySize: DEFAULT_MEMORY_MB,
    ephemeralStorageMB: DEFAULT_EPHEMERAL_MB,
    architectures: ['x86_64'],
    environment: {},
    layers: [],
    events: [],
    loggingConfig: { logFormat: 'Text' },
    location: { file: 'Lambda API (CreateFunction)', line: 1, column: 1 },
  };
  return applyConfig(base, config);
}

/**
 * The model running a deployed package: unpacked in `codeDir`, the zip kept at `codeZip`. A build
 * step and inline code of the template no longer apply (the package is what runs).
 */
export function withPackage(fn: FunctionModel, zipPath: string, codeDir: string): FunctionModel {
  const out: FunctionModel = { ...fn, codeZip: zipPath, codeDir };
  delete out.inlineCode;
  delete out.build;
  return out;
}

/** The model kept for a published version: the code directory is set again when it is run. */
export function versionSnapshot(
  latest: FunctionModel,
  version: string,
  code: CodeRef | undefined,
): FunctionModel {
  const snapshot: FunctionModel = {
    ...latest,
    logicalId: `${latest.logicalId}:${version}`,
    arn: `${latest.arn}:${version}`,
    version,
  };
  if (code) {
    delete snapshot.codeDir;
    delete snapshot.codeZip;
  }
  return snapshot;
}
