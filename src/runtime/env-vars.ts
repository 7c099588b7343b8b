/**
 * The environment variables of an execution environment (docs/runtime-protocol.md), and the
 * credentials unique to each environment (their access key id attributes AWS calls to it).
 */
import { providedSdkPath } from './aws-sdk.ts';
import { createHash, randomBytes } from 'node:crypto';
import { delimiter, join } from 'node:path';
import type { FunctionModel } from '../project/model.ts';
import type { RuntimeInfo } from './runtimes.ts';
import { RUNTIME_DIR } from './runtimes.ts';

/** The AWS SDK v3 clients Lambda's Node.js runtimes provide, for CommonJS `require` (see aws-sdk.ts). */
const PROVIDED_SDK = providedSdkPath();

export interface EnvironmentCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** `ASIA` + 16 base32 chars derived from the function and the environment number (stable, unique). */
export function accessKeyIdFor(functionLogicalId: string, environmentNumber: number, salt: string): string {
  const digest = createHash('sha256').update(`${salt}:${functionLogicalId}:${environmentNumber}`).digest();
  let id = 'ASIA';
  for (let i = 0; i < 16; i++) id += BASE32[(digest[i] ?? 0) & 31];
  return id;
}

export function credentialsFor(
  functionLogicalId: string,
  environmentNumber: number,
  salt: string,
): EnvironmentCredentials {
  return {
    accessKeyId: accessKeyIdFor(functionLogicalId, environmentNumber, salt),
    secretAccessKey: randomBytes(30).toString('base64'),
    sessionToken: randomBytes(48).toString('base64'),
  };
}

/** `YYYY/MM/DD/[$LATEST]<32 hex>` */
export function logStreamName(now = new Date()): string {
  const y = now.getUTCFullYear();
  const m = String(now.getUTCMonth() + 1).padStart(2, '0');
  const d = String(now.getUTCDate()).padStart(2, '0');
  return `${y}/${m}/${d}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

export interface BaseEnvironmentInput {
  fn: FunctionModel;
  info: RuntimeInfo;
  region: string;
  /** Host PATH and HOME (the only host variables passed through). */
  hostPath: string;
  hostHome?: string;
  extraEnv: Record<string, string>;
  overrides: Record<string, string>;
}

function layerDirs(fn: FunctionModel): string[] {
  return fn.layers.flatMap((l) => (l.contentDir ? [l.contentDir] : []));
}

/** Everything but the per-environment values (credentials, log stream, Runtime API address). */
export function baseEnvironment(input: BaseEnvironmentInput): Record<string, string> {
  const { fn, info } = input;
  const taskRoot = fn.codeDir ?? process.cwd();
  const layers = layerDirs(fn);
  const env: Record<string, string> = {
    AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    AWS_LAMBDA_FUNCTION_VERSION: fn.version ?? '$LATEST',
    AWS_LAMBDA_LOG_GROUP_NAME: fn.loggingConfig.logGroup ?? `/aws/lambda/${fn.functionName}`,
    AWS_REGION: input.region,
    AWS_DEFAULT_REGION: input.region,
    LAMBDA_TASK_ROOT: taskRoot,
    LAMBDA_RUNTIME_DIR: RUNTIME_DIR,
    _HANDLER: fn.handler,
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    PATH: [...layers.map((l) => join(l, 'bin')), input.hostPath].join(delimiter),
  };
  if (input.hostHome) env.HOME = input.hostHome;
  if (info.executionEnv) env.AWS_EXECUTION_ENV = info.executionEnv;
  if (fn.loggingConfig.logFormat === 'JSON') {
    env.AWS_LAMBDA_LOG_FORMAT = 'JSON';
    if (fn.loggingConfig.applicationLogLevel) env.AWS_LAMBDA_LOG_LEVEL = fn.loggingConfig.applicationLogLevel;
  }
  if (info.kind === 'node') {
    const major = info.version ?? '';
    env.NODE_PATH = [
      ...layers.flatMap((l) => [
        join(l, 'nodejs', `node${major}`, 'node_modules'),
        join(l, 'nodejs', 'node_modules'),
      ]),
      taskRoot,
      join(taskRoot, 'node_modules'),
      // The AWS SDK v3 clients Lambda's Node.js runtimes provide (CommonJS `require`).
      ...(PROVIDED_SDK ? [PROVIDED_SDK] : []),
    ].join(delimiter);
  }
  if (info.kind === 'python') {
    env.PYTHONPATH = [
      taskRoot,
      ...layers.flatMap((l) => [join(l, 'python'), join(l, 'python', 'lib', info.name, 'site-packages')]),
    ].join(delimiter);
  }
  if (info.kind === 'provided') {
    env.LD_LIBRARY_PATH = [taskRoot, join(taskRoot, 'lib'), ...layers.map((l) => join(l, 'lib'))].join(
      delimiter,
    );
  }
  Object.assign(env, input.extraEnv, fn.environment, input.overrides);
  return env;
}
