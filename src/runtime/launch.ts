/**
 * How one function's environments are launched: program, arguments, working directory,
 * environment variables and transport, for the current version of its code.
 */
import { needsSdkHook, SDK_PARENT_URL, SDK_REGISTER } from './aws-sdk.ts';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FunctionModel } from '../project/model.ts';
import { baseEnvironment } from './env-vars.ts';
import { INIT_TIMEOUT_MS, type LaunchSpec } from './environment.ts';
import { splitHandler } from '../project/handler.ts';
import { prepareNodeCode, PrepareError } from './node-code.ts';
import {
  fileExists,
  NODE_BOOTSTRAP,
  providedBootstrap,
  PYTHON_BOOTSTRAP,
  resolvePython,
  runtimeInfo,
  type RuntimeInfo,
} from './runtimes.ts';
import type { FunctionErrorPayload } from './types.ts';

export interface LaunchContext {
  region: string;
  stateDir: string;
  transport: 'auto' | 'http';
  extraEnv: Record<string, string>;
  envOverrides?: (fn: FunctionModel) => Record<string, string>;
  debug: boolean;
  hostPath: string;
  hostHome?: string;
}

function failed(error: FunctionErrorPayload): LaunchSpec {
  return { command: '', args: [], cwd: '.', env: {}, transport: 'fd', initFailure: error };
}

/** A problem that makes the function unable to start at all, for setFunctions to report early. */
export function launchProblem(fn: FunctionModel): string | undefined {
  const info = runtimeInfo(fn.runtime);
  if (fn.packageType === 'Image') return `${fn.logicalId}: PackageType Image is not supported locally`;
  if (!info) return `${fn.logicalId}: runtime "${fn.runtime}" is not supported`;
  if (!fn.codeDir && !fn.inlineCode)
    return fn.codeZip
      ? `${fn.logicalId}: the code archive ${fn.codeZip} has not been unpacked`
      : `${fn.logicalId}: no code (CodeUri)`;
  if (info.kind === 'provided') {
    const boot = providedBootstrap(fn);
    if (boot.problem)
      return `${fn.logicalId}: ${fn.runtime} needs an executable "bootstrap" in its CodeUri or a layer (${boot.problem})`;
  }
  if (info.kind === 'python' && !fileExists(PYTHON_BOOTSTRAP))
    return `${fn.logicalId}: the Python bootstrap is missing (${PYTHON_BOOTSTRAP})`;
  return undefined;
}

/** InlineCode is written to a file under the state dir (`index.js` / `index.py` per the handler). */
async function inlineCodeDir(fn: FunctionModel, info: RuntimeInfo, stateDir: string): Promise<string> {
  const dir = join(stateDir, 'runtime', 'inline', fn.logicalId);
  const module = splitHandler(fn.handler)?.module ?? 'index';
  const file = join(dir, module + (info.kind === 'python' ? '.py' : '.js'));
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(file, fn.inlineCode ?? '');
  return dir;
}

export async function buildLaunchSpec(fnIn: FunctionModel, ctx: LaunchContext): Promise<LaunchSpec> {
  const info = runtimeInfo(fnIn.runtime);
  const problem = launchProblem(fnIn);
  if (!info || problem) {
    const kind = info?.kind === 'provided' ? 'Runtime.InvalidEntrypoint' : 'Runtime.InitError';
    return failed({ errorType: kind, errorMessage: problem ?? `unsupported runtime ${fnIn.runtime}` });
  }
  let fn = fnIn;
  if (!fn.codeDir && fn.inlineCode !== undefined)
    fn = { ...fn, codeDir: await inlineCodeDir(fn, info, ctx.stateDir) };
  const codeDir = fn.codeDir as string;
  const env = baseEnvironment({
    fn,
    info,
    region: ctx.region,
    hostPath: ctx.hostPath,
    hostHome: ctx.hostHome,
    extraEnv: ctx.extraEnv,
    overrides: ctx.envOverrides?.(fnIn) ?? {},
  });
  const timeouts = ctx.debug ? {} : { timeoutMs: fn.timeout * 1000, initTimeoutMs: INIT_TIMEOUT_MS };
  const transport = info.kind === 'provided' || ctx.transport === 'http' ? 'http' : 'fd';
  if (info.kind === 'node') {
    let prepared;
    try {
      prepared = await prepareNodeCode(fn, ctx.stateDir);
    } catch (err) {
      if (err instanceof PrepareError) return failed(err.payload);
      throw err;
    }
    if (prepared.handlerFile) env.SLIPWAY_HANDLER_FILE = prepared.handlerFile;
    if (prepared.handlerRoot) env.SLIPWAY_HANDLER_ROOT = prepared.handlerRoot;
    const heapMB = Math.max(16, Math.floor(fn.memorySize * 0.9));
    const args = [`--max-old-space-size=${heapMB}`];
    if (prepared.sourceMaps) args.push('--enable-source-maps');
    if (SDK_PARENT_URL && needsSdkHook(prepared.handlerRoot ?? codeDir)) {
      args.push('--import', SDK_REGISTER);
      env.SLIPWAY_SDK_PARENT_URL = SDK_PARENT_URL;
    }
    args.push(NODE_BOOTSTRAP);
    return {
      command: process.execPath,
      args,
      cwd: codeDir,
      env,
      transport,
      runtimeKind: 'node',
      ...timeouts,
    };
  }
  if (info.kind === 'python') {
    const python = await resolvePython();
    return {
      command: python,
      args: ['-u', PYTHON_BOOTSTRAP],
      cwd: codeDir,
      env,
      transport,
      runtimeKind: 'python',
      ...timeouts,
    };
  }
  const boot = providedBootstrap(fn);
  return {
    command: boot.path,
    args: [],
    cwd: codeDir,
    env,
    transport: 'http',
    runtimeKind: 'provided',
    ...timeouts,
  };
}
