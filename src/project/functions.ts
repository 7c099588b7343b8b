/** `AWS::Serverless::Function` and `AWS::Lambda::Function` → `FunctionModel`. */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { describe, invalid, isRecord, templateError, text, type Scope } from './diagnostics.ts';
import { buildOf } from './build.ts';
import type {
  EventInvokeConfigModel,
  FunctionEvent,
  FunctionModel,
  LayerModel,
  LoggingConfigModel,
} from './model.ts';
import { SUPPORTED_RUNTIMES, isDeprecatedRuntime, runtimeFamily, suggestRuntime } from './runtimes.ts';
import type { Stack, StackEntry } from './stack.ts';

const DEFAULT_TIMEOUT = 3;
const DEFAULT_MEMORY_MB = 128;
const DEFAULT_EPHEMERAL_MB = 512;

export interface FunctionContext {
  stack: Stack;
  projectDir: string;
  /** Layer version ARN → the template's layer. */
  layersByArn: Map<string, LayerModel>;
  warnings: string[];
}

type Props = Record<string, unknown>;

export function buildFunction(entry: StackEntry, props: Props, ctx: FunctionContext): FunctionModel {
  const { stack } = ctx;
  const sam = entry.type === 'AWS::Serverless::Function';
  const scopeOf = (key: string): Scope => stack.propertyScope(entry, key);
  const identity = stack.identity(entry.logicalId);
  const packageType = props['PackageType'] === 'Image' ? 'Image' : 'Zip';
  const fn: FunctionModel = {
    logicalId: entry.logicalId,
    resourceType: sam ? 'AWS::Serverless::Function' : 'AWS::Lambda::Function',
    functionName: identity.ref,
    arn: identity.attributes['Arn'] ?? identity.ref,
    runtime: '',
    runtimeFamily: 'provided',
    handler: '',
    packageType,
    timeout: num(props['Timeout'], DEFAULT_TIMEOUT, scopeOf('Timeout'), 'Timeout'),
    memorySize: num(props['MemorySize'], DEFAULT_MEMORY_MB, scopeOf('MemorySize'), 'MemorySize'),
    ephemeralStorageMB: num(
      isRecord(props['EphemeralStorage']) ? props['EphemeralStorage']['Size'] : undefined,
      DEFAULT_EPHEMERAL_MB,
      scopeOf('EphemeralStorage'),
      'EphemeralStorage.Size',
    ),
    architectures: architectures(props['Architectures'], scopeOf('Architectures')),
    environment: environmentOf(props['Environment'], scopeOf('Environment')),
    layers: layersOf(props['Layers'], entry, ctx),
    events: sam ? eventsOf(props['Events']) : [],
    loggingConfig: loggingOf(props['LoggingConfig']),
    location: entry.location ?? { file: stack.file, line: 1, column: 1 },
  };
  if (typeof props['Description'] === 'string') fn.description = props['Description'];
  if (props['ReservedConcurrentExecutions'] !== undefined) {
    fn.reservedConcurrentExecutions = num(props['ReservedConcurrentExecutions'], 0, scopeOf('ReservedConcurrentExecutions'), 'ReservedConcurrentExecutions');
  } // prettier-ignore
  const tracing = sam
    ? props['Tracing']
    : isRecord(props['TracingConfig'])
      ? props['TracingConfig']['Mode']
      : undefined;
  if (tracing === 'Active' || tracing === 'PassThrough') fn.tracing = tracing;
  // Lambda's recursive loop detection setting (AWS::Lambda::Function and SAM both spell it RecursiveLoop).
  if (props['RecursiveLoop'] === 'Allow' || props['RecursiveLoop'] === 'Terminate')
    fn.recursiveLoop = props['RecursiveLoop'];
  const dlq = deadLetterQueue(sam, props, scopeOf(sam ? 'DeadLetterQueue' : 'DeadLetterConfig'));
  if (dlq) fn.deadLetterQueue = dlq;
  if (sam && isRecord(props['EventInvokeConfig']))
    fn.eventInvokeConfig = eventInvokeConfigOf(props['EventInvokeConfig']);
  const build = buildOf(entry.metadata);
  if (build) fn.build = build;

  if (packageType === 'Image') {
    ctx.warnings.push(
      `${entry.logicalId}: PackageType Image cannot run locally in Slipway (no container runtime); it is loaded but not invoked`,
    );
    fn.runtime = typeof props['Runtime'] === 'string' ? props['Runtime'] : 'provided';
    fn.handler = typeof props['Handler'] === 'string' ? props['Handler'] : 'bootstrap';
    return fn;
  }
  setRuntime(fn, props, scopeOf('Runtime'), ctx);
  if (typeof props['Handler'] !== 'string' || props['Handler'] === '') {
    throw invalid(
      `function ${entry.logicalId} has no Handler`,
      scopeOf('Handler'),
      fn.runtimeFamily === 'provided'
        ? 'add Handler: bootstrap'
        : 'add e.g. Handler: app.handler (file app, export handler)',
    );
  }
  fn.handler = props['Handler'];
  setCode(fn, sam, props, scopeOf(sam ? 'CodeUri' : 'Code'), ctx);
  return fn;
}

