/**
 * Functions as the Lambda API shows them: name resolution (name, logical id, full or partial ARN,
 * `name:qualifier`) and the FunctionConfiguration / GetFunction shapes.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FunctionModel } from '../../project/model.ts';
import { AwsError } from '../types.ts';

export interface ResolvedFunction {
  fn: FunctionModel;
  qualifier?: string;
}

/** Files hashed for a directory's CodeSha256 before giving up (a huge node_modules is not a Lambda zip). */
const MAX_CODE_FILES = 20_000;

/** `name`, `name:qualifier`, `123456789012:function:name[:qualifier]`, `arn:aws:lambda:r:a:function:name[:qualifier]`. */
export function parseFunctionName(input: string): { name: string; qualifier?: string } {
  const parts = input.split(':');
  if (parts[0] === 'arn' && parts.length >= 7 && parts[5] === 'function')
    return { name: parts[6] ?? '', qualifier: parts[7] };
  if (parts.length >= 3 && parts[1] === 'function') return { name: parts[2] ?? '', qualifier: parts[3] };
  return { name: parts[0] ?? '', qualifier: parts[1] };
}

export function findFunction(functions: FunctionModel[], input: string): ResolvedFunction | undefined {
  const { name, qualifier } = parseFunctionName(input);
  const fn =
    functions.find((f) => f.functionName === name) ??
    functions.find((f) => f.logicalId === name) ??
    functions.find((f) => f.arn === input);
  return fn ? { fn, qualifier } : undefined;
}

export function functionNotFound(input: string, region: string, accountId: string): AwsError {
  const arn = input.startsWith('arn:')
    ? input
    : `arn:aws:lambda:${region}:${accountId}:function:${parseFunctionName(input).name}`;
  return new AwsError('ResourceNotFoundException', `Function not found: ${arn}`, 404);
}

export interface CodeInfo {
  size: number;
  sha256: string;
}

async function hashFile(path: string): Promise<CodeInfo> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    size += (chunk as Buffer).length;
    hash.update(chunk as Buffer);
  }
  return { size, sha256: hash.digest('base64') };
}

/** A directory's size, and a digest of its file names, sizes and mtimes (not the deploy zip's sha256). */
async function hashDir(dir: string): Promise<CodeInfo> {
  const hash = createHash('sha256');
  let size = 0;
  let files = 0;
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(join(dir, rel), { withFileTypes: true }).catch(() => []);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (files >= MAX_CODE_FILES) return;
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) {
        const s = await stat(join(dir, path)).catch(() => undefined);
        if (!s) continue;
        files++;
        size += s.size;
        hash.update(`${path}\0${s.size}\0${Math.floor(s.mtimeMs)}\n`);
      }
    }
  };
  await walk('');
  return { size, sha256: hash.digest('base64') };
}

/** Code size and digest, computed once per function model (a reload hands over a new model). */
export class CodeInfoCache {
  private readonly cache = new WeakMap<FunctionModel, Promise<CodeInfo>>();

  get(fn: FunctionModel): Promise<CodeInfo> {
    let info = this.cache.get(fn);
    if (!info) {
      info = this.compute(fn).catch(() => ({ size: 0, sha256: '' }));
      this.cache.set(fn, info);
    }
    return info;
  }

  private compute(fn: FunctionModel): Promise<CodeInfo> {
    if (fn.inlineCode !== undefined) {
      const bytes = Buffer.from(fn.inlineCode);
      return Promise.resolve({
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('base64'),
      });
    }
    if (fn.codeZip) return hashFile(fn.codeZip);
    if (fn.codeDir) return hashDir(fn.codeDir);
    return Promise.resolve({ size: 0, sha256: '' });
  }
}

/** Lambda's LastModified format: `2024-01-02T03:04:05.678+0000`. */
export function lambdaTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('Z', '+0000');
}

function accountOf(arn: string): string {
  return arn.split(':')[4] ?? '';
}

/** What the model does not say: set for functions the Lambda API deployed, derived for template ones. */
export interface ConfigurationDetails {
  role?: string;
  revisionId?: string;
  /** State, LastUpdateStatus and their reasons (default: Active, Successful). */
  status?: Record<string, string | undefined>;
  /** ListVersionsByFunction leaves State and LastUpdateStatus out. */
  listing?: boolean;
}

/** A stable RevisionId for a function the API never changed: it changes when its model or code does. */
export function derivedRevisionId(fn: FunctionModel, code: CodeInfo): string {
  const h = createHash('sha256').update(JSON.stringify(fn)).update(code.sha256).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function functionConfiguration(
  fn: FunctionModel,
  code: CodeInfo,
  lastModifiedMs: number,
  details: ConfigurationDetails = {},
): Record<string, unknown> {
  const config: Record<string, unknown> = {
    FunctionName: fn.functionName,
    FunctionArn: fn.arn,
  };
  if (fn.packageType === 'Zip') {
    config.Runtime = fn.runtime;
    config.Handler = fn.handler;
  }
  Object.assign(config, {
    Role: details.role ?? `arn:aws:iam::${accountOf(fn.arn)}:role/${fn.logicalId}Role`,
    CodeSize: code.size,
    Description: fn.description ?? '',
    Timeout: fn.timeout,
    MemorySize: fn.memorySize,
    LastModified: lambdaTimestamp(lastModifiedMs),
    CodeSha256: code.sha256,
    Version: fn.version ?? '$LATEST',
    RevisionId: details.revisionId ?? derivedRevisionId(fn, code),
  });
  if (Object.keys(fn.environment).length > 0) config.Environment = { Variables: { ...fn.environment } };
  config.TracingConfig = { Mode: fn.tracing ?? 'PassThrough' };
  if (fn.deadLetterQueue) config.DeadLetterConfig = { TargetArn: fn.deadLetterQueue.targetArn };
  if (fn.layers.length > 0) config.Layers = fn.layers.map((l) => ({ Arn: l.arn, CodeSize: 0 }));
  if (!details.listing) {
    const status = details.status ?? { State: 'Active', LastUpdateStatus: 'Successful' };
    for (const [k, v] of Object.entries(status)) if (v !== undefined) config[k] = v;
  }
  Object.assign(config, {
    PackageType: fn.packageType,
    Architectures: [...fn.architectures],
    EphemeralStorage: { Size: fn.ephemeralStorageMB },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    LoggingConfig: loggingConfig(fn),
  });
  return config;
}

function loggingConfig(fn: FunctionModel): Record<string, string> {
  const out: Record<string, string> = { LogFormat: fn.loggingConfig.logFormat };
  if (fn.loggingConfig.applicationLogLevel) out.ApplicationLogLevel = fn.loggingConfig.applicationLogLevel;
  if (fn.loggingConfig.systemLogLevel) out.SystemLogLevel = fn.loggingConfig.systemLogLevel;
  out.LogGroup = fn.loggingConfig.logGroup ?? `/aws/lambda/${fn.functionName}`;
  return out;
}

/** Where the code lives (a file URL: Slipway runs the code in place, there is no uploaded zip). */
export function codeLocation(fn: FunctionModel): string {
  const path = fn.codeZip ?? fn.codeDir;
  return path ? pathToFileURL(path).href : '';
}

/** SAM tags the functions it creates; plain AWS::Lambda::Function resources have only their own tags. */
export function functionTags(fn: FunctionModel): Record<string, string> {
  return fn.resourceType === 'AWS::Serverless::Function' ? { 'lambda:createdBy': 'SAM' } : {};
}