function num(value: unknown, fallback: number, scope: Scope, name: string): number {
  if (value === undefined || value === null) return fallback;
  const n = Number(value);
  if (typeof value === 'boolean' || !Number.isFinite(n))
    throw invalid(`${name} must be a number, found ${describe(value)}`, scope);
  return n;
}

function setRuntime(fn: FunctionModel, props: Props, scope: Scope, ctx: FunctionContext): void {
  const runtime = props['Runtime'];
  if (runtime === undefined || runtime === null) {
    throw invalid(
      `function ${fn.logicalId} has no Runtime`,
      scope,
      `add Runtime (or Globals.Function.Runtime), one of: ${SUPPORTED_RUNTIMES.join(', ')}`,
    );
  }
  const family = typeof runtime === 'string' ? runtimeFamily(runtime) : undefined;
  if (typeof runtime !== 'string' || !family) {
    const suggestion = typeof runtime === 'string' ? suggestRuntime(runtime) : undefined;
    throw templateError(
      'UnsupportedRuntime',
      `function ${fn.logicalId}: runtime ${JSON.stringify(runtime)} is not supported by Slipway`,
      scope,
      (suggestion ? `did you mean ${suggestion}? ` : '') +
        `supported runtimes: ${SUPPORTED_RUNTIMES.join(', ')}`,
    );
  }
  if (isDeprecatedRuntime(runtime)) {
    ctx.warnings.push(
      `${fn.logicalId}: runtime ${runtime} is deprecated by AWS Lambda; it runs locally, but update it`,
    );
  }
  fn.runtime = runtime;
  fn.runtimeFamily = family;
}

function notLocal(fn: FunctionModel, what: string, scope: Scope): never {
  throw templateError(
    'CodeUriNotLocal',
    `function ${fn.logicalId}: the code is in S3 (${what}); Slipway runs code from local files`,
    scope,
    'point CodeUri at the local source directory (e.g. CodeUri: src/) or a local .zip file',
  );
}

function setCode(fn: FunctionModel, sam: boolean, props: Props, scope: Scope, ctx: FunctionContext): void {
  let path: string | undefined;
  if (sam) {
    if (typeof props['InlineCode'] === 'string') {
      fn.inlineCode = props['InlineCode'];
      return;
    }
    const uri = props['CodeUri'];
    if (isRecord(uri)) notLocal(fn, `Bucket ${String(uri['Bucket'])}, Key ${String(uri['Key'])}`, scope);
    if (uri !== undefined && typeof uri !== 'string')
      throw invalid(`CodeUri must be a path, found ${describe(uri)}`, scope);
    path = uri ?? '.';
  } else {
    const code = props['Code'];
    if (typeof code === 'string') path = code;
    else if (isRecord(code) && typeof code['ZipFile'] === 'string') {
      fn.inlineCode = code['ZipFile'];
      return;
    } else if (isRecord(code) && typeof code['S3Key'] === 'string') {
      const key = code['S3Key'];
      const local = resolvePath(ctx.projectDir, key);
      if (code['S3Bucket'] !== undefined && !existsSync(local))
        notLocal(fn, `s3://${text(code['S3Bucket'])}/${key}`, scope);
      path = key;
    } else throw invalid(`function ${fn.logicalId} needs Code (ZipFile, or a local path)`, scope);
  }
  if (/^s3:\/\//i.test(path)) notLocal(fn, path, scope);
  const abs = isAbsolute(path) ? path : resolvePath(ctx.projectDir, path);
  if (!existsSync(abs)) ctx.warnings.push(`${fn.logicalId}: code path ${abs} does not exist (yet)`);
  if (/\.(zip|jar)$/i.test(abs)) fn.codeZip = abs;
  else fn.codeDir = abs;
}

function architectures(value: unknown, scope: Scope): Array<'x86_64' | 'arm64'> {
  if (value === undefined || value === null) return ['x86_64'];
  if (!Array.isArray(value) || value.length !== 1 || (value[0] !== 'x86_64' && value[0] !== 'arm64')) {
    throw invalid(`Architectures must be [x86_64] or [arm64], found ${JSON.stringify(value)}`, scope);
  }
  return [value[0] as 'x86_64' | 'arm64'];
}

/** Lambda's variables are strings: numbers and booleans are stringified as Lambda does. */
function environmentOf(value: unknown, scope: Scope): Record<string, string> {
  if (!isRecord(value)) return {};
  const vars = value['Variables'];
  if (vars === undefined || vars === null) return {};
  if (!isRecord(vars)) throw invalid('Environment.Variables must be a mapping', scope);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars)) {
    if (v === null || v === undefined) out[k] = '';
    else if (typeof v === 'object')
      throw invalid(`environment variable ${k} must be a string, found ${describe(v)}`, scope);
    else out[k] = text(v);
  }
  return out;
}

function layersOf(value: unknown, entry: StackEntry, ctx: FunctionContext): LayerModel[] {
  if (!Array.isArray(value)) return [];
  return value.map((arn) => {
    const s = String(arn);
    const local = ctx.layersByArn.get(s);
    if (local) return local;
    ctx.warnings.push(
      `${entry.logicalId}: layer ${s} is not in this template; its content is not available locally`,
    );
    return { arn: s };
  });
}

function eventsOf(value: unknown): FunctionEvent[] {
  if (!isRecord(value)) return [];
  return Object.entries(value).map(([id, ev]) => {
    const e = isRecord(ev) ? ev : {};
    return { id, type: String(e['Type']), properties: isRecord(e['Properties']) ? e['Properties'] : {} };
  });
}

function loggingOf(value: unknown): LoggingConfigModel {
  const v = isRecord(value) ? value : {};
  const out: LoggingConfigModel = { logFormat: v['LogFormat'] === 'JSON' ? 'JSON' : 'Text' };
  if (typeof v['ApplicationLogLevel'] === 'string') out.applicationLogLevel = v['ApplicationLogLevel'];
  if (typeof v['SystemLogLevel'] === 'string') out.systemLogLevel = v['SystemLogLevel'];
  if (typeof v['LogGroup'] === 'string') out.logGroup = v['LogGroup'];
  return out;
}

function deadLetterQueue(sam: boolean, props: Props, scope: Scope): FunctionModel['deadLetterQueue'] {
  const v = props[sam ? 'DeadLetterQueue' : 'DeadLetterConfig'];
  if (!isRecord(v)) return undefined;
  const targetArn = v['TargetArn'];
  if (typeof targetArn !== 'string') throw invalid('the dead-letter queue needs a TargetArn', scope);
  const declared = v['Type'];
  const type = declared === 'SNS' || (declared === undefined && targetArn.includes(':sns:')) ? 'SNS' : 'SQS';
  return { type, targetArn };
}

/** SAM `EventInvokeConfig` and `AWS::Lambda::EventInvokeConfig` properties (same names). */
export function eventInvokeConfigOf(v: Record<string, unknown>): EventInvokeConfigModel {
  const out: EventInvokeConfigModel = {};
  if (v['MaximumEventAgeInSeconds'] !== undefined)
    out.maximumEventAgeInSeconds = Number(v['MaximumEventAgeInSeconds']);
  if (v['MaximumRetryAttempts'] !== undefined) out.maximumRetryAttempts = Number(v['MaximumRetryAttempts']);
  const dest = v['DestinationConfig'];
  if (isRecord(dest)) {
    const one = (d: unknown): { type?: string; destination: string } | undefined => {
      if (!isRecord(d) || typeof d['Destination'] !== 'string') return undefined;
      return typeof d['Type'] === 'string'
        ? { type: d['Type'], destination: d['Destination'] }
        : { destination: d['Destination'] };
    };
    const onSuccess = one(dest['OnSuccess']);
    const onFailure = one(dest['OnFailure']);
    out.destinationConfig = {};
    if (onSuccess) out.destinationConfig.onSuccess = onSuccess;
    if (onFailure) out.destinationConfig.onFailure = onFailure;
  }
  return out;
}
